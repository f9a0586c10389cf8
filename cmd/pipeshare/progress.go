package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/pipeshare/pipeshare/sim"
)

const (
	// progressEvery is how many engine events pass between two looks at
	// the wall clock.
	progressEvery = 100_000
	// progressDelay is how long a run goes before auto shows progress.
	progressDelay = time.Second
	// progressRefresh is the shortest time between two progress lines.
	progressRefresh = 200 * time.Millisecond
)

// progress is the one progress line of every command that can take over
// a second (run and its replicas, check, diff, access, import, reading a
// trace): on stderr, rewritten in place with \r, at most every
// progressRefresh, and with auto only on a terminal and only once the
// command has run progressDelay. What the line says is its caller's: a
// simulation's time and calls (simProgress), the replicas done, what an
// importer has read (reading), or a phase and the time it has taken
// (phase). Only this file reads the wall
// clock; the simulation reports through sim.Sim.OnProgress. Its methods
// are safe for concurrent use (diff runs two simulations at once) and do
// nothing on a nil *progress (--progress off, --quiet, not a terminal).
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	now   func() time.Time
	delay time.Duration // no line before this much wall time
	last  time.Time     // when the last line was written
	width int           // the last line's length, to blank it out
	shown bool
}

// newProgress returns the progress printer for mode (auto, on, off), or
// nil when nothing is to be printed: off, or auto with a stderr that is
// not a terminal (a pipe, a file, a CI log, a test's buffer).
func newProgress(stderr io.Writer, mode string, start time.Time) *progress {
	p := &progress{w: stderr, start: start, now: time.Now}
	switch mode {
	case "on":
		return p
	case "auto":
		if stderrIsTerminal(stderr) {
			p.delay = autoDelay
			return p
		}
	}
	return nil
}

// registerQuiet adds --quiet to fs: it silences the progress line, and
// only it (errors and warnings still print).
func registerQuiet(fs *pflag.FlagSet) *bool {
	return fs.Bool("quiet", false, "print no progress line on stderr (errors and warnings still print)")
}

// commandProgress is the progress printer of a command with --quiet and
// no --progress: auto unless quiet.
func commandProgress(e *env, quiet bool) *progress {
	mode := "auto"
	if quiet {
		mode = "off"
	}
	return newProgress(e.stderr, mode, time.Now())
}

// restart measures the delay and the rates from t (a simulation's start,
// after the reading and compiling before it).
func (p *progress) restart(t time.Time) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start = t
}

// traced runs prepare, the reading of a trace, under a phase line when a
// trace is given.
func traced[T any](p *progress, path string, prepare func() (T, error)) (T, error) {
	if path != "" {
		defer p.phase("reading the trace " + path)()
	}
	return prepare()
}

// stderrIsTerminal and autoDelay are isTerminal and progressDelay, but
// for tests, which stand for a terminal and a slow command.
var (
	stderrIsTerminal = isTerminal
	autoDelay        = progressDelay
)

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// update prints the line that line returns for the wall time t and the
// time elapsed, when one is due: past the delay and the refresh interval.
func (p *progress) update(line func(elapsed time.Duration) string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.now()
	if t.Sub(p.start) < p.delay || p.shown && t.Sub(p.last) < progressRefresh {
		return
	}
	p.print(line(t.Sub(p.start)), t)
}

// finish prints the last line, followed by "  done in 1.2s", when a line
// was shown, or always with --progress on, and ends it.
func (p *progress) finish(line func(elapsed time.Duration) string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.shown && p.delay > 0 {
		return
	}
	t := p.now()
	elapsed := t.Sub(p.start)
	p.print(line(elapsed)+fmt.Sprintf("  done in %s", elapsed.Round(10*time.Millisecond)), t)
	fmt.Fprintln(p.w)
	p.shown = false
}

func (p *progress) print(line string, t time.Time) {
	pad := ""
	if n := p.width - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	p.width, p.last, p.shown = len(line), t, true
}

// eta is "  ETA 2s" for a fraction frac done in elapsed, "" before any
// and when all is done.
func eta(frac float64, elapsed time.Duration) string {
	if frac <= 0 || frac >= 1 {
		return ""
	}
	return fmt.Sprintf("  ETA %s", time.Duration(float64(elapsed)*(1-frac)/frac).Round(100*time.Millisecond))
}

// phase shows "what  3s" on p, refreshed, until the returned stop is
// called: for work with no measure of how far it is (reading a trace,
// computing the access matrix). stop ends the line.
func (p *progress) phase(what string) (stop func()) {
	return p.ticking(func(elapsed time.Duration) string { return fmt.Sprintf("%s  %s", what, elapsed.Round(time.Second)) })
}

// readCount is how much of its input an importer has read, for its
// progress line: the records of a trace (0 for other inputs) and the
// bytes. The importer adds to it while the line's goroutine reads it.
type readCount struct{ records, bytes atomic.Int64 }

// reading shows "what  1.2M records, 340.5 MiB read  3s" (no records for
// an input that has none) on p until the returned stop is called, which
// ends the line.
func (p *progress) reading(what string, n *readCount) (stop func()) {
	return p.ticking(func(elapsed time.Duration) string {
		read := formatBytes(float64(n.bytes.Load())) + " read"
		if r := n.records.Load(); r > 0 {
			read = siCount(float64(r)) + " records, " + read
		}
		return fmt.Sprintf("%s  %s  %s", what, read, elapsed.Round(time.Second))
	})
}

// ticking shows the line that line returns on p, refreshed every
// progressRefresh, until the returned stop is called, which ends it.
func (p *progress) ticking(line func(elapsed time.Duration) string) (stop func()) {
	if p == nil {
		return func() {}
	}
	quit, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		tick := time.NewTicker(progressRefresh)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
				p.update(line)
			}
		}
	}()
	return func() {
		close(quit)
		<-ended
		p.finish(line)
	}
}

// simProgress shows the progress of simulations on p: "simulated 40.3%
// (12d3h of 30d)  1.2M calls/s  ETA 2s" for one, "simulated 40.3% of 2
// runs  …" for several run at once (diff).
type simProgress struct {
	p        *progress
	horizons []sim.Time
	mu       sync.Mutex
	nows     []sim.Time
	calls    []uint64
}

// watch attaches a progress line to sims (nothing when p is nil) and
// returns it, for finish.
func (p *progress) watch(sims ...*sim.Sim) *simProgress {
	if p == nil {
		return nil
	}
	sp := &simProgress{p: p, nows: make([]sim.Time, len(sims)), calls: make([]uint64, len(sims))}
	for i, s := range sims {
		sp.horizons = append(sp.horizons, max(s.Horizon(), 1))
		s.OnProgress(progressEvery, func(now sim.Time, calls uint64) {
			sp.mu.Lock()
			sp.nows[i], sp.calls[i] = now, calls
			sp.mu.Unlock()
			p.update(sp.line)
		})
	}
	return sp
}

// finish prints the last line, every simulation at its horizon with its
// calls.
func (sp *simProgress) finish(sims ...*sim.Sim) {
	if sp == nil {
		return
	}
	sp.mu.Lock()
	for i, s := range sims {
		sp.nows[i], sp.calls[i] = sp.horizons[i], s.CallsMade()
	}
	sp.mu.Unlock()
	sp.p.finish(sp.line)
}

func (sp *simProgress) line(elapsed time.Duration) string {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	var now, horizon sim.Time
	var calls uint64
	for i := range sp.nows {
		now, horizon, calls = now+min(sp.nows[i], sp.horizons[i]), horizon+sp.horizons[i], calls+sp.calls[i]
	}
	frac := min(max(float64(now)/float64(horizon), 0), 1)
	rate := float64(calls) / max(elapsed.Seconds(), 1e-9)
	what := fmt.Sprintf("(%s of %s)", shortDuration(time.Duration(now)), shortDuration(time.Duration(horizon)))
	if len(sp.nows) > 1 {
		what = fmt.Sprintf("of %d runs", len(sp.nows))
	}
	return fmt.Sprintf("simulated %5.1f%% %s  %s calls/s%s", 100*frac, what, siCount(rate), eta(frac, elapsed))
}

// shortDuration formats d in days and hours ("12d3h") from a day, else as
// a Go duration rounded to the second.
func shortDuration(d time.Duration) string {
	day := 24 * time.Hour
	if d >= day {
		s := fmt.Sprintf("%dd", d/day)
		if h := (d % day) / time.Hour; h > 0 {
			s += fmt.Sprintf("%dh", h)
		}
		return s
	}
	return d.Round(time.Second).String()
}

// siCount formats n with a k or M suffix.
func siCount(n float64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", n/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0fk", n/1e3)
	}
	return fmt.Sprintf("%.0f", n)
}
