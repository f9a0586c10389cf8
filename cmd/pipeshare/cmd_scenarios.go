package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/pipeshare/pipeshare/scenarios"
)

const scenariosAbout = `Lists the embedded example scenarios, or prints one ("show NAME") so it can
be copied and edited; with --out DIR it is written to DIR/NAME.yaml.`

func cmdScenarios(e *env, args []string) error {
	fs := newFlagSet(e, "scenarios", "scenarios [show NAME] [flags]", scenariosAbout)
	outDir := fs.String("out", "", "with show: write NAME.yaml into `DIR` instead of stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		names := scenarios.Names()
		width := 0 // the longest name's, so that the summaries line up
		for _, n := range names {
			width = max(width, len(n))
		}
		for _, n := range names {
			b, _ := scenarios.Builtin(n)
			fmt.Fprintf(e.stdout, "%-*s  %s\n", width, n, summaryLine(b, n))
		}
		return nil
	case fs.Arg(0) == "show" && fs.NArg() == 2:
		name := fs.Arg(1)
		b, ok := scenarios.Builtin(name)
		if !ok {
			return usageErrorf("pipeshare scenarios: no embedded scenario %q (embedded: %s)",
				name, strings.Join(scenarios.Names(), ", "))
		}
		if *outDir == "" {
			_, err := e.stdout.Write(b)
			return err
		}
		return writeFile(e, "--out", filepath.Join(*outDir, name+".yaml"), func(w io.Writer) error {
			_, err := w.Write(b)
			return err
		})
	}
	return usageErrorf("pipeshare scenarios: want no argument or \"show NAME\" (see pipeshare scenarios --help)")
}

// summaryLine is the text after "NAME:" on a scenario's first comment line.
func summaryLine(b []byte, name string) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	if sc.Scan() {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "#"))
		return strings.TrimSpace(strings.TrimPrefix(line, name+":"))
	}
	return ""
}
