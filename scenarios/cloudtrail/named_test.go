package cloudtrail

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNamedCountsNeverForgetEarly adds calls naming random executions,
// then takes them in a random order: an execution stays pending until its
// own last call is taken (whatever other keys share its count), and
// nothing is pending once every call is taken, when take has dropped
// the keys (the second and third cases have more than namedCompact). The
// third case has more executions than namedMax, so the keys are coarsened.
func TestNamedCountsNeverForgetEarly(t *testing.T) {
	defer func(m int) { namedMax = m }(namedMax)
	namedMax = 1 << 14
	for _, distinct := range []int{1000, 10_000, 3 * namedBatch} {
		r := rand.New(rand.NewPCG(uint64(distinct), 3))
		ids := make([]uint32, distinct)
		for i := range ids {
			ids[i] = r.Uint32() | 1
		}
		var calls []uint32 // one per naming call
		n := &namedCounts{}
		for _, id := range ids {
			for range 1 + r.IntN(3) {
				calls = append(calls, id)
				n.add(id)
			}
		}
		n.merge()
		if distinct > namedMax {
			require.Positive(t, n.shift, "the keys were coarsened")
			require.LessOrEqual(t, len(n.keys), namedMax)
		} else {
			require.Zero(t, n.shift)
		}
		r.Shuffle(len(calls), func(i, j int) { calls[i], calls[j] = calls[j], calls[i] })
		left := map[uint32]int{}
		for _, id := range calls {
			left[id]++
		}
		for _, id := range calls {
			left[id]--
			last := n.take(id)
			if left[id] > 0 && (last || !n.pending(id)) {
				t.Fatalf("%x forgotten with %d calls naming it ahead", id, left[id])
			}
		}
		for _, id := range ids {
			require.False(t, n.pending(id), "every call was taken")
		}
		require.Less(t, len(n.keys), namedCompact, "take dropped the keys no call names")
	}
}
