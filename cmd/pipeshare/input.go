package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pipeshare/pipeshare/internal/input"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/spf13/pflag"
)

// This file is where every document a command reads is opened: the
// scenario and the files it names, waivers, part files and the inputs of
// the importers, all through internal/input's bounded reader, with one
// --max-input. Paths named inside a scenario stay under the root (the
// folder pipeshare started in, or --root).

// registerMaxInput registers --max-input, the size limit of every document
// the command reads.
func registerMaxInput(fs *pflag.FlagSet, p *int64) {
	fs.Int64Var(p, "max-input", input.DefaultLimit,
		"largest input file accepted (the scenario and the files it names, waivers, part files, imported files), in `bytes`")
}

// maxStream is the --max-input of a command that streams its input
// (import prices), which memory does not bound.
const maxStream = 8 << 30

// registerMaxStream registers the --max-input of a command that streams
// its input.
func registerMaxStream(fs *pflag.FlagSet, p *int64) {
	fs.Int64Var(p, "max-input", maxStream, "largest input file accepted, in `bytes` (it is streamed, not held)")
}

// registerRoot registers --root, the folder the files a scenario names
// must be under.
func registerRoot(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "root", "", "files a scenario names (extends, definition, trace) must be under `DIR` (default: the current folder)")
}

// inputs reads a command's documents, and records each as an input of
// the command (env.files), so that no output replaces it.
type inputs struct {
	limit int64
	stdin io.Reader
	root  *input.Root
	files *files
}

// newInputs checks --max-input and --root (root "" is the current folder).
func newInputs(e *env, maxInput int64, root string) (*inputs, error) {
	if maxInput <= 0 {
		return nil, usageErrorf("--max-input must be positive")
	}
	r, err := input.NewRoot(root)
	if err != nil {
		return nil, usageErrorf("--root: %v", unwrapPathError(err))
	}
	return &inputs{limit: maxInput, stdin: e.stdin, root: r, files: e.files}, nil
}

// read reads the document name, a regular file or "-" (standard input,
// "<stdin>" in errors), refusing one over the limit without reading it
// whole; role names it as an input of the command ("the scenario"). Errors
// are *fs.PathError naming name, or the error of an output that would
// replace it.
func (in *inputs) read(role, name string) ([]byte, error) {
	if err := in.files.input(role, name); err != nil {
		return nil, err
	}
	if name == "-" {
		data, err := input.Read(in.stdin, in.limit)
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: "<stdin>", Err: err}
		}
		return data, nil
	}
	return in.readFile(name, name)
}

// stream opens the document name, a regular file or "-" (standard input),
// as a stream of at most the limit; role names it as an input of the
// command. Errors are *fs.PathError naming name.
func (in *inputs) stream(role, name string) (*input.Stream, error) {
	if err := in.files.input(role, name); err != nil {
		return nil, err
	}
	if name == "-" {
		return input.NewStream(in.stdin, in.limit), nil
	}
	var st *input.Stream
	err := inFolder(name, name, func(fsys fs.FS, base string) (err error) {
		st, err = input.OpenStream(fsys, base, in.limit)
		return err
	})
	return st, err
}

// readFile reads the regular file at path, naming it name in errors.
func (in *inputs) readFile(name, path string) ([]byte, error) {
	var data []byte
	err := inFolder(name, path, func(fsys fs.FS, base string) (err error) {
		data, err = input.ReadFile(fsys, base, in.limit)
		return err
	})
	return data, err
}

// inFolder calls open with the folder of the file at path and the file's
// name in it; the *fs.PathError it returns names the file name.
func inFolder(name, path string, open func(fsys fs.FS, base string) error) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return &fs.PathError{Op: "open", Path: name, Err: err}
	}
	dir, base := filepath.Split(abs)
	if base == "" { // the file system's root
		dir, base = abs, "."
	}
	err = open(os.DirFS(dir), base)
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		pe.Path = name
	}
	return err
}

// readRef reads the document name that a scenario names: it must be under
// the root, also once its symbolic links are resolved.
func (in *inputs) readRef(name string) ([]byte, error) {
	real, err := in.root.Confine(name)
	if err != nil {
		return nil, err
	}
	if err := in.files.input("a file the scenario names", name); err != nil {
		return nil, err
	}
	return in.readFile(name, real)
}

// dirFS is folder dir for an importer, an input of the command (role): its
// files are read by the bounded reader, and symbolic links in it cannot
// lead out of it. close releases it.
func (in *inputs) dirFS(role, dir string) (fsys fs.FS, close func() error, err error) {
	if err := in.files.input(role, dir); err != nil {
		return nil, nil, err
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, err
	}
	return input.FS(r.FS(), in.limit), r.Close, nil
}

// checkTraces checks that the traces sc's workload names are under the
// root, reporting one that is not at its position.
func (in *inputs) checkTraces(sc *scenarios.Scenario) error {
	for i, p := range sc.TracePaths() {
		if _, err := in.root.Confine(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return inputError(fmt.Errorf("%s: trace: %s: %v", sc.Traces[i].Pos, input.Cut(p), unwrapPathError(err)))
		}
	}
	return nil
}

// fileError is the input error of a document that could not be read:
// "FILE:1:1: why".
func fileError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return inputError(fmt.Errorf("%s:1:1: %v", input.Cut(pe.Path), pe.Err))
	}
	return inputError(err)
}
