package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/pipeshare/pipeshare/internal/words"
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
	t     *cloudtrail.Trace
	src   *cloudtrail.Replay
	paths []string
	align bool
	gc    int       // the garbage collector's target before the replay, -1 when unchanged
	warn  io.Writer // where the replay's warnings go
}

// replayGCPercent is the garbage collector's target while a trace replays,
// unless GOGC or GOMEMLIMIT is set. A replay allocates as it goes (the
// recorded IDs and tokens it hands over) while the simulation's live set
// grows, so the heap climbs to twice its live size between collections; at
// 50 % instead of Go's 100 % the W1-mix replay adds about 8 instead of 10.5
// MiB at 500,000 records and 14.5 instead of 26 MiB at 5,000,000, in the
// same CPU time (75 %: 11.6 and 22 MiB; docs/performance.md).
const replayGCPercent = 50

// prepare opens the trace (--trace, else the scenario's workload trace)
// and adds its trace-only principals to sc; nil when there is none. It
// reads the trace once: the replay reads back what this pass kept (in
// memory, or in a temporary file that is gone from its folder once
// created), so close the traceRun when done. The replay's warnings go to
// warn.
func (tf traceFlags) prepare(e *env, sc *scenarios.Scenario, warn io.Writer) (_ *traceRun, err error) {
	paths := sc.TracePaths()
	if *tf.path != "" {
		paths = []string{*tf.path}
	}
	if len(paths) == 0 {
		return nil, nil
	}
	tr := &traceRun{paths: paths, align: *tf.align, gc: -1, warn: warn}
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	if !gogc && !limit {
		// From the first pass on; a second trace (diff's) finds it set.
		if old := debug.SetGCPercent(replayGCPercent); old != replayGCPercent {
			tr.gc = old
		}
	}
	defer func() {
		if err != nil {
			tr.restoreGC()
		}
	}()
	if tr.t, err = cloudtrail.Open(paths, cloudtrail.Options{Align: *tf.align, Strict: *tf.strict,
		AddUnknownAccounts: *tf.addUnknown, Warn: warn}); err != nil {
		return nil, inputError(fmt.Errorf("trace: %v", err))
	}
	for _, f := range tr.t.Files() {
		if err = e.files.input("a trace file", f); err != nil {
			return nil, err
		}
	}
	if err = tr.t.Prepare(&sc.Model); err != nil {
		return nil, inputError(fmt.Errorf("trace: %v", err))
	}
	return tr, nil
}

// close lets go of what the replay reads, replayed or not; it can be
// deferred.
func (tr *traceRun) close() {
	if tr == nil {
		return
	}
	if tr.src != nil {
		tr.src.Close()
	}
	tr.t.Close()
}

// restoreGC puts back the garbage collector's target of before the replay.
func (tr *traceRun) restoreGC() {
	if tr.gc >= 0 {
		debug.SetGCPercent(tr.gc)
		tr.gc = -1
	}
}

// attach replaces c's generated workload with the replay.
func (tr *traceRun) attach(c *scenarios.Compiled) {
	if tr == nil {
		return
	}
	tr.src = tr.t.Source(c.World)
	c.Sim.SetTrace(tr.src)
}

// finish counts what the run did not reach, closes the trace and
// summarizes the replay. A damaged trace file, a malformed record with
// --strict, or a trace of which no call was replayed is an input error.
func (tr *traceRun) finish(res *sim.Result) (*report.Replay, error) {
	if tr == nil {
		return nil, nil
	}
	tr.restoreGC()
	err := tr.src.Finish(res.Trace.Calls)
	st := tr.src.Stats()
	if line := st.UnknownAccountsLine(); line != "" {
		fmt.Fprintln(tr.warn, line)
	}
	for _, u := range res.Trace.Unpassed {
		fmt.Fprintf(tr.warn, "trace: %s of pipeline %s passed no %s, which it declares without a default (SageMaker rejects such a Start; replayed with an empty value)\n",
			words.Count(int(u.Starts), "replayed Start"), res.World.PipelineName(u.Pipeline), u.Param)
	}
	if err != nil {
		return nil, inputError(fmt.Errorf("trace: %v", err))
	}
	if st.Calls == 0 {
		return nil, inputError(tr.nothingReplayed(st))
	}
	return report.SummarizeReplay(res, report.ReplayInput{Files: st.Files, Records: st.Records, Skipped: st.Skipped,
		Added: tr.t.Added, AddedAccounts: tr.t.AddedAccounts}), nil
}

// nothingReplayed says why a trace replayed no call: its records by reason.
func (tr *traceRun) nothingReplayed(st *cloudtrail.Stats) error {
	what := strings.Join(tr.paths, ", ")
	if st.Records == 0 {
		return fmt.Errorf("trace: %s: no records to replay", what)
	}
	hint := ""
	switch {
	case st.Skipped[cloudtrail.SkipBeforeStart] > 0 && !tr.align:
		hint = "; --align moves the trace's first call to the scenario start"
	case st.Skipped[cloudtrail.SkipUnknownAccount] > 0:
		hint = "; --add-unknown-accounts adds the trace's accounts"
	}
	return fmt.Errorf("trace: %s: no call replayed (%d records: %s)%s", what, st.Records, st.SkippedLine(), hint)
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
