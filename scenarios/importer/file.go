package importer

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"

	"github.com/pipeshare/pipeshare/scenarios"
)

// newFile is an empty scenario with o's name (defaultName when o gives
// none), start and duration (scenarios.DefaultImportStart and
// DefaultImportDuration when o gives none).
func (o Options) newFile(defaultName string) *scenarios.File {
	f := &scenarios.File{Name: o.Name, Start: o.Start, Duration: o.Duration}
	if f.Name == "" {
		f.Name = defaultName
	}
	if f.Start == "" {
		f.Start = scenarios.DefaultImportStart
	}
	if f.Duration == "" {
		f.Duration = scenarios.DefaultImportDuration
	}
	return f
}

// validate parses and compiles the scenario data, named name in positions,
// as `pipeshare validate` would, and returns its warnings; the files it
// names (a pipeline's definition:) are read from files, by their cleaned
// names.
func validate(name string, data []byte, files map[string][]byte) (scenarios.ErrorList, error) {
	var opts scenarios.LoadOptions
	if files != nil {
		opts.ReadFile = func(p string) ([]byte, error) {
			if b, ok := files[filepath.Clean(p)]; ok {
				return b, nil
			}
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
		}
	}
	sc, err := scenarios.Parse(name, data, opts)
	if err != nil {
		return nil, err
	}
	c, err := scenarios.Compile(sc)
	if err != nil {
		return nil, err
	}
	return c.Warnings, nil
}

// scpProblem returns why doc, attached to an organization's root as the
// SCP called name, does not validate (the first error's message, without
// its position), or "".
func scpProblem(name string, doc any) string {
	f := &scenarios.File{Name: "scp-check", Start: scenarios.DefaultImportStart, Duration: "1d",
		Organization: &scenarios.FileOrg{ID: "o-aaaaaaaaaa", ManagementAccount: "000000000001",
			Units: []scenarios.FileUnit{{Path: "/", SCPs: []string{name}}}},
		Accounts: []scenarios.FileAccount{{ID: "000000000001", OU: "/"}},
		Policies: map[string]any{name: doc}}
	var b bytes.Buffer
	if err := scenarios.WriteFile(&b, f); err != nil {
		return err.Error()
	}
	_, err := validate("scp-check.yaml", b.Bytes(), nil)
	if err == nil {
		return ""
	}
	var l scenarios.ErrorList
	if errors.As(err, &l) {
		for _, d := range l {
			if !d.Warning() {
				return d.Msg
			}
		}
	}
	return err.Error()
}
