package main

import (
	"io"

	"github.com/spf13/pflag"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/scenarios"
)

const explainAbout = `Explains one decision: the permission steps 1-5 evaluated layer by
layer at time --at (default: the scenario start), with the statements and
shares that matched and AWS's denial message. A deny is an answer, not an
error: it exits 0. An unknown caller, action or target exits 2.

With --timeline it prints instead every interval [from, to) from the
scenario start to its end (or --until) in which the decision and reason
hold, and what starts each one (a timeline event or a share lifecycle
change).

With --access read|write it explains instead a step's data access: the S3
and KMS requests the step's execution role makes to read or write --uri
at --at, each layer by layer (identity, SCPs, RCPs, the bucket or key
policy), with AWS's denial message; --caller picks whose Start
parameters give the step's KMS key.`

func cmdExplain(e *env, args []string) error {
	fs := newFlagSet(e, "explain", "explain SCENARIO --caller C --action A --target PIPELINE [flags]\n"+
		"  or: explain SCENARIO --pipeline P --step S --access read|write --uri s3://BUCKET/KEY [--caller C] [flags]", explainAbout)
	var lf loadFlags
	lf.register(fs)
	caller := fs.String("caller", "", "the calling `principal`: ACCT (its root), ACCT/role/X or an IAM ARN")
	action := fs.String("action", "", "the `action`, e.g. StartPipelineExecution (with or without sagemaker:)")
	target := fs.String("target", "", "the target `pipeline`: a name or an ARN")
	at := fs.String("at", "0", "the `time`: a duration from start or an RFC 3339 time (may be past the run's end)")
	format := registerFormat(fs, report.ExplainView{}, "")
	out := registerOut(fs, "the explanation")
	timeline := fs.Bool("timeline", false, "print every interval in which the answer holds, from the start to the end")
	until := fs.String("until", "", "with --timeline: end at `T` (a duration from start or an RFC 3339 time) instead of start+duration")
	var df dataFlags
	df.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.Changed("access") {
		return explainData(e, fs, lf, &df, *caller, *at, *format, *out)
	}
	if fs.NArg() > 1 {
		return usageErrorf("pipeshare explain: one scenario at a time (got %d)", fs.NArg())
	}
	var view report.View = report.ExplainView{}
	if *timeline {
		view = report.TimelineView{}
	}
	outs, err := outputsOf(view, *format, fs.Changed("format"), *out)
	if err != nil {
		return err
	}
	for _, f := range []string{"caller", "action", "target"} {
		if !fs.Changed(f) {
			return usageErrorf("pipeshare explain: --%s is required (see pipeshare explain --help)", f)
		}
	}
	c, t, err := compileAt(e, fs, lf, outs, *at)
	if err != nil {
		return err
	}
	w := c.World
	p, err := resolveCaller(w, *caller)
	if err != nil {
		return err
	}
	a, ok := model.ParseAction(*action)
	if !ok {
		return usageErrorf("--action: unknown action %q (one of the ten pipeline actions, e.g. StartPipelineExecution)", *action)
	}
	pl, err := w.LookupPipeline(*target)
	if err != nil {
		return usageErrorf("--target: %v", err)
	}
	if fs.Changed("at") && *timeline {
		return usageErrorf("pipeshare explain: --at and --timeline exclude each other")
	}
	if fs.Changed("until") && !*timeline {
		return usageErrorf("pipeshare explain: --until needs --timeline")
	}
	if *timeline {
		end, err := timelineEnd(*until, c.Scenario)
		if err != nil {
			return err
		}
		entries := report.Timeline(w, w.Timeline(p, pl, a, 0, end))
		v := report.TimelineView{Caller: w.CallerString(p), Action: a.String(), Resource: w.ResourceFor(pl, a), Entries: entries}
		return writeOutputs(e, outs, func(f string) func(io.Writer) error { return renderAs(v, f) })
	}
	w.AdvanceTo(t)
	ex := w.Explain(p, pl, a, t)
	return writeOutputs(e, outs, func(f string) func(io.Writer) error {
		return renderAs(report.ExplainView{World: w, Explanation: &ex}, f)
	})
}

// dataFlags are explain's data-access flags.
type dataFlags struct{ pipeline, step, access, uri *string }

func (df *dataFlags) register(fs *pflag.FlagSet) {
	df.pipeline = fs.String("pipeline", "", "with --access: the `pipeline` (a name or an ARN)")
	df.step = fs.String("step", "", "with --access: the `step` whose role makes the access")
	df.access = fs.String("access", "", "explain a step's data access: `read` or write of --uri (not with --action, --target, --timeline or --until)")
	df.uri = fs.String("uri", "", "with --access: the S3 `URI` read or written, s3://BUCKET/KEY")
}

// explainData explains a step's data access (explain --access).
func explainData(e *env, fs *pflag.FlagSet, lf loadFlags, df *dataFlags, caller, at, format string, out []string) error {
	outs, err := outputsOf(report.DataExplainView{}, format, fs.Changed("format"), out)
	if err != nil {
		return err
	}
	for _, f := range []string{"action", "target", "timeline", "until"} {
		if fs.Changed(f) {
			return usageErrorf("pipeshare explain: --%s does not go with --access", f)
		}
	}
	for _, f := range []string{"pipeline", "step", "uri"} {
		if !fs.Changed(f) {
			return usageErrorf("pipeshare explain: --access needs --%s (see pipeshare explain --help)", f)
		}
	}
	if *df.access != "read" && *df.access != "write" {
		return usageErrorf("--access must be read or write, not %q", *df.access)
	}
	c, t, err := compileAt(e, fs, lf, outs, at)
	if err != nil {
		return err
	}
	w := c.World
	pl, err := w.LookupPipeline(*df.pipeline)
	if err != nil {
		return usageErrorf("--pipeline: %v", err)
	}
	p := model.PrincipalID(-1)
	if caller != "" {
		if p, err = resolveCaller(w, caller); err != nil {
			return err
		}
	}
	role, accesses, err := c.Sim.DataStep(pl, *df.step, p, *df.uri, *df.access == "write")
	if err != nil {
		return usageErrorf("pipeshare explain: %v", err)
	}
	w.AdvanceTo(t)
	v := report.DataExplainView{World: w, Pipeline: w.PipelineName(pl), Step: *df.step, Access: *df.access,
		URI: *df.uri, Role: role, At: t}
	for _, a := range accesses {
		v.Requests = append(v.Requests, w.ExplainData(role, a, t))
	}
	return writeOutputs(e, outs, func(f string) func(io.Writer) error { return renderAs(v, f) })
}

// compileAt claims explain's outputs, compiles its scenario and parses
// its --at.
func compileAt(e *env, fs *pflag.FlagSet, lf loadFlags, outs []output, at string) (*scenarios.Compiled, model.Time, error) {
	if err := claimOutputs(e, outs); err != nil {
		return nil, 0, err
	}
	c, err := compileScenario(e, fs.Arg(0), lf)
	if err != nil {
		return nil, 0, err
	}
	t, err := parseAt("at", at, c.Scenario)
	return c, t, err
}

// timelineEnd returns the end of a timeline: --until, else start+duration.
func timelineEnd(until string, sc *scenarios.Scenario) (model.Time, error) {
	if until == "" {
		return sc.Sim.Duration, nil
	}
	t, err := parseAt("until", until, sc)
	if err == nil && t <= 0 {
		err = usageErrorf("--until must be after the scenario start")
	}
	return t, err
}

// resolveCaller resolves a single caller principal.
func resolveCaller(w *model.World, s string) (model.PrincipalID, error) {
	ps, err := w.LookupCallers(s)
	if err != nil {
		return 0, usageErrorf("--caller: %v", err)
	}
	if len(ps) != 1 {
		return 0, usageErrorf("--caller: %q names %d principals; name one (e.g. ACCT/role/X)", s, len(ps))
	}
	return ps[0], nil
}
