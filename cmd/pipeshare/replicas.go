package main

// run --replicas N: N independent replicas of one scenario, run in
// parallel, reported as mean, percentiles and confidence intervals.

import (
	"context"
	"fmt"
	"io"
	"runtime"

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
//     replica 0 is compiled here, warnings not printed. The other replicas
//     are compiled from shallow copies of sc with their own seed.
//   - Replica i runs with seed sim.ReplicaSeed(master, i): replica 0
//     with the master seed itself, so its numbers are exactly those of a
//     plain `run`; the seeds are printed in the JSON (`run --seed S`
//     reproduces replica i alone).
//   - Before any runs, the calls and memory of the whole block are
//     estimated and refused above rr.limits.
//   - Replicas run on a pool of GOMAXPROCS goroutines; each compiles its
//     own World and Sim, runs it and keeps only its report.ReplicaSample,
//     which is folded into the report in index order as soon as the
//     replicas before it are (report.ReplicaFold), so memory grows by a few
//     hundred bytes a replica, not by a sample. At most 2×GOMAXPROCS
//     replicas are started and not yet folded. The output is
//     byte-identical for any GOMAXPROCS, and for any sharding once merged.
//     A shard keeps its samples: they are its part file.
//   - The replicas look at e.ctx (every 65,536 events of each run); a
//     cancelled context stops them all and writes nothing, as does a
//     replica's error.
func runReplicas(e *env, c *scenarios.Compiled, sc *scenarios.Scenario, rr replicaRun) error {
	if rr.n < 1 {
		return usageErrorf("--replicas must be at least 1")
	}
	var horizon sim.Time
	if rr.until != "" {
		t, err := parseAt("until", rr.until, sc)
		if err != nil {
			return err
		}
		horizon = t
	}
	if c == nil {
		var err error
		if c, err = scenarios.Compile(sc); err != nil {
			return scenarioError(err)
		}
	}
	if rr.until != "" {
		c.Sim.SetHorizon(horizon)
	}
	master := sc.Sim.Seed
	meta := report.Meta{Scenario: sc.Name, ScenarioSHA256: sc.SHA256, Version: version}
	lo, hi := shardBlock(rr.shard, rr.n)
	workers := min(runtime.GOMAXPROCS(0), hi-lo)
	sharding := rr.shard.count > 0
	if err := rr.limits.allow("run", estimateReplicas(c.Sim, c.World.NumPipelines(), hi-lo, workers, sharding)); err != nil {
		return err
	}

	fold := report.NewReplicaFold(meta)
	var samples []report.ReplicaSample // a shard's part file
	pending := map[int]report.ReplicaSample{}
	p := pool{ctx: e.ctx, cmd: "pipeshare run", workers: workers, window: 2 * max(workers, 1), progress: rr.progress,
		line: func(done, total int) string { return fmt.Sprintf("replicas %d of %d done", done, total) }}
	err := runPool(p, hi-lo, func(ctx context.Context, j int) (report.ReplicaSample, error) {
		i := lo + j
		return runReplica(ctx, c, sc, i, sim.ReplicaSeed(master, i), rr.until != "", horizon, meta)
	}, func(j int, s report.ReplicaSample) int {
		pending[lo+j] = s
		released := 0
		for next := lo + fold.N() + len(samples); ; next++ {
			s, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			if sharding {
				samples = append(samples, s)
			} else {
				fold.Add(&s)
			}
			released++
		}
		return released
	})
	if err != nil {
		return err
	}
	if sharding {
		part := &report.ReplicaPart{Meta: meta, Seed: master, Replicas: rr.n, Shard: rr.shard.index,
			Shards: rr.shard.count, Samples: samples}
		return writeOutput(e, rr.outs[0].path, func(w io.Writer) error { return report.WriteReplicaPart(w, part) })
	}
	rep := fold.Replicas()
	return writeOutputs(e, rr.outs, func(format string) func(io.Writer) error { return renderAs(rep, format) })
}

// replicaRun is what `run --replicas` asks for.
type replicaRun struct {
	n        int       // --replicas
	shard    shardSpec // --shard; count 0 when not sharding
	outs     []output  // the reports to write; a shard writes its part file to the first
	until    string    // the raw --until value ("" = the scenario's horizon)
	limits   limitFlags
	progress *progress // the replicas done; nil for none
}

// runReplica compiles (or, for replica 0, reuses c), runs and summarizes
// replica i into its sample. The sim.Result is dropped on return.
func runReplica(ctx context.Context, c *scenarios.Compiled, sc *scenarios.Scenario, i int, seed uint64,
	setHorizon bool, horizon sim.Time, meta report.Meta) (report.ReplicaSample, error) {
	if ctx.Err() != nil {
		return report.ReplicaSample{}, ctx.Err()
	}
	if i != 0 {
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
	res, err := c.Sim.RunContext(ctx)
	if err != nil {
		return report.ReplicaSample{}, err
	}
	return report.NewReplicaSample(i, report.Summarize(res, meta)), nil
}
