package sim

import (
	"fmt"
	"testing"

	"github.com/pipeshare/pipeshare/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sliceTrace is a TraceSource over a slice.
type sliceTrace struct {
	calls []TraceCall
	i     int
}

func (t *sliceTrace) Next(c *TraceCall) bool {
	if t.i >= len(t.calls) {
		return false
	}
	*c = t.calls[t.i]
	t.i++
	return true
}

func (t *sliceTrace) Err() error { return nil }

// sinkRecords keeps what a sink was given.
type sinkRecords []CallRecord

func (s *sinkRecords) Call(r *CallRecord) { *s = append(*s, *r) }

func TestReplayMapsRecordedExecutions(t *testing.T) {
	w := execWorld(t)
	spec := PipelineSpec{Name: ref("train"), Account: ref("111111111111"), Steps: []StepSpec{fixed("a", hour, 1)}}
	s, errs := New(w, &Config{Duration: 10 * hour, Quotas: []AccountQuota{quota(5, true)}, Pipelines: []PipelineSpec{spec},
		Workload: []Workload{calls("333333333333", model.DescribePipeline, 0)}})
	require.NotNil(t, s, "%v", errs)
	p2, _ := w.LookupCallers("222222222222")
	p3, _ := w.LookupCallers("333333333333")
	tr := &sliceTrace{calls: []TraceCall{
		{At: 0, Caller: p2[0], Action: model.StartPipelineExecution, StartsExecution: "rec000000001", Token: "t1"},
		{At: minute, Caller: p2[0], Action: model.StartPipelineExecution, StartsExecution: "rec000000001", Token: "t1"}, // the same request again
		{At: 2 * minute, Caller: p3[0], Action: model.DescribePipelineExecution, Execution: "rec000000001"},
		{At: 3 * minute, Caller: p3[0], Action: model.StopPipelineExecution, Execution: "rec000000001", Recorded: RecordedDenied},
		{At: 4 * minute, Caller: p3[0], Action: model.StopPipelineExecution, Execution: "rec000000001"},
		{At: 3 * minute, Caller: p3[0], Action: model.RetryPipelineExecution, Execution: "nope00000000"}, // out of order
	}}
	s.SetTrace(tr)
	var sink sinkRecords
	s.SetSink(&sink)
	r := s.Run()

	assert.Equal(t, int64(1), r.Executions.Started, "the repeated token returns the same execution")
	assert.Equal(t, int64(1), r.Executions.Stopped)
	assert.Equal(t, TraceStats{Calls: 6, Reordered: 1}, r.Trace)
	var all int64
	for i := range r.Calls {
		all += total(&r.Calls[i])
	}
	assert.Equal(t, int64(6), all, "the generated workload is replaced: only the trace's calls")
	slot3 := -1
	for i, c := range r.Callers {
		if c == p3[0] {
			slot3 = i
		}
	}
	require.GreaterOrEqual(t, slot3, 0)
	c := r.Calls[slot3]
	assert.Equal(t, int64(1), c[model.DescribePipelineExecution][model.ReasonShared])
	assert.Equal(t, int64(1), c[model.StopPipelineExecution][model.ReasonShared])
	assert.Equal(t, int64(1), c[model.StopPipelineExecution][model.ReasonConflict], "stopping a stopped execution")
	assert.Equal(t, int64(1), c[model.RetryPipelineExecution][model.ReasonNotFound], "an unmapped execution")
	assert.Equal(t, int64(1), r.Replay[slot3][model.StopPipelineExecution][RecordedDenied][model.ReasonShared],
		"recorded denied, simulated allowed")

	require.Len(t, sink, 6)
	assert.Equal(t, s.ExecutionID(0), sink[0].Execution)
	assert.Equal(t, sink[0].Execution, sink[1].Execution)
	assert.Equal(t, model.ReasonConflict, sink[4].Reason)
	assert.True(t, sink[5].Replayed)
	assert.Equal(t, "", sink[5].Execution)
}

// TestReplayForgetsAfterTheLastNamingCall: a Start whose execution no
// later call names maps nothing, and the last call naming one unmaps it,
// so the map ends empty; the counts are those of a replay that keeps
// everything.
func TestReplayForgetsAfterTheLastNamingCall(t *testing.T) {
	w := execWorld(t)
	spec := PipelineSpec{Name: ref("train"), Account: ref("111111111111"), Steps: []StepSpec{fixed("a", hour, 1)}}
	p2, _ := w.LookupCallers("222222222222")
	p3, _ := w.LookupCallers("333333333333")
	trace := func(flags bool) []TraceCall {
		return []TraceCall{
			{At: 0, Caller: p2[0], Action: model.StartPipelineExecution, StartsExecution: "kept00000001"},
			{At: minute, Caller: p2[0], Action: model.StartPipelineExecution, StartsExecution: "never0000001", StartsUnnamed: flags},
			{At: 2 * minute, Caller: p3[0], Action: model.DescribePipelineExecution, Execution: "kept00000001"},
			{At: 3 * minute, Caller: p3[0], Action: model.StopPipelineExecution, Execution: "kept00000001", LastNaming: flags},
		}
	}
	run := func(flags bool) (*Result, *Sim) {
		s, errs := New(w, &Config{Duration: 10 * hour, Quotas: []AccountQuota{quota(5, true)}, Pipelines: []PipelineSpec{spec}})
		require.NotNil(t, s, "%v", errs)
		s.SetTrace(&sliceTrace{calls: trace(flags)})
		return s.Run(), s
	}
	kept, sk := run(false)
	forgot, sf := run(true)
	assert.Len(t, sk.execByID, 2, "without lifetimes every Start is mapped and kept")
	assert.Empty(t, sf.execByID, "nothing is mapped once no later call names it")
	assert.Equal(t, kept.Calls, forgot.Calls)
	assert.Equal(t, kept.Executions, forgot.Executions)
	assert.Equal(t, int64(1), forgot.Executions.Stopped, "the Stop found its execution")
}

func TestSinkSeesGeneratedCalls(t *testing.T) {
	w := execWorld(t)
	s, _ := New(w, &Config{Duration: hour, Workload: []Workload{
		calls("222222222222", model.StartPipelineExecution, 0), calls("222222222222", model.DescribePipelineExecution, minute)}})
	var sink sinkRecords
	s.SetSink(&sink)
	s.Run()
	require.Len(t, sink, 2)
	assert.False(t, sink[0].Replayed)
	assert.Regexp(t, `^[0-9a-z]{12}$`, sink[0].Execution)
	assert.Equal(t, sink[0].Execution, sink[1].Execution, "the read targets the latest execution")
	assert.Equal(t, "s", w.ShareName(sink[0].Share))
}

func TestTokensAreForgottenAfterTheWindow(t *testing.T) {
	s, errs := New(execWorld(t), &Config{Duration: 100 * hour})
	require.NotNil(t, s, "%v", errs)
	s.eng.SetHorizon(s.horizon)
	caller, _ := s.w.LookupCallers("222222222222")
	for i := range 10 {
		s.startExecution(Time(i)*hour, caller[0], 0, 0, fmt.Sprintf("tok-%d", i), 0)
	}
	assert.Len(t, s.ex.tokens, 10)
	s.startExecution(40*hour, caller[0], 0, 0, "late", 0)
	assert.Len(t, s.ex.tokens, 1, "only tokens of the last 24 h are kept")
	_, xi := s.startExecution(41*hour, caller[0], 0, 0, "tok-0", 0)
	assert.Equal(t, int32(11), xi, "an expired token starts a new execution")
}
