// Package importer turns real inputs into a pipeshare scenario (format v1):
// AWS CLI snapshots of an organization, Terraform plan JSON, CloudTrail
// traces and SageMaker pipeline definitions. Every importer returns one
// [Result]: the scenario, one header that says what was read, and one list
// of what could not be mapped. [Result.Write] validates the scenario before
// a byte is written, so an import never produces a file that
// `pipeshare validate` rejects.
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
}

// Header returns the comment block written above the scenario.
func (r *Result) Header() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Imported by `%s`.\n", r.Command)
	for _, l := range r.About {
		b.WriteString(l + "\n")
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
// `pipeshare validate` would) and only then writes it with its header to w.
// A scenario that does not validate is an internal error of the importer.
func (r *Result) Write(w io.Writer) error {
	r.File.Header = r.Header()
	var buf bytes.Buffer
	if err := scenarios.WriteFile(&buf, r.File); err != nil {
		return err
	}
	sc, err := scenarios.Parse(r.File.Name+".yaml", buf.Bytes(), scenarios.LoadOptions{})
	if err == nil {
		_, err = scenarios.Compile(sc)
	}
	if err != nil {
		return fmt.Errorf("importer: the imported scenario does not validate (please report this with the input): %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}
