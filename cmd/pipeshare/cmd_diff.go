package main

import (
	"sync"

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
Exit 0 when the runs are identical, 1 when they differ, 2 on errors.`

func cmdDiff(e *env, args []string) error {
	fs := newFlagSet(e, "diff", "diff A B [flags]", diffAbout)
	var lf loadFlags
	lf.register(fs)
	format := registerFormat(fs, new(report.Diff), "")
	out := fs.String("out", "", "write the report to `FILE` (atomically) instead of stdout")
	seed := fs.Uint64("seed", 0, "run both with this seed instead of A's")
	until := fs.String("until", "", "stop both at `T` (a duration from start or an RFC 3339 time)")
	tf := registerTraceFlags(fs) // a what-if on real traffic: both replay the trace
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageErrorf("pipeshare diff: two scenarios needed, A and B (got %d; see pipeshare diff --help)", fs.NArg())
	}
	if err := checkFormat(new(report.Diff), *format); err != nil {
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
	var trs [2]*traceRun
	for i, sc := range scs {
		sc.Sim.Seed = s
		tr, err := tf.prepare(e, sc)
		if err != nil {
			return err
		}
		c, err := compileUntil(e, sc, *until)
		if err != nil {
			return err
		}
		tr.attach(c)
		cs[i], trs[i] = c, tr
	}

	// The two runs are independent: run them side by side.
	var results [2]*sim.Result
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Go(func() { results[i] = c.Sim.Run() })
	}
	wg.Wait()
	var sums [2]*report.Summary
	for i, sc := range scs {
		if _, err := trs[i].finish(e, results[i]); err != nil {
			return err
		}
		sums[i] = report.Summarize(results[i], report.Meta{Scenario: sc.Name, ScenarioSHA256: sc.SHA256, Version: version})
	}

	d := report.CompareSummaries(sums[0], sums[1])
	if err := writeOutput(*out, e.stdout, renderAs(d, *format)); err != nil {
		return err
	}
	if !d.Identical() {
		return &exitError{code: exitFindings}
	}
	return nil
}
