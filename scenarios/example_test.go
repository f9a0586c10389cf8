package scenarios_test

import (
	"fmt"
	"os"

	"github.com/pipeshare/pipeshare/scenarios"
)

func ExampleParse() {
	src := `version: 1
name: demo
start: 2026-01-05
duration: 30d
accounts:
  - {id: 222222222222, name: research}
  - {id: "111111111111", nmae: platform}
workload:
  - {callers: ["111111111111"], targets: all, rate: 4, actions: {DescribePipeline: 1}}
`
	_, err := scenarios.Parse("demo.yaml", []byte(src), scenarios.LoadOptions{})
	scenarios.PrintError(os.Stdout, err)
	// Output:
	// demo.yaml:3:8: start: date-only time 2026-01-05: write 2026-01-05T00:00:00Z
	// demo.yaml:6:10: account ID 222222222222 must be a quoted string (YAML drops leading zeros)
	// demo.yaml:7:26: unknown key "nmae" in account, did you mean "name"? (allowed: id, id_from, count, name, ou, principals, scps, full_access, group, quotas, on_capacity)
	// demo.yaml:9:53: rate: rate 4 needs a unit: write 4/s, 4/m, 4/h or 4/d
}

func ExampleBuiltin() {
	for _, name := range scenarios.Names() {
		data, _ := scenarios.Builtin(name)
		sc, err := scenarios.Parse(name+".yaml", data, scenarios.LoadOptions{})
		if err != nil {
			panic(err)
		}
		steps := 0
		for _, p := range sc.Sim.Pipelines {
			steps += len(p.Steps)
		}
		fmt.Printf("%s: %d accounts, %d pipelines (%d steps), %d shares, %d events, %s from %s\n", sc.Name,
			len(sc.Model.Accounts), len(sc.Model.Pipelines), steps, len(sc.Model.Shares), len(sc.Model.Events),
			sc.Sim.Duration, sc.Start.Format("2006-01-02T15:04Z"))
	}
	// Output:
	// data-plane: 5 accounts, 1 pipelines (2 steps), 1 shares, 0 events, 720h0m0s from 2026-02-02T00:00Z
	// extended-vs-read-only: 8 accounts, 2 pipelines (6 steps), 2 shares, 1 events, 720h0m0s from 2026-01-05T00:00Z
	// external-partner: 6 accounts, 2 pipelines (0 steps), 2 shares, 0 events, 72h0m0s from 2026-03-02T07:00Z
	// org-restructure: 8 accounts, 2 pipelines (0 steps), 2 shares, 6 events, 720h0m0s from 2026-02-01T00:00Z
	// quickstart: 8 accounts, 1 pipelines (2 steps), 1 shares, 3 events, 720h0m0s from 2026-01-05T00:00Z
	// scale: 10000 accounts, 2000 pipelines (8000 steps), 5000 shares, 0 events, 24h0m0s from 2026-01-05T00:00Z
	// w1: 51 accounts, 20 pipelines (80 steps), 1 shares, 0 events, 720h0m0s from 2026-01-05T00:00Z
	// w1-500: 501 accounts, 20 pipelines (80 steps), 1 shares, 0 events, 720h0m0s from 2026-01-05T00:00Z
	// w1-steady: 6 accounts, 20 pipelines (80 steps), 1 shares, 0 events, 720h0m0s from 2026-01-05T00:00Z
}
