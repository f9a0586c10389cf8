package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// TestScenarioNames: a command names a scenario as extends: does, through
// scenarios.Resolve: "quickstart" and "quickstart.yaml" are the embedded
// one unless such a file exists, which wins.
func TestScenarioNames(t *testing.T) {
	for _, arg := range []string{"quickstart", "quickstart.yaml"} {
		code, stdout, stderr := pipeshare(t, "", "validate", arg)
		assert.Equal(t, 0, code, stderr)
		assert.True(t, strings.HasPrefix(stdout, "quickstart.yaml: ok ("), stdout)
	}
	dir := t.TempDir()
	child := filepath.Join(dir, "child.yaml")
	require.NoError(t, os.WriteFile(child, []byte("extends: quickstart.yaml\nseed: 7\n"), 0o644))
	code, stdout, stderr := pipeshare(t, "", "validate", child)
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, child+": ok (")

	// A file of that name wins over the embedded scenario.
	t.Chdir(dir)
	require.NoError(t, os.WriteFile("quickstart.yaml", []byte("version: 1\n"), 0o644))
	code, _, stderr = pipeshare(t, "", "validate", "quickstart.yaml")
	assert.Equal(t, 2, code)
	assert.True(t, strings.HasPrefix(stderr, "quickstart.yaml:1:1: "), stderr)
}
