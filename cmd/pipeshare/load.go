package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/sim"
	"github.com/spf13/pflag"
)

const defaultScenario = "quickstart"

// loadFlags are the flags of every command that reads a scenario.
type loadFlags struct {
	maxInput int64
	sets     []string
}

func (l *loadFlags) register(fs *pflag.FlagSet) {
	fs.Int64Var(&l.maxInput, "max-input", scenarios.DefaultMaxInput, "largest scenario file accepted, in `bytes`")
	fs.StringArrayVar(&l.sets, "set", nil, "override one scenario value, `PATH=VALUE` (repeatable), e.g. shares.NAME.permission=read-only")
}

// readScenario resolves arg (a file, "-" for stdin, or an embedded name; a
// file wins; none is quickstart) with scenarios.Resolve and parses it.
// Problems come back as input errors whose text is "file:line:col: message"
// lines.
func readScenario(e *env, arg string, lf loadFlags) (*scenarios.Scenario, error) {
	opts := scenarios.LoadOptions{MaxInput: lf.maxInput, ReadFile: e.readNamedFile, Sets: lf.sets}
	if lf.maxInput <= 0 {
		return nil, usageErrorf("--max-input must be positive")
	}
	// The scenario is read through a bounded reader: a huge file is
	// refused (by Parse) without being read whole.
	bounded := func(r io.Reader) ([]byte, error) { return io.ReadAll(io.LimitReader(r, lf.maxInput+1)) }
	var name string
	var data []byte
	var err error
	switch arg {
	case "-":
		name = "<stdin>"
		if data, err = bounded(e.stdin); err != nil {
			return nil, inputError(fmt.Errorf("<stdin>: %v", err))
		}
	case "":
		name, data, _, err = scenarios.Resolve(defaultScenario, "", nil)
	default:
		if err = e.files.input("the scenario", arg); err != nil {
			return nil, err
		}
		name, data, _, err = scenarios.Resolve(arg, "", func(path string) ([]byte, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return bounded(f)
		})
	}
	var nf *scenarios.NotFoundError
	switch {
	case errors.As(err, &nf):
		return nil, usageErrorf("pipeshare: %v", err)
	case err != nil:
		return nil, inputError(fmt.Errorf("%s:1:1: %v", name, err))
	}
	sc, err := scenarios.Parse(name, data, opts)
	if err != nil {
		return nil, scenarioError(err)
	}
	return sc, nil
}

// readNamedFile reads a file a scenario names (extends:, definition:), an
// input of the command.
func (e *env) readNamedFile(name string) ([]byte, error) {
	if err := e.files.input("a file the scenario names", name); err != nil {
		return nil, err
	}
	return os.ReadFile(name)
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
	c, err := scenarios.Compile(sc)
	if err != nil {
		return nil, scenarioError(err)
	}
	io.WriteString(e.stderr, c.Warnings.String())
	return c, nil
}

// compileUntil compiles sc and, when until is set (--until), replaces the
// run's horizon with it.
func compileUntil(e *env, sc *scenarios.Scenario, until string) (*scenarios.Compiled, error) {
	c, err := compile(e, sc)
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
