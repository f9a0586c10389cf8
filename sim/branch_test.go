package sim

import (
	"testing"

	"github.com/pipeshare/pipeshare/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// branchSpec is prep (10m) → check (Condition) → if: register (5m, 1
// instance) | else: retrain (20m, 2 instances) → report (1m, depends on
// retrain only, so it follows the else branch).
func branchSpec(static int8, ifProb float64) PipelineSpec {
	check := StepSpec{Name: "check", Type: "Condition", DependsOn: []model.Ref{ref("prep")},
		Duration: Dist{Kind: DistFixed, A: float64(Time(1e9))}, Static: static, IfProbability: ifProb,
		IfSteps: []model.Ref{ref("register")}, ElseSteps: []model.Ref{ref("retrain")}}
	return PipelineSpec{Name: ref("train"), Account: ref("111111111111"), Steps: []StepSpec{
		fixed("prep", 10*minute, 1), check, fixed("register", 5*minute, 1), fixed("retrain", 20*minute, 2),
		fixed("report", minute, 1, "retrain")}}
}

func TestStaticBranchSkipsTheOtherSide(t *testing.T) {
	for _, tc := range []struct {
		static  int8
		granted int64
		ns      Time
	}{
		{+1, 2, 10*minute + 5*minute},             // prep, register
		{-1, 3, 10*minute + 2*20*minute + minute}, // prep, retrain ×2, report
	} {
		r := runExec(t, &Config{Quotas: []AccountQuota{quota(10, true)}, Pipelines: []PipelineSpec{branchSpec(tc.static, 0.5)},
			Workload: []Workload{calls("222222222222", model.StartPipelineExecution, 0)}})
		assert.Equal(t, ExecStats{Started: 1, Succeeded: 1}, r.Executions, "static %d: skipped steps do not block success", tc.static)
		assert.Equal(t, tc.granted, r.Steps.Granted, "static %d", tc.static)
		ns, _ := ledgerNs(r)
		assert.Equal(t, int64(tc.ns), ns, "static %d: the skipped side is not billed", tc.static)
	}
}

func TestDrawnBranchFollowsIfProbability(t *testing.T) {
	// 2000 executions with if_probability 0.3: the register step (the if
	// side) is billed 5 instance-minutes per if, retrain 40 per else.
	const n = 2000
	at := make([]Time, n)
	for i := range at {
		at[i] = Time(i) * minute
	}
	q := quota(Unlimited, true)
	q.ConcurrentExecutions = Unlimited
	r := runExec(t, &Config{Duration: 100 * hour, Quotas: []AccountQuota{q},
		Pipelines: []PipelineSpec{branchSpec(0, 0.3)},
		Workload:  []Workload{calls("222222222222", model.StartPipelineExecution, at...)}})
	require.Equal(t, int64(n), r.Executions.Succeeded)
	// Granted: prep + (register | retrain + report) per execution.
	ifs := float64(3*n - r.Steps.Granted) // each if execution grants 2, each else 3
	assert.InDelta(t, 0.3, ifs/n, 0.04, "share of if branches")
	ns, _ := ledgerNs(r)
	want := int64(n)*int64(10*minute) + int64(ifs)*int64(5*minute) + int64(n-int64(ifs))*int64(41*minute)
	assert.Equal(t, want, ns)
}

func TestRetryKeepsSkippedSteps(t *testing.T) {
	// The else branch is taken; retrain always fails. A retry re-runs
	// retrain only: register stays skipped (never billed).
	spec := branchSpec(-1, 0.5)
	spec.Steps[3].FailureRate = 1
	r := runExec(t, &Config{Duration: 2 * hour, Quotas: []AccountQuota{quota(10, true)}, Pipelines: []PipelineSpec{spec},
		Workload: []Workload{calls("222222222222", model.StartPipelineExecution, 0),
			calls("333333333333", model.RetryPipelineExecution, time60())}})
	assert.Equal(t, int64(2), r.Executions.Failed)
	assert.Equal(t, int64(3), r.Steps.Granted, "prep, retrain, retrain again; never register")
}

func time60() Time { return 60 * minute }

func TestBranchErrors(t *testing.T) {
	spec := branchSpec(0, 1.5)
	spec.Steps[1].ElseSteps = append(spec.Steps[1].ElseSteps, ref("nope"), ref("register"))
	s, errs := New(execWorld(t), &Config{Duration: hour, Pipelines: []PipelineSpec{spec}})
	assert.Nil(t, s)
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Msg)
	}
	assert.Contains(t, msgs, `step "check": if_probability must be between 0 and 1, not 1.5`)
	assert.Contains(t, msgs, `condition step "check" has unknown branch step "nope"`)
	assert.Contains(t, msgs, `step "register" is a branch step of both "check" and "check"`)
}
