package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/scenarios"
)

// compileSchema compiles the JSON Schema pipeshare schema prints for name
// with a draft 2020-12 validator (github.com/santhosh-tekuri/jsonschema/v6,
// used by tests only).
func compileSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	b, ok := jsonSchema(name)
	require.True(t, ok, name)
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
	names := []string{"access", "check", "diff", "explain", "part", "plan", "plan-part", "replicas", "run", "scenario", "space"}
	assert.Equal(t, names, schemaNames())
	for _, name := range append(names, "output") {
		code, stdout, stderr := pipeshare(t, "", "schema", name)
		require.Equal(t, 0, code, stderr)
		assert.True(t, json.Valid([]byte(stdout)), name)
		compileSchema(t, name)
	}
	want, _ := scenarios.JSONSchema("scenario")
	_, stdout, _ := pipeshare(t, "", "schema", "scenario")
	assert.Equal(t, string(want), stdout)
	want, _ = report.JSONSchema("run")
	_, stdout, _ = pipeshare(t, "", "schema", "output")
	assert.Equal(t, string(want), stdout, "output is the run schema")
	code, _, stderr := pipeshare(t, "", "schema", "nope")
	assert.Equal(t, 2, code)
	assert.Equal(t, "pipeshare schema: unknown schema \"nope\" (access, check, diff, explain, part, plan, plan-part, replicas, run, scenario or space)\n", stderr)
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
		"version: 1\nname: x\nstart: 2026-01-05T00:00:00Z\nduration: 1d\npricing: {ml.m5.xlarge: {hosting: 1}}\n",
		"version: 1\nname: x\nstart: 2026-01-05T00:00:00Z\nduration: 1d\npricing: {ml.m5.xlarge: {}}\n",
		"version: 1\nname: x\nstart: 2026-01-05T00:00:00Z\nduration: 1d\npricing: {ml.m5.xlarge: 0}\n",
		"version: 1\nname: x\nstart: 2026-01-05T00:00:00Z\nduration: 1d\npricing: {m5.xlarge: 1}\n",
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
pricing: {ml.m5.xlarge: 0.23, ml.g5.xlarge: {training: 1.408, transform: 1.2}}
`), true)))
}

// TestRunOutputMatchesSchema: run --format json of every embedded scenario
// (the W1 runs but w1-steady are too slow for a unit test) validates
// against the run schema.
func TestRunOutputMatchesSchema(t *testing.T) {
	s := compileSchema(t, "run")
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

// goldenSchemas names the schema of every JSON golden, by file name
// pattern; the SARIF goldens are validated against the SARIF schema in
// package report.
var goldenSchemas = []struct {
	pattern, schema string
}{
	{"check-*.json", "check"},
	{"diff-*.json", "diff"},
	{"embedded-*.json", "run"},
	{"explain-*.json", "explain"},
	{"plan-*.json", "plan"},
	{"replicas-*.json", "replicas"},
	{"changes-json.stdout", "access"},
	{"run-replicas-json.stdout", "replicas"},
	{"run-trace-*.stdout", "run"},
	{"timeline-*-json.stdout", "explain"},
	{"data-plane-run.json", "run"},
	{"data-plane-explain-*.json", "explain"},
}

// TestGoldenJSONMatchesSchema validates every golden file that holds JSON
// against its schema; a JSON golden no pattern names fails the test.
func TestGoldenJSONMatchesSchema(t *testing.T) {
	schemas := map[string]*jsonschema.Schema{}
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	require.NoError(t, err)
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		if !json.Valid(data) || !bytes.ContainsAny(data[:1], "{[") || filepath.Ext(f) == ".sarif" {
			continue
		}
		kind := ""
		for _, g := range goldenSchemas {
			if ok, _ := filepath.Match(g.pattern, filepath.Base(f)); ok {
				kind = g.schema
			}
		}
		if !assert.NotEmpty(t, kind, "%s is JSON that no schema names", f) {
			continue
		}
		if schemas[kind] == nil {
			schemas[kind] = compileSchema(t, kind)
		}
		assert.NoError(t, schemas[kind].Validate(asJSONValue(t, data, false)), f)
		n++
	}
	assert.Greater(t, n, 30)
}

// TestReplicasOutputsMatchSchemas validates what run --replicas writes:
// the report, the part files of two shards, their merge, and the access
// JSON, which has no golden.
func TestReplicasOutputsMatchSchemas(t *testing.T) {
	code, stdout, stderr := pipeshare(t, "", "run", "external-partner", "--replicas", "3", "--format", "json")
	require.Equal(t, 0, code, stderr)
	assert.NoError(t, compileSchema(t, "replicas").Validate(asJSONValue(t, []byte(stdout), false)))
	assert.Error(t, compileSchema(t, "run").Validate(asJSONValue(t, []byte(stdout), false)))

	dir := t.TempDir()
	var parts []string
	for i := range 2 {
		p := filepath.Join(dir, fmt.Sprintf("part-%d.json", i))
		code, _, stderr := pipeshare(t, "", "run", "quickstart", "--replicas", "3", "--shard", fmt.Sprintf("%d/2", i), "--out", p)
		require.Equal(t, 0, code, stderr)
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.NoError(t, compileSchema(t, "part").Validate(asJSONValue(t, data, false)), p)
		parts = append(parts, p)
	}
	code, stdout, stderr = pipeshare(t, "", append([]string{"merge", "--format", "json"}, parts...)...)
	require.Equal(t, 0, code, stderr)
	assert.NoError(t, compileSchema(t, "replicas").Validate(asJSONValue(t, []byte(stdout), false)))

	code, stdout, stderr = pipeshare(t, "", "access", "external-partner", "--format", "json")
	require.Equal(t, 0, code, stderr)
	assert.NoError(t, compileSchema(t, "access").Validate(asJSONValue(t, []byte(stdout), false)))
}
