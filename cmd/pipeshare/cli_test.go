package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCLI runs whole command lines and compares stdout and stderr with
// golden files, and the exit code with the table.
func TestCLI(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
	}{
		{"help", []string{"--help"}, "", 0},
		{"version", []string{"--version"}, "", 0},
		{"unknown-command", []string{"frobnicate"}, "", 2},
		{"run-help", []string{"run", "--help"}, "", 0},
		{"run-bad-flag", []string{"run", "--nope"}, "", 2},
		{"run-bad-format", []string{"run", "--format", "xml"}, "", 2},
		{"run-unknown-scenario", []string{"run", "no-such-scenario"}, "", 2},
		{"run-quickstart-until", []string{"run", "quickstart", "--until", "10d", "--seed", "2"}, "", 0},
		{"run-external-partner", []string{"run", "external-partner"}, "", 0},
		{"run-data-plane", []string{"run", "data-plane"}, "", 0},
		{"run-replicas-zero", []string{"run", "--replicas", "0"}, "", 2},
		{"run-replicas-json", []string{"run", "external-partner", "--replicas", "3", "--format", "json"}, "", 0},
		{"run-stdin", []string{"run", "-"}, "version: 1\nname: tiny\nstart: 2026-01-05T00:00:00Z\nduration: 1d\n", 0},
		{"validate-ok", []string{"validate", "testdata/explain.yaml"}, "", 0},
		{"validate-bad", []string{"validate", "testdata/bad.yaml"}, "", 2},
		{"validate-semantic", []string{"validate", "testdata/semantic.yaml"}, "", 2},
		{"validate-none", []string{"validate"}, "", 2},
		{"explain-missing-flag", []string{"explain", "quickstart", "--caller", "222222222222"}, "", 2},
		{"explain-unknown-caller", []string{"explain", "quickstart", "--caller", "444444444444",
			"--action", "DescribePipeline", "--target", "churn-training"}, "", 2},
		{"explain-unknown-action", []string{"explain", "quickstart", "--caller", "222222222222",
			"--action", "DeletePipeline", "--target", "churn-training"}, "", 2},
		{"explain-unknown-target", []string{"explain", "quickstart", "--caller", "222222222222",
			"--action", "DescribePipeline", "--target", "nope"}, "", 2},
		{"explain-quickstart-day-12", []string{"explain", "quickstart", "--caller", "222222222222/role/DataScientist",
			"--action", "sagemaker:startpipelineexecution", "--target", "churn-training", "--at", "12d"}, "", 0},
		{"access-text", []string{"access", "quickstart", "--at", "1d"}, "", 0},
		{"access-csv", []string{"access", "quickstart", "--at", "2026-01-26T00:00:00Z", "--format", "csv"}, "", 0},
		{"merge-help", []string{"merge", "--help"}, "", 0},
		{"scenarios", []string{"scenarios"}, "", 0},
		{"scenarios-show-unknown", []string{"scenarios", "show", "nope"}, "", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := pipeshare(t, tc.stdin, tc.args...)
			assert.Equal(t, tc.code, code, "stderr: %s", stderr)
			assert.NotContains(t, stderr, "goroutine ", "no panics")
			golden(t, tc.name+".stdout", stdout)
			golden(t, tc.name+".stderr", stderr)
		})
	}
}

// TestEmbeddedScenarioGoldens keeps the JSON report of every embedded
// scenario (but the two large W1 runs, checked statistically in
// TestW1AgreesWithBaseline) as a golden file.
func TestEmbeddedScenarioGoldens(t *testing.T) {
	t.Parallel()
	for _, name := range scenarios.Names() {
		if name == "w1" || name == "w1-500" || name == "scale" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := pipeshare(t, "", "run", name, "--format", "json")
			require.Equal(t, 0, code, stderr)
			assert.Empty(t, stderr)
			golden(t, "embedded-"+name+".json", stdout)
		})
	}
}

// TestRunJSONIsDeterministic runs every embedded scenario twice, at
// GOMAXPROCS 1 and 4, and requires byte-identical JSON whose counters add
// up. w1-500 (21.6 million calls) and scale (a million calls over 10,000
// accounts) run only with -long, w1 not with -short. It changes GOMAXPROCS,
// so it must not run in parallel with other tests.
func TestRunJSONIsDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, name := range scenarios.Names() {
		t.Run(name, func(t *testing.T) {
			switch {
			case !*long && (name == "w1-500" || name == "scale"):
				t.Skip("one of the largest scenarios: -long runs it")
			case testing.Short() && name == "w1":
				t.Skip("w1 runs 2 million calls")
			}
			runtime.GOMAXPROCS(1)
			_, a, _ := pipeshare(t, "", "run", name, "--format", "json")
			runtime.GOMAXPROCS(4)
			code, b, stderr := pipeshare(t, "", "run", name, "--format", "json")
			require.Equal(t, 0, code, stderr)
			require.Equal(t, a, b)
			var out struct {
				Calls struct {
					Total, Allowed, Denied, Failed int64
					ByReason                       map[string]int64 `json:"by_reason"`
					ByAction                       map[string]int64 `json:"by_action"`
				}
			}
			require.NoError(t, json.Unmarshal([]byte(a), &out))
			var sum int64
			for _, n := range out.Calls.ByReason {
				sum += n
			}
			assert.Equal(t, out.Calls.Total, sum, "Σ by_reason = total")
			assert.Equal(t, out.Calls.Total, out.Calls.Allowed+out.Calls.Denied+out.Calls.Failed)
			assert.Len(t, out.Calls.ByAction, 10)
			assert.Positive(t, out.Calls.Total, "an embedded scenario makes calls")
		})
	}
}

// TestOutIsAtomic checks that --out writes the whole report, and that a
// failing run leaves no file behind.
func TestOutIsAtomic(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.json")
	code, _, stderr := pipeshare(t, "", "run", "quickstart", "--format", "json", "--out", out)
	require.Equal(t, 0, code, stderr)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, json.Valid(data))

	bad := filepath.Join(dir, "bad.json")
	code, _, _ = pipeshare(t, "", "run", "testdata/bad.yaml", "--out", bad)
	assert.Equal(t, 2, code)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"report.json"}, names, "no partial or temporary file")
}

// TestScenariosShow writes an embedded scenario out and validates the copy.
func TestScenariosShow(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := pipeshare(t, "", "scenarios", "show", "quickstart", "--out", dir)
	require.Equal(t, 0, code, stderr)
	code, stdout, stderr := pipeshare(t, "", "validate", filepath.Join(dir, "quickstart.yaml"))
	require.Equal(t, 0, code, stderr)
	assert.True(t, strings.HasSuffix(strings.TrimSpace(stdout), "warnings)"))
}

// TestLargeInputIsRefused checks the size limit and its flag.
func TestLargeInputIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	require.NoError(t, os.WriteFile(path, []byte("version: 1\n"+strings.Repeat("# padding\n", 200)), 0o644))
	code, _, stderr := pipeshare(t, "", "validate", path, "--max-input", "100")
	assert.Equal(t, 2, code)
	assert.Equal(t, path+":1:1: file too large (limit 100 bytes, raise with --max-input)\n", stderr)
}
