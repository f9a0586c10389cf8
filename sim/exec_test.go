package sim

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/pipeshare/pipeshare/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const minute = Time(time.Minute)

// execWorld: owner 111… (in the organization) shares "train" (extended) with
// 222… and 333…; 111…/role/Admin may do anything.
func execWorld(t *testing.T) *model.World {
	t.Helper()
	return execWorldIn(t, "us-east-1")
}

// execWorldIn is execWorld in region.
func execWorldIn(t *testing.T, region string) *model.World {
	t.Helper()
	cfg := &model.Config{
		Region: region,
		Org:    &model.OrgConfig{ID: "o-exec000000", Management: ref("111111111111"), RAMSharing: true},
		Accounts: []model.AccountConfig{
			{ID: ref("111111111111"), OU: ref("/"), FullAccess: true, Principals: []model.PrincipalConfig{
				{Name: ref("role/Admin"), Policies: []model.Ref{ref("all")}}}},
			{ID: ref("222222222222"), OU: ref("/"), FullAccess: true},
			{ID: ref("333333333333"), OU: ref("/"), FullAccess: true},
		},
		Policies: []model.PolicyDoc{{Name: "all", Statements: []model.StatementDoc{{
			Effect: ref("Allow"), Action: []model.Ref{ref("sagemaker:*")}, Resource: []model.Ref{ref("*")}}}}},
		Pipelines: []model.PipelineConfig{{Name: ref("train"), Account: ref("111111111111")}},
		Shares: []model.ShareConfig{{Name: ref("s"), Owner: ref("111111111111"),
			Pipelines: []model.Ref{ref("train")}, Principals: []model.Ref{ref("222222222222"), ref("333333333333")},
			Permission: model.PermissionExtended, AllowExternal: true, InvitationTTL: 12 * hour}},
	}
	w, errs := model.NewWorld(cfg)
	require.NotNil(t, w, "%v", errs)
	return w
}

// fixed is a step of d on n × ml.m5.xlarge ($0.23/h), depending on deps.
func fixed(name string, d Time, n int, deps ...string) StepSpec {
	st := StepSpec{Name: name, Type: "Processing", InstanceType: "ml.m5.xlarge", InstanceCount: n,
		Duration: Dist{Kind: DistFixed, A: float64(d)}}
	for _, dep := range deps {
		st.DependsOn = append(st.DependsOn, ref(dep))
	}
	return st
}

// calls is one caller's scripted calls: an action at each time.
func calls(caller string, a model.Action, at ...Time) Workload {
	return Workload{Name: caller + "/" + a.Name(), Callers: []model.Ref{ref(caller)}, Targets: []model.Ref{ref("train")},
		Arrival: Arrival{Kind: ArrivalAt, At: at}, Actions: []ActionWeight{{a, 1}}, From: 0, To: Never - 1}
}

func quota(instances int, queue bool) AccountQuota {
	return AccountQuota{Account: ref("111111111111"), ConcurrentExecutions: 20, HasConcurrent: true,
		Instances: map[string]int{"ml.m5.xlarge": instances}, OnCapacityQueue: queue, HasOnCapacity: true}
}

func runExec(t *testing.T, cfg *Config) *Result {
	t.Helper()
	if cfg.Duration == 0 {
		cfg.Duration = 10 * hour
	}
	s, errs := New(execWorld(t), cfg)
	require.NotNil(t, s, "%v", errs)
	return s.Run()
}

func reasonCount(r *Result, caller model.PrincipalID, a model.Action, reason model.Reason) int64 {
	for i, c := range r.Callers {
		if c == caller {
			return r.Calls[i][a][reason]
		}
	}
	return 0
}

func ledgerNs(r *Result) (total, inFlight int64) {
	for i := range r.Ledger {
		total += r.Ledger[i].InstanceNs
		inFlight += r.Ledger[i].InFlightNs
	}
	return
}

func TestExecutionRunsTheDAG(t *testing.T) {
	// a (10m) → b and c in parallel (20m, 5m) → d (1m): 31 minutes, each on
	// one instance; billed exactly 10+20+5+1 instance-minutes.
	r := runExec(t, &Config{
		Quotas: []AccountQuota{quota(10, true)},
		Pipelines: []PipelineSpec{{Name: ref("train"), Account: ref("111111111111"), Steps: []StepSpec{
			fixed("a", 10*minute, 1), fixed("b", 20*minute, 1, "a"), fixed("c", 5*minute, 1, "a"),
			fixed("d", minute, 1, "b", "c")}}},
		Workload: []Workload{calls("222222222222", model.StartPipelineExecution, 0)},
	})
	assert.Equal(t, ExecStats{Started: 1, Succeeded: 1}, r.Executions)
	assert.Equal(t, int64(4), r.Steps.Granted)
	assert.Equal(t, int64(4), r.Steps.Completed)
	ns, _ := ledgerNs(r)
	assert.Equal(t, int64(36*minute), ns)
	require.Len(t, r.Ledger, 1)
	row := r.Ledger[0]
	assert.Equal(t, model.AccountID("111111111111"), row.Payer)
	assert.Equal(t, "222222222222/root", r.World.CallerString(row.Initiator))
	assert.Equal(t, "s", r.World.ShareName(row.Share))
	assert.InDelta(t, 0.23*36/60, row.USD(), 1e-12)
}

func TestMaxParallelSteps(t *testing.T) {
	// Three independent 10m steps with max_parallel_steps 1 run one after
	// another: the execution ends at 30m, not 10m.
	spec := PipelineSpec{Name: ref("train"), Account: ref("111111111111"), MaxParallelSteps: 1,
		Steps: []StepSpec{fixed("a", 10*minute, 1), fixed("b", 10*minute, 1), fixed("c", 10*minute, 1)}}
	r := runExec(t, &Config{Duration: 25 * minute, Quotas: []AccountQuota{quota(10, true)},
		Pipelines: []PipelineSpec{spec}, Workload: []Workload{calls("222222222222", model.StartPipelineExecution, 0)}})
	assert.Equal(t, int64(0), r.Executions.Succeeded, "still running at 25m")
	assert.Equal(t, int64(1), r.Executions.RunningAtEnd)
	ns, inFlight := ledgerNs(r)
	assert.Equal(t, int64(25*minute), ns, "holds running at the horizon are billed to it")
	assert.Equal(t, int64(5*minute), inFlight)
}

func TestQueueIsStrictFIFOAndCapacityFails(t *testing.T) {
	spec := PipelineSpec{Name: ref("train"), Account: ref("111111111111"), Steps: []StepSpec{fixed("a", 10*minute, 2)}}
	start := calls("222222222222", model.StartPipelineExecution, 0, 0, minute)
	// Quota 3: the first gets 2 at 0; the second (needs 2, 1 free) waits
	// until 10m; the third, asking at 1m, waits behind it (strict FIFO) and
	// after it, since 1 instance is free at 10m: it starts at 20m.
	r := runExec(t, &Config{Quotas: []AccountQuota{quota(3, true)}, Pipelines: []PipelineSpec{spec}, Workload: []Workload{start}})
	assert.Equal(t, int64(3), r.Executions.Succeeded)
	assert.InDelta(t, float64(10*minute+19*minute)/3, r.Steps.Waits.Mean(), 1)
	// on_capacity: fail — the second and third fail with RESOURCE_LIMIT.
	r = runExec(t, &Config{Quotas: []AccountQuota{quota(3, false)}, Pipelines: []PipelineSpec{spec}, Workload: []Workload{start}})
	assert.Equal(t, ExecStats{Started: 3, Succeeded: 1, Failed: 2, FailedAtEnd: 2, FailedCapacity: 2}, r.Executions)
	assert.Equal(t, int64(2), r.Steps.ResourceLimit)
}

func TestRetryPolicyBacksOff(t *testing.T) {
	// One instance; the first execution holds it 10m. The second's step
	// fails with RESOURCE_LIMIT at 0, retries after 1m, 2m, 4m (at 1m, 3m,
	// 7m: still busy) and 8m (at 15m: free), then runs 10m.
	st := fixed("a", 10*minute, 1)
	st.Retry = []RetryPolicy{{Exceptions: []string{exceptionResourceLimit}, Interval: minute, Backoff: 2, MaxAttempts: 5}}
	spec := PipelineSpec{Name: ref("train"), Account: ref("111111111111"), Steps: []StepSpec{st}}
	r := runExec(t, &Config{Duration: 24 * minute, Quotas: []AccountQuota{quota(1, false)}, Pipelines: []PipelineSpec{spec},
		Workload: []Workload{calls("222222222222", model.StartPipelineExecution, 0, 0)}})
	assert.Equal(t, int64(4), r.Steps.ResourceLimit)
	assert.Equal(t, int64(1), r.Executions.Succeeded)
	assert.Equal(t, int64(1), r.Executions.RunningAtEnd, "the retried step runs from 15m to 25m")
	r = runExec(t, &Config{Duration: 26 * minute, Quotas: []AccountQuota{quota(1, false)}, Pipelines: []PipelineSpec{spec},
		Workload: []Workload{calls("222222222222", model.StartPipelineExecution, 0, 0)}})
	assert.Equal(t, int64(2), r.Executions.Succeeded)
}

func TestStopCutsRunningStepsAndStopsBilling(t *testing.T) {
	spec := PipelineSpec{Name: ref("train"), Account: ref("111111111111"), StopLatency: 2 * minute,
		Steps: []StepSpec{fixed("a", 60*minute, 1)}}
	r := runExec(t, &Config{Quotas: []AccountQuota{quota(5, true)}, Pipelines: []PipelineSpec{spec}, Workload: []Workload{
		calls("222222222222", model.StartPipelineExecution, 0),
		calls("333333333333", model.StopPipelineExecution, 10*minute, 11*minute, 20*minute),
	}})
	// Stop at 10m → Stopping; cut at 12m: billed 12 minutes. The Stop at
	// 11m finds nothing Executing (not_found), as does the one at 20m.
	assert.Equal(t, int64(1), r.Executions.Stopped)
	ns, _ := ledgerNs(r)
	assert.Equal(t, int64(12*minute), ns)
	stopper, _ := r.World.LookupCallers("333333333333")
	assert.Equal(t, int64(1), reasonCount(r, stopper[0], model.StopPipelineExecution, model.ReasonShared))
	assert.Equal(t, int64(2), reasonCount(r, stopper[0], model.StopPipelineExecution, model.ReasonNotFound))
}

func TestRetryRerunsFailedStepsBilledToTheRetryCaller(t *testing.T) {
	// a (10m) succeeds; b always fails at its end (10m, billed to 222…).
	// 333… retries at 30m: only b re-runs, billed to 333….
	b := fixed("b", 10*minute, 1, "a")
	b.FailureRate = 1
	spec := PipelineSpec{Name: ref("train"), Account: ref("111111111111"), Steps: []StepSpec{fixed("a", 10*minute, 1), b}}
	r := runExec(t, &Config{Duration: 2 * hour, Quotas: []AccountQuota{quota(5, true)}, Pipelines: []PipelineSpec{spec}, Workload: []Workload{
		calls("222222222222", model.StartPipelineExecution, 0),
		calls("333333333333", model.RetryPipelineExecution, 5*minute, 30*minute),
	}})
	assert.Equal(t, ExecStats{Started: 1, Failed: 2, Retried: 1, FailedAtEnd: 1}, r.Executions)
	require.Len(t, r.Ledger, 2)
	assert.Equal(t, "222222222222/root", r.World.CallerString(r.Ledger[0].Initiator))
	assert.Equal(t, int64(20*minute), r.Ledger[0].InstanceNs)
	assert.Equal(t, "333333333333/root", r.World.CallerString(r.Ledger[1].Initiator))
	assert.Equal(t, int64(10*minute), r.Ledger[1].InstanceNs)
	retrier, _ := r.World.LookupCallers("333333333333")
	assert.Equal(t, int64(1), reasonCount(r, retrier[0], model.RetryPipelineExecution, model.ReasonNotFound), "nothing Failed at 5m")
}

func TestConcurrencyLimitThrottlingAndTimeouts(t *testing.T) {
	spec := PipelineSpec{Name: ref("train"), Account: ref("111111111111"), ExecutionTimeout: 30 * minute,
		Steps: []StepSpec{fixed("a", 60*minute, 1)}}
	q := quota(10, true)
	q.ConcurrentExecutions = 2
	caller := AccountQuota{Account: ref("222222222222"), APIRate: 1.0 / 60, APIBurst: 1, HasAPIRate: true} // 1/min
	r := runExec(t, &Config{Quotas: []AccountQuota{q, caller}, Pipelines: []PipelineSpec{spec}, Workload: []Workload{
		calls("333333333333", model.StartPipelineExecution, 0, 0, 0, 31*minute),
		calls("222222222222", model.DescribePipeline, 0, Time(time.Second), 2*minute),
	}})
	starter, _ := r.World.LookupCallers("333333333333")
	assert.Equal(t, int64(1), reasonCount(r, starter[0], model.StartPipelineExecution, model.ReasonLimitExceeded))
	// Both running executions time out at 30m; the start at 31m succeeds
	// and times out at 61m.
	assert.Equal(t, int64(3), r.Executions.TimedOut)
	assert.Equal(t, int64(3), r.Executions.Failed)
	reader, _ := r.World.LookupCallers("222222222222")
	assert.Equal(t, int64(1), reasonCount(r, reader[0], model.DescribePipeline, model.ReasonThrottled))
	assert.Equal(t, int64(2), reasonCount(r, reader[0], model.DescribePipeline, model.ReasonShared))
}

func TestNeverStartableStepFailsAtOnce(t *testing.T) {
	spec := PipelineSpec{Name: ref("train"), Account: ref("111111111111"), Steps: []StepSpec{fixed("a", minute, 4)}}
	s, errs := New(execWorld(t), &Config{Duration: hour, Quotas: []AccountQuota{quota(2, true)},
		Pipelines: []PipelineSpec{spec}, Workload: []Workload{calls("222222222222", model.StartPipelineExecution, 0)}})
	require.NotNil(t, s)
	require.Len(t, errs, 1)
	assert.Equal(t, model.SeverityWarning, errs[0].Severity)
	assert.Contains(t, errs[0].Msg, "step \"a\" needs 4 × ml.m5.xlarge but the owner's quota is 2: it can never start")
	r := s.Run()
	assert.Equal(t, int64(1), r.Steps.NeverStartable)
	assert.Equal(t, int64(1), r.Executions.FailedAtEnd, "reported, not hung")
}

func TestZeroQuotaAndZeroDuration(t *testing.T) {
	spec := PipelineSpec{Name: ref("train"), Account: ref("111111111111"), Steps: []StepSpec{fixed("a", minute, 1)}}
	q := quota(0, true)
	q.ConcurrentExecutions = 0
	r := runExec(t, &Config{Quotas: []AccountQuota{q}, Pipelines: []PipelineSpec{spec},
		Workload: []Workload{calls("222222222222", model.StartPipelineExecution, 0)}})
	starter, _ := r.World.LookupCallers("222222222222")
	assert.Equal(t, int64(1), reasonCount(r, starter[0], model.StartPipelineExecution, model.ReasonLimitExceeded))

	s, _ := New(execWorld(t), &Config{Duration: 0, Workload: []Workload{calls("222222222222", model.DescribePipeline, 0)}})
	r = s.Run()
	assert.Equal(t, int64(1), total(&r.Calls[0]), "a run of 0 duration still runs the calls at 0")
}

func TestDAGErrors(t *testing.T) {
	at := func(line int) model.Pos { return model.Pos{File: "s.yaml", Line: line, Col: 5} }
	a := fixed("a", minute, 1, "c")
	b := fixed("b", minute, 1, "a")
	c := fixed("c", minute, 1, "b")
	a.Pos, b.Pos, c.Pos = at(1), at(2), at(3)
	d := fixed("d", minute, 1)
	d.DependsOn = []model.Ref{{S: "nope", Pos: at(4)}}
	e := fixed("e", minute, 1)
	e.InstanceType, e.InstanceTypePos = "ml.x9.huge", at(5)
	for _, tc := range []struct {
		steps []StepSpec
		want  string
	}{
		{[]StepSpec{a, b, c}, `s.yaml:1:5: steps a, b, c form a dependency cycle`},
		{[]StepSpec{d}, `s.yaml:4:5: step "d" depends on unknown step "nope"`},
		{[]StepSpec{e}, `s.yaml:5:5: instance type ml.x9.huge has no processing price in us-east-1; add it under pricing: (USD per instance-hour)`},
	} {
		_, errs := New(execWorld(t), &Config{Duration: hour,
			Pipelines: []PipelineSpec{{Name: ref("train"), Account: ref("111111111111"), Steps: tc.steps}}})
		require.Len(t, errs, 1)
		assert.Equal(t, tc.want, errs[0].Error())
	}
}

func TestExecutionIDs(t *testing.T) {
	s, _ := New(execWorld(t), &Config{Seed: 1, Duration: hour})
	id := s.ExecutionID(0)
	assert.Regexp(t, `^[0-9a-z]{12}$`, id)
	assert.NotEqual(t, id, s.ExecutionID(1))
	s2, _ := New(execWorld(t), &Config{Seed: 1, Duration: hour})
	assert.Equal(t, id, s2.ExecutionID(0), "derived from the seed and the index")
}

// TestExecutionIDIsLast12Base36Digits: an ID is the draw's last 12
// base-36 digits, and an execution's stream is the one named exec/<ID>.
func TestExecutionIDIsLast12Base36Digits(t *testing.T) {
	s, _ := New(execWorld(t), &Config{Seed: 7, Duration: hour})
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 1000 {
		id := r.Uint64()
		if i < 3 {
			id = []uint64{0, math.MaxUint64, 36*36*36*36*36*36 - 1}[i]
		}
		want := strconv.FormatUint(id%uint64(math.Pow(36, 12)), 36)
		want = strings.Repeat("0", 12-len(want)) + want
		require.Equal(t, want, ExecutionID(id), "%#x", id)
		got, named := s.execStream(id), MakeStream(7, "exec/"+want)
		require.Equal(t, named.Uint64(), got.Uint64(), "%#x", id)
	}
}

// TestWithdrawnRequestLeavesTheQueueAndARetryRequeues: the queued request
// of an execution that failed is dropped when it reaches the head, while
// the request it queues again after a Retry is granted.
func TestWithdrawnRequestLeavesTheQueueAndARetryRequeues(t *testing.T) {
	spec := PipelineSpec{Name: ref("train"), Account: ref("111111111111"), Steps: []StepSpec{fixed("a", hour, 1)}}
	s, errs := New(execWorld(t), &Config{Duration: 100 * hour, Quotas: []AccountQuota{quota(1, true)},
		Pipelines: []PipelineSpec{spec}})
	require.NotNil(t, s, "%v", errs)
	s.start() // the horizon and the series buckets; no workload
	caller, _ := s.w.LookupCallers("222222222222")
	_, x := s.startExecution(0, caller[0], 0, 0, "", 0) // holds the one instance
	_, z := s.startExecution(minute, caller[0], 0, 0, "", 0)
	_, y := s.startExecution(2*minute, caller[0], 0, 0, "", 0)
	s.failExecution(3*minute, y)
	require.Equal(t, model.Reason(0), s.retry(4*minute, caller[0], 0, y))
	pool := &s.ex.pools[0]
	require.Equal(t, 3, pool.fifo.Len(), "z, y's withdrawn request, y's new one")
	s.stepEnd(hour, x, 0, s.exec(x).epoch)
	assert.Equal(t, stepRunning, s.step(s.exec(z), 0).state)
	assert.Equal(t, 1, pool.fifo.Len(), "the withdrawn request left with z's")
	s.stepEnd(2*hour, z, 0, s.exec(z).epoch)
	assert.Equal(t, stepRunning, s.step(s.exec(y), 0).state, "y's new request was granted")
	assert.Equal(t, int64(3), s.res.Steps.Granted)
}

func TestClientRequestTokenIsIdempotentFor24Hours(t *testing.T) {
	spec := PipelineSpec{Name: ref("train"), Account: ref("111111111111"), Steps: []StepSpec{fixed("a", hour, 1)}}
	s, errs := New(execWorld(t), &Config{Duration: 100 * hour, Quotas: []AccountQuota{quota(5, true)},
		Pipelines: []PipelineSpec{spec}})
	require.NotNil(t, s, "%v", errs)
	s.eng.SetHorizon(s.horizon)
	caller, _ := s.w.LookupCallers("222222222222")
	r, first := s.startExecution(0, caller[0], 0, 0, "tok-1", 0)
	require.Equal(t, model.Reason(0), r)
	_, again := s.startExecution(23*hour, caller[0], 0, 0, "tok-1", 0)
	assert.Equal(t, first, again, "same token within 24 h: same execution")
	_, other := s.startExecution(23*hour, caller[0], 0, 0, "tok-2", 0)
	assert.NotEqual(t, first, other)
	_, later := s.startExecution(24*hour, caller[0], 0, 0, "tok-1", 0)
	assert.NotEqual(t, first, later, "the window is over")
	_, untokened := s.startExecution(24*hour, caller[0], 0, 0, "", 0)
	assert.NotEqual(t, later, untokened)
	assert.Equal(t, int64(4), s.res.Executions.Started)
}

// TestLedgerIndex: every key added is found at its row after the table
// grows, keys differing in one field are distinct, and -0 is 0 (as for a
// map key).
func TestLedgerIndex(t *testing.T) {
	var idx index[ledgerKey]
	key := func(i int) ledgerKey {
		return ledgerKey{initiator: model.PrincipalID(i % 7), pipeline: model.PipelineID(i / 7 % 5),
			share: model.ShareID(i / 35 % 3), pool: int32(i / 105), price: float64(i%2) * 0.6}
	}
	const n = 1000
	for i := range n {
		slot, r := idx.find(key(i))
		if r >= 0 {
			// (i%7, i/7%5, i/35%3, i/105) are i's digits: no key repeats.
			t.Fatalf("key %d found at row %d before it was added", i, r)
		}
		idx.add(slot, key(i), int32(i))
	}
	for i := range n {
		_, r := idx.find(key(i))
		require.Equal(t, int32(i), r, "key %d", i)
	}
	_, r := idx.find(ledgerKey{initiator: 0, price: math.Copysign(0, -1)})
	require.Equal(t, int32(0), r, "-0 is the key of price 0")
	_, r = idx.find(ledgerKey{initiator: 0, pipeline: 5})
	require.Equal(t, int32(-1), r)
}

// TestExecutionRecordLayout: an execution is 48 bytes, the fields a queued
// request's staleness test reads (its inline steps, epoch and status) lie
// in one 16-byte-aligned block of it, so in one cache line, and an
// out-of-line steps offset reads back as written.
func TestExecutionRecordLayout(t *testing.T) {
	var x execution
	assert.Equal(t, uintptr(48), unsafe.Sizeof(x))
	block := unsafe.Offsetof(x.steps)
	assert.Zero(t, block%16)
	for _, end := range []uintptr{block + unsafe.Sizeof(x.steps), unsafe.Offsetof(x.epoch) + 2, unsafe.Offsetof(x.status) + 1} {
		assert.LessOrEqual(t, end, block+16)
	}
	for _, off := range []int32{0, 1, 255, 256, 1 << 24, math.MaxInt32, freedSteps} {
		x.setStepsAt(off)
		assert.Equal(t, off, x.stepsAt())
		assert.True(t, x.outOfLine)
	}
}
