package plan

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRungs(t *testing.T) {
	for r, want := range map[int][]int{1: {1}, 2: {1, 2}, 3: {1, 2, 3}, 8: {2, 4, 8}, 10: {2, 4, 8, 10}, 64: {16, 32, 64}} {
		assert.Equal(t, want, rungs(r), "R=%d", r)
	}
}

func axes(sizes ...int) []Axis {
	var out []Axis
	for i, k := range sizes {
		a := Axis{Name: string(rune('a' + i)), Base: 0}
		for v := range k {
			a.Values = append(a.Values, string(rune('0'+v)))
		}
		out = append(out, a)
	}
	return out
}

func TestGridStartsWithTheBaseline(t *testing.T) {
	sp := &Space{Axes: axes(2, 3), Objectives: []Objective{{Metric: OwnerCostUSD}}}
	sp.Axes[1].Base = 2
	p, err := New(sp, Options{Replicas: 1})
	require.NoError(t, err)
	assert.True(t, p.Grid)
	assert.Equal(t, []Point{{0, 2}, {0, 0}, {0, 1}, {1, 0}, {1, 1}, {1, 2}}, p.Points)

	// A value the scenario does not have: the baseline is an extra point.
	sp.Axes[1].Base = -1
	p, err = New(sp, Options{Replicas: 1})
	require.NoError(t, err)
	assert.Len(t, p.Points, 7)
	assert.Equal(t, Point{0, -1}, p.Points[0])
	assert.Equal(t, 1, sp.Changes(Point{0, 0}))
	assert.Equal(t, AsWritten, sp.Axes[1].Label(-1))
}

func TestLatinHypercube(t *testing.T) {
	sp := &Space{Axes: axes(10, 10, 10, 4), Objectives: []Objective{{Metric: OwnerCostUSD}}}
	p, err := New(sp, Options{Replicas: 1, Budget: 41, Seed: 7})
	require.NoError(t, err)
	assert.False(t, p.Grid)
	assert.Equal(t, sp.Baseline(), p.Points[0])
	assert.LessOrEqual(t, len(p.Points), 41)
	assert.Greater(t, len(p.Points), 30, "few repeats in a space of 4,000")
	// Every value of every axis drawn about equally: 40 draws over 10
	// values puts each value in 4 strata.
	for i, a := range sp.Axes {
		count := make([]int, len(a.Values))
		for _, pt := range p.Points[1:] {
			count[pt[i]]++
		}
		for v, n := range count {
			assert.LessOrEqual(t, n, 40/len(a.Values)+1, "axis %d value %d", i, v)
		}
	}
	q, err := New(sp, Options{Replicas: 1, Budget: 41, Seed: 7})
	require.NoError(t, err)
	assert.Equal(t, p.Points, q.Points, "same seed, same sample")
	q, err = New(sp, Options{Replicas: 1, Budget: 41, Seed: 8})
	require.NoError(t, err)
	assert.NotEqual(t, p.Points, q.Points)
}

func TestNewRefuses(t *testing.T) {
	obj := []Objective{{Metric: OwnerCostUSD}}
	_, err := New(&Space{Axes: axes(1000, 1000, 2), Objectives: obj}, Options{Replicas: 1})
	assert.EqualError(t, err, "the space has 2000000 points, more than 1000000: give --budget N to sample N of them")
	_, err = New(&Space{Axes: axes(1000, 1000, 2), Objectives: obj}, Options{Replicas: 1, Budget: 100, BudgetSet: true})
	assert.NoError(t, err)
	_, err = New(&Space{Axes: axes(2, 0), Objectives: obj}, Options{Replicas: 1})
	assert.EqualError(t, err, "axis b has no values")
	_, err = New(&Space{Axes: axes(2)}, Options{Replicas: 1})
	assert.EqualError(t, err, "a plan needs at least one objective")
	_, err = New(&Space{Axes: axes(2), Objectives: obj}, Options{Replicas: 0})
	assert.Error(t, err)
}

// toy evaluates a random but fixed function of the point, plus noise that
// depends on the replica only (common random numbers).
type toy struct {
	weights [NumMetrics][]float64
	noise   float64
}

func newToy(rng *rand.Rand, sp *Space, noise float64) *toy {
	ty := &toy{noise: noise}
	for m := range NumMetrics {
		ty.weights[m] = make([]float64, len(sp.Axes))
		for a := range sp.Axes {
			ty.weights[m][a] = rng.Float64()
		}
	}
	return ty
}

func (ty *toy) values(p Point, replica int) Values {
	var v Values
	for m := range NumMetrics {
		x := ty.noise * float64((replica*7919+int(m)*31)%13)
		for a, i := range p {
			x += ty.weights[m][a] * float64(max(i, 0)+(a*int(m))%3)
		}
		v[m] = x
	}
	return v
}

// run evaluates p's jobs with ty, recording them in reverse when reverse.
func (ty *toy) run(p *Plan, reverse bool) (*Result, int) {
	n := 0
	res, err := p.Run(func(jobs []Job, record func(int, *Values)) error {
		n += len(jobs)
		order := make([]int, len(jobs))
		for j := range order {
			order[j] = j
		}
		if reverse {
			slices.Reverse(order)
		}
		for _, j := range order {
			v := ty.values(p.Points[jobs[j].Point], jobs[j].Replica)
			record(j, &v)
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return res, n
}

func randomSpace(rng *rand.Rand) *Space {
	sp := &Space{}
	for a := range 1 + rng.IntN(4) {
		ax := Axis{Name: string(rune('a' + a)), Base: rng.IntN(4) - 1}
		for v := range 1 + rng.IntN(4) {
			ax.Values = append(ax.Values, string(rune('0'+v)))
		}
		ax.Base = min(ax.Base, len(ax.Values)-1)
		sp.Axes = append(sp.Axes, ax)
	}
	for range rng.IntN(3) {
		sp.Constraints = append(sp.Constraints, Constraint{Metric: Metric(rng.IntN(int(NumMetrics))),
			Stat: Stat(rng.IntN(int(NumStats))), Max: 2 + 3*rng.Float64(), HasMax: true})
	}
	for range 1 + rng.IntN(3) {
		sp.Objectives = append(sp.Objectives, Objective{Metric: Metric(rng.IntN(int(NumMetrics))),
			Stat: Stat(rng.IntN(int(NumStats))), Maximize: rng.IntN(4) == 0})
	}
	return sp
}

// The recommendation is feasible, ran R replicas and is on the frontier;
// no frontier point dominates another; and the result does not depend on
// the order jobs are recorded in.
func TestRecommendationProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	feasible, infeasible := 0, 0
	for iter := range 300 {
		sp := randomSpace(rng)
		R := 1 + rng.IntN(9)
		p, err := New(sp, Options{Replicas: R, Budget: 1 + rng.IntN(40), Seed: uint64(iter)})
		require.NoError(t, err)
		ty := newToy(rng, sp, rng.Float64())
		res, _ := ty.run(p, false)
		again, _ := ty.run(p, true)
		require.Equal(t, res.Points, again.Points, "iteration %d", iter)
		require.Equal(t, res.Recommended, again.Recommended)

		require.NotEmpty(t, res.Frontier)
		for _, a := range res.Frontier {
			for _, b := range res.Frontier {
				require.False(t, res.dominates(a, b), "iteration %d: frontier point %d dominates %d", iter, a, b)
			}
		}
		if res.Recommended < 0 {
			infeasible++
			require.GreaterOrEqual(t, res.Closest, 0)
			for _, pr := range res.Points {
				require.False(t, pr.Feasible && pr.Replicas == R)
			}
			require.Greater(t, slices.Max(res.Blocking), 0)
			continue
		}
		feasible++
		rec := &res.Points[res.Recommended]
		require.True(t, rec.Feasible, "iteration %d", iter)
		require.Equal(t, R, rec.Replicas)
		require.Contains(t, res.Frontier, res.Recommended)
		require.Equal(t, res.Frontier[0], res.Recommended)
		require.Equal(t, -1, res.Closest)
		// Nothing that ran R replicas and is feasible ranks better.
		for i, pr := range res.Points {
			if pr.Feasible && pr.Replicas == R && i != res.Recommended {
				require.Negative(t, res.compare(res.Recommended, i))
			}
		}
	}
	assert.Greater(t, feasible, 50)
	assert.Greater(t, infeasible, 10)
}

// Successive halving spends fewer replicas than the full grid, keeps the
// baseline and every point whose interval overlaps the best's, and drops
// the clearly worse ones.
func TestSuccessiveHalving(t *testing.T) {
	sp := &Space{Axes: axes(16), Objectives: []Objective{{Metric: OwnerCostUSD}}}
	sp.Axes[0].Base = 15 // the worst point is the baseline
	p, err := New(sp, Options{Replicas: 8})
	require.NoError(t, err)
	res, err := p.Run(func(jobs []Job, record func(int, *Values)) error {
		for j, job := range jobs {
			var v Values
			v[OwnerCostUSD] = 10*float64(p.Points[job.Point][0]) + float64(job.Replica%2)
			if p.Points[job.Point][0] == 1 {
				v[OwnerCostUSD] = 1 + 9*float64(job.Replica%2) // overlaps point value 0
			}
			record(j, &v)
		}
		return nil
	})
	require.NoError(t, err)
	byValue := map[int]*PointResult{}
	for i := range res.Points {
		byValue[res.Points[i].Point[0]] = &res.Points[i]
	}
	assert.Equal(t, 8, byValue[0].Replicas)
	assert.Equal(t, 8, byValue[1].Replicas, "its interval overlaps the best's")
	assert.Equal(t, 8, byValue[15].Replicas, "the baseline runs every rung")
	assert.Equal(t, -1, byValue[15].Dropped)
	assert.Equal(t, 2, byValue[14].Replicas)
	assert.Equal(t, 0, byValue[14].Dropped)
	total := 0
	for _, pr := range res.Points {
		total += pr.Replicas
	}
	assert.Less(t, total, 16*8*6/10) // 74 of the 128 of the full grid
	assert.Equal(t, 0, res.Points[res.Recommended].Point[0])
}

// Ties go to the point with fewer changes from the baseline.
func TestTiesByFewerChanges(t *testing.T) {
	sp := &Space{Axes: axes(3, 3), Objectives: []Objective{{Metric: OwnerCostUSD}}}
	sp.Axes[0].Base, sp.Axes[1].Base = 2, 2
	p, err := New(sp, Options{Replicas: 2})
	require.NoError(t, err)
	res, err := p.Run(func(jobs []Job, record func(int, *Values)) error {
		for j, job := range jobs {
			var v Values
			if pt := p.Points[job.Point]; pt[0] == 2 && pt[1] == 2 {
				v[OwnerCostUSD] = 1 // the baseline is worse; all others tie
			}
			record(j, &v)
		}
		return nil
	})
	require.NoError(t, err)
	rec := res.Points[res.Recommended]
	assert.Equal(t, 1, rec.Changes)
	assert.Equal(t, Point{0, 2}, rec.Point, "the first of the one-change points in grid order")
}

func TestInfeasibleClosest(t *testing.T) {
	sp := &Space{Axes: axes(3),
		Constraints: []Constraint{
			{Metric: OwnerCostUSD, Max: 1, HasMax: true},
			{Metric: BlockedStarts, Stat: StatP95, Min: 5, HasMin: true},
		},
		Objectives: []Objective{{Metric: OwnerCostUSD}}}
	p, err := New(sp, Options{Replicas: 1})
	require.NoError(t, err)
	res, err := p.Run(func(jobs []Job, record func(int, *Values)) error {
		for j, job := range jobs {
			x := float64(p.Points[job.Point][0])
			var v Values
			v[OwnerCostUSD] = 2 + x    // always above 1
			v[BlockedStarts] = 3 + 2*x // 3, 5, 7: the min breaks at 0 only
			record(j, &v)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, -1, res.Recommended)
	assert.Equal(t, []int{3, 1}, res.Blocking)
	assert.Equal(t, 1, res.Closest, "point value 1 breaks one constraint by the least")
	assert.Equal(t, "owner_cost_usd ≤ 1", sp.Constraints[0].String())
	assert.Equal(t, "blocked_starts p95 ≥ 5", sp.Constraints[1].String())
}

func TestEstimate(t *testing.T) {
	e := NewEstimate([]float64{1, 2, 3, 4})
	assert.Equal(t, 2.5, e.Mean)
	assert.True(t, e.HasCI)
	assert.InDelta(t, 2.5-2.0542, e.CILow, 1e-3) // t(0.975, 3) = 3.182, s = 1.291
	assert.Equal(t, 4.0, e.P95)
	one := NewEstimate([]float64{7})
	assert.False(t, one.HasCI)
	assert.Equal(t, 7.0, StatCIHigh.Of(&one))
	assert.True(t, overlaps(&one, &e))
}

func TestLookups(t *testing.T) {
	for m := range NumMetrics {
		got, ok := LookupMetric(m.String())
		assert.True(t, ok)
		assert.Equal(t, m, got)
		assert.NotEmpty(t, Metrics[m].Doc)
	}
	_, ok := LookupMetric("owner_cost")
	assert.False(t, ok)
	for s := range NumStats {
		got, ok := LookupStat(s.String())
		assert.True(t, ok)
		assert.Equal(t, s, got)
	}
}

// Every metric has words for people with its unit in brackets, and a
// statistic other than the mean is named after them.
func TestWords(t *testing.T) {
	seen := map[string]bool{}
	for m := range NumMetrics {
		w := Metrics[m].Words
		assert.Regexp(t, `^[a-z][^()]* \([^()]+\)$`, w, m.String())
		assert.False(t, seen[w], "%s: words of two metrics", w)
		seen[w] = true
	}
	assert.Equal(t, "owner cost ($/month)", Words(OwnerCostUSDMonth, StatMean))
	assert.Equal(t, "owner cost ($/month), p95", Words(OwnerCostUSDMonth, StatP95))
}

// TestMetricNames checks that every metric has a key, words and a column
// head, each different from every other metric's.
func TestMetricNames(t *testing.T) {
	seen := map[string]Metric{}
	for m := range NumMetrics {
		info := Metrics[m]
		for _, name := range []string{info.Name, info.Words, info.Column} {
			require.NotEmpty(t, name, "metric %d", m)
			prev, dup := seen[name]
			require.False(t, dup, "%q names %s and %s", name, prev, m)
			seen[name] = m
		}
	}
	require.Equal(t, "owner $/month p95", Column(OwnerCostUSDMonth, StatP95))
}
