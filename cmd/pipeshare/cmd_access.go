package main

import (
	"io"

	"github.com/pipeshare/pipeshare/report"
)

const accessAbout = `Prints the access matrix at time --at: for every principal with an allowed
action on a pipeline, which of the ten pipeline actions are allowed, and
the reason for each. --all lists every principal and pipeline.

With --changes it prints instead, for every principal and pipeline whose
access changes or allows an action, each interval [from, to) from the
scenario start to its end (or --until) in which its allowed actions and
reasons hold, and what starts it; by principal, pipeline, then time.

Every format streams, so the matrix of a large organization prints at once
in bounded memory.`

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
	all := fs.Bool("all", false, "list every principal and pipeline, also those with no allowed action (and, with --changes, no change)")
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
		view := report.NewChangesView(c.World, 0, end, *all)
		return writeOutputs(e, outs, func(f string) func(io.Writer) error { return renderAs(view, f) })
	}
	c.World.AdvanceTo(t)
	view = report.NewAccessView(c.World, t, *all)
	return writeOutputs(e, outs, func(f string) func(io.Writer) error { return renderAs(view, f) })
}
