// Command replicas measures how `run --replicas N` scales across cores
// (docs/performance.md#replicas): it builds pipeshare, then times `pipeshare run
// SCENARIO --replicas N --format json` with GOMAXPROCS=P and with
// GOMAXPROCS=1, alternately, and prints the median whole-process wall time
// of each and their ratio (target: at most 0.6 for w1, 8 replicas, P=2).
// It also checks that both settings print byte-identical reports.
//
//	go run ./bench/replicas                          # w1, 8 replicas, GOMAXPROCS 2 vs 1, 5 runs each
//	go run ./bench/replicas -scenario quickstart -replicas 16 -procs 4 -runs 3
//
// Timings are whole-process, so compare the ratio measured in one
// invocation, never lone times. The exit code is 1 when a run fails or
// the outputs differ; the ratio is reported, not enforced.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

func main() {
	scenario := flag.String("scenario", "w1", "the scenario (embedded name or file)")
	replicas := flag.Int("replicas", 8, "--replicas")
	procs := flag.Int("procs", 2, "GOMAXPROCS of the parallel runs")
	runs := flag.Int("runs", 5, "alternating runs of each setting (the median is reported)")
	flag.Parse()
	if err := run(*scenario, *replicas, *procs, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "replicas:", err)
		os.Exit(1)
	}
}

func run(scenario string, replicas, procs, runs int) error {
	if runs < 1 || replicas < 1 || procs < 1 {
		return fmt.Errorf("-runs, -replicas and -procs must be at least 1")
	}
	dir, err := os.MkdirTemp("", "replicas-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "pipeshare")
	build := exec.Command("go", "build", "-o", bin, "./cmd/pipeshare")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	args := []string{"run", scenario, "--replicas", fmt.Sprint(replicas), "--format", "json"}
	var one, par []time.Duration
	var outOne, outPar []byte
	for i := range runs {
		fmt.Fprintf(os.Stderr, "run %d/%d\n", i+1, runs)
		d, out, err := measure(bin, 1, args)
		if err != nil {
			return err
		}
		one, outOne = append(one, d), out
		if d, out, err = measure(bin, procs, args); err != nil {
			return err
		}
		par, outPar = append(par, d), out
	}
	m1, mp := median(one), median(par)
	fmt.Printf("pipeshare %s, median of %d alternating whole-process runs\n", join(args), runs)
	fmt.Printf("%-14s %10s\n", "", "wall s")
	fmt.Printf("%-14s %10.3f\n", "GOMAXPROCS=1", m1.Seconds())
	fmt.Printf("%-14s %10.3f\n", fmt.Sprintf("GOMAXPROCS=%d", procs), mp.Seconds())
	fmt.Printf("%-14s %9.2fx   (target <= 0.60x)\n", "ratio", mp.Seconds()/m1.Seconds())
	if !bytes.Equal(outOne, outPar) {
		return fmt.Errorf("the reports at GOMAXPROCS=1 and GOMAXPROCS=%d differ", procs)
	}
	fmt.Printf("reports identical at GOMAXPROCS=1 and %d\n", procs)
	return nil
}

// measure runs bin with GOMAXPROCS=procs and returns its wall time and
// stdout.
func measure(bin string, procs int, args []string) (time.Duration, []byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), fmt.Sprintf("GOMAXPROCS=%d", procs))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	began := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, nil, fmt.Errorf("GOMAXPROCS=%d %s %s: %w", procs, bin, join(args), err)
	}
	return time.Since(began), out.Bytes(), nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func join(args []string) string {
	var b bytes.Buffer
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a)
	}
	return b.String()
}
