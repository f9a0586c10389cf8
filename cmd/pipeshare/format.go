package main

import (
	"io"
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
