package scenarios

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim/plan"
)

// This file reads the space files of pipeshare plan (docs/plan.md): the
// axes of a search over scenario variants, each value a list of --set
// overrides, and the constraints and objectives that rank the variants.

// Space is a decoded space file: the search's [plan.Space] and, for each
// value of each axis, the overrides it stands for.
type Space struct {
	File   string
	Plan   plan.Space
	SHA256 string // hex of the file's bytes
	// sets[a][v] are the overrides of value v of axis a.
	sets [][][]Set
}

// Sets returns the overrides of point p, axis by axis (none for an axis
// at -1, the scenario as written).
func (sp *Space) Sets(p plan.Point) []Set {
	var out []Set
	for a, v := range p {
		if v >= 0 {
			out = append(out, sp.sets[a][v]...)
		}
	}
	return out
}

// Limits of a space file, so that a hostile one cannot make the checks of
// its values (each a scenario decoded and compiled) run for hours.
const (
	maxAxes        = 64
	maxAxisValues  = 10_000
	maxSpaceValues = 20_000 // over all axes
)

var (
	spaceSchema      = &schema{keys: []string{"version", "kind", "axes", "constraints", "objectives"}}
	axisSchema       = &schema{keys: []string{"name", "set", "values", "choose"}}
	constraintSchema = &schema{keys: []string{"metric", "stat", "severity", "min", "max"}}
	objectiveSchema  = &schema{keys: []string{"minimize", "maximize", "stat", "severity"}}
)

// findingsMetric is the metric name that takes a severity.
const findingsMetric = "findings"

//go:embed spaces/*.yaml
var spacesFS embed.FS

// BuiltinSpace returns the embedded space file of the embedded scenario
// name (pipeshare plan NAME without --space), and whether there is one.
func BuiltinSpace(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, "/\\") {
		return nil, false
	}
	data, err := spacesFS.ReadFile(path.Join("spaces", name+".yaml"))
	return data, err == nil
}

// ParseSpace decodes space file file's data and checks it against base:
// every problem of the file (unknown keys, metrics and stats, duplicate
// axis names, an axis with no values, a constraint on a metric the
// scenario never produces) and every axis value that the scenario refuses
// (a path that names no entry, a value that fails validation or
// compilation) is reported at its position, all of them, in an
// [ErrorList]. maxInput bounds the file as LoadOptions.MaxInput does.
func ParseSpace(file string, data []byte, base *Base, maxInput int64) (*Space, error) {
	if limit := (LoadOptions{MaxInput: maxInput}).maxInput(); limit >= 0 && int64(len(data)) > limit {
		return nil, tooLarge(file, limit)
	}
	d := &spaceDecoder{decoder: decoder{file: file}, sp: &Space{File: file}}
	if len(bytes.TrimSpace(data)) == 0 {
		d.errs.Add(d.at(1, 1), "empty space file")
	} else if root := d.parseYAML(data); root != nil {
		checkDuplicates(&d.decoder, root)
		d.aliasBudget = max(100_000, 4*countNodes(root))
		d.top(root)
		if d.errs.Err() == nil {
			d.checkValues(base)
		}
	}
	d.errs.RemoveMultiples()
	if err := d.errs.Err(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	d.sp.SHA256 = hex.EncodeToString(sum[:])
	return d.sp, nil
}

type spaceDecoder struct {
	decoder
	sp *Space
	// valueNodes[a][v] is where value v of axis a is written;
	// constraintNodes[c] where constraint c names its metric.
	valueNodes      [][]*yaml.Node
	constraintNodes []*yaml.Node
}

func (d *spaceDecoder) top(root *yaml.Node) {
	o := d.mapping(root, "the space file", spaceSchema)
	if o == nil {
		return
	}
	d.required(o, "version", "kind", "axes", "objectives")
	if n := o.get("version"); n != nil {
		if s, ok := d.scalar(n, "version", "1"); ok && (s.ShortTag() != "!!int" || s.Value != "1") {
			d.errorf(s, "unsupported version %s (this pipeshare reads space files of version 1)", s.Value)
		}
	}
	if n := o.get("kind"); n != nil {
		d.enum(n, "kind", "plan")
	}
	if n := o.get("axes"); n != nil {
		items := d.list(n, "axes")
		if len(items) == 0 && d.deref(n) != nil && d.deref(n).Kind == yaml.SequenceNode {
			d.errorf(n, "axes must list at least one axis")
		}
		if len(items) > maxAxes {
			d.errorf(n, "%d axes: a space has at most %d", len(items), maxAxes)
			items = nil
		}
		names := map[string]*yaml.Node{}
		for _, item := range items {
			if ax := d.mapping(item, "axis", axisSchema); ax != nil {
				d.axis(ax, names)
			}
		}
		total := 0
		for _, a := range d.sp.Plan.Axes {
			total += len(a.Values)
		}
		if total > maxSpaceValues {
			d.errorf(n, "the axes have %d values in all: a space has at most %d", total, maxSpaceValues)
		}
	}
	if n := o.get("constraints"); n != nil {
		d.eachMapping(n, "constraints", "constraint", constraintSchema, d.constraint)
	}
	if n := o.get("objectives"); n != nil {
		items := d.list(n, "objectives")
		if len(items) == 0 && d.deref(n) != nil && d.deref(n).Kind == yaml.SequenceNode {
			d.errorf(n, "objectives must list at least one objective")
		}
		for _, item := range items {
			if ob := d.mapping(item, "objective", objectiveSchema); ob != nil {
				d.objective(ob)
			}
		}
	}
}

// axis decodes one axis; names holds the names of the axes before it.
func (d *spaceDecoder) axis(o *object, names map[string]*yaml.Node) {
	d.required(o, "name")
	var ax plan.Axis
	if n := o.get("name"); n != nil {
		ax.Name, _ = d.str(n, "axis name")
		if first, dup := names[ax.Name]; dup && ax.Name != "" {
			d.errorf(n, "axis %q again (first at %s): axis names must differ", ax.Name, d.pos(first))
		}
		names[ax.Name] = n
	}
	var sets [][]Set
	var nodes []*yaml.Node
	setN, values, choose := o.get("set"), o.get("values"), o.get("choose")
	switch {
	case setN != nil && choose != nil:
		d.errorf(o.key("choose"), "an axis has set: and values:, or choose:, not both")
		return
	case setN == nil && choose == nil:
		d.errorf(o.n, "axis %q needs set: with values:, or choose:", ax.Name)
		return
	case choose != nil && values != nil:
		d.errorf(o.key("values"), "values: goes with set:; choose: names its alternatives itself")
		return
	case setN != nil:
		path, ok := d.str(setN, "set")
		if !ok {
			return
		}
		segs, err := splitSetPath(path)
		if err != nil {
			d.errorf(setN, "set: %s: %v", path, err)
			return
		}
		if setsSeed(segs) {
			d.errorf(setN, "%s", seedAxis(ax.Name))
			return
		}
		if values == nil {
			d.errorf(o.n, "axis %q has set: but no values:", ax.Name)
			return
		}
		items := d.list(values, "values")
		if len(items) == 0 {
			if d.deref(values) != nil && d.deref(values).Kind == yaml.SequenceNode {
				d.errorf(values, "axis %q has no values", ax.Name)
			}
			return
		}
		for _, v := range items {
			if v.Kind != yaml.ScalarNode && v.Kind != yaml.SequenceNode && v.Kind != yaml.MappingNode {
				d.errorf(v, "a value must be written out, not an alias")
				continue
			}
			label := v.Value
			if v.Kind != yaml.ScalarNode {
				fv := plain(v)
				setFlow(fv)
				out, _ := yaml.Marshal(fv)
				label = strings.TrimSpace(string(out))
			}
			ax.Values = append(ax.Values, label)
			sets = append(sets, []Set{{Path: path, Value: v, File: d.file, Line: setN.Line, Col: setN.Column}})
			nodes = append(nodes, v)
		}
	default:
		m := d.mapping(choose, "choose", nil)
		if m == nil {
			return
		}
		if len(m.pairs) == 0 {
			d.errorf(choose, "axis %q has no alternatives", ax.Name)
			return
		}
		for _, p := range m.pairs {
			var alt []Set
			for _, line := range d.list(p.val, "alternative "+p.name) {
				spec, ok := d.str(line, "a --set line")
				if !ok {
					continue
				}
				col := line.Column
				if line.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
					col++
				}
				s, err := ParseSet(spec, d.file, line.Line, col)
				if err != nil {
					d.errs = append(d.errs, err.(ErrorList)...)
					continue
				}
				if segs, _ := splitSetPath(s.Path); setsSeed(segs) {
					d.errs.Add(d.at(s.Line, s.Col), seedAxis(ax.Name))
					continue
				}
				alt = append(alt, s)
			}
			ax.Values = append(ax.Values, p.name)
			sets = append(sets, alt)
			nodes = append(nodes, p.key)
		}
	}
	if len(ax.Values) > maxAxisValues {
		d.errorf(o.n, "axis %q has %d values: an axis has at most %d", ax.Name, len(ax.Values), maxAxisValues)
		return
	}
	for i, v := range ax.Values {
		if j := slices.Index(ax.Values[:i], v); j >= 0 {
			d.errorf(nodes[i], "axis %q has the value %s twice (first at %s)", ax.Name, v, d.pos(nodes[j]))
		}
	}
	d.sp.Plan.Axes = append(d.sp.Plan.Axes, ax)
	d.sp.sets = append(d.sp.sets, sets)
	d.valueNodes = append(d.valueNodes, nodes)
}

// setsSeed reports whether a set path's segments name the scenario's
// seed. A plan runs replica i of every point with the same seed, derived
// from the master seed (common random numbers), whatever the point sets,
// so an axis over the seed would run the same simulations at each value.
func setsSeed(segs []string) bool { return len(segs) == 1 && segs[0] == "seed" }

// seedAxis is the error of axis name setting the seed.
func seedAxis(name string) string {
	return fmt.Sprintf("axis %q sets seed, which a plan overrides: replica i of every point runs with the same seed (common random numbers), so each value would run the same simulations; give the plan another seed with --seed", name)
}

// setFlow writes n and its children in flow style, for labels.
func setFlow(n *yaml.Node) {
	if n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode {
		n.Style |= yaml.FlowStyle
	}
	for _, c := range n.Content {
		setFlow(c)
	}
}

// metricStat decodes a metric name (at n), its stat and its severity.
func (d *spaceDecoder) metricStat(o *object, n *yaml.Node, what string) (plan.Metric, plan.Stat, bool) {
	name, ok := d.str(n, what)
	if !ok {
		return 0, 0, false
	}
	stat := plan.StatMean
	if s := o.get("stat"); s != nil {
		v, ok := d.str(s, "stat")
		if !ok {
			return 0, 0, false
		}
		if stat, ok = plan.LookupStat(v); !ok {
			d.errorf(s, "unknown stat %q (stats: %s)", v, orList(plan.StatNames()))
			return 0, 0, false
		}
	}
	sev := o.get("severity")
	if name == findingsMetric {
		if sev == nil {
			d.errorf(n, "%s needs severity: note, warning or error (the findings at or above it)", findingsMetric)
			return 0, 0, false
		}
		level, ok := d.enum(sev, "severity", "note", "warning", "error")
		if !ok {
			return 0, 0, false
		}
		name += "_" + level
	} else if sev != nil {
		d.errorf(o.key("severity"), "severity goes with metric %s only", findingsMetric)
		return 0, 0, false
	}
	m, ok := plan.LookupMetric(name)
	if !ok {
		msg := fmt.Sprintf("unknown metric %q", name)
		if near := nearest(name, append(plan.MetricNames(), findingsMetric)); near != "" {
			msg += fmt.Sprintf(", did you mean %q?", near)
		}
		d.errorf(n, "%s (metrics: %s, %s)", msg, strings.Join(plan.MetricNames(), ", "), findingsMetric)
		return 0, 0, false
	}
	return m, stat, true
}

func (d *spaceDecoder) constraint(o *object) {
	d.required(o, "metric")
	n := o.get("metric")
	if n == nil {
		return
	}
	m, stat, ok := d.metricStat(o, n, "metric")
	if !ok {
		return
	}
	c := plan.Constraint{Metric: m, Stat: stat}
	if v := o.get("min"); v != nil {
		c.Min, c.HasMin = d.number(v, "min")
	}
	if v := o.get("max"); v != nil {
		c.Max, c.HasMax = d.number(v, "max")
	}
	switch {
	case !o.has("min") && !o.has("max"):
		d.errorf(o.n, "a constraint needs max:, min: or both")
	case c.HasMin && c.HasMax && c.Min > c.Max:
		d.errorf(o.get("min"), "min %v is above max %v: no point can meet it", c.Min, c.Max)
	case c.HasMin || c.HasMax:
		d.sp.Plan.Constraints = append(d.sp.Plan.Constraints, c)
		d.constraintNodes = append(d.constraintNodes, n)
	}
}

func (d *spaceDecoder) objective(o *object) {
	minN, maxN := o.get("minimize"), o.get("maximize")
	var n *yaml.Node
	switch {
	case minN != nil && maxN != nil:
		d.errorf(o.key("maximize"), "an objective has minimize: or maximize:, not both")
		return
	case minN == nil && maxN == nil:
		d.errorf(o.n, "an objective needs minimize: METRIC or maximize: METRIC")
		return
	case minN != nil:
		n = minN
	default:
		n = maxN
	}
	m, stat, ok := d.metricStat(o, n, "objective")
	if !ok {
		return
	}
	d.sp.Plan.Objectives = append(d.sp.Plan.Objectives, plan.Objective{Metric: m, Stat: stat, Maximize: maxN != nil})
}

// checkValues checks each axis value against base: the scenario with that
// value's overrides alone must decode and compile. It finds each axis's
// value as written (Axis.Base), and reports a constraint on a metric that
// neither the base nor any value produces.
func (d *spaceDecoder) checkValues(base *Base) {
	var produced [plan.NumMetrics]bool
	var why [plan.NumMetrics]string
	mark := func(sc *Scenario) {
		for m, reason := range missingMetrics(sc) {
			if reason == "" {
				produced[m] = true
			} else if why[m] == "" {
				why[m] = reason
			}
		}
	}
	mark(base.sc)
	for a := range d.sp.Plan.Axes {
		ax := &d.sp.Plan.Axes[a]
		ax.Base = -1
		for v, sets := range d.sp.sets[a] {
			sc, err := base.With(sets)
			if err == nil {
				_, err = Compile(sc)
			}
			if err != nil {
				at := d.pos(d.valueNodes[a][v])
				for _, e := range err.(ErrorList) {
					if e.Severity != model.SeverityError {
						continue
					}
					if e.Pos.File != d.file {
						e.Msg += fmt.Sprintf(" (with axis %s = %s, %s)", ax.Name, ax.Values[v], at)
					}
					d.errs = append(d.errs, e)
				}
				continue
			}
			mark(sc)
			if ax.Base < 0 && base.writtenAll(sets) {
				ax.Base = v
			}
		}
	}
	for i, c := range d.sp.Plan.Constraints {
		if !produced[c.Metric] {
			d.errorf(d.constraintNodes[i], "no point can produce metric %s: %s", c.Metric, why[c.Metric])
		}
	}
}

// writtenAll reports whether every set of sets writes what the base has.
func (b *Base) writtenAll(sets []Set) bool {
	for _, s := range sets {
		if !b.Written(s.Path, s.Value) {
			return false
		}
	}
	return true
}

// missingMetrics says, per metric, why sc cannot produce it ("" when it
// can): a cost needs a workload that starts executions of a pipeline with
// instance steps, a blocked Start a workload that calls Start, and so on.
func missingMetrics(sc *Scenario) [plan.NumMetrics]string {
	calls := len(sc.Sim.Workload) > 0 || len(sc.Traces) > 0
	starts := len(sc.Traces) > 0
	for _, w := range sc.Sim.Workload {
		for _, aw := range w.Actions {
			starts = starts || (aw.Action == model.StartPipelineExecution && aw.Weight > 0)
		}
	}
	instances := false
	for _, p := range sc.Sim.Pipelines {
		for _, st := range p.Steps {
			instances = instances || st.InstanceType != ""
		}
	}
	budgets := false
	for _, r := range sc.Rules {
		budgets = budgets || r.Budget != nil
	}
	shares := len(sc.Model.Shares) > 0
	noCalls := "the scenario has no workload"
	noStarts := "no workload entry calls StartPipelineExecution"
	noInstances := "no pipeline step runs on instances"
	noShares := "the scenario has no shares"
	var out [plan.NumMetrics]string
	need := func(ok bool, reason string, ms ...plan.Metric) {
		for _, m := range ms {
			if !ok && out[m] == "" {
				out[m] = reason
			}
		}
	}
	cost := []plan.Metric{plan.OwnerCostUSD, plan.OwnerCostUSDMonth, plan.OtherAccountsCostUSDMonth,
		plan.CapacityFailedExecutions, plan.WaitMeanS, plan.WaitP95S}
	need(calls, noCalls, plan.BlockedCalls, plan.BlockedCallShare)
	need(starts, noStarts, append(cost, plan.BlockedStarts, plan.BlockedStartShare)...)
	need(instances, noInstances, cost...)
	need(shares, noShares, plan.OtherAccountsCostUSDMonth, plan.GrantedUnused, plan.ExternalPrincipals)
	need(budgets, "the scenario has no budget rules (rules: - {id: ..., budget: {...}})", plan.BudgetRulesBroken)
	return out
}
