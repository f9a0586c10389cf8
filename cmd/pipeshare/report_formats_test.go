package main

import (
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/sim"
)

// TestRunFormatGoldens renders every embedded scenario (but the two large
// W1 runs) as Markdown, HTML and each CSV table, against golden files.
func TestRunFormatGoldens(t *testing.T) {
	t.Parallel()
	type variant struct {
		suffix string
		args   []string
	}
	variants := []variant{
		{"md.md", []string{"--format", "md"}},
		{"html.html", []string{"--format", "html"}},
		{"csv.csv", []string{"--format", "csv"}},
		{"csv-cost.csv", []string{"--format", "csv", "--table", "cost"}},
		{"csv-access.csv", []string{"--format", "csv", "--table", "access"}},
		{"csv-findings.csv", []string{"--format", "csv", "--table", "findings"}},
	}
	for _, name := range scenarios.Names() {
		if name == "w1" || name == "w1-500" || name == "scale" {
			continue
		}
		for _, v := range variants {
			t.Run(name+"/"+v.suffix, func(t *testing.T) {
				code, stdout, stderr := pipeshare(t, "", append([]string{"run", name}, v.args...)...)
				require.Equal(t, 0, code, stderr)
				assert.Empty(t, stderr)
				if strings.HasSuffix(v.suffix, ".csv") {
					recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
					require.NoError(t, err)
					require.NotEmpty(t, recs)
				}
				if strings.HasSuffix(v.suffix, ".html") {
					assertSelfContained(t, stdout)
				}
				golden(t, "run-"+name+"-"+v.suffix, stdout)
			})
		}
	}
}

// assertSelfContained checks that an HTML report loads nothing: no
// script, no URL but the SVG namespaces, no external stylesheet or font.
func assertSelfContained(t *testing.T, page string) {
	t.Helper()
	lower := strings.ToLower(page)
	assert.NotContains(t, lower, "<script")
	assert.NotContains(t, lower, "<link")
	assert.NotContains(t, lower, "@import")
	assert.NotContains(t, lower, "url(")
	assert.NotContains(t, lower, "@font-face")
	for _, u := range regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^"'\s<>]*`).FindAllString(page, -1) {
		assert.Contains(t, []string{"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, u, "external reference")
	}
	assert.Equal(t, strings.Count(page, "<svg"), strings.Count(page, "</svg>"))
	assert.GreaterOrEqual(t, strings.Count(page, "<svg"), 2, "charts")
}

// TestRunHTMLEscapesUserStrings runs a scenario whose account names carry
// markup and checks they come out escaped in HTML and Markdown.
func TestRunHTMLEscapesUserStrings(t *testing.T) {
	const sc = `version: 1
name: escapes
start: 2026-01-05T00:00:00Z
duration: 2d
accounts:
  - {id: "111111111111", name: "<script>x</script>",
     principals: [{name: role/Owner, policies: [all]}],
     quotas: {instances: {ml.m5.xlarge: 1}}, on_capacity: queue}
  - {id: "222222222222", name: "a|b*c_d` + "`" + `e<b>&", principals: [{name: role/User, policies: [all]}]}
policies:
  all:
    Statement: [{Effect: Allow, Action: "sagemaker:*", Resource: "*"}]
pipelines:
  - name: p
    account: "111111111111"
    steps: [{name: S, type: Processing, instance_type: ml.m5.xlarge, duration: 2h}]
shares:
  - {name: s, owner: "111111111111", pipelines: [p], principals: ["222222222222"], permission: extended}
workload:
  - name: w
    callers: ["222222222222/role/User", "111111111111/role/Owner"]
    targets: [p]
    rate: 1/h
    actions: {StartPipelineExecution: 1}
`
	code, page, stderr := pipeshare(t, sc, "run", "-", "--format", "html")
	require.Equal(t, 0, code, stderr)
	assertSelfContained(t, page)
	assert.NotContains(t, page, "<script>x")
	assert.NotContains(t, page, "<b>&")
	assert.Contains(t, page, "&lt;script&gt;x&lt;/script&gt;")
	assert.Contains(t, page, "a|b*c_d`e&lt;b&gt;&amp;")
	assert.Contains(t, page, "Wait for instances by initiator", "the queue made someone wait")

	code, md, stderr := pipeshare(t, sc, "run", "-", "--format", "md")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, md, "&lt;script&gt;x&lt;/script&gt;")
	assert.Contains(t, md, "a\\|b\\*c\\_d\\`e&lt;b&gt;&amp;")
	assert.NotContains(t, md, "<script>")
}

// TestRunFormatErrors covers bad --format, --table and --progress values.
func TestRunFormatErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--format", "pdf"},
		{"--format", "csv", "--table", "nope"},
		{"--format", "md", "--table", "cost"},
		{"--progress", "sometimes"},
	} {
		code, stdout, stderr := pipeshare(t, "", append([]string{"run", "quickstart"}, args...)...)
		assert.Equal(t, 2, code, "%v", args)
		assert.Empty(t, stdout)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
	}
}

// TestProgress: --progress on prints a progress line on stderr (ending at
// 100 %), off and auto on a non-terminal print nothing.
func TestProgress(t *testing.T) {
	code, _, stderr := pipeshare(t, "", "run", "quickstart", "--progress", "on", "--format", "json")
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `^(\r[^\r\n]*)+\n$`, stderr)
	assert.Contains(t, stderr, "\rsimulated 100.0% (30d of 30d)")
	assert.Contains(t, stderr, "calls/s")

	for _, mode := range []string{"off", "auto"} {
		code, _, stderr = pipeshare(t, "", "run", "quickstart", "--progress", mode)
		require.Equal(t, 0, code)
		assert.Empty(t, stderr, mode)
	}

	// auto on a real file (not a terminal) prints nothing either.
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f))
	assert.Nil(t, newProgress(f, "auto", time.Now()))
	assert.Nil(t, newProgress(&bytes.Buffer{}, "auto", time.Now()))
}

// TestProgressRefresh drives the printer with a fake clock: nothing before
// the delay, then at most one line per refresh interval, with an ETA.
func TestProgressRefresh(t *testing.T) {
	var b bytes.Buffer
	start := time.Unix(0, 0)
	clock := start
	p := &progress{w: &b, start: start, now: func() time.Time { return clock }, delay: progressDelay}
	sp := &simProgress{p: p, horizons: []sim.Time{100}, nows: []sim.Time{0}, calls: []uint64{0}}
	update := func(now sim.Time, calls uint64) {
		sp.nows[0], sp.calls[0] = now, calls
		p.update(sp.line)
	}
	update(10, 1000)
	assert.Empty(t, b.String(), "nothing in the first second")
	clock = start.Add(2 * time.Second)
	update(50, 5000)
	assert.Contains(t, b.String(), "50.0%")
	assert.Contains(t, b.String(), "ETA 2s")
	n := b.Len()
	clock = clock.Add(50 * time.Millisecond)
	update(60, 6000)
	assert.Equal(t, n, b.Len(), "refreshed at most 5 times a second")
	clock = clock.Add(300 * time.Millisecond)
	update(70, 7000)
	assert.Greater(t, b.Len(), n)
	p.finish(sp.line)
	assert.True(t, strings.HasSuffix(b.String(), "\n"))
	assert.Contains(t, b.String(), "done in 2.35s")

	// A nil printer (off, quiet, not a terminal) does nothing.
	var off *progress
	off.update(sp.line)
	off.finish(sp.line)
	off.phase("reading")()
	assert.Nil(t, off.watch())
}

// TestProgressCommands: check (with a baseline, both runs), diff, run
// --replicas and access show a progress line on a terminal, and --quiet
// silences it (and only it).
func TestProgressCommands(t *testing.T) {
	defer func(is func(io.Writer) bool, d time.Duration) { stderrIsTerminal, autoDelay = is, d }(stderrIsTerminal, autoDelay)
	stderrIsTerminal, autoDelay = func(io.Writer) bool { return true }, 0
	for _, tc := range []struct {
		args []string
		line string
	}{
		{[]string{"check", "quickstart", "--set", "duration=2d"}, "\rsimulated 100.0% (2d of 2d)"},
		{[]string{"check", "quickstart", "--set", "duration=2d", "--baseline", "quickstart", "--fail-on", "new-access"}, "\rsimulated 100.0% of 2 runs"},
		{[]string{"diff", "quickstart", "quickstart", "--until", "2d"}, "\rsimulated 100.0% of 2 runs"},
		{[]string{"run", "quickstart", "--until", "2d", "--replicas", "3"}, "\rreplicas 3 of 3 done"},
		{[]string{"access", "quickstart"}, "\rcomputing the access matrix"},
	} {
		_, stdout, stderr := pipeshare(t, "", tc.args...)
		assert.Contains(t, stderr, tc.line, "%v", tc.args)
		assert.Regexp(t, `done in [0-9.]+m?s\n`, stderr, "%v", tc.args)
		_, quietOut, quiet := pipeshare(t, "", append(tc.args, "--quiet")...)
		assert.NotContains(t, quiet, "\r", "%v --quiet", tc.args)
		assert.Equal(t, stdout, quietOut, "%v: --quiet changes only stderr", tc.args)
	}
	// Errors still print with --quiet.
	code, _, stderr := pipeshare(t, "", "check", "nope.yaml", "--quiet")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "nope.yaml")
}

// TestProgressImport: every import kind takes --quiet, shows what it has
// read on a terminal only (a trace's records and bytes, another input's
// bytes), and writes the same stdout and, but for that line, the same
// stderr with or without it.
func TestProgressImport(t *testing.T) {
	size := func(paths ...string) string {
		var n int64
		for _, p := range paths {
			st, err := os.Stat(p)
			require.NoError(t, err)
			n += st.Size()
		}
		return formatBytes(float64(n))
	}
	cases := map[string]struct {
		args []string
		line string
	}{
		"aws":        {[]string{awsSnapshotDir}, "\rimport aws " + awsSnapshotDir + "  [0-9.]+ KiB read  [0-9]+s  done in"},
		"cloudtrail": {[]string{ctSample}, "\rimport cloudtrail " + ctSample + "  23 records, " + size(ctSample) + " read  [0-9]+s  done in"},
		"definition": {[]string{abalone}, "\rimport definition " + abalone + "  " + size(abalone) + " read  [0-9]+s  done in"},
		"prices": {[]string{offers + "offer-sagemaker.json", "--region", "eu-west-1"},
			"\rimport prices " + offers + "offer-sagemaker.json  " + size(offers+"offer-sagemaker.json") + " read  [0-9]+s  done in"},
		"terraform": {[]string{tfPlans + "org-ram-pipelines.json"}, "\rimport terraform " + tfPlans + "org-ram-pipelines.json  " + size(tfPlans+"org-ram-pipelines.json") + " read  [0-9]+s  done in"},
	}
	for _, im := range registeredImporters() {
		assert.Contains(t, cases, im.name, "a progress case for every import kind")
	}
	defer func(is func(io.Writer) bool, d time.Duration) { stderrIsTerminal, autoDelay = is, d }(stderrIsTerminal, autoDelay)
	terminal := func(on bool) {
		stderrIsTerminal, autoDelay = func(io.Writer) bool { return on }, 0
	}
	for kind, tc := range cases {
		args := append([]string{"import", kind}, tc.args...)
		terminal(false)
		code, stdout, stderr := pipeshare(t, "", args...)
		require.Equal(t, 0, code, "%s: %s", kind, stderr)
		assert.NotContains(t, stderr, "\r", "%s: no progress off a terminal", kind)
		for _, quiet := range []bool{false, true} {
			for _, term := range []bool{false, true} {
				terminal(term)
				a := args
				if quiet {
					a = append(a[:len(a):len(a)], "--quiet")
				}
				code, out, errs := pipeshare(t, "", a...)
				require.Equal(t, 0, code, "%v: %s", a, errs)
				assert.Equal(t, stdout, out, "%v: the same output", a)
				if term && !quiet {
					assert.Regexp(t, tc.line, errs, "%v", a)
					errs = regexp.MustCompile(`(\r[^\r\n]*)+\n`).ReplaceAllString(errs, "")
				}
				assert.Equal(t, stderr, errs, "%v: the same stderr but for the progress line", a)
			}
		}
	}
}

// BenchmarkRenderHTMLW1 measures rendering the HTML report of w1 (2.16 M
// calls) from its summary; the target is under 1 s (it takes about 0.1 s).
func BenchmarkRenderHTMLW1(b *testing.B) {
	sum := summarizeScenario(b, "w1")
	for b.Loop() {
		if err := (report.RunView{Summary: sum}).Render(io.Discard, "html"); err != nil {
			b.Fatal(err)
		}
	}
}

func summarizeScenario(t testing.TB, name string) *report.Summary {
	t.Helper()
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, files: &files{}}
	sc, err := readScenario(e, name, loadFlags{maxInput: scenarios.DefaultMaxInput})
	require.NoError(t, err)
	c, err := compile(e, sc)
	require.NoError(t, err)
	return report.Summarize(c.Sim.Run(), report.Meta{Scenario: sc.Name, ScenarioSHA256: sc.SHA256, Version: version})
}
