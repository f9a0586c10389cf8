package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/pipeshare/pipeshare/model"
)

// w1 builds W1 (bench/README.md) with a accounts directly as configs,
// without YAML: 20 pipelines of 4 one-instance steps, Exp(10m) holds, 2 %
// failures, a pool of 100 instances at $0.01/instance-minute, an extended
// share to every consumer, calls at 1/min per account.
func w1(tb testing.TB, a int) (*model.World, *Config) {
	tb.Helper()
	ref := func(s string) model.Ref { return model.Ref{S: s} }
	const owner = "111111111111"
	cfg := &model.Config{Region: "us-east-1",
		Org: &model.OrgConfig{ID: "o-w1w1w1w1w1", Management: ref(owner), RAMSharing: true}}
	cfg.Accounts = append(cfg.Accounts, model.AccountConfig{ID: ref(owner), OU: ref("/"), FullAccess: true})
	for i := range a {
		cfg.Accounts = append(cfg.Accounts, model.AccountConfig{ID: ref(fmt.Sprintf("3%011d", i+1)),
			OU: ref("/"), FullAccess: true, Groups: []string{"consumers"}})
	}
	sc := &Config{Seed: 1, Duration: 30 * 24 * hour,
		Quotas: []AccountQuota{{Account: ref(owner), ConcurrentExecutions: Unlimited, HasConcurrent: true,
			Instances: map[string]int{"ml.m5.large": 100}, OnCapacityQueue: true, HasOnCapacity: true}},
		Pricing: []Price{{InstanceType: "ml.m5.large", USDPerHour: 0.6}}}
	share := model.ShareConfig{Name: ref("w1"), Owner: ref(owner), Principals: []model.Ref{ref("group:consumers")},
		Permission: model.PermissionExtended, AllowExternal: true, InvitationTTL: 12 * hour}
	for p := range 20 {
		name := fmt.Sprintf("pipeline-%02d", p+1)
		cfg.Pipelines = append(cfg.Pipelines, model.PipelineConfig{Name: ref(name), Account: ref(owner)})
		share.Pipelines = append(share.Pipelines, ref(name))
		spec := PipelineSpec{Name: ref(name), Account: ref(owner), ExecutionTimeout: Never}
		for s := range 4 {
			st := StepSpec{Name: fmt.Sprintf("s%d", s), Type: "Processing", InstanceType: "ml.m5.large",
				InstanceCount: 1, Duration: Dist{Kind: DistExponential, A: float64(10 * time.Minute)}, FailureRate: 0.02}
			if s > 0 {
				st.DependsOn = []model.Ref{ref(fmt.Sprintf("s%d", s-1))}
			}
			spec.Steps = append(spec.Steps, st)
		}
		sc.Pipelines = append(sc.Pipelines, spec)
	}
	cfg.Shares = []model.ShareConfig{share}
	sc.Workload = []Workload{{Name: "w1", Callers: []model.Ref{ref("group:consumers")},
		Targets: []model.Ref{ref("all")}, Arrival: Arrival{Kind: ArrivalRate, PerNs: 1 / float64(time.Minute)},
		Actions: []ActionWeight{{model.DescribePipeline, 0.70}, {model.StartPipelineExecution, 0.20},
			{model.StopPipelineExecution, 0.05}, {model.RetryPipelineExecution, 0.05}},
		From: 0, To: sc.Duration}}
	w, errs := model.NewWorld(cfg)
	if w == nil {
		tb.Fatal(errs)
	}
	return w, sc
}

// BenchmarkW1 runs the whole of W1 (A = 50: 2.16 M calls, 432 k
// executions) once per op, without YAML or reporting; the statistics are
// checked against the baseline in cmd/pipeshare's TestW1AgreesWithBaseline.
func BenchmarkW1(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		w, cfg := w1(b, 50)
		s, errs := New(w, cfg)
		if s == nil {
			b.Fatal(errs)
		}
		b.StartTimer()
		r := s.Run()
		b.ReportMetric(float64(r.Events), "events/op")
	}
}
