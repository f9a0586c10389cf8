package scenarios

import (
	"embed"
	"sort"
	"strings"
)

// The JSON Schema (draft 2020-12) of scenario format v1, printed by
// `pipeshare schema scenario`; package report has those of the outputs.
//
//go:embed jsonschema/*.json
var jsonSchemaFS embed.FS

// JSONSchema returns the JSON Schema named name ("scenario"), and whether
// it exists.
func JSONSchema(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, "/\\.") {
		return nil, false
	}
	b, err := jsonSchemaFS.ReadFile("jsonschema/" + name + ".json")
	return b, err == nil
}

// JSONSchemaNames returns the names JSONSchema knows, sorted.
func JSONSchemaNames() []string {
	entries, _ := jsonSchemaFS.ReadDir("jsonschema")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(out)
	return out
}
