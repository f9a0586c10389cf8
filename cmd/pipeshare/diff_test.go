package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const readOnlyWhatIf = "testdata/quickstart-read-only.yaml"

type diffJSON struct {
	SchemaVersion int `json:"schema_version"`
	Seed          uint64
	Identical     bool
	Decisions     []struct {
		Account, Principal, Action, Reason string
		A, B, Delta                        int64
	}
	Calls      map[string]struct{ A, B, Delta int64 }
	Executions map[string]struct{ A, B, Delta int64 }
	Cost       struct {
		TotalUSD    struct{ A, B, Delta float64 } `json:"total_usd"`
		ByInitiator []struct {
			Account string
			Share   *string
			USD     struct{ A, B, Delta float64 }
		} `json:"by_initiator"`
	}
}

func decodeDiff(t *testing.T, js string) diffJSON {
	t.Helper()
	var d diffJSON
	require.NoError(t, json.Unmarshal([]byte(js), &d), js)
	return d
}

// TestDiffSelf: a scenario against itself is identical, exit 0, in every
// format.
func TestDiffSelf(t *testing.T) {
	for _, sc := range []string{"quickstart", "external-partner", readOnlyWhatIf} {
		code, stdout, stderr := pipeshare(t, "", "diff", sc, sc)
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, stdout, "result     identical\n")
		assert.Contains(t, stdout, "Changed decisions (calls by caller, action and final reason)\n  (no differences)\n")

		code, stdout, stderr = pipeshare(t, "", "diff", sc, sc, "--format", "json")
		require.Equal(t, 0, code, stderr)
		d := decodeDiff(t, stdout)
		assert.True(t, d.Identical)
		assert.Empty(t, d.Decisions)
		assert.Empty(t, d.Cost.ByInitiator)
		assert.Positive(t, d.Calls["total"].A)
		for name, c := range d.Calls {
			assert.Zero(t, c.Delta, name)
		}

		code, stdout, stderr = pipeshare(t, "", "diff", sc, sc, "--format", "md")
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, stdout, "result: **identical**")
	}
}

// TestDiffQuickstartReadOnly is the README's example: quickstart's share
// extended until day 10 against read-only from the start.
func TestDiffQuickstartReadOnly(t *testing.T) {
	code, text, stderr := pipeshare(t, "", "diff", "quickstart", readOnlyWhatIf)
	require.Equal(t, 1, code, stderr)
	assert.Empty(t, stderr)
	golden(t, "diff-quickstart-read-only.txt", text)

	code, js, stderr := pipeshare(t, "", "diff", "quickstart", readOnlyWhatIf, "--format", "json")
	require.Equal(t, 1, code, stderr)
	golden(t, "diff-quickstart-read-only.json", js)

	code, md, stderr := pipeshare(t, "", "diff", "quickstart", readOnlyWhatIf, "--format", "md")
	require.Equal(t, 1, code, stderr)
	golden(t, "diff-quickstart-read-only.md", md)

	for _, format := range []string{"html", "csv"} {
		code, out, stderr := pipeshare(t, "", "diff", "quickstart", readOnlyWhatIf, "--format", format)
		require.Equal(t, 1, code, stderr)
		golden(t, "diff-quickstart-read-only."+format, out)
	}

	d := decodeDiff(t, js)
	assert.False(t, d.Identical)
	assert.Equal(t, uint64(1), d.Seed)
	// Common random numbers: the same workload draws the same calls.
	assert.Zero(t, d.Calls["total"].Delta)
	assert.Equal(t, d.Calls["total"].A, d.Calls["total"].B)
	// Read-only from the start: no consumer ever starts an execution.
	assert.Positive(t, d.Executions["started"].A)
	assert.Zero(t, d.Executions["started"].B)
	assert.InDelta(t, 0, d.Cost.TotalUSD.B, 1e-9)
	assert.InDelta(t, -d.Cost.TotalUSD.A, d.Cost.TotalUSD.Delta, 1e-4)
	// Every shared Start becomes action_not_permitted, caller by caller.
	var shared, notPermitted int64
	for _, r := range d.Decisions {
		assert.Equal(t, r.B-r.A, r.Delta)
		if r.Action == "StartPipelineExecution" {
			switch r.Reason {
			case "shared":
				shared += r.Delta
			case "action_not_permitted":
				notPermitted += r.Delta
			}
		}
	}
	assert.Negative(t, shared)
	assert.Equal(t, -shared, notPermitted)
	var sum float64
	for _, r := range d.Cost.ByInitiator {
		require.NotNil(t, r.Share)
		sum += r.USD.Delta
	}
	assert.InDelta(t, d.Cost.TotalUSD.Delta, sum, 0.01)

	// The order is stable: B against A mirrors the rows.
	code, js2, _ := pipeshare(t, "", "diff", readOnlyWhatIf, "quickstart", "--format", "json")
	require.Equal(t, 1, code)
	d2 := decodeDiff(t, js2)
	require.Len(t, d2.Decisions, len(d.Decisions))
	for i := range d.Decisions {
		assert.Equal(t, -d.Decisions[i].Delta, d2.Decisions[i].Delta)
	}
}

// TestDiffSet: --set applies to B only, so the one-line what-if gives the
// same differences as the copied file.
func TestDiffSet(t *testing.T) {
	code, stdout, stderr := pipeshare(t, "", "diff", "quickstart", "quickstart", "--format", "json",
		"--set", "shares.churn-to-research.permission=read-only")
	require.Equal(t, 1, code, stderr)
	set := decodeDiff(t, stdout)
	_, stdout, _ = pipeshare(t, "", "diff", "quickstart", readOnlyWhatIf, "--format", "json")
	file := decodeDiff(t, stdout)
	assert.Equal(t, file.Decisions, set.Decisions)
	assert.Equal(t, file.Executions, set.Executions)
	assert.Equal(t, file.Cost, set.Cost)

	code, _, stderr = pipeshare(t, "", "diff", "quickstart", "quickstart", "--set", "shares.nope.permission=read-only")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--set:1:1:")
}

// TestDiffSeed: --seed runs both with that seed; A's seed otherwise.
func TestDiffSeed(t *testing.T) {
	code, stdout, stderr := pipeshare(t, "", "diff", "quickstart", readOnlyWhatIf, "--seed", "5", "--format", "json")
	require.Equal(t, 1, code, stderr)
	d5 := decodeDiff(t, stdout)
	assert.Equal(t, uint64(5), d5.Seed)
	assert.Equal(t, d5.Calls["total"].A, d5.Calls["total"].B)

	_, plain, _ := pipeshare(t, "", "run", "quickstart", "--seed", "5", "--format", "json")
	var run map[string]any
	require.NoError(t, json.Unmarshal([]byte(plain), &run))
	assert.Equal(t, field(run, "calls", "total"), float64(d5.Calls["total"].A))
	assert.Equal(t, field(run, "executions", "started"), float64(d5.Executions["started"].A))

	code, stdout, _ = pipeshare(t, "", "diff", "quickstart", readOnlyWhatIf, "--format", "json")
	require.Equal(t, 1, code)
	assert.NotEqual(t, d5.Calls["total"].A, decodeDiff(t, stdout).Calls["total"].A)
}

func TestDiffUntil(t *testing.T) {
	// --until stops both runs.
	code, stdout, stderr := pipeshare(t, "", "diff", "quickstart", "quickstart", "--until", "1d")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "simulated  24h0m0s\n")
	code, stdout, stderr = pipeshare(t, "", "diff", "quickstart", readOnlyWhatIf, "--until", "1d", "--format", "json")
	require.Equal(t, 1, code, stderr)
	d := decodeDiff(t, stdout)
	_, plain, _ := pipeshare(t, "", "run", "quickstart", "--until", "1d", "--format", "json")
	var run map[string]any
	require.NoError(t, json.Unmarshal([]byte(plain), &run))
	assert.Equal(t, field(run, "calls", "total"), float64(d.Calls["total"].A))
}

func TestDiffBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "quickstart"}, "pipeshare diff: two scenarios needed, A and B (got 1"},
		{[]string{"diff"}, "two scenarios needed"},
		{[]string{"diff", "a", "b", "c"}, "(got 3"},
		{[]string{"diff", "quickstart", "quickstart", "--format", "sarif"}, "--format must be one of text, json, md, html, csv"},
		{[]string{"diff", "quickstart", "nope.yaml"}, `no file or embedded scenario named "nope.yaml"`},
		{[]string{"diff", "quickstart", "testdata/semantic.yaml"}, "testdata/semantic.yaml:9:18:"},
		{[]string{"diff", "quickstart", "quickstart", "--seed", "x"}, "--seed"},
		{[]string{"diff", "quickstart", "quickstart", "--until", "soon"}, "--until"},
		{[]string{"diff", "quickstart", "quickstart", "--out", "/nonexistent/dir/x.txt"}, "--out"},
	} {
		code, stdout, stderr := pipeshare(t, "", tc.args...)
		assert.Equal(t, 2, code, "%v", tc.args)
		assert.Contains(t, stderr, tc.want, "%v", tc.args)
		if !strings.Contains(strings.Join(tc.args, " "), "--out") {
			assert.Empty(t, stdout, "%v", tc.args)
		}
	}
}

// TestDiffOut writes the report atomically and still exits 1.
func TestDiffOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "diff.md")
	code, stdout, stderr := pipeshare(t, "", "diff", "quickstart", readOnlyWhatIf, "--format", "md", "--out", path)
	require.Equal(t, 1, code, stderr)
	assert.Empty(t, stdout)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join("testdata", "golden", "diff-quickstart-read-only.md"))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(b))
}

// TestDiffHelp documents the command.
func TestDiffHelp(t *testing.T) {
	code, stdout, _ := pipeshare(t, "", "diff", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "pipeshare diff A B [flags]")
	assert.Contains(t, stdout, "common random numbers")
	code, stdout, _ = pipeshare(t, "", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "  diff ")
}

// TestDiffWarnsOnce: a warning both scenarios give (one file diffed with
// itself or with --set) is printed once; one that only B gives is printed.
func TestDiffWarnsOnce(t *testing.T) {
	dir := t.TempDir()
	unused := func(file, policy string) string { // a scenario whose one warning is an unused policy
		p := filepath.Join(dir, file)
		require.NoError(t, os.WriteFile(p, []byte("extends: quickstart\npolicies:\n  "+policy+
			":\n    Statement: [{Effect: Allow, Action: \"sagemaker:DescribePipeline\", Resource: \"*\"}]\n"), 0o600))
		return p
	}
	a, b := unused("a.yaml", "unused-thing"), unused("b.yaml", "other-thing")
	const warning = `a.yaml:3:3: warning: policy "unused-thing" is not used`
	for _, tc := range []struct {
		args []string
		a, b int // how many times a's and b's warnings print
	}{
		{[]string{a, a}, 1, 0},
		{[]string{a, a, "--set", "seed=1"}, 1, 0},
		{[]string{a, b}, 1, 1},
		{[]string{"quickstart", a}, 1, 0},
	} {
		code, _, stderr := pipeshare(t, "", append([]string{"diff", "--quiet"}, tc.args...)...)
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, tc.a, strings.Count(stderr, warning), "%v: %s", tc.args, stderr)
		assert.Equal(t, tc.b, strings.Count(stderr, `b.yaml:3:3: warning: policy "other-thing" is not used`), "%v: %s", tc.args, stderr)
	}
}
