package input

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Root is the folder that the paths named inside documents must stay
// under.
type Root struct {
	dir  string // absolute and clean
	real string // dir with its symbolic links resolved
}

// NewRoot returns the root folder dir ("" is the current folder).
func NewRoot(dir string) (*Root, error) {
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(real)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, &fs.PathError{Op: "root", Path: dir, Err: errors.New("not a folder")}
	}
	return &Root{dir: abs, real: real}, nil
}

// OutsideError is the error of a path that leads out of the root.
type OutsideError struct {
	Root string // the root folder
	Link bool   // the path is under the root, but a symbolic link leads out
}

func (e *OutsideError) Error() string {
	what := "outside"
	if e.Link {
		what = "a link to a file outside"
	}
	return what + " " + e.Root + " (files named in a scenario must be under the folder pipeshare started in, or under --root DIR)"
}

// Confine returns the path name (relative to the current folder, or
// absolute) with its symbolic links resolved, when it is under the root
// both as written and once resolved. A path outside the root is refused
// before it is looked at, so the answer does not tell whether a file
// exists there: the error is an *fs.PathError with an *OutsideError. A
// path under the root that does not exist is an error satisfying
// errors.Is(err, fs.ErrNotExist).
func (r *Root) Confine(name string) (string, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return "", err
	}
	if !within(r.dir, abs) && !within(r.real, abs) {
		return "", &fs.PathError{Op: "open", Path: name, Err: &OutsideError{Root: r.dir}}
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	if !within(r.real, real) {
		return "", &fs.PathError{Op: "open", Path: name, Err: &OutsideError{Root: r.dir, Link: true}}
	}
	return real, nil
}

// within reports whether the clean absolute path p is dir or under it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
