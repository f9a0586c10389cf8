package plan

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Confidence is the level of the confidence intervals of [Estimate].
const Confidence = 0.95

// Estimate describes one quantity over N replicas: its mean, its 5th, 50th
// and 95th percentiles (gonum's stat.Quantile with stat.Empirical: the
// p-percentile is the lowest replica value with at least a fraction p of
// the replicas at or below it, so it is always a value some replica had;
// with fewer than 20 replicas p5 is the minimum and p95 the maximum) and
// the 95 % confidence interval of the mean, mean ± t·s/√N with s the sample
// standard deviation and t the 0.975 quantile of Student's t with N − 1
// degrees of freedom. With N = 1 there is no interval: HasCI is false and
// CILow, CIHigh are 0. It is the one statistic of replicas in pipeshare:
// run --replicas reports it too (report.ReplicaStat).
type Estimate struct {
	Mean, P5, P50, P95 float64
	CILow, CIHigh      float64
	HasCI              bool
}

// NewEstimate computes the Estimate of xs (one value per replica). It
// panics when xs is empty. xs is not modified.
func NewEstimate(xs []float64) Estimate {
	if len(xs) == 0 {
		panic("plan: NewEstimate of no values")
	}
	sorted := slices.Clone(xs)
	slices.Sort(sorted)
	e := Estimate{
		Mean: stat.Mean(xs, nil),
		P5:   stat.Quantile(0.05, stat.Empirical, sorted, nil),
		P50:  stat.Quantile(0.50, stat.Empirical, sorted, nil),
		P95:  stat.Quantile(0.95, stat.Empirical, sorted, nil),
	}
	if n := len(xs); n > 1 {
		sd := stat.StdDev(xs, nil)
		half := tQuantile(n-1) * sd / math.Sqrt(float64(n))
		e.CILow, e.CIHigh, e.HasCI = e.Mean-half, e.Mean+half, true
	}
	return e
}

// tTable holds tQuantile for the degrees of freedom a plan usually has:
// the quantile is costly (an inverse incomplete beta function) and a plan
// computes thousands of estimates.
var tTable = func() []float64 {
	out := make([]float64, 129)
	for df := 1; df < len(out); df++ {
		out[df] = studentsT(df)
	}
	return out
}()

// tQuantile returns the 0.975 quantile of Student's t with df degrees of
// freedom.
func tQuantile(df int) float64 {
	if df < len(tTable) {
		return tTable[df]
	}
	return studentsT(df)
}

func studentsT(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(1 - (1-Confidence)/2)
}

// overlaps reports whether a's and b's intervals overlap; without an
// interval on either side they cannot be told apart, so they do.
func overlaps(a, b *Estimate) bool {
	if !a.HasCI || !b.HasCI {
		return true
	}
	return a.CILow <= b.CIHigh && b.CILow <= a.CIHigh
}
