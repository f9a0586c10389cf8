package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestOverlayCLI covers extends: and --set on the commands that load a
// scenario.
func TestOverlayCLI(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"overlay-validate-whatif", []string{"validate", "testdata/overlay-whatif.yaml"}, 0},
		{"overlay-explain-whatif", []string{"explain", "testdata/overlay-whatif.yaml", "--caller", "222222222222",
			"--action", "StartPipelineExecution", "--target", "churn-training", "--at", "1d"}, 0},
		{"overlay-base-errors", []string{"validate", "testdata/overlay-child.yaml"}, 2},
		{"overlay-set-run", []string{"run", "quickstart", "--until", "5d",
			"--set", "shares.churn-to-research.permission=read-only", "--set", "seed=2"}, 0},
		{"overlay-set-access", []string{"access", "quickstart", "--at", "1d",
			"--set", "shares.churn-to-research.permission=read-only", "--format", "csv"}, 0},
		{"overlay-set-unknown", []string{"run", "quickstart", "--set", "shares.nope.permission=read-only"}, 2},
		{"overlay-set-bad-value", []string{"validate", "testdata/overlay-whatif.yaml",
			"--set", "shares.churn-to-research.permission=bogus"}, 2},
		{"overlay-set-syntax", []string{"run", "quickstart", "--set", "seed"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := pipeshare(t, "", tc.args...)
			assert.Equal(t, tc.code, code, "stderr: %s", stderr)
			golden(t, tc.name+".stdout", stdout)
			golden(t, tc.name+".stderr", stderr)
		})
	}
}
