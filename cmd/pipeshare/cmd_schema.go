package main

import (
	"strings"

	"github.com/pipeshare/pipeshare/scenarios"
)

const schemaAbout = `Prints a JSON Schema (draft 2020-12): "scenario" for scenario files
(format version 1; for editor completion) or "output" for run --format json
(schema_version 1; for CI consumers). Within a schema_version keys are only
added; removing a key or changing its meaning bumps schema_version.`

func cmdSchema(e *env, args []string) error {
	fs := newFlagSet(e, "schema", "schema scenario|output", schemaAbout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	names := scenarios.JSONSchemaNames()
	if fs.NArg() != 1 {
		return usageErrorf("pipeshare schema: name one schema (%s)", strings.Join(names, " or "))
	}
	b, ok := scenarios.JSONSchema(fs.Arg(0))
	if !ok {
		return usageErrorf("pipeshare schema: unknown schema %q (%s)", fs.Arg(0), strings.Join(names, " or "))
	}
	_, err := e.stdout.Write(b)
	return err
}
