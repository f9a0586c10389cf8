package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func drain(eng *Engine) []Event {
	var out []Event
	for e, ok := eng.Next(); ok; e, ok = eng.Next() {
		out = append(out, e)
	}
	return out
}

func TestEngineHorizonInclusive(t *testing.T) {
	eng := NewEngine(100)
	for _, at := range []Time{101, 100, 0, 99, 100, Never} {
		eng.Schedule(Event{At: at, Kind: 1})
	}
	got := drain(eng)
	var ats []Time
	for _, e := range got {
		ats = append(ats, e.At)
	}
	assert.Equal(t, []Time{0, 99, 100, 100}, ats, "events at exactly the horizon run")
	assert.Equal(t, Time(100), eng.Now())
	assert.Equal(t, uint64(4), eng.Processed())
	assert.Equal(t, 2, eng.Pending(), "later events stay queued")

	// Next keeps returning false, without moving time.
	_, ok := eng.Next()
	assert.False(t, ok)
	assert.Equal(t, Time(100), eng.Now())

	// Extending the horizon releases the queued events.
	eng.SetHorizon(200)
	assert.Equal(t, Time(200), eng.Horizon())
	e, ok := eng.Next()
	require.True(t, ok)
	assert.Equal(t, Time(101), e.At)
	_, ok = eng.Next()
	assert.False(t, ok)
	assert.Equal(t, uint64(5), eng.Processed())
}

func TestEngineZeroValueUnbounded(t *testing.T) {
	var eng Engine
	assert.Equal(t, Never, eng.Horizon())
	eng.Schedule(Event{At: Never, Kind: 1})
	eng.Schedule(Event{At: 5, Kind: 1})
	got := drain(&eng)
	require.Len(t, got, 2)
	assert.Equal(t, Never, eng.Now())
}

func TestEngineHorizonBeforeNow(t *testing.T) {
	eng := NewEngine(Never)
	eng.Schedule(Event{At: 50, Kind: 1})
	eng.Schedule(Event{At: 60, Kind: 1})
	_, ok := eng.Next()
	require.True(t, ok)
	eng.SetHorizon(10)
	_, ok = eng.Next()
	assert.False(t, ok)
	assert.Equal(t, Time(50), eng.Now())
}

func TestEngineSchedulePanics(t *testing.T) {
	eng := NewEngine(Never)
	eng.Schedule(Event{At: 10, Kind: 1})
	_, ok := eng.Next()
	require.True(t, ok)
	assert.PanicsWithValue(t, "sim: schedule in the past", func() {
		eng.Schedule(Event{At: 9, Kind: 1})
	})
	assert.NotPanics(t, func() { eng.Schedule(Event{At: 10, Kind: 1}) }, "now is not the past")
	assert.PanicsWithValue(t, "sim: schedule of event kind 0", func() {
		eng.Schedule(Event{At: 11})
	})
}

func TestEnginePhaseOrder(t *testing.T) {
	eng := NewEngine(Never)
	// A call scheduled first and a lifecycle change scheduled second, at the
	// same instant: the change runs first.
	eng.Schedule(Event{At: 7, Kind: 2, Prio: PrioCall, A: 1})
	eng.Schedule(Event{At: 7, Kind: 1, Prio: PrioLifecycle, A: 2})
	eng.Schedule(Event{At: 7, Kind: 2, Prio: PrioCall, A: 3})
	eng.Schedule(Event{At: 7, Kind: 1, Prio: PrioLifecycle, A: 4})
	var as []int32
	for _, e := range drain(eng) {
		as = append(as, e.A)
	}
	assert.Equal(t, []int32{2, 4, 1, 3}, as)
}

func TestEngineEventsScheduledDuringRunAtNow(t *testing.T) {
	eng := NewEngine(Never)
	eng.Schedule(Event{At: 1, Kind: 1})
	var order []EventKind
	for e, ok := eng.Next(); ok; e, ok = eng.Next() {
		order = append(order, e.Kind)
		if e.Kind == 1 {
			eng.Schedule(Event{At: eng.Now(), Kind: 2}) // same instant
			eng.Schedule(Event{At: eng.Now() + 1, Kind: 3})
		}
	}
	assert.Equal(t, []EventKind{1, 2, 3}, order)
}

func TestEngineReset(t *testing.T) {
	eng := NewEngine(100)
	eng.Schedule(Event{At: 5, Kind: 1})
	drain(eng)
	eng.Schedule(Event{At: 50, Kind: 1})
	eng.Reset()
	assert.Zero(t, eng.Now())
	assert.Zero(t, eng.Processed())
	assert.Zero(t, eng.Pending())
	assert.Equal(t, Time(100), eng.Horizon())
	assert.NotPanics(t, func() { eng.Schedule(Event{At: 0, Kind: 1}) })
}

func TestFromDuration(t *testing.T) {
	assert.Equal(t, Time(90*time.Second), FromDuration(90*time.Second))
}

func TestEngineZeroAllocs(t *testing.T) {
	eng := NewEngine(Never)
	eng.Grow(128)
	for i := 0; i < 100; i++ {
		eng.Schedule(Event{At: Time(i), Kind: 1})
	}
	allocs := testing.AllocsPerRun(1000, func() {
		e, _ := eng.Next()
		e.At += 100
		eng.Schedule(e)
	})
	assert.Zero(t, allocs)
}

// BenchmarkEngineScheduleNext measures one Next plus one Schedule on an
// engine holding a fixed number of events.
func BenchmarkEngineScheduleNext(b *testing.B) {
	for _, size := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 4))
			const mask = 1<<16 - 1
			deltas := make([]Time, mask+1)
			for i := range deltas {
				deltas[i] = Time(r.Int64N(int64(size) * 1000))
			}
			eng := NewEngine(Never)
			eng.Grow(size + 1)
			for i := 0; i < size; i++ {
				eng.Schedule(Event{At: deltas[i&mask], Kind: 1})
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e, _ := eng.Next()
				e.At += deltas[i&mask]
				eng.Schedule(e)
			}
		})
	}
}

// ExampleEngine runs a share that comes into force at 2m and a call at the
// same instant: the lifecycle change runs first.
func ExampleEngine() {
	const (
		shareActive EventKind = 1 + iota
		call
	)
	eng := NewEngine(FromDuration(time.Hour)) // inclusive horizon
	eng.Schedule(Event{At: FromDuration(2 * time.Minute), Kind: call, Prio: PrioCall})
	eng.Schedule(Event{At: FromDuration(2 * time.Minute), Kind: shareActive, Prio: PrioLifecycle})
	eng.Schedule(Event{At: FromDuration(time.Hour), Kind: call, Prio: PrioCall})
	eng.Schedule(Event{At: FromDuration(2 * time.Hour), Kind: call, Prio: PrioCall})

	active := false
	for e, ok := eng.Next(); ok; e, ok = eng.Next() {
		switch e.Kind {
		case shareActive:
			active = true
			fmt.Println(eng.Now(), "share active")
		case call:
			fmt.Println(eng.Now(), "call allowed:", active)
		}
	}
	fmt.Println("processed", eng.Processed(), "pending", eng.Pending())
	// Output:
	// 2m0s share active
	// 2m0s call allowed: true
	// 1h0m0s call allowed: true
	// processed 3 pending 1
}

// TestEngineMatchesPopPushModel: an engine whose handlers schedule zero,
// one or more events per event returns the same events, Pending counts
// and Seq numbers as a queue that pops each event before its handler runs.
func TestEngineMatchesPopPushModel(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 5))
		eng := NewEngine(5000)
		var model Queue
		for range 20 {
			e := randomEvent(r, 0, 50)
			eng.Schedule(e)
			model.Push(e)
		}
		for e, ok := eng.Next(); ok; e, ok = eng.Next() {
			want := model.Pop()
			require.Equal(t, want, e, "seed %d", seed)
			require.Equal(t, model.Len(), eng.Pending())
			for range r.IntN(3) {
				n := randomEvent(r, e.At, 40)
				eng.Schedule(n)
				model.Push(n)
				require.Equal(t, model.Len(), eng.Pending())
			}
		}
		if model.Len() > 0 {
			require.Greater(t, model.Peek().At, Time(5000), "seed %d: the engine stopped early", seed)
		}
		require.Equal(t, model.Len(), eng.Pending(), "events after the horizon stay queued")
	}
}
