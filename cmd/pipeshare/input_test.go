package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	tinyScenario = "version: 1\nname: t\nstart: 2026-01-05T00:00:00Z\nduration: 1d\n"
	secret       = "TOP-SECRET-LINE"
	tinyDef      = `{"Version": "2020-12-01", "Steps": [{"Name": "A", "Type": "Processing", "Arguments": {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1}}}}]}`
)

// inTree makes a folder work/ (the test's current folder, the root by
// default) with files, and beside it outside/ holding a scenario, a
// definition and a file of secrets. It returns the path of outside/.
func inTree(t *testing.T, files map[string]string) string {
	t.Helper()
	base := t.TempDir()
	work, outside := filepath.Join(base, "work"), filepath.Join(base, "outside")
	for _, d := range []string{work, outside} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	write := func(dir, name, data string) {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
	write(outside, "base.yaml", tinyScenario)
	write(outside, "def.json", tinyDef)
	write(outside, "shadow", "root:"+secret+":19000:0:99999:7:::\n"+secret+": 1\n")
	for name, data := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(work, name)), 0o755))
		switch {
		case strings.HasPrefix(data, "link:"):
			require.NoError(t, os.Symlink(strings.ReplaceAll(strings.TrimPrefix(data, "link:"), "OUTSIDE", outside), filepath.Join(work, name)))
		case data == "fifo":
			require.NoError(t, syscall.Mkfifo(filepath.Join(work, name), 0o600))
		case data == "dir":
			require.NoError(t, os.MkdirAll(filepath.Join(work, name), 0o755))
		default:
			write(work, name, data)
		}
	}
	t.Chdir(work)
	return outside
}

// pipeline names a definition.
func pipeline(def string) string {
	return tinyScenario + "accounts: [{id: \"111111111111\"}]\npipelines:\n  - {name: p, account: \"111111111111\", definition: " + def + "}\n"
}

// TestDocumentInputs: every document is a regular file (or stdin) of at
// most --max-input bytes, refused by name otherwise, whichever command
// reads it; nothing is read past the limit.
func TestDocumentInputs(t *testing.T) {
	big := tinyScenario + "# " + strings.Repeat("x", 300) + "\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		args  []string
		stdin string
		want  string
	}{
		{"scenario device", nil, []string{"validate", "/dev/zero"}, "", "/dev/zero:1:1: is a device, not a regular file\n"},
		{"scenario folder", map[string]string{"d": "dir"}, []string{"run", "d"}, "", "d:1:1: is a folder, not a file\n"},
		{"scenario named pipe", map[string]string{"p.yaml": "fifo"}, []string{"validate", "p.yaml"}, "", "p.yaml:1:1: is a named pipe, not a regular file\n"},
		{"scenario too large", map[string]string{"s.yaml": big}, []string{"validate", "s.yaml", "--max-input", "200"}, "",
			"s.yaml:1:1: file too large (limit 200 bytes, raise with --max-input)\n"},
		{"scenario raised limit", map[string]string{"s.yaml": big}, []string{"validate", "s.yaml", "--max-input", "400"}, "", ""},
		{"stdin too large", nil, []string{"validate", "-", "--max-input", "200"}, big,
			"<stdin>:1:1: file too large (limit 200 bytes, raise with --max-input)\n"},
		{"extends too large", map[string]string{"c.yaml": "extends: b.yaml\n", "b.yaml": big}, []string{"validate", "c.yaml", "--max-input", "200"}, "",
			"c.yaml:1:10: extends: b.yaml: file too large (limit 200 bytes, raise with --max-input)\n"},
		{"extends device", map[string]string{"c.yaml": "extends: /dev/zero\n"}, []string{"validate", "c.yaml", "--root", "/"}, "",
			"c.yaml:1:10: extends: /dev/zero: is a device, not a regular file\n"},
		{"extends folder", map[string]string{"c.yaml": "extends: d\n", "d": "dir"}, []string{"validate", "c.yaml"}, "",
			"c.yaml:1:10: extends: d: is a folder, not a file\n"},
		{"definition too large", map[string]string{"s.yaml": pipeline("def.json"), "def.json": tinyDef + strings.Repeat(" ", 300)},
			[]string{"validate", "s.yaml", "--max-input", "250"}, "", "s.yaml:7:52: definition: def.json: file too large (limit 250 bytes, raise with --max-input)\n"},
		{"definition named pipe", map[string]string{"s.yaml": pipeline("def.json"), "def.json": "fifo"}, []string{"validate", "s.yaml"}, "",
			"s.yaml:7:52: definition: def.json: is a named pipe, not a regular file\n"},
		{"waivers device", nil, []string{"check", "quickstart", "--waivers", "/dev/zero"}, "", "/dev/zero:1:1: is a device, not a regular file\n"},
		{"waivers too large", map[string]string{"w.yaml": "waivers: []\n" + strings.Repeat("#", 100)}, []string{"check", "quickstart", "--waivers", "w.yaml", "--max-input", "50"}, "",
			"w.yaml:1:1: file too large (limit 50 bytes, raise with --max-input)\n"},
		{"import definition device", nil, []string{"import", "definition", "/dev/zero"}, "", "/dev/zero:1:1: is a device, not a regular file\n"},
		{"import definition too large", map[string]string{"d.json": tinyDef}, []string{"import", "definition", "d.json", "--max-input", "100"}, "",
			"d.json:1:1: file too large (limit 100 bytes, raise with --max-input)\n"},
		{"import terraform device", nil, []string{"import", "terraform", "/dev/zero"}, "", "/dev/zero:1:1: is a device, not a regular file\n"},
		{"import terraform stdin too large", nil, []string{"import", "terraform", "-", "--max-input", "10"}, `{"format_version": "1.2"}`,
			"<stdin>:1:1: file too large (limit 10 bytes, raise with --max-input)\n"},
		{"import aws file too large", map[string]string{"snap/describe-organization.json": `{"Organization": {"Id": "o-a1b2c3d4e5"}}`},
			[]string{"import", "aws", "snap", "--max-input", "20"}, "", "snap/describe-organization.json:1:1: file too large (limit 20 bytes, raise with --max-input)\n"},
		{"import aws named pipe", map[string]string{"snap/describe-organization.json": "fifo"}, []string{"import", "aws", "snap"}, "",
			"snap/describe-organization.json:1:1: is a named pipe, not a regular file\n"},
		{"import aws link out", map[string]string{"snap/describe-organization.json": "link:/dev/zero"}, []string{"import", "aws", "snap"}, "",
			"snap/describe-organization.json:1:1: "},
		{"max-input zero", nil, []string{"validate", "quickstart", "--max-input", "0"}, "", "--max-input must be positive\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inTree(t, tc.files)
			code, _, stderr := pipeshare(t, tc.stdin, tc.args...)
			if tc.want == "" {
				assert.Equal(t, 0, code, stderr)
				return
			}
			assert.Equal(t, 2, code)
			assert.True(t, strings.HasPrefix(stderr, tc.want), "stderr: %s", stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %s", stderr)
		})
	}
}

// TestReferencesStayUnderTheRoot: the paths a scenario names resolve
// relative to it and must stay under the current folder or --root, links
// resolved; a refused or non-scenario file is named, never quoted.
func TestReferencesStayUnderTheRoot(t *testing.T) {
	const outsideMsg = "(files named in a scenario must be under the folder pipeshare started in, or under --root DIR)\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		args  []string
		want  string // "" is success; else the start of the one line of stderr ("OUTSIDE" is the outside folder)
	}{
		{"extends inside", map[string]string{"s/c.yaml": "extends: ../b.yaml\n", "b.yaml": tinyScenario}, []string{"validate", "s/c.yaml"}, ""},
		{"extends outside", map[string]string{"c.yaml": "extends: ../outside/base.yaml\n"}, []string{"validate", "c.yaml"},
			"c.yaml:1:10: extends: ../outside/base.yaml: outside "},
		{"extends /etc/shadow", map[string]string{"c.yaml": "extends: ../../../../../../../../etc/shadow\n"}, []string{"validate", "c.yaml"},
			"c.yaml:1:10: extends: ../../../../../../../../etc/shadow: outside "},
		{"extends absolute", map[string]string{"c.yaml": "extends: OUTSIDE/shadow\n"}, []string{"validate", "c.yaml"},
			"c.yaml:1:10: extends: OUTSIDE/shadow: outside "},
		{"extends a link out", map[string]string{"c.yaml": "extends: b.yaml\n", "b.yaml": "link:OUTSIDE/base.yaml"}, []string{"validate", "c.yaml"},
			"c.yaml:1:10: extends: b.yaml: a link to a file outside "},
		{"extends through a folder link", map[string]string{"c.yaml": "extends: up/base.yaml\n", "up": "link:OUTSIDE"}, []string{"validate", "c.yaml"},
			"c.yaml:1:10: extends: up/base.yaml: a link to a file outside "},
		{"extends outside with --root", map[string]string{"c.yaml": "extends: ../outside/base.yaml\n"}, []string{"validate", "c.yaml", "--root", ".."}, ""},
		{"extends embedded from outside the root", nil, []string{"validate", "OUTSIDE/../work/../outside/../work/c.yaml"}, ""},
		{"extends not a scenario", map[string]string{"c.yaml": "extends: notes.txt\n", "notes.txt": "root:" + secret + ":0:0\n" + secret + ": 1\n"},
			[]string{"validate", "c.yaml"}, "c.yaml:1:10: extends: notes.txt: not a pipeshare scenario (no version: 1)\n"},
		{"extends shadow with --root /", map[string]string{"c.yaml": "extends: OUTSIDE/shadow\n"}, []string{"validate", "c.yaml", "--root", "/"},
			"c.yaml:1:10: extends: OUTSIDE/shadow: not a pipeshare scenario (no version: 1)\n"},
		{"definition inside", map[string]string{"s.yaml": pipeline("def.json"), "def.json": tinyDef}, []string{"validate", "s.yaml"}, ""},
		{"definition outside", map[string]string{"s.yaml": pipeline("../outside/def.json")}, []string{"validate", "s.yaml"},
			"s.yaml:7:52: definition: ../outside/def.json: outside "},
		{"definition a link out", map[string]string{"s.yaml": pipeline("def.json"), "def.json": "link:OUTSIDE/def.json"}, []string{"validate", "s.yaml"},
			"s.yaml:7:52: definition: def.json: a link to a file outside "},
		{"trace outside", map[string]string{"s.yaml": tinyScenario + "workload:\n  - trace: ../outside\n"}, []string{"validate", "s.yaml"},
			"s.yaml:6:12: trace: ../outside: outside "},
		{"trace outside, run", map[string]string{"s.yaml": tinyScenario + "workload:\n  - trace: ../outside/t.jsonl\n"}, []string{"run", "s.yaml"},
			"s.yaml:6:12: trace: ../outside/t.jsonl: outside "},
		{"--root missing", nil, []string{"validate", "quickstart", "--root", "nope"}, "--root: no such file or directory\n"},
		{"--root a file", map[string]string{"f": "x"}, []string{"validate", "quickstart", "--root", "f"}, "--root: not a folder\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := tc.files
			if strings.HasPrefix(tc.name, "extends embedded") {
				files = map[string]string{"c.yaml": "extends: quickstart\nname: c\n"}
			}
			outside := inTree(t, files)
			for i := range tc.args {
				tc.args[i] = strings.ReplaceAll(tc.args[i], "OUTSIDE", outside)
			}
			if strings.HasPrefix(tc.name, "extends embedded") {
				tc.args = append(tc.args, "--root", outside) // c.yaml itself is outside the root
			}
			for name, data := range files {
				if strings.Contains(data, "OUTSIDE") && !strings.HasPrefix(data, "link:") {
					require.NoError(t, os.WriteFile(name, []byte(strings.ReplaceAll(data, "OUTSIDE", outside)), 0o644))
				}
			}
			code, _, stderr := pipeshare(t, "", tc.args...)
			if tc.want == "" {
				assert.Equal(t, 0, code, stderr)
				return
			}
			want := strings.ReplaceAll(tc.want, "OUTSIDE", outside)
			assert.Equal(t, 2, code)
			assert.True(t, strings.HasPrefix(stderr, want), "stderr: %s", stderr)
			if strings.HasSuffix(want, "outside ") {
				assert.True(t, strings.HasSuffix(stderr, outsideMsg), "stderr: %s", stderr)
			}
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %s", stderr)
			assert.NotContains(t, stderr, secret)
		})
	}
}

// TestMessagesCutUserText: a 1 MB name is quoted cut, whoever reports it.
func TestMessagesCutUserText(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	cut := strings.Repeat("x", 120) + "…"
	for _, tc := range []struct{ name, src, want string }{
		{"unknown key", tinyScenario + "? " + big + "\n: 1\n", `s.yaml:5:3: unknown key "` + cut + `"`},
		{"unknown account (model)", tinyScenario + "shares: [{name: s, owner: \"" + big + "\", pipelines: [], principals: []}]\n", `"` + cut + `"`},
		{"extends", "extends: " + big + "\n", `s.yaml:1:10: extends: ` + cut + `: file name too long`},
		{"extends, a name", "extends: " + big[:200] + "\n", `s.yaml:1:10: extends: no file or embedded scenario named "` + strings.Repeat("x", 120) + `…"`},
		{"definition", pipeline(big), `s.yaml:7:52: definition: ` + cut + `: `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inTree(t, map[string]string{"s.yaml": tc.src})
			code, _, stderr := pipeshare(t, "", "validate", "s.yaml")
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr, tc.want)
			assert.Less(t, len(stderr), 2000, stderr[:min(len(stderr), 300)])
		})
	}
	code, _, stderr := pipeshare(t, "", "run", big)
	assert.Equal(t, 2, code)
	assert.Equal(t, cut+":1:1: file name too long\n", stderr)
	code, _, stderr = pipeshare(t, "", "run", big[:200])
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `no file or embedded scenario named "`+strings.Repeat("x", 120)+`…"`)
	assert.Less(t, len(stderr), 1000)
}
