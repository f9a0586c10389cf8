package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
)

// randomJSONValue builds a nested value with empty and non-empty objects
// and arrays, and strings full of quotes, backslashes and brackets.
func randomJSONValue(r *rand.Rand, depth int) any {
	k := r.IntN(7)
	if depth > 4 {
		k = 4 + r.IntN(3)
	}
	switch k {
	case 0, 1:
		m := map[string]any{}
		for i := range r.IntN(4) {
			m[fmt.Sprintf("k%d%s", i, randomJSONString(r))] = randomJSONValue(r, depth+1)
		}
		return m
	case 2, 3:
		a := []any{}
		for range r.IntN(4) {
			a = append(a, randomJSONValue(r, depth+1))
		}
		return a
	case 4:
		return randomJSONString(r)
	case 5:
		return r.NormFloat64() * 1e6
	}
	return []any{nil, true, false}[r.IntN(3)]
}

func randomJSONString(r *rand.Rand) string {
	const alphabet = `ab"\{}[],: <>&` + "\n\t\u00e9"
	rs := []rune(alphabet)
	var b []rune
	for range r.IntN(8) {
		b = append(b, rs[r.IntN(len(rs))])
	}
	return string(b)
}

// TestWriteIndentedMatchesEncodingJSON: writeIndentedJSON writes what
// encoding/json's indenting encoder writes, byte for byte.
func TestWriteIndentedMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		v := randomJSONValue(r, 0)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		require.NoError(t, enc.Encode(v))
		var got bytes.Buffer
		require.NoError(t, writeIndentedJSON(&got, v))
		require.Equal(t, want.String(), got.String(), "value %d", i)
	}
	// Larger than one 64 KiB write.
	big := make([]map[string]string, 5000)
	for i := range big {
		big[i] = map[string]string{"a\\": `x\"y`, "b": fmt.Sprint(i)}
	}
	want, err := json.MarshalIndent(big, "", "  ")
	require.NoError(t, err)
	var got bytes.Buffer
	require.NoError(t, writeIndentedJSON(&got, big))
	require.Equal(t, string(want)+"\n", got.String())
}

// runJSONOracle is the run report as the [jsonRun] struct, which
// encoding/json writes as Summary.writeJSON must: the oracle of
// TestRunJSONMatchesStructs.
func runJSONOracle(s *Summary) jsonRun {
	out := jsonRun{
		SchemaVersion:    SchemaVersion,
		PipeshareVersion: s.Version,
		Scenario:         s.Scenario,
		ScenarioSHA256:   s.ScenarioSHA256,
		Seed:             s.Seed,
		DurationS:        s.DurationSeconds(),
		Calls: jsonCalls{
			Total:          s.Calls.Total,
			Allowed:        s.Calls.Allowed,
			Denied:         s.Calls.Denied,
			Failed:         s.Calls.Failed,
			ByReason:       reasonMap(&s.Calls.ByReason, true),
			ByAction:       map[string]int64{},
			ByActionReason: map[string]map[string]int64{},
		},
		CallsByCaller: []jsonCallerRow{},
		Findings:      []jsonRunFinding{},
		Executions:    executionsJSON(&s.Executions),
		Steps:         stepsOracle(&s.Steps),
		Cost:          costOracle(&s.Cost),
		Data:          dataJSON(s.Data),
	}
	for a := range model.Action(model.NumActions) {
		rc := &s.Calls.ByAction[a]
		out.Calls.ByAction[a.Name()] = rc.Total()
		out.Calls.ByActionReason[a.Name()] = reasonMap(rc, false)
	}
	if n := s.Calls.ByAction[model.Search].Allowed(); n > 0 {
		out.Calls.Search = &jsonSearch{Allowed: n, TargetReturned: s.Calls.SearchReturned, TargetNotReturned: n - s.Calls.SearchReturned}
	}
	for c, a := range s.callerRows() {
		rc := &c.Calls.ByAction[a]
		out.CallsByCaller = append(out.CallsByCaller, jsonCallerRow{
			Account:   string(c.Account),
			Principal: c.Principal,
			Action:    a.Name(),
			Allowed:   rc.Allowed(),
			Denied:    rc.Denied(),
			Failed:    rc.Failed(),
			ByReason:  reasonMap(rc, false),
		})
	}
	for _, f := range s.Findings {
		out.Findings = append(out.Findings, jsonRunFinding{Rule: f.Rule, Severity: f.Severity.String(),
			Subject: f.Subject, Message: f.Message, Waived: f.Waived})
	}
	if s.Replay != nil {
		rp := replayJSON(s.Replay)
		out.Replay = &rp
	}
	return out
}

func stepsOracle(st *Steps) jsonSteps {
	out := jsonSteps{
		Granted: st.Granted, Completed: st.Completed,
		MeanWaitS: seconds(st.MeanWait / 1e9), P95WaitS: seconds(st.P95Wait / 1e9),
		ResourceLimit: st.ResourceLimit, NeverStartable: st.NeverStartable,
		WaitsByInitiator: make([]jsonInitiatorWait, len(st.ByInitiator)),
	}
	for i := range st.ByInitiator {
		iw := &st.ByInitiator[i]
		out.WaitsByInitiator[i] = jsonInitiatorWait{Account: string(iw.Account), Principal: iw.Principal,
			Grants: iw.Grants, MeanWaitS: seconds(iw.MeanWait() / 1e9)}
	}
	return out
}

func costOracle(c *Cost) jsonCost {
	out := jsonCost{
		TotalUSD:        usd(c.USD),
		InFlightUSD:     usd(c.InFlightUSD),
		InstanceSeconds: seconds(c.InstanceSeconds()),
		ByPayer:         make([]jsonPayerCost, len(c.ByPayer)),
		ByPipeline:      make([]jsonPipelineCost, len(c.ByPipeline)),
		ByInitiator:     make([]jsonInitiator, len(c.ByInitiator)),
	}
	for i := range c.ByPayer {
		p := &c.ByPayer[i]
		out.ByPayer[i] = jsonPayerCost{Account: string(p.Account), USD: usd(p.USD),
			InstanceSeconds: seconds(p.InstanceSeconds())}
	}
	for i := range c.ByPipeline {
		p := &c.ByPipeline[i]
		out.ByPipeline[i] = jsonPipelineCost{Pipeline: p.Pipeline, USD: usd(p.USD), Owner: string(p.Owner),
			InstanceSeconds: seconds(p.InstanceSeconds())}
	}
	for i := range c.ByInitiator {
		ic := &c.ByInitiator[i]
		row := jsonInitiator{Payer: string(ic.Payer), Account: string(ic.Account), Principal: ic.Principal,
			Pipeline: ic.Pipeline, InstanceType: ic.InstanceType, USD: usd(ic.USD),
			InstanceSeconds: seconds(ic.InstanceSeconds())}
		if !ic.Own {
			row.Share = &ic.Share
		}
		out.ByInitiator[i] = row
	}
	return out
}

// writeIndentedJSON writes v with a two-space indent and a trailing newline,

// TestRunJSONMatchesStructs: the run report appended key by key is what
// encoding/json writes for the jsonRun struct (the JSON Schema's source),
// byte for byte: for the fixture run, an empty run, and one with every
// optional key, escapes in its names, negative zeros and owners' rows.
func TestRunJSONMatchesStructs(t *testing.T) {
	w := fixtureWorld(t)
	full := Summarize(fixtureResult(t, w), fixtureMeta())
	require.NotEmpty(t, full.Callers)
	require.NotEmpty(t, full.Cost.ByInitiator)
	full.Findings = []Finding{{Rule: "PS001", Severity: SeverityError, Subject: "share a → <b>", Message: "quote \" tab \t é \u2028 \x01 bad \xff"}}
	full.Callers[0].Principal = "role/\"odd\\name\u00e9"
	full.Calls.ByAction[model.Search][model.ReasonOwner] = 3
	full.Calls.SearchReturned = 2
	full.Cost.ByPayer[0].USD = math.Copysign(0, -1)
	full.Cost.ByInitiator[0].Own = true
	full.Replay = &Replay{Files: 1, Records: 2, Skipped: map[string]int64{"b": 1, "a": 2}, Added: []string{"x"},
		Rows: []ReplayRow{{Account: ownerAcct, Principal: "role/R", Action: model.Search}}}
	full.Data = &DataPlane{Decisions: 4, FailedSteps: 1, USD: 1.5, Failures: []DataFailure{{Account: resAcct, Principal: "role/P", Reason: model.DataReason(1)}}}
	for name, s := range map[string]*Summary{"fixture": Summarize(fixtureResult(t, w), fixtureMeta()), "full": full, "empty": {}} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		require.NoError(t, enc.Encode(runJSONOracle(s)), name)
		var got bytes.Buffer
		require.NoError(t, s.writeJSON(&got), name)
		require.Equal(t, want.String(), got.String(), name)
	}

	// A NaN is an error, as in encoding/json.
	full.Cost.USD = math.NaN()
	assert.ErrorContains(t, full.writeJSON(io.Discard), "NaN is not a JSON number")
}
