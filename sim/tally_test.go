package sim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pipeshare/pipeshare/model"
	"github.com/stretchr/testify/require"
)

// TestTallySpillsWhatItCannotHold: a tally holds the first tallyLen
// (action, reason) pairs up to 65,535 calls each and refuses the others,
// and adds what it holds to Counts.
func TestTallySpillsWhatItCannotHold(t *testing.T) {
	var tl tally
	var want, got Counts
	a := model.Action(model.NumActions - 1) // the largest keys
	first := model.NumReasons - tallyLen
	for r := first; r < model.NumReasons; r++ {
		for range int(r) {
			require.True(t, tl.add(a, r))
			want[a][r]++
		}
	}
	require.False(t, tl.add(model.Search, model.ReasonShared), "no room for another pair")
	for range math.MaxUint16 - int(first) {
		require.True(t, tl.add(a, first))
	}
	want[a][first] = math.MaxUint16
	require.False(t, tl.add(a, first), "the count is full")
	require.True(t, tl.add(a, first+1))
	want[a][first+1]++
	got[model.Search][model.ReasonShared] = 7
	want[model.Search][model.ReasonShared] = 7
	tl.addTo(&got)
	require.Equal(t, want, got)
}

// TestZeroByteFindsTheLowest: zeroByte gives the index of the lowest zero
// byte of random words with zero bytes here and there, as a loop over the
// bytes does, and 8 for a word without one.
func TestZeroByteFindsTheLowest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		x := r.Uint64()
		for j := range 8 {
			if r.IntN(4) == 0 {
				x &^= 0xff << (8 * j)
			} else if r.IntN(3) == 0 {
				x = x&^(0xff<<(8*j)) | 1<<(8*j) // a 1 byte: a borrow's near miss
			}
		}
		want := 8
		for j := range 8 {
			if x>>(8*j)&0xff == 0 {
				want = j
				break
			}
		}
		require.Equal(t, want, zeroByte(x), "%#016x", x)
	}
}

// TestTalliesCountAsResultCalls: a run whose streams count in their
// tallies (those of more callers than tallyAbove's worth of Counts) gives
// the Counts of one that counts in Result.Calls directly, tallies full and
// spilling included.
func TestTalliesCountAsResultCalls(t *testing.T) {
	var calls [2][]Counts
	full := 0
	for i, on := range []bool{false, true} {
		w, cfg := w1(t, 20)
		cfg.Duration = 2 * 24 * hour
		s, errs := New(w, cfg)
		require.NotNil(t, s, errs)
		require.False(t, s.tallies, "20 callers' Counts fit the caches")
		s.tallies = on
		calls[i] = s.Run().Calls
		for _, cs := range s.streams {
			if cs.tally.keys[tallyLen-1] != 0 {
				full++
			}
		}
	}
	require.Positive(t, full, "some tallies filled up")
	require.Equal(t, calls[0], calls[1])
}
