package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/pipeshare/pipeshare/internal/words"
	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/sim"
)

const checkAbout = `Runs the scenario, then evaluates the compliance rules over the model at the
end of the run and the run's calls and cost: external and org-wide shares,
open invitations, granted-but-unused and blocked permissions, denied-call
rates and budgets (the scenario's rules:), and, when the scenario declares
buckets or keys, the data the pipelines' execution roles read and write for
the Starts the shares allow. Exit 1 when findings at or above
--min-severity are not waived (with --fail-on: when a policy fails, each
with its reason), 2 on errors, 0 otherwise.

To gate a pull request on what it changes, give --baseline BASE, the
scenario to compare with (e.g. the main branch's version, resolved like
SCENARIO): check runs both, BASE with SCENARIO's seed, and --fail-on
cost-increase, new-access and new-external compare SCENARIO's run with
BASE's as pipeshare diff BASE SCENARIO --fail-on does. --set applies to
SCENARIO only.`

// checkHelp is check's help text: checkAbout, then the built-in rules
// (docs/reports.md#compliance-checks).
func checkHelp() string {
	var b strings.Builder
	b.WriteString(checkAbout + "\n\nRules (docs/reports.md#compliance-checks):\n")
	for i, r := range report.Rules {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "  %s %s (%s): %s", r.ID, r.Name, r.Severity, r.Title)
	}
	return b.String()
}

func cmdCheck(e *env, args []string) error {
	fs := newFlagSet(e, "check", "check [SCENARIO] [flags]", checkHelp())
	var lf loadFlags
	lf.register(fs)
	format := registerFormat(fs, new(report.CheckReport), "")
	rules := fs.String("rules", "", "evaluate only these comma-separated rule `IDS` (e.g. PS001,PS002)")
	minSev := fs.String("min-severity", "warning", "report and fail on findings at or above `LEVEL`: note, warning or error")
	waivers := fs.String("waivers", "", "YAML `FILE` of waivers: waivers: [{rule, subject, reason, owner, expires}]")
	out := registerOut(fs, "the report")
	sarifRoot := fs.String("sarif-root", "", "with --format sarif, locate files relative to `DIR` (default: the repository holding the scenario file, found by its .git)")
	failOn := registerFailOn(fs, "fail (exit 1) on severity=LEVEL (a finding at or above LEVEL that is not waived, instead of on every finding at or above --min-severity), and with --baseline on cost-increase=PCT% or =USD, new-access, new-external (see pipeshare diff --help)")
	baseline := fs.String("baseline", "", "compare with the scenario `BASE` (a file or an embedded name) for --fail-on cost-increase, new-access and new-external")
	quiet := registerQuiet(fs)
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
	outs, err := outputsOf(new(report.CheckReport), *format, fs.Changed("format"), *out)
	if err != nil {
		return err
	}
	var root report.SARIFRoot
	if anyFormat(outs, func(f string) bool { return f == "sarif" }) {
		r, err := findSARIFRoot(fs.Arg(0), *sarifRoot)
		if err != nil {
			return err
		}
		root = r
	} else if fs.Changed("sarif-root") {
		return usageErrorf("--sarif-root needs --format sarif (or an --out FILE.sarif)")
	}
	sev, ok := report.ParseSeverity(*minSev)
	if !ok {
		return usageErrorf("--min-severity must be one of note, warning, error, not %q", *minSev)
	}
	policies, err := parseFailOn(*failOn)
	if err != nil {
		return err
	}
	compares := false // a policy compares the run with the baseline's
	for _, p := range policies {
		switch {
		case p.Kind == report.PolicySeverity:
			sev = min(sev, p.Severity) // a finding the policy fails on is reported
		case !fs.Changed("baseline"):
			return usageErrorf("--fail-on %s compares two runs: pass --baseline BASE, the scenario to compare with (e.g. the main branch's version), or use pipeshare diff", p)
		default:
			compares = true
		}
	}
	if fs.Changed("baseline") && (*baseline == "" || !compares) {
		return usageErrorf("--baseline needs a scenario and a --fail-on policy that compares two runs (cost-increase=PCT%%|USD, new-access, new-external)")
	}
	if *baseline == "-" && fs.Arg(0) == "-" {
		return usageErrorf("pipeshare check: the scenario and --baseline cannot both be - (standard input)")
	}
	in := &report.CheckInput{MinSeverity: sev, Version: version}
	if fs.Changed("rules") {
		ids, err := report.ParseRuleIDs(*rules)
		if err != nil {
			return usageErrorf("--rules: %v", err)
		}
		in.RuleIDs = ids
	}
	if err := claimOutputs(e, outs); err != nil {
		return err
	}
	if *waivers != "" {
		docs, err := lf.inputs(e)
		if err != nil {
			return err
		}
		data, err := docs.read("the --waivers file", *waivers)
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
	sims := []*sim.Sim{c.Sim}
	var bsc *scenarios.Scenario // the baseline
	if compares {
		var bc *scenarios.Compiled
		if bsc, bc, err = compileBaseline(e, *baseline, lf, sc.Sim.Seed); err != nil {
			return err
		}
		sims = append(sims, bc.Sim)
	}
	if err := lim.allow("check", estimateRuns(sims...)); err != nil {
		return err
	}
	results, err := runSims(e, commandProgress(e, *quiet), sims...)
	if err != nil {
		return err
	}
	in.Result = results[0]
	rep, err := report.Check(in)
	if err != nil {
		return inputError(err)
	}
	rep.SARIFRoot = root
	var sum *report.Summary
	if compares || anyFormat(outs, report.ForPeople) {
		sum = report.Summarize(in.Result, scenarioMeta(sc, lf.sets))
	}
	if anyFormat(outs, report.ForPeople) {
		rep.Summary = sum
	}
	var base *report.Diff
	if compares {
		base = report.CompareSummaries(report.Summarize(results[1], scenarioMeta(bsc, nil)), sum)
	}
	verdicts, err := rep.ApplyPolicies(policies, base)
	if err != nil {
		return usageErrorf("--fail-on: %v", err)
	}
	if err := writeOutputs(e, outs, func(f string) func(io.Writer) error { return renderAs(rep, f) }); err != nil {
		return inputError(err)
	}
	if len(policies) > 0 {
		return failedPolicies("check", verdicts)
	}
	if n := rep.Failing(); n > 0 {
		return &exitError{code: exitFindings, msg: fmt.Sprintf("pipeshare check: %d %s at or above %s",
			n, words.Plural(n, "finding", "findings"), sev)}
	}
	return nil
}

// compileBaseline reads and compiles check's --baseline arg, without the
// scenario's --set (its what-if), to run with the scenario's seed: both
// runs draw the same random numbers, and the scenario's run is the one it
// has without --baseline.
func compileBaseline(e *env, arg string, lf loadFlags, seed uint64) (*scenarios.Scenario, *scenarios.Compiled, error) {
	lf.sets = nil
	sc, err := readScenario(e, arg, lf)
	if err != nil {
		return nil, nil, err
	}
	sc.Sim.Seed = seed
	c, err := compile(e, sc)
	if err != nil {
		return nil, nil, err
	}
	return sc, c, nil
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
