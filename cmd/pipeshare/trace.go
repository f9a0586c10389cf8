package main

import (
	"fmt"
	"io"

	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/scenarios/cloudtrail"
	"github.com/pipeshare/pipeshare/sim"
	"github.com/spf13/pflag"
)

// traceFlags are run's --trace, --align, --strict and --add-unknown-accounts.
type traceFlags struct {
	path       *string
	align      *bool
	strict     *bool
	addUnknown *bool
}

func registerTraceFlags(fs *pflag.FlagSet) traceFlags {
	return traceFlags{
		path:       fs.String("trace", "", "replay CloudTrail `FILE|DIR` (JSON, {\"Records\": [...]}, JSON Lines, .gz of each, or an S3 delivery folder) instead of the generated workload"),
		align:      fs.Bool("align", false, "shift the trace so that its first pipeline call is at the scenario start"),
		strict:     fs.Bool("strict", false, "a malformed trace record is an error, not a warning (a damaged trace file always is)"),
		addUnknown: fs.Bool("add-unknown-accounts", false, "add accounts seen only in the trace, outside the organization, instead of skipping their calls"),
	}
}

// check rejects --trace with --replicas.
func (tf traceFlags) check(fs *pflag.FlagSet) error {
	if *tf.path != "" && fs.Changed("replicas") {
		return usageErrorf("--trace replays one trace: it does not combine with --replicas")
	}
	return nil
}

// traceRun is a replay in progress.
type traceRun struct {
	t   *cloudtrail.Trace
	src *cloudtrail.Replay
}

// prepare opens the trace (--trace, else the scenario's workload trace)
// and adds its trace-only principals to sc; nil when there is none. It
// reads the trace once; the replay reads it again.
func (tf traceFlags) prepare(e *env, sc *scenarios.Scenario) (*traceRun, error) {
	paths := sc.TracePaths()
	if *tf.path != "" {
		paths = []string{*tf.path}
	}
	if len(paths) == 0 {
		return nil, nil
	}
	t, err := cloudtrail.Open(paths, cloudtrail.Options{Align: *tf.align, Strict: *tf.strict,
		AddUnknownAccounts: *tf.addUnknown, Warn: e.stderr})
	if err != nil {
		return nil, inputError(fmt.Errorf("trace: %v", err))
	}
	if err := t.Prepare(&sc.Model); err != nil {
		return nil, inputError(fmt.Errorf("trace: %v", err))
	}
	return &traceRun{t: t}, nil
}

// attach replaces c's generated workload with the replay.
func (tr *traceRun) attach(c *scenarios.Compiled) {
	if tr == nil {
		return
	}
	tr.src = tr.t.Source(c.World)
	c.Sim.SetTrace(tr.src)
}

// finish closes the trace and summarizes the replay; a damaged trace file
// or, with --strict, a malformed record is an input error.
func (tr *traceRun) finish(e *env, res *sim.Result) (*report.Replay, error) {
	if tr == nil {
		return nil, nil
	}
	tr.src.Close()
	st := tr.src.Stats()
	if line := st.UnknownAccountsLine(); line != "" {
		fmt.Fprintln(e.stderr, line)
	}
	if res.Trace.Err != nil {
		return nil, inputError(fmt.Errorf("trace: %v", res.Trace.Err))
	}
	return report.SummarizeReplay(res, report.ReplayInput{Files: st.Files, Records: st.Records, Skipped: st.Skipped,
		Added: tr.t.Added, AddedAccounts: tr.t.AddedAccounts}), nil
}

// withReplay adds the recorded-vs-simulated section to the text and JSON
// reports.
func withReplay(render func(io.Writer) error, format string, sum *report.Summary, rp *report.Replay) func(io.Writer) error {
	if rp == nil {
		return render
	}
	sum.Replay = rp // the JSON report carries it as "replay"
	switch format {
	case "text":
		return func(w io.Writer) error {
			if err := render(w); err != nil {
				return err
			}
			return report.WriteReplayText(w, rp)
		}
	}
	return render
}
