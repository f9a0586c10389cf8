package main

// Guards against runaway work: before a command simulates, it estimates
// the calls and the memory of what it is about to run and refuses (exit 2,
// one line with the estimate and the flag that raises the limit) a run
// that would not end (rate: 1e15/s) or not fit (900,000 callers from a
// few lines of count templates), instead of running for ever or ending in
// the Go runtime's "fatal error: out of memory".

import (
	"fmt"
	"math"
	"runtime/debug"
	"runtime/metrics"

	"github.com/pipeshare/pipeshare/sim"
	"github.com/spf13/pflag"
)

// defaultMaxCalls is --max-calls: 2×10⁹ calls, about ten minutes of
// simulation at a few million calls a second.
const defaultMaxCalls = 2_000_000_000

// What a run's memory grows by, measured as peak RSS of run --format json
// minus that of validate on the same scenario (so after the World is
// built): per caller (the run's counters, the report's and the compliance
// check's rows: 6.7–8.7 KiB on 20,000 to 100,000 callers), per
// StartPipelineExecution (the execution kept: 48 bytes a start on a
// million), and per replica kept for its report (its seed and metrics, a
// value per cost row, of which there are about pipelines + callers) or for
// a part file (the whole rows, about 200 bytes each).
const (
	bytesPerCaller       = 8 << 10
	bytesPerStart        = 64
	bytesPerReplica      = 1 << 10
	bytesPerReplicaRow   = 8
	bytesPerPartFileRow  = 200
	replicaMemoryPadding = 1 << 20 // the reorder buffer of replicas that finished early, and the like
)

// limitFlags are --max-calls and --max-memory, of every command that
// simulates (run, check, diff).
type limitFlags struct {
	maxCalls  int64
	maxMemory int64
}

func (l *limitFlags) register(fs *pflag.FlagSet) {
	fs.Int64Var(&l.maxCalls, "max-calls", defaultMaxCalls,
		"refuse to simulate more than about `N` calls (estimated from the workload's callers, rates and duration, times the replicas)")
	fs.Int64Var(&l.maxMemory, "max-memory", 0,
		"refuse to simulate when the estimated memory is above `BYTES` (default: this machine's memory, or its cgroup's limit or GOMEMLIMIT when lower)")
}

// check validates the flags' values.
func (l *limitFlags) check() error {
	if l.maxCalls < 1 {
		return usageErrorf("--max-calls must be at least 1")
	}
	if l.maxMemory < 0 {
		return usageErrorf("--max-memory must be 0 (this machine's memory) or a number of bytes")
	}
	return nil
}

// workload is what a command is about to simulate.
type workload struct {
	calls  float64 // expected calls, over every run
	memory float64 // expected peak bytes
	what   string  // how many runs, for the messages: "", " (2 runs)", " (100 replicas)"
}

// estimateRuns estimates running sims at once (diff runs two): the heap
// already in use (the compiled worlds) plus each run's growth.
func estimateRuns(sims ...*sim.Sim) workload {
	w := workload{memory: heapInUse()}
	for _, s := range sims {
		e := s.Estimate()
		w.calls += e.Calls
		w.memory += runGrowth(e)
	}
	if len(sims) > 1 {
		w.what = fmt.Sprintf(" (%d runs)", len(sims))
	}
	return w
}

// estimateReplicas estimates n replicas of s, workers at a time (each with
// its own World, about the heap in use now), each leaving its numbers for
// the report, or its whole sample when partFile (a shard's part file).
func estimateReplicas(s *sim.Sim, pipelines, n, workers int, partFile bool) workload {
	e := s.Estimate()
	perRow := float64(bytesPerReplicaRow)
	if partFile {
		perRow = bytesPerPartFileRow
	}
	perReplica := bytesPerReplica + perRow*float64(pipelines+e.Callers)
	return workload{
		calls:  e.Calls * float64(n),
		memory: float64(workers)*(heapInUse()+runGrowth(e)) + float64(n)*perReplica + replicaMemoryPadding,
		what:   fmt.Sprintf(" (%d replicas)", n),
	}
}

// runGrowth is what one run adds to the heap.
func runGrowth(e sim.Estimate) float64 {
	return float64(e.Callers)*bytesPerCaller + e.Starts*bytesPerStart
}

// heapInUse is the Go heap's live and not yet swept objects, in bytes.
func heapInUse() float64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return float64(s[0].Value.Uint64())
}

// allow refuses w when it is above the limits.
func (l *limitFlags) allow(cmd string, w workload) error {
	if w.calls > float64(l.maxCalls) {
		return usageErrorf("pipeshare %s: refusing to simulate about %s calls%s, above --max-calls %d (raise --max-calls to run it)",
			cmd, formatCount(w.calls), w.what, l.maxCalls)
	}
	limit, from := float64(l.maxMemory), "--max-memory"
	if l.maxMemory == 0 {
		limit, from = memoryLimit()
	}
	if limit > 0 && w.memory > limit {
		return usageErrorf("pipeshare %s: refusing to simulate: it needs about %s of memory%s, above the %s of %s (raise --max-memory to run it)",
			cmd, formatBytes(w.memory), w.what, formatBytes(limit), from)
	}
	return nil
}

// memoryLimit is the memory a run may use when --max-memory is not given:
// the machine's (see machineMemory), or GOMEMLIMIT when that is lower (a
// container runtime or CI job may set it to the memory it grants).
func memoryLimit() (float64, string) {
	limit, from := machineMemory()
	if g := debug.SetMemoryLimit(-1); g != math.MaxInt64 && (limit == 0 || float64(g) < limit) {
		limit, from = float64(g), "GOMEMLIMIT"
	}
	return limit, from
}

// formatCount formats a call count: exact below a million, else three
// significant digits ("8.64e+19").
func formatCount(x float64) string {
	if x < 1e6 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.3g", x)
}

// formatBytes formats bytes in binary units: "1.5 GiB", "300.0 MiB".
func formatBytes(x float64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for x >= 1024 && i < len(units)-1 {
		x /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f bytes", x)
	}
	if math.IsInf(x, 0) || x >= 1e6 {
		return fmt.Sprintf("%.3g %s", x, units[i])
	}
	return fmt.Sprintf("%.1f %s", x, units[i])
}
