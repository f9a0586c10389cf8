package sim

import (
	"math"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"
)

// zigEdges returns the ziggurat's edges x[0…255] as the tables hold them:
// x[0] = r, x[i] the right edge of layer i+1's rectangle, x[255] = 0.
func zigEdges() [256]float64 {
	var x [256]float64
	for i := 1; i < 256; i++ {
		x[i-1] = zigW[i] * (1 << 53)
	}
	return x
}

// TestZigTables checks the generated tables against the equations that
// define them (zigtables_gen.go), computed here with math.Exp.
func TestZigTables(t *testing.T) {
	x := zigEdges()
	require.Equal(t, zigR, x[0], "layer 1 is as wide as the base rectangle")
	// The base: the rectangle [0, r] × [0, e^-r] and the tail, area v.
	assert.InEpsilon(t, zigV, (zigR+1)*math.Exp(-zigR), 1e-14)
	assert.Equal(t, zigV*math.Exp(zigR)/(1<<53), zigW[0], "base layer's width as one rectangle")
	assert.Equal(t, math.Exp(-zigR), zigF[0])
	assert.Equal(t, 1.0, zigF[255], "the top layer reaches the density's peak")
	for i := 1; i < 256; i++ {
		require.Less(t, x[i], x[i-1], "edges decrease, layer %d", i)
		if i < 255 {
			require.InEpsilon(t, math.Exp(-x[i]), zigF[i], 1e-15, "zigF[%d]", i)
		}
		// Every layer has the same area, the top one included: the
		// ziggurat closes.
		require.InEpsilon(t, zigV, x[i-1]*(zigF[i]-zigF[i-1]), 1e-12, "layer %d's area", i)
		require.Equal(t, uint64(math.Ceil(x[i]/x[i-1]*(1<<53))), zigK[i], "zigK[%d]", i)
	}
	require.Equal(t, uint64(math.Ceil(zigR/(zigV*math.Exp(zigR))*(1<<53))), zigK[0], "zigK[0]")
	assert.Zero(t, zigK[255], "the top layer has no inner rectangle")
}

// TestExpFloat64OneDrawAndFallback draws 10^6 exponentials and checks after
// each that the stream moved exactly as one Uint64 moves it, that a draw
// inside its layer's inner rectangle returns its position, and that the
// fallback (wedge or tail) is taken at the rate the tables give.
func TestExpFloat64OneDrawAndFallback(t *testing.T) {
	const n = 1_000_000
	s := MakeStream(5, "zig")
	fallback, tail := 0, 0
	for k := range n {
		twin := s
		u := twin.Uint64()
		x := s.ExpFloat64()
		if twin != s {
			require.Failf(t, "not one draw", "draw %d advanced the stream by more than one Uint64", k)
		}
		i, j := uint8(u), u>>11
		switch {
		case j < zigK[i]:
			if x != float64(j)*zigW[i] {
				require.Failf(t, "not the position", "draw %d = %v, not its position %v", k, x, float64(j)*zigW[i])
			}
		case i == 0:
			tail++
			fallback++
			require.GreaterOrEqual(t, x, zigR, "draw %d entered the tail", k)
		default:
			fallback++
		}
	}
	// P(fallback) = 1 - (area of the inner rectangles)/(256 v).
	xe := zigEdges()
	inner := zigR * math.Exp(-zigR)
	for i := 1; i < 256; i++ {
		inner += xe[i] * (zigF[i] - zigF[i-1])
	}
	pFall := 1 - inner/(256*zigV)
	pTail := math.Exp(-zigR) / (256 * zigV)
	for _, c := range []struct {
		name  string
		count int
		p     float64
	}{{"fallback", fallback, pFall}, {"tail", tail, pTail}} {
		sd := math.Sqrt(n * c.p * (1 - c.p))
		assert.InDelta(t, n*c.p, float64(c.count), 5*sd, "%s draws", c.name)
	}
	t.Logf("fallback %d (%.3f %%), tail %d of %d", fallback, 100*float64(fallback)/n, tail, n)
}

// TestExpFloat64IsExp1 checks 5·10^6 draws at a fixed seed against Exp(1):
// mean, variance, the tail beyond r, and two chi-square tests, one over 50
// bins of equal probability and one over the ziggurat's own layers and the
// tail (where a wrong wedge or tail would show first).
func TestExpFloat64IsExp1(t *testing.T) {
	const n = 5_000_000
	s := MakeStream(1, "exp1")
	xs := make([]float64, n)
	var sum, sum2 float64
	beyond := 0
	for k := range xs {
		x := s.ExpFloat64()
		if !(x >= 0 && x < math.Inf(1)) {
			require.Failf(t, "not a finite non-negative draw", "draw %d = %v", k, x)
		}
		xs[k] = x
		sum += x
		sum2 += x * x
		if x > zigR {
			beyond++
		}
	}
	mean := sum / n
	variance := sum2/n - mean*mean
	// sd of the mean is 1/√n, of the sample variance √(8/n); allow 5 sd.
	assert.InDelta(t, 1, mean, 5/math.Sqrt(n))
	assert.InDelta(t, 1, variance, 5*math.Sqrt(8.0/n))
	pr := math.Exp(-zigR)
	assert.InDelta(t, n*pr, float64(beyond), 5*math.Sqrt(n*pr), "P(X > r) = e^-r")

	sort.Float64s(xs)
	// chi2 returns the chi-square statistic of xs (sorted) over the bins
	// [edges[b], edges[b+1]), edges increasing from 0 to +Inf.
	chi2 := func(edges []float64) float64 {
		stat, at := 0.0, 0
		for b := 0; b+1 < len(edges); b++ {
			end := sort.SearchFloat64s(xs, edges[b+1])
			want := n * (math.Exp(-edges[b]) - math.Exp(-edges[b+1]))
			d := float64(end-at) - want
			stat += d * d / want
			at = end
		}
		require.Equal(t, n, at)
		return stat
	}
	equal := make([]float64, 51)
	for b := range 50 {
		equal[b] = -math.Log1p(-float64(b) / 50)
	}
	equal[50] = math.Inf(1)
	xe := zigEdges()
	// The layers' edges, and the tail cut at r + 1 and r + 2 (beyond r the
	// draw is r + Exp(1)).
	layers := []float64{zigR + 1, zigR + 2, math.Inf(1)}
	for _, x := range xe {
		layers = append(layers, x) // r, x[1], …, 0
	}
	sort.Float64s(layers)
	for _, c := range []struct {
		name  string
		edges []float64
	}{{"equal", equal}, {"layers", layers}} {
		stat := chi2(c.edges)
		p := distuv.ChiSquared{K: float64(len(c.edges) - 2)}.Survival(stat)
		assert.Greater(t, p, 0.001, "chi-square over %s bins: %.1f on %d df", c.name, stat, len(c.edges)-2)
		t.Logf("chi-square over %d %s bins: %.1f (p = %.3f)", len(c.edges)-1, c.name, stat, p)
	}
}
