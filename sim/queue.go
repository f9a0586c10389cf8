package sim

// EventKind identifies what an [Event] means. The domain code defines the
// values, starting at 1: the zero EventKind is invalid and [Engine.Schedule]
// refuses it.
type EventKind uint8

// Phases for [Event.Prio]: at one instant, lower Prio runs first.
const (
	// PrioLifecycle is for state changes: share lifecycle, timeline events
	// and the domain's other transitions. It is the zero Prio.
	PrioLifecycle uint8 = 0
	// PrioCall is for API calls, which see every change made at their
	// instant.
	PrioCall uint8 = 1
)

// Event is one scheduled occurrence. It is a small value with no pointers;
// the engine orders events and the domain interprets Kind and the payload
// fields A, B and C (for example a stream index, a share index, an
// execution ID).
type Event struct {
	At   Time      // when the event happens
	Seq  uint64    // assigned by the queue on push: the schedule order
	Kind EventKind // defined by the domain; 0 is invalid
	Prio uint8     // phase within one instant: lower runs first (see PrioLifecycle, PrioCall)
	A, B int32     // domain payload
	C    int32     // domain payload
}

// before reports whether a is ordered before b: by At, then Prio, then Seq.
func before(a, b *Event) bool {
	if a.At != b.At {
		return a.At < b.At
	}
	if a.Prio != b.Prio {
		return a.Prio < b.Prio
	}
	return a.Seq < b.Seq
}

// Queue is a binary min-heap of events ordered by (At, Prio, Seq). Seq is a
// counter the queue assigns on push, so events with equal At and Prio come
// out in push order and the order never depends on anything else.
//
// The zero Queue is empty and ready to use. Events are stored by value in a
// slice that is reused: once the slice has grown to the queue's peak size,
// Push and Pop do not allocate. A Queue is not safe for concurrent use.
type Queue struct {
	s   []Event
	seq uint64
}

// Len returns the number of events in q.
func (q *Queue) Len() int { return len(q.s) }

// Grow makes room for n more events without reallocating.
func (q *Queue) Grow(n int) {
	if n > cap(q.s)-len(q.s) {
		s := make([]Event, len(q.s), len(q.s)+n)
		copy(s, q.s)
		q.s = s
	}
}

// Reset empties q and restarts its Seq counter at 0, keeping its storage:
// a reset Queue behaves exactly like a new one.
func (q *Queue) Reset() {
	q.s = q.s[:0]
	q.seq = 0
}

// Push adds e to q, overwriting e.Seq with the next sequence number.
func (q *Queue) Push(e Event) {
	e.Seq = q.seq
	q.seq++
	q.s = append(q.s, e)
	siftUp(q.s, e, len(q.s)-1)
}

// siftUp places e into the hole at index i of heap s, moving parents down
// into the hole instead of swapping.
func siftUp(s []Event, e Event, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !before(&e, &s[p]) {
			break
		}
		s[i] = s[p]
		i = p
	}
	s[i] = e
}

// ReplaceTop removes the first event and adds e, as Pop then Push would,
// overwriting e.Seq with the next sequence number, in one pass down the
// heap instead of two. It panics if q is empty.
func (q *Queue) ReplaceTop(e Event) {
	if len(q.s) == 0 {
		panic("sim: ReplaceTop of empty queue")
	}
	e.Seq = q.seq
	q.seq++
	q.siftDown(e, len(q.s))
}

// Peek returns the first event in (At, Prio, Seq) order without removing
// it. It panics if q is empty.
func (q *Queue) Peek() Event {
	if len(q.s) == 0 {
		panic("sim: Peek of empty queue")
	}
	return q.s[0]
}

// Pop removes and returns the first event in (At, Prio, Seq) order. It
// panics if q is empty.
func (q *Queue) Pop() Event {
	n := len(q.s) - 1
	if n < 0 {
		panic("sim: Pop of empty queue")
	}
	s := q.s
	top := s[0]
	last := s[n]
	q.s = s[:n]
	if n > 0 {
		q.siftDown(last, n)
	}
	return top
}

// siftDown places e, which replaces the root, into the heap q.s[:n]. It
// uses Floyd's bottom-up method: move the hole at the root down to a leaf
// along the smaller children (one comparison a level), then sift e up from
// there. e is a former leaf, so it seldom rises far.
//
// In a heap that fits in the L1 cache the smaller child is picked with a
// flag move: a branch on it is mispredicted half the time. In a larger
// heap the branch is kept: its speculation loads the next level early,
// which is worth more than the mispredictions.
func (q *Queue) siftDown(e Event, n int) {
	s := q.s[:n]
	i := 0
	if n <= smallHeap {
		for c := 1; c < n; c = 2*i + 1 {
			if c+1 < n {
				c += b2i(before(&s[c+1], &s[c]))
			}
			s[i] = s[c]
			i = c
		}
	} else {
		for c := 1; c < n; c = 2*i + 1 {
			if r := c + 1; r < n && before(&s[r], &s[c]) {
				c = r
			}
			s[i] = s[c]
			i = c
		}
	}
	siftUp(s, e, i)
}

// smallHeap is the most events a heap holds in 32 KiB, a common L1 data
// cache.
const smallHeap = 32 << 10 / 32

// b2i is 1 for true, 0 for false; the compiler makes it a flag move.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
