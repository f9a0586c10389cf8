package report

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pipeshare/pipeshare/internal/words"
	"github.com/pipeshare/pipeshare/model"
)

// The --fail-on policies of check and diff, like Infracost's: each names a
// condition that fails the command (exit 1) with a reason.
const (
	PolicyCostIncrease = "cost-increase" // =PCT% or =USD: b's owner cost over a's
	PolicyNewAccess    = "new-access"    // a principal gains an action on a pipeline
	PolicyNewExternal  = "new-external"  // one outside the organization does
	PolicySeverity     = "severity"      // =LEVEL: a finding at or above LEVEL
)

// A Policy is one --fail-on condition, as [ParsePolicy] reads it.
type Policy struct {
	Kind string // one of the Policy constants
	// Limit is cost-increase's threshold: a percentage of a's cost when
	// Percent, else USD over the run.
	Limit    float64
	Percent  bool
	Severity Severity // severity's level
}

// ParsePolicy reads one --fail-on value: cost-increase=PCT% or
// cost-increase=USD (a number ≥ 0), new-access, new-external or
// severity=note|warning|error.
func ParsePolicy(s string) (Policy, error) {
	kind, val, hasVal := strings.Cut(s, "=")
	p := Policy{Kind: kind}
	switch kind {
	case PolicyNewAccess, PolicyNewExternal:
		if hasVal {
			return p, fmt.Errorf("%s takes no value (got %q)", kind, s)
		}
		return p, nil
	case PolicyCostIncrease:
		num, pct := strings.CutSuffix(val, "%")
		v, err := strconv.ParseFloat(strings.TrimPrefix(num, "$"), 64)
		if !hasVal || err != nil || v < 0 || v != v || v > 1e15 {
			return p, fmt.Errorf("cost-increase wants a percentage or an amount in USD, e.g. cost-increase=10%% or cost-increase=250 (got %q)", s)
		}
		p.Limit, p.Percent = v, pct
		return p, nil
	case PolicySeverity:
		sev, ok := ParseSeverity(val)
		if !ok {
			return p, fmt.Errorf("severity wants note, warning or error, e.g. severity=error (got %q)", s)
		}
		p.Severity = sev
		return p, nil
	}
	return p, fmt.Errorf("unknown policy %q (want cost-increase=PCT%%|USD, new-access, new-external or severity=LEVEL)", s)
}

// String returns the policy as --fail-on takes it.
func (p Policy) String() string {
	switch p.Kind {
	case PolicyCostIncrease:
		v := strconv.FormatFloat(p.Limit, 'f', -1, 64)
		if p.Percent {
			return p.Kind + "=" + v + "%"
		}
		return p.Kind + "=" + v
	case PolicySeverity:
		return p.Kind + "=" + p.Severity.String()
	}
	return p.Kind
}

// PolicyResult is one policy's verdict and its reason, in words.
type PolicyResult struct {
	Policy Policy
	Failed bool
	Reason string
}

// String returns "cost-increase=10%: fails: REASON" or "...: passes: REASON".
func (r PolicyResult) String() string {
	verdict := "passes"
	if r.Failed {
		verdict = "FAILS"
	}
	return fmt.Sprintf("%s %s: %s", r.Policy, verdict, r.Reason)
}

// Failures returns the results that failed.
func Failures(rs []PolicyResult) []PolicyResult {
	return slices.DeleteFunc(slices.Clone(rs), func(r PolicyResult) bool { return !r.Failed })
}

// policyLines are the results as the reports for people list them.
func policyLines(rs []PolicyResult) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

// grant is the actions one principal may call on one pipeline.
type grant struct {
	principal, pipeline, arn string
	actions                  model.ActionSet
}

// grants returns, sorted by principal then pipeline ARN, what principals
// may call on pipelines at t, for the pairs that can allow anything: a
// share reaching outside the organization when external, else also a
// principal on its own account's pipelines and the principals of every
// share on its pipelines. world must be at t.
func grants(world *model.World, t model.Time, external bool) []grant {
	type pair struct {
		p  model.PrincipalID
		pl model.PipelineID
	}
	seen := map[pair]bool{}
	var out []grant
	add := func(p model.PrincipalID, pl model.PipelineID) {
		if seen[pair{p, pl}] {
			return
		}
		seen[pair{p, pl}] = true
		var set model.ActionSet
		for a, r := range world.DecideAll(p, pl, t) {
			if r.IsAllow() {
				set = set.With(model.Action(a))
			}
		}
		if set != 0 {
			out = append(out, grant{world.CallerString(p), world.PipelineName(pl), world.PipelineARN(pl), set})
		}
	}
	for sh := range model.ShareID(world.NumShares()) {
		pipes := world.SharePipelines(sh, t)
		var ps []model.PrincipalID
		if external {
			owner := world.ShareOwner(sh)
			for _, a := range world.ShareAssociations(sh, t) {
				if (a.Kind != model.AssocAccount && a.Kind != model.AssocPrincipal) || a.Account == owner ||
					world.AccountInOrg(a.Account) {
					continue
				}
				if a.Kind == model.AssocAccount {
					ps = append(ps, world.AccountPrincipals(a.Account)...)
				} else {
					ps = append(ps, a.Principal)
				}
			}
		} else if len(pipes) > 0 {
			ps = world.SharePrincipals(sh, t)
		}
		for _, p := range ps {
			for _, pl := range pipes {
				add(p, pl)
			}
		}
	}
	if !external {
		for pl := range model.PipelineID(world.NumPipelines()) {
			for _, p := range world.AccountPrincipals(world.PipelineOwner(pl)) {
				add(p, pl)
			}
		}
	}
	slices.SortFunc(out, func(a, b grant) int {
		return cmp.Or(strings.Compare(a.principal, b.principal), strings.Compare(a.arn, b.arn))
	})
	return out
}

// ExternalAccess returns the principals outside the organization of a
// pipeline's owner (every other account when there is no organization) that
// may call at least one action on it at t, as "ACCT/role/X", sorted. Only
// a share naming an account or principal reaches outside the organization,
// so it asks the model about those pairs alone. world must be at t.
func ExternalAccess(world *model.World, t model.Time) []string {
	var out []string
	for _, g := range grants(world, t, true) {
		if n := len(out); n == 0 || out[n-1] != g.principal {
			out = append(out, g.principal)
		}
	}
	return out
}

// gained returns the grants of b that a lacks: the actions of each
// principal and pipeline (by ARN) in b but not in a. Both are sorted as
// grants returns them.
func gained(a, b []grant) []grant {
	var out []grant
	i := 0
	for _, g := range b {
		for i < len(a) && cmp.Or(strings.Compare(a[i].principal, g.principal), strings.Compare(a[i].arn, g.arn)) < 0 {
			i++
		}
		had := model.ActionSet(0)
		if i < len(a) && a[i].principal == g.principal && a[i].arn == g.arn {
			had = a[i].actions
		}
		if more := g.actions &^ had; more != 0 {
			g.actions = more
			out = append(out, g)
		}
	}
	return out
}

// gainsText describes gains: "2 principals gain 4 actions: 999999999999/root
// gains StartPipelineExecution on churn-training; …" (the first three).
func gainsText(gs []grant) string {
	principals, actions := map[string]bool{}, 0
	var parts []string
	for _, g := range gs {
		principals[g.principal] = true
		actions += g.actions.Len()
		if len(parts) < 3 {
			var names []string
			for _, a := range g.actions.Actions() {
				names = append(names, a.Name())
			}
			parts = append(parts, fmt.Sprintf("%s gains %s on %s", g.principal, strings.Join(names, ", "), g.pipeline))
		}
	}
	text := fmt.Sprintf("%s %s %s: %s", nouns(len(principals), "principal", "principals"),
		words.Plural(len(principals), "gains", "gain"), nouns(actions, "action", "actions"), strings.Join(parts, "; "))
	if len(gs) > len(parts) {
		text += fmt.Sprintf("; and %s more", nouns(len(gs)-len(parts), "pair", "pairs"))
	}
	return text
}

// costPolicy evaluates cost-increase on owner costs a and b over the run.
func costPolicy(p Policy, a, b float64) PolicyResult {
	delta := b - a
	r := PolicyResult{Policy: p}
	change := fmt.Sprintf("the owner's cost goes from %s to %s (%s", dollars(a), dollars(b), signedDollars(delta))
	if a > 0 {
		change += fmt.Sprintf(", %+.1f%%", 100*delta/a)
	}
	change += ")"
	limit := dollars(p.Limit)
	if p.Percent {
		limit = strconv.FormatFloat(p.Limit, 'f', -1, 64) + "% of " + dollars(a)
		r.Failed = delta > 0 && (a <= 0 || 100*delta/a > p.Limit)
	} else {
		r.Failed = delta > p.Limit
	}
	r.Reason = change + ", " + map[bool]string{true: "above", false: "within"}[r.Failed] + " " + limit
	return r
}

// severityPolicy evaluates severity=LEVEL on findings (those waived do not
// count); scope narrows what they are (" that a lacks").
func severityPolicy(p Policy, fs []Finding, scope string) PolicyResult {
	var hits []string
	for _, f := range fs {
		if !f.Waived && f.Severity >= p.Severity {
			hits = append(hits, f.Rule+" "+f.Subject)
		}
	}
	r := PolicyResult{Policy: p, Failed: len(hits) > 0}
	if r.Failed {
		r.Reason = fmt.Sprintf("%s at or above %s%s: %s", nouns(len(hits), "finding", "findings"), p.Severity, scope, list(hits))
	} else {
		r.Reason = fmt.Sprintf("no finding at or above %s%s", p.Severity, scope)
	}
	return r
}

// writePoliciesText writes the --fail-on results for a terminal, and a
// blank line after; nothing without policies. baseline is the scenario
// they compare with (check --baseline), nil for none or a diff's a.
func writePoliciesText(ew *errWriter, rs []PolicyResult, baseline *Meta) {
	if len(rs) == 0 {
		return
	}
	ew.printf("%s\n", policiesTitle(rs, baseline))
	for _, l := range policyLines(rs) {
		ew.printf("  %s\n", l)
	}
	ew.printf("\n")
}

// writePoliciesMD writes the --fail-on results as a Markdown list after a
// blank line; nothing without policies. baseline is as for
// writePoliciesText.
func writePoliciesMD(ew *errWriter, rs []PolicyResult, baseline *Meta) {
	if len(rs) == 0 {
		return
	}
	ew.printf("\n**%s**\n\n", mdEscape(policiesTitle(rs, baseline)))
	for _, l := range policyLines(rs) {
		ew.printf("- %s\n", mdEscape(l))
	}
}

// policiesTitle is "--fail-on: 1 of 2 policies failed", or "--fail-on
// against BASELINE: ..." with a baseline.
func policiesTitle(rs []PolicyResult, baseline *Meta) string {
	title := "--fail-on"
	if baseline != nil {
		title += " against " + diffScenario(*baseline)
	}
	if n := len(Failures(rs)); n > 0 {
		return fmt.Sprintf("%s: %d of %s failed", title, n, nouns(len(rs), "policy", "policies"))
	}
	return fmt.Sprintf("%s: %s passed", title, nouns(len(rs), "policy", "policies"))
}
