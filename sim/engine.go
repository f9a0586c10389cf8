package sim

// Engine is the discrete-event loop: a [Queue] of events, the current
// simulated time and an inclusive horizon. The domain schedules events with
// [Engine.Schedule] and drains them with [Engine.Next]:
//
//	for e, ok := eng.Next(); ok; e, ok = eng.Next() {
//		switch e.Kind {
//		// ...
//		}
//	}
//
// The zero Engine is ready to use: its time is 0 and it has no horizon
// (every event runs). An Engine is not safe for concurrent use; replicas
// each use their own.
type Engine struct {
	q         Queue
	now       Time
	horizon   Time
	bounded   bool // false: no horizon (the zero Engine)
	processed uint64
	// taken: the queue's first event is the one Next returned last, and
	// is gone. It leaves the heap when the handler schedules its first
	// event (which takes its place, one pass down the heap instead of a
	// Pop and a Push) or at the next Next.
	taken bool
}

// NewEngine returns an Engine at time 0 with the given inclusive horizon.
func NewEngine(horizon Time) *Engine {
	return &Engine{horizon: horizon, bounded: true}
}

// Now returns the current simulated time: the At of the last event Next
// returned, or 0 before the first.
func (eng *Engine) Now() Time { return eng.now }

// Horizon returns the inclusive horizon: events at t <= Horizon() run. An
// Engine with no horizon returns [Never].
func (eng *Engine) Horizon() Time {
	if !eng.bounded {
		return Never
	}
	return eng.horizon
}

// SetHorizon sets the inclusive horizon: Next returns events with
// At <= h and stops at the first later one, which stays queued. The horizon
// may be moved either way at any time; a horizon before Now makes Next
// return false.
func (eng *Engine) SetHorizon(h Time) {
	eng.horizon = h
	eng.bounded = true
}

// Processed returns how many events Next has returned.
func (eng *Engine) Processed() uint64 { return eng.processed }

// Pending returns how many events are queued, including any after the
// horizon.
func (eng *Engine) Pending() int {
	if eng.taken {
		return eng.q.Len() - 1
	}
	return eng.q.Len()
}

// Grow makes room for n more queued events without reallocating.
func (eng *Engine) Grow(n int) { eng.q.Grow(n) }

// Reset empties the queue and sets the time and the Processed count to 0,
// keeping the horizon and the queue's storage.
func (eng *Engine) Reset() {
	eng.taken = false
	eng.q.Reset()
	eng.now = 0
	eng.processed = 0
}

// Schedule queues e; its Seq is assigned by the queue. Events after the
// horizon are kept (the horizon may move) but Next does not return them.
// Schedule panics if e.At is before Now or e.Kind is 0: both are
// programmer errors.
func (eng *Engine) Schedule(e Event) {
	if e.At < eng.now {
		panic("sim: schedule in the past")
	}
	if e.Kind == 0 {
		panic("sim: schedule of event kind 0")
	}
	if eng.taken {
		eng.taken = false
		eng.q.ReplaceTop(e)
		return
	}
	eng.q.Push(e)
}

// Next removes and returns the next event in (At, Prio, Seq) order and
// advances Now to its At. It returns false, leaving the queue and Now
// unchanged, when the queue is empty or the next event is after the
// horizon.
func (eng *Engine) Next() (Event, bool) {
	if eng.taken {
		eng.taken = false
		eng.q.Pop()
	}
	if len(eng.q.s) == 0 {
		return Event{}, false
	}
	e := eng.q.s[0]
	if eng.bounded && e.At > eng.horizon {
		return Event{}, false
	}
	eng.taken = true
	eng.now = e.At
	eng.processed++
	return e, true
}
