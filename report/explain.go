package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/pipeshare/pipeshare/model"
)

// The explain JSON (docs/reports.md#explain-and-access-json). Struct fields fix
// the key order; slices are never nil, so lists print as [] rather than null.
type jsonExplain struct {
	Decision string      `json:"decision"`
	Reason   string      `json:"reason"`
	Caller   string      `json:"caller"`
	Action   string      `json:"action"`
	Resource string      `json:"resource"`
	At       string      `json:"at"`
	Message  string      `json:"message"`
	Layers   []jsonLayer `json:"layers"`
	// Returns is there for an allowed Search only: whether its results
	// hold the pipeline, which shares decide (not the decision).
	Returns *jsonReturns `json:"returns,omitempty"`
}

type jsonReturns struct {
	Pipeline string      `json:"pipeline"`
	Returned bool        `json:"returned"`
	Reason   string      `json:"reason"`
	Share    *string     `json:"share"`
	Shares   []jsonShare `json:"shares"`
}

type jsonLayer struct {
	Step     int         `json:"step"`
	Layer    string      `json:"layer"`
	Result   string      `json:"result"`
	Decisive bool        `json:"decisive"`
	Matched  []jsonMatch `json:"matched"`
	OUPath   []string    `json:"ou_path"`
	Shares   []jsonShare `json:"shares"`
}

type jsonMatch struct {
	Policy    string `json:"policy"`
	Statement int    `json:"statement"`
	Sid       string `json:"sid"`
	Effect    string `json:"effect"`
	Source    string `json:"source"`
}

type jsonShare struct {
	Share  string `json:"share"`
	State  string `json:"state"`
	Reason string `json:"reason"`
}

// writeJSON writes the explanation in the explain JSON shape:
// decision, reason, caller, action, resource, at (RFC 3339 UTC), message
// ("" on allow) and layers, each with step, layer, result, decisive,
// matched (policy, 0-based statement index, sid, effect, source
// file:line:col or "-"), ou_path and shares (share, state, reason). Lists
// are never null. It returns w's first error.
func (v ExplainView) writeJSON(w io.Writer) error {
	world, ex := v.World, v.Explanation
	out := jsonExplain{
		Decision: ex.Decision.String(),
		Reason:   ex.Reason.String(),
		Caller:   ex.Caller,
		Action:   ex.Action.String(),
		Resource: ex.Resource,
		At:       world.TimeToRFC3339(ex.At),
		Message:  ex.Message(),
		Layers:   layersJSON(ex.Layers[:]),
	}
	if ex.Returns != model.ReasonNone {
		r := &jsonReturns{Pipeline: world.PipelineName(ex.Pipeline), Returned: ex.Returns.IsAllow(),
			Reason: ex.Returns.String(), Shares: make([]jsonShare, 0, len(ex.ReturnsShares))}
		if ex.ReturnsShare != model.NoShare {
			name := world.ShareName(ex.ReturnsShare)
			r.Share = &name
		}
		for _, s := range ex.ReturnsShares {
			r.Shares = append(r.Shares, jsonShare{Share: s.Share, State: s.State, Reason: s.Reason.String()})
		}
		out.Returns = r
	}
	return writeIndentedJSON(w, out)
}

// layersJSON writes evaluated layers in the explain JSON shape; lists are
// never nil.
func layersJSON(layers []model.Layer) []jsonLayer {
	out := make([]jsonLayer, 0, len(layers))
	for _, l := range layers {
		jl := jsonLayer{
			Step:     l.Step,
			Layer:    l.Name,
			Result:   l.Result.String(),
			Decisive: l.Decisive,
			Matched:  make([]jsonMatch, 0, len(l.Matched)),
			OUPath:   append([]string{}, l.OUPath...),
			Shares:   make([]jsonShare, 0, len(l.Shares)),
		}
		for _, m := range l.Matched {
			jl.Matched = append(jl.Matched, jsonMatch{Policy: m.Policy, Statement: m.Statement,
				Sid: m.Sid, Effect: m.Effect.String(), Source: m.Source.String()})
		}
		for _, s := range l.Shares {
			jl.Shares = append(jl.Shares, jsonShare{Share: s.Share, State: s.State, Reason: s.Reason.String()})
		}
		out = append(out, jl)
	}
	return out
}

// formatMatch formats a matched statement as "policy[stmt] sid (Effect) at
// file:line:col", leaving out an empty sid and an unknown position.
func formatMatch(m model.Match) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s[%d]", m.Policy, m.Statement)
	if m.Sid != "" {
		b.WriteString(" " + m.Sid)
	}
	fmt.Fprintf(&b, " (%s)", m.Effect)
	if m.Source.IsValid() {
		b.WriteString(" at " + m.Source.String())
	}
	return b.String()
}

// collapseMatches formats matches in order of first appearance, writing a
// statement matched several times (FullAWSAccess at every SCP level) once
// with a count: "FullAWSAccess[0] (Allow) ×3".
func collapseMatches(ms []*model.Match) []string {
	var out []string
	count := map[model.Match]int{}
	for _, m := range ms {
		if count[*m] == 0 {
			out = append(out, formatMatch(*m))
		}
		count[*m]++
	}
	i := 0
	for _, m := range ms {
		if n := count[*m]; n > 0 {
			if n > 1 {
				out[i] += fmt.Sprintf(" ×%d", n)
			}
			count[*m] = 0
			i++
		}
	}
	return out
}

// writeText writes the explanation for people: "ALLOW (shared)" or
// "DENY (not_shared)", the caller, action, resource and time, AWS's denial
// message, one line per layer (the decisive one marked "←") with its SCP
// levels, matched statements (repeats collapsed, "×3") and shares, and for
// a deny a last line saying what would fix it ([Hint]). It returns w's
// first error.
func (v ExplainView) writeText(w io.Writer) error {
	world, ex := v.World, v.Explanation
	ew := &errWriter{w: w}
	ew.printf("%s (%s)\n", strings.ToUpper(ex.Decision.String()), ex.Reason)
	ew.printf("caller    %s (%s)\n", ex.Caller, world.PrincipalARN(ex.Principal))
	ew.printf("action    %s\n", ex.Action)
	ew.printf("resource  %s\n", ex.Resource)
	ew.printf("at        %s\n", world.TimeToRFC3339(ex.At))
	if msg := ex.Message(); msg != "" {
		ew.printf("message   %s\n", msg)
	}
	ew.printf("\n")
	writeLayersText(ew, ex.Layers[:])
	if ex.Returns != model.ReasonNone {
		// What an allowed Search returns: shares decide, not the decision.
		if ex.Returns.IsAllow() {
			ew.printf("\nreturns   %s (%s)\n", world.PipelineName(ex.Pipeline), ex.Returns)
		} else {
			ew.printf("\nreturns   not %s (%s)\n", world.PipelineName(ex.Pipeline), ex.Returns)
		}
		for _, s := range ex.ReturnsShares {
			ew.printf("    share %s: %s (%s)\n", s.Share, s.State, s.Reason)
		}
	}
	if h := Hint(ex); h != "" {
		ew.printf("\nfix: %s\n", h)
	}
	return ew.err
}

// writeLayersText writes one line per layer (the decisive one marked
// "←") with its levels, matched statements (repeats collapsed) and shares.
func writeLayersText(ew *errWriter, layers []model.Layer) {
	for _, l := range layers {
		line := fmt.Sprintf("%d %-16s%s", l.Step, l.Name, l.Result)
		if l.Decisive {
			line = fmt.Sprintf("%-34s← decisive", line)
		}
		ew.printf("%s\n", line)
		if len(l.OUPath) > 0 {
			ew.printf("    levels: %s\n", strings.Join(l.OUPath, " > "))
		}
		for _, m := range collapseMatches(l.Matched) {
			ew.printf("    %s\n", m)
		}
		for _, s := range l.Shares {
			ew.printf("    share %s: %s (%s)\n", s.Share, s.State, s.Reason)
		}
	}
}

// Hint returns one line saying what would turn ex's deny into an allow, or
// "" for an allow. Every reason code has a hint, step 6 outcomes included.
func Hint(ex *model.Explanation) string {
	a := ex.Action
	switch ex.Reason {
	case model.ReasonExplicitDeny:
		h := "remove or narrow the Deny statement in the caller's identity policies or permissions boundary"
		if m, ok := decisiveMatch(ex, model.EffectDeny); ok {
			h = "remove or narrow " + formatMatch(m) + ", which denies " + a.String() + " to the caller"
		}
		return h
	case model.ReasonSCP:
		if m, ok := decisiveMatch(ex, model.EffectDeny); ok {
			return "the SCP statement " + formatMatch(m) + " on the caller's path denies " + a.String() +
				"; narrow it, detach it from that level, or move the account out of its reach"
		}
		return "a level of the caller's path without FullAWSAccess has no SCP that allows " + a.String() +
			"; add an Allow for it there or attach FullAWSAccess"
	case model.ReasonNoIdentityAllow:
		h := "the caller's identity policies (and its permissions boundary, if any) must allow " +
			a.String() + " on " + ex.Resource
		switch a.Resource() {
		case model.ResourceExecution:
			h += "; execution-level actions authorize against the execution ARN, which a Resource naming only the pipeline ARN does not cover"
		case model.ResourceAny:
			h += " (Search authorizes against Resource \"*\")"
		}
		return h
	case model.ReasonExternalNotAllowed:
		return "the caller's account is outside the owner's organization and the share does not allow external principals; set allow_external_principals: true or move the account into the organization"
	case model.ReasonInvitationExpired:
		return "the RAM invitation expired unanswered (invitation_ttl); the owner must share again and the invitee accept in time"
	case model.ReasonInvitationRejected:
		return "the invitee rejected the RAM invitation; the owner must share again and the invitee accept"
	case model.ReasonInvitationPending:
		return "the invitee has not accepted the RAM invitation yet"
	case model.ReasonAssociationPending:
		return "the share's association is not in force yet (association_delay); access starts when it completes"
	case model.ReasonActionNotPermitted:
		return "the share's read-only permission does not include " + a.String() +
			"; use the extended permission (" + model.PermissionExtended.ManagedName() + ")"
	case model.ReasonNotShared:
		return "no RAM share of this pipeline names the caller's account, an OU on its path or the organization"
	case model.ReasonNotFound:
		return "no execution of this pipeline matches the call; start one first"
	case model.ReasonConflict:
		return "the execution is in the wrong state: Stop needs an Executing execution, Retry a Failed one"
	case model.ReasonLimitExceeded:
		return "the owner account has reached its concurrent_executions quota; raise it or wait for executions to finish"
	case model.ReasonThrottled:
		return "the calling account exceeded its api_rate; slow down or raise the quota"
	}
	return ""
}

// decisiveMatch returns the first statement with effect eff matched by the
// decisive layer.
func decisiveMatch(ex *model.Explanation, eff model.Effect) (model.Match, bool) {
	for _, l := range ex.Layers {
		if !l.Decisive {
			continue
		}
		for _, m := range l.Matched {
			if m.Effect == eff {
				return *m, true
			}
		}
	}
	return model.Match{}, false
}
