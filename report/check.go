package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pipeshare/pipeshare/internal/words"
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// DefaultDeniedRatePercent is the denied-call rate above which a caller is
// reported when no denied_rate rule applies.
const DefaultDeniedRatePercent = 20.0

// daysPerMonth is the mean Gregorian month, for monthly forecasts.
const daysPerMonth = 30.44

// CheckInput is what [Check] evaluates.
type CheckInput struct {
	Result   *sim.Result // a finished run; its World is at the end of the run
	Scenario string      // the scenario's name
	File     string      // the scenario file, as in positions
	Start    time.Time   // the scenario's start (UTC)
	Version  string      // pipeshare version

	UserRules []sim.Rule // the scenario's rules: (budgets and denied-call rates)
	Waivers   []sim.Waiver
	// RuleIDs selects rules (nil: all); MinSeverity drops findings below it
	// (0: note).
	RuleIDs     []string
	MinSeverity Severity
}

// Finding is one rule violation.
type Finding struct {
	Rule     string
	Severity Severity
	Subject  string
	Message  string
	Pos      model.Pos
	Waived   bool
	Waiver   *sim.Waiver // the waiver that matched, when Waived
}

// CheckReport is the result of [Check]; it is a [View] in text, json, md,
// junit and sarif.
type CheckReport struct {
	Scenario    string
	File        string
	Version     string
	MinSeverity Severity
	At          string    // the end of the run, RFC 3339 UTC
	Rules       []Rule    // the rules evaluated, by ID
	Findings    []Finding // at or above MinSeverity, sorted by rule, subject, position
	// SARIFRoot places the files of positions for SARIF; the caller sets it.
	SARIFRoot SARIFRoot
	// Summary is the run's, for the headline of the reports for people
	// (text, md), set by the caller; nil: no headline.
	Summary *Summary
	// Policies are the --fail-on results ([CheckReport.ApplyPolicies]).
	Policies []PolicyResult
	// Baseline is the scenario whose run the policies compared this one
	// with ([CheckReport.ApplyPolicies]); nil: none.
	Baseline *Meta
	// GrantedUnused counts the (principal, pipeline, action) triples that
	// rule PS005 finds granted and never called; ExternalPrincipals the
	// distinct principals outside the organization with a live association
	// that rule PS001 finds. Both count whatever the rule selection,
	// severity and waivers (pipeshare plan's metrics).
	GrantedUnused, ExternalPrincipals int
}

// ApplyPolicies evaluates --fail-on policies: severity=LEVEL over r's
// findings (a finding at or above LEVEL that is not waived), and those
// that compare two runs (cost-increase, new-access, new-external) as
// [Diff.ApplyPolicies] does, of this run (b) against a baseline's (a):
// base compares them ([CompareSummaries]). Without a base (nil) such a
// policy is an error. It keeps the results and the baseline for the
// reports for people and returns the results.
func (r *CheckReport) ApplyPolicies(ps []Policy, base *Diff) ([]PolicyResult, error) {
	r.Policies, r.Baseline = nil, nil
	for _, p := range ps {
		switch {
		case p.Kind == PolicySeverity:
			r.Policies = append(r.Policies, severityPolicy(p, r.Findings, ""))
		case base == nil:
			return nil, fmt.Errorf("%s compares two runs: give a baseline to compare with, or use pipeshare diff", p)
		default:
			r.Policies = append(r.Policies, base.policy(p))
		}
	}
	if base != nil {
		r.Baseline = &base.A
	}
	return r.Policies, nil
}

// headline is r's headline, or false without a Summary.
func (r *CheckReport) headline() ([][2]string, bool) {
	if r.Summary == nil {
		return nil, false
	}
	return headline{s: r.Summary, findings: r.Findings, minSev: r.MinSeverity, known: true}.lines(), true
}

// Failing returns the number of findings that are not waived.
func (r *CheckReport) Failing() int {
	n := 0
	for _, f := range r.Findings {
		if !f.Waived {
			n++
		}
	}
	return n
}

// Check evaluates the built-in rules and the user rules over a finished
// run: the World as it is at the end of the run (the time in.Result.Duration)
// and the run's counters and ledger. It returns an error for an unknown rule
// ID (in RuleIDs or a waiver) or a budget or denied_rate rule naming an
// unknown account or principal.
func Check(in *CheckInput) (*CheckReport, error) {
	res := in.Result
	w := res.World
	c := &checker{in: in, w: w, res: res, t: res.Duration, minSev: max(in.MinSeverity, SeverityNote)}
	sel := map[string]bool{}
	for _, id := range in.RuleIDs {
		if _, ok := LookupRule(id); !ok {
			return nil, fmt.Errorf("unknown rule %q (rules: %s)", id, ruleIDList())
		}
		sel[id] = true
	}
	for _, wv := range in.Waivers {
		if _, ok := LookupRule(wv.Rule); !ok {
			return nil, fmt.Errorf("%s: waiver for unknown rule %q (rules: %s)", wv.Pos, wv.Rule, ruleIDList())
		}
	}
	c.sel = sel
	if err := c.resolveRules(); err != nil {
		return nil, err
	}
	rep := &CheckReport{Scenario: in.Scenario, File: in.File, Version: in.Version, MinSeverity: c.minSev,
		At: w.TimeToRFC3339(c.t)}
	for _, r := range Rules {
		if len(sel) == 0 || sel[r.ID] {
			rep.Rules = append(rep.Rules, r)
		}
	}

	c.shares()
	c.deniedRate()
	c.budgets()
	c.noBudget()
	c.dataPlane()
	c.applyWaivers()
	rep.GrantedUnused, rep.ExternalPrincipals = c.unused, len(c.external)

	rep.Findings = c.out // only what c.keeps
	sort.SliceStable(rep.Findings, func(i, j int) bool {
		a, b := &rep.Findings[i], &rep.Findings[j]
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
		}
		return a.Pos.Before(b.Pos)
	})
	return rep, nil
}

type checker struct {
	in  *CheckInput
	w   *model.World
	res *sim.Result
	t   model.Time
	// sel is the rules selected (empty: all), minSev the lowest severity
	// reported: out holds only the findings they keep.
	sel    map[string]bool
	minSev Severity
	out    []Finding
	// Resolved user rules.
	budgetRules []resolvedBudget
	rateRules   []resolvedRate
	used        map[model.PrincipalID][model.NumActions]int64 // calls by principal and action, once computed
	// unused and external count for CheckReport.GrantedUnused and
	// ExternalPrincipals.
	unused   int
	external map[string]bool
}

// resolvedBudget is a rule with a Budget, its initiator resolved.
type resolvedBudget struct {
	sim.Rule
	account   model.AccountID
	principal string // "" for the whole account
}

// resolvedRate is a rule with a DeniedRate, its caller resolved.
type resolvedRate struct {
	sim.Rule
	account   model.AccountID // "" for all callers
	principal string          // "" for the whole account
}

// keeps reports whether the findings of rule are reported: it is selected
// and at or above the lowest severity. The others are never formatted (at
// scale, the notes of a run's report are tens of thousands).
func (c *checker) keeps(rule string) bool {
	r, _ := LookupRule(rule)
	return c.keepsRule(r)
}

func (c *checker) keepsRule(r Rule) bool {
	return (len(c.sel) == 0 || c.sel[r.ID]) && r.Severity >= c.minSev
}

// add adds a finding of rule, if c.keeps it.
func (c *checker) add(rule string, subject string, pos model.Pos, format string, args ...any) {
	r, _ := LookupRule(rule)
	if !c.keepsRule(r) {
		return
	}
	c.out = append(c.out, Finding{Rule: rule, Severity: r.Severity, Subject: subject,
		Message: fmt.Sprintf(format, args...), Pos: pos})
}

// resolveRef splits "ACCT" or "ACCT/role/X" and checks it names an account
// (and principal) of the World.
func (c *checker) resolveRef(s string, pos model.Pos, what string) (model.AccountID, string, error) {
	acct, name, _ := strings.Cut(s, "/")
	id, err := model.ParseAccountID(acct)
	if err != nil {
		return "", "", fmt.Errorf("%s: %s: %v", pos, what, err)
	}
	ps := c.w.AccountPrincipals(id)
	if ps == nil {
		return "", "", fmt.Errorf("%s: %s: unknown account %s", pos, what, id)
	}
	if name != "" {
		if _, err := c.w.LookupCallers(s); err != nil {
			return "", "", fmt.Errorf("%s: %s: %v", pos, what, err)
		}
	}
	return id, name, nil
}

func (c *checker) resolveRules() error {
	// Budgets first: the first error reported is a budget's, if any.
	for _, r := range c.in.UserRules {
		if r.Budget == nil {
			continue
		}
		a, p, err := c.resolveRef(r.Budget.Initiator.S, r.Pos, "budget initiator")
		if err != nil {
			return err
		}
		c.budgetRules = append(c.budgetRules, resolvedBudget{Rule: r, account: a, principal: p})
	}
	for _, r := range c.in.UserRules {
		if r.DeniedRate == nil {
			continue
		}
		rr := resolvedRate{Rule: r}
		if r.DeniedRate.Caller.S != "" {
			a, p, err := c.resolveRef(r.DeniedRate.Caller.S, r.Pos, "denied_rate caller")
			if err != nil {
				return err
			}
			rr.account, rr.principal = a, p
		}
		c.rateRules = append(c.rateRules, rr)
	}
	return nil
}

// shares evaluates the share rules: PS001–PS005, PS009 and PS010.
func (c *checker) shares() {
	w, t := c.w, c.t
	for s := range model.ShareID(w.NumShares()) {
		name := w.ShareName(s)
		perm := w.SharePermission(s)
		pos := w.SharePos(s)
		for _, a := range w.ShareAssociations(s, t) {
			who := a.Label
			switch a.Kind {
			case model.AssocAccount:
				who = string(a.Account)
			case model.AssocPrincipal:
				who = w.CallerString(a.Principal)
			}
			subject := "share " + name + " → " + who
			switch a.Kind {
			case model.AssocOrg:
				c.add(RuleOrgWideShare, subject, pos,
					"share %s names the whole organization: every member account, now and later, gets %s access to its pipelines",
					name, perm)
				continue
			case model.AssocOU:
				continue
			}
			external := !w.AccountInOrg(a.Account)
			live := a.State == model.ReasonShared || a.State == model.ReasonAssociationPending ||
				a.State == model.ReasonInvitationPending
			if external && live {
				if c.external == nil {
					c.external = map[string]bool{}
				}
				c.external[who] = true
				c.add(RuleExternalShare, subject, pos,
					"share %s names %s (%s), which is outside the organization (%s)",
					name, who, acctLabel(w, a.Account), stateText(a.State))
				if perm == model.PermissionExtended {
					c.add(RuleExternalExtended, subject, pos,
						"share %s grants the extended permission to %s outside the organization: it can start, stop and retry executions billed to %s",
						name, who, w.ShareOwner(s))
				}
			}
			if a.Invited {
				switch a.State {
				case model.ReasonInvitationPending, model.ReasonInvitationExpired, model.ReasonInvitationRejected:
					c.add(RuleInvitationOpen, subject, pos,
						"the invitation of %s to share %s %s at the end of the run (%s)",
						who, name, invitationText(a.State), w.TimeToRFC3339(t))
				}
			}
		}
		c.sharePrincipals(s)
	}
}

func acctLabel(w *model.World, id model.AccountID) string {
	if n := w.AccountName(id); n != "" {
		return n
	}
	return "unnamed"
}

func invitationText(r model.Reason) string {
	switch r {
	case model.ReasonInvitationPending:
		return "is still pending"
	case model.ReasonInvitationExpired:
		return "expired unanswered"
	}
	return "was rejected"
}

func stateText(r model.Reason) string {
	switch r {
	case model.ReasonShared:
		return "active"
	case model.ReasonAssociationPending:
		return "associating"
	case model.ReasonInvitationPending:
		return "pending"
	case model.ReasonInvitationExpired:
		return "expired"
	case model.ReasonInvitationRejected:
		return "rejected"
	}
	return r.String()
}

var extendedOnly = []model.Action{model.StartPipelineExecution, model.StopPipelineExecution, model.RetryPipelineExecution}

// sharePrincipals evaluates PS005, PS009 and PS010 for the principals share
// s names at the end of the run.
func (c *checker) sharePrincipals(s model.ShareID) {
	w, t := c.w, c.t
	name := w.ShareName(s)
	perm := w.SharePermission(s)
	pipes := w.SharePipelines(s, t)
	if len(pipes) == 0 {
		return
	}
	used := c.callsByPrincipal()
	type scpHit struct {
		actions    map[model.Action]bool
		pipelines  map[string]bool
		principals []string
		pos        model.Pos // the first denying SCP statement, else the account
		denyPos    bool
		policies   map[string]bool
	}
	scp := map[model.AccountID]*scpHit{}
	var scpOrder []model.AccountID
	listUnused := c.keeps(RuleGrantedUnused)
	for _, p := range w.SharePrincipals(s, t) {
		acct := w.PrincipalAccount(p)
		hitP := false
		nUnused := 0
		var unused []string // listed only when reported
		calls, called := used[p]
		counts := called || w.PrincipalName(p) != "root" // a root stands for its account
		for _, pl := range pipes {
			// Uncached: a sweep over every principal a share names must
			// not leave a cached row per pair behind.
			reasons := w.DecideAll(p, pl, t)
			for _, a := range perm.Actions().Actions() {
				// Only a decision stopped at step 1 or 2 can have a failing
				// SCP layer: Explain (which allocates) just those.
				if r := reasons[a]; r != model.ReasonSCP && r != model.ReasonExplicitDeny {
					continue
				}
				ex := w.Explain(p, pl, a, t)
				if ex.Layers[1].Result != model.Fail || !grantedBy(&ex, name) {
					continue
				}
				h := scp[acct]
				if h == nil {
					h = &scpHit{actions: map[model.Action]bool{}, pipelines: map[string]bool{},
						pos: w.AccountPos(acct), policies: map[string]bool{}}
					scp[acct] = h
					scpOrder = append(scpOrder, acct)
				}
				h.actions[a] = true
				h.pipelines[w.PipelineName(pl)] = true
				found := false
				for _, m := range ex.Layers[1].Matched {
					if m.Effect == model.EffectDeny {
						if !h.denyPos && m.Source.IsValid() {
							h.pos, h.denyPos = m.Source, true
						}
						h.policies[m.Policy] = true
						found = true
					}
				}
				if !found {
					h.policies["(no Allow: FullAWSAccess removed)"] = true
				}
				if !hitP {
					h.principals = append(h.principals, w.PrincipalName(p))
					hitP = true
				}
			}
			if perm != model.PermissionExtended {
				continue
			}
			// PS010: Start allowed through the share, Stop/Retry denied by
			// an identity statement that names the pipeline ARN only.
			if reasons[model.StartPipelineExecution] == model.ReasonShared {
				for _, a := range []model.Action{model.StopPipelineExecution, model.RetryPipelineExecution} {
					if reasons[a] != model.ReasonNoIdentityAllow {
						continue
					}
					ms := w.IdentityAllowOn(p, pl, a, w.PipelineARN(pl), t)
					if len(ms) == 0 {
						continue
					}
					m, caller := ms[0], w.CallerString(p)
					c.add(RuleExecutionResource, caller+" on "+w.PipelineName(pl)+" "+a.Name(), m.Source,
						"policy %s allows %s on %s but not on %s: %s can start executions through share %s and cannot stop or retry them",
						m.Policy, a, w.PipelineARN(pl), w.ResourceFor(pl, a), caller, name)
				}
			}
			// PS005: extended actions granted but never called.
			for _, a := range extendedOnly {
				if reasons[a] == model.ReasonShared {
					if counts && calls[a] == 0 {
						nUnused++
						if listUnused {
							unused = append(unused, a.Name()+" on "+w.PipelineName(pl))
						}
					}
				}
			}
		}
		c.unused += nUnused
		if len(unused) > 0 {
			caller := w.CallerString(p)
			c.add(RuleGrantedUnused, "share "+name+" → "+caller, w.PrincipalPos(p),
				"%s is granted %s through share %s but never called %s in the run",
				caller, strings.Join(unused, ", "), name, words.Plural(len(unused), "it", "them"))
		}
	}
	for _, acct := range scpOrder {
		h := scp[acct]
		c.add(RuleSCPBlocksShare, "share "+name+" → "+string(acct), h.pos,
			"share %s grants %s on %s to %s, but its SCPs (%s) deny %s for %s",
			name, actionList(h.actions), strings.Join(sortedKeys(h.pipelines), ", "), acct,
			strings.Join(sortedKeys(h.policies), ", "), words.Plural(len(h.actions), "it", "them"),
			strings.Join(h.principals, ", "))
	}
}

// grantedBy reports whether share name grants ex's action at step 5 (or
// step 3 for the owner's principals).
func grantedBy(ex *model.Explanation, name string) bool {
	for _, l := range ex.Layers {
		for _, s := range l.Shares {
			if s.Share == name && s.Reason == model.ReasonShared {
				return true
			}
		}
	}
	return false
}

func actionList(set map[model.Action]bool) string {
	var names []string
	for a := range model.Action(model.NumActions) {
		if set[a] {
			names = append(names, a.String())
		}
	}
	return strings.Join(names, ", ")
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// findingCounts says how many findings a check has of each severity, and
// waived: "1 error, 6 warnings, 0 notes, 0 waived".
func findingCounts(bySev map[Severity]int, waived int) string {
	n := func(s Severity, one, many string) string { return digitsNoun(int64(bySev[s]), one, many) }
	return n(SeverityError, "error", "errors") + ", " + n(SeverityWarning, "warning", "warnings") + ", " +
		n(SeverityNote, "note", "notes") + fmt.Sprintf(", %d waived", waived)
}

// callsByPrincipal returns each caller's calls per action (any outcome).
func (c *checker) callsByPrincipal() map[model.PrincipalID][model.NumActions]int64 {
	if c.used != nil {
		return c.used
	}
	out := map[model.PrincipalID][model.NumActions]int64{}
	defer func() { c.used = out }()
	for i, p := range c.res.Callers {
		n := out[p]
		for a := range n {
			for _, v := range c.res.Calls[i][a] {
				n[a] += v
			}
		}
		out[p] = n
	}
	return out
}

// deniedRate evaluates PS006 per caller.
func (c *checker) deniedRate() {
	w := c.w
	var rc = map[model.PrincipalID]*ReasonCounts{}
	var order []model.PrincipalID
	for i, p := range c.res.Callers {
		k := rc[p]
		if k == nil {
			k = &ReasonCounts{}
			rc[p] = k
			order = append(order, p)
		}
		for a := range c.res.Calls[i] {
			for r, v := range c.res.Calls[i][a] {
				k[r] += v
			}
		}
	}
	for _, p := range order {
		k := rc[p]
		total := k.Total()
		if total == 0 {
			continue
		}
		denied := k.Denied()
		rate := 100 * float64(denied) / float64(total)
		limit, src := c.rateLimit(p)
		if rate <= limit {
			continue
		}
		var top model.Reason
		for r := range model.Reason(model.NumReasons) {
			if r.IsAllow() || r.IsFailure() || r == model.ReasonNone {
				continue
			}
			if k[r] > k[top] || top == model.ReasonNone && k[r] > 0 {
				top = r
			}
		}
		caller := w.CallerString(p)
		c.add(RuleDeniedRate, caller, w.PrincipalPos(p),
			"%s had %d of %d calls denied (%.1f %%, above the threshold of %s%s); most denials: %s (%d)",
			caller, denied, total, rate, fmtPercent(limit), src, top, k[top])
	}
}

func fmtPercent(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".") + " %"
}

// rateLimit returns caller p's denied-rate threshold and where it comes
// from: the most specific denied_rate rule (principal, account, all), else
// the default.
func (c *checker) rateLimit(p model.PrincipalID) (float64, string) {
	acct, name := c.w.PrincipalAccount(p), c.w.PrincipalName(p)
	best, rank := -1, 0
	for i, r := range c.rateRules {
		k := 1
		switch {
		case r.account == "":
		case r.account == acct && r.principal == "":
			k = 2
		case r.account == acct && r.principal == name:
			k = 3
		default:
			continue
		}
		if k > rank {
			best, rank = i, k
		}
	}
	if best < 0 {
		return DefaultDeniedRatePercent, ", the default"
	}
	return c.rateRules[best].DeniedRate.MaxPercent, " from rule " + c.rateRules[best].ID
}

// covers reports whether budget b covers initiator p.
func (b *resolvedBudget) covers(w *model.World, p model.PrincipalID) bool {
	return w.PrincipalAccount(p) == b.account && (b.principal == "" || w.PrincipalName(p) == b.principal)
}

// budgets evaluates PS007: the spend in each calendar period, from the
// run's cost over time (each time bucket's cost is split between periods in
// proportion to its overlap), and a forecast that extrapolates the total to
// a mean period.
func (c *checker) budgets() {
	w := c.w
	days := float64(c.t) / float64(24*time.Hour)
	for i := range c.budgetRules {
		b := &c.budgetRules[i]
		rule := b.Budget
		total := 0.0
		for j := range c.res.Ledger {
			if r := &c.res.Ledger[j]; b.covers(w, r.Initiator) {
				total += r.USD()
			}
		}
		subject := "budget " + b.ID + ": " + rule.Initiator.S
		if rule.Period == "run" {
			if total > rule.MaxUSD {
				c.add(RuleBudgetExceeded, subject, b.Pos,
					"%s triggered %s of owner cost over the run, above the budget of %s",
					rule.Initiator.S, fmtUSD(total), fmtUSD(rule.MaxUSD))
			}
			continue
		}
		worst, worstUSD := "", 0.0
		for _, p := range c.periods(rule.Period) {
			if usd := c.spendIn(b, p); usd > worstUSD {
				worst, worstUSD = p.label, usd
			}
		}
		perDays := map[string]float64{"month": daysPerMonth, "week": 7, "day": 1}[rule.Period]
		forecast := 0.0
		if days > 0 {
			forecast = total / days * perDays
		}
		if worstUSD > rule.MaxUSD || forecast > rule.MaxUSD {
			c.add(RuleBudgetExceeded, subject, b.Pos,
				"%s triggered %s of owner cost in %.4g simulated days: %s in %s and a %s forecast of %s, against a budget of %s per %s",
				rule.Initiator.S, fmtUSD(total), days, fmtUSD(worstUSD), worst, periodly(rule.Period), fmtUSD(forecast),
				fmtUSD(rule.MaxUSD), rule.Period)
		}
	}
}

func periodly(p string) string {
	switch p {
	case "day":
		return "daily"
	}
	return p + "ly"
}

func fmtUSD(v float64) string { return fmt.Sprintf("$%.2f", v) }

type period struct {
	label    string
	from, to model.Time // the period's part of the run, as offsets from start
}

// spendIn returns budget b's initiators' owner cost within period p.
func (c *checker) spendIn(b *resolvedBudget, p period) float64 {
	width := c.res.Series.Bucket
	usd := 0.0
	for j := range c.res.Ledger {
		r := &c.res.Ledger[j]
		if !b.covers(c.w, r.Initiator) {
			continue
		}
		for i, ns := range r.Buckets {
			if ns == 0 {
				continue
			}
			lo, hi := model.Time(i)*width, model.Time(i+1)*width
			if i == len(r.Buckets)-1 {
				hi = max(hi, model.Time(c.t))
			}
			overlap := min(hi, p.to) - max(lo, p.from)
			if overlap > 0 {
				usd += float64(ns) * float64(overlap) / float64(hi-lo) / 3600e9 * r.USDPerHour
			}
		}
	}
	return usd
}

// periods returns the calendar periods (UTC) the run overlaps, with the
// fraction of the run in each. Weeks start on Monday (ISO 8601).
func (c *checker) periods(kind string) []period {
	start := c.in.Start.UTC()
	end := start.Add(time.Duration(c.t))
	if !end.After(start) {
		return nil
	}
	var out []period
	var p time.Time
	switch kind {
	case "month":
		p = time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
	case "week":
		d := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
		p = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case "day":
		p = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	}
	for p.Before(end) && len(out) < 100_000 {
		var next time.Time
		var label string
		switch kind {
		case "month":
			next, label = p.AddDate(0, 1, 0), p.Format("2006-01")
		case "week":
			y, wk := p.ISOWeek()
			next, label = p.AddDate(0, 0, 7), fmt.Sprintf("%d-W%02d", y, wk)
		default:
			next, label = p.AddDate(0, 0, 1), p.Format("2006-01-02")
		}
		from, to := maxTime(p, start), minTime(next, end)
		out = append(out, period{label: label, from: model.Time(from.Sub(start)), to: model.Time(to.Sub(start))})
		p = next
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// noBudget evaluates PS008: initiators of cross-account executions (ledger
// rows with a share) that no budget rule covers.
func (c *checker) noBudget() {
	if !c.keeps(RuleNoBudget) {
		return
	}
	w := c.w
	type agg struct {
		usd    float64
		shares map[string]bool
		payers map[string]bool
	}
	by := map[model.PrincipalID]*agg{}
	var order []model.PrincipalID
	for j := range c.res.Ledger {
		r := &c.res.Ledger[j]
		if r.Share == sim.NoShare {
			continue
		}
		covered := slices.ContainsFunc(c.budgetRules, func(b resolvedBudget) bool { return b.covers(w, r.Initiator) })
		if covered {
			continue
		}
		a := by[r.Initiator]
		if a == nil {
			a = &agg{shares: map[string]bool{}, payers: map[string]bool{}}
			by[r.Initiator] = a
			order = append(order, r.Initiator)
		}
		a.usd += r.USD()
		a.shares[w.ShareName(r.Share)] = true
		a.payers[string(r.Payer)] = true
	}
	for _, p := range order {
		a := by[p]
		caller := w.CallerString(p)
		c.add(RuleNoBudget, caller, w.PrincipalPos(p),
			"%s triggered %s of cost billed to %s through share %s, and no budget rule covers it",
			caller, fmtUSD(math.Max(a.usd, 0)), strings.Join(sortedKeys(a.payers), ", "),
			strings.Join(sortedKeys(a.shares), ", "))
	}
}

// applyWaivers marks waived findings and reports expired waivers (PS011):
// a waiver has expired when its expiry date ends before the end of the
// simulated period (no wall clock: the scenario's end is "now").
func (c *checker) applyWaivers() {
	end := c.in.Start.UTC().Add(time.Duration(c.t))
	var active []*sim.Waiver
	for i := range c.in.Waivers {
		wv := &c.in.Waivers[i]
		if !wv.Expires.IsZero() && !wv.Expires.AddDate(0, 0, 1).After(end) {
			c.add(RuleExpiredWaiver, "waiver "+wv.Rule+": "+wv.Subject, wv.Pos,
				"the waiver of %s for %q (owner %s) expired on %s, before the end of the run (%s)",
				wv.Rule, wv.Subject, orNone(wv.Owner), wv.Expires.Format("2006-01-02"), end.Format(time.RFC3339))
			continue
		}
		active = append(active, wv)
	}
	for i := range c.out {
		f := &c.out[i]
		for _, wv := range active {
			if wv.Rule == f.Rule && globMatch(wv.Subject, f.Subject) {
				f.Waived, f.Waiver = true, wv
				break
			}
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// globMatch matches s against pattern, where '*' matches any run of
// characters (slashes included) and everything else matches itself.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// checkCounts counts findings by severity (not waived) and waived ones.
func (r *CheckReport) counts() (bySev map[Severity]int, waived int) {
	bySev = map[Severity]int{}
	for _, f := range r.Findings {
		if f.Waived {
			waived++
		} else {
			bySev[f.Severity]++
		}
	}
	return bySev, waived
}

// writeText writes the report for a terminal: the headline (when r has a
// Summary) and the --fail-on results, then the findings grouped by
// severity (errors first), then how to fix each rule that fired.
func (r *CheckReport) writeText(w io.Writer) error {
	var b strings.Builder
	if lines, ok := r.headline(); ok {
		writeHeadlineText(&errWriter{w: &b}, "Headline", lines)
	}
	writePoliciesText(&errWriter{w: &b}, r.Policies, r.Baseline)
	bySev, waived := r.counts()
	fmt.Fprintf(&b, "pipeshare check %s (%s) at the end of the run, %s\n", r.Scenario, r.File, r.At)
	fmt.Fprintf(&b, "%s, findings at or above %s: %s\n", digitsNoun(int64(len(r.Rules)), "rule", "rules"), r.MinSeverity, findingCounts(bySev, waived))
	fired := map[string]bool{}
	for _, sev := range []Severity{SeverityError, SeverityWarning, SeverityNote} {
		first := true
		for _, f := range r.Findings {
			if f.Severity != sev || f.Waived {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n%s (%d)\n", strings.ToUpper(sev.String()), bySev[sev])
				first = false
			}
			fired[f.Rule] = true
			rule, _ := LookupRule(f.Rule)
			fmt.Fprintf(&b, "  %s %s  %s\n    %s: %s\n", f.Rule, rule.Name, f.Subject, f.Pos, f.Message)
		}
	}
	if waived > 0 {
		fmt.Fprintf(&b, "\nWAIVED (%d)\n", waived)
		for _, f := range r.Findings {
			if f.Waived {
				fmt.Fprintf(&b, "  %s %s  %s\n    waived by %s (expires: %s): %s\n", f.Rule, f.Severity, f.Subject,
					orNone(f.Waiver.Owner), expiry(f.Waiver), f.Waiver.Reason)
			}
		}
	}
	if len(fired) > 0 {
		b.WriteString("\nHow to fix\n")
		for _, rule := range r.Rules {
			if fired[rule.ID] {
				fmt.Fprintf(&b, "  %s %s: %s\n    %s\n", rule.ID, rule.Name, rule.Title, rule.Remediation)
			}
		}
	}
	if r.Failing() == 0 {
		b.WriteString("\nno findings that are not waived\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func expiry(wv *sim.Waiver) string {
	if wv.Expires.IsZero() {
		return "no expiry"
	}
	return wv.Expires.Format("2006-01-02")
}

// CheckSchemaVersion is the schema_version of the check report's JSON.
const CheckSchemaVersion = 1

// The check report's JSON. Struct fields fix the key order.
type jsonCheck struct {
	SchemaVersion    int              `json:"schema_version"`
	PipeshareVersion string           `json:"pipeshare_version"`
	Scenario         string           `json:"scenario"`
	File             string           `json:"file"`
	At               string           `json:"at"`
	MinSeverity      string           `json:"min_severity"`
	Summary          jsonCheckSummary `json:"summary"`
	Rules            []jsonRule       `json:"rules"`
	Findings         []jsonFinding    `json:"findings"`
}

type jsonCheckSummary struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Notes    int `json:"notes"`
	Waived   int `json:"waived"`
	Failing  int `json:"failing"`
}

type jsonRule struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Severity    string `json:"severity"`
	Title       string `json:"title"`
	Remediation string `json:"remediation"`
}

type jsonFinding struct {
	Rule     string         `json:"rule"`
	Severity string         `json:"severity"`
	Subject  string         `json:"subject"`
	Message  string         `json:"message"`
	Location jsonLocation   `json:"location"`
	Waived   bool           `json:"waived"`
	Waiver   *jsonWaiverRef `json:"waiver,omitempty"`
}

type jsonLocation struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

type jsonWaiverRef struct {
	Reason   string       `json:"reason"`
	Owner    string       `json:"owner"`
	Expires  string       `json:"expires"`
	Location jsonLocation `json:"location"`
}

func location(p model.Pos) jsonLocation {
	return jsonLocation{File: p.File, Line: p.Line, Column: p.Col}
}

// writeJSON writes the report as JSON (stable keys, schema_version 1).
func (r *CheckReport) writeJSON(w io.Writer) error {
	bySev, waived := r.counts()
	out := jsonCheck{SchemaVersion: CheckSchemaVersion, PipeshareVersion: r.Version, Scenario: r.Scenario, File: r.File,
		At: r.At, MinSeverity: r.MinSeverity.String(),
		Summary: jsonCheckSummary{Errors: bySev[SeverityError], Warnings: bySev[SeverityWarning],
			Notes: bySev[SeverityNote], Waived: waived, Failing: r.Failing()},
		Rules: []jsonRule{}, Findings: []jsonFinding{}}
	for _, rule := range r.Rules {
		out.Rules = append(out.Rules, jsonRule{rule.ID, rule.Name, rule.Severity.String(), rule.Title, rule.Remediation})
	}
	for _, f := range r.Findings {
		jf := jsonFinding{Rule: f.Rule, Severity: f.Severity.String(), Subject: f.Subject, Message: f.Message,
			Location: location(f.Pos), Waived: f.Waived}
		if f.Waiver != nil {
			exp := ""
			if !f.Waiver.Expires.IsZero() {
				exp = f.Waiver.Expires.Format("2006-01-02")
			}
			jf.Waiver = &jsonWaiverRef{Reason: f.Waiver.Reason, Owner: f.Waiver.Owner, Expires: exp,
				Location: location(f.Waiver.Pos)}
		}
		out.Findings = append(out.Findings, jf)
	}
	return writeIndentedJSON(w, out)
}

// writeMarkdown writes the report as Markdown, for a pull request: the
// --fail-on results, the headline (when r has a Summary), the counts,
// the findings grouped by severity, each rule with how to fix it, the
// waived findings and the rules evaluated. Long tables fold into <details>
// and the whole is at most [MaxMarkdown] bytes (see writeMDBlocks).
func (r *CheckReport) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	ew := &errWriter{w: &b}
	bySev, waived := r.counts()
	ew.printf("# pipeshare check: %s\n", mdEscape(r.Scenario))
	writePoliciesMD(ew, r.Policies, r.Baseline)
	if lines, ok := r.headline(); ok {
		writeHeadlineMD(ew, lines)
	}
	ew.printf("\nAt the end of the run (%s), findings at or above **%s**: %s.\n", r.At, r.MinSeverity, findingCounts(bySev, waived))
	blocks := []mdBlock{{text: b.String()}}
	rest := "`--format json` or sarif"
	if r.Failing() > 0 {
		blocks = append(blocks, mdText("\n## Findings\n"))
		for _, t := range findingTables(r.Findings, -1, rest) {
			blocks = append(blocks, mdTableBlock(t, 3))
		}
	} else {
		blocks = append(blocks, mdText("\nNo findings that are not waived.\n"))
	}
	if waived > 0 {
		t := docTable{Title: "Waived: " + nouns(waived, "finding", "findings"),
			Header: []string{"Rule", "Severity", "Subject", "Waived by", "Expires", "Reason"}, Num: numCols(6)}
		for _, f := range r.Findings {
			if f.Waived {
				t.Rows = append(t.Rows, []string{f.Rule, f.Severity.String(), f.Subject, orNone(f.Waiver.Owner),
					expiry(f.Waiver), f.Waiver.Reason})
			}
		}
		blocks = append(blocks, mdTableBlock(t, 2))
	}
	rules := docTable{Title: "Rules", Header: []string{"Rule", "Severity", "What it means", "How to fix"}, Num: numCols(4)}
	for _, rule := range r.Rules {
		rules.Rows = append(rules.Rows, []string{rule.ID + " " + rule.Name, rule.Severity.String(), rule.Title, rule.Remediation})
	}
	blocks = append(blocks, mdTableBlock(rules, 2))
	return writeMDBlocks(w, blocks, rest)
}
