package sim

import (
	"testing"

	"github.com/pipeshare/pipeshare/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dataWorld is execWorld with a data plane: the owner runs "train" as
// role/Exec (allowed S3 and KMS on everything); 222… owns bucket
// data-222 encrypted with key k222, whose key policy trusts the owner
// account; 333… owns bucket data-333 encrypted with key k333, whose key
// policy trusts only 333… itself. Both bucket policies let role/Exec read.
func dataWorld(t *testing.T) *model.World {
	t.Helper()
	pos := model.Pos{File: "s.yaml", Line: 1, Col: 1}
	principal := func(v string) []model.PrincipalDoc { return []model.PrincipalDoc{{Kind: "AWS", Value: ref(v)}} }
	allow := func(who, action, resource string) model.StatementDoc {
		return model.StatementDoc{Pos: pos, Effect: ref("Allow"), PrincipalPos: pos, Principals: principal(who),
			Action: []model.Ref{ref(action)}, Resource: []model.Ref{ref(resource)}}
	}
	cfg := &model.Config{
		Region: "us-east-1",
		Org:    &model.OrgConfig{ID: "o-exec000000", Management: ref("111111111111"), RAMSharing: true},
		Accounts: []model.AccountConfig{
			{ID: ref("111111111111"), OU: ref("/"), FullAccess: true, Principals: []model.PrincipalConfig{
				{Name: ref("role/Admin"), Policies: []model.Ref{ref("all")}},
				{Name: ref("role/Exec"), Policies: []model.Ref{ref("data")}}}},
			{ID: ref("222222222222"), OU: ref("/"), FullAccess: true},
			{ID: ref("333333333333"), OU: ref("/"), FullAccess: true},
		},
		Policies: []model.PolicyDoc{
			{Name: "all", Statements: []model.StatementDoc{{
				Effect: ref("Allow"), Action: []model.Ref{ref("sagemaker:*")}, Resource: []model.Ref{ref("*")}}}},
			{Name: "data", Statements: []model.StatementDoc{{
				Effect: ref("Allow"), Action: []model.Ref{ref("s3:*"), ref("kms:*")}, Resource: []model.Ref{ref("*")}}}},
		},
		Pipelines: []model.PipelineConfig{{Name: ref("train"), Account: ref("111111111111")}},
		Shares: []model.ShareConfig{{Name: ref("s"), Owner: ref("111111111111"),
			Pipelines: []model.Ref{ref("train")}, Principals: []model.Ref{ref("222222222222"), ref("333333333333")},
			Permission: model.PermissionExtended, AllowExternal: true, InvitationTTL: 12 * hour}},
		Keys: []model.KeyConfig{
			{ID: ref("k222"), Account: ref("222222222222"), Pos: pos, Policy: &model.PolicyDoc{Statements: []model.StatementDoc{
				allow("222222222222", "kms:*", "*"), allow("111111111111", "kms:Decrypt", "*")}}},
			{ID: ref("k333"), Account: ref("333333333333"), Pos: pos, Policy: &model.PolicyDoc{Statements: []model.StatementDoc{
				allow("333333333333", "kms:*", "*")}}},
		},
		Buckets: []model.BucketConfig{
			{Name: ref("data-222"), Account: ref("222222222222"), KMSKey: ref("k222"), Pos: pos, Policy: &model.PolicyDoc{
				Statements: []model.StatementDoc{allow("arn:aws:iam::111111111111:role/Exec", "s3:*", "*")}}},
			{Name: ref("data-333"), Account: ref("333333333333"), KMSKey: ref("k333"), Pos: pos, Policy: &model.PolicyDoc{
				Statements: []model.StatementDoc{allow("arn:aws:iam::111111111111:role/Exec", "s3:*", "*")}}},
		},
	}
	w, errs := model.NewWorld(cfg)
	require.NotNil(t, w, "%v", errs)
	return w
}

// dataSpec is "train" run as role/Exec: Prep reads the Input parameter,
// then Fit (which would run 1 h) on 2 instances; Prep retries every
// exception SageMaker lets a policy name.
func dataSpec() PipelineSpec {
	prep := fixed("Prep", hour, 2)
	prep.Inputs = []DataRef{{Param: "Input"}}
	prep.Retry = []RetryPolicy{{Exceptions: []string{exceptionInternal, exceptionResourceLimit}, Interval: minute, Backoff: 1, MaxAttempts: 5}}
	return PipelineSpec{Name: ref("train"), Account: ref("111111111111"), Role: ref("role/Exec"),
		Parameters: []Param{{Name: "Input", Value: "s3://data-222/in/"}},
		Steps:      []StepSpec{prep, fixed("Fit", hour, 1, "Prep")}}
}

func TestDeniedDataFailsTheStepAfterItsBilledSetup(t *testing.T) {
	starts := func(caller, input string) Workload {
		wl := calls(caller, model.StartPipelineExecution, 0, 5*hour)
		wl.Parameters = []Param{{Name: "Input", Value: input}}
		return wl
	}
	spec := dataSpec()
	spec.SetupTime = 2 * minute
	s, errs := New(dataWorld(t), &Config{Duration: 10 * hour, Pipelines: []PipelineSpec{spec},
		Workload: []Workload{starts("222222222222", "s3://data-222/in/"), starts("333333333333", "s3://data-333/in/")}})
	require.NotNil(t, s, "%v", errs)
	r := s.Run()

	assert.Equal(t, int64(4), r.Executions.Started)
	assert.Equal(t, int64(2), r.Executions.Succeeded, "222's key trusts the owner account")
	assert.Equal(t, int64(2), r.Executions.Failed, "333's key does not: not retried despite Prep's retry policy")
	require.True(t, r.Data.Declared)
	require.Len(t, r.Data.Failures, 1)
	f := r.Data.Failures[0]
	w := r.World
	assert.Equal(t, "333333333333/root", w.CallerString(f.Initiator))
	assert.Equal(t, "Prep", f.Step)
	assert.Equal(t, model.KMSDecrypt, f.Access.Action)
	assert.Equal(t, "k333", w.DataSubject(f.Access))
	assert.Equal(t, model.DataNoResourceAllow, f.Reason)
	assert.Equal(t, int64(2), f.Count)
	// Two failures × 2 instances × 2 minutes of ml.m5.xlarge at $0.23/h.
	assert.InDelta(t, 2*2*(2.0/60)*0.23, f.USD, 1e-12)
	var billed float64
	for _, row := range r.Ledger {
		if w.CallerString(row.Initiator) == "333333333333/root" {
			billed += row.USD()
		}
	}
	assert.InDelta(t, f.USD, billed, 1e-12, "the setup is all the owner paid for 333's runs")
	// 222: Prep (3 accesses) and Fit (none) per run; 333: Prep stops at
	// its first denial (ListBucket, GetObject allowed, then Decrypt).
	assert.Equal(t, int64(12), r.Data.Decisions)
}

// TestStartData: what a Start asks of the data plane follows the
// parameters its caller passes, else the pipeline's defaults.
func TestStartData(t *testing.T) {
	wl := calls("333333333333", model.StartPipelineExecution, 0, 5*hour)
	wl.Parameters = []Param{{Name: "Input", Value: "s3://data-333/in/"}}
	s, errs := New(dataWorld(t), &Config{Duration: hour, Pipelines: []PipelineSpec{dataSpec()}, Workload: []Workload{wl}})
	require.NotNil(t, s, "%v", errs)
	r := s.Run()
	w := r.World
	pl := model.PipelineID(0)
	subjects := func(st StepData) []string {
		var out []string
		for _, a := range st.Accesses {
			out = append(out, a.Action.String()+" "+w.DataSubject(a))
		}
		return out
	}
	ps, _ := w.LookupCallers("333333333333")
	steps, params := r.Data.StartData(pl, ps[0])
	require.Len(t, steps, 2)
	assert.Equal(t, wl.Parameters, params)
	assert.Equal(t, "Prep", steps[0].Step)
	assert.Equal(t, "111111111111/role/Exec", w.CallerString(steps[0].Role))
	assert.Equal(t, []string{"s3:ListBucket s3://data-333", "s3:GetObject s3://data-333", "kms:Decrypt k333"}, subjects(steps[0]))
	assert.Empty(t, steps[1].Accesses, "Fit names no data")

	steps, params = r.Data.StartData(pl, -1)
	assert.Nil(t, params)
	assert.Equal(t, []string{"s3:ListBucket s3://data-222", "s3:GetObject s3://data-222", "kms:Decrypt k222"}, subjects(steps[0]))
	ps, _ = w.LookupCallers("222222222222")
	steps, params = r.Data.StartData(pl, ps[0])
	assert.Nil(t, params, "222 passes nothing: the defaults")
	assert.Equal(t, "s3:GetObject s3://data-222", subjects(steps[0])[1])

	var none DataStats
	steps, _ = none.StartData(pl, -1)
	assert.Nil(t, steps, "a run without data")
}

func TestDataErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(ps *PipelineSpec, wl *Workload)
		want   string
	}{
		{"unknown param", func(ps *PipelineSpec, _ *Workload) { ps.Steps[0].Inputs = []DataRef{{Param: "Nope", Pos: at(9)}} },
			`s.yaml:9:1: unknown param "Nope" (the pipeline has Input)`},
		{"not an S3 URI", func(ps *PipelineSpec, _ *Workload) {
			ps.Steps[0].Inputs = []DataRef{{Value: "https://data-222/in", Pos: at(9)}}
		}, `s.yaml:9:1: "https://data-222/in" is not an S3 URI (want s3://bucket/key)`},
		{"unknown bucket in a default", func(ps *PipelineSpec, _ *Workload) {
			ps.Parameters[0].Value = "s3://elsewhere/x"
			ps.Steps[0].Inputs[0].Pos = at(9)
		}, `s.yaml:9:1: parameter Input: unknown bucket "elsewhere"`},
		{"unknown key", func(ps *PipelineSpec, _ *Workload) { ps.Steps[1].KMSKey = DataRef{Value: "alias/x", Pos: at(9)} },
			`s.yaml:9:1: unknown key "alias/x"`},
		{"role of another account", func(ps *PipelineSpec, _ *Workload) {
			ps.Role = model.Ref{S: "arn:aws:iam::222222222222:role/Exec", Pos: at(9)}
		}, "s.yaml:9:1: role arn:aws:iam::222222222222:role/Exec is not in the pipeline's account 111111111111 (an execution role belongs to the owner)"},
		{"unknown param in a Start", func(_ *PipelineSpec, wl *Workload) {
			wl.Parameters = []Param{{Name: "Output", Value: "s3://data-222/o/", Pos: at(9)}}
		}, `s.yaml:9:1: unknown param "Output": no target pipeline of this entry has it (train has Input)`},
		{"unknown param in a Start, at its name", func(_ *PipelineSpec, wl *Workload) {
			wl.Parameters = []Param{{Name: "Output", Value: "s3://data-222/o/", Pos: at(9), NamePos: at(8)}}
		}, `s.yaml:8:1: unknown param "Output": no target pipeline of this entry has it (train has Input)`},
		{"bad value in a Start", func(_ *PipelineSpec, wl *Workload) {
			wl.Parameters = []Param{{Name: "Input", Value: "s3://nope/o/", Pos: at(9)}}
		}, `s.yaml:9:1: parameter Input: unknown bucket "nope"`},
		{"bad value of a required parameter in a Start", func(ps *PipelineSpec, wl *Workload) {
			ps.Parameters[0] = Param{Name: "Input", Required: true}
			wl.CallerParameters = []CallerParams{{Caller: ref("222222222222"), Params: []Param{{Name: "Input", Value: "s3://nope/o/", Pos: at(9)}}}}
		}, `s.yaml:9:1: parameter Input: unknown bucket "nope"`},
		{"required parameter not passed", func(ps *PipelineSpec, wl *Workload) {
			ps.Parameters[0] = Param{Name: "Input", Required: true}
			wl.Pos = at(9)
		}, `s.yaml:9:1: workload "222222222222/StartPipelineExecution": its Starts of pipeline train by 222222222222 do not pass parameter Input, which the pipeline declares without a default, so SageMaker rejects them (give the entry parameters: {Input: VALUE})`},
		{"required parameter passed for another caller only", func(ps *PipelineSpec, wl *Workload) {
			ps.Parameters[0] = Param{Name: "Input", Required: true}
			wl.Callers = append(wl.Callers, ref("333333333333"))
			wl.CallerParameters = []CallerParams{{Caller: ref("333333333333"), Params: []Param{{Name: "Input", Value: "s3://data-333/in/"}}}}
			wl.Pos = at(9)
		}, `s.yaml:9:1: workload "222222222222/StartPipelineExecution": its Starts of pipeline train by 222222222222 do not pass parameter Input, which the pipeline declares without a default, so SageMaker rejects them (give the entry parameters: {Input: VALUE})`},
		{"inside an inline definition", func(ps *PipelineSpec, _ *Workload) {
			ps.Steps[0].Inputs = []DataRef{{Value: "s3://nope/in", Pos: at(9), Inline: InlinePos{Line: 3, Col: 7}}}
		}, `s.yaml:9:1: definition: unknown bucket "nope" (JSON line 3, column 7)`},
		{"a role inside an inline definition", func(ps *PipelineSpec, _ *Workload) {
			ps.Steps[0].Role, ps.Steps[0].RoleInline = model.Ref{S: "role/Nope", Pos: at(9)}, InlinePos{Line: 2, Col: 5}
		}, `s.yaml:9:1: definition: role: account 111111111111 has no principal "role/Nope" (declare it under the owner account's principals) (JSON line 2, column 5)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := dataSpec()
			wl := calls("222222222222", model.StartPipelineExecution, 0)
			tc.mutate(&spec, &wl)
			_, errs := New(dataWorld(t), &Config{Duration: hour, Pipelines: []PipelineSpec{spec}, Workload: []Workload{wl}})
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			assert.Contains(t, got, tc.want)
		})
	}
}

// TestRequiredParam: a parameter without a default is decided per Start
// with the value its caller passes: a required parameter's missing
// default is not checked, and Starts that pass nothing (a replayed one)
// make no request for it.
func TestRequiredParam(t *testing.T) {
	spec := dataSpec()
	spec.Parameters[0] = Param{Name: "Input", Required: true}
	wl := calls("222222222222", model.StartPipelineExecution, 0, 5*hour)
	wl.Callers = append(wl.Callers, ref("333333333333"))
	wl.CallerParameters = []CallerParams{
		{Caller: ref("222222222222"), Params: []Param{{Name: "Input", Value: "s3://data-222/in/"}}},
		{Caller: ref("333333333333"), Params: []Param{{Name: "Input", Value: "s3://data-333/in/"}}}}
	s, errs := New(dataWorld(t), &Config{Duration: 10 * hour, Pipelines: []PipelineSpec{spec}, Workload: []Workload{wl}})
	require.NotNil(t, s, "%v", errs)
	r := s.Run()
	assert.Equal(t, int64(4), r.Executions.Started)
	assert.Equal(t, int64(2), r.Executions.Succeeded, "222's data, with its key that trusts the owner")
	require.Len(t, r.Data.Failures, 1)
	assert.Equal(t, "k333", r.World.DataSubject(r.Data.Failures[0].Access), "333's data, with its own key")

	steps, params := r.Data.StartData(0, -1)
	assert.Nil(t, params)
	assert.Empty(t, steps[0].Accesses, "no value passed: Prep makes no request")

	// A replayed Start passes its recorded value, or none: then Prep makes
	// no request and runs through.
	s, errs = New(dataWorld(t), &Config{Duration: 10 * hour, Pipelines: []PipelineSpec{spec}})
	require.NotNil(t, s, "%v", errs)
	p2, _ := s.w.LookupCallers("222222222222")
	s.SetTrace(&sliceTrace{calls: []TraceCall{
		{At: 0, Caller: p2[0], Action: model.StartPipelineExecution, StartsExecution: "rec000000001",
			Parameters: []Param{{Name: "Input", Value: "s3://data-333/in/"}}},
		{At: minute, Caller: p2[0], Action: model.StartPipelineExecution, StartsExecution: "rec000000002"}}})
	r = s.Run()
	assert.Equal(t, int64(2), r.Executions.Started)
	assert.Equal(t, int64(1), r.Executions.Succeeded, "the Start that passes no Input")
	require.Len(t, r.Data.Failures, 1)
	assert.Equal(t, "k333", r.World.DataSubject(r.Data.Failures[0].Access), "the recorded Input's bucket key")
	assert.Equal(t, int64(3), r.Data.Decisions, "ListBucket, GetObject, Decrypt of the first; none of the second")
	assert.Equal(t, []Unpassed{{Pipeline: 0, Param: "Input", Starts: 1}}, r.Trace.Unpassed, "the second Start is counted")
}

func at(line int) model.Pos { return model.Pos{File: "s.yaml", Line: line, Col: 1} }
