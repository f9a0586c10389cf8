package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const abalone = "../../scenarios/testdata/real/definitions/abalone.json"

func TestImportDefinition(t *testing.T) {
	code, stdout, stderr := pipeshare(t, "", "import", "definition", abalone, "--account", "222222222222")
	require.Equal(t, 0, code, stderr)
	golden(t, "import-definition-abalone.yaml", stdout)

	// Written elsewhere, it names the definition relative to itself and
	// validates and runs there (where the definition may be read from).
	out := filepath.Join(t.TempDir(), "sub", "abalone.yaml")
	require.NoError(t, os.MkdirAll(filepath.Dir(out), 0o755))
	code, _, stderr = pipeshare(t, "", "import", "definition", abalone, "--out", out)
	require.Equal(t, 0, code, stderr)
	code, stdout, stderr = pipeshare(t, "", "validate", out, "--root", "/")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "1 pipelines")
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
