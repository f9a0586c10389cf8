package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

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
// file wins) and parses it. Problems come back as input errors whose text
// is "file:line:col: message" lines.
func readScenario(e *env, arg string, lf loadFlags) (*scenarios.Scenario, error) {
	opts := scenarios.LoadOptions{MaxInput: lf.maxInput, ReadFile: e.readNamedFile, Sets: lf.sets}
	if lf.maxInput <= 0 {
		return nil, usageErrorf("--max-input must be positive")
	}
	var name string
	var data []byte
	switch {
	case arg == "":
		arg = defaultScenario
		fallthrough
	case !fileExists(arg) && arg != "-":
		b, ok := scenarios.Builtin(arg)
		if !ok {
			return nil, usageErrorf("pipeshare: no file or embedded scenario named %q (embedded: %s)",
				arg, strings.Join(scenarios.Names(), ", "))
		}
		name, data = arg+".yaml", b
	case arg == "-":
		b, err := io.ReadAll(io.LimitReader(e.stdin, lf.maxInput+1))
		if err != nil {
			return nil, inputError(fmt.Errorf("<stdin>: %v", err))
		}
		name, data = "<stdin>", b
	default:
		if err := e.files.input("the scenario", arg); err != nil {
			return nil, err
		}
		f, err := os.Open(arg)
		if err != nil {
			return nil, inputError(fmt.Errorf("%s:1:1: %v", arg, unwrapPathError(err)))
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, lf.maxInput+1))
		if err != nil {
			return nil, inputError(fmt.Errorf("%s:1:1: %v", arg, unwrapPathError(err)))
		}
		name, data = arg, b
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

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
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
