package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// long adds the largest runs (w1-500's 21.6 million calls, the scale
// scenario's whole day) that go test leaves out to stay quick; .ci/run
// runs them once with -long.
var long = flag.Bool("long", false, "also run the largest scenarios (about a minute more); .ci/run sets it")

// pipeshare runs the CLI in-process and returns its exit code and output.
func pipeshare(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// golden compares got with testdata/golden/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./cmd/pipeshare -update")
	assert.Equal(t, string(want), got, "golden %s differs; review and run with -update", path)
}

// TestExplainSteps explains one decision per situation of docs/aws-semantics.md#how-a-call-is-decided's
// permission steps, asserting the decision and reason and the full text
// and JSON output against golden files.
func TestExplainSteps(t *testing.T) {
	const scenario = "testdata/explain.yaml"
	const churn, reports = "churn-training", "reports"
	tests := []struct {
		name, caller, action, target, at string
		reason                           string
	}{
		{"explicit-deny-identity", "222222222222/role/Denied", "StartPipelineExecution", churn, "1h", "explicit_deny"},
		{"boundary-does-not-allow", "222222222222/role/Bounded", "StartPipelineExecution", churn, "1h", "no_identity_allow"},
		{"scp-explicit-deny", "222222222222/role/DataScientist", "RetryPipelineExecution", churn, "1h", "scp"},
		{"scp-no-allow-without-full-access", "333333333333/role/DataScientist", "StartPipelineExecution", churn, "1h", "scp"},
		{"scp-allows-describe", "333333333333/role/DataScientist", "DescribePipeline", churn, "1h", "shared"},
		{"management-account-exempt-from-scp", "100000000000", "RetryPipelineExecution", churn, "1h", "shared"},
		{"owner", "111111111111/role/Admin", "StopPipelineExecution", churn, "0", "owner"},
		{"owner-through-org-share", "111111111111/role/NoPerms", "DescribePipeline", reports, "1h", "shared"},
		{"owner-no-identity-allow", "111111111111/role/NoPerms", "StartPipelineExecution", reports, "1h", "no_identity_allow"},
		{"no-identity-allow-execution-resource", "222222222222/role/PipelineOnly", "StopPipelineExecution", churn, "1h", "no_identity_allow"},
		{"pipeline-arn-allows-start", "222222222222/role/PipelineOnly", "StartPipelineExecution", churn, "1h", "shared"},
		{"external-not-allowed", "777777777777", "DescribePipeline", churn, "1h", "external_not_allowed"},
		{"invitation-pending", "444444444444", "DescribePipeline", churn, "1h", "invitation_pending"},
		{"invitation-accepted", "444444444444", "StartPipelineExecution", churn, "3h", "shared"},
		{"invitation-rejected", "555555555555", "DescribePipeline", churn, "2h", "invitation_rejected"},
		{"invitation-expired", "666666666666", "DescribePipeline", churn, "12h", "invitation_expired"},
		{"association-pending", "222222222222/role/DataScientist", "DescribePipeline", churn, "1m", "association_pending"},
		{"action-not-permitted", "222222222222/role/DataScientist", "StartPipelineExecution", reports, "1h", "action_not_permitted"},
		{"shared", "222222222222/role/DataScientist", "StartPipelineExecution", churn, "2m", "shared"},
		{"not-shared", "888888888888", "StartPipelineExecution", churn, "1h", "not_shared"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"explain", scenario, "--caller", tc.caller, "--action", tc.action,
				"--target", tc.target, "--at", tc.at}
			code, text, stderr := pipeshare(t, "", args...)
			require.Equal(t, 0, code, stderr)
			assert.Empty(t, stderr)
			code, js, stderr := pipeshare(t, "", append(args, "--format", "json")...)
			require.Equal(t, 0, code, stderr)
			assert.Contains(t, js, `"reason": "`+tc.reason+`"`)
			golden(t, "explain-"+tc.name+".txt", text)
			golden(t, "explain-"+tc.name+".json", js)
		})
	}
}
