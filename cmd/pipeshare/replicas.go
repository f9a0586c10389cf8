package main

// run --replicas N: N independent replicas of one scenario, run in
// parallel, reported as mean, percentiles and confidence intervals.

import (
	"context"
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

	ctx, cancel := context.WithCancelCause(e.ctx) // a replica's error stops the others
	defer cancel(nil)
	type result struct {
		i      int
		sample report.ReplicaSample
		err    error
	}
	jobs := make(chan int)
	results := make(chan result, workers)
	window := make(chan struct{}, 2*max(workers, 1)) // replicas started and not yet folded
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				s, err := runReplica(ctx, c, sc, i, sim.ReplicaSeed(master, i), rr.until != "", horizon, meta)
				results <- result{i, s, err}
			}
		})
	}
	go func() {
		defer close(jobs)
		for i := lo; i < hi; i++ {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	fold := report.NewReplicaFold(meta)
	var samples []report.ReplicaSample // a shard's part file
	pending := map[int]report.ReplicaSample{}
	var firstErr error
	for r := range results {
		if r.err != nil || firstErr != nil {
			if firstErr == nil {
				firstErr = r.err
				cancel(r.err)
			}
			continue
		}
		pending[r.i] = r.sample
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
			<-window
		}
	}
	if err := e.ctx.Err(); err != nil {
		return inputError(fmt.Errorf("pipeshare run: %v", err))
	}
	if firstErr != nil {
		return firstErr
	}
	if sharding {
		part := &report.ReplicaPart{Meta: meta, Seed: master, Replicas: rr.n, Shard: rr.shard.index,
			Shards: rr.shard.count, Samples: samples}
		return writeOutput(e, rr.out, func(w io.Writer) error { return report.WriteReplicaPart(w, part) })
	}
	return writeOutput(e, rr.out, renderAs(fold.Replicas(), rr.format))
}

// replicaRun is what `run --replicas` asks for.
type replicaRun struct {
	n      int       // --replicas
	shard  shardSpec // --shard; count 0 when not sharding
	format string    // text or json (ignored for a shard's part file)
	out    string    // --out: "" or "-" is stdout, else written atomically
	until  string    // the raw --until value ("" = the scenario's horizon)
	limits limitFlags
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
