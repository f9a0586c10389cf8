package main

import (
	"io"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/report"
)

const accessAbout = `Prints the access matrix at time --at: for every principal and pipeline,
which of the ten pipeline actions are allowed, and the reason for each.

With --changes it prints instead, for every principal and pipeline, each
interval [from, to) from the scenario start to its end (or --until) in
which its allowed actions and reasons hold, and what starts it.`

func cmdAccess(e *env, args []string) error {
	fs := newFlagSet(e, "access", "access [SCENARIO] [flags]", accessAbout)
	var lf loadFlags
	lf.register(fs)
	at := fs.String("at", "0", "the `time`: a duration from start or an RFC 3339 time")
	format := registerFormat(fs, report.AccessView{}, "")
	out := registerOut(fs, "the matrix")
	changes := fs.Bool("changes", false, "print every interval in which each principal's access holds, from the start to the end")
	quiet := registerQuiet(fs)
	until := fs.String("until", "", "with --changes: end at `T` (a duration from start or an RFC 3339 time) instead of start+duration")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErrorf("pipeshare access: one scenario at a time (got %d)", fs.NArg())
	}
	var view report.View = report.AccessView{}
	if *changes {
		view = report.ChangesView{}
	}
	outs, err := outputsOf(view, *format, fs.Changed("format"), *out)
	if err != nil {
		return err
	}
	if err := claimOutputs(e, outs); err != nil {
		return err
	}
	defer commandProgress(e, *quiet).phase("computing the access matrix")()
	c, err := compileScenario(e, fs.Arg(0), lf)
	if err != nil {
		return err
	}
	t, err := parseAt("at", *at, c.Scenario)
	if err != nil {
		return err
	}
	if fs.Changed("at") && *changes {
		return usageErrorf("pipeshare access: --at and --changes exclude each other")
	}
	if fs.Changed("until") && !*changes {
		return usageErrorf("pipeshare access: --until needs --changes")
	}
	if *changes {
		end, err := timelineEnd(*until, c.Scenario)
		if err != nil {
			return err
		}
		w := c.World
		var pairs []model.Pair
		for p := range model.PrincipalID(w.NumPrincipals()) {
			for pl := range model.PipelineID(w.NumPipelines()) {
				pairs = append(pairs, model.Pair{Principal: p, Pipeline: pl})
			}
		}
		rows := report.Changes(w, pairs, w.Changes(pairs, 0, end))
		return writeOutputs(e, outs, func(f string) func(io.Writer) error { return renderAs(report.ChangesView{Rows: rows}, f) })
	}
	c.World.AdvanceTo(t)
	// JSON and CSV stream the matrix (a row per principal and pipeline).
	rows := report.AccessRows(c.World, t)
	return writeOutputs(e, outs, func(f string) func(io.Writer) error { return renderAs(report.AccessView{Rows: rows}, f) })
}
