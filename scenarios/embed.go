package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pipeshare/pipeshare/internal/input"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Names returns the names of the embedded example scenarios, sorted
// ("data-plane", "extended-vs-read-only", "external-partner", "org-restructure",
// "quickstart", "scale", "w1", "w1-500", "w1-steady"). The w1 scenarios
// are the W1 benchmark workload (bench/README.md#w1-in-pipeshare); scale is
// 10,000 accounts, 2,000 pipelines and 5,000 shares written with count
// templates, about 1,000,000 calls per simulated day.
func Names() []string {
	entries, _ := fs.ReadDir(builtinFS, "builtin")
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Builtin returns the YAML of the embedded scenario name, and whether it
// exists. The returned slice is a fresh copy the caller may modify.
func Builtin(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, "/\\") {
		return nil, false
	}
	data, err := builtinFS.ReadFile(path.Join("builtin", name+".yaml"))
	if err != nil {
		return nil, false
	}
	return data, true
}

// NotFoundError is the error of [Resolve] when a name is neither a file
// nor an embedded scenario.
type NotFoundError struct{ Ref string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no file or embedded scenario named %s (embedded: %s)", input.Quote(e.Ref), strings.Join(Names(), ", "))
}

// Resolve is the one resolver of a scenario named by a file or an embedded
// name, as `pipeshare run SCENARIO` and `extends: BASE` name one: a file
// wins; else ref names an embedded scenario, with or without ".yaml"
// ("quickstart" or "quickstart.yaml"). A relative file name is joined with
// folder dir (none when dir is "") and read with readFile; when readFile is
// nil only embedded scenarios are found. A file readFile refuses as
// outside the root folder (an input.OutsideError) does not win over an
// embedded name: `extends: quickstart` works from any folder.
//
// It returns the name used in positions (the file's path, or "NAME.yaml"
// for an embedded scenario), the data and whether it is embedded. When
// the file exists but cannot be read, name is its path and err says why,
// without the path; when there is neither a file nor an embedded scenario,
// err is a *NotFoundError.
func Resolve(ref, dir string, readFile func(name string) ([]byte, error)) (name string, data []byte, embedded bool, err error) {
	bname := strings.TrimSuffix(ref, ".yaml")
	if readFile != nil && ref != "" {
		p := inDir(dir, ref)
		data, err := readFile(p)
		if err == nil {
			return p, data, false, nil
		}
		var oe *input.OutsideError
		if _, ok := Builtin(bname); !errors.Is(err, fs.ErrNotExist) && !(errors.As(err, &oe) && ok) {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return p, nil, false, err
		}
	}
	if b, ok := Builtin(bname); ok {
		return bname + ".yaml", b, true, nil
	}
	return "", nil, false, &NotFoundError{Ref: ref}
}

// inDir returns path p named in a file of folder dir: relative paths
// resolve against dir (none when dir is ""), absolute ones stay.
func inDir(dir, p string) string {
	if dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}
