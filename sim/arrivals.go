package sim

import (
	"math"
	"math/bits"
)

// Sampling helpers for the workload generator. Each consumes exactly one
// draw from its Stream, whatever its arguments and result (even when it
// returns 0 or -1), so the draws per generated call stay fixed.

// Exponential returns an exponentially distributed delay with the given
// mean: the inter-arrival time of a Poisson process with rate 1/mean. It
// consumes exactly one draw. The result is rounded to the nanosecond and is
// at least 0; a mean <= 0 gives 0. A result beyond int64 saturates to Never.
func Exponential(s *Stream, mean Time) Time {
	x := s.ExpFloat64()
	if mean <= 0 {
		return 0
	}
	return fromFloat(x * float64(mean))
}

// ExponentialRate is [Exponential] with the rate given as events per
// nanosecond instead of a mean (one draw). A rate <= 0 or NaN means no
// further event: it returns Never.
func ExponentialRate(s *Stream, perNs float64) Time {
	x := s.ExpFloat64()
	if !(perNs > 0) {
		return Never
	}
	return fromFloat(x / perNs)
}

// UniformIndex returns an index in [0, n) drawn uniformly (one draw; see
// [Stream.IntN]). If n <= 0 it still consumes its draw and returns -1, so
// "pick one of none" keeps the stream aligned.
func UniformIndex(s *Stream, n int) int {
	u := s.Uint64()
	if n <= 0 {
		return -1
	}
	return mulHigh(u, n)
}

// WeightedIndex returns an index drawn with the weights whose normalised
// cumulative sums are cumulative (see [Cumulative]): index i with
// probability cumulative[i] - cumulative[i-1]. It consumes exactly one
// Float64 draw u and returns the smallest i with u < cumulative[i], found by
// counting (up to 8 weights) or binary search, so an index with zero weight
// is never returned. If u is
// not below the last element (cumulative not normalised), it returns the
// last index. If cumulative is empty it consumes its draw and returns -1.
func WeightedIndex(s *Stream, cumulative []float64) int {
	u := s.Float64()
	n := len(cumulative)
	if n == 0 {
		return -1
	}
	if n <= 8 {
		// A few actions: count the sums u is not below, with flag moves
		// (the same index; a binary search mispredicts its branches).
		i := 0
		for _, c := range cumulative[:n-1] {
			i += b2i(u >= c)
		}
		return i
	}
	lo, hi := 0, n-1 // the answer is in [lo, hi]
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if u < cumulative[m] {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// Cumulative writes the normalised cumulative sums of weights to dst[:0]
// (allocating if dst is too small) and returns it: element i is
// (w[0]+…+w[i]) / (w[0]+…+w[n-1]), and every element from the last positive
// weight on is exactly 1. It panics if a weight is negative, NaN or
// infinite, or if all weights are zero; input is validated before it gets
// here.
func Cumulative(dst, weights []float64) []float64 {
	var total float64
	for _, w := range weights {
		if !(w >= 0) || math.IsInf(w, 1) {
			panic("sim: Cumulative of a negative or non-finite weight")
		}
		total += w
	}
	if !(total > 0) || math.IsInf(total, 1) {
		panic("sim: Cumulative of weights with no positive or a non-finite total")
	}
	dst = dst[:0]
	var sum float64
	for _, w := range weights {
		sum += w
		dst = append(dst, sum/total)
	}
	return dst
}

// mulHigh maps a uniform 64-bit u to [0, n): the high word of u × n.
func mulHigh(u uint64, n int) int {
	hi, _ := bits.Mul64(u, uint64(n))
	return int(hi)
}
