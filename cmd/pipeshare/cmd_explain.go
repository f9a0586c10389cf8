package main

import (
	"io"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/report"
)

const explainAbout = `Explains one decision: DESIGN.md's permission steps 1-5 evaluated layer by
layer at time --at (default: the scenario start), with the statements and
shares that matched and AWS's denial message. A deny is an answer, not an
error: it exits 0. An unknown caller, action or target exits 2.`

func cmdExplain(e *env, args []string) error {
	fs := newFlagSet(e, "explain", "explain SCENARIO --caller C --action A --target PIPELINE [flags]", explainAbout)
	var lf loadFlags
	lf.register(fs)
	caller := fs.String("caller", "", "the calling `principal`: ACCT (its root), ACCT/role/X or an IAM ARN")
	action := fs.String("action", "", "the `action`, e.g. StartPipelineExecution (with or without sagemaker:)")
	target := fs.String("target", "", "the target `pipeline`: a name or an ARN")
	at := fs.String("at", "0", "the `time`: a duration from start or an RFC 3339 time (may be past the run's end)")
	format := fs.String("format", "text", "output `format`: text or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErrorf("pipeshare explain: one scenario at a time (got %d)", fs.NArg())
	}
	if err := oneOf("format", *format, "text", "json"); err != nil {
		return err
	}
	for _, f := range []string{"caller", "action", "target"} {
		if !fs.Changed(f) {
			return usageErrorf("pipeshare explain: --%s is required (see pipeshare explain --help)", f)
		}
	}
	c, err := compileScenario(e, fs.Arg(0), lf)
	if err != nil {
		return err
	}
	w := c.World
	t, err := parseAt("at", *at, c.Scenario)
	if err != nil {
		return err
	}
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
	w.AdvanceTo(t)
	ex := w.Explain(p, pl, a, t)
	render := report.WriteExplainText
	if *format == "json" {
		render = report.WriteExplainJSON
	}
	return writeOutput("", e.stdout, func(out io.Writer) error { return render(out, w, &ex) })
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
