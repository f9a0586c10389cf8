package sim

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomEvent returns an event with few distinct At and Prio values, so
// ties on (At, Prio) are common and Seq decides often.
func randomEvent(r *rand.Rand, base Time, spread int) Event {
	return Event{
		At:   base + Time(r.IntN(spread)),
		Prio: uint8(r.IntN(3)),
		Kind: EventKind(1 + r.IntN(5)),
		A:    r.Int32(),
		B:    r.Int32(),
		C:    r.Int32(),
	}
}

// stableSorted returns evs sorted by (At, Prio) with a stable sort, so
// events that tie keep their push order: the order the queue must give.
func stableSorted(evs []Event) []Event {
	out := append([]Event(nil), evs...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].At != out[j].At {
			return out[i].At < out[j].At
		}
		return out[i].Prio < out[j].Prio
	})
	return out
}

func TestQueuePushAllPopAllMatchesStableSort(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		n := r.IntN(2000)
		var q Queue
		pushed := make([]Event, 0, n)
		for i := 0; i < n; i++ {
			e := randomEvent(r, 0, 1+r.IntN(50))
			q.Push(e)
			e.Seq = uint64(i)
			pushed = append(pushed, e)
		}
		want := stableSorted(pushed)
		got := make([]Event, 0, n)
		for q.Len() > 0 {
			require.Equal(t, q.Peek(), q.s[0])
			got = append(got, q.Pop())
		}
		require.Equal(t, want, got, "seed %d", seed)
	}
}

// TestQueueInterleavedMatchesStableSort checks random sequences of pushes
// and pops against a naive model: on each pop, the first of the pending
// events after a stable sort by (At, Prio).
func TestQueueInterleavedMatchesStableSort(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		r := rand.New(rand.NewPCG(seed, 42))
		var q Queue
		var pending []Event
		var seq uint64
		var now Time
		for op := 0; op < 4000; op++ {
			if len(pending) > 0 && r.IntN(100) < 48 {
				pending = stableSorted(pending)
				want := pending[0]
				pending = pending[1:]
				got := q.Pop()
				if got != want {
					require.Equal(t, want, got, "seed %d op %d", seed, op)
				}
				now = got.At
				continue
			}
			// Push at or after the last popped time, as an engine would,
			// and sometimes before it, which the queue also handles.
			base := now
			if r.IntN(10) == 0 && now > 0 {
				base = Time(r.Int64N(int64(now)))
			}
			e := randomEvent(r, base, 1+r.IntN(20))
			q.Push(e)
			e.Seq = seq
			seq++
			pending = append(pending, e)
			if q.Len() != len(pending) {
				require.Equal(t, len(pending), q.Len(), "seed %d op %d", seed, op)
			}
		}
		for _, want := range stableSorted(pending) {
			require.Equal(t, want, q.Pop(), "seed %d drain", seed)
		}
		require.Zero(t, q.Len())
	}
}

func TestQueueSeqAssignedOnPush(t *testing.T) {
	var q Queue
	q.Push(Event{At: 5, Seq: 99, Kind: 1})
	q.Push(Event{At: 5, Seq: 7, Kind: 2})
	q.Push(Event{At: 5, Seq: 0, Kind: 3, Prio: PrioLifecycle})
	e := q.Pop()
	assert.Equal(t, EventKind(1), e.Kind)
	assert.Equal(t, uint64(0), e.Seq)
	e = q.Pop()
	assert.Equal(t, EventKind(2), e.Kind)
	assert.Equal(t, uint64(1), e.Seq)
	assert.Equal(t, uint64(2), q.Pop().Seq)
}

func TestQueuePrioBeforeSeq(t *testing.T) {
	var q Queue
	q.Push(Event{At: 10, Kind: 1, Prio: PrioCall})
	q.Push(Event{At: 10, Kind: 2, Prio: PrioLifecycle})
	q.Push(Event{At: 9, Kind: 3, Prio: PrioCall})
	assert.Equal(t, EventKind(3), q.Pop().Kind)
	assert.Equal(t, EventKind(2), q.Pop().Kind)
	assert.Equal(t, EventKind(1), q.Pop().Kind)
}

func TestQueueEmptyPanics(t *testing.T) {
	var q Queue
	assert.PanicsWithValue(t, "sim: Pop of empty queue", func() { q.Pop() })
	assert.PanicsWithValue(t, "sim: Peek of empty queue", func() { q.Peek() })
	q.Push(Event{Kind: 1})
	q.Pop()
	assert.PanicsWithValue(t, "sim: Pop of empty queue", func() { q.Pop() })
}

func TestQueueReset(t *testing.T) {
	var q Queue
	for i := 0; i < 10; i++ {
		q.Push(Event{At: Time(10 - i), Kind: 1})
	}
	q.Reset()
	assert.Zero(t, q.Len())
	q.Push(Event{At: 3, Kind: 1})
	assert.Equal(t, Event{At: 3, Kind: 1, Seq: 0}, q.Pop(), "Reset restarts Seq")
}

func TestQueueZeroAllocsSteadyState(t *testing.T) {
	var q Queue
	q.Grow(1024)
	for i := 0; i < 1000; i++ {
		q.Push(Event{At: Time(i * 7919 % 1000), Kind: 1})
	}
	allocs := testing.AllocsPerRun(1000, func() {
		e := q.Pop()
		e.At += 500
		q.Push(e)
	})
	assert.Zero(t, allocs)
}

// BenchmarkQueue measures one Pop plus one Push (the hold model) on a queue
// kept at a fixed size.
func BenchmarkQueue(b *testing.B) {
	for _, size := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			const mask = 1<<16 - 1
			deltas := make([]Time, mask+1)
			for i := range deltas {
				deltas[i] = Time(r.Int64N(int64(size) * 1000))
			}
			var q Queue
			q.Grow(size + 1)
			for i := 0; i < size; i++ {
				q.Push(Event{At: deltas[i&mask], Kind: 1, Prio: uint8(i & 1)})
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e := q.Pop()
				e.At += deltas[i&mask]
				q.Push(e)
			}
		})
	}
}

// TestQueueReplaceTopIsPopThenPush: ReplaceTop leaves the queue giving
// the same events in the same order as Pop followed by Push.
func TestQueueReplaceTopIsPopThenPush(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		r := rand.New(rand.NewPCG(seed, 9))
		var a, b Queue
		var now Time
		for op := 0; op < 3000; op++ {
			e := randomEvent(r, now, 1+r.IntN(30))
			switch k := r.IntN(3); {
			case k == 0 || a.Len() == 0:
				a.Push(e)
				b.Push(e)
			case k == 1:
				now = a.Pop().At
				require.Equal(t, now, b.Pop().At)
			default:
				now = a.Peek().At
				e.At = max(e.At, now)
				a.Pop()
				a.Push(e)
				b.ReplaceTop(e)
			}
			require.Equal(t, a.Len(), b.Len())
		}
		for a.Len() > 0 {
			require.Equal(t, a.Pop(), b.Pop(), "seed %d", seed)
		}
	}
}
