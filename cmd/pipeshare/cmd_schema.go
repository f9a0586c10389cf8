package main

import (
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/scenarios"
)

const schemaAbout = `Prints a JSON Schema (draft 2020-12): "scenario" for scenario files
(format version 1; for editor completion), or for CI consumers the schema of
a command's JSON: "run" (run --format json; "output" is another name for
it), "replicas" (run --replicas N and merge), "part" (the part files of run
--replicas N --shard i/k), "check", "diff", "explain" (also --timeline) and
"access" (also --changes). Output schemas are closed: they list every key
this pipeshare writes and allow no other. Within a schema version keys are
only added; removing a key or changing its meaning bumps the version.`

// schemaAlias is the run schema's first name.
const schemaAlias = "output"

// jsonSchema returns the schema pipeshare schema prints for name.
func jsonSchema(name string) ([]byte, bool) {
	if name == schemaAlias {
		name = "run"
	}
	if b, ok := scenarios.JSONSchema(name); ok {
		return b, true
	}
	return report.JSONSchema(name)
}

// schemaNames lists the schemas by name, sorted, without the alias.
func schemaNames() []string {
	names := append(scenarios.JSONSchemaNames(), report.JSONSchemaKinds()...)
	slices.Sort(names)
	return names
}

func cmdSchema(e *env, args []string) error {
	names := schemaNames()
	fs := newFlagSet(e, "schema", "schema "+strings.Join(names, "|"), schemaAbout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	list := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	if fs.NArg() != 1 {
		return usageErrorf("pipeshare schema: name one schema (%s)", list)
	}
	b, ok := jsonSchema(fs.Arg(0))
	if !ok {
		return usageErrorf("pipeshare schema: unknown schema %q (%s)", fs.Arg(0), list)
	}
	_, err := e.stdout.Write(b)
	return err
}
