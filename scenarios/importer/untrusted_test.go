package importer

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/internal/input"
)

// definitionCases are pipeline definitions with a problem that only
// compiling the scenario used to find: each is now an error at the
// definition's position in the input, never "please report this".
var definitionCases = []struct{ name, def, want string }{
	{"self-dependent step", `{"Version": "2020-12-01", "Steps": [{"Name": "A", "Type": "Processing", "DependsOn": ["A"],
	  "Arguments": {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1}}}}]}`,
		"step A depends on itself (JSON line 1, column "},
	{"cycle", `{"Version": "2020-12-01", "Steps": [
	  {"Name": "A", "Type": "Processing", "DependsOn": ["B"], "Arguments": {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1}}}},
	  {"Name": "B", "Type": "Processing", "DependsOn": ["A"], "Arguments": {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1}}}}]}`,
		"steps A, B form a dependency cycle"},
	{"unknown step", `{"Version": "2020-12-01", "Steps": [{"Name": "A", "Type": "Processing", "DependsOn": ["Z"],
	  "Arguments": {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1}}}}]}`,
		`step A depends on unknown step "Z"`},
	{"no instance type", `{"Version": "2020-12-01", "Steps": [{"Name": "A", "Type": "Training", "Arguments": {}}]}`,
		"step A of type Training has no instance type"},
	{"not JSON", `{"Version": "2020-12-01", "Steps": [}`, "(JSON line 1, column 37)"},
}

func TestImportAWSDefinitionProblems(t *testing.T) {
	for _, tc := range definitionCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copySnapshot(t, func(string) bool { return true })
			file := filepath.Join(dir, "describe-pipeline-churn-training.json")
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			var d map[string]any
			require.NoError(t, json.Unmarshal(data, &d))
			d["PipelineDefinition"] = tc.def
			data, err = json.MarshalIndent(d, "", "    ")
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(file, data, 0o644))
			off := strings.Index(string(data), `"PipelineDefinition": `) + len(`"PipelineDefinition": `)
			line := 1 + strings.Count(string(data[:off]), "\n")
			col := off - strings.LastIndexByte(string(data[:off]), '\n')

			_, err = importAWS(dir)
			require.Error(t, err)
			prefix := file + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col) + ": PipelineDefinition: "
			assert.Contains(t, err.Error(), prefix)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "please report")
		})
	}
}

func TestImportTerraformDefinitionProblems(t *testing.T) {
	for _, tc := range definitionCases {
		t.Run(tc.name, func(t *testing.T) {
			def, _ := json.Marshal(tc.def)
			plan := `{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
  {"address": "aws_sagemaker_pipeline.p", "mode": "managed", "type": "aws_sagemaker_pipeline", "name": "p",
   "values": {"pipeline_name": "p1", "arn": "arn:aws:sagemaker:us-east-1:111111111111:pipeline/p1",
     "pipeline_definition": ` + string(def) + `}}]}}}`
			_, err := Terraform("p.json", []byte(plan), TerraformOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "p.json:4:29: aws_sagemaker_pipeline.p: pipeline_definition: ")
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "please report")
		})
	}
}

// The importers' files come through the FS pipeshare bounds; a file it
// refuses is named at file:1:1.
func TestImportAWSBoundedFiles(t *testing.T) {
	fsys := fstest.MapFS{"describe-organization.json": {Data: []byte(`{"Organization": {"Id": "o-a1b2c3d4e5", "MasterAccountId": "111111111111"}}`)}}
	_, err := AWS(input.FS(fsys, 20), "snap", Options{})
	assert.EqualError(t, err, "snap/describe-organization.json:1:1: file too large (limit 20 bytes, raise with --max-input)")
}

// Names from an input are cut in what could not be mapped.
func TestImportNotesCutNames(t *testing.T) {
	big := strings.Repeat("n", 100_000)
	plan := `{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
  {"address": "aws_sagemaker_pipeline.p", "mode": "managed", "type": "aws_sagemaker_pipeline", "name": "p",
   "values": {"pipeline_name": "` + big + `"}},
  {"address": "aws_organizations_organization.o", "mode": "managed", "type": "aws_organizations_organization", "name": "o",
   "values": {"id": "o-exampleorg1", "master_account_id": "111111111111", "feature_set": "` + big + `", "roots": [{"id": "r-ab12"}]}}]}}}`
	res, err := Terraform("p.json", []byte(plan), TerraformOptions{})
	require.NoError(t, err)
	u := strings.Join(res.Unmapped, "\n")
	assert.Contains(t, u, `pipeline_name "`+strings.Repeat("n", 120)+`…" is not a valid`)
	assert.Contains(t, u, "feature_set "+strings.Repeat("n", 120)+"…: ")
	assert.Less(t, len(u), 1000)
	require.NoError(t, res.Write(io.Discard))
}
