package sim

import (
	"fmt"
	"hash/fnv"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"
)

func TestFNV64aMatchesHashFNV(t *testing.T) {
	for _, key := range []string{"", "a", "ids", "exec/1", "workload/research-daily/222222222222/role/DataScientist", "\xff\x00é"} {
		h := fnv.New64a()
		h.Write([]byte(key))
		assert.Equal(t, h.Sum64(), FNV64a(key), "key %q", key)
	}
}

func TestSplitMix64Reference(t *testing.T) {
	// SplitMix64(1) is the first output of SplitMix64 seeded with 1.
	assert.Equal(t, uint64(0x910a2dec89025cc1), SplitMix64(1))
	// The first outputs of the reference SplitMix64 generator seeded with 0
	// (Vigna's splitmix64.c): state advances by γ before each output.
	assert.Equal(t, uint64(0xe220a8397b1dcdaf), SplitMix64(0))
	assert.Equal(t, uint64(0x6e789e6aa1b965f4), SplitMix64(0x9e3779b97f4a7c15))
}

// TestStreamSeedPinned pins the documented derivation, so a change to it
// (which would change every run's numbers) fails loudly.
func TestStreamSeedPinned(t *testing.T) {
	for _, tc := range []struct {
		master       uint64
		key          string
		seed1, seed2 uint64
		first        uint64 // first Uint64 of the stream
	}{
		{1, "ids", 0x910a2dec89025cc1, 0x484201358868639c, 0x4b18dd87e88e2835},
		{1, "exec/1", 0x910a2dec89025cc1, 0x0e3ff973d76cd23d, 0xe4588e9a7fde4fe9},
		{1, "workload/research-daily/222222222222/role/DataScientist", 0x910a2dec89025cc1, 0xa855be518baca6cf, 0x2edaab251ac45774},
		{42, "ids", 0xbdd732262feb6e95, 0x8c5b5ca0cdfd60b9, 0xd57ce2b8bd0af978},
	} {
		s1, s2 := StreamSeed(tc.master, tc.key)
		assert.Equal(t, SplitMix64(tc.master), s1)
		assert.Equal(t, SplitMix64(FNV64a(tc.key)^s1), s2)
		assert.Equal(t, tc.seed1, s1, "seed1 %d %q", tc.master, tc.key)
		assert.Equal(t, tc.seed2, s2, "seed2 %d %q", tc.master, tc.key)
		s := MakeStream(tc.master, tc.key)
		assert.Equal(t, tc.first, s.Uint64(), "first %d %q", tc.master, tc.key)
	}
}

func TestStreamDeterministic(t *testing.T) {
	a := MakeStream(7, "exec/abc")
	b := MakeStream(7, "exec/abc")
	r := NewStream(7, "exec/abc")
	for i := 0; i < 1000; i++ {
		x := a.Uint64()
		require.Equal(t, x, b.Uint64())
		require.Equal(t, x, r.Uint64(), "NewStream and MakeStream agree")
	}
	// Float64 follows rand.Rand's algorithm too.
	a.Seed(7, "ids")
	r = NewStream(7, "ids")
	for i := 0; i < 1000; i++ {
		require.Equal(t, r.Float64(), a.Float64())
	}
}

func TestStreamsDiffer(t *testing.T) {
	first := func(master uint64, key string) [4]uint64 {
		s := MakeStream(master, key)
		return [4]uint64{s.Uint64(), s.Uint64(), s.Uint64(), s.Uint64()}
	}
	seen := map[[4]uint64]string{}
	for _, master := range []uint64{0, 1, 2, 3} {
		for _, key := range []string{"", "ids", "exec/1", "exec/2", "exec/10", "workload/0/111111111111/root", "workload/1/111111111111/root"} {
			id := fmt.Sprintf("%d %q", master, key)
			v := first(master, key)
			prev, dup := seen[v]
			require.False(t, dup, "%s and %s give the same stream", id, prev)
			seen[v] = id
		}
	}
}

// TestStreamNearbyKeysDecorrelated checks that streams for neighbouring
// keys are not correlated: the sample correlation of their Float64s.
func TestStreamNearbyKeysDecorrelated(t *testing.T) {
	const n = 100_000
	a, b := MakeStream(1, "exec/1"), MakeStream(1, "exec/2")
	var sx, sy, sxx, syy, sxy float64
	for i := 0; i < n; i++ {
		x, y := a.Float64(), b.Float64()
		sx += x
		sy += y
		sxx += x * x
		syy += y * y
		sxy += x * y
	}
	cov := sxy/n - sx/n*sy/n
	corr := cov / math.Sqrt((sxx/n-sx/n*sx/n)*(syy/n-sy/n*sy/n))
	assert.Less(t, math.Abs(corr), 5/math.Sqrt(n), "correlation %v", corr)
}

// TestOneDrawEach checks that each Stream method and helper advances its
// stream by exactly one Uint64, whatever its arguments.
func TestOneDrawEach(t *testing.T) {
	calls := map[string]func(s *Stream){
		"Uint64":              func(s *Stream) { s.Uint64() },
		"Float64":             func(s *Stream) { s.Float64() },
		"IntN":                func(s *Stream) { s.IntN(3) },
		"ExpFloat64":          func(s *Stream) { s.ExpFloat64() },
		"Exponential":         func(s *Stream) { Exponential(s, Time(time.Second)) },
		"Exponential/mean=0":  func(s *Stream) { Exponential(s, 0) },
		"ExponentialRate":     func(s *Stream) { ExponentialRate(s, 1e-9) },
		"ExponentialRate/0":   func(s *Stream) { ExponentialRate(s, 0) },
		"UniformIndex":        func(s *Stream) { UniformIndex(s, 10) },
		"UniformIndex/none":   func(s *Stream) { UniformIndex(s, 0) },
		"WeightedIndex":       func(s *Stream) { WeightedIndex(s, []float64{0.5, 1}) },
		"WeightedIndex/empty": func(s *Stream) { WeightedIndex(s, nil) },
	}
	for name, call := range calls {
		s := MakeStream(9, "draws")
		ref := MakeStream(9, "draws")
		for i := 0; i < 100; i++ {
			call(&s)
			ref.Uint64()
		}
		assert.Equal(t, ref.Uint64(), s.Uint64(), name)
	}
}

func TestIntNAndUniformIndex(t *testing.T) {
	s := MakeStream(1, "intn")
	const n, k = 600_000, 6
	var counts [k]int
	for i := 0; i < n; i++ {
		v := s.IntN(k)
		if v < 0 || v >= k {
			require.Failf(t, "IntN out of range", "IntN(%d) = %d", k, v)
		}
		counts[v]++
	}
	for i, c := range counts {
		p := float64(c) / n
		// sd of a frequency is sqrt(p(1-p)/n) ≈ 0.00048; allow 5 sd.
		assert.InDelta(t, 1.0/k, p, 0.0025, "value %d", i)
	}
	assert.PanicsWithValue(t, "sim: invalid argument to IntN", func() { s.IntN(0) })
	assert.Equal(t, -1, UniformIndex(&s, 0))
	assert.Equal(t, -1, UniformIndex(&s, -3))
	assert.Equal(t, 0, UniformIndex(&s, 1))
	for i := 0; i < 1000; i++ {
		v := UniformIndex(&s, 3)
		require.True(t, v >= 0 && v < 3)
	}
	// The extremes of the draw map to the ends of the range.
	assert.Equal(t, 0, mulHigh(0, 7))
	assert.Equal(t, 6, mulHigh(math.MaxUint64, 7))
}

func TestExponentialMean(t *testing.T) {
	s := MakeStream(1, "workload/test/111111111111/root")
	mean := Time(15 * time.Minute) // rate 4/h
	const n = 1_000_000
	var sum float64
	above := 0
	for i := 0; i < n; i++ {
		d := Exponential(&s, mean)
		if d < 0 {
			require.GreaterOrEqual(t, d, Time(0), "draw %d", i)
		}
		sum += float64(d)
		if d > mean {
			above++
		}
	}
	// The sample mean has sd mean/sqrt(n) = 0.1% of the mean; allow 0.5%.
	assert.InEpsilon(t, float64(mean), sum/n, 0.005)
	// P(X > mean) = 1/e; the frequency's sd is about 0.00048; allow 0.0025.
	assert.InDelta(t, 1/math.E, float64(above)/n, 0.0025)
}

func TestExponentialRateMatchesExponential(t *testing.T) {
	a, b := MakeStream(3, "k"), MakeStream(3, "k")
	for i := 0; i < 1000; i++ {
		x := Exponential(&a, Time(time.Hour))
		y := ExponentialRate(&b, 1/float64(time.Hour))
		require.InDelta(t, float64(x), float64(y), 1, "draw %d", i)
	}
	assert.Equal(t, Never, ExponentialRate(&a, 0))
	assert.Equal(t, Never, ExponentialRate(&a, math.NaN()))
	assert.Equal(t, Time(0), Exponential(&a, -5))
}

func TestFromFloat(t *testing.T) {
	assert.Equal(t, Time(0), fromFloat(-1))
	assert.Equal(t, Time(0), fromFloat(math.NaN()))
	assert.Equal(t, Time(2), fromFloat(1.5))
	assert.Equal(t, Time(1), fromFloat(1.49))
	assert.Equal(t, Never, fromFloat(math.Inf(1)))
	assert.Equal(t, Never, fromFloat(1e19))
	assert.Equal(t, Time(1<<62), fromFloat(1<<62))
}

func TestWeightedIndexFrequencies(t *testing.T) {
	weights := []float64{2, 7, 0, 1} // the StartPipelineExecution/Describe/…/Stop mix
	cum := Cumulative(nil, weights)
	require.Equal(t, []float64{0.2, 0.9, 0.9, 1}, cum)
	s := MakeStream(1, "weights")
	const n = 1_000_000
	counts := make([]int, len(weights))
	for i := 0; i < n; i++ {
		counts[WeightedIndex(&s, cum)]++
	}
	assert.Zero(t, counts[2], "zero weight is never drawn")
	for i, w := range weights {
		// sd ≤ 0.0005; allow 5 sd.
		assert.InDelta(t, w/10, float64(counts[i])/n, 0.0025, "index %d", i)
	}
}

func TestWeightedIndexEdges(t *testing.T) {
	s := MakeStream(1, "edges")
	assert.Equal(t, -1, WeightedIndex(&s, nil))
	assert.Equal(t, 0, WeightedIndex(&s, []float64{1}))
	// Not normalised: a draw past the end returns the last index.
	for i := 0; i < 100; i++ {
		v := WeightedIndex(&s, []float64{0, 0})
		require.Equal(t, 1, v)
	}
	// Trailing zero weights are 1 exactly and never drawn.
	cum := Cumulative(make([]float64, 0, 8), []float64{0.1, 0.2, 0, 0})
	assert.Equal(t, 1.0, cum[1])
	assert.Equal(t, 1.0, cum[3])
	for i := 0; i < 1000; i++ {
		require.Less(t, WeightedIndex(&s, cum), 2)
	}
}

// TestWeightedIndexCountsAsSearch: for few and many weights (counting and
// binary search), with zero weights, WeightedIndex returns the smallest i
// with u < cumulative[i] for the u its stream draws.
func TestWeightedIndexCountsAsSearch(t *testing.T) {
	r := MakeStream(2, "weights/gen")
	for n := 1; n <= 12; n++ {
		for range 200 {
			w := make([]float64, n)
			for i := range w {
				w[i] = float64(r.IntN(3)) // zeros are common
			}
			w[r.IntN(n)] = 1
			cum := Cumulative(nil, w)
			s, u := MakeStream(3, "weights/draw"), MakeStream(3, "weights/draw")
			for range 20 {
				v := u.Float64()
				want := n - 1
				for i, c := range cum {
					if v < c {
						want = i
						break
					}
				}
				require.Equal(t, want, WeightedIndex(&s, cum), "weights %v, u %v", w, v)
			}
		}
	}
}

func TestCumulativePanics(t *testing.T) {
	assert.Panics(t, func() { Cumulative(nil, []float64{1, -1}) })
	assert.Panics(t, func() { Cumulative(nil, []float64{math.NaN()}) })
	assert.Panics(t, func() { Cumulative(nil, []float64{math.Inf(1)}) })
	assert.Panics(t, func() { Cumulative(nil, []float64{0, 0}) })
	assert.Panics(t, func() { Cumulative(nil, nil) })
	assert.Panics(t, func() { Cumulative(nil, []float64{math.MaxFloat64, math.MaxFloat64}) })
}

// TestStreamAsGonumSource checks that a *Stream serves as a gonum distuv
// Src, so distributions draw from the stream deterministically.
func TestStreamAsGonumSource(t *testing.T) {
	a, b := MakeStream(5, "exec/x"), MakeStream(5, "exec/x")
	la := distuv.LogNormal{Mu: math.Log(720), Sigma: 0.4, Src: &a}
	lb := distuv.LogNormal{Mu: math.Log(720), Sigma: 0.4, Src: &b}
	var xs []float64
	for i := 0; i < 100; i++ {
		x := la.Rand()
		require.Equal(t, x, lb.Rand())
		xs = append(xs, x)
	}
	assert.NotEqual(t, xs[0], xs[1])
}

func TestStreamZeroAllocs(t *testing.T) {
	s := MakeStream(1, "alloc")
	cum := Cumulative(nil, []float64{1, 2, 3})
	allocs := testing.AllocsPerRun(1000, func() {
		s.Uint64()
		s.Float64()
		s.IntN(10)
		s.ExpFloat64()
		Exponential(&s, 1000)
		UniformIndex(&s, 10)
		WeightedIndex(&s, cum)
	})
	assert.Zero(t, allocs)
	allocs = testing.AllocsPerRun(100, func() {
		s.Seed(1, "workload/entry/111111111111/root")
	})
	assert.Zero(t, allocs)
}

func BenchmarkStream(b *testing.B) {
	cum := Cumulative(nil, []float64{0.2, 0.7, 0.1})
	bench := func(name string, f func(s *Stream) uint64) {
		b.Run(name, func(b *testing.B) {
			s := MakeStream(1, "bench")
			var sink uint64
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				sink += f(&s)
			}
			benchSink = sink
		})
	}
	bench("Uint64", func(s *Stream) uint64 { return s.Uint64() })
	bench("Float64", func(s *Stream) uint64 { return uint64(s.Float64() * 1e9) })
	bench("IntN", func(s *Stream) uint64 { return uint64(s.IntN(1000)) })
	bench("ExpFloat64", func(s *Stream) uint64 { return uint64(s.ExpFloat64() * 1e9) })
	// The inversion ExpFloat64 used before its ziggurat, for comparison.
	bench("ExpFloat64/inversion", func(s *Stream) uint64 { return uint64(-math.Log(1-s.Float64()) * 1e9) })
	bench("Exponential", func(s *Stream) uint64 { return uint64(Exponential(s, Time(time.Minute))) })
	bench("WeightedIndex", func(s *Stream) uint64 { return uint64(WeightedIndex(s, cum)) })
	b.Run("MakeStream", func(b *testing.B) {
		b.ReportAllocs()
		var sink uint64
		for i := 0; i < b.N; i++ {
			s := MakeStream(uint64(i), "workload/research-daily/222222222222/role/DataScientist")
			sink += s.Uint64()
		}
		benchSink = sink
	})
	b.Run("rand.Rand/ExpFloat64", func(b *testing.B) {
		r := NewStream(1, "bench")
		var sink float64
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sink += r.ExpFloat64()
		}
		benchSink = uint64(sink)
	})
}

var benchSink uint64

func TestReplicaSeed(t *testing.T) {
	assert.Equal(t, uint64(42), ReplicaSeed(42, 0), "replica 0 runs with the master seed")
	// The first output of SplitMix64 seeded with 0 (the reference
	// implementation's well-known value).
	assert.Equal(t, uint64(0xE220A8397B1DCDAF), ReplicaSeed(0, 1))
	seen := map[uint64]int{}
	for _, master := range []uint64{0, 1, 2, 1 << 63} {
		for i := range 1000 {
			s := ReplicaSeed(master, i)
			if i > 0 {
				_, dup := seen[s]
				assert.False(t, dup, "seed %d of master %d repeats", i, master)
			}
			seen[s] = i
		}
	}
}
