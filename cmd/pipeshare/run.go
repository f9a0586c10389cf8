package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// version is the pipeshare version printed by --version and written into
// JSON output.
var version = "0.1.0-dev"

// env is everything a command may touch.
type env struct {
	ctx    context.Context // cancelled by SIGINT or SIGTERM (see interrupt.go)
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	files  *files // what the command reads and writes (see output.go)
}

type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

func commands() []command {
	return []command{
		{"run", "simulate a scenario and report calls by decision and reason", cmdRun},
		{"validate", "check scenario files and print every error with its position", cmdValidate},
		{"explain", "explain one decision layer by layer", cmdExplain},
		{"access", "print who may call which action on which pipeline at a time", cmdAccess},
		{"check", "evaluate compliance rules over a run; exit 1 on findings", cmdCheck},
		{"diff", "run two scenarios with the same random numbers and report what changed", cmdDiff},
		{"plan", "search a space of variants of a scenario and recommend one", cmdPlan},
		{"merge", "merge the part files of run --replicas or plan --shard i/k into one report", cmdMerge},
		{"scenarios", "list the embedded scenarios, or show one", cmdScenarios},
		{"schema", "print the JSON Schema of scenario files or of a command's JSON output", cmdSchema},
		{"import", "turn real inputs (AWS CLI snapshots, CloudTrail, Terraform, ...) into a scenario", cmdImport},
	}
}

const mainUsage = `pipeshare plans cross-account sharing of SageMaker Pipelines offline.

Usage:
  pipeshare COMMAND [ARGS] [FLAGS]

Commands:
%s
Flags:
  -h, --help      help for pipeshare (or for a command: pipeshare run --help)
      --version   print the version

SCENARIO is a file ("-" for stdin) or the name of an embedded scenario
(a file wins); without one, commands use the embedded "quickstart".
Exit codes: 0 ok, 1 findings or differences, 2 usage or input error.
`

// run is the whole program: it returns the exit code. When ctx is
// cancelled by a signal (see interrupt.go) the command stops, removes its
// temporary files and run returns 128 + the signal's number.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, files: &files{}}
	err := dispatch(e, args)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	var sig interrupted
	switch {
	case errors.As(context.Cause(ctx), &sig):
		ee = &exitError{code: sig.exitCode(), msg: "pipeshare: " + sig.Error()}
	case !errors.As(err, &ee):
		ee = &exitError{code: exitInput, msg: err.Error()}
	}
	if ee.msg != "" {
		fmt.Fprintln(stderr, strings.TrimRight(ee.msg, "\n"))
	}
	return ee.code
}

func dispatch(e *env, args []string) error {
	if len(args) == 0 {
		return cmdRun(e, nil)
	}
	switch args[0] {
	case "-h", "--help", "help":
		printMainUsage(e.stdout)
		return nil
	case "--version", "version":
		fmt.Fprintf(e.stdout, "pipeshare %s\n", version)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	return usageErrorf("pipeshare: unknown command %q (commands: %s; see pipeshare --help)", args[0], commandNames())
}

func commandNames() string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

func printMainUsage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-10s  %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, mainUsage, b.String())
}

// newFlagSet returns a flag set for a command whose usage line is usage.
func newFlagSet(e *env, name, usage, about string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("pipeshare "+name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage:\n  pipeshare %s\n\n%s\n\nFlags:\n%s", usage, about, fs.FlagUsages())
	}
	return fs
}

// parseFlags parses args; --help prints the usage (pflag calls fs.Usage) and returns errHelp, any
// other flag error is a usage error (exit 2) with a hint.
func parseFlags(fs *pflag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		return errHelp // pflag has printed the usage
	}
	if err != nil {
		return usageErrorf("%s: %v (see %s --help)", fs.Name(), err, fs.Name())
	}
	return nil
}

// oneOf checks an enumerated flag value.
func oneOf(flag, val string, allowed ...string) error {
	for _, a := range allowed {
		if val == a {
			return nil
		}
	}
	return usageErrorf("--%s must be one of %s, not %q", flag, strings.Join(allowed, ", "), val)
}
