package report

import (
	"cmp"
	"fmt"
	"io"
	"strings"

	"github.com/pipeshare/pipeshare/model"
)

// DiffSchemaVersion is the version of the diff JSON (a Diff in json).
const DiffSchemaVersion = 1

// Diff compares two runs of what-if scenarios A and B made with the same
// seed (common random numbers: the workload streams are keyed by workload
// entry and caller, so matching entries draw the same arrivals, targets and
// actions). It is computed once by [CompareSummaries]; it is a [View] in
// text, json, md, html and csv.
type Diff struct {
	A, B    Meta
	Version string // the pipeshare version
	Seed    uint64 // the seed both runs used
	// DurationA and DurationB are the simulated horizons.
	DurationA, DurationB model.Time
	// Decisions lists the (caller, action, reason) counts that differ,
	// sorted by account, principal, action name and reason code order.
	Decisions []DecisionDelta
	// Calls compares the totals: total, allowed, denied, failed, then
	// every reason code with calls in A or B, in reason code order.
	Calls []CountDelta
	// Executions compares the execution transitions, the states at the end
	// and the step counters, in a fixed order.
	Executions []CountDelta
	// Cost lists the initiator cost rows (the keys of [InitiatorCost]) of A
	// and B whose USD or instance time differ, sorted like
	// [Cost.ByInitiator]; a row missing on one side counts as 0 there.
	Cost []CostDelta
	// TotalA and TotalB are the owner cost totals.
	TotalA, TotalB Amount
	// Policies are the --fail-on results ([Diff.ApplyPolicies]).
	Policies []PolicyResult
	// a and b are the summaries compared, for the headline of the reports
	// for people and the policies; their Findings are set by the caller.
	a, b *Summary
}

// DecisionDelta is one caller's calls of one action under one final
// reason, in A and in B.
type DecisionDelta struct {
	Account     model.AccountID
	AccountName string // A's name, else B's; "" when unnamed
	Principal   string
	Action      model.Action
	Reason      model.Reason
	A, B        int64
}

// CountDelta is a named count in A and in B. Name is the JSON key.
type CountDelta struct {
	Name string
	A, B int64
}

// CostDelta is one initiator cost row in A and in B.
type CostDelta struct {
	Key  InitiatorCost // the row's keys; its Amount is unused
	A, B Amount
}

// Identical reports whether A and B have the same counts and costs.
func (d *Diff) Identical() bool {
	if len(d.Decisions) > 0 || len(d.Cost) > 0 || !sameAmount(&d.TotalA, &d.TotalB) {
		return false
	}
	for _, cs := range [][]CountDelta{d.Calls, d.Executions} {
		for _, c := range cs {
			if c.A != c.B {
				return false
			}
		}
	}
	return true
}

// sameAmount compares two amounts as they are printed: instance time
// exactly, USD to 4 decimals.
func sameAmount(a, b *Amount) bool {
	return a.InstanceNs == b.InstanceNs && money(a.USD) == money(b.USD) &&
		a.InFlightNs == b.InFlightNs && money(a.InFlightUSD) == money(b.InFlightUSD)
}

// CompareSummaries compares the summaries of A's and B's runs. It keeps
// a and b for the headline of the reports for people and for
// [Diff.ApplyPolicies], which read their Findings (check's, set by the
// caller; nil when not evaluated) and ask their worlds who has access.
func CompareSummaries(a, b *Summary) *Diff {
	d := &Diff{A: a.Meta, B: b.Meta, Version: a.Version, Seed: a.Seed, a: a, b: b,
		DurationA: a.Duration, DurationB: b.Duration, TotalA: a.Cost.Amount, TotalB: b.Cost.Amount}
	d.Decisions = diffDecisions(a.Callers, b.Callers)

	d.Calls = []CountDelta{
		{"total", a.Calls.Total, b.Calls.Total},
		{"allowed", a.Calls.Allowed, b.Calls.Allowed},
		{"denied", a.Calls.Denied, b.Calls.Denied},
		{"failed", a.Calls.Failed, b.Calls.Failed},
	}
	for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
		if na, nb := a.Calls.ByReason[r], b.Calls.ByReason[r]; na != 0 || nb != 0 {
			d.Calls = append(d.Calls, CountDelta{r.String(), na, nb})
		}
	}

	ea, eb, sa, sb := &a.Executions, &b.Executions, &a.Steps, &b.Steps
	d.Executions = []CountDelta{
		{"started", ea.Started, eb.Started},
		{"succeeded", ea.Succeeded, eb.Succeeded},
		{"failed", ea.Failed, eb.Failed},
		{"stopped", ea.Stopped, eb.Stopped},
		{"retried", ea.Retried, eb.Retried},
		{"timed_out", ea.TimedOut, eb.TimedOut},
		{"failed_at_end", ea.FailedAtEnd, eb.FailedAtEnd},
		{"waiting_at_end", ea.WaitingAtEnd, eb.WaitingAtEnd},
		{"running_at_end", ea.RunningAtEnd, eb.RunningAtEnd},
		{"steps_granted", sa.Granted, sb.Granted},
		{"steps_completed", sa.Completed, sb.Completed},
		{"resource_limit", sa.ResourceLimit, sb.ResourceLimit},
	}

	d.Cost = diffCost(a.Cost.ByInitiator, b.Cost.ByInitiator)
	return d
}

// diffDecisions merges two caller lists (each sorted by account then
// principal) and returns the (caller, action, reason) counts that differ.
func diffDecisions(a, b []Caller) []DecisionDelta {
	var out []DecisionDelta
	var zero Calls
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var ca, cb *Caller
		switch {
		case j == len(b):
			ca = &a[i]
		case i == len(a):
			cb = &b[j]
		default:
			switch cmp.Or(strings.Compare(string(a[i].Account), string(b[j].Account)),
				strings.Compare(a[i].Principal, b[j].Principal)) {
			case -1:
				ca = &a[i]
			case 1:
				cb = &b[j]
			default:
				ca, cb = &a[i], &b[j]
			}
		}
		key, callsA, callsB := ca, &zero, &zero
		if ca != nil {
			callsA = &ca.Calls
			i++
		}
		if cb != nil {
			callsB = &cb.Calls
			j++
			if key == nil || key.AccountName == "" {
				key = cb
			}
		}
		for _, act := range actionsByName {
			ra, rb := &callsA.ByAction[act], &callsB.ByAction[act]
			for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
				if ra[r] != rb[r] {
					out = append(out, DecisionDelta{Account: key.Account, AccountName: key.AccountName,
						Principal: key.Principal, Action: act, Reason: r, A: ra[r], B: rb[r]})
				}
			}
		}
	}
	return out
}

// diffCost merges two sorted initiator lists and returns the rows that
// differ.
func diffCost(a, b []InitiatorCost) []CostDelta {
	var out []CostDelta
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var row CostDelta
		switch {
		case j == len(b) || (i < len(a) && compareInitiators(a[i], b[j]) < 0):
			row = CostDelta{Key: a[i], A: a[i].Amount}
			i++
		case i == len(a) || compareInitiators(a[i], b[j]) > 0:
			row = CostDelta{Key: b[j], B: b[j].Amount}
			j++
		default:
			row = CostDelta{Key: a[i], A: a[i].Amount, B: b[j].Amount}
			if row.Key.AccountName == "" {
				row.Key.AccountName = b[j].AccountName
			}
			i++
			j++
		}
		row.Key.Amount = Amount{}
		if !sameAmount(&row.A, &row.B) {
			out = append(out, row)
		}
	}
	return out
}

// signed formats a count difference with its sign ("+3", "-2", "0").
func signed(n int64) string {
	if n > 0 {
		return "+" + itoa(n)
	}
	return itoa(n)
}

// diffScenario names one side: its scenario, its file and hash, and its
// --set overrides.
func diffScenario(m Meta) string {
	var facts []string
	if m.File != "" {
		facts = append(facts, m.File)
	}
	if m.ScenarioSHA256 != "" {
		facts = append(facts, "sha256 "+shortHash(m.ScenarioSHA256))
	}
	s := orDash(m.Scenario)
	if len(facts) > 0 {
		s += " (" + strings.Join(facts, ", ") + ")"
	}
	for _, set := range m.Sets {
		s += " --set " + set
	}
	return s
}

// diffVerdict is the one-line result.
func (d *Diff) verdict() string {
	if d.Identical() {
		return "identical"
	}
	return fmt.Sprintf("different: %d decision rows, %d cost rows", len(d.Decisions), len(d.Cost))
}

// writeText writes d for a terminal: the headline (see [Diff.headline]),
// the --fail-on results, a header (the two scenarios, the seed, the simulated horizons and the verdict), the changed decisions
// (every (caller, action, reason) whose calls differ, with A, B and the
// difference B − A), the calls by outcome and reason, the executions and
// steps, and the owner cost by initiator (the rows that differ) with the
// totals. Sections with nothing to show say "(no differences)".
func (d *Diff) writeText(w io.Writer) error {
	ew := &errWriter{w: w}
	if d.a != nil {
		writeHeadlineText(ew, "Headline (a → b)", d.headline())
	}
	writePoliciesText(ew, d.Policies, nil)
	ew.printf("a          %s\n", diffScenario(d.A))
	ew.printf("b          %s\n", diffScenario(d.B))
	ew.printf("seed       %d\n", d.Seed)
	if d.DurationA == d.DurationB {
		ew.printf("simulated  %s\n", d.DurationA)
	} else {
		ew.printf("simulated  a %s, b %s\n", d.DurationA, d.DurationB)
	}
	ew.printf("result     %s\n", d.verdict())

	ew.printf("\nChanged decisions (calls by caller, action and final reason)\n")
	if len(d.Decisions) == 0 {
		ew.printf("  (no differences)\n")
	} else {
		t := newTable("ACCOUNT", "NAME", "PRINCIPAL", "ACTION", "REASON", "A", "B", "DELTA").num(5, 6, 7)
		for _, r := range d.Decisions {
			t.add(string(r.Account), orDash(r.AccountName), r.Principal, r.Action.Name(), r.Reason.String(),
				itoa(r.A), itoa(r.B), signed(r.B-r.A))
		}
		t.write(ew, "  ")
	}

	ew.printf("\nCalls\n")
	t := newTable("OUTCOME/REASON", "A", "B", "DELTA").num(1, 2, 3)
	for _, c := range d.Calls {
		t.add(c.Name, itoa(c.A), itoa(c.B), signed(c.B-c.A))
	}
	t.write(ew, "  ")

	ew.printf("\nExecutions and steps\n")
	t = newTable("COUNT", "A", "B", "DELTA").num(1, 2, 3)
	for _, c := range d.Executions {
		t.add(c.Name, itoa(c.A), itoa(c.B), signed(c.B-c.A))
	}
	t.write(ew, "  ")

	ew.printf("\nOwner cost by initiator\n")
	t = newTable("PAYER", "ACCOUNT", "NAME", "PRINCIPAL", "PIPELINE", "SHARE", "INSTANCE TYPE",
		"A", "B", "DELTA").num(7, 8, 9)
	for _, r := range d.Cost {
		t.add(string(r.Key.Payer), string(r.Key.Account), orDash(r.Key.AccountName), r.Key.Principal,
			r.Key.Pipeline, diffShare(&r.Key), r.Key.InstanceType, dollars(r.A.USD), dollars(r.B.USD),
			signedDollars(r.B.USD-r.A.USD))
	}
	t.add("total", "", "", "", "", "", "", dollars(d.TotalA.USD), dollars(d.TotalB.USD),
		signedDollars(d.TotalB.USD-d.TotalA.USD))
	t.write(ew, "  ")
	return ew.err
}

func diffShare(k *InitiatorCost) string {
	if k.Own {
		return "(owner)"
	}
	return k.Share
}

// The diff JSON. Struct fields fix the key order.
type jsonDiff struct {
	SchemaVersion    int                  `json:"schema_version"`
	PipeshareVersion string               `json:"pipeshare_version"`
	A                jsonDiffSide         `json:"a"`
	B                jsonDiffSide         `json:"b"`
	Seed             uint64               `json:"seed"`
	Identical        bool                 `json:"identical"`
	Decisions        []jsonDecisionDelta  `json:"decisions"`
	Calls            map[string]jsonDelta `json:"calls"`
	Executions       map[string]jsonDelta `json:"executions"`
	Cost             jsonCostDiff         `json:"cost"`
}

type jsonDiffSide struct {
	Scenario       string  `json:"scenario"`
	ScenarioSHA256 string  `json:"scenario_sha256"`
	DurationS      float64 `json:"duration_s"`
}

type jsonDecisionDelta struct {
	Account   string `json:"account"`
	Principal string `json:"principal"`
	Action    string `json:"action"`
	Reason    string `json:"reason"`
	A         int64  `json:"a"`
	B         int64  `json:"b"`
	Delta     int64  `json:"delta"`
}

type jsonDelta struct {
	A     int64 `json:"a"`
	B     int64 `json:"b"`
	Delta int64 `json:"delta"`
}

type jsonUSDDelta struct {
	A     usd `json:"a"`
	B     usd `json:"b"`
	Delta usd `json:"delta"`
}

type jsonCostDiff struct {
	TotalUSD    jsonUSDDelta         `json:"total_usd"`
	ByInitiator []jsonInitiatorDelta `json:"by_initiator"`
}

type jsonInitiatorDelta struct {
	Payer        string       `json:"payer"`
	Account      string       `json:"account"`
	Principal    string       `json:"principal"`
	Pipeline     string       `json:"pipeline"`
	Share        *string      `json:"share"` // null for the owner's own calls
	InstanceType string       `json:"instance_type"`
	USD          jsonUSDDelta `json:"usd"`
}

// writeJSON writes d as JSON: schema_version ([DiffSchemaVersion]),
// pipeshare_version, a and b {scenario, scenario_sha256, duration_s},
// seed, identical, decisions [{account, principal, action, reason, a, b,
// delta}] (only the rows that differ, sorted as [Diff] says), calls
// {total|allowed|denied|failed|CODE: {a, b, delta}} (codes with calls in A
// or B), executions {started, succeeded, failed, stopped, retried,
// timed_out, failed_at_end, waiting_at_end, running_at_end, steps_granted,
// steps_completed, resource_limit: {a, b, delta}} and cost {total_usd {a,
// b, delta}, by_initiator [{payer, account, principal, pipeline, share,
// instance_type, usd {a, b, delta}}]} (only rows that differ; share null
// for the owner's own calls). delta is always b − a; USD has 4 decimals.
// Lists are [] when empty.
func (d *Diff) writeJSON(w io.Writer) error {
	out := jsonDiff{
		SchemaVersion:    DiffSchemaVersion,
		PipeshareVersion: d.Version,
		A:                jsonDiffSide{d.A.Scenario, d.A.ScenarioSHA256, float64(d.DurationA) / 1e9},
		B:                jsonDiffSide{d.B.Scenario, d.B.ScenarioSHA256, float64(d.DurationB) / 1e9},
		Seed:             d.Seed,
		Identical:        d.Identical(),
		Decisions:        []jsonDecisionDelta{},
		Calls:            map[string]jsonDelta{},
		Executions:       map[string]jsonDelta{},
		Cost: jsonCostDiff{
			TotalUSD:    usdDelta(d.TotalA.USD, d.TotalB.USD),
			ByInitiator: []jsonInitiatorDelta{},
		},
	}
	for _, r := range d.Decisions {
		out.Decisions = append(out.Decisions, jsonDecisionDelta{string(r.Account), r.Principal,
			r.Action.Name(), r.Reason.String(), r.A, r.B, r.B - r.A})
	}
	for _, c := range d.Calls {
		out.Calls[c.Name] = jsonDelta{c.A, c.B, c.B - c.A}
	}
	for _, c := range d.Executions {
		out.Executions[c.Name] = jsonDelta{c.A, c.B, c.B - c.A}
	}
	for _, r := range d.Cost {
		row := jsonInitiatorDelta{Payer: string(r.Key.Payer), Account: string(r.Key.Account),
			Principal: r.Key.Principal, Pipeline: r.Key.Pipeline, InstanceType: r.Key.InstanceType,
			USD: usdDelta(r.A.USD, r.B.USD)}
		if !r.Key.Own {
			share := r.Key.Share
			row.Share = &share
		}
		out.Cost.ByInitiator = append(out.Cost.ByInitiator, row)
	}
	return writeIndentedJSON(w, out)
}

func usdDelta(a, b float64) jsonUSDDelta { return jsonUSDDelta{usd(a), usd(b), usd(b - a)} }

// writeMarkdown writes d as GitHub-flavoured Markdown, for a pull request:
// a title naming both sides, the --fail-on results, the headline (the
// owner cost a → b and its delta first), the two sides (scenario, file and
// every --set), then the sections of the text money first: the owner cost by
// initiator, the calls, the executions and steps, and the changed
// decisions. Long tables fold into <details> and the whole is at most
// [MaxMarkdown] bytes (see writeMDBlocks); every user-supplied string is
// escaped.
func (d *Diff) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	ew := &errWriter{w: &b}
	title := mdEscape(orDash(d.A.Scenario)) + " → " + mdEscape(orDash(d.B.Scenario))
	if len(d.B.Sets) > 0 {
		title += " with " + nouns(len(d.B.Sets), "--set", "--sets")
	}
	ew.printf("## pipeshare diff: %s\n", title)
	writePoliciesMD(ew, d.Policies, nil)
	if d.a != nil {
		writeHeadlineMD(ew, d.headline())
	} else {
		ew.printf("\n**Owner cost: %s → %s over the run (%s).**\n", dollars(d.TotalA.USD), dollars(d.TotalB.USD),
			costDelta(d.TotalA.USD, d.TotalB.USD))
	}
	ew.printf("\n")
	for _, side := range []struct {
		name string
		m    Meta
	}{{"a", d.A}, {"b", d.B}} {
		m := side.m
		ew.printf("- **%s**: %s", side.name, mdEscape(orDash(m.Scenario)))
		if m.File != "" {
			ew.printf(" (`%s`)", strings.ReplaceAll(m.File, "`", "'"))
		}
		for _, set := range m.Sets {
			ew.printf(" `--set %s`", strings.ReplaceAll(set, "`", "'"))
		}
		ew.printf("\n")
	}
	ew.printf("- **seed** %d; result: **%s**\n", d.Seed, d.verdict())
	blocks := []mdBlock{{text: b.String()}}

	tables, decisions := d.docTables()
	for _, t := range tables {
		blocks = append(blocks, mdTableBlock(t, 3))
	}
	if decisions == nil {
		blocks = append(blocks, mdText("\n### Changed decisions\n\nNo differences.\n"))
	} else {
		blocks = append(blocks, mdTableBlock(*decisions, 3))
	}
	return writeMDBlocks(w, blocks, "`--format json`")
}

// docTables are the tables of the Markdown and HTML diffs, money first:
// the owner cost by initiator (the rows that differ, then the totals), the
// calls, the executions and steps, then the changed decisions, nil when
// none changed.
func (d *Diff) docTables() (tables []docTable, decisions *docTable) {
	t := docTable{Title: "Owner cost by initiator", Header: []string{"Payer", "Account", "Name", "Principal", "Pipeline", "Share",
		"Instance type", "A", "B", "Δ"}, Num: numCols(10, 7, 8, 9)}
	for _, r := range d.Cost {
		t.Rows = append(t.Rows, []string{string(r.Key.Payer), string(r.Key.Account), orDash(r.Key.AccountName), r.Key.Principal,
			r.Key.Pipeline, diffShare(&r.Key), r.Key.InstanceType, dollars(r.A.USD), dollars(r.B.USD),
			signedDollars(r.B.USD - r.A.USD)})
	}
	t.Total = []string{"total", "", "", "", "", "", "", dollars(d.TotalA.USD), dollars(d.TotalB.USD),
		signedDollars(d.TotalB.USD - d.TotalA.USD)}
	tables = append(tables, t)
	for _, sec := range []struct {
		title string
		rows  []CountDelta
	}{{"Calls", d.Calls}, {"Executions and steps", d.Executions}} {
		t := docTable{Title: sec.title, Header: []string{"", "A", "B", "Δ"}, Num: numCols(4, 1, 2, 3)}
		for _, c := range sec.rows {
			t.Rows = append(t.Rows, []string{c.Name, itoa(c.A), itoa(c.B), signed(c.B - c.A)})
		}
		tables = append(tables, t)
	}
	if len(d.Decisions) > 0 {
		decisions = &docTable{Title: "Changed decisions", Header: []string{"Account", "Name", "Principal", "Action", "Reason", "A", "B", "Δ"},
			Num: numCols(8, 5, 6, 7)}
		for _, r := range d.Decisions {
			decisions.Rows = append(decisions.Rows, []string{string(r.Account), orDash(r.AccountName), r.Principal, r.Action.Name(),
				r.Reason.String(), itoa(r.A), itoa(r.B), signed(r.B - r.A)})
		}
	}
	return tables, decisions
}
