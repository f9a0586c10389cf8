package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/internal/input"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/sim"
	"github.com/spf13/pflag"
)

const defaultScenario = "quickstart"

// loadFlags are the flags of every command that reads a scenario.
type loadFlags struct {
	maxInput int64
	root     string
	sets     []string
}

func (l *loadFlags) register(fs *pflag.FlagSet) {
	registerMaxInput(fs, &l.maxInput)
	registerRoot(fs, &l.root)
	fs.StringArrayVar(&l.sets, "set", nil, "override one scenario value, `PATH=VALUE` (repeatable), e.g. shares.NAME.permission=read-only")
}

// inputs returns the reader of the command's documents.
func (l loadFlags) inputs(e *env) (*inputs, error) { return newInputs(e, l.maxInput, l.root) }

// readScenario resolves arg (a file, "-" for stdin, or an embedded name; a
// file wins; none is quickstart) with scenarios.Resolve and parses it. The
// files it names are read with the bounded reader and must be under the
// root. Problems come back as input errors whose text is
// "file:line:col: message" lines.
func readScenario(e *env, arg string, lf loadFlags) (*scenarios.Scenario, error) {
	b, _, err := readScenarioBase(e, arg, lf)
	if err != nil {
		return nil, err
	}
	return b.Scenario(), nil
}

// readScenarioBase is readScenario keeping the scenario's tree for
// variants (pipeshare plan); embedded says the scenario is an embedded
// one.
func readScenarioBase(e *env, arg string, lf loadFlags) (b *scenarios.Base, embedded bool, err error) {
	in, err := lf.inputs(e)
	if err != nil {
		return nil, false, err
	}
	opts := scenarios.LoadOptions{MaxInput: lf.maxInput, ReadFile: in.readRef, Sets: lf.sets}
	var name string
	var data []byte
	switch arg {
	case "-":
		name = "<stdin>"
		if data, err = in.read("the scenario", arg); err != nil {
			return nil, false, fileError(err)
		}
	case "":
		name, data, embedded, err = scenarios.Resolve(defaultScenario, "", nil)
	default:
		name, data, embedded, err = scenarios.Resolve(arg, "", func(p string) ([]byte, error) { return in.read("the scenario", p) })
	}
	var nf *scenarios.NotFoundError
	switch {
	case errors.As(err, &nf):
		return nil, false, usageErrorf("pipeshare: %v", err)
	case err != nil:
		return nil, false, inputError(fmt.Errorf("%s:1:1: %v", input.Cut(name), err))
	}
	b, err = scenarios.ParseBase(name, data, opts)
	if err != nil {
		return nil, false, scenarioError(err)
	}
	if err := in.checkTraces(b.Scenario()); err != nil {
		return nil, false, err
	}
	return b, embedded, nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// scenarioError turns a scenario ErrorList into an input error listing every
// diagnostic.
func scenarioError(err error) error {
	var l scenarios.ErrorList
	if errors.As(err, &l) {
		return &exitError{code: exitInput, msg: l.String()}
	}
	return inputError(err)
}

// compileScenario loads and compiles arg, printing warnings to stderr.
func compileScenario(e *env, arg string, lf loadFlags) (*scenarios.Compiled, error) {
	sc, err := readScenario(e, arg, lf)
	if err != nil {
		return nil, err
	}
	return compile(e, sc)
}

func compile(e *env, sc *scenarios.Scenario) (*scenarios.Compiled, error) {
	return compileAfter(e, sc, nil)
}

// compileAfter is compile printing only the warnings that are not in
// shown: diff's two scenarios are often one file, whose warnings it says
// once.
func compileAfter(e *env, sc *scenarios.Scenario, shown scenarios.ErrorList) (*scenarios.Compiled, error) {
	c, err := scenarios.Compile(sc)
	if err != nil {
		return nil, scenarioError(err)
	}
	printNew(e.stderr, shown.String(), c.Warnings.String())
	return c, nil
}

// printNew writes the lines of text that are not lines of said: what
// diff's second scenario or replay says that its first did not.
func printNew(w io.Writer, said, text string) {
	old := strings.SplitAfter(said, "\n")
	for _, line := range strings.SplitAfter(text, "\n") {
		if line != "" && !slices.Contains(old, line) {
			io.WriteString(w, line)
		}
	}
}

// compileUntil compiles sc, printing the warnings not in shown, and, when
// until is set (--until), replaces the run's horizon with it.
func compileUntil(e *env, sc *scenarios.Scenario, until string, shown scenarios.ErrorList) (*scenarios.Compiled, error) {
	c, err := compileAfter(e, sc, shown)
	if err != nil || until == "" {
		return c, err
	}
	t, err := parseAt("until", until, sc)
	if err != nil {
		return nil, err
	}
	c.Sim.SetHorizon(t)
	return c, nil
}

// parseAt parses a --at or --until value: an RFC 3339 time or an offset
// from the scenario start.
func parseAt(flag, v string, sc *scenarios.Scenario) (sim.Time, error) {
	t, err := scenarios.ParseTime(v, sc.Start)
	if err != nil {
		return 0, usageErrorf("--%s: %v", flag, err)
	}
	return t, nil
}
