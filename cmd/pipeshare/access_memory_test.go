package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memoryChildEnv carries the arguments (space-separated) of
// TestAccessMemoryChild.
const memoryChildEnv = "PIPESHARE_MEMORY_CHILD"

// accessMemoryBound is the most resident memory access may use on the
// scale scenario, in any format (docs/performance.md#scale).
const accessMemoryBound = 500 << 20

// TestAccessMemory runs access on the scale scenario (39,918,000
// principal-pipeline pairs) in a child process and asserts that its peak
// resident set (VmHWM, read from /proc/PID/status before the child exits)
// stays under accessMemoryBound: the matrix and its changes stream.
func TestAccessMemory(t *testing.T) {
	t.Parallel()
	if !*long {
		t.Skip("walks the scale scenario's 40 million pairs, half a minute; -long runs it")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/PID/status")
	}
	for _, tc := range []struct {
		args     []string
		minBytes int64
	}{
		{[]string{"access", "scale", "--format", "text"}, 200_000},
		{[]string{"access", "scale", "--changes", "--format", "json"}, 100_000_000},
	} {
		t.Run(strings.Join(tc.args[2:], " "), func(t *testing.T) {
			peak, n := childPeakRSS(t, tc.args)
			t.Logf("pipeshare %s: peak RSS %.1f MiB, %d bytes out", strings.Join(tc.args, " "), float64(peak)/(1<<20), n)
			assert.Less(t, peak, int64(accessMemoryBound))
			assert.Greater(t, n, tc.minBytes, "the whole report was written")
		})
	}
}

// childPeakRSS runs pipeshare args in a child process (this test binary,
// as TestAccessMemoryChild) and returns its VmHWM in bytes, read once the
// report is written and before the child exits, and the bytes it wrote.
func childPeakRSS(t *testing.T, args []string) (peak, written int64) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAccessMemoryChild$")
	cmd.Env = append(os.Environ(), memoryChildEnv+"="+strings.Join(args, " "))
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	copied := make(chan int64)
	go func() {
		n, _ := io.Copy(io.Discard, stdout)
		copied <- n
	}()
	var errLines []string
	sc := bufio.NewScanner(stderr)
	done := false
	for !done && sc.Scan() {
		if code, ok := strings.CutPrefix(sc.Text(), "done "); ok {
			require.Equal(t, "0", code, "exit code; stderr: %s", strings.Join(errLines, "\n"))
			peak = vmHWM(t, cmd.Process.Pid)
			done = true
		} else {
			errLines = append(errLines, sc.Text())
		}
	}
	stdin.Close() // the child exits
	io.Copy(io.Discard, stderr)
	written = <-copied
	require.NoError(t, cmd.Wait())
	require.True(t, done, "the child did not finish: %s", strings.Join(errLines, "\n"))
	return peak, written
}

// vmHWM returns the peak resident set size of process pid, in bytes.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			require.NoError(t, err)
			return kb << 10
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}

// TestAccessMemoryChild is TestAccessMemory's child: it runs pipeshare
// with the arguments in $PIPESHARE_MEMORY_CHILD, writes "done CODE" on
// stderr and waits for stdin to close, so that its parent reads its peak
// RSS before it exits.
func TestAccessMemoryChild(t *testing.T) {
	args := os.Getenv(memoryChildEnv)
	if args == "" {
		t.Skip("run by TestAccessMemory")
	}
	code := run(context.Background(), strings.Fields(args), strings.NewReader(""), os.Stdout, os.Stderr)
	fmt.Fprintf(os.Stderr, "\ndone %d\n", code)
	io.Copy(io.Discard, os.Stdin)
}
