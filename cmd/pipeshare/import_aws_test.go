package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const awsSnapshotDir = "../../scenarios/testdata/real/aws-cli"

// TestImportAWS imports the test snapshot, compares the scenario with a
// golden file, and checks that it validates and runs.
func TestImportAWS(t *testing.T) {
	code, stdout, stderr := pipeshare(t, "", "import", "aws", awsSnapshotDir)
	require.Equal(t, 0, code, stderr)
	golden(t, "import-aws.yaml", stdout)
	golden(t, "import-aws.stderr", stderr)

	sc, err := scenarios.Parse("import-aws.yaml", []byte(stdout), scenarios.LoadOptions{})
	require.NoError(t, err)
	_, err = scenarios.Compile(sc)
	require.NoError(t, err)

	out := filepath.Join(t.TempDir(), "snap.yaml")
	code, stdout, stderr = pipeshare(t, "", "import", "aws", awsSnapshotDir, "--out", out, "--name", "snap",
		"--start", "2026-02-01T00:00:00Z", "--duration", "7d")
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stdout)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(data), "\nname: snap\nstart: \"2026-02-01T00:00:00Z\"\nduration: 7d\n")

	code, stdout, stderr = pipeshare(t, "", "validate", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "ok (5 accounts")
	code, stdout, stderr = pipeshare(t, "", "access", out, "--at", "1h")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "churn-training")
	code, _, stderr = pipeshare(t, "", "run", out)
	require.Equal(t, 0, code, stderr)
}

// TestImportAWSErrors covers a missing folder, an empty one, malformed
// JSON (file:line:col, exit 2) and a snapshot without the organization.
func TestImportAWSErrors(t *testing.T) {
	code, _, stderr := pipeshare(t, "", "import", "aws", "no-such-dir")
	assert.Equal(t, 2, code)
	assert.Equal(t, "no-such-dir: no such folder\n", stderr)

	empty := t.TempDir()
	code, _, stderr = pipeshare(t, "", "import", "aws", empty)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "nothing to import")

	code, _, stderr = pipeshare(t, "", "import", "aws")
	assert.Equal(t, 2, code)
	golden(t, "import-aws-no-dir.stderr", stderr)

	code, _, stderr = pipeshare(t, "", "import", "aws", awsSnapshotDir, "--start", "2026-02-01")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--start must be an RFC 3339 time")

	// Malformed JSON in one file of an otherwise complete snapshot.
	dir := t.TempDir()
	ents, err := os.ReadDir(awsSnapshotDir)
	require.NoError(t, err)
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(awsSnapshotDir, e.Name()))
		require.NoError(t, err)
		if e.Name() == "list-accounts.json" {
			data = []byte(strings.Replace(string(data), `"Name": "research",`, `"Name": "research"`, 1))
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644))
	}
	code, stdout, stderr := pipeshare(t, "", "import", "aws", dir)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Equal(t, filepath.Join(dir, "list-accounts.json")+
		":17:13: invalid JSON: invalid character '\"' after object key:value pair\n", stderr)

	// A standalone account: only the RAM and SageMaker files.
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, "describe-organization") || strings.HasPrefix(n, "list-") && !strings.HasPrefix(n, "list-pipelines") &&
			!strings.HasPrefix(n, "list-resource-share-permissions") {
			require.NoError(t, os.Remove(filepath.Join(dir, n)))
		}
	}
	code, stdout, stderr = pipeshare(t, "", "import", "aws", dir, "--name", "standalone")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "import aws: could not map: describe-organization.json: missing")
	assert.Contains(t, stdout, "# could not map:\n#   - describe-organization.json: missing")
	assert.NotContains(t, stdout, "organization:")
	sc, err := scenarios.Parse("standalone.yaml", []byte(stdout), scenarios.LoadOptions{})
	require.NoError(t, err)
	_, err = scenarios.Compile(sc)
	require.NoError(t, err)
}

// TestImportDispatcher checks the import command's kinds.
func TestImportDispatcher(t *testing.T) {
	code, stdout, _ := pipeshare(t, "", "import", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "\n  aws ")
	code, _, stderr := pipeshare(t, "", "import", "nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `pipeshare import: unknown kind "nope" (kinds: `)
	assert.Contains(t, stderr, "aws")
	code, _, stderr = pipeshare(t, "", "import")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "name a kind")
	names := importerNames()
	assert.True(t, strings.Contains(names, "aws"), names)
	assert.Panics(t, func() { registerImporter(importer{name: "aws", run: cmdImportAWS}) })
}
