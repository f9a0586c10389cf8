package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const abalone = "../../scenarios/testdata/real/definitions/abalone.json"

const realDefinitions = "../../scenarios/testdata/real/definitions/"

func TestImportDefinition(t *testing.T) {
	code, stdout, stderr := pipeshare(t, "", "import", "definition", abalone, "--account", "222222222222")
	require.Equal(t, 0, code, stderr)
	golden(t, "import-definition-abalone.yaml", stdout)
	// The other real definitions, with their data, and their warnings.
	for _, name := range []string{"tuning", "batch-transform", "cross-account-data"} {
		code, stdout, stderr := pipeshare(t, "", "import", "definition", realDefinitions+name+".json")
		require.Equal(t, 0, code, stderr)
		golden(t, "import-definition-"+name+".yaml", stdout)
		golden(t, "import-definition-"+name+".stderr", stderr)
	}

	// Written elsewhere, it names the definition relative to itself and
	// validates and runs there (where the definition may be read from).
	out := filepath.Join(t.TempDir(), "sub", "abalone.yaml")
	require.NoError(t, os.MkdirAll(filepath.Dir(out), 0o755))
	code, _, stderr = pipeshare(t, "", "import", "definition", abalone, "--out", out)
	require.Equal(t, 0, code, stderr)
	code, stdout, stderr = pipeshare(t, "", "validate", out, "--root", "/")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "1 pipeline,")
}

// TestImportDefinitionDataRuns: the scenario imported from a definition
// with data validates and, given a workload, runs: every Start fails on
// its first read (the role has no policies yet) and the data plane counts
// the owner money burned.
func TestImportDefinitionDataRuns(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cross.yaml")
	code, _, stderr := pipeshare(t, "", "import", "definition", realDefinitions+"cross-account-data.json", "--out", out, "--quiet")
	require.Equal(t, 0, code, stderr)
	code, stdout, stderr := pipeshare(t, "", "validate", out, "--root", "/")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "1 pipeline,")
	imported, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(imported), "      ScoringData: null\n", "no DefaultValue: every Start passes it")

	// A workload whose Starts do not pass ScoringData is refused at the
	// entry: SageMaker would reject every one of them.
	entry := "workload:\n  - {name: owner, callers: [\"111111111111\"], targets: [cross-account-data], every: 6h, actions: {StartPipelineExecution: 1}"
	require.NoError(t, os.WriteFile(out, append(slices.Clip(imported), entry+"}\n"...), 0o644))
	code, _, stderr = pipeshare(t, "", "run", out, "--root", "/")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `cross.yaml:72:5: workload "owner": its Starts of pipeline cross-account-data by 111111111111 do not pass parameter ScoringData, which the pipeline declares without a default`)

	require.NoError(t, os.WriteFile(out, append(imported, entry+", parameters: {ScoringData: \"s3://research-data/scoring/\"}}\n"...), 0o644))
	code, stdout, stderr = pipeshare(t, "", "run", out, "--root", "/")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "executions       121 started: 0 succeeded, 120 failed")
	assert.Contains(t, stdout, "data plane       121 steps failed on AccessDenied (s3:ListBucket on s3://research-data: 121)")
}

func TestImportDefinitionErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("{\"Version\": \"2020-12-01\",\n  \"Steps\": [}\n"), 0o644))
	code, _, stderr := pipeshare(t, "", "import", "definition", bad)
	assert.Equal(t, 2, code)
	assert.True(t, strings.HasPrefix(stderr, bad+":2:"), stderr)

	// A step the scenario would need an instance type for is reported in
	// the definition, not in the scenario that is not written.
	noType := filepath.Join(t.TempDir(), "no-type.json")
	require.NoError(t, os.WriteFile(noType, []byte("{\"Version\": \"2020-12-01\", \"Steps\": [\n  {\"Name\": \"T\", \"Type\": \"Training\"}]}\n"), 0o644))
	code, stdout, stderr := pipeshare(t, "", "import", "definition", noType, "--out", filepath.Join(t.TempDir(), "x.yaml"))
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Equal(t, noType+":2:3: step T of type Training has no instance type in the definition\n", stderr)

	code, _, stderr = pipeshare(t, "", "import", "definition", abalone, "--account", "12")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--account")
}
