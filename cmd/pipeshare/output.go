package main

// The one safe writer: every file a command writes (--out, --calls,
// scenarios show --out, import --out, merge --out, ...) goes through
// files.create. pipeshare runs in CI on pull requests, so the paths it is
// given are untrusted:
//
//   - an output may not be one of the command's inputs (the same file by
//     device and inode, whatever its name) nor another of its outputs
//     (--calls F --out F); character devices are exempt (/dev/null twice
//     is fine);
//   - a regular file, or a new one, is written to a temporary file beside
//     it, synced and renamed over it only when everything was written: a
//     failure or an interrupt leaves an existing file as it was and removes
//     the temporary file;
//   - a symbolic link is followed: what it points to is written (as above
//     when that is a regular file) and the link stays a link;
//   - anything else (a character device, a FIFO, /dev/stdout or another
//     link into /proc) is opened and written through, never replaced, and a
//     write error (ENOSPC on /dev/full) is an error, exit 2;
//   - every write looks at the command's context, so an interrupt stops a
//     long report within 64 KiB.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// files is what one command reads and writes (see the top of this file).
type files struct {
	mu      sync.Mutex
	inputs  []fileRole
	outputs []fileRole
}

// fileRole is a file a command reads or writes, and its role.
type fileRole struct {
	role string      // how messages name it: "the scenario", "--out", …
	path string      // as given
	info os.FileInfo // the file (links followed); nil when there is none yet
	abs  string      // an output with no file yet: the absolute path it will have
}

// input records that the command reads path as role ("the scenario",
// "the --waivers file", …): an error if path is an output claimed so far.
// A folder (import aws DIR) stands for every file under it, up to
// maxFolderInputs of them. A path that cannot be stat'ed is not recorded
// (reading it will fail).
func (f *files) input(role, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil
	}
	if !info.IsDir() {
		return f.add(fileRole{role: role, path: path, info: info})
	}
	n := 0
	return filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil // what cannot be listed cannot be read either
		}
		if n++; n > maxFolderInputs {
			return filepath.SkipAll
		}
		if info, err := os.Stat(p); err == nil { // a link is read as what it points to
			return f.add(fileRole{role: role, path: p, info: info})
		}
		return nil
	})
}

// maxFolderInputs bounds the files recorded for one input folder.
const maxFolderInputs = 100_000

// add records input in, unless it is an output claimed so far.
func (f *files) add(in fileRole) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, out := range f.outputs {
		if sameFile(out, in) {
			return replacesInput(out, in)
		}
	}
	f.inputs = append(f.inputs, in)
	return nil
}

// output claims path (not "" or "-") as the output of flag: an error if it
// is one of the inputs or another output recorded so far. A command claims
// its outputs before it reads anything, so that a clash is found before
// any work; claiming the same flag and path again changes nothing.
func (f *files) output(flag, path string) error {
	_, err := f.claim(flag, path)
	return err
}

// claim is output, returning where path leads.
func (f *files) claim(flag, path string) (outputTarget, error) {
	if path == "" || path == "-" {
		return outputTarget{}, nil // stdout
	}
	t, err := resolveOutput(path)
	if err != nil {
		return t, outputError(flag, path, err)
	}
	out := fileRole{role: flag, path: path, info: t.info}
	if t.info == nil {
		if _, err := os.Stat(filepath.Dir(t.path)); err != nil {
			return t, outputError(flag, path, err) // no folder to create it in: say so before any work
		}
		out.abs = absPath(t.path)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.outputs {
		switch {
		case o.role == flag && o.path == path:
			return t, nil
		case sameFile(o, out):
			return t, usageErrorf("%s %s and %s %s are the same file: give each output its own", o.role, o.path, flag, path)
		}
	}
	for _, in := range f.inputs {
		if sameFile(in, out) {
			return t, replacesInput(out, in)
		}
	}
	f.outputs = append(f.outputs, out)
	return t, nil
}

func replacesInput(out, in fileRole) error {
	return usageErrorf("%s %s is %s (%s): an output must not replace an input", out.role, out.path, in.role, in.path)
}

// sameFile reports whether a and b are one file: by device and inode when
// both exist (a character device may be named twice), else by the path a
// new output will have.
func sameFile(a, b fileRole) bool {
	if a.info != nil && b.info != nil {
		return os.SameFile(a.info, b.info) && a.info.Mode()&fs.ModeCharDevice == 0
	}
	return a.info == nil && b.info == nil && a.abs == b.abs
}

// absPath is the absolute path of p with the links of its folder resolved.
func absPath(p string) string {
	dir := filepath.Dir(p)
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	abs, err := filepath.Abs(filepath.Join(dir, filepath.Base(p)))
	if err != nil {
		return p
	}
	return abs
}

// outputTarget is where an output path leads.
type outputTarget struct {
	path    string      // the file written: path with its links followed
	info    os.FileInfo // what is there; nil for nothing yet
	through bool        // written through rather than replaced
}

// maxLinks is how many symbolic links resolveOutput follows, as Linux.
const maxLinks = 40

// resolveOutput follows path's symbolic links to the file an output
// writes. It is written through when it is not a regular file, or when a
// link inside /proc leads to it (/dev/stdout, /dev/fd/N: the open file of
// a descriptor, whose own type is no guide).
func resolveOutput(path string) (outputTarget, error) {
	p := path
	for range maxLinks {
		li, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return outputTarget{path: p}, nil
		case err != nil:
			return outputTarget{}, err
		case li.Mode().IsRegular():
			return outputTarget{path: p, info: li}, nil
		case li.IsDir():
			return outputTarget{}, errors.New("is a folder")
		case li.Mode()&fs.ModeSymlink == 0:
			return outputTarget{path: p, info: li, through: true}, nil
		case inProc(p):
			info, err := os.Stat(p)
			return outputTarget{path: p, info: info, through: true}, err
		}
		dest, err := os.Readlink(p)
		if err != nil {
			return outputTarget{}, err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(p), dest)
		}
		p = dest
	}
	return outputTarget{}, errors.New("too many levels of symbolic links")
}

// inProc reports whether p's folder is inside /proc.
func inProc(p string) bool {
	dir, err := filepath.EvalSymlinks(filepath.Dir(p))
	if err != nil {
		return false
	}
	dir, err = filepath.Abs(dir)
	return err == nil && (dir == "/proc" || strings.HasPrefix(dir, "/proc/"))
}

// create claims path as flag's output and opens it: a temporary file beside
// a regular or new file, else the file itself (written through). Write to
// the outFile, then commit it, or abort it on any error.
func (f *files) create(ctx context.Context, flag, path string) (*outFile, error) {
	t, err := f.claim(flag, path)
	if err != nil {
		return nil, err
	}
	o := &outFile{ctx: ctx, flag: flag, path: path, target: t.path}
	if t.through {
		if o.f, err = os.OpenFile(t.path, os.O_WRONLY|os.O_APPEND, 0); err != nil {
			return nil, outputError(flag, path, err)
		}
		return o, nil
	}
	mode := fs.FileMode(0o644) // CreateTemp makes a private file; a report is an ordinary one
	if t.info != nil {
		mode = t.info.Mode().Perm() // replacing a file keeps its permissions
	}
	if o.f, err = os.CreateTemp(filepath.Dir(t.path), "."+filepath.Base(t.path)+".tmp*"); err != nil {
		return nil, outputError(flag, path, err)
	}
	o.tmp = o.f.Name()
	temps.add(o.tmp)
	if err := o.f.Chmod(mode); err != nil {
		o.abort()
		return nil, outputError(flag, path, err)
	}
	return o, nil
}

// outFile is an output being written (see files.create).
type outFile struct {
	ctx        context.Context
	flag, path string // for messages
	target     string // the file written or replaced
	f          *os.File
	tmp        string // the temporary file; "" when written through
	done       bool   // committed or aborted
}

// Write writes p unless the command was interrupted.
func (o *outFile) Write(p []byte) (int, error) {
	if err := o.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := o.f.Write(p)
	if err != nil {
		return n, outputError(o.flag, o.path, err)
	}
	return n, nil
}

// commit finishes the output: a temporary file is synced, closed and
// renamed over the target (then its folder is synced); a file written
// through is closed. On an error the temporary file is removed.
func (o *outFile) commit() error {
	o.done = true
	var err error
	if o.tmp != "" {
		err = o.f.Sync()
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err == nil && o.tmp != "" {
		err = os.Rename(o.tmp, o.target)
	}
	if o.tmp != "" {
		if err != nil {
			os.Remove(o.tmp)
		} else {
			syncDir(filepath.Dir(o.target))
		}
		temps.remove(o.tmp)
	}
	if err != nil {
		return outputError(o.flag, o.path, err)
	}
	return nil
}

// abort closes the output and removes its temporary file; after commit or
// a first abort it does nothing, so it can be deferred.
func (o *outFile) abort() {
	if o == nil || o.done {
		return
	}
	o.done = true
	o.f.Close()
	if o.tmp != "" {
		os.Remove(o.tmp)
		temps.remove(o.tmp)
	}
}

// syncDir makes a rename in dir durable; where folders cannot be synced
// the rename stands anyway.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// outputError is an output's error, exit 2: "--out FILE: no space left on
// device" (the operating system's words).
func outputError(flag, path string, err error) error {
	return &exitError{code: exitInput, msg: fmt.Sprintf("%s %s: %v", flag, path, unwrapPathError(err))}
}

// writeOutput renders to --out path or, when path is "" or "-", to stdout,
// through a 64 KiB buffer (a report of millions of rows, the access matrix
// of a large organization, is never held whole in memory).
func writeOutput(e *env, path string, render func(io.Writer) error) error {
	return writeFile(e, "--out", path, render)
}

// writeFile is writeOutput for the output of flag.
func writeFile(e *env, flag, path string, render func(io.Writer) error) error {
	var w io.Writer = ctxWriter{e.ctx, e.stdout}
	var o *outFile
	if path != "" && path != "-" {
		var err error
		if o, err = e.files.create(e.ctx, flag, path); err != nil {
			return err
		}
		defer o.abort()
		w = o
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	err := render(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil || o == nil {
		return err
	}
	return o.commit()
}

// ctxWriter writes to w unless ctx is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// temps are this process's temporary output files, for a second interrupt
// to remove before it exits (the first one lets each output remove its
// own).
var temps = tempSet{names: map[string]struct{}{}}

type tempSet struct {
	mu    sync.Mutex
	names map[string]struct{}
}

func (t *tempSet) add(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.names[name] = struct{}{}
}

func (t *tempSet) remove(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.names, name)
}

// removeAll removes every temporary file still there.
func (t *tempSet) removeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for name := range t.names {
		os.Remove(name)
		delete(t.names, name)
	}
}
