package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./report -update")
	require.Equal(t, string(want), string(got), "output differs from %s; run go test ./report -update and review the diff", path)
}

const (
	hour      = model.Time(time.Hour)
	ownerAcct = "111111111111"
	resAcct   = "222222222222"
	partner   = "999999999999"
)

var fixtureStart = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// pos returns a position in the fixture's pretend scenario file.
func pos(line, col int) model.Pos { return model.Pos{File: "fixture.yaml", Line: line, Col: col} }

func ref(s string, line int) model.Ref { return model.Ref{S: s, Pos: pos(line, 5)} }

func refs(line int, ss ...string) []model.Ref {
	out := make([]model.Ref, len(ss))
	for i, s := range ss {
		out[i] = ref(s, line)
	}
	return out
}

// fixtureConfig is a small organization: the owner 111111111111 in /prod
// (the management account) with two pipelines; 222222222222 in /research,
// whose OU carries a deny-stop SCP, with a consumer role, a role scoped to
// the pipeline ARN only and an auditor with an explicit deny; and an outside
// partner 999999999999 invited to the extended share. The research OU gets
// the eval pipeline read-only.
func fixtureConfig() *model.Config {
	stmt := func(line int, sid, effect string, actions []string, resources ...string) model.StatementDoc {
		return model.StatementDoc{Sid: sid, Effect: ref(effect, line+1), Action: refs(line+2, actions...),
			Resource: refs(line+3, resources...), Pos: pos(line, 9)}
	}
	churnARN := "arn:aws:sagemaker:us-east-1:" + ownerAcct + ":pipeline/churn-training"
	return &model.Config{
		Region:        "us-east-1",
		StartUnixNano: fixtureStart.UnixNano(),
		Org: &model.OrgConfig{
			ID:         "o-a1b2c3d4e5",
			Management: ref(ownerAcct, 3),
			RAMSharing: true,
			Units: []model.UnitConfig{
				{Path: ref("/prod", 5), FullAccess: true, Pos: pos(5, 7)},
				{Path: ref("/research", 6), SCPs: refs(6, "deny-stop"), FullAccess: true, Pos: pos(6, 7)},
			},
			Pos: pos(2, 1),
		},
		Accounts: []model.AccountConfig{
			{ID: ref(ownerAcct, 9), Name: "ml-platform", OU: ref("/prod", 9), FullAccess: true, Pos: pos(9, 5),
				Principals: []model.PrincipalConfig{
					{Name: ref("role/PipelineAdmin", 10), Policies: refs(10, "pipelines-all"), Pos: pos(10, 9)},
				}},
			{ID: ref(resAcct, 11), Name: "research", OU: ref("/research", 11), FullAccess: true, Pos: pos(11, 5),
				Principals: []model.PrincipalConfig{
					{Name: ref("role/DataScientist", 12), Policies: refs(12, "pipelines-consumer"), Pos: pos(12, 9)},
					{Name: ref("role/Scoped", 13), Policies: refs(13, "pipeline-arn-only"), Pos: pos(13, 9)},
					{Name: ref("role/Auditor", 14), Policies: refs(14, "pipelines-consumer", "no-start"), Pos: pos(14, 9)},
				}},
			{ID: ref(partner, 15), FullAccess: true, Pos: pos(15, 5),
				Principals: []model.PrincipalConfig{
					{Name: ref("role/Partner", 16), Policies: refs(16, "pipelines-all"), Pos: pos(16, 9)},
				}},
		},
		Policies: []model.PolicyDoc{
			{Name: "pipelines-all", Pos: pos(20, 3), Statements: []model.StatementDoc{
				stmt(21, "All", "Allow", []string{"sagemaker:*"}, "*")}},
			{Name: "pipelines-consumer", Pos: pos(25, 3), Statements: []model.StatementDoc{
				stmt(26, "Read", "Allow", []string{"sagemaker:Describe*", "sagemaker:List*", "sagemaker:Search"}, "*"),
				stmt(30, "Run", "Allow", []string{"sagemaker:StartPipelineExecution",
					"sagemaker:StopPipelineExecution", "sagemaker:RetryPipelineExecution"}, "*")}},
			{Name: "pipeline-arn-only", Pos: pos(35, 3), Statements: []model.StatementDoc{
				stmt(36, "", "Allow", []string{"sagemaker:*"}, churnARN)}},
			{Name: "no-start", Pos: pos(40, 3), Statements: []model.StatementDoc{
				stmt(41, "NoStart", "Deny", []string{"sagemaker:StartPipelineExecution"}, "*")}},
			{Name: "deny-stop", Pos: pos(45, 3), Statements: []model.StatementDoc{
				stmt(46, "", "Deny", []string{"sagemaker:StopPipelineExecution"}, "*")}},
		},
		Pipelines: []model.PipelineConfig{
			{Name: ref("churn-training", 51), Account: ref(ownerAcct, 52), Pos: pos(51, 5)},
			{Name: ref("eval", 53), Account: ref(ownerAcct, 54), Pos: pos(53, 5)},
		},
		Shares: []model.ShareConfig{
			{Name: ref("churn-to-research", 57), Owner: ref(ownerAcct, 58), Pipelines: refs(59, "churn-training"),
				Principals: refs(60, resAcct, partner), Permission: model.PermissionExtended,
				AssociationDelay: model.Time(2 * time.Minute), AllowExternal: true, InvitationTTL: 12 * hour,
				Invitations: []model.InvitationConfig{
					{Key: ref(partner, 62), Answer: model.AnswerAccept, After: 3 * hour, Pos: pos(62, 7)}},
				Pos: pos(57, 5)},
			{Name: ref("eval-to-research-ou", 64), Owner: ref(ownerAcct, 65), Pipelines: refs(66, "eval"),
				Principals: refs(67, "ou:/research"), Permission: model.PermissionReadOnly,
				AssociationDelay: model.Time(2 * time.Minute), AllowExternal: true, InvitationTTL: 12 * hour,
				Pos: pos(64, 5)},
		},
	}
}

// fixtureWorld compiles fixtureConfig, failing the test on any problem.
func fixtureWorld(t *testing.T) *model.World {
	t.Helper()
	w, errs := model.NewWorld(fixtureConfig())
	require.Empty(t, errs)
	require.NotNil(t, w)
	return w
}

// principal resolves a caller of the fixture.
func principal(t *testing.T, w *model.World, s string) model.PrincipalID {
	t.Helper()
	ps, err := w.LookupCallers(s)
	require.NoError(t, err)
	require.Len(t, ps, 1)
	return ps[0]
}

func pipeline(t *testing.T, w *model.World, s string) model.PipelineID {
	t.Helper()
	p, err := w.LookupPipeline(s)
	require.NoError(t, err)
	return p
}

// fixtureResult is a hand-made run over the fixture: the counters a
// simulator could have produced, with every outcome class, a caller listed
// twice and one that made no call.
func fixtureResult(t *testing.T, w *model.World) *sim.Result {
	t.Helper()
	ds := principal(t, w, resAcct+"/role/DataScientist")
	scoped := principal(t, w, resAcct+"/role/Scoped")
	admin := principal(t, w, ownerAcct+"/role/PipelineAdmin")
	part := principal(t, w, partner+"/role/Partner")
	root := principal(t, w, resAcct)

	r := &sim.Result{World: w, Seed: 42, Duration: 24 * hour,
		Callers: []model.PrincipalID{ds, part, admin, scoped, root, ds},
		Calls:   make([]sim.Counts, 6)}
	set := func(slot int, a model.Action, rs model.Reason, n int64) { r.Calls[slot][a][rs] += n }

	set(0, model.DescribePipeline, model.ReasonShared, 700)
	set(0, model.StartPipelineExecution, model.ReasonShared, 180)
	set(0, model.StartPipelineExecution, model.ReasonLimitExceeded, 20)
	set(0, model.StopPipelineExecution, model.ReasonSCP, 90)
	set(0, model.DescribePipelineExecution, model.ReasonNotFound, 10)

	set(1, model.DescribePipeline, model.ReasonInvitationPending, 12)
	set(1, model.DescribePipeline, model.ReasonShared, 60)
	set(1, model.StartPipelineExecution, model.ReasonShared, 30)
	set(1, model.StartPipelineExecution, model.ReasonThrottled, 3)

	set(2, model.StartPipelineExecution, model.ReasonOwner, 50)
	set(2, model.StopPipelineExecution, model.ReasonOwner, 5)
	set(2, model.RetryPipelineExecution, model.ReasonConflict, 2)

	set(3, model.RetryPipelineExecution, model.ReasonNoIdentityAllow, 40)
	set(3, model.StartPipelineExecution, model.ReasonShared, 8)
	// slot 4 (the research root) made no call.
	set(5, model.DescribePipeline, model.ReasonShared, 100) // ds again
	// A Search is decided in the caller's own account: owner. Its target
	// pipeline, shared with ds, was in the results.
	set(5, model.Search, model.ReasonOwner, 1)
	r.SearchReturned = 1

	// 268 allowed Starts: 201 succeeded, 30 failed (2 of them timed out),
	// 5 stopped, 32 still executing at the end.
	r.Executions = sim.ExecStats{Started: 268, Succeeded: 201, Failed: 30, Stopped: 5, TimedOut: 2,
		FailedAtEnd: 30, WaitingAtEnd: 11, RunningAtEnd: 21}
	r.Steps = sim.StepStats{Granted: 6, Completed: 5, ResourceLimit: 6, NeverStartable: 2}
	for _, d := range []time.Duration{0, 0, 30 * time.Second, 90 * time.Second, 4 * time.Minute, 12 * time.Minute} {
		r.Steps.Waits.Add(sim.Time(d))
	}
	r.Ledger = fixtureLedger(t, w)
	return r
}

// Prices of the fixture's instance types, USD per instance-hour.
const (
	priceG5 = 1.408
	priceM5 = 0.23
)

// fixtureLedger is the owner's consumption in fixtureResult, in engine
// order (by IDs, not by the report's names): consumers through the churn
// share, the owner's admin on its own (no share), holds in flight at the
// horizon for the partner and the admin.
func fixtureLedger(t *testing.T, w *model.World) []sim.LedgerRow {
	t.Helper()
	ds := principal(t, w, resAcct+"/role/DataScientist")
	scoped := principal(t, w, resAcct+"/role/Scoped")
	admin := principal(t, w, ownerAcct+"/role/PipelineAdmin")
	part := principal(t, w, partner+"/role/Partner")
	churn, eval := pipeline(t, w, "churn-training"), pipeline(t, w, "eval")
	share := shareID(t, w, "churn-to-research")
	row := func(p model.PrincipalID, pl model.PipelineID, s model.ShareID, typ string, price float64, ns, inFlight int64) sim.LedgerRow {
		return sim.LedgerRow{Payer: ownerAcct, Initiator: p, Pipeline: pl, Share: s, InstanceType: typ,
			InstanceNs: ns, InFlightNs: inFlight, USDPerHour: price}
	}
	h := int64(time.Hour)
	return []sim.LedgerRow{
		row(ds, churn, share, "ml.g5.xlarge", priceG5, 18*h, 0),
		row(ds, churn, share, "ml.m5.xlarge", priceM5, 9000123456789, 0),
		row(part, churn, share, "ml.g5.xlarge", priceG5, 3*h/2+7, 1234567890123),
		row(admin, churn, sim.NoShare, "ml.g5.xlarge", priceG5, 4*h+333, h/3),
		row(admin, eval, sim.NoShare, "ml.m5.xlarge", priceM5, 777777777777, 0),
		row(scoped, churn, share, "ml.m5.xlarge", priceM5, 60000000001, 0),
	}
}

// shareID returns the fixture's share named name.
func shareID(t *testing.T, w *model.World, name string) model.ShareID {
	t.Helper()
	for s := range model.ShareID(w.NumShares()) {
		if w.ShareName(s) == name {
			return s
		}
	}
	t.Fatalf("no share %q", name)
	return model.NoShare
}

func fixtureMeta() Meta {
	return Meta{Scenario: "fixture", ScenarioSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Version: "0.0.0-test"}
}

// render calls f into a buffer and returns the bytes.
func render(t *testing.T, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, f(&buf))
	return buf.Bytes()
}
