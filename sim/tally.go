package sim

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/pipeshare/pipeshare/model"
)

// tallyAbove is the size of Result.Calls above which streams count in
// their tallies: smaller counters stay in the caches, where counting in
// them directly is quicker (W1's 50 callers: 72 KB; scale's 10,000: 14 MB).
const tallyAbove = 1 << 20

// countsBytes is the size of one caller's Counts.
const countsBytes = int(model.NumActions) * int(model.NumReasons) * 8

// tallyLen is how many (action, reason) counts a stream keeps in its own
// cache line: the first that occur, which are the most likely.
const tallyLen = 6

// tally counts a stream's calls of up to tallyLen (action, reason) pairs;
// Run adds them to Result.Calls at the end. A call of another pair, or of
// one whose count is full, is counted in Result.Calls at once.
type tally struct {
	// keys[j] is the tallyKey of counts[j], 0 while it is free; the last
	// two stay 0 (eight bytes, to be read as one word).
	keys   [8]uint8
	counts [tallyLen]uint16
}

// tallyKey is (a, r)'s key in a tally, from 1.
func tallyKey(a model.Action, r model.Reason) uint8 {
	return uint8(int(a)*int(model.NumReasons) + int(r) + 1)
}

// The keys fit a byte.
var _ [255 - int(model.NumActions)*int(model.NumReasons)]struct{}

// add counts a call of (a, r), false when the tally has no room for it. It
// finds the key without a loop, whose exit, at a different count for each
// action drawn, would be mispredicted on most calls.
func (t *tally) add(a model.Action, r model.Reason) bool {
	k := tallyKey(a, r)
	keys := binary.LittleEndian.Uint64(t.keys[:])
	if j := zeroByte(keys ^ uint64(k)*0x0101010101010101); j < tallyLen {
		if t.counts[j] == math.MaxUint16 {
			return false
		}
		t.counts[j]++
		return true
	}
	j := zeroByte(keys) // the first free count
	if j >= tallyLen {
		return false
	}
	t.keys[j], t.counts[j] = k, 1
	return true
}

// zeroByte returns the index of x's lowest zero byte, 8 when it has none.
// (The borrow of the subtraction can mark a byte above a zero byte, never
// one below the lowest.)
func zeroByte(x uint64) int {
	return bits.TrailingZeros64((x-0x0101010101010101)&^x&0x8080808080808080) / 8
}

// addTo adds the tally's counts to c.
func (t *tally) addTo(c *Counts) {
	for j, k := range t.keys[:tallyLen] {
		if k == 0 {
			return
		}
		k--
		c[k/uint8(model.NumReasons)][k%uint8(model.NumReasons)] += int64(t.counts[j])
	}
}
