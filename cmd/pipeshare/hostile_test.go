//go:build linux

package main

// The hostile corpus: inputs and command lines a pull request could hand
// the CI that runs pipeshare, run against the built binary (so that exit
// codes, signals, memory and the files left behind are the real ones).
// Small inputs live in testdata/hostile; anything big or special (FIFOs,
// devices, part files, traces) is made by a case's setup. To add a case,
// add a row to hostileCases: what to run, what it must exit with and say,
// and for the memory cases the bound its peak RSS must stay under.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileCase is one row of the corpus. In args, {dir} is the case's own
// temporary folder (also its working directory) and {bin} the binary.
type hostileCase struct {
	name  string
	files []string // from testdata/hostile, copied into {dir} first
	setup func(t *testing.T, bin, dir string)
	args  []string
	env   []string // added to the environment, e.g. GOMEMLIMIT=512MiB
	stdin string   // a file standard input reads, e.g. /dev/zero; none when ""
	// interrupt, when set, is sent once a file matching interruptWhen
	// (a glob in {dir}) exists.
	interrupt     syscall.Signal
	interruptWhen string
	code          int
	stderr        []string // substrings of stderr
	absent        []string // substrings stderr must not have (what a refused file holds)
	maxRSS        int64    // bytes; 0 leaves the peak RSS unchecked
	after         func(t *testing.T, dir string)
}

// unchanged asserts that files in dir have the content they had before the
// run (setup records it with keep).
func unchanged(names ...string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		for _, n := range names {
			got, err := os.ReadFile(filepath.Join(dir, n))
			require.NoError(t, err)
			want, err := os.ReadFile(filepath.Join(dir, ".kept", n))
			require.NoError(t, err, "keep %s in setup", n)
			assert.Equal(t, string(want), string(got), "%s changed", n)
		}
	}
}

// keep records the content of dir/name for unchanged.
func keep(t *testing.T, dir, name string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	kept := filepath.Join(dir, ".kept", name)
	require.NoError(t, os.MkdirAll(filepath.Dir(kept), 0o755))
	require.NoError(t, os.WriteFile(kept, data, 0o644))
}

// pipeshareAt runs the binary in dir during a setup.
func pipeshareAt(t *testing.T, bin, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
}

// writeTestFile writes dir/name during a setup.
func writeTestFile(t *testing.T, dir, name, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
}

// tamperedPart writes part.json, a part file of two replicas of
// quickstart for an hour, with the first sample's metric key set to value.
func tamperedPart(key, value string) func(t *testing.T, bin, dir string) {
	return func(t *testing.T, bin, dir string) {
		pipeshareAt(t, bin, dir, "run", "quickstart", "--replicas", "2", "--until", "1h", "--shard", "0/1", "--out", "good.json")
		data, err := os.ReadFile(filepath.Join(dir, "good.json"))
		require.NoError(t, err)
		re := regexp.MustCompile(`"` + regexp.QuoteMeta(key) + `": [^,\n]*`)
		loc := re.FindIndex(data)
		require.NotNil(t, loc, "the part has %s", key)
		edited := string(data[:loc[0]]) + `"` + key + `": ` + value + string(data[loc[1]:])
		writeTestFile(t, dir, "part.json", edited)
	}
}

// copyAWSSnapshot copies the test AWS CLI snapshot to dir/snap.
func copyAWSSnapshot(t *testing.T, dir string) {
	t.Helper()
	src := filepath.Join("..", "..", "scenarios", "testdata", "real", "aws-cli")
	entries, err := os.ReadDir(src)
	require.NoError(t, err)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "snap"), 0o755))
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		require.NoError(t, err)
		writeTestFile(t, dir, filepath.Join("snap", e.Name()), string(data))
	}
}

// sparseFile makes dir/name a regular file of size bytes that takes no
// disk (zeros).
func sparseFile(name string, size int64) func(t *testing.T, bin, dir string) {
	return func(t *testing.T, bin, dir string) {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		f, err := os.Create(p)
		require.NoError(t, err)
		require.NoError(t, f.Truncate(size))
		require.NoError(t, f.Close())
	}
}

// needCharDevice skips a case when the machine's device is not one (a
// process of an older pipeshare, run as root, may have replaced it).
func needCharDevice(path string) func(t *testing.T, bin, dir string) {
	return func(t *testing.T, bin, dir string) {
		if fi, err := os.Lstat(path); err != nil || fi.Mode().Type() != os.ModeDevice|os.ModeCharDevice {
			t.Skipf("%s is not a character device on this machine", path)
		}
	}
}

func isMode(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	require.NoError(t, err)
	assert.Equal(t, mode, fi.Mode().Type(), "%s is still what it was", path)
}

const mib = 1 << 20

var hostileCases = []hostileCase{
	// Outputs that would replace an input or another output.
	{name: "out is the scenario", setup: func(t *testing.T, bin, dir string) {
		pipeshareAt(t, bin, dir, "scenarios", "show", "quickstart", "--out", ".")
		keep(t, dir, "quickstart.yaml")
	}, args: []string{"run", "quickstart.yaml", "--out", "quickstart.yaml"}, code: 2,
		stderr: []string{"--out quickstart.yaml is the scenario (quickstart.yaml): an output must not replace an input"},
		after:  unchanged("quickstart.yaml")},
	{name: "out is a hard link to the scenario", setup: func(t *testing.T, bin, dir string) {
		pipeshareAt(t, bin, dir, "scenarios", "show", "quickstart", "--out", ".")
		require.NoError(t, os.Link(filepath.Join(dir, "quickstart.yaml"), filepath.Join(dir, "other.yaml")))
		keep(t, dir, "quickstart.yaml")
	}, args: []string{"check", "quickstart.yaml", "--out", "other.yaml"}, code: 2,
		stderr: []string{"--out other.yaml is the scenario (quickstart.yaml)"}, after: unchanged("quickstart.yaml")},
	{name: "out is a symlink to the scenario", setup: func(t *testing.T, bin, dir string) {
		pipeshareAt(t, bin, dir, "scenarios", "show", "quickstart", "--out", ".")
		require.NoError(t, os.Symlink("quickstart.yaml", filepath.Join(dir, "link.yaml")))
		keep(t, dir, "quickstart.yaml")
	}, args: []string{"diff", "quickstart.yaml", "quickstart", "--out", "link.yaml"}, code: 2,
		stderr: []string{"--out link.yaml is the scenario (quickstart.yaml)"}, after: unchanged("quickstart.yaml")},
	{name: "out is the base the scenario extends", files: []string{"extends-child.yaml", "extends-base.yaml"},
		setup: func(t *testing.T, bin, dir string) { keep(t, dir, "extends-base.yaml") },
		args:  []string{"run", "extends-child.yaml", "--out", "extends-base.yaml"}, code: 2,
		stderr: []string{"--out extends-base.yaml is a file the scenario names (extends-base.yaml)"},
		after:  unchanged("extends-base.yaml")},
	{name: "calls and out are one file", args: []string{"run", "quickstart", "--calls", "c.jsonl", "--out", "c.jsonl"}, code: 2,
		stderr: []string{"--out c.jsonl and --calls c.jsonl are the same file"}},
	{name: "out is the trace", setup: func(t *testing.T, bin, dir string) {
		pipeshareAt(t, bin, dir, "run", "quickstart", "--until", "2h", "--calls", "trace.jsonl")
		keep(t, dir, "trace.jsonl")
	}, args: []string{"run", "quickstart", "--trace", "trace.jsonl", "--out", "trace.jsonl"}, code: 2,
		stderr: []string{"--out trace.jsonl is a trace file (trace.jsonl)"}, after: unchanged("trace.jsonl")},
	{name: "out is the waivers file", setup: func(t *testing.T, bin, dir string) {
		writeTestFile(t, dir, "waivers.yaml", "waivers: []\n")
		keep(t, dir, "waivers.yaml")
	}, args: []string{"check", "quickstart", "--waivers", "waivers.yaml", "--out", "waivers.yaml"}, code: 2,
		stderr: []string{"--out waivers.yaml is the --waivers file (waivers.yaml)"}, after: unchanged("waivers.yaml")},
	{name: "out is a part file", setup: func(t *testing.T, bin, dir string) {
		pipeshareAt(t, bin, dir, "run", "quickstart", "--replicas", "1", "--until", "1h", "--shard", "0/1", "--out", "part.json")
		keep(t, dir, "part.json")
	}, args: []string{"merge", "part.json", "--out", "part.json"}, code: 2,
		stderr: []string{"--out part.json is a part file (part.json)"}, after: unchanged("part.json")},
	{name: "out is a file of the input folder", setup: func(t *testing.T, bin, dir string) {
		copyAWSSnapshot(t, dir)
		keep(t, dir, "snap/describe-organization.json")
	}, args: []string{"import", "aws", "snap", "--out", "snap/describe-organization.json"}, code: 2,
		stderr: []string{"--out snap/describe-organization.json is an input file (snap/describe-organization.json)"},
		after:  unchanged("snap/describe-organization.json")},
	{name: "out is a folder", args: []string{"run", "quickstart", "--out", "."}, code: 2, stderr: []string{"--out .: is a folder"}},

	// Targets that are not regular files are written through, never replaced.
	{name: "out is /dev/full", setup: needCharDevice("/dev/full"), args: []string{"run", "quickstart", "--out", "/dev/full"}, code: 2,
		stderr: []string{"--out /dev/full: no space left on device"},
		after:  func(t *testing.T, dir string) { isMode(t, "/dev/full", os.ModeDevice|os.ModeCharDevice) }},
	{name: "out is a copy of /dev/full", setup: func(t *testing.T, bin, dir string) {
		if err := syscall.Mknod(filepath.Join(dir, "full"), syscall.S_IFCHR|0o666, 1<<8|7); err != nil {
			t.Skipf("mknod needs root: %v", err)
		}
	}, args: []string{"run", "quickstart", "--out", "full"}, code: 2, stderr: []string{"--out full: no space left on device"},
		after: func(t *testing.T, dir string) { isMode(t, filepath.Join(dir, "full"), os.ModeDevice|os.ModeCharDevice) }},
	{name: "calls to /dev/full", setup: needCharDevice("/dev/full"), args: []string{"run", "quickstart", "--calls", "/dev/full"}, code: 2,
		stderr: []string{"--calls /dev/full: no space left on device"}},
	{name: "out and calls to /dev/null", setup: needCharDevice("/dev/null"), args: []string{"run", "quickstart", "--calls", "/dev/null", "--out", "/dev/null"}, code: 0,
		after: func(t *testing.T, dir string) { isMode(t, "/dev/null", os.ModeDevice|os.ModeCharDevice) }},
	{name: "out is /dev/stdout", args: []string{"run", "quickstart", "--out", "/dev/stdout"}, code: 0,
		after: func(t *testing.T, dir string) { isMode(t, "/dev/stdout", os.ModeSymlink) }},
	{name: "out is a FIFO", setup: func(t *testing.T, bin, dir string) {
		fifo := filepath.Join(dir, "fifo")
		require.NoError(t, syscall.Mkfifo(fifo, 0o644))
		go func() { // the reader
			if f, err := os.Open(fifo); err == nil {
				n, _ := io.Copy(io.Discard, f)
				f.Close()
				os.WriteFile(filepath.Join(dir, "read"), []byte(strings.Repeat("x", int(min(n, 1)))), 0o644)
			}
		}()
	}, args: []string{"run", "quickstart", "--format", "json", "--out", "fifo"}, code: 0,
		after: func(t *testing.T, dir string) {
			isMode(t, filepath.Join(dir, "fifo"), os.ModeNamedPipe)
			assert.Eventually(t, func() bool { b, _ := os.ReadFile(filepath.Join(dir, "read")); return len(b) == 1 },
				5*time.Second, 10*time.Millisecond, "the reader got the report")
		}},
	{name: "out is a symlink to a file", setup: func(t *testing.T, bin, dir string) {
		writeTestFile(t, dir, "real.txt", "old\n")
		require.NoError(t, os.Symlink("real.txt", filepath.Join(dir, "link.txt")))
	}, args: []string{"run", "quickstart", "--out", "link.txt"}, code: 0,
		after: func(t *testing.T, dir string) {
			isMode(t, filepath.Join(dir, "link.txt"), os.ModeSymlink)
			b, err := os.ReadFile(filepath.Join(dir, "real.txt"))
			require.NoError(t, err)
			assert.Contains(t, string(b), "scenario   quickstart")
		}},
	{name: "out is a dangling symlink", setup: func(t *testing.T, bin, dir string) {
		require.NoError(t, os.Symlink("new.txt", filepath.Join(dir, "link.txt")))
	}, args: []string{"run", "quickstart", "--out", "link.txt"}, code: 0,
		after: func(t *testing.T, dir string) {
			isMode(t, filepath.Join(dir, "link.txt"), os.ModeSymlink)
			b, err := os.ReadFile(filepath.Join(dir, "new.txt"))
			require.NoError(t, err)
			assert.Contains(t, string(b), "scenario   quickstart")
		}},

	// Interrupts: exit 130/143, no temporary file left, existing outputs
	// as they were.
	{name: "SIGINT during run --calls", setup: func(t *testing.T, bin, dir string) {
		writeTestFile(t, dir, "report.txt", "the last report\n")
		keep(t, dir, "report.txt")
	}, args: []string{"run", "scale", "--set", "duration=100d", "--calls", "big.jsonl", "--out", "report.txt"},
		interrupt: syscall.SIGINT, interruptWhen: ".big.jsonl.tmp*", code: 130, stderr: []string{"interrupted (SIGINT)"},
		after: func(t *testing.T, dir string) {
			unchanged("report.txt")(t, dir)
			assert.NoFileExists(t, filepath.Join(dir, "big.jsonl"))
		}},
	{name: "SIGTERM during run --calls", args: []string{"run", "scale", "--set", "duration=100d", "--calls", "big.jsonl.gz"},
		interrupt: syscall.SIGTERM, interruptWhen: ".big.jsonl.gz.tmp*", code: 143, stderr: []string{"terminated (SIGTERM)"},
		after: func(t *testing.T, dir string) { assert.NoFileExists(t, filepath.Join(dir, "big.jsonl.gz")) }},

	// Runaway work, refused by the estimate before it starts.
	{name: "rate 1e15/s", files: []string{"rate-1e15.yaml"}, args: []string{"run", "rate-1e15.yaml"}, code: 2,
		stderr: []string{"refusing to simulate about 8.64e+19 calls, above --max-calls 2000000000 (raise --max-calls"},
		maxRSS: 100 * mib},
	{name: "every 1ns", files: []string{"every-1ns.yaml"}, args: []string{"check", "every-1ns.yaml"}, code: 2,
		stderr: []string{"pipeshare check: refusing to simulate about 8.64e+13 calls"}, maxRSS: 100 * mib},
	{name: "diff counts both runs", args: []string{"diff", "quickstart", "quickstart", "--max-calls", "30000"}, code: 2,
		stderr: []string{"refusing to simulate about 34560 calls (2 runs), above --max-calls 30000"}},
	{name: "replicas 1e8", args: []string{"run", "--replicas", "100000000"}, code: 2,
		stderr: []string{"(100000000 replicas), above --max-calls"}, maxRSS: 100 * mib},
	{name: "replicas 1e8 past --max-calls", args: []string{"run", "--replicas", "100000000", "--max-calls", "9000000000000000000"},
		code: 2, stderr: []string{"of memory (100000000 replicas), above the", "(raise --max-memory"}, maxRSS: 100 * mib},
	{name: "many callers under a memory limit", files: []string{"many-callers.yaml"}, args: []string{"run", "many-callers.yaml"},
		env: []string{"GOMEMLIMIT=512MiB"}, code: 2,
		stderr: []string{"refusing to simulate: it needs about", "above the 512.0 MiB of GOMEMLIMIT"}, maxRSS: 512 * mib},
	{name: "many callers under --max-memory", files: []string{"many-callers.yaml"},
		args: []string{"check", "many-callers.yaml", "--max-memory", "300000000"}, code: 2,
		stderr: []string{"above the 286.1 MiB of --max-memory"}, maxRSS: 512 * mib},

	// Part files whose numbers were edited: the file, the key and its line:col.
	{name: "part count -5", setup: tamperedPart("calls.denied", "-5"), args: []string{"merge", "part.json"}, code: 2,
		stderr: []string{"part.json:19:25: calls.denied is -5: a count must be an integer from 0 to 2^53"}},
	{name: "part count 1.5", setup: tamperedPart("executions.started", "1.5"), args: []string{"merge", "part.json"}, code: 2,
		stderr: []string{"part.json:37:31: executions.started is 1.5: a count must be"}},
	{name: "part count 1e30", setup: tamperedPart("by_reason.scp", "1e30"), args: []string{"merge", "part.json"}, code: 2,
		stderr: []string{"part.json:24:26: by_reason.scp is 1e+30: a count must be"}},
	{name: "part calls that do not add up", setup: tamperedPart("calls.total", "0"), args: []string{"merge", "part.json"}, code: 2,
		stderr: []string{"part.json:17:24: calls.allowed + calls.denied + calls.failed is", "calls.total 0: they must agree"}},
	{name: "part cost 1e400", setup: tamperedPart("cost.total_usd", "1e400"), args: []string{"merge", "part.json"}, code: 2,
		stderr: []string{"cost.total_usd is 1e400: not a finite number"}},

	// Untrusted documents: each is a regular file of at most --max-input
	// bytes (64 MiB), refused by name before it is read; paths a scenario
	// names stay under the folder pipeshare runs in (or --root), links
	// resolved; a refused file is named, never quoted; user text is cut.
	{name: "extends /dev/zero", files: []string{"extends-dev-zero.yaml"}, args: []string{"validate", "extends-dev-zero.yaml"}, code: 2,
		stderr: []string{"extends-dev-zero.yaml:5:10: extends: /dev/zero: outside ", "(files named in a scenario must be under the folder pipeshare started in, or under --root DIR)"},
		maxRSS: 100 * mib},
	{name: "extends /dev/zero under --root /", files: []string{"extends-dev-zero.yaml"}, args: []string{"run", "extends-dev-zero.yaml", "--root", "/"},
		code: 2, stderr: []string{"extends-dev-zero.yaml:5:10: extends: /dev/zero: is a device, not a regular file"}, maxRSS: 100 * mib},
	{name: "definition /dev/zero", files: []string{"definition-dev-zero.yaml"}, args: []string{"check", "definition-dev-zero.yaml", "--root", "/"},
		code: 2, stderr: []string{"definition-dev-zero.yaml:8:52: definition: /dev/zero: is a device, not a regular file"}, maxRSS: 100 * mib},
	{name: "waivers /dev/zero", args: []string{"check", "quickstart", "--waivers", "/dev/zero"}, code: 2,
		stderr: []string{"/dev/zero:1:1: is a device, not a regular file"}, maxRSS: 100 * mib},
	{name: "merge /dev/zero", args: []string{"merge", "/dev/zero"}, code: 2,
		stderr: []string{"/dev/zero:1:1: is a device, not a regular file"}, maxRSS: 100 * mib},
	{name: "import definition /dev/zero", args: []string{"import", "definition", "/dev/zero"}, code: 2,
		stderr: []string{"/dev/zero:1:1: is a device, not a regular file"}, maxRSS: 100 * mib},
	{name: "import terraform /dev/zero", args: []string{"import", "terraform", "/dev/zero"}, code: 2,
		stderr: []string{"/dev/zero:1:1: is a device, not a regular file"}, maxRSS: 100 * mib},
	{name: "stdin /dev/zero", stdin: "/dev/zero", args: []string{"validate", "-"}, code: 2,
		stderr: []string{"<stdin>:1:1: file too large (limit 64 MiB, raise with --max-input)"}, maxRSS: 150 * mib},
	{name: "a FIFO scenario", setup: func(t *testing.T, bin, dir string) {
		require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "s.yaml"), 0o644)) // opening it would wait for a writer
	}, args: []string{"validate", "s.yaml"}, code: 2, stderr: []string{"s.yaml:1:1: is a named pipe, not a regular file"}},
	{name: "a 1 GiB scenario", setup: sparseFile("big.yaml", 1<<30), args: []string{"run", "big.yaml"}, code: 2,
		stderr: []string{"big.yaml:1:1: file too large (limit 64 MiB, raise with --max-input)"}, maxRSS: 100 * mib},
	{name: "a 1 GiB extends base", files: []string{"extends-child.yaml"}, setup: sparseFile("extends-base.yaml", 1<<30),
		args: []string{"validate", "extends-child.yaml"}, code: 2,
		stderr: []string{"extends-child.yaml:3:10: extends: extends-base.yaml: file too large (limit 64 MiB, raise with --max-input)"}, maxRSS: 100 * mib},
	{name: "--max-input lowers every limit", files: []string{"extends-child.yaml", "extends-base.yaml"},
		args: []string{"validate", "extends-child.yaml", "--max-input", "100"}, code: 2,
		stderr: []string{"extends-child.yaml:3:10: extends: extends-base.yaml: file too large (limit 100 bytes, raise with --max-input)"}},
	{name: "import aws with a 1 GiB file", setup: func(t *testing.T, bin, dir string) {
		copyAWSSnapshot(t, dir)
		sparseFile("snap/list-accounts.json", 1<<30)(t, bin, dir)
	}, args: []string{"import", "aws", "snap"}, code: 2,
		stderr: []string{"snap/list-accounts.json:1:1: file too large (limit 64 MiB, raise with --max-input)"}, maxRSS: 100 * mib},
	{name: "import aws with a link to /dev/zero", setup: func(t *testing.T, bin, dir string) {
		copyAWSSnapshot(t, dir)
		require.NoError(t, os.Remove(filepath.Join(dir, "snap", "list-accounts.json")))
		require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, "snap", "list-accounts.json")))
	}, args: []string{"import", "aws", "snap"}, code: 2, stderr: []string{"snap/list-accounts.json:1:1: "}, maxRSS: 100 * mib},
	{name: "extends /etc/shadow", files: []string{"extends-shadow.yaml"}, args: []string{"check", "extends-shadow.yaml"}, code: 2,
		stderr: []string{"extends-shadow.yaml:5:10: extends: ../../../../../../../../../../etc/shadow: outside "}, absent: []string{"daemon", "unknown key"}},
	{name: "extends a link to /etc/passwd", setup: func(t *testing.T, bin, dir string) {
		require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(dir, "base.yaml")))
		writeTestFile(t, dir, "child.yaml", "version: 1\nextends: base.yaml\n")
	}, args: []string{"diff", "child.yaml", "quickstart"}, code: 2,
		stderr: []string{"child.yaml:2:10: extends: base.yaml: a link to a file outside "}, absent: []string{"daemon", "unknown key"}},
	{name: "extends /etc/passwd under --root /", setup: func(t *testing.T, bin, dir string) {
		writeTestFile(t, dir, "child.yaml", "version: 1\nextends: /etc/passwd\n")
	}, args: []string{"validate", "child.yaml", "--root", "/"}, code: 2,
		stderr: []string{"child.yaml:2:10: extends: /etc/passwd: not a pipeshare scenario (no version: 1)"}, absent: []string{"daemon", "unknown key"}},
	{name: "extends a file that is not a scenario", files: []string{"extends-not-a-scenario.yaml", "notes.txt"},
		args: []string{"validate", "extends-not-a-scenario.yaml"}, code: 2,
		stderr: []string{"extends-not-a-scenario.yaml:4:10: extends: notes.txt: not a pipeshare scenario (no version: 1)"}, absent: []string{"TOP-SECRET"}},
	{name: "a trace outside", files: []string{"trace-outside.yaml"}, args: []string{"run", "trace-outside.yaml"}, code: 2,
		stderr: []string{"trace-outside.yaml:8:12: trace: /var/log: outside "}},
	{name: "a 1 MB name", setup: func(t *testing.T, bin, dir string) {
		big := strings.Repeat("x", 1<<20)
		writeTestFile(t, dir, "s.yaml", "version: 1\nname: n\nstart: 2026-01-05T00:00:00Z\nduration: 1d\nregion: "+big+
			"\nshares: [{name: s, owner: \""+big+"\", pipelines: [], principals: []}]\n")
	}, args: []string{"validate", "s.yaml"}, code: 2,
		stderr: []string{`s.yaml:5:9: region "` + strings.Repeat("x", 120) + `…" does not look like an AWS region`}, absent: []string{strings.Repeat("x", 121)}},
	{name: "a byte that is not UTF-8", files: []string{"bad-utf8.yaml"}, args: []string{"validate", "bad-utf8.yaml"}, code: 2,
		stderr: []string{"bad-utf8.yaml:6:14: not a text file (byte 0xE9 is not UTF-8)"}},
	{name: "import aws with a self-dependent step", setup: func(t *testing.T, bin, dir string) {
		copyAWSSnapshot(t, dir)
		p := filepath.Join(dir, "snap", "describe-pipeline-churn-training.json")
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		edited := strings.Replace(string(data), `\"DependsOn\": [\"Preprocess\"]`, `\"DependsOn\": [\"Train\"]`, 1)
		require.NotEqual(t, string(data), edited)
		writeTestFile(t, dir, "snap/describe-pipeline-churn-training.json", edited)
	}, args: []string{"import", "aws", "snap"}, code: 2,
		stderr: []string{"snap/describe-pipeline-churn-training.json:5:27: PipelineDefinition: step Train depends on itself (JSON line 1, column "},
		absent: []string{"please report"}},

	// Resource patterns that would be decided against .../execution/*.
	{name: "execution ID patterns", files: []string{"exec-id-patterns.yaml"}, args: []string{"validate", "exec-id-patterns.yaml"},
		code: 2, stderr: []string{
			`exec-id-patterns.yaml:17:13: resource "arn:aws:sagemaker:*:*:pipeline/fraud-model/*z" could constrain an execution ID`,
			`exec-id-patterns.yaml:18:13: resource "arn:aws:sagemaker:*:*:pipeline/fraud-model/*/????????????" could constrain`}},

	// CloudTrail traces, for run --trace and import cloudtrail alike: a
	// damaged file is exit 2 naming it, a long record is skipped, memory
	// stays flat.
	{name: "trace of NUL bytes", setup: withTrace("zeros.json", func(t *testing.T, w io.Writer) { w.Write(make([]byte, mib)) }),
		args: []string{"run", "trace.yaml", "--trace", "zeros.json"}, code: 2,
		stderr: []string{"trace: zeros.json: a NUL byte at offset 0: binary data, not JSON text"}},
	{name: "import of NUL bytes", setup: withTrace("zeros.json", func(t *testing.T, w io.Writer) { w.Write(make([]byte, mib)) }),
		args: []string{"import", "cloudtrail", "zeros.json"}, code: 2,
		stderr: []string{"zeros.json: a NUL byte at offset 0: binary data, not JSON text"}},
	{name: "trace gzip bomb", setup: withTrace("bomb.json.gz", gzipBomb), args: []string{"run", "trace.yaml", "--trace", "bomb.json.gz"},
		code: 2, stderr: []string{"trace: bomb.json.gz: gzip: ", "over the limit of 1 MiB plus 100 times the compressed size"},
		maxRSS: 64 * mib},
	{name: "import gzip bomb", setup: withTrace("bomb.json.gz", gzipBomb), args: []string{"import", "cloudtrail", "bomb.json.gz"},
		code: 2, stderr: []string{"bomb.json.gz: gzip: ", "over the limit of 1 MiB plus 100 times the compressed size"},
		maxRSS: 64 * mib},
	{name: "trace truncated gzip", setup: withTrace("cut.jsonl.gz", truncatedTrace), args: []string{"run", "trace.yaml", "--trace", "cut.jsonl.gz"},
		code: 2, stderr: []string{"trace: cut.jsonl.gz: after record ", ": truncated gzip stream (unexpected end of file)"}},
	{name: "import truncated gzip", setup: withTrace("cut.jsonl.gz", truncatedTrace), args: []string{"import", "cloudtrail", "cut.jsonl.gz"},
		code: 2, stderr: []string{"cut.jsonl.gz: after record ", ": truncated gzip stream (unexpected end of file)"}},
	{name: "trace with a 5 MB record", setup: withTrace("long.jsonl", longRecordTrace), args: []string{"run", "trace.yaml", "--trace", "long.jsonl"},
		code: 0, stderr: []string{"trace: long.jsonl:record 2: record longer than 1 MiB (a CloudTrail event is at most 256 KB): skipped unread"},
		maxRSS: 64 * mib},
	{name: "trace with a 5 MB record, --strict", setup: withTrace("long.jsonl", longRecordTrace),
		args: []string{"run", "trace.yaml", "--trace", "long.jsonl", "--strict"}, code: 2,
		stderr: []string{"trace: long.jsonl:record 2: record longer than 1 MiB"}, maxRSS: 64 * mib},
	{name: "import with a 5 MB record", setup: withTrace("long.jsonl", longRecordTrace), args: []string{"import", "cloudtrail", "long.jsonl"},
		code: 0, stderr: []string{"import cloudtrail: could not map: malformed: long.jsonl:record 2: record longer than 1 MiB"},
		maxRSS: 64 * mib},
	{name: "trace with no call to replay", setup: withTrace("s3.jsonl", func(t *testing.T, w io.Writer) { io.WriteString(w, traceOtherEvent) }),
		args: []string{"run", "trace.yaml", "--trace", "s3.jsonl"}, code: 2,
		stderr: []string{"trace: s3.jsonl: no call replayed (1 records: other_event 1)"}},
	{name: "trace of 5,000,000 records", setup: withTrace("big.jsonl.gz", fiveMillion), args: []string{"run", "trace.yaml", "--trace", "big.jsonl.gz"},
		code: 0, maxRSS: 128 * mib},
	{name: "import of 5,000,000 records", setup: withTrace("big.jsonl.gz", fiveMillion), args: []string{"import", "cloudtrail", "big.jsonl.gz"},
		code: 0, maxRSS: 128 * mib},
}

// traceScenario is what the generated traces replay into: the account and
// the pipeline their calls name (the caller is added as seen only in the
// trace).
const traceScenario = `version: 1
name: trace
start: 2025-10-27T00:00:00Z
duration: 2d
accounts:
  - id: "111111111111"
pipelines:
  - {name: p, account: "111111111111"}
`

// traceOtherEvent is a record that is not a pipeline call.
const traceOtherEvent = `{"eventTime":"2025-10-27T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}` + "\n"

// traceCall writes call i of a generated trace, one every 30 ms: a
// DescribePipeline by 111111111111/user/ci with its own requestID, so that
// an importer or a replay that kept every ID would grow with the trace.
func traceCall(w io.Writer, i int) {
	at := time.Date(2025, 10, 27, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 30 * time.Millisecond)
	fmt.Fprintf(w, `{"eventTime":"%s","eventSource":"sagemaker.amazonaws.com","eventName":"DescribePipeline",`+
		`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/ci"},"requestParameters":{"pipelineName":"p"},`+
		`"recipientAccountId":"111111111111","requestID":"%016x-%08x"}`+"\n", at.Format(time.RFC3339), uint64(i)*0x9e3779b97f4a7c15, i)
}

// withTrace writes trace.yaml, and the file name as write writes it, into
// a case's folder.
func withTrace(name string, write func(t *testing.T, w io.Writer)) func(t *testing.T, bin, dir string) {
	return func(t *testing.T, bin, dir string) {
		writeTestFile(t, dir, "trace.yaml", traceScenario)
		f, err := os.Create(filepath.Join(dir, name))
		require.NoError(t, err)
		bw := bufio.NewWriterSize(f, mib)
		write(t, bw)
		require.NoError(t, bw.Flush())
		require.NoError(t, f.Close())
	}
}

// gzipBomb writes 4 GiB, {"Records":[{"eventName":" and then 'a' to the
// end, in about 4 MB: 256 gzip members of 16 MiB each.
func gzipBomb(t *testing.T, w io.Writer) {
	member := func(prefix string) []byte {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		io.WriteString(zw, prefix)
		zw.Write(bytes.Repeat([]byte("a"), 16*mib-len(prefix)))
		require.NoError(t, zw.Close())
		return b.Bytes()
	}
	w.Write(member(`{"Records":[{"eventName":"`))
	rest := member("")
	for range 255 {
		w.Write(rest)
	}
}

// truncatedTrace writes the first two thirds of a gzipped trace of 2000
// calls.
func truncatedTrace(t *testing.T, w io.Writer) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	for i := range 2000 {
		traceCall(zw, i)
	}
	require.NoError(t, zw.Close())
	w.Write(b.Bytes()[:b.Len()*2/3])
}

// longRecordTrace writes a call, a record of 5 MB (a pipeline name of
// random letters), and a call.
func longRecordTrace(t *testing.T, w io.Writer) {
	traceCall(w, 0)
	name := make([]byte, 5_000_000)
	for i := range name {
		name[i] = 'a' + byte(rand.IntN(26))
	}
	fmt.Fprintf(w, `{"eventSource":"sagemaker.amazonaws.com","eventName":"DescribePipeline","requestParameters":{"pipelineName":"%s"}}`+"\n", name)
	traceCall(w, 1)
}

// fiveMillion writes 5,000,000 calls (41 hours of them), gzipped; the case
// runs only with -long (as .ci/run does).
func fiveMillion(t *testing.T, w io.Writer) {
	if !*long {
		t.Skip("5,000,000 records take half a minute to write and read; -long runs them")
	}
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	bw := bufio.NewWriterSize(zw, mib)
	for i := range 5_000_000 {
		traceCall(bw, i)
	}
	require.NoError(t, bw.Flush())
	require.NoError(t, zw.Close())
}

// TestHostile runs the corpus.
func TestHostile(t *testing.T) {
	bin := builtPipeshare(t)
	hostile, err := filepath.Abs(filepath.Join("testdata", "hostile"))
	require.NoError(t, err)
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				data, err := os.ReadFile(filepath.Join(hostile, f))
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(filepath.Join(dir, f), data, 0o644))
			}
			if tc.setup != nil {
				tc.setup(t, bin, dir)
			}
			code, stderr, rss := runHostile(t, bin, dir, tc)
			assert.Equal(t, tc.code, code, "stderr: %s", stderr)
			for _, s := range tc.stderr {
				assert.Contains(t, stderr, s)
			}
			for _, s := range tc.absent {
				assert.NotContains(t, stderr, s)
			}
			for _, crash := range []string{"fatal error", "panic:", "goroutine "} {
				assert.NotContains(t, stderr, crash, "a Go runtime crash is never an exit path")
			}
			if tc.maxRSS > 0 {
				t.Logf("peak RSS %d MiB (bound %d MiB)", rss/mib, tc.maxRSS/mib)
				assert.Less(t, rss, tc.maxRSS, "peak RSS %d MiB", rss/mib)
			}
			tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
			assert.Empty(t, tmps, "no temporary file is left")
			if tc.after != nil {
				tc.after(t, dir)
			}
		})
	}
}

// runHostile runs one case and returns its exit code, stderr and peak RSS
// in bytes. A case that is still running after a minute has run away.
func runHostile(t *testing.T, bin, dir string, tc hostileCase) (code int, stderr string, rss int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, tc.args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), tc.env...)
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errb
	if tc.stdin != "" {
		f, err := os.Open(tc.stdin)
		require.NoError(t, err)
		defer f.Close()
		cmd.Stdin = f
	}
	require.NoError(t, cmd.Start())
	peak := watchPeakRSS(cmd.Process.Pid)
	if tc.interrupt != 0 {
		require.Eventually(t, func() bool {
			m, _ := filepath.Glob(filepath.Join(dir, tc.interruptWhen))
			return len(m) > 0
		}, 30*time.Second, 10*time.Millisecond, "%s never appeared", tc.interruptWhen)
		require.NoError(t, cmd.Process.Signal(tc.interrupt))
	}
	err := cmd.Wait()
	rss = peak()
	require.NoError(t, ctx.Err(), "the command ran away (still running after a minute)")
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		require.NoError(t, err)
	}
	return cmd.ProcessState.ExitCode(), errb.String(), rss
}

// watchPeakRSS follows the peak RSS of process pid (VmHWM, a high-water
// mark) every 5 ms until the returned function is called, which returns it
// in bytes. (The rusage of a child is no measure here: Go starts children
// with vfork, and Linux counts the parent's peak RSS into the child's
// ru_maxrss at exec.) Growth in the last 5 ms of a run can be missed.
func watchPeakRSS(pid int) func() int64 {
	var peak atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	status := fmt.Sprintf("/proc/%d/status", pid)
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if data, err := os.ReadFile(status); err == nil {
				for line := range strings.SplitSeq(string(data), "\n") {
					if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
						kib, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
						peak.Store(max(peak.Load(), kib*1024))
					}
				}
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		return peak.Load()
	}
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildDir  string
)

// builtPipeshare builds the binary once per test process (TestMain
// removes it).
func builtPipeshare(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "pipeshare-bin"); buildErr != nil {
			return
		}
		builtBin = filepath.Join(buildDir, "pipeshare")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	require.NoError(t, buildErr)
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}
