package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/sim"
	"github.com/pipeshare/pipeshare/sim/plan"
)

const planAbout = `Searches a space of variants of the scenario and recommends one. The space
file (--space; docs/plan.md) lists axes, each a --set path with values or
named alternatives of --set lines; the points are their combinations.
Constraints on the metrics (owner cost per month, blocked Starts, findings,
...) make a point infeasible; lexicographic objectives rank the feasible
ones, ties going to fewer changes from the scenario as written.

Every point runs with the same random numbers (replica i of every point
with the same seed), so differences between points are the strategies',
not chance's; an axis may not set seed (--seed changes them). The whole grid is searched when it has at most --budget
points, else the scenario as written and a seeded Latin-hypercube sample.
Replicas are spent by successive halving: every point at R/4, the better
half at twice as many, up to --replicas R. The report gives the
recommendation in words, the Pareto frontier and every point.

Without --space an embedded scenario uses its embedded space (pipeshare
plan quickstart). --emit writes the recommended point as a scenario that
extends the input. --shard i/k writes a part file for pipeshare merge, like
run --replicas. Exit 0 when a point is feasible, 1 when none is, 2 on
errors.`

func cmdPlan(e *env, args []string) error {
	fs := newFlagSet(e, "plan", "plan [SCENARIO] [--space SPACE.yaml] [flags]", planAbout)
	var lf loadFlags
	registerMaxInput(fs, &lf.maxInput)
	registerRoot(fs, &lf.root)
	spaceArg := fs.String("space", "", "the space file, `SPACE.yaml` (default: the embedded scenario's space)")
	format := registerFormat(fs, new(report.Plan), "")
	out := registerOut(fs, "the report")
	replicas := fs.Int("replicas", 8, "the most replicas of a point, `R`")
	budget := fs.Int("budget", plan.DefaultBudget, "evaluate at most `N` points (the whole grid when it is no larger, else a Latin-hypercube sample)")
	seed := fs.Uint64("seed", 0, "the master seed instead of the scenario's (replica i of every point runs with one derived from it; it also draws the sample)")
	emit := fs.String("emit", "", "write the recommended point to `FILE` as a scenario that extends the input")
	shard := fs.String("shard", "", "run only shard `i/k` (i from 0) of every point's replicas and write a part file for pipeshare merge; auto reads the array index of Kubernetes, AWS Batch or Slurm")
	shards := fs.Int("shards", 0, "with --shard auto: the number of shards `K`, when the environment does not say")
	quiet := registerQuiet(fs)
	var lim limitFlags
	lim.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := lim.check(); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErrorf("pipeshare plan: one scenario at a time (got %d)", fs.NArg())
	}
	if *replicas < 1 {
		return usageErrorf("--replicas must be at least 1")
	}
	if *budget < 1 {
		return usageErrorf("--budget must be at least 1")
	}
	outs, err := outputsOf(new(report.Plan), *format, fs.Changed("format"), *out)
	if err != nil {
		return err
	}
	var sh shardSpec
	if fs.Changed("shard") || fs.Changed("shards") {
		if sh, err = parseShard(*shard, *shards, os.LookupEnv); err != nil {
			return err
		}
		if len(outs) > 1 {
			return usageErrorf("--shard writes one part file: give one --out")
		}
		if *emit != "" {
			return usageErrorf("--emit goes with the whole plan, not a shard: emit after pipeshare merge by running the plan again, or read the recommendation")
		}
	}
	if err := claimOutputs(e, outs); err != nil {
		return err
	}
	if *emit != "" {
		if err := e.files.output("--emit", *emit); err != nil {
			return err
		}
	}
	arg := fs.Arg(0)
	base, embedded, err := readScenarioBase(e, arg, lf)
	if err != nil {
		return err
	}
	sc := base.Scenario()
	io.WriteString(e.stderr, sc.Warnings.String())
	space, err := readSpace(e, lf, *spaceArg, arg, embedded, base)
	if err != nil {
		return err
	}
	master := sc.Sim.Seed
	if fs.Changed("seed") {
		master = *seed
	}
	p, err := plan.New(&space.Plan, plan.Options{Replicas: *replicas, Budget: *budget, BudgetSet: fs.Changed("budget"), Seed: master})
	if err != nil {
		return inputError(fmt.Errorf("%s:1:1: %v", space.File, err))
	}
	if err := checkPoints(base, space, p.Points); err != nil {
		return err
	}
	c, err := scenarios.Compile(sc)
	if err != nil {
		return scenarioError(err)
	}
	workers := runtime.GOMAXPROCS(0)
	est := estimateReplicas(c.Sim, c.World.NumPipelines(), workers, workers, false)
	est.calls = c.Sim.Estimate().Calls * float64(len(p.Points)*p.Options.Replicas)
	est.what = fmt.Sprintf(" (%d points, up to %d replicas each)", len(p.Points), p.Options.Replicas)
	if err := lim.allow("plan", est); err != nil {
		return err
	}
	meta := report.Meta{Scenario: sc.Name, ScenarioSHA256: sc.SHA256, Version: version}
	ev := &planEvaluator{ctx: e.ctx, base: base, space: space, points: p.Points, master: master,
		workers: workers, progress: commandProgress(e, *quiet)}

	if sh.count > 0 {
		all := p.AllJobs()
		lo, hi := report.ShardRange(len(all), sh.index, sh.count)
		part := &report.PlanPart{Meta: meta, SpaceFile: space.File, SpaceSHA256: space.SHA256, Seed: master,
			Space: &space.Plan, Options: p.Options, Points: len(p.Points), Shard: sh.index, Shards: sh.count,
			Values: make([]plan.Values, hi-lo)}
		err := ev.run(all[lo:hi], func(j int, v *plan.Values) { part.Values[j] = *v })
		if err != nil {
			return err
		}
		return writeOutput(e, outs[0].path, func(w io.Writer) error { return report.WritePlanPart(w, part) })
	}

	res, err := p.Run(ev.run)
	if err != nil {
		return err
	}
	rep := &report.Plan{Meta: meta, SpaceFile: space.File, SpaceSHA256: space.SHA256, Seed: master, Result: res}
	if err := writeOutputs(e, outs, func(f string) func(io.Writer) error { return renderAs(rep, f) }); err != nil {
		return err
	}
	if res.Recommended < 0 {
		if *emit != "" {
			fmt.Fprintf(e.stderr, "pipeshare plan: no point is feasible: nothing written to %s\n", *emit)
		}
		return &exitError{code: exitFindings}
	}
	if *emit != "" {
		return emitPoint(e, base, space, p, res, *emit, arg, embedded)
	}
	return nil
}

// readSpace reads and checks the space file: --space, else the embedded
// space of the embedded scenario arg.
func readSpace(e *env, lf loadFlags, spaceArg, arg string, embedded bool, base *scenarios.Base) (*scenarios.Space, error) {
	var name string
	var data []byte
	if spaceArg != "" {
		in, err := lf.inputs(e)
		if err != nil {
			return nil, err
		}
		if data, err = in.read("the space file", spaceArg); err != nil {
			return nil, fileError(err)
		}
		name = spaceArg
		if spaceArg == "-" {
			name = "<stdin>"
		}
	} else {
		ref := strings.TrimSuffix(arg, ".yaml")
		if arg == "" {
			ref = defaultScenario
		}
		var ok bool
		if data, ok = scenarios.BuiltinSpace(ref); !embedded || !ok {
			return nil, usageErrorf("pipeshare plan: give the space to search with --space SPACE.yaml (only embedded scenarios have an embedded space; see docs/plan.md)")
		}
		name = ref + ".space.yaml"
	}
	sp, err := scenarios.ParseSpace(name, data, base, lf.maxInput)
	if err != nil {
		return nil, scenarioError(err)
	}
	return sp, nil
}

// checkPoints checks that every point decodes and compiles, before any
// simulation: an axis value may be valid alone and not with another's.
func checkPoints(base *scenarios.Base, space *scenarios.Space, points []plan.Point) error {
	var errs scenarios.ErrorList
	for _, pt := range points {
		sc, err := base.With(space.Sets(pt))
		if err == nil {
			_, err = scenarios.Compile(sc)
		}
		var l scenarios.ErrorList
		if errors.As(err, &l) {
			for _, d := range l {
				if !d.Warning() {
					d.Msg += " (at the point " + pointText(space, pt) + ")"
					errs = append(errs, d)
				}
			}
			if len(errs) >= 20 {
				break
			}
		} else if err != nil {
			return inputError(err)
		}
	}
	if len(errs) > 0 {
		errs.RemoveMultiples()
		return scenarioError(errs)
	}
	return nil
}

// pointText is "axis=value, …".
func pointText(space *scenarios.Space, pt plan.Point) string {
	var parts []string
	for a, v := range pt {
		ax := &space.Plan.Axes[a]
		parts = append(parts, ax.Name+"="+ax.Label(v))
	}
	return strings.Join(parts, ", ")
}

// planEvaluator runs a plan's jobs on a pool of goroutines: each job
// decodes its point's variant of the base (no file is read again), runs
// it with its replica's seed, and reduces the run to its metrics at once,
// so memory holds a few runs at a time whatever the number of points.
type planEvaluator struct {
	ctx      context.Context
	base     *scenarios.Base
	space    *scenarios.Space
	points   []plan.Point
	master   uint64
	workers  int
	progress *progress
}

// run is a plan.Evaluator: it records every job's metrics from this
// goroutine, in the order they finish.
func (ev *planEvaluator) run(jobs []plan.Job, record func(int, *plan.Values)) error {
	p := pool{ctx: ev.ctx, cmd: "pipeshare plan", workers: ev.workers, progress: ev.progress,
		line: func(done, total int) string {
			return fmt.Sprintf("plan: %d of %d runs done in this round", done, total)
		}}
	return runPool(p, len(jobs), func(ctx context.Context, j int) (plan.Values, error) {
		return ev.job(ctx, jobs[j])
	}, func(j int, v plan.Values) int {
		record(j, &v)
		return 1
	})
}

// job runs one replica of one point and returns its metrics.
func (ev *planEvaluator) job(ctx context.Context, job plan.Job) (plan.Values, error) {
	if ctx.Err() != nil {
		return plan.Values{}, ctx.Err()
	}
	sc, err := ev.base.With(ev.space.Sets(ev.points[job.Point]))
	if err != nil {
		return plan.Values{}, scenarioError(err)
	}
	sc.Sim.Seed = sim.ReplicaSeed(ev.master, job.Replica)
	c, err := scenarios.Compile(sc)
	if err != nil {
		return plan.Values{}, scenarioError(err)
	}
	res, err := c.Sim.RunContext(ctx)
	if err != nil {
		return plan.Values{}, err
	}
	in := runCheckInput(sc, res)
	in.MinSeverity = report.SeverityNote
	chk, err := report.Check(in)
	if err != nil {
		return plan.Values{}, inputError(err)
	}
	return report.PlanValues(report.Summarize(res, report.Meta{}), chk), nil
}

// emitPoint writes the recommended point as a scenario that extends the
// input: arg, an embedded name or a file, as the emitted file's folder
// sees it.
func emitPoint(e *env, base *scenarios.Base, space *scenarios.Space, p *plan.Plan, res *plan.Result, path, arg string, embedded bool) error {
	ref := arg
	switch {
	case arg == "":
		ref = defaultScenario
	case arg == "-":
		return usageErrorf("--emit: the scenario came from stdin, so the emitted file has nothing to extend: give it as a file")
	case !embedded:
		rel, err := filepath.Rel(filepath.Dir(absPath(path)), absPath(arg))
		if err != nil {
			return usageErrorf("--emit: %v", err)
		}
		ref = filepath.ToSlash(rel)
	}
	pt := p.Points[res.Recommended]
	header := fmt.Sprintf("The point pipeshare plan recommends (%s), from space %s:\n%s",
		pointText(space, pt), space.File, (&report.Plan{Result: res}).Recommendation())
	data, err := base.Emit(ref, header, space.Sets(pt))
	if err != nil {
		return scenarioError(err)
	}
	return writeFile(e, "--emit", path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
