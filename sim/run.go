package sim

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/pipeshare/pipeshare/model"
)

// Event kinds of the simulated domain.
const (
	evTimeline EventKind = iota + 1 // A: index of the next model event
	evCall                          // A: caller stream index
	evTrace                         // the current trace record
)

// callerStream is one expanded caller of one workload entry: its own random
// stream, tally of calls and arrival state, in one 64-byte cache line (a
// test holds it to that size), so that a call counts in the line it draws
// from.
type callerStream struct {
	rng      Stream
	tally    tally
	workload int32
	callPlan int32 // the workload's, in Sim.callPlans
	// pair is the caller and, when the workload has one target, that
	// target with its decision slot ([model.World.PairRef]).
	pair   model.PairRef
	slot   int32 // index into Result.Callers
	nextAt int32 // ArrivalAt: index of the next listed time
}

// workload is a resolved workload entry.
type workload struct {
	name     string
	targets  []model.PipelineID
	callPlan int32 // in Sim.callPlans
}

// Sim runs one scenario. It is single-threaded and deterministic: the same
// World, Config and seed give the same Result.
type Sim struct {
	w         *model.World
	horizon   Time
	seed      uint64
	eng       Engine
	workloads []workload
	callPlans []callPlan // the workloads' (callplan.go)
	streams   []callerStream
	res       Result

	ex        execState
	bucket    int  // the series bucket of the current call time
	bucketEnd Time // where that bucket ends
	progress  func(now Time, calls uint64)
	calls     uint64 // calls made

	trace         TraceSource
	traceCur      TraceCall
	slots         map[model.PrincipalID]int32 // caller slots (replay adds callers as they appear)
	principalAcct []int32                     // account index of every principal
	execByID      map[string]int32            // recorded execution ID → simulated execution, while a later call names it
	required      [][]string                  // per pipeline, its parameters without a default (nil when none has one)
	sink          CallSink
	sinkRec       CallRecord
	sinkParams    []Param // sinkRec's Params
	every         uint64
	quotaEvents   []QuotaEvent
	quotaAcct     []int32  // account index of each set_quota event
	dp            *dataSim // the data plane; nil without buckets or keys
	tallies       bool     // streams count their calls in their tallies
}

// Counts holds one caller's calls by action and final reason.
type Counts [model.NumActions][model.NumReasons]int64

// Result is what a run produced: aggregated counters only, no per-call
// records.
type Result struct {
	World    *model.World
	Seed     uint64
	Duration Time // the horizon the run used
	// Callers are the principals that made calls, in order of first
	// appearance in the workload; Calls is indexed like Callers.
	Callers []model.PrincipalID
	Calls   []Counts
	// Events is the number of engine events processed.
	Events uint64
	// SearchReturned is the number of allowed Search calls whose results
	// held their target pipeline ([model.World.Visible]): a Search is
	// decided in the caller's own account, shares decide what it returns.
	SearchReturned int64

	Executions ExecStats
	Steps      StepStats
	Series     Series
	// Replay is, for a replayed trace, each caller's calls by recorded and
	// simulated outcome (indexed like Callers); Trace describes the replay.
	Replay []ReplayCounts
	Trace  TraceStats
	// Ledger is the owner accounts' consumption, one row per (payer,
	// initiator, pipeline, share, instance type), sorted by those keys.
	Ledger []LedgerRow
	// QuotaEvents are the run's set_quota events (the model's timeline
	// events are World's), for reports that mark them on time charts.
	QuotaEvents []QuotaEvent
	// Data is the data plane of the executions (data.go).
	Data DataStats
}

// New resolves cfg's workload against w and prepares a run. It returns every
// reference error at its position; the *Sim is nil when there is one.
// The run owns w: it applies the timeline to it.
func New(w *model.World, cfg *Config) (*Sim, []*model.PosError) {
	s := &Sim{w: w, horizon: cfg.Duration, seed: cfg.Seed}
	s.res = Result{World: w, Seed: cfg.Seed, QuotaEvents: cfg.QuotaEvents}
	var errs []*model.PosError
	errorf := func(pos model.Pos, format string, args ...any) {
		errs = append(errs, &model.PosError{Pos: pos, Msg: fmt.Sprintf(format, args...)})
	}
	slots := map[model.PrincipalID]int32{}
	var pn callPlanner
	for i := range cfg.Workload {
		wc := &cfg.Workload[i]
		wl := workload{name: wc.Name}
		wp := callPlan{arrival: wc.Arrival, from: wc.From, to: wc.To}
		if wl.name == "" {
			wl.name = strconv.Itoa(i)
		}
		if len(wc.Targets) == 1 && wc.Targets[0].S == "all" {
			wl.targets = w.PipelinesByARN()
		}
		for _, t := range wc.Targets {
			if t.S == "all" {
				if len(wc.Targets) > 1 {
					errorf(t.Pos, "targets: all must be alone")
				}
				continue
			}
			p, err := w.LookupPipeline(t.S)
			if err != nil {
				errorf(t.Pos, "%v", err)
				continue
			}
			wl.targets = append(wl.targets, p)
		}
		if len(wl.targets) == 0 && len(wc.Targets) == 0 {
			errorf(wc.Pos, "workload %q has no targets", wl.name)
		}
		total := 0.0
		for _, aw := range wc.Actions {
			total += aw.Weight
		}
		acc := 0.0
		for _, aw := range wc.Actions {
			acc += aw.Weight
			wp.actions = append(wp.actions, aw.Action)
			wp.cum = append(wp.cum, acc/total)
		}
		if total <= 0 {
			errorf(wc.Pos, "workload %q: action weights must sum to more than 0", wl.name)
		}
		wp.oneTarget = len(wl.targets) == 1
		wl.callPlan = pn.intern(&s.callPlans, wp)
		wi := int32(len(s.workloads))
		for _, c := range wc.Callers {
			ps, err := w.LookupCallers(c.S)
			if err != nil {
				errorf(c.Pos, "%v", err)
				continue
			}
			for _, p := range ps {
				slot, ok := slots[p]
				if !ok {
					slot = int32(len(s.res.Callers))
					slots[p] = slot
					s.res.Callers = append(s.res.Callers, p)
				}
				key := "workload/" + wl.name + "/" + w.CallerString(p)
				s.streams = append(s.streams, callerStream{rng: MakeStream(cfg.Seed, key),
					workload: wi, callPlan: wl.callPlan, pair: model.PairRef{Principal: p}, slot: slot})
			}
		}
		s.workloads = append(s.workloads, wl)
	}
	errs = append(errs, s.buildExec(cfg)...)
	if model.HasErrors(errs) {
		return nil, errs
	}
	acct := map[model.AccountID]int32{}
	for i, id := range w.AccountIDs() {
		acct[id] = int32(i)
	}
	s.principalAcct = make([]int32, w.NumPrincipals())
	for p := range s.principalAcct {
		s.principalAcct[p] = acct[w.PrincipalAccount(model.PrincipalID(p))]
	}
	for i := range s.streams {
		cs := &s.streams[i]
		if s.callPlans[cs.callPlan].oneTarget {
			cs.pair = w.PairRef(cs.pair.Principal, s.workloads[cs.workload].targets[0])
		}
	}
	s.slots = slots
	s.res.Calls = make([]Counts, len(s.res.Callers))
	s.tallies = len(s.res.Calls)*countsBytes > tallyAbove
	return s, errs
}

// SetHorizon replaces the run's horizon (run --until).
func (s *Sim) SetHorizon(t Time) { s.horizon = t }

// Horizon returns the run's horizon.
func (s *Sim) Horizon() Time { return s.horizon }

// OnProgress makes Run call fn after every `every` events with the
// simulated time reached and the calls made so far (a progress line: the
// caller may read the wall clock; the simulation does not).
func (s *Sim) OnProgress(every uint64, fn func(now Time, calls uint64)) {
	s.every, s.progress = max(every, 1), fn
}

// CallsMade returns the number of calls made so far.
func (s *Sim) CallsMade() uint64 { return s.calls }

// Run runs the scenario to its horizon and returns the result.
func (s *Sim) Run() *Result {
	res, _ := s.RunContext(context.Background()) // never cancelled
	return res
}

// cancelEvery is how often RunContext looks at its context: every 65,536
// events, a context read per 65,536.
const cancelEvery = 1 << 16

// RunContext is [Sim.Run] that gives up when ctx is done (an interrupt):
// it looks at ctx every 65,536 events and then returns ctx's error and no
// result. A run that is not cancelled is exactly Run's.
func (s *Sim) RunContext(ctx context.Context) (*Result, error) {
	s.start()
	look := s.nextLook(0) // one comparison per event: when to call progress or read ctx next
	for e, ok := s.eng.Next(); ok; e, ok = s.eng.Next() {
		if n := s.eng.Processed(); n >= look {
			if s.progress != nil && n%s.every == 0 {
				s.progress(e.At, s.calls)
			}
			if n%cancelEvery == 0 && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			look = s.nextLook(n)
		}
		s.handle(e)
	}
	for i := range s.streams {
		cs := &s.streams[i]
		cs.tally.addTo(&s.res.Calls[cs.slot])
	}
	s.finishRun(s.horizon)
	s.res.Duration = s.horizon
	s.res.Events = s.eng.Processed()
	s.res.Ledger = s.sortedLedger()
	s.res.Data = s.dataStats()
	return &s.res, nil
}

// nextLook is the event count after n at which RunContext next calls the
// progress callback (every s.every events) or reads its context (every
// cancelEvery events).
func (s *Sim) nextLook(n uint64) uint64 {
	next := (n/cancelEvery + 1) * cancelEvery
	if s.progress != nil {
		next = min(next, (n/s.every+1)*s.every)
	}
	return next
}

// start sets the horizon and the series' buckets and schedules the first
// events: the timeline's, the quota changes, every caller's first call and
// the trace's first record.
func (s *Sim) start() {
	s.eng.SetHorizon(s.horizon)
	s.res.Series.Bucket = max(s.horizon/SeriesBuckets+1, 1)
	s.bucketEnd = s.res.Series.Bucket
	if s.w.NumEvents() > 0 {
		s.eng.Schedule(Event{At: s.w.EventAt(0), Kind: evTimeline, Prio: PrioLifecycle})
	}
	for i, q := range s.quotaEvents {
		s.schedule(0, q.At, evQuota, int32(i), 0, 0)
	}
	for i := range s.streams {
		s.scheduleFirst(int32(i))
	}
	if s.trace != nil {
		s.res.Replay = make([]ReplayCounts, len(s.res.Callers))
		s.nextTrace(0)
	}
}

// handle processes one event of the run.
func (s *Sim) handle(e Event) {
	switch e.Kind {
	case evTimeline:
		s.w.ApplyNext()
		if n := s.w.Applied(); n < s.w.NumEvents() {
			s.eng.Schedule(Event{At: s.w.EventAt(n), Kind: evTimeline, Prio: PrioLifecycle})
		}
	case evCall:
		s.call(e.At, e.A)
	case evTrace:
		s.replay(e.At)
	case evStepEnd:
		s.stepEnd(e.At, e.A, int(e.B), uint16(e.C))
	case evStepRetry:
		s.stepRetry(e.At, e.A, int(e.B), uint16(e.C))
	case evStopDone:
		s.stopDone(e.At, e.A, uint16(e.C))
	case evTimeout:
		s.timeout(e.At, e.A, uint16(e.C))
	case evQuota:
		s.setQuota(e.At, e.A)
	case evStepDenied:
		s.stepDenied(e.At, e.A, int(e.B), uint16(e.C))
	}
}

// sortedLedger returns the ledger sorted by payer, initiator, pipeline,
// share and instance type.
func (s *Sim) sortedLedger() []LedgerRow {
	rows := append([]LedgerRow(nil), s.ex.ledger...)
	w := s.w
	sort.Slice(rows, func(i, j int) bool {
		a, b := &rows[i], &rows[j]
		if a.Payer != b.Payer {
			return a.Payer < b.Payer
		}
		if ca, cb := w.CallerString(a.Initiator), w.CallerString(b.Initiator); ca != cb {
			return ca < cb
		}
		if a.Pipeline != b.Pipeline {
			return w.PipelineARN(a.Pipeline) < w.PipelineARN(b.Pipeline)
		}
		if a.Share != b.Share {
			return a.Share < b.Share
		}
		return a.InstanceType < b.InstanceType
	})
	return rows
}

func (s *Sim) scheduleFirst(i int32) {
	cs := &s.streams[i]
	p := &s.callPlans[cs.callPlan]
	var at Time
	switch p.arrival.Kind {
	case ArrivalRate:
		d := ExponentialRate(&cs.rng, p.arrival.PerNs)
		if d > s.horizon-p.from {
			return
		}
		at = p.from + d
	case ArrivalEvery:
		at = p.from
	case ArrivalAt:
		if len(p.arrival.At) == 0 {
			return
		}
		at = p.arrival.At[0]
		cs.nextAt = 1
	}
	s.scheduleCall(i, at)
}

func (s *Sim) scheduleCall(i int32, at Time) {
	p := &s.callPlans[s.streams[i].callPlan]
	if at < p.from || at > p.to || at > s.horizon {
		return
	}
	s.eng.Schedule(Event{At: at, Kind: evCall, Prio: PrioCall, A: i})
}

// call makes one call of stream i at time now and schedules the next. Every
// call draws the same four numbers (target, action, execution pick, next
// arrival) whatever its outcome, so runs that differ in permissions stay
// aligned (common random numbers).
func (s *Sim) call(now Time, i int32) {
	cs := &s.streams[i]
	p := &s.callPlans[cs.callPlan]
	pair := cs.pair
	if p.oneTarget {
		UniformIndex(&cs.rng, 1) // the draw of the one target, which pair holds
	} else {
		targets := s.workloads[cs.workload].targets
		pair.Pipeline = targets[UniformIndex(&cs.rng, len(targets))]
	}
	action := p.actions[WeightedIndex(&cs.rng, p.cum)]
	pick := cs.rng.Uint64() // the execution a Stop or Retry picks

	r := callReq{at: now, pair: pair, slot: cs.slot, action: action, pick: pick, recorded: notRecorded}
	if s.tallies {
		r.tally = &cs.tally
	}
	if s.dp != nil && action == model.StartPipelineExecution {
		r.params = s.dp.startParams(cs.workload, r.pair.Principal, r.pair.Pipeline)
	}
	s.do(&r)

	var next Time
	switch p.arrival.Kind {
	case ArrivalRate:
		d := ExponentialRate(&cs.rng, p.arrival.PerNs)
		if d > s.horizon-now {
			return // past the horizon (and safe from int64 overflow)
		}
		next = now + d
	case ArrivalEvery:
		next = now + p.arrival.Every
	case ArrivalAt:
		if int(cs.nextAt) >= len(p.arrival.At) {
			return
		}
		next = p.arrival.At[cs.nextAt]
		cs.nextAt++
	}
	s.scheduleCall(i, next)
}

// callReq is one call to authorize and carry out: generated (a random
// execution pick) or replayed (a recorded execution ID and token).
type callReq struct {
	at       Time
	pair     model.PairRef // the caller and the pipeline
	slot     int32         // the caller's index in Result.Callers
	tally    *tally        // the calling stream's; nil for a replayed call
	action   model.Action
	pick     uint64 // generated: the execution a Stop or Retry picks
	recorded int8   // notRecorded, or the recorded outcome (RecordedOK, …)
	// Replayed calls only.
	execID   string // the recorded execution a call names ("" for none)
	startsID string // a recorded Start's returned execution ID
	token    string // ClientRequestToken
	params   int32  // a Start's parameter set, when the scenario declares data (data.go)
}

const notRecorded = -1

// do authorizes r at its time, carries it out when allowed, and counts it.
func (s *Sim) do(r *callReq) {
	reason, share := s.w.DecideRef(r.pair, r.action, r.at)
	xi := int32(-1)
	if reason.IsAllow() {
		var f model.Reason
		if f, xi = s.effect(r, share); f != 0 {
			reason = f
		}
	}
	if r.tally == nil || !r.tally.add(r.action, reason) {
		s.res.Calls[r.slot][r.action][reason]++
	}
	s.calls++
	outcome := 1 // denied
	switch {
	case reason.IsAllow():
		outcome = 0
	case reason.IsFailure():
		outcome = 2
	}
	for r.at >= s.bucketEnd && s.bucket < SeriesBuckets-1 { // time only moves forward: no division per call
		s.bucket++
		s.bucketEnd += s.res.Series.Bucket
	}
	s.res.Series.Calls[s.bucket][outcome]++
	if r.recorded != notRecorded {
		s.res.Replay[r.slot][r.action][r.recorded][reason]++
	}
	if s.sink != nil {
		s.emit(r, reason, share, xi)
	}
}

// effect carries out an allowed call (step 6 of docs/aws-semantics.md#how-a-call-is-decided): it returns 0 when
// the service accepts it, else the failure reason, and the execution the
// call acted on (-1 for none).
func (s *Sim) effect(r *callReq, share model.ShareID) (model.Reason, int32) {
	caller, pl := r.pair.Principal, r.pair.Pipeline
	if s.throttled(r.at, s.principalAcct[caller]) {
		return model.ReasonThrottled, -1
	}
	replayed := r.recorded != notRecorded
	switch r.action {
	case model.StartPipelineExecution:
		f, xi := s.startExecution(r.at, caller, share, pl, r.token, r.params)
		if f == 0 && r.startsID != "" {
			s.mapExecution(r.startsID, xi)
		}
		return f, xi
	case model.Search:
		if s.w.Visible(caller, pl, r.at) {
			s.res.SearchReturned++
		}
		return 0, -1
	case model.DescribePipeline, model.ListPipelineExecutions:
		return 0, -1
	}
	if replayed {
		// A replayed call names its execution: an unmapped one is not found.
		xi := s.lookupExecution(r.execID, pl)
		switch {
		case xi < 0:
			return model.ReasonNotFound, -1
		case r.action == model.StopPipelineExecution:
			return s.stop(r.at, xi), xi
		case r.action == model.RetryPipelineExecution:
			return s.retry(r.at, caller, share, xi), xi
		}
		return 0, xi
	}
	switch r.action {
	case model.StopPipelineExecution:
		return s.stopExecution(r.at, pl, r.pick)
	case model.RetryPipelineExecution:
		return s.retryExecution(r.at, caller, share, pl, r.pick)
	}
	// The execution-level reads target the latest execution.
	if xi := s.ex.pipes[pl].latest; xi >= 0 {
		return 0, xi
	}
	return model.ReasonNotFound, -1
}
