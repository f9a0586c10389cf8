package main

// run --replicas N: N independent replicas of one scenario, run in
// parallel, reported as mean, percentiles and confidence intervals.
//
// Contract of runReplicas (for `run`'s wiring):
//
//	func runReplicas(e *env, c *scenarios.Compiled, sc *scenarios.Scenario,
//	                 n int, format, out string, until string) error
//
//   - sc is the parsed scenario with any --seed override already applied to
//     sc.Sim.Seed: that is the master seed, replica 0's. sc is only read
//     (scenarios.Compile does not modify it), so it is safe to share.
//   - c is sc compiled once by the caller (who printed its warnings) and
//     not yet run; it becomes replica 0. It may be nil, in which case
//     replica 0 is compiled like the others. The other replicas are
//     compiled from shallow copies of sc with their own seed, warnings not
//     printed again.
//   - n is --replicas; n < 1 returns a usage error (exit 2, "--replicas
//     must be at least 1"), checked before anything runs.
//   - format is "text" or "json" (anything else: a usage error); out is
//     --out ("" or "-" = stdout; otherwise written atomically).
//   - until is the raw --until value ("" = the scenario's horizon), parsed
//     here and applied to every replica.
//   - Replica i runs with seed replicaSeed(master, i): replica 0 with the
//     master seed itself, so its numbers are exactly those of a plain
//     `run`; the seeds are printed in the JSON (`run --seed S` reproduces
//     replica i alone).
//   - Replicas run on a pool of GOMAXPROCS goroutines; each compiles its
//     own World and Sim, runs it and summarizes it at once, so at most
//     GOMAXPROCS sim.Results are alive. Summaries are kept by index, so the
//     output is byte-identical for any GOMAXPROCS.
//   - e.ctx is checked before each replica starts; a cancelled context
//     returns its error (exit 2) and writes nothing.

import (
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/sim"
)

// replicaSeed returns replica i's seed under master seed s: s itself for
// i = 0, else the i-th output of a SplitMix64 generator seeded with s,
// that is mix(s + i·0x9E3779B97F4A7C15) with SplitMix64's finalizer mix
// (Steele, Lea and Flood 2014). Distinct i give distinct, well-spread
// seeds, and any replica can be rerun alone with `run --seed`.
func replicaSeed(s uint64, i int) uint64 {
	if i == 0 {
		return s
	}
	z := s + uint64(i)*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func runReplicas(e *env, c *scenarios.Compiled, sc *scenarios.Scenario, n int, format, out string, until string) error {
	if n < 1 {
		return usageErrorf("--replicas must be at least 1")
	}
	if err := oneOf("format", format, "text", "json"); err != nil {
		return err
	}
	var horizon sim.Time
	if until != "" {
		t, err := parseAt("until", until, sc)
		if err != nil {
			return err
		}
		horizon = t
	}
	master := sc.Sim.Seed
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = replicaSeed(master, i)
	}
	meta := report.Meta{Scenario: sc.Name, ScenarioSHA256: sc.SHA256, Version: version}

	sums := make([]*report.Summary, n)
	errs := make([]error, n)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := range jobs {
				sums[i], errs[i] = runReplica(e, c, sc, i, seeds[i], until != "", horizon, meta)
			}
		})
	}
	for i := range n {
		if e.ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := e.ctx.Err(); err != nil {
		return inputError(fmt.Errorf("pipeshare run: %v", err))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	rep := report.SummarizeReplicas(seeds, sums)
	render := report.WriteReplicasText
	if format == "json" {
		render = report.WriteReplicasJSON
	}
	return writeOutput(out, e.stdout, func(w io.Writer) error { return render(w, rep) })
}

// runReplica compiles (or, for replica 0, reuses c), runs and summarizes
// replica i. The sim.Result is dropped on return.
func runReplica(e *env, c *scenarios.Compiled, sc *scenarios.Scenario, i int, seed uint64,
	setHorizon bool, horizon sim.Time, meta report.Meta) (*report.Summary, error) {
	if e.ctx.Err() != nil {
		return nil, e.ctx.Err()
	}
	if i != 0 || c == nil {
		cp := *sc
		cp.Sim.Seed = seed
		var err error
		if c, err = scenarios.Compile(&cp); err != nil {
			return nil, scenarioError(err)
		}
	}
	if setHorizon {
		c.Sim.SetHorizon(horizon)
	}
	return report.Summarize(c.Sim.Run(), meta), nil
}
