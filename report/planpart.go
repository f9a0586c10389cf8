package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/pipeshare/pipeshare/internal/jsonpos"
	"github.com/pipeshare/pipeshare/sim/plan"
)

// A `plan --shard i/k` process runs one contiguous block of every replica
// of every point (plan.Plan.AllJobs: no successive halving, since that
// needs every point's numbers) and writes their metrics to a part file;
// `merge` reads the k part files, replays the search of one process over
// them (which spends only some of the replicas) and reports what one
// process would have, byte for byte. A part file holds the space itself
// (axes, constraints, objectives), so that merge needs no other input.

// PlanPartFormat names a plan part file in its "format" key.
const PlanPartFormat = "pipeshare-plan-part"

// PlanPartVersion is the plan part file's version; merge accepts only its own.
const PlanPartVersion = 1

// PlanPart is one shard's part of a sharded plan.
type PlanPart struct {
	Meta
	SpaceFile, SpaceSHA256 string
	Seed                   uint64 // the master seed
	Space                  *plan.Space
	Options                plan.Options
	Points                 int // the plan's number of points
	Shard, Shards          int
	// Values are the metrics of jobs ShardRange(Points×Replicas, Shard,
	// Shards) of AllJobs, in order.
	Values []plan.Values
}

type jsonPlanPart struct {
	Format           string             `json:"format"`
	Version          int                `json:"version"`
	PipeshareVersion string             `json:"pipeshare_version"`
	Scenario         string             `json:"scenario"`
	ScenarioSHA256   string             `json:"scenario_sha256"`
	SpaceFile        string             `json:"space"`
	SpaceSHA256      string             `json:"space_sha256"`
	Seed             uint64             `json:"seed"`
	Replicas         int                `json:"replicas"`
	Budget           int                `json:"budget"`
	BudgetSet        bool               `json:"budget_set"`
	Axes             []jsonPlanAxisPart `json:"axes"`
	Constraints      []jsonConstraint   `json:"constraints"`
	Objectives       []jsonObjective    `json:"objectives"`
	Points           int                `json:"points"`
	Shard            int                `json:"shard"`
	Shards           int                `json:"shards"`
	Values           []json.RawMessage  `json:"values"` // each a planValues
}

type jsonPlanAxisPart struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
	Base   int      `json:"base"`
}

// planValues is one job's metrics, keyed by metric name in plan.Metrics
// order.
type planValues plan.Values

func (v *planValues) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for m := range plan.NumMetrics {
		if m > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(m.String()))
		b.WriteByte(':')
		b.WriteString(strconv.FormatFloat(v[m], 'g', -1, 64))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// WritePlanPart writes p as a part file (JSON, indented).
func WritePlanPart(w io.Writer, p *PlanPart) error {
	out := jsonPlanPart{Format: PlanPartFormat, Version: PlanPartVersion, PipeshareVersion: p.Version,
		Scenario: p.Scenario, ScenarioSHA256: p.ScenarioSHA256, SpaceFile: p.SpaceFile, SpaceSHA256: p.SpaceSHA256,
		Seed: p.Seed, Replicas: p.Options.Replicas, Budget: p.Options.Budget, BudgetSet: p.Options.BudgetSet,
		Points: p.Points, Shard: p.Shard, Shards: p.Shards, Values: []json.RawMessage{}}
	out.Axes, out.Constraints, out.Objectives = spaceJSON(p.Space)
	for i := range p.Values {
		b, err := (*planValues)(&p.Values[i]).MarshalJSON()
		if err != nil {
			return err
		}
		out.Values = append(out.Values, b)
	}
	return writeIndentedJSON(w, out)
}

func spaceJSON(sp *plan.Space) ([]jsonPlanAxisPart, []jsonConstraint, []jsonObjective) {
	axes := []jsonPlanAxisPart{}
	for _, a := range sp.Axes {
		axes = append(axes, jsonPlanAxisPart{a.Name, a.Values, a.Base})
	}
	cons := []jsonConstraint{}
	for _, c := range sp.Constraints {
		jc := jsonConstraint{Metric: c.Metric.String(), Stat: c.Stat.String(), Text: c.String()}
		if c.HasMin {
			jc.Min = &c.Min
		}
		if c.HasMax {
			jc.Max = &c.Max
		}
		cons = append(cons, jc)
	}
	objs := []jsonObjective{}
	for _, o := range sp.Objectives {
		goal := "minimize"
		if o.Maximize {
			goal = "maximize"
		}
		objs = append(objs, jsonObjective{Metric: o.Metric.String(), Stat: o.Stat.String(), Goal: goal})
	}
	return axes, cons, objs
}

// maxPartJobs bounds the jobs a set of plan part files may describe, so
// that an edited count cannot make merge allocate without end.
const maxPartJobs = 1 << 24

// ReadPlanPart parses plan part file file's data. It checks everything a
// part can be checked for on its own: the format and version, the space
// (known metrics and stats, axis values, bases in range), the counts, and
// every value (finite, not negative; counts whole, shares at most 1).
// Errors are *model.PosError at file:line:col.
func ReadPlanPart(file string, data []byte) (*PlanPart, error) {
	var jp jsonPlanPart
	if err := jsonpos.Decode(file, data, &jp); err != nil {
		return nil, err
	}
	at := func(msg string, path ...any) error {
		off, _ := jsonpos.Offset(data, path...)
		return jsonpos.At(file, data, off, msg)
	}
	switch {
	case jp.Format != PlanPartFormat:
		return nil, at(fmt.Sprintf("not a pipeshare plan part file (format %q, want %q)", jp.Format, PlanPartFormat), "format")
	case jp.Version != PlanPartVersion:
		return nil, at(fmt.Sprintf("plan part file version %d, this pipeshare reads version %d", jp.Version, PlanPartVersion), "version")
	case jp.Replicas < 1:
		return nil, at("replicas must be at least 1", "replicas")
	case jp.Budget < 1:
		return nil, at("budget must be at least 1", "budget")
	case jp.Shards < 1:
		return nil, at("shards must be at least 1", "shards")
	case jp.Shard < 0 || jp.Shard >= jp.Shards:
		return nil, at(fmt.Sprintf("shard %d is not in 0..%d", jp.Shard, jp.Shards-1), "shard")
	case jp.Points < 1 || jp.Points > maxPartJobs/jp.Replicas:
		return nil, at(fmt.Sprintf("points × replicas must be from 1 to %d", maxPartJobs), "points")
	}
	sp := &plan.Space{}
	for a, ja := range jp.Axes {
		if len(ja.Values) == 0 {
			return nil, at("an axis needs values", "axes", a, "values")
		}
		if ja.Base < -1 || ja.Base >= len(ja.Values) {
			return nil, at(fmt.Sprintf("base %d is not a value's index or -1", ja.Base), "axes", a, "base")
		}
		sp.Axes = append(sp.Axes, plan.Axis{Name: ja.Name, Values: ja.Values, Base: ja.Base})
	}
	metricStat := func(metric, stat string, path ...any) (plan.Metric, plan.Stat, error) {
		m, ok := plan.LookupMetric(metric)
		if !ok {
			return 0, 0, at(fmt.Sprintf("unknown metric %q", metric), append(path, "metric")...)
		}
		s, ok := plan.LookupStat(stat)
		if !ok {
			return 0, 0, at(fmt.Sprintf("unknown stat %q", stat), append(path, "stat")...)
		}
		return m, s, nil
	}
	for c, jc := range jp.Constraints {
		m, s, err := metricStat(jc.Metric, jc.Stat, "constraints", c)
		if err != nil {
			return nil, err
		}
		con := plan.Constraint{Metric: m, Stat: s}
		if jc.Min != nil {
			con.Min, con.HasMin = *jc.Min, true
		}
		if jc.Max != nil {
			con.Max, con.HasMax = *jc.Max, true
		}
		if !con.HasMin && !con.HasMax {
			return nil, at("a constraint needs min or max", "constraints", c)
		}
		sp.Constraints = append(sp.Constraints, con)
	}
	for o, jo := range jp.Objectives {
		m, s, err := metricStat(jo.Metric, jo.Stat, "objectives", o)
		if err != nil {
			return nil, err
		}
		if jo.Goal != "minimize" && jo.Goal != "maximize" {
			return nil, at(fmt.Sprintf("goal %q is not minimize or maximize", jo.Goal), "objectives", o, "goal")
		}
		sp.Objectives = append(sp.Objectives, plan.Objective{Metric: m, Stat: s, Maximize: jo.Goal == "maximize"})
	}
	if len(sp.Objectives) == 0 {
		return nil, at("a plan needs at least one objective", "objectives")
	}
	p := &PlanPart{Meta: Meta{Scenario: jp.Scenario, ScenarioSHA256: jp.ScenarioSHA256, Version: jp.PipeshareVersion},
		SpaceFile: jp.SpaceFile, SpaceSHA256: jp.SpaceSHA256, Seed: jp.Seed, Space: sp,
		Options: plan.Options{Replicas: jp.Replicas, Budget: jp.Budget, BudgetSet: jp.BudgetSet, Seed: jp.Seed},
		Points:  jp.Points, Shard: jp.Shard, Shards: jp.Shards}
	lo, hi := ShardRange(jp.Points*jp.Replicas, jp.Shard, jp.Shards)
	if len(jp.Values) != hi-lo {
		return nil, at(fmt.Sprintf("shard %d of %d holds jobs %d..%d: want %d values, have %d",
			jp.Shard, jp.Shards, lo, hi-1, hi-lo, len(jp.Values)), "values")
	}
	for j, raw := range jp.Values {
		v, err := parsePlanValues(raw, func(msg string, key ...any) error {
			return at(msg, append([]any{"values", j}, key...)...)
		})
		if err != nil {
			return nil, err
		}
		p.Values = append(p.Values, v)
	}
	return p, nil
}

// parsePlanValues reads one job's metrics: every metric, no other key,
// each a value the metric can take.
func parsePlanValues(data []byte, at func(msg string, key ...any) error) (plan.Values, error) {
	var v plan.Values
	var byKey map[string]json.RawMessage
	if err := json.Unmarshal(data, &byKey); err != nil {
		return v, at("values must be an object of numbers")
	}
	if len(byKey) != int(plan.NumMetrics) {
		return v, at(fmt.Sprintf("values must have the %d metrics, no more, no less", plan.NumMetrics))
	}
	for m := range plan.NumMetrics {
		name := m.String()
		raw, ok := byKey[name]
		if !ok {
			return v, at(fmt.Sprintf("values has no %q", name))
		}
		x, err := strconv.ParseFloat(string(raw), 64)
		unit := plan.Metrics[m].Unit
		switch {
		case err != nil || !(x >= 0) || math.IsInf(x, 1):
			return v, at(fmt.Sprintf("%s is %s: it must be a finite number, 0 or more", name, raw), name)
		case unit == plan.UnitCount && (x != math.Trunc(x) || x > maxExactCount):
			return v, at(fmt.Sprintf("%s is %v: a count must be an integer from 0 to 2^53", name, x), name)
		case unit == plan.UnitShare && x > 1:
			return v, at(fmt.Sprintf("%s is %v: a share is at most 1", name, x), name)
		}
		v[m] = x
	}
	return v, nil
}

// MergePlanParts checks that parts (parts[j] read from files[j]) are every
// shard of one sharded plan, once, and returns every job's metrics in
// AllJobs order. The error names the file and key at fault.
func MergePlanParts(files []string, data [][]byte, parts []*PlanPart) ([]plan.Values, error) {
	fields := runFields(func(j int) *Meta { return &parts[j].Meta }, func(j int) uint64 { return parts[j].Seed })
	fields = slices.Insert(fields, 2, partField{"space_sha256", func(j int) any { return parts[j].SpaceSHA256 }})
	fields = append(fields,
		partField{"replicas", func(j int) any { return fmt.Sprintf("%+v", parts[j].Options) }},
		partField{"points", func(j int) any { return parts[j].Points }},
		partField{"shards", func(j int) any { return parts[j].Shards }})
	var firstSpace []byte
	set := shardParts{files: files, data: data, what: "plan", fields: fields,
		shard: func(j int) (int, int) { return parts[j].Shard, parts[j].Shards },
		same: func(j int, at func(key, msg string) error) error {
			sp, _ := json.Marshal(spaceTuple(parts[j].Space))
			if j == 0 {
				firstSpace = sp
			}
			if !bytes.Equal(sp, firstSpace) {
				return at("axes", "the space differs from "+files[0]+"'s: the parts are not of one plan")
			}
			return nil
		},
		missing: func(shard int) error { return fmt.Errorf("merge: shard %d of %d is missing", shard, parts[0].Shards) }}
	byShard, err := set.order()
	if err != nil {
		return nil, err
	}
	var out []plan.Values
	for _, j := range byShard {
		out = append(out, parts[j].Values...)
	}
	return out, nil
}

// spaceTuple is what of a space must agree between parts.
func spaceTuple(sp *plan.Space) any {
	a, c, o := spaceJSON(sp)
	return []any{a, c, o}
}
