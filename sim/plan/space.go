package plan

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/pipeshare/pipeshare/sim"
)

// Space is what a plan searches: the cartesian product of its axes, the
// constraints a point must meet and the objectives that rank points.
type Space struct {
	Axes        []Axis
	Constraints []Constraint
	Objectives  []Objective // at least one; the first decides, the next break ties
}

// Axis is one dimension of a space: a name and its values' labels (a
// value as written, or the name of an alternative).
type Axis struct {
	Name   string
	Values []string
	// Base is the index of the value the scenario has as written, or -1
	// when it has none of them (the baseline then keeps the scenario's
	// own value, labelled [AsWritten]).
	Base int
}

// AsWritten labels an axis of the baseline whose written value is none of
// the axis's values.
const AsWritten = "(as written)"

// Label returns the label of value v of a (v = -1: [AsWritten]).
func (a *Axis) Label(v int) string {
	if v < 0 {
		return AsWritten
	}
	return a.Values[v]
}

// Constraint bounds a statistic of a metric: a point whose statistic is
// above Max (or below Min) is infeasible.
type Constraint struct {
	Metric         Metric
	Stat           Stat
	Min, Max       float64
	HasMin, HasMax bool
}

// String is the constraint as a space file names it:
// "owner_cost_usd_month p95 ≤ 2500".
func (c *Constraint) String() string { return c.Describe(statLabel(c.Metric, c.Stat), num) }

// Describe is the constraint on the statistic named stat, its bounds
// written by bound: "stat ≤ max", "stat ≥ min" or "stat in [min, max]".
func (c *Constraint) Describe(stat string, bound func(float64) string) string {
	switch {
	case c.HasMin && c.HasMax:
		return fmt.Sprintf("%s in [%s, %s]", stat, bound(c.Min), bound(c.Max))
	case c.HasMin:
		return fmt.Sprintf("%s ≥ %s", stat, bound(c.Min))
	}
	return fmt.Sprintf("%s ≤ %s", stat, bound(c.Max))
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// broken returns by how much v breaks c, relative to the bound (0 when it
// does not).
func (c *Constraint) broken(v float64) float64 {
	rel := func(d, bound float64) float64 { return d / max(math.Abs(bound), 1) }
	switch {
	case c.HasMax && v > c.Max:
		return rel(v-c.Max, c.Max)
	case c.HasMin && v < c.Min:
		return rel(c.Min-v, c.Min)
	}
	return 0
}

// Objective is a statistic of a metric to minimize (or maximize).
type Objective struct {
	Metric   Metric
	Stat     Stat
	Maximize bool
}

// String is the objective as a space file names it: "minimize
// owner_cost_usd_month p95".
func (o *Objective) String() string { return o.Goal() + " " + statLabel(o.Metric, o.Stat) }

// Goal is "minimize" or "maximize".
func (o *Objective) Goal() string {
	if o.Maximize {
		return "maximize"
	}
	return "minimize"
}

// Point is one value index per axis; -1 is the scenario as written.
type Point []int

// MaxPointsWithoutBudget is the largest space a plan enumerates unless a
// budget is given explicitly: a larger one is most likely a mistake.
const MaxPointsWithoutBudget = 1_000_000

// Size returns the number of points of sp, saturating at math.MaxInt64.
func (sp *Space) Size() int64 {
	n := int64(1)
	for _, a := range sp.Axes {
		k := int64(len(a.Values))
		if k > 0 && n > math.MaxInt64/k {
			return math.MaxInt64
		}
		n *= k
	}
	return n
}

// Baseline returns the point of the scenario as written.
func (sp *Space) Baseline() Point {
	p := make(Point, len(sp.Axes))
	for i, a := range sp.Axes {
		p[i] = a.Base
	}
	return p
}

// Changes returns the number of axes on which p differs from the baseline.
func (sp *Space) Changes(p Point) int {
	n := 0
	for i, a := range sp.Axes {
		if p[i] != a.Base {
			n++
		}
	}
	return n
}

// choosePoints returns the points a plan of budget points evaluates: the
// baseline first, then every other point of the grid in order (first axis
// slowest) when the grid has at most budget points, else a Latin-hypercube
// sample of the rest drawn from seed: budget − 1 draws, each axis's values
// spread evenly over them, repeats and the baseline dropped. The second
// result says whether it is the grid.
func (sp *Space) choosePoints(budget int, seed uint64) ([]Point, bool) {
	base := sp.Baseline()
	points := []Point{base}
	if sp.Size() <= int64(budget) {
		p := make(Point, len(sp.Axes))
		for {
			if !slices.Equal(p, base) {
				points = append(points, slices.Clone(p))
			}
			i := len(p) - 1
			for ; i >= 0; i-- {
				if p[i]++; p[i] < len(sp.Axes[i].Values) {
					break
				}
				p[i] = 0
			}
			if i < 0 {
				return points, true
			}
		}
	}
	n := budget - 1
	rng := sim.NewStream(seed, "plan/latin-hypercube")
	draws := make([]Point, n)
	for j := range draws {
		draws[j] = make(Point, len(sp.Axes))
	}
	for i, a := range sp.Axes {
		k := len(a.Values)
		strata := rng.Perm(n)
		for j, s := range strata {
			u := (float64(s) + rng.Float64()) / float64(n)
			draws[j][i] = min(int(u*float64(k)), k-1)
		}
	}
	seen := map[string]bool{fmt.Sprint(base): true}
	for _, p := range draws {
		if key := fmt.Sprint(p); !seen[key] {
			seen[key] = true
			points = append(points, p)
		}
	}
	return points, false
}
