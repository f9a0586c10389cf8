package model

import (
	"strings"
)

// Effect is a statement's effect.
type Effect uint8

const (
	EffectAllow Effect = iota + 1
	EffectDeny
)

func (e Effect) String() string {
	if e == EffectDeny {
		return "Deny"
	}
	return "Allow"
}

// PolicyID indexes a World's policies.
type PolicyID int32

// noPolicy marks an absent boundary.
const noPolicy PolicyID = -1

// Policy is a compiled policy document.
type Policy struct {
	Name       string
	Statements []Statement
	Pos        Pos

	matches []Match // each statement's, as explanations list it
}

// Statement is a compiled policy statement. Its actions are resolved against
// the ten in-scope actions and the five data actions once, at compile time:
// Action and NotAction both become sets.
type Statement struct {
	Sid         string
	Index       int // 0-based position in the policy
	Effect      Effect
	Actions     ActionSet
	Data        DataActionSet
	Principal   *principalSet // nil without a Principal element
	Resources   []string      // patterns; ["*"] when absent
	NotResource bool
	Conditions  []Condition
	Pos         Pos
}

// matchesResource reports whether the statement's Resource (or NotResource)
// covers r.
func (s *Statement) matchesResource(r string) bool {
	hit := false
	for _, p := range s.Resources {
		if MatchWildcard(p, r, false, true) {
			hit = true
			break
		}
	}
	return hit != s.NotResource
}

// holds reports whether every condition of s holds in ctx.
func (s *Statement) holds(ctx *CondContext) bool {
	for i := range s.Conditions {
		if !s.Conditions[i].Eval(ctx) {
			return false
		}
	}
	return true
}

// applies reports whether s applies to resource r in ctx, ignoring actions.
func (s *Statement) applies(r string, ctx *CondContext) bool {
	return s.matchesResource(r) && s.holds(ctx)
}

// compilePolicy compiles doc, appending problems to errs.
func compilePolicy(doc *PolicyDoc, errs *[]*PosError) Policy {
	p := Policy{Name: doc.Name, Pos: doc.Pos}
	if len(doc.Statements) == 0 {
		*errs = append(*errs, errorf(doc.Pos, "policy %q has no statements", doc.Name))
	}
	for i := range doc.Statements {
		sd := &doc.Statements[i]
		st := Statement{Sid: sd.Sid, Index: i, Pos: sd.Pos}
		switch sd.Effect.S {
		case "Allow":
			st.Effect = EffectAllow
		case "Deny":
			st.Effect = EffectDeny
		case "":
			*errs = append(*errs, errorf(sd.Pos, "statement has no Effect"))
		default:
			*errs = append(*errs, errorf(sd.Effect.Pos, "Effect must be Allow or Deny, not %q", sd.Effect.S))
		}
		st.Principal = compilePrincipals(sd, errs)
		switch {
		case sd.Action != nil && sd.NotAction != nil:
			*errs = append(*errs, errorf(sd.NotAction[0].Pos, "a statement cannot have both Action and NotAction"))
		case sd.Action == nil && sd.NotAction == nil:
			*errs = append(*errs, errorf(sd.Pos, "statement has neither Action nor NotAction"))
		case sd.Action != nil:
			st.Actions, st.Data = compileActions(sd.Action, errs)
		default:
			st.Actions, st.Data = compileActions(sd.NotAction, errs)
			st.Actions, st.Data = AllActions&^st.Actions, AllDataActions&^st.Data
		}
		res := sd.Resource
		switch {
		case sd.Resource != nil && sd.NotResource != nil:
			*errs = append(*errs, errorf(sd.NotResource[0].Pos, "a statement cannot have both Resource and NotResource"))
		case sd.Resource == nil && sd.NotResource == nil:
			*errs = append(*errs, errorf(sd.Pos, "statement has neither Resource nor NotResource"))
		case sd.NotResource != nil:
			res = sd.NotResource
			st.NotResource = true
		}
		for _, r := range res {
			if msg := checkResourcePattern(r.S); msg != "" {
				*errs = append(*errs, errorf(r.Pos, "%s", msg))
				continue
			}
			st.Resources = append(st.Resources, r.S)
		}
		for _, cd := range sd.Conditions {
			c, err := CompileCondition(cd.Operator, cd.Key, cd.Values, cd.Pos)
			if err != nil {
				*errs = append(*errs, asPosError(err, cd.Pos))
				continue
			}
			st.Conditions = append(st.Conditions, c)
		}
		p.Statements = append(p.Statements, st)
	}
	p.matches = make([]Match, len(p.Statements))
	for i, st := range p.Statements {
		p.matches[i] = Match{Policy: p.Name, Statement: st.Index, Sid: st.Sid, Effect: st.Effect, Source: st.Pos}
	}
	return p
}

// asPosError converts err to a *PosError, at pos unless it carries one.
func asPosError(err error, pos Pos) *PosError {
	if pe, ok := err.(*PosError); ok {
		return pe
	}
	return &PosError{Pos: pos, Msg: err.Error()}
}

// compileActions resolves action patterns against the ten in-scope actions
// and the five data actions. A pattern for another service simply matches
// none of them.
func compileActions(refs []Ref, errs *[]*PosError) (ActionSet, DataActionSet) {
	var set ActionSet
	var data DataActionSet
	for _, r := range refs {
		pat := r.S
		if strings.Contains(pat, "${") {
			*errs = append(*errs, errorf(r.Pos, "policy variables are not supported"))
			continue
		}
		if pat != "*" && !strings.Contains(pat, ":") {
			*errs = append(*errs, errorf(r.Pos, "action %q needs a service prefix, e.g. sagemaker:%s", pat, pat))
			continue
		}
		for a := range Action(NumActions) {
			if MatchWildcard(pat, a.String(), true, false) {
				set = set.With(a)
			}
		}
		for a := range DataAction(NumDataActions) {
			if MatchWildcard(pat, a.String(), true, false) {
				data |= 1 << a
			}
		}
	}
	return set, data
}

// checkResourcePattern returns why pattern is not a supported Resource
// element, or "".
func checkResourcePattern(p string) string {
	if strings.Contains(p, "${") {
		return "policy variables are not supported"
	}
	if p == "*" {
		return ""
	}
	parts := strings.SplitN(p, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return "resource " + quote(p) + " is neither \"*\" nor an ARN (arn:partition:service:region:account:resource)"
	}
	if strings.ContainsAny(parts[2], "*?") {
		return "resource " + quote(p) + " has a wildcard in the ARN's service segment"
	}
	if i := strings.Index(parts[5], "/execution/"); i >= 0 && parts[5][i+len("/execution/"):] != "*" {
		return "resource " + quote(p) + " constrains an execution ID; use .../execution/* so decisions are per pipeline"
	}
	if parts[2] == "sagemaker" && couldConstrainExecution(parts[5]) {
		return "resource " + quote(p) + " could constrain an execution ID; after pipeline/NAME write nothing, " +
			"a trailing *, /* or /execution/*, so decisions are per pipeline"
	}
	return ""
}

// couldConstrainExecution reports whether r, the resource segment of a
// SageMaker ARN pattern, could match some executions of a pipeline and not
// others. Execution-level actions are decided once per pipeline, against
// its literal ".../execution/*" (a real execution ID is never seen), so
// that must give the answer for every ID. '*' and '?' match '/' too, which
// is how "pipeline/fraud-model/*z" or "pipeline/*z" reach into the ID
// without the literal "/execution/". What is allowed:
//
//   - a resource of another type (its literal start is not "pipeline/");
//   - a start of "pipeline/" ended by a final '*' ("*", "pipe*");
//   - pipeline/NAME followed by "/*" or "/execution/*", whatever NAME is:
//     the '/' and "/execution/" of the pattern can only meet the '/'s of
//     "N/execution/ID", so NAME matches N or "N/execution", never the ID;
//   - pipeline/NAME alone or with a final '*', when NAME has no other '*'
//     and its '?'s cannot spell "/execution/" followed by a character.
func couldConstrainExecution(r string) bool {
	const prefix = "pipeline/"
	for i := range len(prefix) {
		switch {
		case i == len(r):
			return false // a literal that is no pipeline ("pipe")
		case r[i] == '*':
			return i != len(r)-1
		case r[i] == '?':
			return true
		case r[i] != prefix[i]:
			return false // another resource type
		}
	}
	name, tail, slash := strings.Cut(r[len(prefix):], "/")
	if slash {
		return tail != "*" && tail != "execution/*"
	}
	name = strings.TrimSuffix(name, "*")
	if strings.IndexByte(name, '*') >= 0 {
		return true
	}
	// With '?' for each '/', can name match "N/execution/I…" (N, I not empty)?
	const mid = "/execution/"
	for k := 1; k+len(mid) < len(name); k++ {
		if MatchWildcard(name[k:k+len(mid)], mid, false, false) {
			return true
		}
	}
	return false
}

func quote(s string) string { return `"` + s + `"` }
