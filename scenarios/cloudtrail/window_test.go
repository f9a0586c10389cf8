package cloudtrail

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWindowTakesEarliest pushes calls mostly in order, some out of order,
// and takes them between pushes: a file's window always hands over its
// earliest call by (eventTime, read order), whether it waits in the run or
// in the heap.
func TestWindowTakesEarliest(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	f := &ctFile{}
	var want []item // what the window holds, sorted
	seq := uint64(0)
	at := int64(0)
	for range 100_000 {
		if r.IntN(3) > 0 || len(want) == 0 {
			at += int64(r.IntN(3))
			it := item{at: at, seq: seq}
			if r.IntN(10) == 0 {
				it.at -= int64(r.IntN(50)) // out of order
			}
			seq++
			f.pushItem(it)
			i, _ := slices.BinarySearchFunc(want, it, func(a, b item) int {
				if itemLess(&a, &b) {
					return -1
				}
				return 1
			})
			want = slices.Insert(want, i, it)
		} else {
			require.Equal(t, len(want), f.waiting())
			require.Equal(t, want[0], *f.head())
			got := f.popItem()
			require.Equal(t, want[0], got)
			want = want[1:]
		}
	}
	require.NotEmpty(t, f.win, "some calls waited in the heap")
}
