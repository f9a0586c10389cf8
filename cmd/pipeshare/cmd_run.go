package main

import (
	"fmt"
	"io"
	"time"

	"github.com/pipeshare/pipeshare/report"
)

const runAbout = `Simulates the scenario: every workload call is authorized at its simulated
time, and the report counts calls by action, caller and reason.`

func cmdRun(e *env, args []string) error {
	fs := newFlagSet(e, "run", "run [SCENARIO] [flags]", runAbout)
	var lf loadFlags
	lf.register(fs)
	format := fs.String("format", "text", "output `format`: text or json")
	out := fs.String("out", "", "write the report to `FILE` (atomically) instead of stdout")
	seed := fs.Uint64("seed", 0, "override the scenario's seed")
	until := fs.String("until", "", "stop at `T` (a duration from start or an RFC 3339 time) instead of start+duration")
	stats := fs.Bool("stats", false, "print wall time and events per second to stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErrorf("pipeshare run: one scenario at a time (got %d)", fs.NArg())
	}
	if err := oneOf("format", *format, "text", "json"); err != nil {
		return err
	}
	sc, err := readScenario(e, fs.Arg(0), lf)
	if err != nil {
		return err
	}
	if fs.Changed("seed") {
		sc.Sim.Seed = *seed
	}
	c, err := compile(e, sc)
	if err != nil {
		return err
	}
	if *until != "" {
		t, err := parseAt("until", *until, sc)
		if err != nil {
			return err
		}
		c.Sim.SetHorizon(t)
	}
	began := time.Now()
	res := c.Sim.Run()
	wall := time.Since(began)
	sum := report.Summarize(res, report.Meta{Scenario: sc.Name, ScenarioSHA256: sc.SHA256, Version: version})
	if *stats {
		fmt.Fprintf(e.stderr, "wall %.3fs, %d events, %.0f events/s, %d calls\n",
			wall.Seconds(), res.Events, float64(res.Events)/max(wall.Seconds(), 1e-9), sum.Calls.Total)
	}
	render := report.WriteText
	if *format == "json" {
		render = report.WriteJSON
	}
	return writeOutput(*out, e.stdout, func(w io.Writer) error { return render(w, sum) })
}
