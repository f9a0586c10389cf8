package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSeveralOuts: one run writes every --out, each in the format of its
// extension and byte for byte what that --format prints on stdout.
func TestSeveralOuts(t *testing.T) {
	for _, tc := range []struct {
		args []string
		exts []string // --out report.EXT for each
	}{
		{[]string{"run", "quickstart", "--until", "1d"}, []string{"html", "json", "txt", "md", "csv"}},
		{[]string{"run", "quickstart", "--until", "1d", "--replicas", "2"}, []string{"json", "txt", "md", "html", "csv"}},
		{[]string{"check", "quickstart"}, []string{"sarif", "xml", "md", "json", "text"}},
		{[]string{"diff", "quickstart", readOnlyWhatIf}, []string{"md", "json", "html", "csv", "txt"}},
		{[]string{"access", "quickstart", "--at", "1h"}, []string{"csv", "json", "txt"}},
		{[]string{"explain", "quickstart", "--caller", "222222222222", "--action", "DescribePipeline",
			"--target", "churn-training"}, []string{"json", "txt"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			args := slices.Clone(tc.args)
			for _, ext := range tc.exts {
				args = append(args, "--out", filepath.Join(dir, "report."+ext))
			}
			code, stdout, stderr := pipeshare(t, "", args...)
			require.Contains(t, []int{0, 1}, code, stderr)
			assert.Empty(t, stdout)
			for _, ext := range tc.exts {
				got, err := os.ReadFile(filepath.Join(dir, "report."+ext))
				require.NoError(t, err)
				format := extFormats["."+ext]
				if format == "json" || format == "sarif" {
					assert.True(t, json.Valid(got), ext)
				}
				_, want, _ := pipeshare(t, "", append(slices.Clone(tc.args), "--format", format)...)
				assert.Equal(t, want, string(got), ext)
			}
		})
	}
}

// TestOutFormats: what the extensions and --format say must agree.
func TestOutFormats(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--out", at("r.json"), "--format", "html"}, "is json by its extension, not --format html"},
		{[]string{"run", "--out", at("r.json"), "--out", at("r.log")}, "no format has the extension .log"},
		{[]string{"run", "--out", at("r.json"), "--out", at("r.json")}, "is given twice"},
		{[]string{"run", "--out", at("r.json"), "--out", dir + "/./r.json"}, "are the same file"},
		{[]string{"run", "--out", at("r.sarif")}, "this report is not written as sarif"},
		{[]string{"access", "--out", at("a.html")}, "this report is not written as html"},
		{[]string{"run", "--out", at("r.md"), "--table", "cost"}, "--table applies to --format csv"},
		{[]string{"run", "--replicas", "2", "--shard", "0/1", "--out", at("p0.json"), "--out", at("p1.json")}, "one part file"},
	} {
		code, stdout, stderr := pipeshare(t, "", tc.args...)
		assert.Equal(t, 2, code, "%v", tc.args)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, tc.want, "%v", tc.args)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "a usage error writes nothing")

	// An extension that names no format takes --format; so does a single
	// --out, as before --out was repeatable.
	code, _, stderr := pipeshare(t, "", "run", "quickstart", "--until", "1h", "--out", at("r.log"), "--out", at("r.htm"), "--format", "json")
	require.Equal(t, 0, code, stderr)
	for _, name := range []string{"r.log", "r.htm"} {
		b, err := os.ReadFile(at(name))
		require.NoError(t, err)
		assert.True(t, json.Valid(b), name)
	}
	code, _, stderr = pipeshare(t, "", "run", "quickstart", "--until", "1h", "--out", at("plain"))
	require.Equal(t, 0, code, stderr)
	b, err := os.ReadFile(at("plain"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), "Headline"), "text, the default: %.40q", b)
}
