package sim

// chunkBits sizes the chunks of a chunked slice: 2^17 elements each, 6 MiB
// of executions, so that at least 4 MiB of each lies in whole 2 MiB pages
// that can be mapped as huge pages (adviseHuge).
const chunkBits = 17

// chunked is an append-only slice stored in fixed-size chunks, so growth
// never copies or doubles what is already stored (peak memory stays close
// to the live size), and pointers to elements stay valid. With a
// pointer-free T the garbage collector never scans it.
type chunked[T any] struct {
	chunks []*[1 << chunkBits]T // arrays, so At checks only the chunk index
	n      int
	mapped int // elements of the last chunk mapped so far (mapFrom)
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
		chunk := new([1 << chunkBits]T)
		adviseHuge(chunk[:])
		c.chunks = append(c.chunks, chunk)
		c.mapped = 0
	}
	i := c.n
	if j := i & (1<<chunkBits - 1); j >= c.mapped {
		c.mapped = mapFrom(c.chunks[len(c.chunks)-1][:], j)
	}
	*c.At(i) = v
	c.n++
	return i
}

// prefault maps all of s, which was never touched (see mapFrom).
func prefault[T any](s []T) {
	for j := 0; j < len(s); j = mapFrom(s, j) {
	}
}

// deque is a FIFO queue stored in fixed-size blocks: growth touches only
// one new block at a time, and blocks emptied at the front are reused at
// the back, so a long queue costs its live size and nothing more.
type deque[T any] struct {
	blocks [][]T // blocks[0] holds the front
	spare  [][]T
	head   int // index of the front in blocks[0]
	tail   int // number of used entries in the last block
	size   int
}

const dequeBlock = 1 << 12

func (q *deque[T]) Len() int { return q.size }

func (q *deque[T]) Push(v T) {
	if len(q.blocks) == 0 || q.tail == dequeBlock {
		var b []T
		if n := len(q.spare); n > 0 {
			b, q.spare = q.spare[n-1], q.spare[:n-1]
		} else {
			b = make([]T, dequeBlock)
			prefault(b)
		}
		q.blocks = append(q.blocks, b)
		q.tail = 0
	}
	q.blocks[len(q.blocks)-1][q.tail] = v
	q.tail++
	q.size++
}

// Front returns the front; the deque must not be empty.
func (q *deque[T]) Front() *T { return &q.blocks[0][q.head] }

// PopFront drops the front; the deque must not be empty.
func (q *deque[T]) PopFront() {
	q.head++
	q.size--
	if q.size == 0 {
		// Keep the one block, empty.
		q.spare = append(q.spare, q.blocks[1:]...)
		q.blocks = q.blocks[:1]
		q.head, q.tail = 0, 0
		return
	}
	if q.head == dequeBlock {
		q.spare = append(q.spare, q.blocks[0])
		q.blocks = append(q.blocks[:0], q.blocks[1:]...)
		q.head = 0
	}
}
