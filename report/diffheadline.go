package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// costDelta formats b − a with its sign, and as a percentage of a when a
// is not 0: "-$1,128.12, -100.0%".
func costDelta(a, b float64) string {
	s := signedDollars(b - a)
	if a != 0 {
		s += fmt.Sprintf(", %+.1f%%", 100*(b-a)/a)
	}
	return s
}

// arrow formats a count in a and in b and the difference: "3,506 → 5,147
// (+1,641)", or "3,506 (unchanged)".
func arrow(a, b int64) string {
	if a == b {
		return count(a) + " (unchanged)"
	}
	return fmt.Sprintf("%s → %s (%s)", count(a), count(b), signedCount(b-a))
}

// headline is d's headline, a → b: the owner cost and its monthly rate,
// the calls, the executions, the findings (when the caller set them), who
// outside the organization has access, and one sentence on what changed
// most. d must come from [CompareSummaries].
func (d *Diff) headline() [][2]string {
	a, b := d.a, d.b
	cost := fmt.Sprintf("%s → %s over the run (%s)", dollars(a.Cost.USD), dollars(b.Cost.USD), costDelta(a.Cost.USD, b.Cost.USD))
	if a.Duration != 30*day || b.Duration != 30*day {
		cost += fmt.Sprintf("; %s → %s per 30 days", dollars(a.monthly()), dollars(b.monthly()))
	}
	cost += fmt.Sprintf("; triggered by other accounts %s → %s", dollars(a.others()), dollars(b.others()))
	out := [][2]string{
		{"owner cost", cost},
		{"calls denied", arrow(a.Calls.Denied, b.Calls.Denied) + ", allowed " + arrow(a.Calls.Allowed, b.Calls.Allowed)},
		{"executions", "started " + arrow(a.Executions.Started, b.Executions.Started) +
			", failed " + arrow(a.Executions.Failed, b.Executions.Failed)},
	}
	if a.Findings != nil && b.Findings != nil {
		out = append(out, [2]string{"findings", findingsLine(a.Findings, SeverityWarning) + " → " +
			findingsLine(b.Findings, SeverityWarning)})
	}
	if a.accessWorld != nil && b.accessWorld != nil {
		ea, eb := ExternalAccess(a.accessWorld, a.Duration), ExternalAccess(b.accessWorld, b.Duration)
		out = append(out, [2]string{"external access", fmt.Sprintf("%s → %s outside the organization",
			count(int64(len(ea))), nouns(len(eb), "principal", "principals"))})
	}
	return append(out, [2]string{"what changed", d.story()})
}

// story is the diff's one sentence: how b's owner cost differs and who
// moves it most, and the decision that changed most.
func (d *Diff) story() string {
	if d.Identical() {
		return "a and b are identical: the change moves no call, execution or cost."
	}
	var parts []string
	if delta := d.TotalB.USD - d.TotalA.USD; money(delta) != money(0) {
		by := map[string]float64{}
		for _, r := range d.Cost {
			by[string(r.Key.Account)+"/"+r.Key.Principal] += r.B.USD - r.A.USD
		}
		who := ""
		for k, v := range by {
			if who == "" || math.Abs(v) > math.Abs(by[who]) || math.Abs(v) == math.Abs(by[who]) && k < who {
				who = k
			}
		}
		rel := ""
		if d.TotalA.USD != 0 {
			rel = fmt.Sprintf(" (%+.1f%%)", 100*delta/d.TotalA.USD)
		}
		parts = append(parts, fmt.Sprintf("in b the owner pays %s %s%s, the largest part through %s (%s)",
			dollars(math.Abs(delta)), moves(delta, "more", "less"), rel, who, signedDollars(by[who])))
	} else {
		parts = append(parts, "the owner's cost is the same")
	}
	if len(d.Decisions) > 0 {
		top := slices.MaxFunc(d.Decisions, func(x, y DecisionDelta) int {
			return cmp.Compare(abs64(x.B-x.A), abs64(y.B-y.A))
		})
		parts = append(parts, fmt.Sprintf("the most moved decision is %s/%s's %s calls ending %s, %s → %s", top.Account,
			top.Principal, top.Action.Name(), top.Reason, count(top.A), count(top.B)))
	}
	return capitalize(strings.Join(parts, "; ")) + "."
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// ApplyPolicies evaluates --fail-on policies of b against a (see
// [Diff.policy]), keeps the results for the reports for people and
// returns them.
func (d *Diff) ApplyPolicies(ps []Policy) []PolicyResult {
	d.Policies = nil
	for _, p := range ps {
		d.Policies = append(d.Policies, d.policy(p))
	}
	return d.Policies
}

// policy evaluates one --fail-on policy of b against a: cost-increase
// (b's owner cost over a's, as a percentage of a's or in USD over the run),
// new-access (a principal may call an action on a pipeline at the end of
// b's run that it may not at the end of a's), new-external (the same for
// principals outside the organization) and severity=LEVEL (a finding of b
// at or above LEVEL, not waived, whose rule and subject a lacks; the
// caller sets both summaries' Findings down to LEVEL).
func (d *Diff) policy(p Policy) PolicyResult {
	switch p.Kind {
	case PolicyCostIncrease:
		return costPolicy(p, d.TotalA.USD, d.TotalB.USD)
	case PolicyNewAccess, PolicyNewExternal:
		external := p.Kind == PolicyNewExternal
		gs := gained(grants(d.a.accessWorld, d.a.Duration, external), grants(d.b.accessWorld, d.b.Duration, external))
		r := PolicyResult{Policy: p, Failed: len(gs) > 0, Reason: "no principal gains access at the end of the run"}
		if external {
			r.Reason = "no principal outside the organization gains access at the end of the run"
		}
		if r.Failed {
			r.Reason = gainsText(gs) + " (at the end of the run)"
		}
		return r
	}
	had := map[[2]string]bool{}
	for _, f := range d.a.Findings {
		had[[2]string{f.Rule, f.Subject}] = true
	}
	fresh := slices.DeleteFunc(slices.Clone(d.b.Findings), func(f Finding) bool { return had[[2]string{f.Rule, f.Subject}] })
	return severityPolicy(p, fresh, " that a lacks")
}
