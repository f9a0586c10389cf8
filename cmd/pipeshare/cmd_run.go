package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/sim"
)

const runAbout = `Simulates the scenario: every workload call is authorized at its simulated
time, and the report counts calls by action, caller and reason.

Formats: text (a terminal report), json (versioned, stable keys), csv (one
table, chosen with --table: calls by caller and action, cost by initiator,
the access matrix at the end of the run, or the compliance findings), md
(GitHub-flavoured Markdown) and html (one self-contained page with SVG
charts). --progress auto prints a progress line on stderr only when it is a
terminal and the run takes over a second.`

func cmdRun(e *env, args []string) error {
	fs := newFlagSet(e, "run", "run [SCENARIO] [flags]", runAbout)
	var lf loadFlags
	lf.register(fs)
	format := registerFormat(fs, report.RunView{}, "")
	table := fs.String("table", "calls", "the `TABLE` of --format csv: calls, cost, access or findings")
	out := registerOut(fs, "the report")
	seed := fs.Uint64("seed", 0, "override the scenario's seed")
	until := fs.String("until", "", "stop at `T` (a duration from start or an RFC 3339 time) instead of start+duration")
	stats := fs.Bool("stats", false, "print wall time and events per second to stderr")
	progressMode := fs.String("progress", "auto", "progress line on stderr: auto (on a terminal, for runs over 1s), on or off")
	quiet := registerQuiet(fs)
	replicas := fs.Int("replicas", 1, "run `N` independent replicas in parallel and report mean, p5, p50, p95 and a 95% confidence interval")
	shard := fs.String("shard", "", "with --replicas: run only shard `i/k` (i from 0) of the replicas and write a part file for pipeshare merge; auto reads the array index of Kubernetes, AWS Batch or Slurm")
	shards := fs.Int("shards", 0, "with --shard auto: the number of shards `K`, when the environment does not say")
	calls := registerCallsFlags(fs)
	trace := registerTraceFlags(fs)
	var lim limitFlags
	lim.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := lim.check(); err != nil {
		return err
	}
	if err := calls.check(fs); err != nil {
		return err
	}
	if err := trace.check(fs); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErrorf("pipeshare run: one scenario at a time (got %d)", fs.NArg())
	}
	var view report.View = report.RunView{}
	if fs.Changed("replicas") {
		view = new(report.Replicas)
	}
	outs, err := outputsOf(view, *format, fs.Changed("format"), *out)
	if err != nil {
		return err
	}
	if err := oneOf("table", *table, report.CSVTables...); err != nil {
		return err
	}
	isCSV := func(f string) bool { return f == "csv" }
	if fs.Changed("table") && !anyFormat(outs, isCSV) {
		return usageErrorf("--table applies to --format csv (got --format %s)", *format)
	}
	if err := oneOf("progress", *progressMode, "auto", "on", "off"); err != nil {
		return err
	}
	if *quiet {
		*progressMode = "off"
	}
	pr := newProgress(e.stderr, *progressMode, time.Now())
	if fs.Changed("replicas") && *replicas < 1 {
		return usageErrorf("--replicas must be at least 1")
	}
	var sh shardSpec
	if fs.Changed("shard") {
		if !fs.Changed("replicas") {
			return usageErrorf("--shard splits the replicas of --replicas N: give --replicas")
		}
		if fs.Changed("format") && *format != "json" {
			return usageErrorf("--shard writes a JSON part file for pipeshare merge (got --format %s)", *format)
		}
		if len(*out) > 1 {
			return usageErrorf("--shard writes one part file: give one --out")
		}
		outs = outs[:1]
		outs[0].format = "json"
		if sh, err = parseShard(*shard, *shards, os.LookupEnv); err != nil {
			return err
		}
	} else if fs.Changed("shards") {
		return usageErrorf("--shards goes with --shard auto")
	}
	// The outputs are claimed before any input is read, so that one that
	// would replace an input, or another output, is refused before any work.
	if err := claimOutputs(e, outs); err != nil {
		return err
	}
	if err := e.files.output("--calls", *calls.path); err != nil {
		return err
	}
	sc, err := readScenario(e, fs.Arg(0), lf)
	if err != nil {
		return err
	}
	if fs.Changed("seed") {
		sc.Sim.Seed = *seed
	}
	tr, err := traced(pr, *trace.path, func() (*traceRun, error) { return trace.prepare(e, sc, e.stderr) })
	if err != nil {
		return err
	}
	defer tr.close()
	if fs.Changed("replicas") {
		c, err := compile(e, sc)
		if err != nil {
			return err
		}
		return runReplicas(e, c, sc, replicaRun{n: *replicas, shard: sh, outs: outs, until: *until, limits: lim, progress: pr})
	}
	c, err := compileUntil(e, sc, *until, nil)
	if err != nil {
		return err
	}
	tr.attach(c)
	if err := lim.allow("run", estimateRuns(c.Sim)); err != nil {
		return err
	}
	callsOut, err := calls.open(e, c)
	if err != nil {
		return err
	}
	defer callsOut.abort() // on an error or an interrupt; finish commits it
	began := time.Now()
	pr.restart(began)
	sp := pr.watch(c.Sim)
	res, err := c.Sim.RunContext(e.ctx)
	if err != nil {
		return err
	}
	wall := time.Since(began)
	sp.finish(c.Sim)
	if err := callsOut.finish(); err != nil {
		return err
	}
	replay, err := tr.finish(res)
	if err != nil {
		return err
	}
	// The summary and the check both read the finished run: side by side.
	// Summarize reads the World's names and structure only; what the check
	// changes in it is the row cache of its decisions, which Summarize
	// never reads.
	sumc := make(chan *report.Summary, 1)
	go func() { sumc <- report.Summarize(res, scenarioMeta(sc, lf.sets)) }()
	rep, err := report.Check(runCheckInput(sc, res))
	sum := <-sumc
	if err != nil {
		return inputError(err)
	}
	sum.Findings = append([]report.Finding{}, rep.Findings...) // evaluated: not nil
	if *stats {
		fmt.Fprintf(e.stderr, "wall %.3fs, %d events, %.0f events/s, %d calls\n",
			wall.Seconds(), res.Events, float64(res.Events)/max(wall.Seconds(), 1e-9), sum.Calls.Total)
	}
	v := report.RunView{Summary: sum, Table: *table}
	return writeOutputs(e, outs, func(format string) func(io.Writer) error {
		return withReplay(renderAs(v, format), format, sum, replay)
	})
}

// runCheckInput is what `check` evaluates with its defaults (every rule,
// severity warning and above, no waivers), for the run report's findings.
func runCheckInput(sc *scenarios.Scenario, res *sim.Result) *report.CheckInput {
	in := &report.CheckInput{Result: res, Version: version, MinSeverity: report.SeverityWarning}
	addScenarioRules(in, sc)
	return in
}

// addScenarioRules fills in the scenario's identity and its user rules.
func addScenarioRules(in *report.CheckInput, sc *scenarios.Scenario) {
	in.Scenario, in.File, in.Start, in.UserRules = sc.Name, sc.File, sc.Start, sc.Rules
}

// scenarioMeta describes sc, read with the --set overrides sets, for a
// report.
func scenarioMeta(sc *scenarios.Scenario, sets []string) report.Meta {
	return report.Meta{Scenario: sc.Name, ScenarioSHA256: sc.SHA256, Version: version, File: sc.File, Sets: sets,
		Events: report.Events(sc.Model.Events, sc.Sim.QuotaEvents)}
}
