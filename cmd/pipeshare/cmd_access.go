package main

import (
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
	out := fs.String("out", "", "write to `FILE` (atomically) instead of stdout")
	changes := fs.Bool("changes", false, "print every interval in which each principal's access holds, from the start to the end")
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
	if err := checkFormat(view, *format); err != nil {
		return err
	}
	if err := e.files.output("--out", *out); err != nil {
		return err
	}
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
		return writeOutput(e, *out, renderAs(report.ChangesView{Rows: rows}, *format))
	}
	c.World.AdvanceTo(t)
	// JSON and CSV stream the matrix (a row per principal and pipeline).
	rows := report.AccessRows(c.World, t)
	return writeOutput(e, *out, renderAs(report.AccessView{Rows: rows}, *format))
}
