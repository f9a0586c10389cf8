package scenarios

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWriteFileParsesBack writes an imported-style scenario and compiles it.
func TestWriteFileParsesBack(t *testing.T) {
	yes := true
	f := &File{Header: "imported by a test\nsecond line", Name: "imported", Start: "2026-01-05T00:00:00Z", Duration: "7d",
		Organization: &FileOrg{ID: "o-a1b2c3d4e5", ManagementAccount: "011111111111", RAMSharing: "enabled",
			Units: []FileUnit{{Path: "/prod", FullAccess: &yes}}},
		Accounts: []FileAccount{{ID: "011111111111", Name: "mgmt", OU: "/"},
			{ID: "022222222222", OU: "/prod", Principals: []FilePrincipal{{Name: "role/X", Policies: []string{"p"}}}}},
		Policies: map[string]any{"p": map[string]any{"Statement": []any{map[string]any{
			"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}}}},
		Pipelines: []FilePipeline{{Name: "train", Account: "011111111111"}},
		Shares: []FileShare{{Name: "s", Owner: "011111111111", Pipelines: []string{"train"},
			Principals: []string{"022222222222"}, Permission: "extended"}},
		Workload: []FileWorkload{{Callers: []string{"022222222222/role/X"}, Targets: []string{"train"}, Rate: "2/h",
			Actions: ActionWeights([]string{"DescribePipeline", "StartPipelineExecution"}, []float64{0.8, 0.2})}},
	}
	var b bytes.Buffer
	require.NoError(t, WriteFile(&b, f))
	sc, err := Parse("imported.yaml", b.Bytes(), LoadOptions{})
	require.NoError(t, err, b.String())
	_, err = Compile(sc)
	require.NoError(t, err, b.String())
	require.Contains(t, b.String(), "# imported by a test\n# second line\n")
	require.Contains(t, b.String(), `id: "011111111111"`)
}
