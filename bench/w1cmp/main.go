// Command w1cmp measures pipeshare against the reference Go baseline on the
// W1 workload (bench/README.md): it builds both binaries, runs them
// alternately, and prints the median whole-process wall time and peak RSS
// of each and their ratios.
//
//	go run ./bench/w1cmp                      # w1 (A=50), 5 runs each
//	go run ./bench/w1cmp -scenario w1-500 -accounts 500 -runs 5
//
// The baseline is built from -baseline (default bench/w1-baseline, a module
// of its own so go test ./... leaves it out). Timings are whole-process
// (as bench/README.md explains), so
// compare ratios measured in one invocation, never lone times.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

func main() {
	scenario := flag.String("scenario", "w1", "the embedded pipeshare scenario")
	accounts := flag.Int("accounts", 50, "the baseline's -accounts (50 for w1, 500 for w1-500, 5 for w1-steady)")
	runs := flag.Int("runs", 5, "alternating runs of each (the median is reported)")
	baseline := flag.String("baseline", "bench/w1-baseline", "the baseline's source folder")
	flag.Parse()
	if err := run(*scenario, *accounts, *runs, *baseline); err != nil {
		fmt.Fprintln(os.Stderr, "w1cmp:", err)
		os.Exit(1)
	}
}

type sample struct {
	wall time.Duration
	rss  int64 // KiB
}

func run(scenario string, accounts, runs int, baseline string) error {
	dir, err := os.MkdirTemp("", "w1cmp")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ps := filepath.Join(dir, "pipeshare")
	bl := filepath.Join(dir, "w1-baseline")
	if err := build(".", "./cmd/pipeshare", ps); err != nil {
		return err
	}
	if err := build(baseline, ".", bl); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	var a, b []sample
	for i := range runs {
		fmt.Fprintf(os.Stderr, "run %d/%d\n", i+1, runs)
		s, err := measure(bl, "-accounts", fmt.Sprint(accounts))
		if err != nil {
			return err
		}
		b = append(b, s)
		if s, err = measure(ps, "run", scenario, "--format", "json"); err != nil {
			return err
		}
		a = append(a, s)
	}
	pw, pr := median(a)
	bw, br := median(b)
	fmt.Printf("W1 %s vs baseline -accounts %d, median of %d alternating whole-process runs\n", scenario, accounts, runs)
	fmt.Printf("%-12s %10s %14s\n", "", "wall s", "peak RSS MiB")
	fmt.Printf("%-12s %10.3f %14.1f\n", "baseline", bw.Seconds(), float64(br)/1024)
	fmt.Printf("%-12s %10.3f %14.1f\n", "pipeshare", pw.Seconds(), float64(pr)/1024)
	fmt.Printf("%-12s %9.2fx %13.2fx\n", "ratio", pw.Seconds()/bw.Seconds(), float64(pr)/float64(br))
	return nil
}

func build(dir, pkg, out string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// measure runs a command, discarding its output, and returns its wall time
// and peak resident set size.
func measure(bin string, args ...string) (sample, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	began := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("%s: %w", bin, err)
	}
	wall := time.Since(began)
	return sample{wall, peakRSS(cmd.ProcessState)}, nil
}

func median(s []sample) (time.Duration, int64) {
	w := make([]time.Duration, len(s))
	r := make([]int64, len(s))
	for i := range s {
		w[i], r[i] = s[i].wall, s[i].rss
	}
	slices.Sort(w)
	slices.Sort(r)
	return w[len(w)/2], r[len(r)/2]
}
