package plan

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// DefaultBudget is the number of points a plan evaluates when no budget
// is given: the whole grid up to this size, else a sample of this size.
const DefaultBudget = 256

// Options tune a plan.
type Options struct {
	// Replicas is R, the replicas a point gets when it is not dropped.
	Replicas int
	// Budget is the most points evaluated (0: DefaultBudget); BudgetSet
	// says it was given explicitly, which lifts the
	// MaxPointsWithoutBudget limit.
	Budget    int
	BudgetSet bool
	// Seed draws the Latin-hypercube sample. The replicas' seeds are the
	// caller's: replica i of every point runs with the same seed (common
	// random numbers).
	Seed uint64
}

// Plan is a space's points and the schedule of their replicas, ready to
// run. It is deterministic: the same space and options give the same
// points, jobs and result, whatever order the jobs finish in.
type Plan struct {
	Space   *Space
	Options Options
	// Points are the points evaluated; Points[0] is the baseline.
	Points []Point
	// Grid says whether Points is the whole space (else a sample).
	Grid bool
	// Rungs are the replica counts of successive halving: every point
	// gets Rungs[0] replicas, the survivors of each rung the next count,
	// up to R.
	Rungs []int
}

// New checks sp and o and chooses the points. Errors are the user's: no
// axis values, no objective, a space over MaxPointsWithoutBudget points
// without an explicit budget.
func New(sp *Space, o Options) (*Plan, error) {
	if o.Replicas < 1 {
		return nil, errors.New("the replicas must be at least 1")
	}
	if o.Budget == 0 {
		o.Budget = DefaultBudget
	}
	if o.Budget < 1 {
		return nil, errors.New("the budget must be at least 1 point")
	}
	if len(sp.Objectives) == 0 {
		return nil, errors.New("a plan needs at least one objective")
	}
	for _, a := range sp.Axes {
		if len(a.Values) == 0 {
			return nil, fmt.Errorf("axis %s has no values", a.Name)
		}
	}
	if n := sp.Size(); n > MaxPointsWithoutBudget && !o.BudgetSet {
		return nil, fmt.Errorf("the space has %d points, more than %d: give --budget N to sample N of them", n, MaxPointsWithoutBudget)
	}
	points, grid := sp.choosePoints(o.Budget, o.Seed)
	return &Plan{Space: sp, Options: o, Points: points, Grid: grid, Rungs: rungs(o.Replicas)}, nil
}

// rungs returns the replica counts of successive halving up to r:
// max(1, r/4), then doubling, then r.
func rungs(r int) []int {
	out := []int{max(1, r/4)}
	for last := out[0]; last < r; {
		last = min(2*last, r)
		out = append(out, last)
	}
	return out
}

// Job is one replica of one point: Point indexes [Plan.Points]; the
// replica runs with the seed of replica Replica (the same for every point).
type Job struct{ Point, Replica int }

// Evaluator runs jobs and calls record(j, v) with the metrics of jobs[j],
// once per job, in any order and from one goroutine at a time (the plan
// keeps v's values, not v). It returns the first error of a job; the plan
// then stops with it.
type Evaluator func(jobs []Job, record func(j int, v *Values)) error

// AllJobs lists every replica of every point, point by point: what a
// sharded plan runs (each shard a contiguous block of it) so that merging
// the shards can replay the search of one process exactly.
func (p *Plan) AllJobs() []Job {
	jobs := make([]Job, 0, len(p.Points)*p.Options.Replicas)
	for i := range p.Points {
		for r := range p.Options.Replicas {
			jobs = append(jobs, Job{i, r})
		}
	}
	return jobs
}

// PointResult is one point's outcome.
type PointResult struct {
	Point    Point
	Replicas int                  // the replicas it ran (a rung's count)
	Metrics  [NumMetrics]Estimate // over its replicas
	// Broken lists the constraints it breaks (indexes into
	// Space.Constraints); Feasible is len(Broken) == 0.
	Broken   []int
	Feasible bool
	// Violation is by how much it breaks them, each relative to its bound
	// (0 when feasible).
	Violation float64
	Changes   int // axes that differ from the baseline
	// Dropped is the rung after which successive halving stopped it (-1:
	// it ran every rung).
	Dropped int
}

// Result is a plan's outcome.
type Result struct {
	*Plan
	Points []PointResult // as Plan.Points
	// Order ranks the points: feasible first by the objectives (ties by
	// fewer changes, then point order), then the infeasible ones by how
	// few constraints they break and by how little.
	Order []int
	// Frontier is the Pareto frontier over the objectives of the points
	// that ran all R replicas, feasible ones only when there are any, in
	// rank order.
	Frontier []int
	// Recommended is the best feasible point that ran all R replicas, or
	// -1 when no point is feasible.
	Recommended int
	// Closest is the point nearest to feasible when none is (the first of
	// Order), else -1.
	Closest int
	// Blocking counts, per constraint, the points that break it.
	Blocking []int
}

// Run runs the plan through eval, rung by rung: every point at Rungs[0]
// replicas, then the better half (and every point whose interval on the
// first objective overlaps the best's, and the baseline) at the next count,
// until R. Values are kept per (point, replica) slot, so the result does
// not depend on the order eval records them in.
func (p *Plan) Run(eval Evaluator) (*Result, error) {
	R := p.Options.Replicas
	values := make([][]Values, len(p.Points))
	for i := range values {
		values[i] = make([]Values, 0, p.Rungs[0])
	}
	res := &Result{Plan: p, Points: make([]PointResult, len(p.Points)), Recommended: -1, Closest: -1}
	for i := range res.Points {
		res.Points[i] = PointResult{Point: p.Points[i], Changes: p.Space.Changes(p.Points[i]), Dropped: -1}
	}
	active := make([]int, len(p.Points))
	for i := range active {
		active[i] = i
	}
	for k, n := range p.Rungs {
		var jobs []Job
		for _, i := range active {
			for r := len(values[i]); r < n; r++ {
				jobs = append(jobs, Job{i, r})
			}
		}
		got := make([]Values, len(jobs))
		seen := make([]bool, len(jobs))
		err := eval(jobs, func(j int, v *Values) {
			got[j], seen[j] = *v, true
		})
		if err != nil {
			return nil, err
		}
		for j, job := range jobs {
			if !seen[j] {
				return nil, fmt.Errorf("plan: job %d (point %d, replica %d) was not recorded", j, job.Point, job.Replica)
			}
			values[job.Point] = append(values[job.Point], got[j])
		}
		for _, i := range active {
			res.estimate(i, values[i])
		}
		if k == len(p.Rungs)-1 {
			break
		}
		active = res.halve(active, k)
	}
	res.Order = make([]int, len(res.Points))
	for i := range res.Order {
		res.Order[i] = i
	}
	slices.SortFunc(res.Order, res.compare)
	res.Blocking = make([]int, len(p.Space.Constraints))
	anyFeasible := false
	for i := range res.Points {
		pr := &res.Points[i]
		anyFeasible = anyFeasible || (pr.Feasible && pr.Replicas == R)
		for _, c := range pr.Broken {
			res.Blocking[c]++
		}
	}
	var final []int
	for _, i := range res.Order {
		if pr := &res.Points[i]; pr.Replicas == R && (pr.Feasible || !anyFeasible) {
			final = append(final, i)
		}
	}
	res.Frontier = res.frontier(final)
	if anyFeasible {
		res.Recommended = final[0]
	} else {
		res.Closest = res.Order[0]
	}
	return res, nil
}

// estimate computes point i's estimates and feasibility from its values.
func (res *Result) estimate(i int, vs []Values) {
	pr := &res.Points[i]
	pr.Replicas = len(vs)
	xs := make([]float64, len(vs))
	for m := range NumMetrics {
		for r := range vs {
			xs[r] = vs[r][m]
		}
		pr.Metrics[m] = NewEstimate(xs)
	}
	pr.Broken, pr.Violation = nil, 0
	for c := range res.Space.Constraints {
		con := &res.Space.Constraints[c]
		if d := con.broken(con.Stat.Of(&pr.Metrics[con.Metric])); d > 0 {
			pr.Broken = append(pr.Broken, c)
			pr.Violation += d
		}
	}
	pr.Feasible = len(pr.Broken) == 0
}

// halve returns the points of active that go on after rung k: the better
// half, every point whose interval on the first objective overlaps the
// best's, and the baseline; the others are marked dropped after rung k.
func (res *Result) halve(active []int, k int) []int {
	ranked := slices.Clone(active)
	slices.SortFunc(ranked, res.compare)
	keep := (len(ranked) + 1) / 2
	first := res.Space.Objectives[0].Metric
	best := &res.Points[ranked[0]].Metrics[first]
	var next []int
	for j, i := range ranked {
		if j < keep || i == 0 || overlaps(&res.Points[i].Metrics[first], best) {
			next = append(next, i)
		} else {
			res.Points[i].Dropped = k
		}
	}
	slices.Sort(next)
	return next
}

// objective returns point i's value of objective o, negated when o is
// maximized, so that lower is better.
func (res *Result) objective(i int, o *Objective) float64 {
	v := o.Stat.Of(&res.Points[i].Metrics[o.Metric])
	if o.Maximize {
		return -v
	}
	return v
}

// compare ranks points a and b (see Result.Order).
func (res *Result) compare(a, b int) int {
	pa, pb := &res.Points[a], &res.Points[b]
	if pa.Feasible != pb.Feasible {
		if pa.Feasible {
			return -1
		}
		return 1
	}
	if !pa.Feasible {
		if c := cmp.Or(cmp.Compare(len(pa.Broken), len(pb.Broken)), cmp.Compare(pa.Violation, pb.Violation)); c != 0 {
			return c
		}
	}
	for o := range res.Space.Objectives {
		obj := &res.Space.Objectives[o]
		if c := cmp.Compare(res.objective(a, obj), res.objective(b, obj)); c != 0 {
			return c
		}
	}
	return cmp.Or(cmp.Compare(pa.Changes, pb.Changes), cmp.Compare(a, b))
}

// dominates reports whether point a is at least as good as b on every
// objective and better on one.
func (res *Result) dominates(a, b int) bool {
	better := false
	for o := range res.Space.Objectives {
		obj := &res.Space.Objectives[o]
		va, vb := res.objective(a, obj), res.objective(b, obj)
		if va > vb {
			return false
		}
		better = better || va < vb
	}
	return better
}

// frontier returns the points of set (in rank order) that no other point
// of set dominates.
func (res *Result) frontier(set []int) []int {
	var out []int
	for _, a := range set {
		if !slices.ContainsFunc(set, func(b int) bool { return res.dominates(b, a) }) {
			out = append(out, a)
		}
	}
	return out
}
