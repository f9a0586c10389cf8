package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/scenarios"
)

const checkAbout = `Runs the scenario, then evaluates the compliance rules over the model at the
end of the run and the run's calls and cost: external and org-wide shares,
open invitations, granted-but-unused and blocked permissions, denied-call
rates and budgets (the scenario's rules:). Exit 1 when findings at or above
--min-severity are not waived (with --fail-on severity=LEVEL: when one at
or above LEVEL is not waived), 2 on errors, 0 otherwise.`

func cmdCheck(e *env, args []string) error {
	fs := newFlagSet(e, "check", "check [SCENARIO] [flags]", checkAbout)
	var lf loadFlags
	lf.register(fs)
	format := registerFormat(fs, new(report.CheckReport), "")
	rules := fs.String("rules", "", "evaluate only these comma-separated rule `IDS` (e.g. PS001,PS002)")
	minSev := fs.String("min-severity", "warning", "report and fail on findings at or above `LEVEL`: note, warning or error")
	waivers := fs.String("waivers", "", "YAML `FILE` of waivers: waivers: [{rule, subject, reason, owner, expires}]")
	out := fs.String("out", "", "write the report to `FILE` (atomically) instead of stdout")
	sarifRoot := fs.String("sarif-root", "", "with --format sarif, locate files relative to `DIR` (default: the repository holding the scenario file, found by its .git)")
	failOn := registerFailOn(fs, "severity=LEVEL: fail (exit 1) on a finding at or above LEVEL that is not waived, instead of on every finding at or above --min-severity")
	var lim limitFlags
	lim.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := lim.check(); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErrorf("pipeshare check: one scenario at a time (got %d)", fs.NArg())
	}
	if err := checkFormat(new(report.CheckReport), *format); err != nil {
		return err
	}
	var root report.SARIFRoot
	if *format == "sarif" {
		r, err := findSARIFRoot(fs.Arg(0), *sarifRoot)
		if err != nil {
			return err
		}
		root = r
	} else if fs.Changed("sarif-root") {
		return usageErrorf("--sarif-root needs --format sarif")
	}
	sev, ok := report.ParseSeverity(*minSev)
	if !ok {
		return usageErrorf("--min-severity must be one of note, warning, error, not %q", *minSev)
	}
	policies, err := parseFailOn(*failOn)
	if err != nil {
		return err
	}
	for _, p := range policies {
		if p.Kind != report.PolicySeverity {
			return usageErrorf("--fail-on %s compares two runs: use it with pipeshare diff (check takes severity=LEVEL)", p)
		}
		sev = min(sev, p.Severity) // a finding the policy fails on is reported
	}
	in := &report.CheckInput{MinSeverity: sev, Version: version}
	if fs.Changed("rules") {
		ids, err := report.ParseRuleIDs(*rules)
		if err != nil {
			return usageErrorf("--rules: %v", err)
		}
		in.RuleIDs = ids
	}
	if err := e.files.output("--out", *out); err != nil {
		return err
	}
	if *waivers != "" {
		if err := e.files.input("the --waivers file", *waivers); err != nil {
			return err
		}
		data, err := os.ReadFile(*waivers)
		if err != nil {
			return inputError(fmt.Errorf("%s:1:1: %v", *waivers, unwrapPathError(err)))
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
	if err := lim.allow("check", estimateRuns(c.Sim)); err != nil {
		return err
	}
	if in.Result, err = c.Sim.RunContext(e.ctx); err != nil {
		return err
	}
	rep, err := report.Check(in)
	if err != nil {
		return inputError(err)
	}
	rep.SARIFRoot = root
	if report.ForPeople(*format) {
		rep.Summary = report.Summarize(in.Result, scenarioMeta(sc, lf.sets))
	}
	results, err := rep.ApplyPolicies(policies)
	if err != nil {
		return usageErrorf("--fail-on: %v", err)
	}
	if err := writeOutput(e, *out, renderAs(rep, *format)); err != nil {
		return inputError(err)
	}
	if len(policies) > 0 {
		return failedPolicies("check", results)
	}
	if n := rep.Failing(); n > 0 {
		return &exitError{code: exitFindings, msg: fmt.Sprintf("pipeshare check: %d %s at or above %s",
			n, map[bool]string{true: "finding", false: "findings"}[n == 1], sev)}
	}
	return nil
}

// findSARIFRoot returns where SARIF locates files: under dir when set (it
// must be a directory), else under the repository that holds the scenario
// file, the nearest folder up from the file's with a .git (a directory, or
// a file in a worktree). An embedded or stdin scenario, or a file outside
// any repository, gives the zero root: files as the positions name them.
func findSARIFRoot(scenario, dir string) (report.SARIFRoot, error) {
	wd, err := os.Getwd()
	if err != nil {
		return report.SARIFRoot{}, inputError(fmt.Errorf("--sarif-root: %v", err))
	}
	if dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return report.SARIFRoot{}, usageErrorf("--sarif-root: %s is not a directory", dir)
		}
		return report.SARIFRoot{Dir: absFrom(wd, dir), WorkDir: wd}, nil
	}
	if st, err := os.Stat(scenario); scenario == "-" || err != nil || st.IsDir() {
		return report.SARIFRoot{}, nil // stdin or an embedded name: no folder
	}
	for d := filepath.Dir(absFrom(wd, scenario)); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return report.SARIFRoot{Dir: d, WorkDir: wd}, nil
		}
		if filepath.Dir(d) == d {
			return report.SARIFRoot{}, nil
		}
	}
}

// absFrom returns path as an absolute, clean path, relative paths starting
// from wd.
func absFrom(wd, path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(wd, path)
}

// registerFailOn adds --fail-on to fs; about says what the command does
// with it.
func registerFailOn(fs *pflag.FlagSet, about string) *[]string {
	return fs.StringArray("fail-on", nil, "`POLICY` (repeatable): "+about)
}

// parseFailOn parses the --fail-on values; a bad one is a usage error.
func parseFailOn(vals []string) ([]report.Policy, error) {
	var out []report.Policy
	for _, v := range vals {
		p, err := report.ParsePolicy(v)
		if err != nil {
			return nil, usageErrorf("--fail-on: %v", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// failedPolicies is the exit of a command whose --fail-on policies gave
// results: 1 with every failure's reason when one failed, else nil.
func failedPolicies(cmd string, results []report.PolicyResult) error {
	failed := report.Failures(results)
	if len(failed) == 0 {
		return nil
	}
	lines := make([]string, len(failed))
	for i, r := range failed {
		lines[i] = "pipeshare " + cmd + ": --fail-on " + r.String()
	}
	return &exitError{code: exitFindings, msg: strings.Join(lines, "\n")}
}
