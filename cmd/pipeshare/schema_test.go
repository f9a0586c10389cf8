package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/pipeshare/pipeshare/scenarios"
)

// compileSchema compiles the embedded JSON Schema name with a draft 2020-12
// validator (github.com/santhosh-tekuri/jsonschema/v6, used by tests only).
func compileSchema(t *testing.T, name string) *jsonschema.Schema {
	b, ok := scenarios.JSONSchema(name)
	require.True(t, ok)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	require.NoError(t, c.AddResource(name+".json", doc))
	s, err := c.Compile(name + ".json")
	require.NoError(t, err)
	return s
}

// asJSONValue converts YAML or JSON bytes to the value a JSON parser gives.
func asJSONValue(t *testing.T, data []byte, isYAML bool) any {
	if isYAML {
		var v any
		require.NoError(t, yaml.Unmarshal(data, &v))
		b, err := json.Marshal(v) // timestamps become RFC 3339 strings
		require.NoError(t, err)
		data = b
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	require.NoError(t, err)
	return v
}

func TestSchemaCommand(t *testing.T) {
	for _, name := range []string{"scenario", "output"} {
		code, stdout, stderr := pipeshare(t, "", "schema", name)
		require.Equal(t, 0, code, stderr)
		want, _ := scenarios.JSONSchema(name)
		assert.Equal(t, string(want), stdout)
		assert.True(t, json.Valid([]byte(stdout)))
	}
	code, _, stderr := pipeshare(t, "", "schema", "nope")
	assert.Equal(t, 2, code)
	assert.Equal(t, "pipeshare schema: unknown schema \"nope\" (output or scenario)\n", stderr)
	code, _, _ = pipeshare(t, "", "schema")
	assert.Equal(t, 2, code)
}

// TestEmbeddedScenariosMatchSchema: every embedded scenario, as JSON,
// validates against the scenario schema, and a few broken ones do not.
func TestEmbeddedScenariosMatchSchema(t *testing.T) {
	s := compileSchema(t, "scenario")
	for _, name := range scenarios.Names() {
		data, _ := scenarios.Builtin(name)
		assert.NoError(t, s.Validate(asJSONValue(t, data, true)), name)
	}
	for _, bad := range []string{
		"version: 2\nname: x\nstart: 2026-01-05T00:00:00Z\nduration: 1d\n",
		"version: 1\nname: x\nstart: 2026-01-05T00:00:00Z\nduration: 1d\nbogus: 1\n",
		"version: 1\nname: x\nstart: 2026-01-05T00:00:00Z\nduration: 1d\nshares: [{name: s, owner: \"1\", pipelines: []}]\n",
		"name: x\n",
	} {
		assert.Error(t, s.Validate(asJSONValue(t, []byte(bad), true)), bad)
	}
	assert.NoError(t, s.Validate(asJSONValue(t, []byte("extends: quickstart\nseed: 2\n"), true)))
	// Definitions, condition steps and trace replay are valid shapes too.
	assert.NoError(t, s.Validate(asJSONValue(t, []byte(`version: 1
name: t
start: 2026-01-05T00:00:00Z
duration: 1d
pipelines: [{name: p, account: "111111111111", definition: x.json, steps: [{name: A, if_probability: 0.3}]}]
workload: [{trace: trail/}]
`), true)))
}

// TestRunOutputMatchesSchema: run --format json of every embedded scenario
// (the W1 runs but w1-steady are too slow for a unit test) validates
// against the output schema.
func TestRunOutputMatchesSchema(t *testing.T) {
	s := compileSchema(t, "output")
	for _, name := range scenarios.Names() {
		if name == "w1" || name == "w1-500" || name == "scale" {
			continue
		}
		code, stdout, stderr := pipeshare(t, "", "run", name, "--format", "json")
		require.Equal(t, 0, code, stderr)
		assert.NoError(t, s.Validate(asJSONValue(t, []byte(stdout), false)), name)
	}
	assert.Error(t, s.Validate(asJSONValue(t, []byte(`{"schema_version": 2}`), false)))
}
