package report

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

func TestSummarizeTotals(t *testing.T) {
	w := fixtureWorld(t)
	s := Summarize(fixtureResult(t, w), fixtureMeta())

	check := func(name string, c *Calls) {
		t.Helper()
		var byReason, byAction int64
		for r := range model.NumReasons {
			byReason += c.ByReason[r]
		}
		for a := range model.Action(model.NumActions) {
			byAction += c.ByAction[a].Total()
		}
		assert.Equal(t, c.Total, byReason, "%s: Σ by_reason == total", name)
		assert.Equal(t, c.Total, byAction, "%s: Σ by_action == total", name)
		assert.Equal(t, c.Total, c.Allowed+c.Denied+c.Failed, "%s: allowed+denied+failed == total", name)
	}
	check("all", &s.Calls)
	for i := range s.Callers {
		check(string(s.Callers[i].Account)+"/"+s.Callers[i].Principal, &s.Callers[i].Calls)
	}

	assert.EqualValues(t, 1000+105+57+48+101, s.Calls.Total)
	assert.EqualValues(t, 700+180+60+30+50+5+8+100+1, s.Calls.Allowed)
	assert.EqualValues(t, 90+12+40, s.Calls.Denied)
	assert.EqualValues(t, 20+10+3+2, s.Calls.Failed)

	// The caller listed twice is merged, the one without calls left out,
	// and the rest sorted by account then principal.
	var got []string
	for _, c := range s.Callers {
		got = append(got, string(c.Account)+"/"+c.Principal)
	}
	assert.Equal(t, []string{
		ownerAcct + "/role/PipelineAdmin",
		resAcct + "/role/DataScientist",
		resAcct + "/role/Scoped",
		partner + "/role/Partner",
	}, got)
	assert.EqualValues(t, 700+180+20+90+10+100+1, s.Callers[1].Calls.Total)
	assert.Equal(t, "ml-platform", s.Callers[0].AccountName)
	assert.Equal(t, "", s.Callers[3].AccountName)
}

func TestSummarizeEmpty(t *testing.T) {
	w := fixtureWorld(t)
	s := Summarize(&sim.Result{World: w, Seed: 1, Duration: hour}, Meta{Scenario: "empty"})
	assert.Zero(t, s.Calls.Total)
	assert.Empty(t, s.Callers)

	js := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "json") })
	var m map[string]any
	require.NoError(t, json.Unmarshal(js, &m))
	assert.Equal(t, []any{}, m["calls_by_caller"], "calls_by_caller is [] not null")
	cost := m["cost"].(map[string]any)
	for _, k := range []string{"by_payer", "by_pipeline", "by_initiator"} {
		assert.Equal(t, []any{}, cost[k], "cost.%s is [] not null", k)
	}
	assert.Equal(t, 0.0, cost["total_usd"])
	assert.Contains(t, string(js), `"total_usd": 0.0000,`)
	assert.Contains(t, string(js), `"mean_wait_s": 0.000,`)
	assert.Len(t, m["calls"].(map[string]any)["by_action"], model.NumActions)

	txt := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "text") })
	assert.Contains(t, string(txt), "0 total")
	assert.Contains(t, string(txt), "(no calls)")
	assert.Contains(t, string(txt), "(no instance use)")
	assert.Contains(t, string(txt), "wait for instances: mean 0s, p95 0s")
}

// topKeys returns the keys of the JSON object in data, in written order.
func topKeys(t *testing.T, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return keys
}

func TestRunJSON(t *testing.T) {
	w := fixtureWorld(t)
	r := fixtureResult(t, w)
	s := Summarize(r, fixtureMeta())
	got := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "json") })
	golden(t, "run.json", got)

	// Byte-identical across renders and across summaries of the same result.
	again := render(t, func(b *bytes.Buffer) error { return RunView{Summary: Summarize(r, fixtureMeta())}.Render(b, "json") })
	assert.Equal(t, got, again)

	assert.Equal(t, []string{"schema_version", "pipeshare_version", "scenario", "scenario_sha256",
		"seed", "duration_s", "calls", "calls_by_caller", "executions", "steps", "cost", "findings"}, topKeys(t, got))
	assert.True(t, bytes.HasSuffix(got, []byte("}\n")), "trailing newline")

	var doc struct {
		SchemaVersion int     `json:"schema_version"`
		DurationS     float64 `json:"duration_s"`
		Calls         struct {
			Total, Allowed, Denied, Failed int64
			ByReason                       map[string]int64            `json:"by_reason"`
			ByAction                       map[string]int64            `json:"by_action"`
			ByActionReason                 map[string]map[string]int64 `json:"by_action_reason"`
		} `json:"calls"`
		CallsByCaller []struct {
			Account, Principal, Action string
			Allowed, Denied, Failed    int64
			ByReason                   map[string]int64 `json:"by_reason"`
		} `json:"calls_by_caller"`
	}
	require.NoError(t, json.Unmarshal(got, &doc))
	assert.Equal(t, 1, doc.SchemaVersion)
	assert.Equal(t, 86400.0, doc.DurationS)
	c := doc.Calls
	assert.Equal(t, c.Total, c.Allowed+c.Denied+c.Failed)
	var sum int64
	for _, n := range c.ByReason {
		sum += n
	}
	assert.Equal(t, c.Total, sum, "Σ by_reason == total")
	assert.Len(t, c.ByAction, model.NumActions)
	assert.Len(t, c.ByActionReason, model.NumActions)
	sum = 0
	for a := range model.Action(model.NumActions) {
		n, ok := c.ByAction[a.Name()]
		require.True(t, ok, "by_action has %s", a.Name())
		sum += n
		var sub int64
		for code, k := range c.ByActionReason[a.Name()] {
			assert.NotZero(t, k, "by_action_reason lists only non-zero codes (%s %s)", a.Name(), code)
			sub += k
		}
		assert.Equal(t, n, sub, "by_action_reason of %s sums to by_action", a.Name())
	}
	assert.Equal(t, c.Total, sum, "Σ by_action == total")

	// Rows: sorted, one per (caller, action) with calls, summing to total.
	sum = 0
	for i, row := range doc.CallsByCaller {
		sum += row.Allowed + row.Denied + row.Failed
		var sub int64
		for _, k := range row.ByReason {
			sub += k
		}
		assert.Equal(t, row.Allowed+row.Denied+row.Failed, sub)
		if i > 0 {
			p := doc.CallsByCaller[i-1]
			assert.Less(t, p.Account+"\x00"+p.Principal+"\x00"+p.Action,
				row.Account+"\x00"+row.Principal+"\x00"+row.Action, "rows sorted")
		}
	}
	assert.Equal(t, c.Total, sum)
}

func TestRunText(t *testing.T) {
	w := fixtureWorld(t)
	r := fixtureResult(t, w)
	got := render(t, func(b *bytes.Buffer) error { return RunView{Summary: Summarize(r, fixtureMeta())}.Render(b, "text") })
	golden(t, "run.txt", got)
	again := render(t, func(b *bytes.Buffer) error { return RunView{Summary: Summarize(r, fixtureMeta())}.Render(b, "text") })
	assert.Equal(t, got, again)
	for _, line := range bytes.Split(got, []byte("\n")) {
		assert.Equal(t, bytes.TrimRight(line, " "), line, "no trailing blanks")
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, assert.AnError }

func TestRenderErrors(t *testing.T) {
	w := fixtureWorld(t)
	s := Summarize(fixtureResult(t, w), fixtureMeta())
	assert.ErrorIs(t, RunView{Summary: s}.Render(failWriter{}, "json"), assert.AnError)
	assert.ErrorIs(t, RunView{Summary: s}.Render(failWriter{}, "text"), assert.AnError)
	ex := w.Explain(principal(t, w, resAcct+"/role/DataScientist"), pipeline(t, w, "eval"), model.DescribePipeline, 0)
	assert.ErrorIs(t, ExplainView{World: w, Explanation: &ex}.Render(failWriter{}, "json"), assert.AnError)
	assert.ErrorIs(t, ExplainView{World: w, Explanation: &ex}.Render(failWriter{}, "text"), assert.AnError)
	for _, format := range []string{"json", "csv", "text"} {
		assert.ErrorIs(t, NewAccessView(w, 0, true).Render(failWriter{}, format), assert.AnError)
		assert.ErrorIs(t, NewChangesView(fixtureWorld(t), 0, hour, true).Render(failWriter{}, format), assert.AnError)
	}
}

func TestRunTextSynthetic(t *testing.T) {
	cfg := fixtureConfig()
	cfg.Accounts[2].Principals = append(cfg.Accounts[2].Principals,
		model.PrincipalConfig{Name: ref("role/TraceOnly", 17), AllowAll: true, Pos: pos(17, 9)})
	w, errs := model.NewWorld(cfg)
	require.Empty(t, errs)
	p := principal(t, w, partner+"/role/TraceOnly")
	r := &sim.Result{World: w, Seed: 1, Duration: hour, Callers: []model.PrincipalID{p}, Calls: make([]sim.Counts, 1)}
	r.Calls[0][model.DescribePipeline][model.ReasonShared] = 3
	s := Summarize(r, Meta{Scenario: "trace"})
	require.Len(t, s.Callers, 1)
	assert.True(t, s.Callers[0].Synthetic)
	txt := string(render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "text") }))
	assert.Contains(t, txt, "role/TraceOnly *")
	assert.Contains(t, txt, "* seen only in the trace")
}

// TestPermuteMovesEachToItsPlace: permute gives what indexing a copy does.
func TestPermuteMovesEachToItsPlace(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for n := range 50 {
		s := make([]int, n)
		for i := range s {
			s[i] = r.IntN(1000)
		}
		perm := r.Perm(n)
		order := make([]int32, n)
		want := make([]int, n)
		for i, k := range perm {
			order[i] = int32(k)
			want[i] = s[k]
		}
		permute(s, order)
		require.Equal(t, want, s)
	}
}
