package importer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/scenarios"
)

// The test definition is shared with the CLI's golden tests.
const abalone = "../testdata/real/definitions/abalone.json"

func TestImportDefinition(t *testing.T) {
	data, err := os.ReadFile(abalone)
	require.NoError(t, err)
	res, err := Definition(abalone, data, DefinitionOptions{Account: "222222222222"})
	require.NoError(t, err)
	assert.Empty(t, res.Warnings)
	assert.Len(t, res.Unmapped, 5, "the role's account and four Get Steps.… inputs")
	f := res.File
	assert.Equal(t, "abalone", f.Name)
	require.Len(t, f.Pipelines, 1)
	p := f.Pipelines[0]
	assert.Equal(t, "222222222222", p.Account)
	assert.Equal(t, abalone, p.Definition, "relative to imported.yaml in this folder")
	require.Len(t, p.Steps, 8)
	assert.Equal(t, scenarios.FileStep{Name: "AbaloneTrain", Duration: "30m0s",
		Outputs: []scenarios.FileDataRef{{Value: "s3://sagemaker-us-east-1-111111111111/AbaloneTrain"}}}, p.Steps[1])

	var b bytes.Buffer
	require.NoError(t, res.Write(&b), "Write validates with the definition in Files, without reading it")
	assert.True(t, strings.HasPrefix(b.String(), "# Imported by `pipeshare import definition "+abalone+"` from a SageMaker pipeline definition.\n"+
		"# Durations are per-type defaults: replace them with measured ones.\n# Data: "), b.String())

	// Written elsewhere, it names the definition relative to itself.
	out := filepath.Join("..", "a", "b", "x.yaml")
	res, err = Definition(abalone, data, DefinitionOptions{Account: "222222222222", Out: out, Pipeline: "p", Options: Options{Name: "n"}})
	require.NoError(t, err)
	assert.Equal(t, "../testdata/real/definitions/abalone.json", filepath.ToSlash(filepath.Join(filepath.Dir(out), res.File.Pipelines[0].Definition)))
	assert.Equal(t, "../../testdata/real/definitions/abalone.json", res.File.Pipelines[0].Definition)
	assert.Equal(t, "n", res.File.Name)
	assert.Equal(t, "p", res.File.Pipelines[0].Name)
	require.NoError(t, res.Write(&b))
}

// TestImportDefinitionProblems: every problem is at its position in the
// input, never in the scenario that is not written.
func TestImportDefinitionProblems(t *testing.T) {
	for _, tc := range []struct {
		name, def string
		want      string // every diagnostic, or the warnings when the import succeeds
		ok        bool
	}{
		{"malformed JSON", "{\"Version\": \"2020-12-01\",\n \"Steps\": [}", "d.json:2:12: invalid JSON: unexpected '}', want a value\n", false},
		{"no instance type", "{\"Version\": \"2020-12-01\", \"Steps\": [\n {\"Name\": \"T\", \"Type\": \"Training\"},\n {\"Name\": \"U\", \"Type\": \"Thing\"}]}",
			"d.json:2:2: step T of type Training has no instance type in the definition\n" +
				"d.json:3:24: warning: unknown step type \"Thing\": step U runs without instances (known types: Processing, Training, Tuning, Transform, CreateModel, Model, RegisterModel, Condition, Fail, Callback, Lambda, ClarifyCheck, QualityCheck, EMR, EMRServerless, AutoML)\n", false},
		{"dependency cycle", "{\"Version\": \"2020-12-01\", \"Steps\": [\n {\"Name\": \"A\", \"Type\": \"Lambda\", \"DependsOn\": [\"B\"]},\n {\"Name\": \"B\", \"Type\": \"Lambda\", \"DependsOn\": [\"A\"]}]}",
			"d.json:2:2: steps A, B form a dependency cycle\n", false},
		{"warning only", "{\"Version\": \"2020-12-01\", \"Steps\": [\n {\"Name\": \"U\", \"Type\": \"Thing\"}]}",
			"d.json:2:24: warning: unknown step type \"Thing\"", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Definition("d.json", []byte(tc.def), DefinitionOptions{Account: "111111111111"})
			if tc.ok {
				require.NoError(t, err)
				require.Len(t, res.Warnings, 1)
				assert.True(t, strings.HasPrefix(res.Warnings[0], tc.want), res.Warnings[0])
				require.NoError(t, res.Write(&bytes.Buffer{}))
				return
			}
			var l scenarios.ErrorList
			require.True(t, errors.As(err, &l), "%v", err)
			assert.True(t, strings.HasPrefix(l.String(), tc.want), l.String())
			for _, d := range l {
				assert.Equal(t, "d.json", d.Pos.File, d.String())
			}
		})
	}

	_, err := Definition("my_pipeline.json", []byte(`{}`), DefinitionOptions{Account: "111111111111"})
	assert.ErrorContains(t, err, `pipeline name "my_pipeline" must be letters, digits and hyphens`)
	_, err = Definition("d.json", []byte(`{}`), DefinitionOptions{Account: "12"})
	assert.ErrorContains(t, err, "the owner account: account ID \"12\" must be 12 digits")
}
