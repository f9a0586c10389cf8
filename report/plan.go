package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim/plan"
)

// PlanSchemaVersion is the version of pipeshare plan's JSON (a [Plan] in
// json). It changes only when a promised key changes meaning or goes.
const PlanSchemaVersion = 1

// planMonth is the month of the plan's monthly metrics: 30 days.
const planMonth = 30 * 24 * time.Hour

// PlanValues computes one replica's plan metrics (plan.Metrics) from what
// run and check report: its summary s and its check report c (every rule,
// every severity, no waivers).
func PlanValues(s *Summary, c *CheckReport) plan.Values {
	var v plan.Values
	month := 0.0
	if s.Duration > 0 {
		month = float64(planMonth) / float64(s.Duration)
	}
	share := func(n, total int64) float64 {
		if total == 0 {
			return 0
		}
		return float64(n) / float64(total)
	}
	v[plan.OwnerCostUSD] = s.Cost.USD
	v[plan.OwnerCostUSDMonth] = s.Cost.USD * month
	for _, ic := range s.Cost.ByInitiator {
		if ic.Account != ic.Payer {
			v[plan.OtherAccountsCostUSDMonth] += ic.USD
		}
	}
	v[plan.OtherAccountsCostUSDMonth] *= month
	v[plan.BlockedCalls] = float64(s.Calls.Denied)
	v[plan.BlockedCallShare] = share(s.Calls.Denied, s.Calls.Total)
	starts := &s.Calls.ByAction[model.StartPipelineExecution]
	v[plan.BlockedStarts] = float64(starts.Denied())
	v[plan.BlockedStartShare] = share(starts.Denied(), starts.Total())
	v[plan.CapacityFailedExecutions] = float64(s.Executions.FailedCapacity)
	v[plan.WaitMeanS] = s.Steps.MeanWait / 1e9
	v[plan.WaitP95S] = s.Steps.P95Wait / 1e9
	v[plan.GrantedUnused] = float64(c.GrantedUnused)
	v[plan.ExternalPrincipals] = float64(c.ExternalPrincipals)
	for _, f := range c.Findings {
		if f.Waived {
			continue
		}
		for _, at := range []struct {
			m   plan.Metric
			sev Severity
		}{{plan.FindingsNote, SeverityNote}, {plan.FindingsWarning, SeverityWarning}, {plan.FindingsError, SeverityError}} {
			if f.Severity >= at.sev {
				v[at.m]++
			}
		}
		if f.Rule == RuleBudgetExceeded {
			v[plan.BudgetRulesBroken]++
		}
	}
	return v
}

// Plan is the report of pipeshare plan: a [plan.Result] with what names
// its inputs. It is a [View] in text, json, csv, md and html.
type Plan struct {
	Meta                          // the scenario's
	SpaceFile, SpaceSHA256 string // the space file as positions name it, and its hash
	Seed                   uint64 // the master seed: replica i of every point runs with sim.ReplicaSeed(Seed, i)
	*plan.Result
}

var planFormats = formats[*Plan]{
	{"text", (*Plan).writeText}, {"json", (*Plan).writeJSON}, {"csv", (*Plan).writeCSV},
	{"md", (*Plan).writeMarkdown}, {"html", (*Plan).writeHTML},
}

func (*Plan) Formats() []string { return planFormats.names() }

func (r *Plan) Render(w io.Writer, format string) error { return planFormats.render(r, w, format) }

// metricText formats a value of metric m for people: "$1,234.56",
// "4.1%", "12.5", "3m 20s".
func metricText(m plan.Metric, v float64) string {
	switch plan.Metrics[m].Unit {
	case plan.UnitUSD, plan.UnitUSDMonth:
		return dollars(v)
	case plan.UnitShare:
		return strconv.FormatFloat(100*v, 'f', 1, 64) + "%"
	case plan.UnitSeconds:
		if v == 0 {
			return "0s"
		}
		return durationText(v * 1e9)
	}
	return digits(v, 1)
}

// boundText formats a constraint's bound on metric m for people, as
// exactly as the space file writes it, in the metric's unit: "$2,500",
// "$0.50", "5%", "600s", "1,000".
func boundText(m plan.Metric, v float64) string {
	unit := plan.Metrics[m].Unit
	if unit == plan.UnitShare {
		v *= 100
	}
	// 12 significant digits keep what people write and drop the binary
	// noise of the percentage (0.07 × 100 is 7.000000000000001).
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	prec := 0
	if _, frac, ok := strings.Cut(strconv.FormatFloat(v, 'f', -1, 64), "."); ok {
		prec = len(frac)
	}
	switch unit {
	case plan.UnitUSD, plan.UnitUSDMonth:
		if prec > 0 {
			prec = max(prec, 2)
		}
		if v < 0 {
			return "-$" + digits(-v, prec)
		}
		return "$" + digits(v, prec)
	case plan.UnitShare:
		return digits(v, prec) + "%"
	case plan.UnitSeconds:
		return digits(v, prec) + "s"
	}
	return digits(v, prec)
}

// constraintText is constraint c for people: its statistic in words with
// its unit, its bounds in that unit ("blocked Starts (% of Starts) ≤ 5%").
// JSON and CSV keep the space file's names and numbers (c.String()).
func constraintText(c *plan.Constraint) string {
	return c.Describe(plan.Words(c.Metric, c.Stat), func(v float64) string { return boundText(c.Metric, v) })
}

// objectiveText is objective o for people: "minimize owner cost
// ($/month), p95".
func objectiveText(o *plan.Objective) string { return o.Goal() + " " + plan.Words(o.Metric, o.Stat) }

// statValue returns point i's value of metric m's statistic s.
func (r *Plan) statValue(i int, m plan.Metric, s plan.Stat) float64 {
	return s.Of(&r.Points[i].Metrics[m])
}

// shownStat is a statistic the reports for people show: each objective's,
// then each constraint's not shown yet.
type shownStat struct {
	metric plan.Metric
	stat   plan.Stat
}

func (st shownStat) label() string { return plan.Column(st.metric, st.stat) }

func (r *Plan) shownStats() []shownStat {
	var out []shownStat
	add := func(m plan.Metric, s plan.Stat) {
		if st := (shownStat{m, s}); !slices.Contains(out, st) {
			out = append(out, st)
		}
	}
	for _, o := range r.Result.Space.Objectives {
		add(o.Metric, o.Stat)
	}
	for _, c := range r.Result.Space.Constraints {
		add(c.Metric, c.Stat)
	}
	return out
}

// pointName is "#i".
func pointName(i int) string { return "#" + strconv.Itoa(i) }

// pointWords describes point i's values: "a=x, b=y".
func (r *Plan) pointWords(i int) string {
	var parts []string
	for a := range r.Result.Space.Axes {
		ax := &r.Result.Space.Axes[a]
		parts = append(parts, ax.Name+"="+ax.Label(r.Points[i].Point[a]))
	}
	return strings.Join(parts, ", ")
}

// status is point i's feasibility in words: "feasible", "breaks X; Y".
func (r *Plan) status(i int) string {
	pr := &r.Points[i]
	if pr.Feasible {
		return "feasible"
	}
	var parts []string
	for _, c := range pr.Broken {
		parts = append(parts, constraintText(&r.Result.Space.Constraints[c]))
	}
	return "breaks " + strings.Join(parts, "; ")
}

// Recommendation says in plain words what to change from the baseline
// (point 0) and what it changes in the numbers the objectives and
// constraints look at; or, when no point is feasible, which constraint
// blocks most points and the closest point.
func (r *Plan) Recommendation() string {
	if r.Recommended < 0 {
		worst := 0
		for c, n := range r.Blocking {
			if n > r.Blocking[worst] {
				worst = c
			}
		}
		var broken []string
		for _, c := range r.Points[r.Closest].Broken {
			con := &r.Result.Space.Constraints[c]
			broken = append(broken, fmt.Sprintf("%s (it has %s)", constraintText(con),
				metricText(con.Metric, r.statValue(r.Closest, con.Metric, con.Stat))))
		}
		return fmt.Sprintf("No point is feasible. %s blocks most points (%d of %d). The closest is point %s (%s): it breaks %s.",
			upperFirst(constraintText(&r.Result.Space.Constraints[worst])), r.Blocking[worst], len(r.Points), pointName(r.Closest),
			r.pointWords(r.Closest), strings.Join(broken, "; "))
	}
	rec, base := r.Recommended, 0
	var change, keep []string
	for a := range r.Result.Space.Axes {
		ax := &r.Result.Space.Axes[a]
		v, b := r.Points[rec].Point[a], r.Points[base].Point[a]
		if v != b {
			change = append(change, fmt.Sprintf("set %s to %s (was %s)", ax.Name, ax.Label(v), ax.Label(b)))
		} else {
			keep = append(keep, ax.Name+" "+ax.Label(v))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Point %s. ", pointName(rec))
	switch {
	case len(change) == 0:
		b.WriteString("Keep the scenario as written")
	default:
		b.WriteString(upperFirst(strings.Join(change, "; ")))
		if len(keep) > 0 {
			b.WriteString("; keep " + strings.Join(keep, ", "))
		}
	}
	var effects []string
	for _, st := range r.shownStats() {
		from, to := r.statValue(base, st.metric, st.stat), r.statValue(rec, st.metric, st.stat)
		e := fmt.Sprintf("%s %s → %s", plan.Words(st.metric, st.stat), metricText(st.metric, from), metricText(st.metric, to))
		if rec != base {
			switch plan.Metrics[st.metric].Unit {
			case plan.UnitUSD:
				e += " (" + signedDollars(to-from) + ")"
			case plan.UnitUSDMonth:
				e += " (" + signedDollars(to-from) + "/month)"
			}
		}
		effects = append(effects, e)
	}
	b.WriteString(". Against the scenario as written: " + strings.Join(effects, "; ") + ".")
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// headerLines are the plan report's opening facts, as in the text.
func (r *Plan) headerLines() [][2]string {
	scenario := orDash(r.Scenario)
	if r.ScenarioSHA256 != "" {
		scenario += " (sha256 " + shortHash(r.ScenarioSHA256) + ")"
	}
	space := r.SpaceFile + " (sha256 " + shortHash(r.SpaceSHA256) + ")"
	size := r.Result.Space.Size()
	points := fmt.Sprintf("%d of the space's %d, the whole grid", len(r.Points), size)
	if !r.Grid {
		points = fmt.Sprintf("%d of the space's %d: the baseline and a Latin-hypercube sample (seed %d)", len(r.Points), size, r.Options.Seed)
	} else if int64(len(r.Points)) > size {
		points = fmt.Sprintf("%d: the whole grid of %d and the baseline", len(r.Points), size)
	}
	rungs := make([]string, len(r.Rungs))
	for i, n := range r.Rungs {
		rungs[i] = strconv.Itoa(n)
	}
	var cons, objs []string
	for i := range r.Result.Space.Constraints {
		cons = append(cons, constraintText(&r.Result.Space.Constraints[i]))
	}
	for i := range r.Result.Space.Objectives {
		objs = append(objs, objectiveText(&r.Result.Space.Objectives[i]))
	}
	if len(cons) == 0 {
		cons = []string{"none"}
	}
	return [][2]string{
		{"scenario", scenario},
		{"space", space},
		{"points", points},
		{"replicas", fmt.Sprintf("up to %d a point, by successive halving (%s): the better half of the points, and every point whose 95%% interval on the first objective overlaps the best's, go on to the next count; the baseline always does", r.Options.Replicas, strings.Join(rungs, " → "))},
		{"random numbers", fmt.Sprintf("common: replica i of every point runs with the same seed (replica 0 with %d), so the differences between points are the strategies', not chance's", r.Seed)},
		{"constraints", strings.Join(cons, "; ")},
		{"objectives", strings.Join(objs, ", then ")},
	}
}

// pointTable is a table of points: number, axis values, replicas,
// status, then the shown statistics.
func (r *Plan) pointTable(title string, idx []int, withStatus bool) docTable {
	stats := r.shownStats()
	header := []string{"#"}
	for _, a := range r.Result.Space.Axes {
		header = append(header, a.Name)
	}
	header = append(header, "Replicas")
	if withStatus {
		header = append(header, "Status")
	}
	first := len(header)
	for _, st := range stats {
		header = append(header, st.label())
	}
	num := []int{0, len(r.Result.Space.Axes) + 1}
	for k := first; k < len(header); k++ {
		num = append(num, k)
	}
	t := docTable{Title: title, Header: header, Num: numCols(len(header), num...)}
	for _, i := range idx {
		row := []string{pointName(i)}
		for a := range r.Result.Space.Axes {
			row = append(row, r.Result.Space.Axes[a].Label(r.Points[i].Point[a]))
		}
		row = append(row, strconv.Itoa(r.Points[i].Replicas))
		if withStatus {
			row = append(row, r.status(i))
		}
		for _, st := range stats {
			row = append(row, metricText(st.metric, r.statValue(i, st.metric, st.stat)))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// document lays out r as the sections of its reports for people: the
// recommendation, the Pareto frontier and every point in rank order (the
// first maxHumanRows).
func (r *Plan) document() []docSection {
	title := "Recommendation"
	if r.Recommended < 0 {
		title = "No feasible point"
	}
	secs := []docSection{{Title: "Headline", Lines: r.headline()}, {Title: title, Lines: []string{r.Recommendation()}}}
	frontier := r.pointTable("", r.Frontier, r.Recommended < 0)
	what := "feasible points"
	if r.Recommended < 0 {
		what = "points (none is feasible)"
	}
	secs = append(secs, docSection{Title: fmt.Sprintf("Pareto frontier (%d points)", len(r.Frontier)),
		Lines:  []string{fmt.Sprintf("The %s that ran all %d replicas and that no other such point beats on one objective without losing on another, best first.", what, r.Options.Replicas)},
		Tables: []docTable{frontier}})
	shown := r.Order
	all := r.pointTable("", shown[:min(len(shown), maxHumanRows)], true)
	if more := len(shown) - maxHumanRows; more > 0 {
		all.Note = fmt.Sprintf("the %d best-ranked points are shown; %d more are in --format json or csv", maxHumanRows, more)
	}
	secs = append(secs, docSection{Title: fmt.Sprintf("All points (%d)", len(r.Points)),
		Lines:  []string{"Feasible points first, by the objectives (ties by fewer changes from the baseline #0); then the infeasible ones, by how few constraints they break and by how little. A point with fewer replicas was dropped by successive halving."},
		Tables: []docTable{all}})
	return secs
}

// headline sums the plan up: how many points are feasible and on the
// frontier, what each constraint rules out, and the replicas run.
func (r *Plan) headline() []string {
	feasible, runs := 0, 0
	for i := range r.Points {
		if r.Points[i].Feasible {
			feasible++
		}
		runs += r.Points[i].Replicas
	}
	outcome := fmt.Sprintf("%d of %d points are feasible, %d on the Pareto frontier; the recommendation is %s.",
		feasible, len(r.Points), len(r.Frontier), pointName(r.Recommended))
	if r.Recommended < 0 {
		outcome = fmt.Sprintf("None of the %d points is feasible; %d are on the Pareto frontier of the infeasible ones.", len(r.Points), len(r.Frontier))
	}
	lines := []string{outcome}
	if len(r.Result.Space.Constraints) > 0 {
		var cons []string
		for c := range r.Result.Space.Constraints {
			cons = append(cons, fmt.Sprintf("%s rules out %d", constraintText(&r.Result.Space.Constraints[c]), r.Blocking[c]))
		}
		lines = append(lines, "Constraints: "+strings.Join(cons, "; ")+".")
	}
	return append(lines, fmt.Sprintf("%d runs in all, %d fewer than every point at %d replicas (successive halving).",
		runs, len(r.Points)*r.Options.Replicas-runs, r.Options.Replicas))
}

// writeText writes r for a terminal: the facts, then the sections of
// [Plan.document] as text tables.
func (r *Plan) writeText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("pipeshare plan: %s\n\n", orDash(r.Scenario))
	for _, kv := range r.headerLines() {
		ew.printf("%-15s %s\n", kv[0], kv[1])
	}
	for _, sec := range r.document() {
		ew.printf("\n%s\n", sec.Title)
		for _, l := range sec.Lines {
			ew.printf("  %s\n", l)
		}
		for _, dt := range sec.Tables {
			t := newTable(upperAll(dt.Header)...)
			for k, n := range dt.Num {
				if n {
					t.num(k)
				}
			}
			for _, row := range dt.Rows {
				t.add(row...)
			}
			t.write(ew, "  ")
			if dt.Note != "" {
				ew.printf("  (%s)\n", dt.Note)
			}
		}
	}
	return ew.err
}

func upperAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToUpper(s)
	}
	return out
}

// writeMarkdown writes r as GitHub-flavoured Markdown: a title, the facts,
// then the sections of [Plan.document], long tables folded and the whole
// at most [MaxMarkdown] bytes.
func (r *Plan) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	ew := &errWriter{w: &b}
	ew.printf("# pipeshare plan: %s\n\n", mdEscape(orDash(r.Scenario)))
	for _, kv := range r.headerLines() {
		ew.printf("- **%s**: %s\n", kv[0], mdEscape(kv[1]))
	}
	blocks := []mdBlock{{text: b.String()}}
	blocks = appendSections(blocks, r.document())
	return writeMDBlocks(w, blocks, "`--format json` or csv")
}

// The plan's JSON. Struct fields fix the key order.
type jsonPlan struct {
	SchemaVersion       int              `json:"schema_version"`
	PipeshareVersion    string           `json:"pipeshare_version"`
	Scenario            string           `json:"scenario"`
	ScenarioSHA256      string           `json:"scenario_sha256"`
	Space               string           `json:"space"`
	SpaceSHA256         string           `json:"space_sha256"`
	Seed                uint64           `json:"seed"`
	CommonRandomNumbers bool             `json:"common_random_numbers"`
	Replicas            int              `json:"replicas"`
	Rungs               []int            `json:"rungs"`
	Budget              int              `json:"budget"`
	Search              string           `json:"search"`
	SampleSeed          uint64           `json:"sample_seed"`
	SpaceSize           int64            `json:"space_size"`
	Axes                []jsonPlanAxis   `json:"axes"`
	Constraints         []jsonConstraint `json:"constraints"`
	Objectives          []jsonObjective  `json:"objectives"`
	Points              []jsonPlanPoint  `json:"points"`
	Order               []int            `json:"order"`
	Frontier            []int            `json:"frontier"`
	Recommended         *int             `json:"recommended"`
	Closest             *int             `json:"closest"`
	Recommendation      string           `json:"recommendation"`
}

type jsonPlanAxis struct {
	Name     string   `json:"name"`
	Values   []string `json:"values"`
	Baseline string   `json:"baseline"`
}

type jsonConstraint struct {
	Metric       string   `json:"metric"`
	Stat         string   `json:"stat"`
	Min          *float64 `json:"min"`
	Max          *float64 `json:"max"`
	Text         string   `json:"text"`
	PointsBroken int      `json:"points_broken"`
}

type jsonObjective struct {
	Metric string `json:"metric"`
	Stat   string `json:"stat"`
	Goal   string `json:"goal"`
}

type jsonPlanPoint struct {
	Index      int                         `json:"index"`
	Values     []string                    `json:"values"`
	Changes    int                         `json:"changes"`
	Replicas   int                         `json:"replicas"`
	DroppedAt  *int                        `json:"dropped_after_rung"`
	Feasible   bool                        `json:"feasible"`
	Broken     []int                       `json:"broken"`
	Violation  float64                     `json:"violation"`
	OnFrontier bool                        `json:"on_frontier"`
	Metrics    map[string]jsonPlanEstimate `json:"metrics"`
}

type jsonPlanEstimate struct {
	Mean   float64  `json:"mean"`
	P5     float64  `json:"p5"`
	P50    float64  `json:"p50"`
	P95    float64  `json:"p95"`
	CILow  *float64 `json:"ci_low"`
	CIHigh *float64 `json:"ci_high"`
}

func (r *Plan) writeJSON(w io.Writer) error {
	res := r.Result
	out := jsonPlan{SchemaVersion: PlanSchemaVersion, PipeshareVersion: r.Version, Scenario: r.Scenario,
		ScenarioSHA256: r.ScenarioSHA256, Space: r.SpaceFile, SpaceSHA256: r.SpaceSHA256, Seed: r.Seed,
		CommonRandomNumbers: true, Replicas: r.Options.Replicas, Rungs: r.Rungs, Budget: r.Options.Budget,
		Search: "grid", SampleSeed: r.Options.Seed, SpaceSize: res.Space.Size(), Order: r.Order,
		Frontier: r.Frontier, Recommendation: r.Recommendation()}
	if !r.Grid {
		out.Search = "latin-hypercube"
	}
	for _, a := range res.Space.Axes {
		out.Axes = append(out.Axes, jsonPlanAxis{Name: a.Name, Values: a.Values, Baseline: a.Label(a.Base)})
	}
	out.Constraints = []jsonConstraint{}
	for c, con := range res.Space.Constraints {
		jc := jsonConstraint{Metric: con.Metric.String(), Stat: con.Stat.String(), Text: con.String(), PointsBroken: r.Blocking[c]}
		if con.HasMin {
			jc.Min = &con.Min
		}
		if con.HasMax {
			jc.Max = &con.Max
		}
		out.Constraints = append(out.Constraints, jc)
	}
	for _, o := range res.Space.Objectives {
		out.Objectives = append(out.Objectives, jsonObjective{Metric: o.Metric.String(), Stat: o.Stat.String(), Goal: o.Goal()})
	}
	onFrontier := make([]bool, len(r.Points))
	for _, i := range r.Frontier {
		onFrontier[i] = true
	}
	for i := range r.Points {
		pr := &r.Points[i]
		jp := jsonPlanPoint{Index: i, Changes: pr.Changes, Replicas: pr.Replicas, Feasible: pr.Feasible,
			Broken: append([]int{}, pr.Broken...), Violation: pr.Violation, OnFrontier: onFrontier[i],
			Metrics: map[string]jsonPlanEstimate{}}
		for a := range res.Space.Axes {
			jp.Values = append(jp.Values, res.Space.Axes[a].Label(pr.Point[a]))
		}
		if pr.Dropped >= 0 {
			jp.DroppedAt = &pr.Dropped
		}
		for m := range plan.NumMetrics {
			e := &pr.Metrics[m]
			je := jsonPlanEstimate{Mean: e.Mean, P5: e.P5, P50: e.P50, P95: e.P95}
			if e.HasCI {
				je.CILow, je.CIHigh = &e.CILow, &e.CIHigh
			}
			jp.Metrics[m.String()] = je
		}
		out.Points = append(out.Points, jp)
	}
	if r.Recommended >= 0 {
		out.Recommended = &r.Recommended
	}
	if r.Closest >= 0 {
		out.Closest = &r.Closest
	}
	return writeIndentedJSON(w, out)
}

// writeCSV writes one row per point: its index, its value on each axis
// (a column per axis, named by it), changes, replicas, the rung after
// which it was dropped (empty when it was not), feasible, the constraints
// it breaks (their text, joined by "; "), on_frontier, recommended, then
// per metric its mean, p5, p50, p95, ci_low and ci_high (empty with one
// replica), in Go's shortest form, as in the JSON.
func (r *Plan) writeCSV(w io.Writer) error {
	cw := newCSVWriter(w)
	res := r.Result
	head := []string{"point"}
	for _, a := range res.Space.Axes {
		head = append(head, a.Name)
	}
	head = append(head, "changes", "replicas", "dropped_after_rung", "feasible", "broken", "on_frontier", "recommended")
	for m := range plan.NumMetrics {
		for _, s := range []string{"mean", "p5", "p50", "p95", "ci_low", "ci_high"} {
			head = append(head, m.String()+"."+s)
		}
	}
	cw.Write(head)
	onFrontier := make([]bool, len(r.Points))
	for _, i := range r.Frontier {
		onFrontier[i] = true
	}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for i := range r.Points {
		pr := &r.Points[i]
		rec := []string{strconv.Itoa(i)}
		for a := range res.Space.Axes {
			rec = append(rec, res.Space.Axes[a].Label(pr.Point[a]))
		}
		dropped := ""
		if pr.Dropped >= 0 {
			dropped = strconv.Itoa(pr.Dropped)
		}
		var broken []string
		for _, c := range pr.Broken {
			broken = append(broken, res.Space.Constraints[c].String())
		}
		rec = append(rec, strconv.Itoa(pr.Changes), strconv.Itoa(pr.Replicas), dropped, strconv.FormatBool(pr.Feasible),
			strings.Join(broken, "; "), strconv.FormatBool(onFrontier[i]), strconv.FormatBool(i == r.Recommended))
		for m := range plan.NumMetrics {
			e := &pr.Metrics[m]
			lo, hi := "", ""
			if e.HasCI {
				lo, hi = g(e.CILow), g(e.CIHigh)
			}
			rec = append(rec, g(e.Mean), g(e.P5), g(e.P50), g(e.P95), lo, hi)
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}
