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
	assert.Contains(t, stdout, "  cost-increase=10% FAILS: the owner's cost goes from $1,128.12 to $3,319.90 (+$2,191.78, +194.3%), above 10% of $1,128.12\n")
	assert.Contains(t, stdout, "  cost-increase=5000 passes: the owner's cost goes from $1,128.12 to $3,319.90 (+$2,191.78, +194.3%), within $5,000.00\n")
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
	assert.Contains(t, stderr, "cost-increase=50% FAILS: the owner's cost goes from $0.00 to $1,128.12 (+$1,128.12), above 50% of $0.00")
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
	assert.Contains(t, stdout, "WARNING (3)", "the warnings stay in the report")

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
		{[]string{"check", "quickstart", "--fail-on", "new-external"}, "--fail-on new-external compares two runs: use it with pipeshare diff"},
		{[]string{"check", "quickstart", "--fail-on", "severity=nope"}, "--fail-on: severity wants"},
	} {
		code, stdout, stderr := pipeshare(t, "", c.args...)
		assert.Equal(t, 2, code, "%v", c.args)
		assert.Empty(t, stdout, "%v: a usage error runs nothing", c.args)
		assert.Contains(t, stderr, c.want, "%v", c.args)
	}
}
