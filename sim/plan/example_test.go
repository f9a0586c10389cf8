package plan_test

import (
	"fmt"

	"github.com/pipeshare/pipeshare/sim/plan"
)

// A toy space: more GPUs cost more and block fewer Starts. The evaluator
// stands in for the simulations; replica r adds the same noise to every
// point (common random numbers).
func Example() {
	sp := &plan.Space{
		Axes: []plan.Axis{{Name: "gpus", Values: []string{"4", "8", "16"}, Base: 0}},
		Constraints: []plan.Constraint{
			{Metric: plan.BlockedStartShare, Stat: plan.StatMean, Max: 0.05, HasMax: true}},
		Objectives: []plan.Objective{{Metric: plan.OwnerCostUSDMonth, Stat: plan.StatP95}},
	}
	p, err := plan.New(sp, plan.Options{Replicas: 4})
	if err != nil {
		panic(err)
	}
	gpus := []float64{4, 8, 16}
	res, err := p.Run(func(jobs []plan.Job, record func(int, *plan.Values)) error {
		for j, job := range jobs {
			g := gpus[p.Points[job.Point][0]]
			var v plan.Values
			v[plan.OwnerCostUSDMonth] = 100*g + float64(job.Replica)
			v[plan.BlockedStartShare] = 0.4 / g
			record(j, &v)
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	best := res.Points[res.Recommended]
	fmt.Println("rungs:", p.Rungs)
	fmt.Println("recommended: gpus =", sp.Axes[0].Label(best.Point[0]), "with", best.Replicas, "replicas")
	fmt.Printf("owner cost p95: %.0f USD/month\n", best.Metrics[plan.OwnerCostUSDMonth].P95)
	fmt.Println("4 GPUs breaks:", sp.Constraints[res.Points[0].Broken[0]].String())
	// Output:
	// rungs: [1 2 4]
	// recommended: gpus = 8 with 4 replicas
	// owner cost p95: 803 USD/month
	// 4 GPUs breaks: blocked_start_share ≤ 0.05
}
