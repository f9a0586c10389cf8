package sim

import (
	"slices"

	"github.com/pipeshare/pipeshare/model"
)

// TraceCall is one recorded call to replay (from CloudTrail, or from a
// previous run's --calls output).
type TraceCall struct {
	At       Time // offset from the scenario start; calls must come in time order
	Caller   model.PrincipalID
	Action   model.Action
	Pipeline model.PipelineID
	// Execution is the recorded execution ID an execution-level call names
	// ("" when it names none). It maps to the simulated execution that the
	// recorded Start returning that ID created; an unmapped one is not_found.
	Execution string
	// StartsExecution is, for a recorded Start, the execution ID its
	// response returned.
	StartsExecution string
	Token           string   // ClientRequestToken
	Recorded        Recorded // the recorded outcome
	// Parameters are a recorded Start's pipelineParameters (name, value).
	Parameters []Param
	// What the source knows of the trace ahead (false: it does not know).
	// StartsUnnamed: no later call names StartsExecution, so the replay
	// does not map it. LastNaming: no later call names Execution, so the
	// replay forgets it after this call. See docs/modelling-choices.md.
	StartsUnnamed, LastNaming bool
}

// Recorded is a recorded call's outcome, from its errorCode.
type Recorded int8

const (
	RecordedOK     Recorded = iota // no errorCode
	RecordedDenied                 // AccessDenied, AccessDeniedException
	RecordedError                  // any other errorCode
	NumRecorded
)

func (r Recorded) String() string {
	switch r {
	case RecordedOK:
		return "ok"
	case RecordedDenied:
		return "denied"
	}
	return "error"
}

// TraceSource yields recorded calls in time order. Next fills c and reports
// whether there was one; after it returns false, Err reports why the trace
// ended early (nil at its end). A source may read files and run goroutines:
// the simulation only pulls from it.
type TraceSource interface {
	Next(c *TraceCall) bool
	Err() error
}

// ReplayCounts holds a replayed caller's calls by action, recorded outcome
// and simulated final reason: recorded vs simulated.
type ReplayCounts [model.NumActions][NumRecorded][model.NumReasons]int64

// TraceStats describes a replay.
type TraceStats struct {
	Calls     int64 // records replayed
	Reordered int64 // records earlier than the one before (replayed at that one's time)
	Err       error // why the trace ended early, if it did
	// Unpassed counts the replayed Starts that passed no value for a
	// parameter the pipeline declares without a default (SageMaker rejects
	// such a Start; the replay passes an empty value), per pipeline and
	// parameter, in the order first met.
	Unpassed []Unpassed
}

// Unpassed is a parameter without a default that replayed Starts of
// Pipeline did not pass.
type Unpassed struct {
	Pipeline model.PipelineID
	Param    string
	Starts   int64
}

// unpassed counts the parameters without a default that a replayed Start
// of pl, passing params, leaves out.
func (t *TraceStats) unpassed(required []string, pl model.PipelineID, params []Param) {
	for _, name := range required {
		if passes(params, name) {
			continue
		}
		i := slices.IndexFunc(t.Unpassed, func(u Unpassed) bool { return u.Pipeline == pl && u.Param == name })
		if i < 0 {
			i = len(t.Unpassed)
			t.Unpassed = append(t.Unpassed, Unpassed{Pipeline: pl, Param: name})
		}
		t.Unpassed[i].Starts++
	}
}

// CallRecord is one simulated call as a streaming sink sees it.
type CallRecord struct {
	At        Time
	Caller    model.PrincipalID
	Action    model.Action
	Pipeline  model.PipelineID
	Reason    model.Reason  // the final reason
	Share     model.ShareID // the share that allowed it, or NoShare
	Execution string        // the execution it acted on or created ("" for none)
	Token     string
	Replayed  bool
	Recorded  Recorded // for a replayed call
	// Params are a Start's pipeline parameters whose values differ from
	// the pipeline's defaults, in the pipeline's order (nil when the
	// scenario declares no data, or the Start passed none).
	Params []Param
}

// CallSink receives every call as the run goes (run --calls). The record
// is only valid during the call.
type CallSink interface {
	Call(r *CallRecord)
}

// SetSink streams every call to sink.
func (s *Sim) SetSink(sink CallSink) { s.sink = sink }

// SetTrace replaces the generated workload with a replay of src. Callers
// and pipelines are already resolved by the source.
func (s *Sim) SetTrace(src TraceSource) {
	s.trace = src
	s.streams = nil
}

// mappedID is an ID mapped to execution xi at a time (tokens).
type mappedID struct {
	at Time
	id string
	xi int32
}

// mapExecution maps a recorded execution ID to simulated execution xi. The
// mapping lasts until the last call of the trace that names the ID
// (TraceCall.LastNaming), so memory holds the executions that some later
// call still names, not every execution of the trace.
func (s *Sim) mapExecution(id string, xi int32) {
	if s.execByID == nil {
		s.execByID = map[string]int32{}
	}
	s.execByID[id] = xi
}

// lookupExecution returns the simulated execution of recorded ID id on
// pipeline pl, or -1.
func (s *Sim) lookupExecution(id string, pl model.PipelineID) int32 {
	xi, ok := s.execByID[id]
	if !ok || s.exec(xi).pipeline != int32(pl) {
		return -1
	}
	return xi
}

// replaySlot returns the caller slot of principal p, adding it.
func (s *Sim) replaySlot(p model.PrincipalID) int32 {
	if slot, ok := s.slots[p]; ok {
		return slot
	}
	slot := int32(len(s.res.Callers))
	s.slots[p] = slot
	s.res.Callers = append(s.res.Callers, p)
	s.res.Calls = append(s.res.Calls, Counts{})
	s.res.Replay = append(s.res.Replay, ReplayCounts{})
	return slot
}

// nextTrace pulls the next record and schedules it.
func (s *Sim) nextTrace(now Time) {
	if !s.trace.Next(&s.traceCur) {
		s.res.Trace.Err = s.trace.Err()
		return
	}
	at := s.traceCur.At
	if at < now {
		s.res.Trace.Reordered++
		at = now
	}
	if at <= s.horizon {
		s.eng.Schedule(Event{At: at, Kind: evTrace, Prio: PrioCall})
	}
}

// replay makes the current trace record's call and schedules the next.
func (s *Sim) replay(now Time) {
	c := &s.traceCur
	s.res.Trace.Calls++
	startsID := c.StartsExecution
	if c.StartsUnnamed {
		startsID = "" // nothing will look it up
	}
	r := callReq{at: now, pair: model.PairRef{Principal: c.Caller, Pipeline: c.Pipeline},
		slot: s.replaySlot(c.Caller), action: c.Action, recorded: int8(c.Recorded), execID: c.Execution,
		startsID: startsID, token: c.Token}
	if c.Action == model.StartPipelineExecution {
		if s.dp != nil {
			r.params = s.dp.paramSet(c.Pipeline, c.Parameters)
		}
		if s.required != nil {
			s.res.Trace.unpassed(s.required[c.Pipeline], c.Pipeline, c.Parameters)
		}
	}
	s.do(&r)
	if c.LastNaming {
		delete(s.execByID, c.Execution)
	}
	s.nextTrace(now)
}

// emit sends one call to the sink.
func (s *Sim) emit(r *callReq, reason model.Reason, share model.ShareID, xi int32) {
	rec := &s.sinkRec
	*rec = CallRecord{At: r.at, Caller: r.pair.Principal, Action: r.action, Pipeline: r.pair.Pipeline, Reason: reason,
		Share: share, Token: r.token, Replayed: r.recorded != notRecorded}
	if rec.Replayed {
		rec.Recorded = Recorded(r.recorded)
	}
	if xi >= 0 {
		rec.Execution = s.ExecutionID(xi)
	}
	if s.dp != nil && r.action == model.StartPipelineExecution {
		s.sinkParams = s.dp.passed(s.sinkParams[:0], r.pair.Pipeline, r.params)
		rec.Params = s.sinkParams
	}
	s.sink.Call(rec)
}
