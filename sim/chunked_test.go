package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChunkedAcrossChunks: elements appended across several chunks read
// back at their indices, and pointers taken before later appends stay
// valid.
func TestChunkedAcrossChunks(t *testing.T) {
	var c chunked[execution]
	n := 2<<chunkBits + 5
	first := (*execution)(nil)
	for i := range n {
		require.Equal(t, i, c.Append(execution{pipeline: int32(i), setPos: int32(-i)}))
		if i == 0 {
			first = c.At(0)
		}
	}
	require.Equal(t, n, c.Len())
	for _, i := range []int{0, 1, 1<<chunkBits - 1, 1 << chunkBits, n - 1} {
		assert.Equal(t, int32(i), c.At(i).pipeline)
		assert.Equal(t, int32(-i), c.At(i).setPos)
	}
	assert.Same(t, first, c.At(0))
}

// TestMapFromAdvances: mapping a store from any element reports more of it
// mapped than that element, up to all of it, so a store maps ahead of its
// writes and prefault ends.
func TestMapFromAdvances(t *testing.T) {
	s := make([]execution, 3<<16+7) // over 9 MiB: several 2 MiB pages
	for j := 0; j < len(s); {
		next := mapFrom(s, j)
		require.Greater(t, next, j, "from %d", j)
		require.LessOrEqual(t, next, len(s))
		j = next
	}
	assert.Equal(t, len(s), mapFrom(s, len(s)-1))
	// 86 executions from a page boundary end 32 bytes into a page: the
	// last one straddles it, and mapping from it still advances.
	assert.Equal(t, 86, mapFrom(s[:86], 85))
}
