package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outputSchema compiles the output schema of kind.
func outputSchema(t *testing.T, kind string) *jsonschema.Schema {
	t.Helper()
	doc, ok := JSONSchema(kind)
	require.True(t, ok, kind)
	return compileJSONSchema(t, kind+".json", doc)
}

// TestJSONSchemasAreClosed walks every schema: it compiles, is the same
// bytes twice, every object allows no key it does not list (or, for a
// map, says what its values are), requires only keys it lists, every
// reference resolves, and no schema accepts anything. Every override
// applies to a field that exists.
func TestJSONSchemasAreClosed(t *testing.T) {
	g := &schemaGen{}
	for _, kind := range JSONSchemaKinds() {
		doc, ok := JSONSchema(kind)
		require.True(t, ok)
		again, _ := JSONSchema(kind)
		assert.Equal(t, doc, again, kind)
		outputSchema(t, kind)

		var root map[string]any
		require.NoError(t, json.Unmarshal(doc, &root))
		defs, _ := root["$defs"].(map[string]any)
		var walk func(path string, s map[string]any)
		walk = func(path string, s map[string]any) {
			if ref, ok := s["$ref"].(string); ok {
				assert.Contains(t, defs, ref[len("#/$defs/"):], path)
				return
			}
			if len(s) == 0 {
				t.Errorf("%s: %s accepts anything", kind, path)
			}
			if s["type"] == "object" {
				ap, ok := s["additionalProperties"]
				require.True(t, ok, "%s: %s has no additionalProperties", kind, path)
				props, _ := s["properties"].(map[string]any)
				if props != nil {
					assert.Equal(t, false, ap, "%s: %s lists keys but allows others", kind, path)
				} else {
					walk(path+"/additionalProperties", ap.(map[string]any))
				}
				for _, r := range asSlice(s["required"]) {
					assert.Contains(t, props, r, "%s: %s requires a key it does not list", kind, path)
				}
				for k, v := range props {
					walk(path+"/"+k, v.(map[string]any))
				}
			}
			if it, ok := s["items"].(map[string]any); ok {
				walk(path+"/items", it)
			}
			for i, a := range asSlice(s["anyOf"]) {
				walk(path+"/anyOf/"+strconv.Itoa(i), a.(map[string]any))
			}
		}
		walk("#", root)
		for name, d := range defs {
			walk("#/$defs/"+name, d.(map[string]any))
		}
		for i := range schemaKinds {
			if schemaKinds[i].name == kind {
				schemaKinds[i].schema(g)
				g.defs, g.defined = nil, nil
			}
		}
	}
	for key := range schemaOverrides {
		assert.True(t, g.used[key], "override %s names no field", key)
	}
	_, ok := JSONSchema("scenario")
	assert.False(t, ok, "package scenarios has the scenario schema")
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// reportGoldens are the JSON goldens of this package and the schema of
// each; explain.json.txt holds several documents, each after a "=== name"
// line.
var reportGoldens = map[string]string{
	"access.json":      "access",
	"diff.json":        "diff",
	"explain.json.txt": "explain",
	"replicas.json":    "replicas",
	"run.json":         "run",
}

// TestJSONGoldensMatchSchemas validates every JSON golden of this package
// against its schema, and checks that the schema rejects the golden with
// one key more or one required key less.
func TestJSONGoldensMatchSchemas(t *testing.T) {
	all, err := filepath.Glob(filepath.Join("testdata", "*.json*"))
	require.NoError(t, err)
	for _, f := range all {
		name := filepath.Base(f)
		if name == "sarif-schema-2.1.0.json" {
			continue
		}
		assert.Contains(t, reportGoldens, name, "a JSON golden without a schema")
	}
	for name, kind := range reportGoldens {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		s := outputSchema(t, kind)
		docs := [][]byte{data}
		if kind == "explain" {
			docs = nil
			for _, part := range regexp.MustCompile(`(?m)^=== .*\n`).Split(string(data), -1)[1:] {
				docs = append(docs, []byte(part))
			}
			require.Len(t, docs, len(explainCases))
		}
		for _, doc := range docs {
			assert.NoError(t, validateJSON(s, doc), name)
			assertClosed(t, s, doc, name)
		}
	}
}

// assertClosed checks that s rejects doc with a key added to, and a
// required key removed from, its first object (the top level, or a list's
// first item).
func assertClosed(t *testing.T, s *jsonschema.Schema, doc []byte, name string) {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(doc, &v))
	obj, ok := v.(map[string]any)
	if list, isList := v.([]any); isList && len(list) > 0 {
		obj, ok = list[0].(map[string]any)
	}
	if !ok {
		return // an empty list
	}
	obj["not_a_key"] = 1
	assert.Error(t, validateValue(t, s, v), "%s with an unknown key", name)
	delete(obj, "not_a_key")
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	k := keys[0]
	saved := obj[k]
	delete(obj, k)
	assert.Error(t, validateValue(t, s, v), "%s without %q", name, k)
	obj[k] = saved
	assert.NoError(t, validateValue(t, s, v), name)
}

func validateValue(t *testing.T, s *jsonschema.Schema, v any) error {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return validateJSON(s, b)
}

// TestPartMatchesSchema validates part files, and checks the schema
// rejects a sample without one of its metrics.
func TestPartMatchesSchema(t *testing.T) {
	s := outputSchema(t, "part")
	meta, samples := seededSamples()
	_, data := partsOf(t, meta, samples, 2)
	for _, d := range data {
		assert.NoError(t, validateJSON(s, d))
		assertClosed(t, s, d, "part")
	}
	broken := bytes.Replace(data[0], []byte(`"calls.total":`), []byte(`"calls.totals":`), 1)
	require.NotEqual(t, data[0], broken)
	assert.Error(t, validateJSON(s, broken))
}
