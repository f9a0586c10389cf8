package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/report"
)

// planJSON is the part of plan's JSON the tests read.
type planJSON struct {
	Points []struct {
		Values   []string `json:"values"`
		Replicas int      `json:"replicas"`
		Feasible bool     `json:"feasible"`
		Metrics  map[string]struct {
			Mean float64 `json:"mean"`
		} `json:"metrics"`
	} `json:"points"`
	Frontier    []int `json:"frontier"`
	Recommended *int  `json:"recommended"`
}

func readPlanJSON(t *testing.T, data []byte) planJSON {
	t.Helper()
	var p planJSON
	require.NoError(t, json.Unmarshal(data, &p))
	return p
}

// The embedded quickstart plan in every format, against new goldens; the
// JSON against pipeshare schema plan, the Markdown under GitHub's limit.
func TestPlanQuickstartGoldens(t *testing.T) {
	dir := t.TempDir()
	args := []string{"plan", "quickstart", "--replicas", "4"}
	for _, ext := range []string{"txt", "json", "md", "csv", "html"} {
		args = append(args, "--out", filepath.Join(dir, "plan."+ext))
	}
	code, stdout, stderr := pipeshare(t, "", args...)
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stdout)
	for _, ext := range []string{"txt", "json", "md", "csv"} {
		data, err := os.ReadFile(filepath.Join(dir, "plan."+ext))
		require.NoError(t, err)
		golden(t, "plan-quickstart."+ext, string(data))
	}
	js, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	require.NoError(t, err)
	assert.NoError(t, compileSchema(t, "plan").Validate(asJSONValue(t, js, false)))
	md, err := os.ReadFile(filepath.Join(dir, "plan.md"))
	require.NoError(t, err)
	assert.LessOrEqual(t, len(md), report.MaxMarkdown)
	page, err := os.ReadFile(filepath.Join(dir, "plan.html"))
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(string(page), `<svg class="chart `), "the scatter, wide and narrow")
	assert.Contains(t, string(page), "common: replica i of every point runs with the same seed")

	p := readPlanJSON(t, js)
	require.NotNil(t, p.Recommended)
	// The scatter names its axes with their units and labels the
	// recommended point and the baseline, in both layouts.
	assert.Contains(t, string(page), "<h3>Blocked Starts (% of Starts) against executions failed for capacity (count)</h3>")
	assert.Equal(t, 2, strings.Count(string(page), fmt.Sprintf(">#%d recommended</text>", *p.Recommended)))
	assert.Equal(t, 2, strings.Count(string(page), ">#0 as written</text>"))
	rec := p.Points[*p.Recommended]
	assert.True(t, rec.Feasible)
	assert.Equal(t, 4, rec.Replicas)
	assert.Contains(t, p.Frontier, *p.Recommended)
}

// Same inputs, same bytes; and the part files of any sharding merge into
// the very report of one process.
func TestPlanShardsMergeToOneProcess(t *testing.T) {
	one := []string{"plan", "quickstart", "--replicas", "2", "--budget", "20"}
	code, want, stderr := pipeshare(t, "", append(one, "--format", "json")...)
	require.Equal(t, 0, code, stderr)
	_, again, _ := pipeshare(t, "", append(one, "--format", "json")...)
	assert.Equal(t, want, again, "same seed, same bytes")
	_, wantText, _ := pipeshare(t, "", one...)

	dir := t.TempDir()
	var parts []string
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("part-%d.json", i))
		code, _, stderr := pipeshare(t, "", append(one, "--shard", fmt.Sprintf("%d/3", i), "--out", p)...)
		require.Equal(t, 0, code, stderr)
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.NoError(t, compileSchema(t, "plan-part").Validate(asJSONValue(t, data, false)), p)
		parts = append(parts, p)
	}
	code, got, stderr := pipeshare(t, "", append([]string{"merge", "--format", "json"}, parts...)...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, want, got)
	_, gotText, _ := pipeshare(t, "", append([]string{"merge"}, parts...)...)
	assert.Equal(t, wantText, gotText)

	code, _, stderr = pipeshare(t, "", "merge", parts[0], parts[2])
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "shard 1 of 3 is missing")
}

// Two points whose scenarios are the same (an alternative that sets what
// the scenario already has) get the same numbers: every point runs with
// the same random numbers.
func TestPlanCommonRandomNumbers(t *testing.T) {
	dir := t.TempDir()
	space := filepath.Join(dir, "space.yaml")
	require.NoError(t, os.WriteFile(space, []byte(`version: 1
kind: plan
axes:
  - name: price
    choose:
      as-written: []
      same: ["pricing.ml.g5.xlarge=1.408"]
      dearer: ["pricing.ml.g5.xlarge=3"]
objectives:
  - {minimize: owner_cost_usd}
`), 0o644))
	code, stdout, stderr := pipeshare(t, "", "plan", "quickstart", "--space", space, "--replicas", "3", "--format", "json")
	require.Equal(t, 0, code, stderr)
	p := readPlanJSON(t, []byte(stdout))
	require.Len(t, p.Points, 3)
	assert.Equal(t, p.Points[0].Metrics, p.Points[1].Metrics)
	assert.Greater(t, p.Points[2].Metrics["owner_cost_usd"].Mean, p.Points[0].Metrics["owner_cost_usd"].Mean)
	// As written, and ties go to fewer changes: the baseline.
	assert.Equal(t, 0, *p.Recommended)
}

// --emit writes a scenario that validates and runs to the numbers of the
// plan's point.
func TestPlanEmit(t *testing.T) {
	dir := t.TempDir()
	best := filepath.Join(dir, "best.yaml")
	code, stdout, stderr := pipeshare(t, "", "plan", "quickstart", "--replicas", "2", "--format", "json", "--emit", best)
	require.Equal(t, 0, code, stderr)
	p := readPlanJSON(t, []byte(stdout))
	rec := p.Points[*p.Recommended]

	code, _, stderr = pipeshare(t, "", "validate", best)
	require.Equal(t, 0, code, stderr)
	code, out, stderr := pipeshare(t, "", "run", best, "--replicas", "2", "--format", "json")
	require.Equal(t, 0, code, stderr)
	var run struct {
		Replicas struct {
			Cost struct {
				Total struct {
					Mean float64 `json:"mean"`
				} `json:"total_usd"`
			} `json:"cost"`
		} `json:"replicas"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &run))
	assert.InDelta(t, rec.Metrics["owner_cost_usd"].Mean, run.Replicas.Cost.Total.Mean, 5e-5)
	data, err := os.ReadFile(best)
	require.NoError(t, err)
	assert.Contains(t, string(data), "extends: quickstart\n")
	assert.NotContains(t, string(data), "\npolicies:", "only what differs")
}

func TestPlanExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	none := write("none.yaml", `version: 1
kind: plan
axes:
  - {name: gpus, set: accounts.111111111111.quotas.instances.ml.g5.xlarge, values: [2, 8]}
constraints:
  - {metric: owner_cost_usd, max: 1}
objectives:
  - {minimize: owner_cost_usd}
`)
	code, stdout, stderr := pipeshare(t, "", "plan", "quickstart", "--space", none, "--replicas", "1")
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stdout, "No point is feasible. Owner cost ($ over the run) ≤ $1 blocks most points (3 of 3). The closest is point #")
	assert.Regexp(t, `: it breaks owner cost \(\$ over the run\) ≤ \$1 \(it has \$[0-9,.]+\)\.\n`, stdout, "the closest point's own number")
	assert.Contains(t, stdout, "Headline\n  None of the 3 points is feasible;")
	assert.Contains(t, stdout, "Constraints: owner cost ($ over the run) ≤ $1 rules out 3.")

	bad := write("bad.yaml", `version: 1
kind: plan
axes:
  - {name: p, set: shares.nope.permission, values: [extended]}
objectives:
  - {minimize: owner_cost_usd}
`)
	code, stdout, stderr = pipeshare(t, "", "plan", "quickstart", "--space", bad)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Equal(t, bad+":4:20: shares.nope.permission: no share named nope\n", stderr)

	// The plan sets every replica's seed itself: a seed axis is refused
	// before anything runs, and says to use --seed.
	seed := write("seed.yaml", `version: 1
kind: plan
axes:
  - {name: luck, set: seed, values: [1, 2, 3]}
objectives:
  - {minimize: owner_cost_usd}
`)
	code, stdout, stderr = pipeshare(t, "", "plan", "quickstart", "--space", seed)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Regexp(t, "^"+regexp.QuoteMeta(seed)+`:4:23: axis "luck" sets seed, which a plan overrides: .*--seed\n$`, stderr)

	var axes strings.Builder
	for i := range 7 {
		fmt.Fprintf(&axes, "  - {name: a%d, set: name, values: [a, b, c, d, e, f, g, h]}\n", i)
	}
	big := write("big.yaml", "version: 1\nkind: plan\naxes:\n"+axes.String()+"objectives:\n  - {minimize: owner_cost_usd}\n")
	code, _, stderr = pipeshare(t, "", "plan", "quickstart", "--space", big)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "the space has 2097152 points, more than 1000000: give --budget N to sample N of them")

	code, _, stderr = pipeshare(t, "", "plan", "testdata/quickstart-read-only.yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "give the space to search with --space SPACE.yaml")
}

// BenchmarkPlanQuickstart is the embedded quickstart plan: 64 points, up
// to 8 replicas each (docs/performance.md#plan).
func BenchmarkPlanQuickstart(b *testing.B) {
	for b.Loop() {
		e := &env{ctx: b.Context(), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, files: &files{}}
		if err := cmdPlan(e, []string{"quickstart", "--format", "json"}); err != nil {
			b.Fatal(err)
		}
	}
}

// A large space's Markdown stays under GitHub's limit: its tables are cut
// as the other reports' are, and say where the rest is.
func TestPlanLargeSpaceMarkdown(t *testing.T) {
	var axes strings.Builder
	for i := range 12 {
		fmt.Fprintf(&axes, "  - {name: a-rather-long-axis-name-number-%d, set: name, values: [n1001, n2002, n3003, n4004, n5005, n6006, n7007, n8008]}\n", i)
	}
	space := filepath.Join(t.TempDir(), "large.yaml")
	require.NoError(t, os.WriteFile(space, []byte("version: 1\nkind: plan\naxes:\n"+axes.String()+
		"objectives:\n  - {minimize: owner_cost_usd_month, stat: p95}\n  - {minimize: blocked_start_share}\n"), 0o644))
	code, md, stderr := pipeshare(t, "", "plan", "quickstart", "--space", space, "--budget", "200", "--replicas", "1", "--format", "md")
	require.Equal(t, 0, code, stderr)
	assert.LessOrEqual(t, len(md), report.MaxMarkdown)
	assert.Contains(t, md, "the 50 best-ranked points are shown; 150 more are in --format json or csv")
}
