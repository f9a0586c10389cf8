package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The documentation's examples are tests, so they cannot drift from the
// tool: every "$ pipeshare ..." line of a console block is run, every JSON
// block is compared with the output it names, every YAML block that is a
// whole scenario is compiled, and every relative link must lead somewhere.
// The tests run from the repository root, as the documentation's commands do.

// doc is one Markdown file of the documentation, its path relative to the
// repository root.
type doc struct {
	path string
	text string
}

// block is one fenced code block of a doc.
type block struct {
	lang   string
	body   string
	line   int    // 1-based line of the opening fence
	before string // the last non-blank line before the fence
}

// docs reads README.md, bench/README.md and every docs/*.md. The caller
// must be at the repository root.
func docs(t *testing.T) []doc {
	t.Helper()
	paths, err := filepath.Glob("docs/*.md")
	require.NoError(t, err)
	paths = append([]string{"README.md", "bench/README.md"}, paths...)
	var ds []doc
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		ds = append(ds, doc{filepath.ToSlash(p), string(b)})
	}
	return ds
}

// atRoot moves the test to the repository root for its duration.
func atRoot(t *testing.T) {
	t.Helper()
	t.Chdir("../..")
}

var fence = regexp.MustCompile("^(```+)([A-Za-z0-9_-]*)\\s*$")

// blocks returns d's fenced code blocks in order.
func (d doc) blocks() []block {
	var bs []block
	lines := strings.Split(d.text, "\n")
	before := ""
	for i := 0; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m == nil {
			if strings.TrimSpace(lines[i]) != "" {
				before = strings.TrimSpace(lines[i])
			}
			continue
		}
		b := block{lang: m[2], line: i + 1, before: before}
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != m[1]; i++ {
			body = append(body, lines[i])
		}
		b.body = strings.Join(body, "\n") + "\n"
		bs = append(bs, b)
		before = ""
	}
	return bs
}

// TestDocScenariosCompile compiles every YAML block of the documentation
// that is a whole scenario (it starts with "version: 1"), without warnings;
// docs/scenario-format.md's reference example is one of them.
func TestDocScenariosCompile(t *testing.T) {
	atRoot(t)
	compiled := map[string]int{}
	for _, d := range docs(t) {
		for _, b := range d.blocks() {
			if b.lang != "yaml" || !strings.HasPrefix(b.body, "version: 1") {
				continue
			}
			name := fmt.Sprintf("%s:%d", d.path, b.line)
			t.Run(name, func(t *testing.T) {
				sc, err := scenarios.Parse(name, []byte(b.body), scenarios.LoadOptions{})
				require.NoError(t, err)
				c, err := scenarios.Compile(sc)
				require.NoError(t, err)
				assert.Empty(t, c.Warnings)
			})
			compiled[d.path]++
		}
	}
	assert.GreaterOrEqual(t, compiled["docs/scenario-format.md"], 1)
}

// TestDocTranscripts runs every "$ pipeshare ..." command of the
// documentation's console blocks and checks that the lines shown appear in
// the real output (stdout, then stderr), in order; a "..." line elides
// lines. A console block holds only pipeshare commands and their output.
func TestDocTranscripts(t *testing.T) {
	atRoot(t)
	perDoc := map[string]int{}
	for _, d := range docs(t) {
		for _, b := range d.blocks() {
			if b.lang != "console" {
				continue
			}
			lines := strings.Split(strings.TrimRight(b.body, "\n"), "\n")
			for i := 0; i < len(lines); i++ {
				cmd, ok := strings.CutPrefix(lines[i], "$ pipeshare ")
				if !ok {
					t.Errorf("%s:%d: a console block line that is neither a pipeshare command nor its output: %q", d.path, b.line+1+i, lines[i])
					continue
				}
				for strings.HasSuffix(cmd, "\\") && i+1 < len(lines) {
					i++
					cmd = strings.TrimSuffix(cmd, "\\") + " " + strings.TrimSpace(lines[i])
				}
				var want []string
				for i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "$ ") {
					i++
					want = append(want, lines[i])
				}
				perDoc[d.path]++
				t.Run(d.path+"/"+cmd, func(t *testing.T) {
					_, stdout, stderr := pipeshare(t, "", shellFields(t, cmd)...)
					assertLinesInOrder(t, want, stdout+stderr)
				})
			}
		}
	}
	// The pages whose examples carry them: if one loses its transcripts,
	// this test no longer guards it.
	for _, p := range []string{"README.md", "docs/commands.md", "docs/reports.md", "docs/importing.md", "docs/scenario-format.md"} {
		assert.GreaterOrEqual(t, perDoc[p], 1, "%s has no pipeshare transcript", p)
	}
}

// assertLinesInOrder checks that every line of want ("..." aside) is a line
// of got, in order, ignoring trailing blanks.
func assertLinesInOrder(t *testing.T, want []string, got string) {
	t.Helper()
	lines := strings.Split(got, "\n")
	j := 0
	for _, w := range want {
		if strings.TrimSpace(w) == "..." {
			continue
		}
		for j < len(lines) && strings.TrimRight(lines[j], " ") != strings.TrimRight(w, " ") {
			j++
		}
		if !assert.Less(t, j, len(lines), "line not found in order:\n%s\n\noutput:\n%s", w, got) {
			return
		}
		j++
	}
}

// shellFields splits a command line at blanks, honouring single and double
// quotes (without escapes), as a shell would for the documentation's
// commands.
func shellFields(t *testing.T, s string) []string {
	t.Helper()
	var fields []string
	var cur strings.Builder
	in, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				fields = append(fields, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	require.Zero(t, quote, "unbalanced quote in %q", s)
	if in {
		fields = append(fields, cur.String())
	}
	return fields
}

func TestShellFields(t *testing.T) {
	assert.Equal(t, []string{"run", "quickstart", "--set", "shares.features-%d-team.permission=read-only", "a b"},
		shellFields(t, `run  quickstart --set 'shares.features-%d-team.permission=read-only' "a b"`))
}

var jsonSource = regexp.MustCompile(`^<!-- from: (.+?) -->$`)

// TestDocJSON checks every JSON block of the documentation against the real
// data it names in the HTML comment on the line before it: "<!-- from:
// pipeshare ARGS -->" (the command's stdout) or "<!-- from: FILE -->" (a
// file of the repository; for JSON Lines, one of its lines). The block may
// leave things out, never change them: an object shows some of the keys, a
// list some of the items in order, and everything shown is as in the data.
func TestDocJSON(t *testing.T) {
	atRoot(t)
	n := 0
	for _, d := range docs(t) {
		for _, b := range d.blocks() {
			if b.lang != "json" {
				continue
			}
			n++
			t.Run(fmt.Sprintf("%s:%d", d.path, b.line), func(t *testing.T) {
				m := jsonSource.FindStringSubmatch(b.before)
				require.NotNil(t, m, "a JSON block needs <!-- from: pipeshare ARGS --> or <!-- from: FILE --> on the line before it")
				var shown any
				require.NoError(t, json.Unmarshal([]byte(b.body), &shown), "the block is not JSON")
				data := jsonData(t, m[1])
				for _, got := range data {
					if jsonMismatch("$", shown, got) == "" {
						return
					}
				}
				t.Errorf("the block is not part of %s: %s", m[1], jsonMismatch("$", shown, data[len(data)-1]))
			})
		}
	}
	assert.GreaterOrEqual(t, n, 3)
}

// jsonData returns the JSON values of a source: a pipeshare command's
// stdout, a JSON file, or each line of a JSON Lines file.
func jsonData(t *testing.T, source string) []any {
	t.Helper()
	var data []byte
	if cmd, ok := strings.CutPrefix(source, "pipeshare "); ok {
		code, stdout, stderr := pipeshare(t, "", shellFields(t, cmd)...)
		require.Contains(t, []int{0, 1}, code, stderr)
		data = []byte(stdout)
	} else {
		var err error
		data, err = os.ReadFile(source)
		require.NoError(t, err)
	}
	var out []any
	if strings.HasSuffix(source, ".jsonl") {
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var v any
			require.NoError(t, json.Unmarshal(sc.Bytes(), &v))
			out = append(out, v)
		}
		require.NoError(t, sc.Err())
		return out
	}
	var v any
	require.NoError(t, json.Unmarshal(data, &v))
	return []any{v}
}

// jsonMismatch returns where shown is not part of got ("" when it is): an
// object's keys must be in got with matching values, a list's items must
// match items of got's list in order, and anything else must be equal.
func jsonMismatch(at string, shown, got any) string {
	switch s := shown.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return at + ": not an object in the data"
		}
		keys := make([]string, 0, len(s))
		for k := range s {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				return at + "." + k + ": no such key in the data"
			}
			if m := jsonMismatch(at+"."+k, s[k], gv); m != "" {
				return m
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return at + ": not a list in the data"
		}
		j := 0
		for i, v := range s {
			for j < len(g) && jsonMismatch("", v, g[j]) != "" {
				j++
			}
			if j == len(g) {
				return fmt.Sprintf("%s[%d]: no item of the data's list matches it, in order", at, i)
			}
			j++
		}
		return ""
	default:
		if !reflect.DeepEqual(shown, got) {
			return fmt.Sprintf("%s: shown %v, the data has %v", at, shown, got)
		}
		return ""
	}
}

func TestJSONMismatch(t *testing.T) {
	var got any
	require.NoError(t, json.Unmarshal([]byte(`{"a": 1, "b": [1, 2, 3], "c": {"d": "x", "e": 0.5}}`), &got))
	for shown, want := range map[string]string{
		`{"a": 1.000, "b": [1, 3], "c": {"e": 0.5}}`: "",
		`{"a": 2}`:        "$.a: shown 2, the data has 1",
		`{"z": 1}`:        "$.z: no such key in the data",
		`{"b": [3, 1]}`:   "$.b[1]: no item of the data's list matches it, in order",
		`{"c": [1]}`:      "$.c: not a list in the data",
		`{"c": {"d": 1}}`: "$.c.d: shown 1, the data has x",
	} {
		var s any
		require.NoError(t, json.Unmarshal([]byte(shown), &s))
		assert.Equal(t, want, jsonMismatch("$", s, got), shown)
	}
}

var (
	mdLink     = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)\)`)
	inlineCode = regexp.MustCompile("`[^`]*`")
	heading    = regexp.MustCompile(`^#{1,6}\s+(.+?)\s*#*\s*$`)
	htmlAnchor = regexp.MustCompile(`<a (?:id|name)="([^"]+)"`)
)

// TestDocLinks requires every relative link of README.md, bench/README.md
// and docs/*.md to name a file or folder of the repository, and a
// "#fragment" of a Markdown file to be one of its headings' anchors (as
// GitHub makes them) or an <a id> in it.
func TestDocLinks(t *testing.T) {
	atRoot(t)
	anchors := map[string][]string{}
	n := 0
	for _, d := range docs(t) {
		for _, target := range links(d.text) {
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			n++
			file, frag, _ := strings.Cut(target, "#")
			p := d.path
			if file != "" {
				p = path.Join(path.Dir(d.path), file)
			}
			if _, err := os.Stat(p); !assert.NoError(t, err, "%s: link %s", d.path, target) || frag == "" {
				continue
			}
			if !strings.HasSuffix(p, ".md") {
				t.Errorf("%s: link %s: a fragment of a file that is not Markdown", d.path, target)
				continue
			}
			if _, ok := anchors[p]; !ok {
				b, err := os.ReadFile(p)
				require.NoError(t, err)
				anchors[p] = anchorsOf(string(b))
			}
			assert.Contains(t, anchors[p], frag, "%s: link %s: no such anchor in %s", d.path, target, p)
		}
	}
	assert.Greater(t, n, 20)
}

// links returns the targets of d's Markdown links and images, outside code.
func links(text string) []string {
	var out []string
	inCode := false
	for _, line := range strings.Split(text, "\n") {
		if fence.MatchString(line) {
			inCode = !inCode
			continue
		}
		if inCode {
			continue
		}
		for _, m := range mdLink.FindAllStringSubmatch(inlineCode.ReplaceAllString(line, ""), -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// anchorsOf returns the anchors of a Markdown text: its headings' as GitHub
// makes them (lower case, punctuation dropped, blanks to "-", "-1", "-2"
// for repeats) and its <a id> and <a name> elements.
func anchorsOf(text string) []string {
	var out []string
	seen := map[string]int{}
	inCode := false
	for _, line := range strings.Split(text, "\n") {
		if fence.MatchString(line) {
			inCode = !inCode
			continue
		}
		if inCode {
			continue
		}
		for _, m := range htmlAnchor.FindAllStringSubmatch(line, -1) {
			out = append(out, m[1])
		}
		m := heading.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		slug := slugify(m[1])
		if k := seen[slug]; k > 0 {
			out = append(out, fmt.Sprintf("%s-%d", slug, k))
		} else {
			out = append(out, slug)
		}
		seen[slug]++
	}
	return out
}

// slugify is GitHub's heading anchor: link text kept, lower case, only
// letters, digits, "_", "-" and blanks kept, blanks turned into "-".
func slugify(h string) string {
	h = mdLink.ReplaceAllStringFunc(h, func(l string) string { return l[strings.Index(l, "[")+1 : strings.Index(l, "]")] })
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '_' || r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

func TestSlugify(t *testing.T) {
	for h, want := range map[string]string{
		"Replicas on a cluster: `--shard` and `merge`": "replicas-on-a-cluster---shard-and-merge",
		"Scenario format (v1)":                         "scenario-format-v1",
		"AWS CLI snapshot: [import aws](x.md)":         "aws-cli-snapshot-import-aws",
		"What-if diff":                                 "what-if-diff",
	} {
		assert.Equal(t, want, slugify(h), h)
	}
	assert.Equal(t, []string{"a", "a-1", "b"}, anchorsOf("# A\n```\n# not a heading\n```\n## A\n<a id=\"b\"></a>\n"))
}

// TestDocPackageLayout requires docs/development.md's "Package layout"
// section to name every package of the module, so that a new or moved
// package is documented.
func TestDocPackageLayout(t *testing.T) {
	atRoot(t)
	b, err := os.ReadFile("docs/development.md")
	require.NoError(t, err)
	_, layout, ok := strings.Cut(string(b), "\n## Package layout\n")
	require.True(t, ok, "docs/development.md has no Package layout section")
	layout, _, _ = strings.Cut(layout, "\n## ")
	var pkgs []string
	require.NoError(t, filepath.WalkDir(".", func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && p != "." && (strings.HasPrefix(e.Name(), ".") || e.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !e.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			pkgs = append(pkgs, filepath.ToSlash(filepath.Dir(p)))
		}
		return nil
	}))
	pkgs = slices.Compact(pkgs)
	require.NotEmpty(t, pkgs)
	for _, p := range pkgs {
		assert.Contains(t, layout, "`"+p+"`", "docs/development.md#package-layout does not name package %s", p)
	}
}

// TestDocsHaveNoConflictMarkers: a merge's conflict markers once stayed
// in docs/batch-runs.md for a session, leaving two versions of a section.
func TestDocsHaveNoConflictMarkers(t *testing.T) {
	atRoot(t)
	marker := regexp.MustCompile(`(?m)^(<{7} |={7}$|>{7} )`)
	for _, d := range docs(t) {
		if loc := marker.FindStringIndex(d.text); loc != nil {
			t.Errorf("%s:%d: a merge conflict marker", d.path, strings.Count(d.text[:loc[0]], "\n")+1)
		}
	}
}
