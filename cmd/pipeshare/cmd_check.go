package main

import (
	"fmt"

	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/scenarios"
)

const checkAbout = `Runs the scenario, then evaluates the compliance rules over the model at the
end of the run and the run's calls and cost: external and org-wide shares,
open invitations, granted-but-unused and blocked permissions, denied-call
rates and budgets (the scenario's rules:). Exit 1 when findings at or above
--min-severity are not waived, 2 on errors, 0 otherwise.`

func cmdCheck(e *env, args []string) error {
	fs := newFlagSet(e, "check", "check [SCENARIO] [flags]", checkAbout)
	var lf loadFlags
	lf.register(fs)
	format := registerFormat(fs, new(report.CheckReport), "")
	rules := fs.String("rules", "", "evaluate only these comma-separated rule `IDS` (e.g. PS001,PS002)")
	minSev := fs.String("min-severity", "warning", "report and fail on findings at or above `LEVEL`: note, warning or error")
	waivers := fs.String("waivers", "", "YAML `FILE` of waivers: waivers: [{rule, subject, reason, owner, expires}]")
	out := fs.String("out", "", "write the report to `FILE` (atomically) instead of stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErrorf("pipeshare check: one scenario at a time (got %d)", fs.NArg())
	}
	if err := checkFormat(new(report.CheckReport), *format); err != nil {
		return err
	}
	sev, ok := report.ParseSeverity(*minSev)
	if !ok {
		return usageErrorf("--min-severity must be one of note, warning, error, not %q", *minSev)
	}
	in := &report.CheckInput{MinSeverity: sev, Version: version}
	if fs.Changed("rules") {
		ids, err := report.ParseRuleIDs(*rules)
		if err != nil {
			return usageErrorf("--rules: %v", err)
		}
		in.RuleIDs = ids
	}
	if *waivers != "" {
		docs, err := lf.inputs(e)
		if err != nil {
			return err
		}
		data, err := docs.read(*waivers)
		if err != nil {
			return fileError(err)
		}
		if in.Waivers, err = scenarios.ParseWaivers(*waivers, data); err != nil {
			return scenarioError(err)
		}
	}
	sc, err := readScenario(e, fs.Arg(0), lf)
	if err != nil {
		return err
	}
	c, err := compile(e, sc)
	if err != nil {
		return err
	}
	addScenarioRules(in, sc)
	in.Result = c.Sim.Run()
	rep, err := report.Check(in)
	if err != nil {
		return inputError(err)
	}
	if err := writeOutput(*out, e.stdout, renderAs(rep, *format)); err != nil {
		return inputError(err)
	}
	if n := rep.Failing(); n > 0 {
		return &exitError{code: exitFindings, msg: fmt.Sprintf("pipeshare check: %d %s at or above %s",
			n, map[bool]string{true: "finding", false: "findings"}[n == 1], sev)}
	}
	return nil
}
