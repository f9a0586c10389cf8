package main

import (
	"io"
	"strings"
	"sync"
	"time"

	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/sim"
)

const diffAbout = `Runs scenarios A and B with the same seed (A's unless --seed) and reports
what changed: calls by caller, action and final reason, the totals by
reason, the executions and steps, and the owner cost by initiator.
Workload entries with the same name and callers draw the same random
numbers in both runs (common random numbers), so the differences come from
the scenarios, not from chance. --set applies to B only, so a what-if is
one line: pipeshare diff quickstart quickstart --set shares.NAME.permission=read-only.
Exit 0 when the runs are identical, 1 when they differ, 2 on errors; with
--fail-on, 1 only when a policy fails (like Infracost's policies), each
with its reason on stderr and in the report.`

func cmdDiff(e *env, args []string) error {
	fs := newFlagSet(e, "diff", "diff A B [flags]", diffAbout)
	var lf loadFlags
	lf.register(fs)
	format := registerFormat(fs, new(report.Diff), "")
	out := registerOut(fs, "the report")
	seed := fs.Uint64("seed", 0, "run both with this seed instead of A's")
	until := fs.String("until", "", "stop both at `T` (a duration from start or an RFC 3339 time)")
	tf := registerTraceFlags(fs) // a what-if on real traffic: both replay the trace
	failOn := registerFailOn(fs, "fail (exit 1) when b against a: cost-increase=PCT% or =USD (the owner's cost over the run), new-access (a principal gains an action on a pipeline), new-external (one outside the organization does), severity=LEVEL (a new finding at or above LEVEL); with --fail-on, differences alone exit 0")
	quiet := registerQuiet(fs)
	var lim limitFlags
	lim.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := lim.check(); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageErrorf("pipeshare diff: two scenarios needed, A and B (got %d; see pipeshare diff --help)", fs.NArg())
	}
	outs, err := outputsOf(new(report.Diff), *format, fs.Changed("format"), *out)
	if err != nil {
		return err
	}
	policies, err := parseFailOn(*failOn)
	if err != nil {
		return err
	}
	// The findings of both runs: for the headline, and down to the level
	// of a severity policy.
	findings, minSev := anyFormat(outs, report.ForPeople), report.SeverityWarning
	for _, p := range policies {
		if p.Kind == report.PolicySeverity {
			findings, minSev = true, min(minSev, p.Severity)
		}
	}
	if err := claimOutputs(e, outs); err != nil {
		return err
	}
	var scs [2]*scenarios.Scenario
	var cs [2]*scenarios.Compiled
	for i := range scs {
		l := lf
		if i == 0 {
			l.sets = nil // --set is B's what-if
		}
		sc, err := readScenario(e, fs.Arg(i), l)
		if err != nil {
			return err
		}
		scs[i] = sc
	}
	s := scs[0].Sim.Seed
	if fs.Changed("seed") {
		s = *seed
	}
	pr := commandProgress(e, *quiet)
	var trs [2]*traceRun
	// The replays run side by side: their warnings are held and printed
	// after them, A's and then those of B that A did not give (one trace
	// replayed twice says each once).
	var warns [2]strings.Builder
	defer func() {
		io.WriteString(e.stderr, warns[0].String())
		printNew(e.stderr, warns[0].String(), warns[1].String())
	}()
	for i, sc := range scs {
		sc.Sim.Seed = s
		tr, err := traced(pr, *tf.path, func() (*traceRun, error) { return tf.prepare(e, sc, &warns[i]) })
		defer tr.close() // nil on an error
		if err != nil {
			return err
		}
		var shown scenarios.ErrorList
		if i == 1 {
			shown = cs[0].Warnings
		}
		c, err := compileUntil(e, sc, *until, shown)
		if err != nil {
			return err
		}
		tr.attach(c)
		cs[i], trs[i] = c, tr
	}

	// The two runs are independent: run them side by side.
	if err := lim.allow("diff", estimateRuns(cs[0].Sim, cs[1].Sim)); err != nil {
		return err
	}
	pr.restart(time.Now())
	results, err := runSims(e, pr, cs[0].Sim, cs[1].Sim)
	if err != nil {
		return err
	}
	var sums [2]*report.Summary
	for i, sc := range scs {
		if _, err := trs[i].finish(results[i]); err != nil {
			return err
		}
		sets := lf.sets
		if i == 0 {
			sets = nil
		}
		sums[i] = report.Summarize(results[i], scenarioMeta(sc, sets))
		if findings {
			in := runCheckInput(sc, results[i])
			in.MinSeverity = minSev
			rep, err := report.Check(in)
			if err != nil {
				return inputError(err)
			}
			sums[i].Findings = append([]report.Finding{}, rep.Findings...) // evaluated: not nil
		}
	}

	d := report.CompareSummaries(sums[0], sums[1])
	verdicts := d.ApplyPolicies(policies)
	if err := writeOutputs(e, outs, func(f string) func(io.Writer) error { return renderAs(d, f) }); err != nil {
		return err
	}
	if len(policies) > 0 {
		return failedPolicies("diff", verdicts)
	}
	if !d.Identical() {
		return &exitError{code: exitFindings}
	}
	return nil
}

// runSims runs sims side by side (they are independent: diff's two, or
// check's run and its baseline's) under one progress line, and returns
// their results in order, or the first one's error.
func runSims(e *env, pr *progress, sims ...*sim.Sim) ([]*sim.Result, error) {
	sp := pr.watch(sims...)
	results, errs := make([]*sim.Result, len(sims)), make([]error, len(sims))
	var wg sync.WaitGroup
	for i, s := range sims {
		wg.Go(func() { results[i], errs[i] = s.RunContext(e.ctx) })
	}
	wg.Wait()
	sp.finish(sims...)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return results, nil
}
