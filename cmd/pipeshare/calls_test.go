package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const callsScenario = "testdata/calls-small.yaml"

// TestCallsGolden pins run --calls --owner-copies output for a small
// scenario: the same scenario and seed give the same bytes.
func TestCallsGolden(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "calls.jsonl")
	code, _, stderr := pipeshare(t, "", "run", callsScenario, "--calls", path, "--owner-copies", "--format", "json")
	require.Equal(t, 0, code, stderr)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	golden(t, "calls-small-owner-copies.jsonl", string(got))

	// Deterministic: a second run writes the same bytes.
	path2 := filepath.Join(dir, "again.jsonl")
	code, _, stderr = pipeshare(t, "", "run", callsScenario, "--calls", path2, "--owner-copies")
	require.Equal(t, 0, code, stderr)
	again, err := os.ReadFile(path2)
	require.NoError(t, err)
	assert.Equal(t, string(got), string(again))

	// No temp file is left beside the output.
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2)
}

// readCalls reads a --calls file (gzip when it ends in .gz).
func readCalls(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var r = bufio.NewReader(f)
	var sc *bufio.Scanner
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(r)
		require.NoError(t, err)
		sc = bufio.NewScanner(gz)
	} else {
		sc = bufio.NewScanner(r)
	}
	sc.Buffer(nil, 1<<20)
	var out []map[string]any
	for sc.Scan() {
		var rec map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rec), sc.Text())
		out = append(out, rec)
	}
	require.NoError(t, sc.Err())
	return out
}

// TestCallsRecords checks the record shape: one caller copy per call,
// counted like the report, with the fields docs/aws-semantics.md#cloudtrail-records lists.
func TestCallsRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calls.jsonl")
	code, js, stderr := pipeshare(t, "", "run", callsScenario, "--calls", path, "--format", "json")
	require.Equal(t, 0, code, stderr)
	var sum struct {
		Calls struct {
			Total    int            `json:"total"`
			ByReason map[string]int `json:"by_reason"`
		} `json:"calls"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &sum))
	recs := readCalls(t, path)
	require.Len(t, recs, sum.Calls.Total)
	byReason := map[string]int{}
	for _, r := range recs {
		ad := r["additionalEventData"].(map[string]any)
		reason := ad["pipeshareReason"].(string)
		byReason[reason]++
		assert.Equal(t, "1.11", r["eventVersion"])
		assert.Equal(t, "sagemaker.amazonaws.com", r["eventSource"])
		assert.Equal(t, "eu-west-1", r["awsRegion"])
		assert.Equal(t, "AwsApiCall", r["eventType"])
		assert.Equal(t, "Management", r["eventCategory"])
		assert.Equal(t, true, r["managementEvent"])
		assert.NotContains(t, r, "sharedEventID", "no owner copies: no sharedEventID")
		ui := r["userIdentity"].(map[string]any)
		assert.Equal(t, ui["accountId"], r["recipientAccountId"])
		rp := r["requestParameters"].(map[string]any)
		name := r["eventName"].(string)
		switch name {
		case "StartPipelineExecution", "StopPipelineExecution", "RetryPipelineExecution":
			assert.Equal(t, false, r["readOnly"])
			assert.GreaterOrEqual(t, len(rp["clientRequestToken"].(string)), 32)
			if reason == "owner" || reason == "shared" {
				re := r["responseElements"].(map[string]any)
				assert.Regexp(t, `^arn:aws:sagemaker:eu-west-1:111111111111:pipeline/churn-training/execution/[0-9a-z]{12}$`, re["pipelineExecutionArn"])
			}
		default:
			assert.Equal(t, true, r["readOnly"])
			assert.Nil(t, r["responseElements"])
		}
		switch name {
		case "DescribePipeline", "StartPipelineExecution":
			assert.Equal(t, "arn:aws:sagemaker:eu-west-1:111111111111:pipeline/churn-training", rp["pipelineName"])
		case "Search":
			assert.Equal(t, "Pipeline", rp["resource"])
		default:
			assert.Contains(t, rp["pipelineExecutionArn"], "/execution/")
		}
		switch {
		case reason == "owner" || reason == "shared":
			assert.Equal(t, "allow", ad["pipeshareDecision"])
			assert.NotContains(t, r, "errorCode")
		case ad["pipeshareDecision"] == "deny":
			assert.Equal(t, "AccessDeniedException", r["errorCode"])
			assert.Regexp(t, `^User: arn:aws:(iam|sts)::\d{12}:\S+ is not authorized to perform: sagemaker:`+name+` on resource: \S+ (because no|with an explicit deny in)`, r["errorMessage"])
		default:
			assert.Contains(t, r, "errorCode")
		}
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, r["eventID"])
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, r["requestID"])
		switch ui["type"] {
		case "AssumedRole":
			assert.Equal(t, "arn:aws:sts::222222222222:assumed-role/DataScientist/pipeshare", ui["arn"])
			si := ui["sessionContext"].(map[string]any)["sessionIssuer"].(map[string]any)
			assert.Equal(t, "arn:aws:iam::222222222222:role/ml/DataScientist", si["arn"])
			assert.Equal(t, "DataScientist", si["userName"])
		case "IAMUser":
			assert.Equal(t, "arn:aws:iam::111111111111:user/ci", ui["arn"])
		case "Root":
			assert.Equal(t, "arn:aws:iam::999999999999:root", ui["arn"])
		default:
			t.Errorf("userIdentity type %v", ui["type"])
		}
	}
	for reason, n := range sum.Calls.ByReason {
		assert.Equal(t, n, byReason[reason], reason)
	}
	assert.Positive(t, byReason["explicit_deny"])
	assert.Positive(t, byReason["not_shared"])
	assert.Positive(t, byReason["owner"])
	assert.Positive(t, byReason["shared"])
}

// TestCallsOwnerCopies checks --owner-copies: each cross-account call that
// names a pipeline gets a second copy for the owner with one sharedEventID
// and its own eventID; same-account calls and Search keep one copy.
func TestCallsOwnerCopies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calls.jsonl.gz")
	code, _, stderr := pipeshare(t, "", "run", callsScenario, "--calls", path, "--owner-copies")
	require.Equal(t, 0, code, stderr)
	recs := readCalls(t, path) // gzip decompresses
	byShared := map[string][]map[string]any{}
	for _, r := range recs {
		ui := r["userIdentity"].(map[string]any)
		cross := ui["accountId"] != "111111111111" && r["eventName"] != "Search"
		id, ok := r["sharedEventID"].(string)
		require.Equal(t, cross, ok, "sharedEventID only on cross-account calls: %v", r)
		if ok {
			byShared[id] = append(byShared[id], r)
		}
	}
	require.NotEmpty(t, byShared)
	for id, pair := range byShared {
		require.Len(t, pair, 2, id)
		caller, owner := pair[0], pair[1]
		assert.Equal(t, caller["userIdentity"].(map[string]any)["accountId"], caller["recipientAccountId"])
		assert.Equal(t, "111111111111", owner["recipientAccountId"])
		assert.NotEqual(t, caller["eventID"], owner["eventID"])
		assert.Equal(t, caller["requestID"], owner["requestID"])
		delete(caller, "eventID")
		delete(owner, "eventID")
		delete(caller, "recipientAccountId")
		delete(owner, "recipientAccountId")
		assert.Equal(t, caller, owner)
	}
}

// TestCallsUnwritable: a --calls path that cannot be written is an input
// error (exit 2) before the run, and leaves no file.
func TestCallsUnwritable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "missing", "calls.jsonl")
	code, stdout, stderr := pipeshare(t, "", "run", callsScenario, "--calls", path)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "--calls "+path)
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one-line message: %q", stderr)
	_, err := os.Stat(path)
	assert.True(t, os.IsNotExist(err))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)

	code, _, stderr = pipeshare(t, "", "run", callsScenario, "--owner-copies")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--owner-copies applies to --calls")
	code, _, stderr = pipeshare(t, "", "run", callsScenario, "--calls", filepath.Join(dir, "x.jsonl"), "--replicas", "2")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--replicas")
}
