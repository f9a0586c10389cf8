package cloudtrail

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendUUIDAndJSONString(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for i := uint64(0); i < 100; i++ {
		u := string(appendUUID(nil, sim.SplitMix64(i), sim.SplitMix64(^i)))
		assert.Regexp(t, re, u)
	}
	for _, s := range []string{"", "plain", `q"uote\back`, "ctl\x00\x1f\n\t", "ünïcode ✓"} {
		b := appendJSONString(nil, s)
		var got string
		require.NoError(t, json.Unmarshal(b, &got), string(b))
		assert.Equal(t, s, got)
	}
	assert.Len(t, principalSuffix("arn:aws:iam::111111111111:role/X"), 17)
	assert.Equal(t, principalSuffix("arn:aws:iam::111111111111:role/X"), principalSuffix("arn:aws:iam::111111111111:role/X"))
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestCallWriter writes calls of the builtin quickstart directly: each line
// is one JSON record; a write error is kept and returned by Flush.
func TestCallWriter(t *testing.T) {
	b, ok := scenarios.Builtin("quickstart")
	require.True(t, ok)
	sc, err := scenarios.Parse("quickstart.yaml", b, scenarios.LoadOptions{})
	require.NoError(t, err)
	c, err := scenarios.Compile(sc)
	require.NoError(t, err)
	w := c.World
	var buf bytes.Buffer
	cw := NewCallWriter(&buf, w, 1, CallWriterOptions{OwnerCopies: true})
	p := w.AccountPrincipals("222222222222")
	require.Len(t, p, 2) // root, role/DataScientist
	cw.Call(&sim.CallRecord{At: 3600e9, Caller: p[1], Action: model.StartPipelineExecution, Pipeline: 0,
		Reason: model.ReasonShared, Share: 0, Execution: "4wemqw2sucgh"})
	cw.Call(&sim.CallRecord{At: 7200e9, Caller: p[0], Action: model.Search, Pipeline: 0, Reason: model.ReasonNotShared, Share: model.NoShare})
	require.NoError(t, cw.Flush())
	assert.Equal(t, uint64(2), cw.Calls())
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	require.Len(t, lines, 3, "a cross-account Start and its owner copy, then a Search (no owner copy)")
	for _, l := range lines {
		require.True(t, json.Valid(l), string(l))
	}
	assert.Contains(t, string(lines[0]), `"eventTime":"2026-01-05T01:00:00Z"`)
	assert.Contains(t, string(lines[0]), `"responseElements":{"pipelineExecutionArn":"arn:aws:sagemaker:us-east-1:111111111111:pipeline/churn-training/execution/4wemqw2sucgh"}`)
	assert.Contains(t, string(lines[1]), `"recipientAccountId":"111111111111"`)
	assert.Contains(t, string(lines[2]), `"errorMessage":"User: arn:aws:iam::222222222222:root is not authorized to perform: sagemaker:Search on resource: * because no resource-based policy allows the sagemaker:Search action"`)

	bad := NewCallWriter(failWriter{}, w, 1, CallWriterOptions{})
	for i := 0; i < 200; i++ { // more than the buffer holds
		bad.Call(&sim.CallRecord{At: sim.Time(i), Caller: p[1], Action: model.DescribePipeline, Reason: model.ReasonShared})
	}
	assert.EqualError(t, bad.Flush(), "disk full")
}

// jsonTrace is a test-only decoder of CallWriter output into sim trace
// calls (the real reader is the --trace one); it skips owner copies.
type jsonTrace struct {
	w     *model.World
	start int64
	lines [][]byte
	i     int
	err   error
}

func (j *jsonTrace) Next(c *sim.TraceCall) bool {
	for j.i < len(j.lines) {
		var r struct {
			EventTime, EventName, ErrorCode, RecipientAccountID string
			UserIdentity                                        struct {
				AccountID, ARN string
				SessionContext *struct{ SessionIssuer struct{ ARN string } }
			}
			RequestParameters struct{ PipelineName, PipelineExecutionArn, ClientRequestToken string }
			ResponseElements  *struct{ PipelineExecutionArn string }
		}
		l := j.lines[j.i]
		j.i++
		if j.err = json.Unmarshal(l, &r); j.err != nil {
			return false
		}
		if r.RecipientAccountID != r.UserIdentity.AccountID {
			continue
		}
		arn := r.UserIdentity.ARN
		if r.UserIdentity.SessionContext != nil {
			arn = r.UserIdentity.SessionContext.SessionIssuer.ARN
		}
		ps, err := j.w.LookupCallers(arn)
		if err != nil {
			j.err = err
			return false
		}
		at, err := time.Parse(time.RFC3339, r.EventTime)
		if err != nil {
			j.err = err
			return false
		}
		a, _ := model.ParseAction(r.EventName)
		*c = sim.TraceCall{At: sim.Time(at.UnixNano() - j.start), Caller: ps[0], Action: a, Token: r.RequestParameters.ClientRequestToken}
		target := r.RequestParameters.PipelineName
		if x := r.RequestParameters.PipelineExecutionArn; x != "" {
			target = x[:strings.Index(x, "/execution/")]
			c.Execution = x[strings.LastIndexByte(x, '/')+1:]
		}
		if a == model.Search {
			target = "churn-training"
		}
		if c.Pipeline, err = j.w.LookupPipeline(target); err != nil {
			j.err = err
			return false
		}
		if r.ResponseElements != nil && a == model.StartPipelineExecution {
			x := r.ResponseElements.PipelineExecutionArn
			c.StartsExecution = x[strings.LastIndexByte(x, '/')+1:]
		}
		switch r.ErrorCode {
		case "":
		case "AccessDeniedException":
			c.Recorded = sim.RecordedDenied
		default:
			c.Recorded = sim.RecordedError
		}
		return true
	}
	return false
}

func (j *jsonTrace) Err() error { return j.err }

// TestCallWriterReplays replays a run's CallWriter output (owner copies
// included, then skipped) on a fresh compile of the same scenario: every
// caller makes the same calls with the same final reasons, so execution
// ARNs of Starts map to the replay's executions.
func TestCallWriterReplays(t *testing.T) {
	b, ok := scenarios.Builtin("quickstart")
	require.True(t, ok)
	compile := func() *scenarios.Compiled {
		sc, err := scenarios.Parse("quickstart.yaml", b, scenarios.LoadOptions{})
		require.NoError(t, err)
		c, err := scenarios.Compile(sc)
		require.NoError(t, err)
		return c
	}
	counts := func(res *sim.Result) map[string]int64 {
		out := map[string]int64{}
		for i, p := range res.Callers {
			for a := range model.NumActions {
				for r := range model.NumReasons {
					if n := res.Calls[i][a][r]; n > 0 {
						out[res.World.CallerString(p)+" "+model.Action(a).Name()+" "+model.Reason(r).String()] += n
					}
				}
			}
		}
		return out
	}
	c := compile()
	var buf bytes.Buffer
	cw := NewCallWriter(&buf, c.World, c.Scenario.Sim.Seed, CallWriterOptions{OwnerCopies: true})
	c.Sim.SetSink(cw)
	want := counts(c.Sim.Run())
	require.NoError(t, cw.Flush())

	r := compile()
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	src := &jsonTrace{w: r.World, start: r.World.StartUnixNano(), lines: lines}
	r.Sim.SetTrace(src)
	res := r.Sim.Run()
	require.NoError(t, src.Err())
	assert.Equal(t, want, counts(res))
	assert.Equal(t, int64(cw.Calls()), res.Trace.Calls)
}

// dataScenario: two consumers start the owner's pipeline with their own
// input; the partner's key policy trusts only the partner, so its Starts
// fail on kms:Decrypt, the research ones succeed.
const dataScenario = `version: 1
name: data-roundtrip
start: 2026-01-05T00:00:00Z
duration: 2d
seed: 7
accounts:
  - {id: "111111111111", principals: [{name: role/Exec, policies: [exec]}]}
  - {id: "222222222222", principals: [{name: role/Research, policies: [start]}]}
  - {id: "999999999999", principals: [{name: role/Partner, policies: [start]}]}
policies:
  start: {Statement: [{Effect: Allow, Action: "sagemaker:StartPipelineExecution", Resource: "*"}]}
  exec: {Statement: [{Effect: Allow, Action: ["s3:GetObject", "s3:ListBucket", "kms:Decrypt"], Resource: "*"}]}
keys:
  - {id: k-research, account: "222222222222", policy: {Statement: [{Effect: Allow, Principal: {AWS: "111111111111"}, Action: "kms:*", Resource: "*"}]}}
  - {id: k-partner, account: "999999999999", policy: {Statement: [{Effect: Allow, Principal: {AWS: "999999999999"}, Action: "kms:*", Resource: "*"}]}}
buckets:
  - {name: research-data, account: "222222222222", encryption: {kms_key: k-research},
     policy: {Statement: [{Effect: Allow, Principal: {AWS: "111111111111"}, Action: "s3:*", Resource: "*"}]}}
  - {name: partner-data, account: "999999999999", encryption: {kms_key: k-partner},
     policy: {Statement: [{Effect: Allow, Principal: {AWS: "111111111111"}, Action: "s3:*", Resource: "*"}]}}
pipelines:
  - name: churn
    account: "111111111111"
    role: role/Exec
    parameters: {InputData: "s3://research-data/churn/", Mode: fast}
    steps:
      - {name: Prep, type: Processing, instance_type: ml.m5.xlarge, duration: 20m, inputs: [{param: InputData}]}
shares:
  - {name: s, owner: "111111111111", pipelines: [churn], principals: ["222222222222", "999999999999"], permission: extended}
workload:
  - {name: research, callers: ["222222222222/role/Research"], targets: [churn], every: 6h,
     actions: {StartPipelineExecution: 1}, parameters: {InputData: "s3://research-data/churn/2026-01/"}}
  - {name: partner, callers: ["999999999999/role/Partner"], targets: [churn], every: 6h,
     actions: {StartPipelineExecution: 1}, parameters: {"999999999999/role/Partner": {InputData: "s3://partner-data/exports/"}}}
`

// TestCallWriterReplaysStartParameters: a run's --calls output records
// each Start's parameters (those that differ from the pipeline's
// defaults) as CloudTrail's pipelineParameters, and replaying it with the
// --trace reader reproduces the run's data plane: the same steps fail on
// the same denied accesses, burning the same owner money.
func TestCallWriterReplaysStartParameters(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "s.yaml")
	require.NoError(t, os.WriteFile(file, []byte(dataScenario), 0o644))
	parse := func() *scenarios.Scenario {
		sc, err := scenarios.Parse(file, []byte(dataScenario), scenarios.LoadOptions{})
		require.NoError(t, err)
		return sc
	}
	c, err := scenarios.Compile(parse())
	require.NoError(t, err)
	calls := filepath.Join(dir, "calls.jsonl")
	f, err := os.Create(calls)
	require.NoError(t, err)
	cw := NewCallWriter(f, c.World, c.Scenario.Sim.Seed, CallWriterOptions{})
	c.Sim.SetSink(cw)
	want := c.Sim.Run()
	require.NoError(t, cw.Flush())
	require.NoError(t, f.Close())
	require.NotEmpty(t, want.Data.Failures, "the partner's Starts fail on its key")
	require.Positive(t, want.Executions.Started)

	out, err := os.ReadFile(calls)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"clientRequestToken":"pipeshare-`)
	assert.Contains(t, string(out), `"pipelineParameters":[{"name":"InputData","value":"s3://partner-data/exports/"}]},"responseElements"`)
	assert.Contains(t, string(out), `"pipelineParameters":[{"name":"InputData","value":"s3://research-data/churn/2026-01/"}]}`)
	assert.NotContains(t, string(out), `"Mode"`, "a parameter left at its default is not written")

	sc := parse()
	tr, err := Open([]string{calls}, Options{Strict: true})
	require.NoError(t, err)
	require.NoError(t, tr.Prepare(&sc.Model))
	r, err := scenarios.Compile(sc)
	require.NoError(t, err)
	src := tr.Source(r.World)
	r.Sim.SetTrace(src)
	got := r.Sim.Run()
	require.NoError(t, src.Finish(got.Trace.Calls))
	assert.Equal(t, int64(cw.Calls()), got.Trace.Calls)
	// Data's counters, not the run it keeps to answer StartData.
	assert.Equal(t, want.Data.Decisions, got.Data.Decisions)
	assert.Equal(t, want.Data.Failures, got.Data.Failures)
	assert.Equal(t, want.Executions, got.Executions)
	assert.Equal(t, want.Ledger, got.Ledger)
}
