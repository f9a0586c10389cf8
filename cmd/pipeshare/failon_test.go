package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// extendedWhatIf keeps quickstart's share extended all month: more cost,
// and Start/Stop/Retry for the consumers and the outside partner at the end.
var extendedWhatIf = []string{"diff", "quickstart", "quickstart",
	"--set", "shares.churn-to-research.permission=extended", "--set", "events=[]"}

// TestDiffFailOn: with --fail-on, diff exits 1 only when a policy fails,
// with each failure's reason on stderr and every result in the report.
func TestDiffFailOn(t *testing.T) {
	code, stdout, stderr := pipeshare(t, "", append(extendedWhatIf, "--fail-on", "cost-increase=10%",
		"--fail-on", "cost-increase=5000", "--fail-on", "new-access", "--fail-on", "new-external", "--fail-on", "severity=error")...)
	require.Equal(t, 1, code, stderr)
	assert.Contains(t, stdout, "--fail-on: 4 of 5 policies failed\n")
	assert.Contains(t, stdout, "  cost-increase=10% FAILS: the owner's cost goes from $1,128.74 to $3,300.60 (+$2,171.86, +192.4%), above 10% of $1,128.74\n")
	assert.Contains(t, stdout, "  cost-increase=5000 passes: the owner's cost goes from $1,128.74 to $3,300.60 (+$2,171.86, +192.4%), within $5,000.00\n")
	assert.Contains(t, stdout, "  new-access FAILS: 8 principals gain 22 actions: 222222222222/role/DataScientist gains StartPipelineExecution on churn-training;")
	assert.Contains(t, stdout, "  new-external FAILS: 1 principal gains 3 actions: 999999999999/root gains StartPipelineExecution, StopPipelineExecution, RetryPipelineExecution on churn-training (at the end of the run)\n")
	assert.Contains(t, stdout, "  severity=error FAILS: 1 finding at or above error that a lacks: PS002 share churn-to-research → 999999999999\n")
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	require.Len(t, lines, 4, stderr)
	for _, l := range lines {
		assert.True(t, strings.HasPrefix(l, "pipeshare diff: --fail-on "), l)
		assert.Contains(t, l, " FAILS: ")
	}

	// The runs differ, but no policy fails: exit 0.
	code, stdout, stderr = pipeshare(t, "", "diff", "quickstart", "quickstart", "--set",
		"shares.churn-to-research.permission=read-only", "--fail-on", "cost-increase=0", "--fail-on", "new-access",
		"--fail-on", "new-external", "--format", "md")
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr)
	assert.Contains(t, stdout, "**--fail-on: 3 policies passed**\n")
	assert.Contains(t, stdout, "- new-external passes: no principal outside the organization gains access at the end of the run\n")

	// A percentage of a run that cost nothing: any increase fails.
	code, _, stderr = pipeshare(t, "", "diff", readOnlyWhatIf, "quickstart", "--fail-on", "cost-increase=50%")
	require.Equal(t, 1, code)
	assert.Contains(t, stderr, "cost-increase=50% FAILS: the owner's cost goes from $0.00 to $1,128.74 (+$1,128.74), above 50% of $0.00")
}

// TestFailOnLeavesJSONAlone: the policies print in the reports for people
// only; JSON is the same bytes with or without them.
func TestFailOnLeavesJSONAlone(t *testing.T) {
	_, plain, _ := pipeshare(t, "", append(extendedWhatIf, "--format", "json")...)
	code, gated, _ := pipeshare(t, "", append(extendedWhatIf, "--format", "json", "--fail-on", "new-external")...)
	assert.Equal(t, 1, code)
	assert.Equal(t, plain, gated)
}

func TestCheckFailOn(t *testing.T) {
	// quickstart has warnings and no error: severity=error passes.
	code, stdout, stderr := pipeshare(t, "", "check", "quickstart", "--fail-on", "severity=error")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "--fail-on: 1 policy passed\n  severity=error passes: no finding at or above error\n")
	assert.Contains(t, stdout, "WARNING (4)", "the warnings stay in the report")

	code, _, stderr = pipeshare(t, "", "check", "external-partner", "--fail-on", "severity=error")
	require.Equal(t, 1, code)
	assert.Equal(t, "pipeshare check: --fail-on severity=error FAILS: 1 finding at or above error: PS002 share features-to-consumers → 444444444444\n", stderr)

	// A policy below --min-severity reports down to its level.
	code, stdout, _ = pipeshare(t, "", "check", "quickstart", "--fail-on", "severity=note", "--format", "md")
	require.Equal(t, 1, code)
	assert.Contains(t, stdout, "findings at or above **note**")
	assert.Contains(t, stdout, "PS005 granted-but-unused")
}

func TestFailOnUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "quickstart", "quickstart", "--fail-on", "cost-increase"}, "--fail-on: cost-increase wants a percentage or an amount in USD"},
		{[]string{"diff", "quickstart", "quickstart", "--fail-on", "cost-increase=ten%"}, "--fail-on: cost-increase wants"},
		{[]string{"diff", "quickstart", "quickstart", "--fail-on", "cost-increase=-5"}, "--fail-on: cost-increase wants"},
		{[]string{"diff", "quickstart", "quickstart", "--fail-on", "severity=fatal"}, "--fail-on: severity wants note, warning or error"},
		{[]string{"diff", "quickstart", "quickstart", "--fail-on", "new-access=yes"}, "--fail-on: new-access takes no value"},
		{[]string{"diff", "quickstart", "quickstart", "--fail-on", "budget"}, `--fail-on: unknown policy "budget"`},
		{[]string{"check", "quickstart", "--fail-on", "new-external"}, "--fail-on new-external compares two runs: pass --baseline BASE"},
		{[]string{"check", "quickstart", "--fail-on", "severity=nope"}, "--fail-on: severity wants"},
	} {
		code, stdout, stderr := pipeshare(t, "", c.args...)
		assert.Equal(t, 2, code, "%v", c.args)
		assert.Empty(t, stdout, "%v: a usage error runs nothing", c.args)
		assert.Contains(t, stderr, c.want, "%v", c.args)
	}
}

// checkExtended is quickstart's share extended all month, checked against
// quickstart: the extendedWhatIf of diff as a pull request's check.
var checkExtended = []string{"check", "quickstart", "--baseline", "quickstart",
	"--set", "shares.churn-to-research.permission=extended", "--set", "events=[]"}

// TestCheckBaselineExitCodes: check --baseline applies each policy that
// compares two runs (exit 1 when one fails, with its reason on stderr, 0
// when none does); without --baseline they are usage errors (exit 2)
// that say to pass it, and so is a --baseline nothing compares with.
func TestCheckBaselineExitCodes(t *testing.T) {
	readOnly := []string{"check", "quickstart", "--baseline", "quickstart", "--set", "shares.churn-to-research.permission=read-only"}
	fromNothing := []string{"check", "quickstart", "--baseline", readOnlyWhatIf} // a baseline that costs nothing
	same := []string{"check", "quickstart", "--baseline", "quickstart"}
	for _, c := range []struct {
		args   []string
		policy string
		code   int
		want   string // on stderr
	}{
		{checkExtended, "cost-increase=10%", 1, "--fail-on cost-increase=10% FAILS: the owner's cost goes from $1,128.74 to $3,300.60 (+$2,171.86, +192.4%), above 10% of $1,128.74"},
		{checkExtended, "cost-increase=5000", 0, ""},
		{checkExtended, "cost-increase=2171", 1, "--fail-on cost-increase=2171 FAILS"},
		{checkExtended, "new-access", 1, "--fail-on new-access FAILS: 8 principals gain 22 actions"},
		{checkExtended, "new-external", 1, "--fail-on new-external FAILS: 1 principal gains 3 actions: 999999999999/root gains StartPipelineExecution, StopPipelineExecution, RetryPipelineExecution on churn-training"},
		{append(checkExtended[:len(checkExtended):len(checkExtended)], "--fail-on", "cost-increase=5000"), "severity=error", 1, "--fail-on severity=error FAILS: 1 finding at or above error: PS002"},
		{readOnly, "cost-increase=0", 0, ""},
		{readOnly, "new-access", 0, ""},
		{readOnly, "new-external", 0, ""},
		{fromNothing, "cost-increase=50%", 1, "--fail-on cost-increase=50% FAILS: the owner's cost goes from $0.00 to $1,128.74 (+$1,128.74), above 50% of $0.00"},
		{fromNothing, "cost-increase=1129", 0, ""},
		{fromNothing, "new-access", 0, ""}, // quickstart's share is read-only at the end too
		{same, "cost-increase=0%", 0, ""},
		{same, "new-access", 0, ""},
		{same, "severity=warning", 2, "--baseline needs a scenario and a --fail-on policy that compares two runs"},
		{[]string{"check", "quickstart"}, "cost-increase=0%", 2, "--fail-on cost-increase=0% compares two runs: pass --baseline BASE"},
		{[]string{"check", "quickstart"}, "cost-increase=10", 2, "--fail-on cost-increase=10 compares two runs: pass --baseline BASE"},
		{[]string{"check", "quickstart"}, "new-access", 2, "--fail-on new-access compares two runs: pass --baseline BASE"},
		{[]string{"check", "quickstart"}, "new-external", 2, "--fail-on new-external compares two runs: pass --baseline BASE"},
		{[]string{"check", "quickstart", "--baseline", ""}, "new-access", 2, "--baseline needs a scenario"},
		{[]string{"check", "quickstart", "--baseline", "no-such-scenario"}, "new-access", 2, "no-such-scenario"},
		{[]string{"check", "-", "--baseline", "-"}, "new-access", 2, "the scenario and --baseline cannot both be -"},
	} {
		args := append(c.args[:len(c.args):len(c.args)], "--fail-on", c.policy)
		code, stdout, stderr := pipeshare(t, "", args...)
		assert.Equal(t, c.code, code, "%v: %s", args, stderr)
		switch c.code {
		case 0:
			assert.Empty(t, stderr, "%v", args)
			assert.Contains(t, stdout, " passes: ", "%v", args)
		case 1:
			assert.Contains(t, stderr, "pipeshare check: "+c.want, "%v", args)
			assert.Contains(t, stdout, " FAILS: ", "%v", args)
		case 2:
			assert.Empty(t, stdout, "%v: a usage error runs nothing", args)
			assert.Contains(t, stderr, c.want, "%v", args)
		}
	}
	// severity=LEVEL keeps check's meaning beside a comparison: quickstart's
	// own warnings fail it, though the baseline has them too (diff's
	// severity counts only the findings a lacks).
	code, _, stderr := pipeshare(t, "", append(same, "--fail-on", "severity=warning", "--fail-on", "cost-increase=0%")...)
	assert.Equal(t, 1, code)
	assert.Equal(t, "pipeshare check: --fail-on severity=warning FAILS: 4 findings at or above warning: PS001 share churn-to-research → 999999999999, PS006 222222222222/role/DataScientist, PS006 300000000002/root and 1 more\n", stderr)
}

// TestCheckBaselineIsDiff: check SCENARIO --baseline BASE decides and
// words its comparison policies as diff BASE SCENARIO --fail-on does, and
// its report is check's, the same bytes but for the --fail-on lines. The
// golden file is one such text report.
func TestCheckBaselineIsDiff(t *testing.T) {
	policies := []string{"--fail-on", "cost-increase=10%", "--fail-on", "cost-increase=5000", "--fail-on", "new-access", "--fail-on", "new-external"}
	code, report, stderr := pipeshare(t, "", append(checkExtended, policies...)...)
	require.Equal(t, 1, code)
	golden(t, "check-baseline-extended.txt", report)
	_, diffOut, diffErr := pipeshare(t, "", append(extendedWhatIf, policies...)...)
	assert.Equal(t, strings.ReplaceAll(diffErr, "pipeshare diff:", "pipeshare check:"), stderr)
	results := func(out string) string { // the policy lines
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, " passes: ") || strings.Contains(l, " FAILS: ") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	assert.Equal(t, results(diffOut), results(report))
	assert.Contains(t, report, "--fail-on against quickstart (quickstart.yaml, sha256 ")
	assert.Contains(t, report, "): 3 of 4 policies failed\n")

	// Beside the policies, the report is check's of the scenario alone.
	_, alone, _ := pipeshare(t, "", "check", "quickstart", "--set", "shares.churn-to-research.permission=extended", "--set", "events=[]")
	assert.Equal(t, alone, report[:strings.Index(report, "--fail-on against")]+report[strings.Index(report, "pipeshare check quickstart"):])

	// A baseline identical to the scenario passes cost-increase=0%, in
	// every format.
	for _, format := range []string{"text", "md", "json", "junit", "sarif"} {
		code, out, stderr := pipeshare(t, "", "check", "quickstart", "--baseline", "quickstart", "--fail-on", "cost-increase=0%",
			"--rules", "PS002", "--format", format)
		assert.Equal(t, 0, code, "%s: %s", format, stderr)
		if format == "text" || format == "md" {
			assert.Contains(t, out, "cost-increase=0% passes: the owner's cost goes from $1,128.74 to $1,128.74 ($0.00, +0.0%), within 0% of $1,128.74")
		}
	}
}
