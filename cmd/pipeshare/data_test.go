package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const dataScenario = "testdata/data/data-plane.yaml"

// TestDataPlaneRun: in the data-plane scenario the partner's Starts are
// allowed, then each execution fails on the partner's KMS key, which does
// not trust the owner account; the research consumer's succeed. The run
// text and JSON are golden and the JSON matches the run schema.
func TestDataPlaneRun(t *testing.T) {
	code, text, stderr := pipeshare(t, "", "run", dataScenario)
	require.Equal(t, 0, code, stderr)
	golden(t, "data-plane-run.txt", text)
	code, out, stderr := pipeshare(t, "", "run", dataScenario, "--format", "json")
	require.Equal(t, 0, code, stderr)
	golden(t, "data-plane-run.json", out)
	assert.NoError(t, compileSchema(t, "run").Validate(asJSONValue(t, []byte(out), false)))

	var run struct {
		Executions struct{ Started, Succeeded, Failed int64 }
		Data       struct {
			FailedSteps int64 `json:"failed_steps"`
			USD         float64
			Failures    []struct{ Account, Step, Subject, Action, Reason string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &run))
	assert.Equal(t, int64(8), run.Executions.Started)
	assert.Equal(t, int64(4), run.Executions.Succeeded, "research's runs succeed")
	assert.Equal(t, int64(4), run.Executions.Failed, "partner's runs fail")
	require.Len(t, run.Data.Failures, 1)
	f := run.Data.Failures[0]
	assert.Equal(t, []string{"999999999999", "Prepare", "alias/partner-data", "kms:Decrypt", "no_resource_allow"},
		[]string{f.Account, f.Step, f.Subject, f.Action, f.Reason})
	// 4 failures × 2 ml.m5.xlarge × 90 s setup at $0.23/h.
	assert.InDelta(t, 0.046, run.Data.USD, 1e-9)

	for _, format := range []string{"md", "html"} {
		code, out, stderr := pipeshare(t, "", "run", dataScenario, "--format", format)
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, out, "Data plane", format)
		assert.Contains(t, out, "alias/partner-data", format)
	}
	code, out, stderr = pipeshare(t, "", "run", dataScenario, "--format", "csv", "--table", "data")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "account,account_name,principal,pipeline,step,subject,action,resource,reason,steps,usd\n"+
		"999999999999,partner,role/Analyst,churn-training,Prepare,alias/partner-data,kms:Decrypt,"+
		"arn:aws:kms:us-east-1:999999999999:key/9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff,no_resource_allow,4,0.0460\n", out)
	s := compileSchema(t, "scenario")
	data, err := os.ReadFile(dataScenario)
	require.NoError(t, err)
	assert.NoError(t, s.Validate(asJSONValue(t, data, true)))
}

// TestDataPlaneExplain explains the two consumers' reads and the
// platform's write, text and JSON golden.
func TestDataPlaneExplain(t *testing.T) {
	tests := []struct {
		name, step, access, uri, caller string
		decision                        string
	}{
		{"partner-read", "Prepare", "read", "s3://partner-data/exports/churn/", "", "DENY (no_resource_allow)"},
		{"research-read", "Prepare", "read", "s3://research-data/churn/2026-01/", "222222222222/role/DataScientist", "ALLOW (allowed)"},
		{"model-write", "Train", "write", "s3://platform-models/churn/model.tar.gz", "", "ALLOW (allowed)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"explain", dataScenario, "--pipeline", "churn-training", "--step", tc.step,
				"--access", tc.access, "--uri", tc.uri, "--at", "13h"}
			if tc.caller != "" {
				args = append(args, "--caller", tc.caller)
			}
			code, text, stderr := pipeshare(t, "", args...)
			require.Equal(t, 0, code, stderr)
			assert.True(t, strings.HasPrefix(text, tc.decision+"\n"), text)
			golden(t, "data-plane-explain-"+tc.name+".txt", text)
			code, out, stderr := pipeshare(t, "", append(args, "--format", "json")...)
			require.Equal(t, 0, code, stderr)
			golden(t, "data-plane-explain-"+tc.name+".json", out)
		})
	}
	code, _, stderr := pipeshare(t, "", "explain", dataScenario, "--pipeline", "churn-training", "--step", "Nope",
		"--access", "read", "--uri", "s3://partner-data/x")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `pipeline churn-training has no step "Nope" (its steps: Prepare, Train)`)
	code, _, stderr = pipeshare(t, "", "explain", dataScenario, "--pipeline", "churn-training", "--step", "Prepare",
		"--access", "read")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--access needs --uri")
}

// TestDataPlaneBadInput: each broken data-plane input exits 2 with its
// position; a bucket in another region is a warning only.
func TestDataPlaneBadInput(t *testing.T) {
	base, err := os.ReadFile(dataScenario)
	require.NoError(t, err)
	tests := []struct {
		name, old, new, want string
		code                 int
	}{
		{"not an S3 URI", `{InputData: "s3://research-data/churn/2026-01/"}`, `{InputData: "research-data/churn/"}`,
			`s.yaml:126:29: parameter InputData: "research-data/churn/" is not an S3 URI (want s3://bucket/key)`, 2},
		{"unknown bucket", `outputs: ["s3://platform-models/churn/"]`, `outputs: ["s3://elsewhere/churn/"]`,
			`s.yaml:110:20: unknown bucket "elsewhere"`, 2},
		{"unknown key", `encryption: {kms_key: alias/partner-data}`, `encryption: {kms_key: alias/nope}`,
			`s.yaml:88:27: unknown key "alias/nope"`, 2},
		{"unknown param", `inputs: [{param: InputData}]`, `inputs: [{param: Input}]`,
			`s.yaml:108:27: unknown param "Input" (the pipeline has InputData)`, 2},
		{"key policy statement without a principal", `{Sid: PartnerOnly, Effect: Allow, Principal: {AWS: "999999999999"},`,
			`{Sid: PartnerOnly, Effect: Allow,`, `s.yaml:73:11: a statement of the key policy of alias/partner-data has no Principal`, 2},
		{"bucket in another region", "object_ownership: BucketOwnerEnforced", "object_ownership: BucketOwnerEnforced\n    region: eu-west-1",
			`s.yaml:99:13: warning: bucket platform-models is in eu-west-1, the pipelines in us-east-1`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, string(base), tc.old)
			dir := t.TempDir()
			f := filepath.Join(dir, "s.yaml")
			require.NoError(t, os.WriteFile(f, []byte(strings.Replace(string(base), tc.old, tc.new, 1)), 0o644))
			code, _, stderr := pipeshare(t, "", "validate", "--root", dir, f)
			assert.Equal(t, tc.code, code, stderr)
			assert.Contains(t, strings.ReplaceAll(stderr, dir+"/", ""), tc.want)
		})
	}
}

// TestDataPlaneRCPEvent attaches an RCP that keeps research's data in
// research to its OU after a day: research's two Starts before it run,
// the two after fail on S3 with reason rcp, and the headline says what
// changed.
func TestDataPlaneRCPEvent(t *testing.T) {
	data, err := os.ReadFile(dataScenario)
	require.NoError(t, err)
	in := strings.Replace(string(data), "policies:\n", `policies:
  research-only:
    Statement:
      - Effect: Deny
        Principal: "*"
        Action: "s3:*"
        Resource: "*"
        Condition: {StringNotEquals: {aws:PrincipalAccount: "222222222222"}}
`, 1) + `events:
  - {at: 1d, action: attach_rcp, target: "ou:/research", policy: research-only}
`
	path := filepath.Join(t.TempDir(), "rcp-event.yaml")
	require.NoError(t, os.WriteFile(path, []byte(in), 0o600))
	code, out, stderr := pipeshare(t, "", "run", path, "--root", filepath.Dir(path), "--format", "json")
	require.Equal(t, 0, code, stderr)
	var run struct {
		Data struct {
			Failures []struct {
				Account, Step, Action, Reason string
				Steps                         int64
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &run))
	var research []string
	for _, f := range run.Data.Failures {
		if f.Account == "222222222222" {
			research = append(research, fmt.Sprintf("%s %s %s %d", f.Step, f.Action, f.Reason, f.Steps))
		}
	}
	assert.Equal(t, []string{"Prepare s3:ListBucket rcp 2"}, research)
	code, text, stderr := pipeshare(t, "", "run", path, "--root", filepath.Dir(path))
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, text, "RCP research-only was attached to ou:/research")
}

// TestRequiredParameterRun: cross-account-data.json declares ScoringData
// without a DefaultValue, so every Start passes it and ChurnScore reads
// what each consumer passes: Research's bucket lets the owner's role read,
// Partner's does not, and run and check say so with the value passed. A
// workload entry that does not pass it is refused at the entry.
func TestRequiredParameterRun(t *testing.T) {
	const scenario = "testdata/data/required-param.yaml"
	code, out, stderr := pipeshare(t, "", "run", scenario, "--root", "../..", "--format", "json")
	require.Equal(t, 0, code, stderr)
	var run struct {
		Executions struct{ Started, Succeeded, Failed int64 }
		Data       struct {
			Failures []struct {
				Account, Step, Subject, Action string
				Steps                          int64
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &run))
	assert.Equal(t, int64(8), run.Executions.Started)
	assert.Equal(t, int64(4), run.Executions.Succeeded, "Research's ScoringData is readable")
	require.Len(t, run.Data.Failures, 1)
	f := run.Data.Failures[0]
	assert.Equal(t, []string{"999999999999", "ChurnScore", "s3://partner-scoring", "s3:ListBucket"}, []string{f.Account, f.Step, f.Subject, f.Action})
	assert.Equal(t, int64(4), f.Steps, "each of Partner's Starts fails at the step that reads its ScoringData")

	code, out, stderr = pipeshare(t, "", "check", scenario, "--root", "../..")
	require.Equal(t, 1, code, stderr)
	assert.Contains(t, out, "share churn-consumers lets 999999999999/role/Analyst start churn, but with the parameters it passes (ScoringData=s3://partner-scoring/2026-01/) step ChurnScore's role")

	in, err := os.ReadFile(scenario)
	require.NoError(t, err)
	def, err := filepath.Abs(realDefinitions + "cross-account-data.json")
	require.NoError(t, err)
	noParams := filepath.Join(t.TempDir(), "no-params.yaml")
	cut := strings.Index(string(in), "    parameters:\n")
	require.Positive(t, cut)
	require.NoError(t, os.WriteFile(noParams, []byte(strings.Replace(string(in[:cut]), "../../../../scenarios/testdata/real/definitions/cross-account-data.json", def, 1)), 0o644))
	code, _, stderr = pipeshare(t, "", "validate", noParams, "--root", "/")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, noParams+`:73:5: workload "consumers": its Starts of pipeline churn by 222222222222/role/DataScientist, 999999999999/role/Analyst do not pass parameter ScoringData, which the pipeline declares without a default`)
}

// TestRequiredParameterWithoutData: a parameter without a default is
// required of every Start also in a scenario that declares no buckets or
// keys (SageMaker rejects such a Start whatever its data), and a
// misspelt one is reported with the names the pipeline has.
func TestRequiredParameterWithoutData(t *testing.T) {
	const scenario = `version: 1
name: no-data
start: 2026-01-05T00:00:00Z
duration: 1d
accounts:
  - id: "111111111111"
  - id: "222222222222"
pipelines:
  - name: churn
    account: "111111111111"
    parameters: {InputData: null, Region: eu}
    steps: [{name: Prep, type: Processing, instance_type: ml.m5.xlarge, duration: 10m}]
workload:
  - name: research
    callers: ["222222222222"]
    targets: [churn]
    every: 6h
    actions: {StartPipelineExecution: 1}
    parameters: {InputDat: "2026-01"}
`
	file := filepath.Join(t.TempDir(), "no-data.yaml")
	require.NoError(t, os.WriteFile(file, []byte(scenario), 0o644))
	code, _, stderr := pipeshare(t, "", "validate", file)
	assert.Equal(t, 2, code)
	assert.Equal(t, file+`:14:5: workload "research": its Starts of pipeline churn by 222222222222 do not pass parameter InputData, which the pipeline declares without a default, so SageMaker rejects them (give the entry parameters: {InputData: VALUE})
`+file+`:19:18: unknown param "InputDat": no target pipeline of this entry has it (churn has InputData, Region)
`, stderr)

	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(scenario, "InputDat:", "InputData:", 1)), 0o644))
	code, out, stderr := pipeshare(t, "", "validate", file)
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "no-data.yaml: ok")
}
