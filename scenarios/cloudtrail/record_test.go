package cloudtrail

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ctRecord returns a DescribePipeline record by an IAM user of
// 111111111111 on its pipeline p, changed by edit.
func ctRecord(t *testing.T, edit func(r map[string]any)) string {
	r := map[string]any{
		"eventVersion": "1.11", "eventTime": "2025-10-27T01:00:00Z", "awsRegion": "us-east-1",
		"eventSource": "sagemaker.amazonaws.com", "eventName": "DescribePipeline",
		"userIdentity":       map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::111111111111:user/ci", "accountId": "111111111111"},
		"requestParameters":  map[string]any{"pipelineName": "arn:aws:sagemaker:us-east-1:111111111111:pipeline/p"},
		"recipientAccountId": "111111111111", "requestID": "req-1",
	}
	if edit != nil {
		edit(r)
	}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	return string(b)
}

// readCalls reads the calls of a JSON Lines trace of lines without a
// scenario, each as "CALLER ACTION ACCT/PIPELINE".
func readCalls(t *testing.T, lines ...string) ([]string, *Stats) {
	t.Helper()
	tr, err := Open([]string{writeTemp(t, "t.jsonl", []byte(strings.Join(lines, "\n")+"\n"))}, Options{})
	require.NoError(t, err)
	calls := tr.Calls()
	defer calls.Close()
	var out []string
	var c Call
	for calls.Next(&c) {
		out = append(out, fmt.Sprintf("%s %s %s/%s", c.Caller, c.Action.Name(), c.Pipeline.Account, c.Pipeline.Name))
	}
	return out, calls.Stats()
}

// TestRecordRule feeds one record of each kind through the rule: which
// records are calls, who made them and what they name.
func TestRecordRule(t *testing.T) {
	identity := func(u map[string]any) func(map[string]any) {
		return func(r map[string]any) { r["userIdentity"] = u }
	}
	params := func(p map[string]any) func(map[string]any) {
		return func(r map[string]any) { r["requestParameters"] = p }
	}
	for _, tc := range []struct {
		name string
		edit func(map[string]any)
		want string // the call, or the skip reason
	}{
		{"IAM user", nil, "111111111111/user/ci DescribePipeline 111111111111/p"},
		{"root by accountId", identity(map[string]any{"type": "Root", "accountId": "222222222222"}),
			"222222222222 DescribePipeline 111111111111/p"},
		{"root by ARN", identity(map[string]any{"type": "Root", "arn": "arn:aws:iam::222222222222:root"}),
			"222222222222 DescribePipeline 111111111111/p"},
		{"assumed role through its session issuer", identity(map[string]any{"type": "AssumedRole",
			"arn":            "arn:aws:sts::222222222222:assumed-role/Analyst/s1",
			"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": "arn:aws:iam::222222222222:role/team/Analyst"}}}),
			"222222222222/role/team/Analyst DescribePipeline 111111111111/p"},
		{"assumed role without a session issuer", identity(map[string]any{"type": "AssumedRole",
			"arn": "arn:aws:sts::222222222222:assumed-role/Analyst/s1"}),
			"222222222222/role/Analyst DescribePipeline 111111111111/p"},
		{"AWS service", identity(map[string]any{"type": "AWSService", "invokedBy": "events.amazonaws.com"}), SkipIdentity},
		{"federated user", identity(map[string]any{"type": "FederatedUser", "arn": "arn:aws:sts::222222222222:federated-user/bob"}), SkipIdentity},
		{"no userIdentity", func(r map[string]any) { delete(r, "userIdentity") }, SkipIdentity},
		{"unreadable IAM user ARN", identity(map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::2222:user/x"}), SkipMalformed},
		{"other event", func(r map[string]any) { r["eventName"] = "ListNotebookInstances" }, SkipOtherEvent},
		{"other service", func(r map[string]any) { r["eventSource"] = "s3.amazonaws.com" }, SkipOtherEvent},
		{"bad eventTime", func(r map[string]any) { r["eventTime"] = "yesterday" }, SkipMalformed},
		{"eventTime after 2262", func(r map[string]any) { r["eventTime"] = "9999-12-31T23:59:59Z" }, SkipMalformed},
		{"eventTime before 1970", func(r map[string]any) { r["eventTime"] = "1969-12-31T23:59:59Z" }, SkipMalformed},
		{"eventTime at the end of int64 nanoseconds", func(r map[string]any) { r["eventTime"] = "2262-04-11T23:47:16Z" },
			"111111111111/user/ci DescribePipeline 111111111111/p"},
		{"execution ARN", params(map[string]any{"pipelineExecutionArn": "arn:aws:sagemaker:us-east-1:333333333333:pipeline/q/execution/e1"}),
			"111111111111/user/ci DescribePipeline 333333333333/q"},
		{"execution ARN with no ID", params(map[string]any{"pipelineExecutionArn": "arn:aws:sagemaker:us-east-1:333333333333:pipeline/q/execution/"}),
			SkipMalformed},
		{"pipelineArn in upper case", params(map[string]any{"pipelineArn": "ARN:AWS:SAGEMAKER:US-EAST-1:333333333333:PIPELINE/Q"}),
			"111111111111/user/ci DescribePipeline 333333333333/q"},
		{"bare name in the recipient's account", func(r map[string]any) {
			r["requestParameters"] = map[string]any{"pipelineName": "Nightly"}
			r["recipientAccountId"] = "333333333333"
		}, "111111111111/user/ci DescribePipeline 333333333333/nightly"},
		{"bare name in the caller's account", func(r map[string]any) {
			r["requestParameters"] = map[string]any{"pipelineName": "nightly"}
			delete(r, "recipientAccountId")
		}, "111111111111/user/ci DescribePipeline 111111111111/nightly"},
		{"not a pipeline name", params(map[string]any{"pipelineName": "no such/name"}), SkipMalformed},
		{"not a pipeline ARN", params(map[string]any{"pipelineArn": "arn:aws:s3:::bucket"}), SkipMalformed},
		{"no pipeline", params(map[string]any{"maxResults": 10}), SkipNoTarget},
		{"Search by its PipelineArn filter", func(r map[string]any) {
			r["eventName"] = "Search"
			r["requestParameters"] = map[string]any{"resource": "Pipeline", "searchExpression": map[string]any{"filters": []any{
				map[string]any{"name": "PipelineName", "operator": "Equals", "value": "x"},
				map[string]any{"name": "PipelineArn", "operator": "Equals", "value": "arn:aws:sagemaker:us-east-1:333333333333:pipeline/q"}}}}
		}, "111111111111/user/ci Search 333333333333/q"},
		{"Search naming no pipeline", func(r map[string]any) {
			r["eventName"] = "Search"
			r["requestParameters"] = map[string]any{"resource": "Pipeline"}
		}, "111111111111/user/ci Search /"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls, st := readCalls(t, ctRecord(t, tc.edit))
			if strings.Contains(tc.want, " ") {
				assert.Equal(t, []string{tc.want}, calls)
				assert.Empty(t, st.Skipped)
				return
			}
			assert.Empty(t, calls)
			assert.Equal(t, map[string]int64{tc.want: 1}, st.Skipped)
			if tc.want == SkipMalformed {
				assert.Len(t, st.Malformed, 1)
				assert.Contains(t, st.Malformed[0], ":record 1: ")
			}
		})
	}
}

// TestCopies: records with one sharedEventID, else one requestID, are one
// call, the first by eventTime whatever the file order; within the window
// only.
func TestCopies(t *testing.T) {
	at := func(ts string) func(map[string]any) { return func(r map[string]any) { r["eventTime"] = ts } }
	root := func(r map[string]any) {
		r["userIdentity"] = map[string]any{"type": "Root", "arn": "arn:aws:iam::111111111111:root", "accountId": "111111111111"}
	}
	both := func(fs ...func(map[string]any)) func(map[string]any) {
		return func(r map[string]any) {
			for _, f := range fs {
				f(r)
			}
		}
	}
	calls, st := readCalls(t, ctRecord(t, at("2025-10-27T01:01:00Z")), ctRecord(t, both(root, at("2025-10-27T01:00:00Z"))))
	assert.Equal(t, []string{"111111111111 DescribePipeline 111111111111/p"}, calls, "the earlier copy, the root user's")
	assert.Equal(t, int64(1), st.Skipped[SkipDuplicate])

	shared := func(id string) func(map[string]any) {
		return func(r map[string]any) { r["sharedEventID"] = id }
	}
	calls, _ = readCalls(t, ctRecord(t, shared("s1")), ctRecord(t, both(shared("s1"), func(r map[string]any) {
		r["recipientAccountId"], r["requestID"] = "333333333333", "req-2"
	})), ctRecord(t, both(shared("s2"), func(r map[string]any) { r["requestID"] = "req-3" })))
	assert.Len(t, calls, 2, "sharedEventID decides before requestID")

	calls, st = readCalls(t, ctRecord(t, nil), ctRecord(t, at("2025-10-27T01:14:00Z")), ctRecord(t, at("2025-10-27T01:40:00Z")))
	assert.Len(t, calls, 2, "a copy more than the window after the call counts again")
	assert.Equal(t, int64(1), st.Skipped[SkipDuplicate])

	calls, _ = readCalls(t, ctRecord(t, func(r map[string]any) { delete(r, "requestID") }), ctRecord(t, func(r map[string]any) { delete(r, "requestID") }))
	assert.Len(t, calls, 2, "records with no ID are never copies")
}

// TestCallsAndReplayTakeTheSameRecords reads the real-format samples and
// the IAMUser/Root pair with Calls and replays them into a world that
// holds every caller and pipeline: the same calls, in the same order.
func TestCallsAndReplayTakeTheSameRecords(t *testing.T) {
	pair := writeTemp(t, "pair.jsonl", []byte(ctRecord(t, func(r map[string]any) {
		r["eventTime"], r["requestID"] = "2025-10-27T00:31:00Z", "pair"
	})+"\n"+ctRecord(t, func(r map[string]any) {
		r["eventTime"], r["requestID"] = "2025-10-27T00:30:00Z", "pair"
		r["userIdentity"] = map[string]any{"type": "Root", "arn": "arn:aws:iam::111111111111:root", "accountId": "111111111111"}
		r["requestParameters"] = map[string]any{"pipelineName": "churn-training"}
	})+"\n"))
	paths := []string{pair, ctDir, "../../cmd/pipeshare/testdata/cloudtrail-sample.jsonl"}

	tr, err := Open(paths, Options{})
	require.NoError(t, err)
	calls := tr.Calls()
	var want []string
	var c Call
	for calls.Next(&c) {
		want = append(want, fmt.Sprintf("%s %s %s", c.At.Format("2006-01-02T15:04:05"), c.Caller, c.Action.Name()))
	}
	calls.Close()
	require.NotEmpty(t, want)
	assert.Contains(t, want, "2025-10-27T00:30:00 111111111111 DescribePipeline")
	assert.NotContains(t, want, "2025-10-27T00:31:00 111111111111/user/ci DescribePipeline")

	// A world with every account, principal and pipeline of the trace.
	var y strings.Builder
	y.WriteString("version: 1\nname: all\nstart: 2025-10-27T00:00:00Z\nduration: 3d\naccounts:\n")
	for _, a := range []string{"111111111111", "222222222222", "444444444444", "999999999999"} {
		fmt.Fprintf(&y, "  - id: %q\n", a)
	}
	y.WriteString("pipelines:\n")
	for _, p := range []string{"p", "churn-training", "nightly-eval"} {
		fmt.Fprintf(&y, "  - {name: %s, account: \"111111111111\"}\n", p)
	}
	sc, err := scenarios.Parse(filepath.Join(t.TempDir(), "all.yaml"), []byte(y.String()), scenarios.LoadOptions{})
	require.NoError(t, err)
	tr, err = Open(paths, Options{})
	require.NoError(t, err)
	require.NoError(t, tr.Prepare(&sc.Model))
	comp, err := scenarios.Compile(sc)
	require.NoError(t, err)
	w := comp.World
	src := tr.Source(w)
	var got []string
	var tc sim.TraceCall
	for src.Next(&tc) {
		caller := string(w.PrincipalAccount(tc.Caller))
		if name := w.PrincipalName(tc.Caller); name != "root" {
			caller += "/" + name
		}
		got = append(got, fmt.Sprintf("%s %s %s", w.TimeToRFC3339(tc.At)[:19], caller, tc.Action.Name()))
	}
	src.Close()
	assert.Equal(t, want, got)
	assert.Equal(t, []string{SkipDuplicate, SkipOtherEvent, SkipIdentity},
		slices.Sorted(maps.Keys(src.Stats().Skipped)), "no call the world cannot place")
}
