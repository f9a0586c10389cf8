package scenarios

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
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

// TestWriteFileRequiredParameter: a parameter without a default is written
// null and reads back as required; the workload's parameters pass it.
func TestWriteFileRequiredParameter(t *testing.T) {
	in := "s3://data/in"
	f := &File{Name: "required", Start: DefaultImportStart, Duration: "1d",
		Accounts: []FileAccount{{ID: "111111111111", Principals: []FilePrincipal{{Name: "role/Exec"}}}},
		Buckets:  []FileBucket{{Name: "data", Account: "111111111111"}},
		Pipelines: []FilePipeline{{Name: "p", Account: "111111111111", Role: "role/Exec",
			Parameters: map[string]*string{"In": nil, "Out": &in},
			Steps:      []FileStep{{Name: "P", Type: "Lambda", Inputs: []FileDataRef{{Param: "In"}}, Outputs: []FileDataRef{{Param: "Out"}}}}}},
		Workload: []FileWorkload{{Name: "w", Callers: []string{"111111111111"}, Targets: []string{"p"}, Every: "1h",
			Actions:    ActionWeights([]string{"StartPipelineExecution"}, []float64{1}),
			Parameters: map[string]string{"In": "s3://data/x"}}},
	}
	var b bytes.Buffer
	require.NoError(t, WriteFile(&b, f))
	require.Contains(t, b.String(), "      In: null\n      Out: s3://data/in\n")
	require.Contains(t, b.String(), "    parameters:\n      In: s3://data/x\n")
	sc, err := Parse("required.yaml", b.Bytes(), LoadOptions{})
	require.NoError(t, err, b.String())
	require.Equal(t, []sim.Param{{Name: "In", Required: true, Pos: model.Pos{File: "required.yaml", Line: 17, Col: 11}},
		{Name: "Out", Value: in, Pos: model.Pos{File: "required.yaml", Line: 18, Col: 12}}}, sc.Sim.Pipelines[0].Parameters)
	_, err = Compile(sc)
	require.NoError(t, err, b.String())
}
