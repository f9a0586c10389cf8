package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

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

// progress prints "simulated 40.3% (12d3h of 30d)  1.2M calls/s  ETA 2s"
// on stderr, rewritten in place with \r. The simulation reports its time
// and calls through sim.Sim.OnProgress; only this type reads the wall
// clock.
type progress struct {
	w       io.Writer
	horizon sim.Time
	start   time.Time
	now     func() time.Time
	delay   time.Duration // no line before this much wall time
	last    time.Time     // when the last line was written
	width   int           // the last line's length, to blank it out
	shown   bool
}

// newProgress returns the progress printer for mode (auto, on, off), or
// nil when nothing is to be printed: off, or auto with a stderr that is
// not a terminal (a pipe, a file, a CI log, a test's buffer).
func newProgress(stderr io.Writer, mode string, horizon sim.Time, start time.Time) *progress {
	p := &progress{w: stderr, horizon: max(horizon, 1), start: start, now: time.Now}
	switch mode {
	case "on":
		return p
	case "auto":
		if isTerminal(stderr) {
			p.delay = progressDelay
			return p
		}
	}
	return nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// update is the sim.OnProgress hook.
func (p *progress) update(now sim.Time, calls uint64) {
	t := p.now()
	if t.Sub(p.start) < p.delay || p.shown && t.Sub(p.last) < progressRefresh {
		return
	}
	p.print(now, calls, t, false)
}

// finish prints the last line (the whole horizon) when a line was shown,
// or always with --progress on, and ends it.
func (p *progress) finish(calls uint64) {
	if !p.shown && p.delay > 0 {
		return
	}
	p.print(p.horizon, calls, p.now(), true)
	fmt.Fprintln(p.w)
}

func (p *progress) print(now sim.Time, calls uint64, t time.Time, done bool) {
	frac := min(max(float64(now)/float64(p.horizon), 0), 1)
	elapsed := t.Sub(p.start)
	rate := float64(calls) / max(elapsed.Seconds(), 1e-9)
	line := fmt.Sprintf("simulated %5.1f%% (%s of %s)  %s calls/s", 100*frac,
		shortDuration(time.Duration(now)), shortDuration(time.Duration(p.horizon)), siCount(rate))
	if done {
		line += fmt.Sprintf("  done in %s", elapsed.Round(10*time.Millisecond))
	} else if frac > 0 {
		eta := time.Duration(float64(elapsed) * (1 - frac) / frac)
		line += fmt.Sprintf("  ETA %s", eta.Round(100*time.Millisecond))
	}
	pad := ""
	if n := p.width - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	p.width, p.last, p.shown = len(line), t, true
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
