package report

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/pipeshare/pipeshare/model"
)

// The run report's JSON (DESIGN.md "Outputs"). Struct fields fix the key
// order; encoding/json writes map keys sorted.
type jsonRun struct {
	SchemaVersion    int             `json:"schema_version"`
	PipeshareVersion string          `json:"pipeshare_version"`
	Scenario         string          `json:"scenario"`
	ScenarioSHA256   string          `json:"scenario_sha256"`
	Seed             uint64          `json:"seed"`
	DurationS        float64         `json:"duration_s"`
	Calls            jsonCalls       `json:"calls"`
	CallsByCaller    []jsonCallerRow `json:"calls_by_caller"`
}

type jsonCalls struct {
	Total          int64                       `json:"total"`
	Allowed        int64                       `json:"allowed"`
	Denied         int64                       `json:"denied"`
	Failed         int64                       `json:"failed"`
	ByReason       map[string]int64            `json:"by_reason"`
	ByAction       map[string]int64            `json:"by_action"`
	ByActionReason map[string]map[string]int64 `json:"by_action_reason"`
}

type jsonCallerRow struct {
	Account   string           `json:"account"`
	Principal string           `json:"principal"`
	Action    string           `json:"action"`
	Allowed   int64            `json:"allowed"`
	Denied    int64            `json:"denied"`
	Failed    int64            `json:"failed"`
	ByReason  map[string]int64 `json:"by_reason"`
}

// reasonMap returns c as {code: n}. With all, every reason code is present
// (zeros included); otherwise only codes with calls.
func reasonMap(c *ReasonCounts, all bool) map[string]int64 {
	m := map[string]int64{}
	for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
		if all || c[r] != 0 {
			m[r.String()] = c[r]
		}
	}
	return m
}

// WriteJSON writes s as the versioned run JSON of DESIGN.md "Outputs":
// schema_version, pipeshare_version, scenario, scenario_sha256, seed,
// duration_s, calls {total, allowed, denied, failed, by_reason, by_action,
// by_action_reason} and calls_by_caller, indented by two spaces, with a
// trailing newline.
//
// calls.by_reason and calls.by_action list every reason code and every
// action (bare API name), zeros included, so their key sets are stable;
// by_action_reason has every action too, each listing only the codes with
// calls (an action without calls maps to {}), as does each row's by_reason.
// calls_by_caller has one row per (caller, action) with at least one call,
// sorted by account, principal and action name. Identical summaries give
// identical bytes. It returns w's first error.
func WriteJSON(w io.Writer, s *Summary) error {
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
	}
	for a := range model.Action(model.NumActions) {
		rc := &s.Calls.ByAction[a]
		out.Calls.ByAction[a.Name()] = rc.Total()
		out.Calls.ByActionReason[a.Name()] = reasonMap(rc, false)
	}
	for i := range s.Callers {
		c := &s.Callers[i]
		for _, a := range actionsByName {
			rc := &c.Calls.ByAction[a]
			if rc.Total() == 0 {
				continue
			}
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
	}
	return writeIndentedJSON(w, out)
}

// writeIndentedJSON writes v with a two-space indent and a trailing newline,
// without escaping <, > and & (ARNs and messages stay readable).
func writeIndentedJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
