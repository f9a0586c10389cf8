package main

import (
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/report"
	"github.com/spf13/pflag"
)

// The one home of --format: every command registers it from the view it
// prints, checks it against that view before computing anything, and
// renders through the view. The formats come from the view alone, so the
// default, the help text and the usage error cannot disagree with what
// the view renders.

// registerFormat adds --format to fs for a command that prints v: the
// default is v's first format and the help lists v's formats, then note.
func registerFormat(fs *pflag.FlagSet, v report.View, note string) *string {
	f := v.Formats()
	list := f[len(f)-1]
	if len(f) > 1 {
		list = strings.Join(f[:len(f)-1], ", ") + " or " + list
	}
	return fs.String("format", f[0], "output `format`: "+list+note)
}

// checkFormat returns the usage error for a format v does not render.
func checkFormat(v report.View, format string) error {
	return oneOf("format", format, v.Formats()...)
}

// renderAs returns what writeOutput takes: v rendered in format.
func renderAs(v report.View, format string) func(io.Writer) error {
	return func(w io.Writer) error { return v.Render(w, format) }
}

// registerOut adds the repeatable --out to fs: each file is one output of
// the same run, in the format its extension names (see outputsOf).
func registerOut(fs *pflag.FlagSet, what string) *[]string {
	return fs.StringArray("out", nil, "write "+what+" to `FILE` (atomically) instead of stdout; repeatable, each in the format its extension names (.json, .html, ...), else --format")
}

// output is one output of a command: a path ("" is stdout) and the
// format written there.
type output struct {
	path, format string
}

// extFormats are the formats an --out file's extension names.
var extFormats = map[string]string{
	".txt": "text", ".text": "text", ".json": "json", ".csv": "csv", ".md": "md",
	".html": "html", ".sarif": "sarif", ".xml": "junit",
}

// outputsOf checks --format against v and returns the outputs of a
// command that prints v: stdout in format when outs is empty, else each
// --out in the format its extension names (.json, .html, …). explicit
// says whether --format was given: an extension that names another format
// is then a usage error, and a file with no extension or one that names
// no format is written in format. An unknown extension without --format is
// a usage error when --out is repeated; a single --out keeps --format's
// default, as before --out was repeatable. A format v does not render, and
// one path given twice, are usage errors too.
func outputsOf(v report.View, format string, explicit bool, outs []string) ([]output, error) {
	if err := checkFormat(v, format); err != nil {
		return nil, err
	}
	if len(outs) == 0 {
		return []output{{"", format}}, nil
	}
	res := make([]output, len(outs))
	for i, path := range outs {
		if slices.Contains(outs[:i], path) {
			return nil, usageErrorf("--out %s is given twice: give each output its own file", path)
		}
		f := format
		ext := strings.ToLower(filepath.Ext(path))
		if base := filepath.Base(path); ext == strings.ToLower(base) {
			ext = "" // ".", ".hidden": no extension
		}
		named, ok := extFormats[ext]
		switch {
		case ok && explicit && named != format:
			return nil, usageErrorf("--out %s is %s by its extension, not --format %s: drop --format or rename the file", path, named, format)
		case ok:
			if !slices.Contains(v.Formats(), named) {
				return nil, usageErrorf("--out %s: this report is not written as %s (its formats: %s)", path, named, strings.Join(v.Formats(), ", "))
			}
			f = named
		case ext != "" && !explicit && len(outs) > 1:
			return nil, usageErrorf("--out %s: no format has the extension %s: name one with --format (%s) or rename the file", path, ext, strings.Join(v.Formats(), ", "))
		}
		res[i] = output{path, f}
	}
	return res, nil
}

// claimOutputs claims every output's file before any input is read, so
// that one that would replace an input, or another output, is refused
// before any work.
func claimOutputs(e *env, outs []output) error {
	for _, o := range outs {
		if err := e.files.output("--out", o.path); err != nil {
			return err
		}
	}
	return nil
}

// writeOutputs writes each output, rendered in its format by render, from
// the one computed report.
func writeOutputs(e *env, outs []output, render func(format string) func(io.Writer) error) error {
	for _, o := range outs {
		if err := writeOutput(e, o.path, render(o.format)); err != nil {
			return err
		}
	}
	return nil
}

// anyFormat reports whether an output is in one of formats.
func anyFormat(outs []output, pred func(format string) bool) bool {
	return slices.ContainsFunc(outs, func(o output) bool { return pred(o.format) })
}
