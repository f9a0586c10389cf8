package importer

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios"
)

const crossAccountData = "../testdata/real/definitions/cross-account-data.json"

// TestImportDefinitionData: the data of a definition becomes the
// scenario's data plane, and what cannot is listed at its JSON position.
func TestImportDefinitionData(t *testing.T) {
	data, err := os.ReadFile(crossAccountData)
	require.NoError(t, err)
	res, err := Definition(crossAccountData, data, DefinitionOptions{Account: "111111111111"})
	require.NoError(t, err)
	f := res.File
	assert.Equal(t, "us-east-1", f.Region, "from the SDK's default bucket and the key ARN")
	assert.Equal(t, []scenarios.FileAccount{
		{ID: "111111111111", Principals: []scenarios.FilePrincipal{{Name: "role/service-role/AmazonSageMaker-ExecutionRole"}}},
		{ID: "222222222222"}}, f.Accounts)
	assert.Equal(t, []scenarios.FileKey{
		{ID: "0a1b2c3d-1111-2222-3333-444455556666", Account: "222222222222"},
		{ID: "00000000-0000-0000-0000-000000000001", Alias: "alias/churn-models", Account: "111111111111"}}, f.Keys)
	assert.Equal(t, []scenarios.FileBucket{
		{Name: "research-data", Account: "111111111111"},
		{Name: "sagemaker-us-east-1-111111111111", Account: "111111111111"},
		{Name: "research-results", Account: "111111111111"}}, f.Buckets)
	p := f.Pipelines[0]
	assert.Equal(t, "role/service-role/AmazonSageMaker-ExecutionRole", p.Role, "every step's role, so the pipeline's")
	str := func(s string) *string { return &s }
	assert.Equal(t, map[string]*string{"InputData": str("s3://research-data/churn/2026-01/"),
		"OutputKmsKey": str("arn:aws:kms:us-east-1:222222222222:key/0a1b2c3d-1111-2222-3333-444455556666"),
		"ScoringData":  nil}, p.Parameters, "ScoringData has no default: written null")
	assert.Equal(t, scenarios.FileStep{Name: "ChurnPreprocess", Duration: "10m0s",
		Inputs: []scenarios.FileDataRef{{Param: "InputData"},
			{Value: "s3://sagemaker-us-east-1-111111111111/ChurnPreprocess-7f3a/input/code/preprocess.py"}},
		Outputs: []scenarios.FileDataRef{{Value: "s3://research-results/churn/train"}, {Value: "s3://sagemaker-us-east-1-111111111111/churn/test"}},
		KMSKey:  scenarios.FileDataRef{Param: "OutputKmsKey"}}, p.Steps[0])
	assert.Equal(t, scenarios.FileDataRef{Value: "alias/churn-models"}, p.Steps[1].KMSKey)
	assert.Equal(t, []scenarios.FileDataRef{{Param: "ScoringData"}}, p.Steps[3].Inputs, "each Start's ScoringData")
	assert.Contains(t, res.About, "Parameters without a default (ScoringData) are written null: every Start passes them;")

	at := crossAccountData + ":"
	assert.Equal(t, []string{
		"key alias/churn-models (at " + at + "66:23): ID 00000000-0000-0000-0000-000000000001 made up and account 111111111111 assumed: the definition names the key by its alias only",
		"bucket research-data (at " + at + "35:33): account 111111111111 assumed: an S3 URI names no account",
		"bucket research-results (at " + at + "46:36): account 111111111111 assumed: an S3 URI names no account",
	}, res.Placeholders)
	assert.Equal(t, []string{
		at + "25:31: step ChurnPreprocess: ProcessingResources.ClusterConfig.VolumeKmsKeyId encrypts the instances' storage volumes: not an S3 request, not decided by the data plane",
		at + `46:36: step ChurnPreprocess: ProcessingOutputConfig.Outputs[0].S3Output.S3Uri is a Std:Join of parameters (OutputPath): mapped as "s3://research-results/churn/train", with their defaults; a Start that passes other values is not followed`,
		at + "73:29: step ChurnTrain: ResourceConfig.VolumeKmsKeyId encrypts the instances' storage volumes: not an S3 request, not decided by the data plane",
		at + "78:23: step ChurnTrain: InputDataConfig[0].DataSource.S3DataSource.S3Uri is a property of step ChurnPreprocess (Get Steps.ChurnPreprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri), known only at run time",
		at + "106:27: step ChurnScore: TransformOutput.S3OutputPath is a Std:Join of a value that is an execution variable (Get Execution.PipelineExecutionId), known only at run time",
	}, res.Unmapped)
	require.NoError(t, res.Write(&bytes.Buffer{}))

	// It runs: with an identity policy for the role and hourly Starts of
	// the owner (which pass ScoringData), every execution fails at its
	// first step, on the consumer's key (its default key policy trusts
	// only its own account).
	f.Policies = map[string]any{"exec-data": map[string]any{"Statement": []any{map[string]any{"Effect": "Allow",
		"Action":   []any{"s3:GetObject", "s3:ListBucket", "s3:PutObject", "kms:Decrypt", "kms:GenerateDataKey"},
		"Resource": "*"}}}}
	f.Accounts[0].Principals[0].Policies = []string{"exec-data"}
	f.Workload = []scenarios.FileWorkload{{Name: "owner", Callers: []string{"111111111111"}, Targets: []string{p.Name}, Every: "1h",
		Actions:    scenarios.ActionWeights([]string{"StartPipelineExecution"}, []float64{1}),
		Parameters: map[string]string{"ScoringData": "s3://research-data/scoring/"}}}
	c := compileImport(t, res)
	r := c.Sim.Run()
	require.True(t, r.Data.Declared)
	require.Positive(t, r.Executions.Started)
	require.Len(t, r.Data.Failures, 1)
	fail := r.Data.Failures[0]
	assert.Equal(t, "ChurnPreprocess", fail.Step)
	assert.Equal(t, model.KMSGenerateDataKey, fail.Access.Action)
	assert.Equal(t, model.AccountID("222222222222"), c.World.KeyAccount(fail.Access.Key))
	assert.Equal(t, r.Executions.Started, fail.Count, "every Start is denied once")
	assert.Equal(t, r.Executions.Started, r.Executions.Failed+r.Executions.RunningAtEnd, "the last one is in its setup at the end")
	assert.Zero(t, r.Executions.Succeeded)

	// With the owner's key for outputs (a Start's parameter, here the
	// pipeline's), every data access is allowed.
	p.Parameters["OutputKmsKey"] = str("alias/churn-models")
	f.Pipelines[0] = p
	r = compileImport(t, res).Sim.Run()
	assert.Empty(t, r.Data.Failures)
	assert.Positive(t, r.Data.Decisions)
	assert.Zero(t, r.Executions.Failed)
}

// compileImport writes res's scenario and compiles it, with the files it
// names.
func compileImport(t *testing.T, res *Result) *scenarios.Compiled {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, scenarios.WriteFile(&b, res.File))
	sc, err := scenarios.Parse("imported.yaml", b.Bytes(), scenarios.LoadOptions{ReadFile: func(p string) ([]byte, error) {
		if data, ok := res.Files[filepath.Clean(p)]; ok {
			return data, nil
		}
		return nil, fs.ErrNotExist
	}})
	require.NoError(t, err)
	c, err := scenarios.Compile(sc)
	require.NoError(t, err)
	return c
}

// TestImportDefinitionDataShapes: roles, key forms and values the data
// plane cannot take; every scenario written validates.
func TestImportDefinitionDataShapes(t *testing.T) {
	const head = `{"Version": "2020-12-01", "Parameters": [{"Name": "Role", "DefaultValue": "arn:aws:iam::111111111111:role/R"}], "Steps": [`
	proc := func(name, role, in, key string) string {
		return `{"Name": "` + name + `", "Type": "Processing", "Arguments": {"RoleArn": ` + role + `,
 "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1}},
 "ProcessingInputs": [{"S3Input": {"S3Uri": "` + in + `"}}], "ProcessingOutputConfig": {"Outputs": [], "KmsKeyId": "` + key + `"}}}`
	}
	for _, tc := range []struct {
		name, steps string
		check       func(t *testing.T, res *Result)
	}{
		{"roles per step", proc("A", `"arn:aws:iam::111111111111:role/A"`, "s3://bkt/a", "alias/k") + ",\n" +
			proc("B", `"arn:aws:iam::111111111111:role/team/B"`, "s3://bkt/b", "alias/k") + ",\n" +
			`{"Name": "T", "Type": "Transform", "Arguments": {"ModelName": "m", "TransformResources": {"InstanceType": "ml.m5.large"},
  "TransformInput": {"DataSource": {"S3DataSource": {"S3Uri": "s3://bkt/t"}}}}}`,
			func(t *testing.T, res *Result) {
				p := res.File.Pipelines[0]
				assert.Empty(t, p.Role)
				assert.Equal(t, []string{"role/A", "role/team/B", ""}, []string{p.Steps[0].Role, p.Steps[1].Role, p.Steps[2].Role})
				assert.Empty(t, p.Steps[2].Inputs)
				assert.Equal(t, []scenarios.FilePrincipal{{Name: "role/A"}, {Name: "role/team/B"}}, res.File.Accounts[0].Principals)
				assert.Equal(t, []string{
					"d.json:7:1: step T: its S3 data is not mapped: the definition names no role it runs as",
					"d.json:7:63: step T: ModelName names a model created outside the pipeline: the role its transform job runs as is not in the definition",
				}, res.Unmapped)
				assert.Len(t, res.File.Keys, 1, "one alias, one key")
			}},
		{"key forms", proc("A", `{"Get": "Parameters.Role"}`, "s3://sagemaker-eu-west-1-333333333333/in", "k-1") + ",\n" +
			proc("B", `"arn:aws:iam::111111111111:role/R"`, "s3://bkt/x", "arn:aws:kms:eu-west-1:444444444444:key/k-1") + ",\n" +
			proc("C", `"arn:aws:iam::111111111111:role/R"`, "s3://bkt/y", "arn:aws:kms:us-west-2:555555555555:alias/other") + ",\n" +
			proc("D", `"arn:aws:iam::111111111111:role/R"`, "https://bkt/z", "alias/aws/s3") + ",\n" +
			proc("E", `"arn:aws:iam::111111111111:role/R"`, "s3://bkt/z", "arn:aws:kms:eu-west-1:999999999999:key/k-1"),
			func(t *testing.T, res *Result) {
				f := res.File
				assert.Equal(t, "eu-west-1", f.Region, "the first region named")
				assert.Equal(t, []scenarios.FileKey{
					{ID: "k-1", Account: "444444444444"},
					{ID: "00000000-0000-0000-0000-000000000001", Alias: "alias/other", Account: "555555555555", Region: "us-west-2"}}, f.Keys)
				assert.Equal(t, []scenarios.FileBucket{{Name: "sagemaker-eu-west-1-333333333333", Account: "333333333333"},
					{Name: "bkt", Account: "111111111111"}}, f.Buckets)
				assert.Equal(t, []string{"111111111111", "333333333333", "444444444444", "555555555555"},
					[]string{f.Accounts[0].ID, f.Accounts[1].ID, f.Accounts[2].ID, f.Accounts[3].ID})
				assert.Equal(t, "role/R", f.Pipelines[0].Role)
				assert.Equal(t, []string{
					"key alias/other (at d.json:9:116): ID 00000000-0000-0000-0000-000000000001 made up: the definition names the key by its alias",
					"bucket bkt (at d.json:6:45): account 111111111111 assumed: an S3 URI names no account",
				}, res.Placeholders, "k-1's account comes from its ARN in step B")
				assert.Equal(t, []string{
					`d.json:1:184: step A: RoleArn (parameter Role's value "arn:aws:iam::111111111111:role/R"): role: takes no parameter: mapped as the parameter's value`,
					`d.json:12:45: step D: ProcessingInputs[0].S3Input.S3Uri: "https://bkt/z" is not an S3 URI (want s3://bucket/key)`,
					`d.json:12:119: step D: ProcessingOutputConfig.KmsKeyId "alias/aws/s3" is an AWS managed key, whose key policy cannot be written (it lets only its own account use the key, through the service)`,
					`d.json:15:116: step E: ProcessingOutputConfig.KmsKeyId "arn:aws:kms:eu-west-1:999999999999:key/k-1" is another key than the one of the same ID or alias in account 444444444444 (at d.json:3:146): the scenario declares each ID and alias once`,
				}, res.Unmapped)
				assert.Equal(t, scenarios.FileDataRef{Value: "k-1"}, f.Pipelines[0].Steps[0].KMSKey)
				assert.True(t, f.Pipelines[0].Steps[4].KMSKey.IsZero())
			}},
		{"not a role", proc("A", `"arn:aws:iam::111111111111:user/U"`, "s3://bkt/a", "k"),
			func(t *testing.T, res *Result) {
				assert.Equal(t, []string{
					"d.json:1:123: step A: its S3 data is not mapped: the definition names no role it runs as",
					`d.json:1:184: step A: RoleArn "arn:aws:iam::111111111111:user/U" is not an IAM role ARN`,
				}, res.Unmapped)
				assert.Empty(t, res.File.Buckets)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Definition("d.json", []byte(head+tc.steps+"]}"), DefinitionOptions{Account: "111111111111"})
			require.NoError(t, err)
			tc.check(t, res)
			var b bytes.Buffer
			require.NoError(t, res.Write(&b))
			assert.True(t, strings.Contains(b.String(), "\n# could not map:\n"), b.String())
		})
	}
}
