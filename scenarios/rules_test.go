package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

func TestParseRules(t *testing.T) {
	src := hdr + `rules:
  - {id: research-budget, budget: {initiator: "222222222222", max_usd: 500, period: month}}
  - {id: role-budget, budget: {initiator: "222222222222/role/X", max_usd: 1.5}}
  - {id: strict, denied_rate: {max_percent: 5}}
`
	sc, err := Parse("t.yaml", []byte(src), LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, []sim.Rule{
		{ID: "research-budget", Pos: model.Pos{File: "t.yaml", Line: 6, Col: 5},
			Budget: &sim.BudgetRule{Initiator: model.Ref{S: "222222222222", Pos: model.Pos{File: "t.yaml", Line: 6, Col: 47}},
				MaxUSD: 500, Period: "month", Pos: model.Pos{File: "t.yaml", Line: 6, Col: 35}}},
		{ID: "role-budget", Pos: model.Pos{File: "t.yaml", Line: 7, Col: 5},
			Budget: &sim.BudgetRule{Initiator: model.Ref{S: "222222222222/role/X", Pos: model.Pos{File: "t.yaml", Line: 7, Col: 43}},
				MaxUSD: 1.5, Period: "run", Pos: model.Pos{File: "t.yaml", Line: 7, Col: 31}}},
		{ID: "strict", Pos: model.Pos{File: "t.yaml", Line: 8, Col: 5},
			DeniedRate: &sim.DeniedRateRule{MaxPercent: 5, Pos: model.Pos{File: "t.yaml", Line: 8, Col: 31}}},
	}, sc.Rules)
}

func TestParseRulesErrors(t *testing.T) {
	tests := []struct{ name, src string }{
		{"no kind", "rules:\n  - {id: a}\n"},
		{"both kinds", "rules:\n  - {id: a, budget: {initiator: \"222222222222\", max_usd: 1}, denied_rate: {max_percent: 1}}\n"},
		{"duplicate id", "rules:\n  - {id: a, denied_rate: {max_percent: 1}}\n  - {id: a, denied_rate: {max_percent: 2}}\n"},
		{"bad period", "rules:\n  - {id: a, budget: {initiator: \"222222222222\", max_usd: 1, period: year}}\n"},
		{"negative max", "rules:\n  - {id: a, budget: {initiator: \"222222222222\", max_usd: -1}}\n"},
		{"unquoted account", "rules:\n  - {id: a, budget: {initiator: 222222222222, max_usd: 1}}\n"},
		{"percent out of range", "rules:\n  - {id: a, denied_rate: {max_percent: 101}}\n"},
		{"unknown key", "rules:\n  - {id: a, denied_rate: {max_percent: 1}, colour: red}\n"},
		{"missing id", "rules:\n  - {denied_rate: {max_percent: 1}}\n"},
	}
	want := map[string]string{
		"no kind":              "t.yaml:6:5: rule needs budget or denied_rate",
		"both kinds":           "t.yaml:6:62: a rule has one of budget or denied_rate, not both",
		"duplicate id":         `t.yaml:7:10: duplicate rule id "a" (first defined at t.yaml:6:10)`,
		"bad period":           `t.yaml:6:69: period must be month, week, day or run, not "year"`,
		"negative max":         "t.yaml:6:58: max_usd must not be negative, not -1",
		"unquoted account":     "t.yaml:6:33: account ID 222222222222 must be a quoted string (YAML drops leading zeros)",
		"percent out of range": "t.yaml:6:40: max_percent must be from 0 to 100, not 101",
		"unknown key":          `t.yaml:6:44: unknown key "colour" in rule`,
		"missing id":           `t.yaml:6:5: missing required key "id"`,
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(hdr+tc.src), LoadOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), want[tc.name])
		})
	}
}

func TestParseWaivers(t *testing.T) {
	ws, err := ParseWaivers("w.yaml", []byte(`waivers:
  - {rule: PS001, subject: "share a → 999999999999", reason: contract, owner: sec, expires: 2026-12-31}
  - {rule: PS006, subject: "*", reason: noisy}
`))
	require.NoError(t, err)
	assert.Equal(t, []sim.Waiver{
		{Rule: "PS001", Subject: "share a → 999999999999", Reason: "contract", Owner: "sec",
			Expires: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), Pos: model.Pos{File: "w.yaml", Line: 2, Col: 5}},
		{Rule: "PS006", Subject: "*", Reason: "noisy", Pos: model.Pos{File: "w.yaml", Line: 3, Col: 5}},
	}, ws)

	_, err = ParseWaivers("w.yaml", []byte("waivers:\n  - {rule: PS001, subject: '', expires: 2026-13-01, x: 1}\n"))
	require.Error(t, err)
	var list ErrorList
	require.ErrorAs(t, err, &list)
	assert.Equal(t, `w.yaml:2:5: missing required key "reason" in waiver
w.yaml:2:28: subject must not be empty
w.yaml:2:41: expires must be a date (2026-12-31), not "2026-13-01"
w.yaml:2:53: unknown key "x" in waiver (allowed: rule, subject, reason, owner, expires)
`, list.String())
	_, err = ParseWaivers("w.yaml", []byte("rules: []\n"))
	require.Error(t, err)
}
