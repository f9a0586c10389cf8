package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The test snapshot is shared with the CLI's golden tests.
const awsSnapshot = "../testdata/real/aws-cli"

// importAWS imports the snapshot in folder dir.
func importAWS(dir string) (*Result, error) {
	return AWS(os.DirFS(dir), dir, Options{})
}

// importAWSCompiles imports dir and checks that the result writes (Write
// validates it); it returns the YAML.
func importAWSCompiles(t *testing.T, dir string) (*Result, string) {
	t.Helper()
	im, err := importAWS(dir)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, im.Write(&b))
	return im, b.String()
}

func TestImportAWSSnapshot(t *testing.T) {
	im, out := importAWSCompiles(t, awsSnapshot)
	f := im.File
	require.Equal(t, "o-a1b2c3d4e5", f.Organization.ID)
	require.Equal(t, "111111111111", f.Organization.ManagementAccount)
	require.Equal(t, "enabled", f.Organization.RAMSharing)
	require.Len(t, f.Accounts, 5) // four members and the external invitee
	require.Len(t, f.Pipelines, 3)
	require.Len(t, f.Shares, 2)
	require.Contains(t, out, "path: /Research\n")
	require.Contains(t, out, "full_access: false")
	require.Contains(t, out, `- ou:/Research`)
	require.Contains(t, out, `- 333333333333/role/Analyst`)
	require.Contains(t, out, `"999999999999": ignore`)
	require.Contains(t, out, "permission: extended")
	t.Log(out)
}

// copySnapshot copies the files of the test snapshot that keep says to keep.
func copySnapshot(t *testing.T, keep func(name string) bool) string {
	t.Helper()
	dir := t.TempDir()
	ents, err := os.ReadDir(awsSnapshot)
	require.NoError(t, err)
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") || !keep(e.Name()) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(awsSnapshot, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644))
	}
	return dir
}

func TestImportAWSStandaloneAccount(t *testing.T) {
	dir := copySnapshot(t, func(n string) bool {
		return strings.HasPrefix(n, "get-resource-share") || strings.HasPrefix(n, "list-resource-share") ||
			strings.Contains(n, "pipeline")
	})
	im, out := importAWSCompiles(t, dir)
	require.Nil(t, im.File.Organization)
	require.Contains(t, strings.Join(im.Unmapped, "\n"), "describe-organization.json: missing")
	// The OU principal cannot be mapped without the organization.
	require.Contains(t, strings.Join(im.Unmapped, "\n"), "an organization principal, but describe-organization.json is missing")
	require.Contains(t, out, "could not map:")
}

func TestImportAWSMissingFiles(t *testing.T) {
	dir := copySnapshot(t, func(n string) bool {
		return !strings.HasPrefix(n, "list-accounts-for-parent-") && n != "list-targets-for-policy-p-FullAWSAccess.json" &&
			!strings.HasPrefix(n, "list-resource-share-permissions-")
	})
	im, out := importAWSCompiles(t, dir)
	u := strings.Join(im.Unmapped, "\n")
	require.Contains(t, u, "list-accounts-for-parent-r-a1b2.json: missing")
	require.Contains(t, u, "list-targets-for-policy-p-FullAWSAccess.json: missing")
	require.Contains(t, u, "left at read-only")
	require.NotContains(t, out, "full_access: false")
}

func TestImportAWSNothing(t *testing.T) {
	_, err := importAWS(t.TempDir())
	require.ErrorContains(t, err, "nothing to import")
}

func TestImportAWSMalformedJSON(t *testing.T) {
	dir := copySnapshot(t, func(string) bool { return true })
	bad := filepath.Join(dir, "get-resource-shares.json")
	require.NoError(t, os.WriteFile(bad, []byte("{\n  \"resourceShares\": [\n    {\"name\": \"x\",}\n  ]\n}\n"), 0o644))
	_, err := importAWS(dir)
	require.EqualError(t, err, bad+":3:18: invalid JSON: invalid character '}' looking for beginning of object key string")

	require.NoError(t, os.WriteFile(bad, []byte("{\"resourceShares\": [\n"), 0o644))
	_, err = importAWS(dir)
	require.EqualError(t, err, bad+":2:1: invalid JSON: unexpected end of input (truncated file?)")

	// Columns count characters, not bytes (the byte would be 44).
	require.NoError(t, os.WriteFile(bad, []byte("{\"resourceShares\": [{\"name\": \"Zürich ✓\",}]}"), 0o644))
	_, err = importAWS(dir)
	require.EqualError(t, err, bad+":1:41: invalid JSON: invalid character '}' looking for beginning of object key string")

	require.NoError(t, os.WriteFile(bad, []byte("{\"resourceShares\": {}}"), 0o644))
	_, err = importAWS(dir)
	require.EqualError(t, err, bad+":1:20: resourceShares must be an array, not a JSON object")
}

func TestImportAWSOUNames(t *testing.T) {
	used := map[string]bool{}
	require.Equal(t, "a-b", awsOUSegment(" a/b "))
	require.Equal(t, "x", awsPolicyName("x", "p-1", used))
	used["x"] = true
	require.Equal(t, "x-2", awsPolicyName("x", "p-2", used))
}
