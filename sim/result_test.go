package sim

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHistogramAddMatchesLog2 checks that Add's table walk files every
// duration in the bucket of its definition, 1 + int(math.Log2(d)*4):
// every duration up to 2^17, a window around each bucket floor and each
// power of two, and a million durations spread over every magnitude.
func TestHistogramAddMatchesLog2(t *testing.T) {
	var h Histogram
	check := func(d Time) {
		if d <= 0 {
			return
		}
		want := histBucket(d)
		before := h.Buckets[want]
		h.Add(d)
		if h.Buckets[want] != before+1 {
			require.Failf(t, "wrong bucket", "duration %d: not in bucket %d", d, want)
		}
	}
	for d := Time(1); d <= 1<<17; d++ {
		check(d)
	}
	for i, f := range histFloor {
		if f == math.MaxUint64 {
			require.Greater(t, i, histBucket(math.MaxInt64), "only buckets past the largest duration's have no floor")
			continue
		}
		for d := Time(f) - 2000; d <= Time(f)+2000 && d >= 0; d++ {
			check(d)
		}
	}
	for e := 17; e < 63; e++ {
		for d := Time(1)<<e - 2000; d <= Time(1)<<e+2000; d++ {
			check(d)
		}
	}
	s := MakeStream(1, "histogram")
	for range 1_000_000 {
		check(Time(s.Uint64() >> (1 + s.IntN(63)))) // below 2^62 … 2^0
	}
	check(math.MaxInt64)
}

// BenchmarkHistogramAdd compares Add with filing by the definition's
// logarithm, over waits of magnitudes from 2 ms (2^21 ns) to 13 days.
func BenchmarkHistogramAdd(b *testing.B) {
	s := MakeStream(1, "histogram")
	ds := make([]Time, 4096)
	for i := range ds {
		ds[i] = Time(s.Uint64() >> (14 + s.IntN(30)))
	}
	var h Histogram
	b.Run("table", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			h.Add(ds[i&4095])
		}
	})
	b.Run("log2", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			h.Buckets[histBucket(ds[i&4095])]++
		}
	})
}
