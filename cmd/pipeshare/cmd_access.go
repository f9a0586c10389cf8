package main

import (
	"io"

	"github.com/pipeshare/pipeshare/report"
)

const accessAbout = `Prints the access matrix at time --at: for every principal and pipeline,
which of the ten pipeline actions are allowed, and the reason for each.`

func cmdAccess(e *env, args []string) error {
	fs := newFlagSet(e, "access", "access [SCENARIO] [flags]", accessAbout)
	var lf loadFlags
	lf.register(fs)
	at := fs.String("at", "0", "the `time`: a duration from start or an RFC 3339 time")
	format := fs.String("format", "text", "output `format`: text, json or csv")
	out := fs.String("out", "", "write to `FILE` (atomically) instead of stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErrorf("pipeshare access: one scenario at a time (got %d)", fs.NArg())
	}
	if err := oneOf("format", *format, "text", "json", "csv"); err != nil {
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
	c.World.AdvanceTo(t)
	rows := report.Access(c.World, t)
	render := map[string]func(io.Writer, []report.AccessRow) error{
		"text": report.WriteAccessText, "json": report.WriteAccessJSON, "csv": report.WriteAccessCSV,
	}[*format]
	return writeOutput(*out, e.stdout, func(w io.Writer) error { return render(w, rows) })
}
