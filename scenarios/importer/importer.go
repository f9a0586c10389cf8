package importer

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/pipeshare/pipeshare/scenarios"
)

// Options are what every importer takes besides its input.
type Options struct {
	Name     string // scenario name; default: derived from the input's name
	Start    string // RFC 3339; default scenarios.DefaultImportStart
	Duration string // default scenarios.DefaultImportDuration
}

// Result is what every importer returns.
type Result struct {
	// File is the imported scenario. Its Header is written by Write from
	// Command, About and Unmapped; importers leave it empty.
	File *scenarios.File
	// Command is the command line that made the file, e.g.
	// "pipeshare import aws snapshot/".
	Command string
	// About holds further header lines: what the input was, what is not
	// in it and what to edit next.
	About []string
	// Unmapped lists what could not be mapped, one line each.
	Unmapped []string

	// From, when set, says what the input was, e.g. "a Terraform plan":
	// the header's first line then ends "from a Terraform plan.".
	From string
	// Placeholders lists the values made up where the input has none (an
	// account ID known only after apply), one line each; the header lists
	// them before what could not be mapped.
	Placeholders []string
	// Warnings are problems of the input that did not stop the import,
	// each "file:line:col: warning: message" at its position in the
	// input, for stderr; they are not in the header.
	Warnings []string
	// Files holds the files the scenario names (a pipeline's
	// definition:), by the name written in it, so that Write validates
	// the scenario with them without opening a file.
	Files map[string][]byte
}

// Header returns the comment block written above the scenario.
func (r *Result) Header() string {
	var b strings.Builder
	if r.From != "" {
		fmt.Fprintf(&b, "Imported by `%s` from %s.\n", r.Command, r.From)
	} else {
		fmt.Fprintf(&b, "Imported by `%s`.\n", r.Command)
	}
	for _, l := range r.About {
		b.WriteString(l + "\n")
	}
	if len(r.Placeholders) > 0 {
		b.WriteString("placeholders (replace with the real IDs):\n")
		for _, p := range r.Placeholders {
			b.WriteString("  - " + p + "\n")
		}
	}
	if len(r.Unmapped) == 0 {
		b.WriteString("could not map: nothing\n")
		return b.String()
	}
	b.WriteString("could not map:\n")
	for _, u := range r.Unmapped {
		b.WriteString("  - " + u + "\n")
	}
	return b.String()
}

// Write validates the scenario (it must parse and compile, as
// `pipeshare validate` would, with the Files it names) and only then writes
// it with its header to w. A scenario that does not validate is an
// internal error of the importer.
func (r *Result) Write(w io.Writer) error {
	r.File.Header = r.Header()
	var buf bytes.Buffer
	if err := scenarios.WriteFile(&buf, r.File); err != nil {
		return err
	}
	if _, err := validate(r.File.Name+".yaml", buf.Bytes(), r.Files); err != nil {
		return fmt.Errorf("importer: the imported scenario does not validate (please report this with the input): %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
