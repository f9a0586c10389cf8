package sim

// chunkBits sizes the chunks of a chunked slice: 2^13 elements each.
const chunkBits = 13

// chunked is an append-only slice stored in fixed-size chunks, so growth
// never copies or doubles what is already stored (peak memory stays close
// to the live size), and pointers to elements stay valid. With a
// pointer-free T the garbage collector never scans it.
type chunked[T any] struct {
	chunks [][]T
	n      int
}

// Len returns the number of elements.
func (c *chunked[T]) Len() int { return c.n }

// At returns a pointer to element i, which must be < Len.
func (c *chunked[T]) At(i int) *T {
	return &c.chunks[i>>chunkBits][i&(1<<chunkBits-1)]
}

// Append adds v and returns its index.
func (c *chunked[T]) Append(v T) int {
	if c.n>>chunkBits == len(c.chunks) {
		c.chunks = append(c.chunks, make([]T, 1<<chunkBits))
	}
	i := c.n
	*c.At(i) = v
	c.n++
	return i
}

// ring is a FIFO queue in a circular buffer whose length is a power of
// two (indices wrap with a mask).
type ring[T any] struct {
	buf        []T
	head, size int
}

func (r *ring[T]) Len() int { return r.size }

func (r *ring[T]) Push(v T) {
	if r.size == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.size)&(len(r.buf)-1)] = v
	r.size++
}

// grow doubles the buffer, unwrapping the queue to its start.
func (r *ring[T]) grow() {
	buf := make([]T, max(16, 2*len(r.buf)))
	k := copy(buf, r.buf[r.head:])
	copy(buf[k:], r.buf[:r.head])
	r.buf, r.head = buf, 0
}

// Front returns the head; the ring must not be empty.
func (r *ring[T]) Front() *T { return &r.buf[r.head] }

// PopFront drops the head; the ring must not be empty.
func (r *ring[T]) PopFront() {
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.size--
}
