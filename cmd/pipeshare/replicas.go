package main

// run --replicas N: N independent replicas of one scenario, run in
// parallel, reported as mean, percentiles and confidence intervals.

import (
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/sim"
)

// runReplicas runs rr.n replicas of sc (or, with rr.shard, one shard's
// block of them) and writes their report (or the shard's part file).
//
//   - sc is the parsed scenario with any --seed override already applied to
//     sc.Sim.Seed: that is the master seed, replica 0's. sc is only read
//     (scenarios.Compile does not modify it), so it is safe to share.
//   - c is sc compiled once by the caller (who printed its warnings) and
//     not yet run; it becomes replica 0. It may be nil, in which case
//     replica 0 is compiled like the others. The other replicas are
//     compiled from shallow copies of sc with their own seed, warnings not
//     printed again.
//   - Replica i runs with seed sim.ReplicaSeed(master, i): replica 0
//     with the master seed itself, so its numbers are exactly those of a
//     plain `run`; the seeds are printed in the JSON (`run --seed S`
//     reproduces replica i alone).
//   - Replicas run on a pool of GOMAXPROCS goroutines; each compiles its
//     own World and Sim, runs it and keeps only its report.ReplicaSample,
//     so at most GOMAXPROCS sim.Results are alive. Samples are kept by
//     index, so the output is byte-identical for any GOMAXPROCS, and for
//     any sharding once merged.
//   - e.ctx is checked before each replica starts; a cancelled context
//     returns its error (exit 2) and writes nothing.
func runReplicas(e *env, c *scenarios.Compiled, sc *scenarios.Scenario, rr replicaRun) error {
	if rr.n < 1 {
		return usageErrorf("--replicas must be at least 1")
	}
	if err := checkFormat(new(report.Replicas), rr.format); err != nil {
		return err
	}
	var horizon sim.Time
	if rr.until != "" {
		t, err := parseAt("until", rr.until, sc)
		if err != nil {
			return err
		}
		horizon = t
	}
	master := sc.Sim.Seed
	meta := report.Meta{Scenario: sc.Name, ScenarioSHA256: sc.SHA256, Version: version}
	lo, hi := shardBlock(rr.shard, rr.n)

	samples := make([]report.ReplicaSample, hi-lo)
	errs := make([]error, hi-lo)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), hi-lo) {
		wg.Go(func() {
			for i := range jobs {
				samples[i-lo], errs[i-lo] = runReplica(e, c, sc, i, sim.ReplicaSeed(master, i), rr.until != "", horizon, meta)
			}
		})
	}
	for i := lo; i < hi; i++ {
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
	if rr.shard.count > 0 {
		part := &report.ReplicaPart{Meta: meta, Seed: master, Replicas: rr.n, Shard: rr.shard.index,
			Shards: rr.shard.count, Samples: samples}
		return writeOutput(rr.out, e.stdout, func(w io.Writer) error { return report.WriteReplicaPart(w, part) })
	}
	return writeOutput(rr.out, e.stdout, renderAs(report.SummarizeReplicas(meta, samples), rr.format))
}

// replicaRun is what `run --replicas` asks for.
type replicaRun struct {
	n      int       // --replicas
	shard  shardSpec // --shard; count 0 when not sharding
	format string    // text or json (ignored for a shard's part file)
	out    string    // --out: "" or "-" is stdout, else written atomically
	until  string    // the raw --until value ("" = the scenario's horizon)
}

// runReplica compiles (or, for replica 0, reuses c), runs and summarizes
// replica i into its sample. The sim.Result is dropped on return.
func runReplica(e *env, c *scenarios.Compiled, sc *scenarios.Scenario, i int, seed uint64,
	setHorizon bool, horizon sim.Time, meta report.Meta) (report.ReplicaSample, error) {
	if e.ctx.Err() != nil {
		return report.ReplicaSample{}, e.ctx.Err()
	}
	if i != 0 || c == nil {
		cp := *sc
		cp.Sim.Seed = seed
		var err error
		if c, err = scenarios.Compile(&cp); err != nil {
			return report.ReplicaSample{}, scenarioError(err)
		}
	}
	if setHorizon {
		c.Sim.SetHorizon(horizon)
	}
	return report.NewReplicaSample(i, report.Summarize(c.Sim.Run(), meta)), nil
}
