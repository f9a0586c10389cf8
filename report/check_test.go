package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"

	"github.com/stretchr/testify/assert"
)

func TestCheckPeriods(t *testing.T) {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	c := &checker{in: &CheckInput{Start: start}, t: 30 * 24 * 3600 * 1e9}
	ps := c.periods("month")
	assert.Equal(t, []string{"2026-01", "2026-02"}, []string{ps[0].label, ps[1].label})
	day := model.Time(24 * time.Hour)
	assert.Equal(t, [2]model.Time{0, 27 * day}, [2]model.Time{ps[0].from, ps[0].to})
	assert.Equal(t, [2]model.Time{27 * day, 30 * day}, [2]model.Time{ps[1].from, ps[1].to})
	ws := c.periods("week") // 2026-01-05 is a Monday
	assert.Len(t, ws, 5)
	assert.Equal(t, "2026-W02", ws[0].label)
	assert.Equal(t, [2]model.Time{0, 7 * day}, [2]model.Time{ws[0].from, ws[0].to})
	assert.Equal(t, [2]model.Time{28 * day, 30 * day}, [2]model.Time{ws[4].from, ws[4].to})
}

// TestSpendInPeriods checks that per-period spend follows the cost over
// time, not the run's average: all cost in the run's first bucket lands in
// its first month.
func TestSpendInPeriods(t *testing.T) {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	w := checkWorld(t)
	ps, _ := w.LookupCallers("222222222222")
	row := sim.LedgerRow{Initiator: ps[0], USDPerHour: 1, InstanceNs: int64(10 * time.Hour),
		Buckets: make([]int64, sim.SeriesBuckets)}
	row.Buckets[0] = row.InstanceNs
	dur := model.Time(30 * 24 * time.Hour)
	c := &checker{in: &CheckInput{Start: start}, t: dur, w: w,
		res: &sim.Result{Ledger: []sim.LedgerRow{row}, Series: sim.Series{Bucket: dur / sim.SeriesBuckets}}}
	b := &resolvedBudget{account: "222222222222"}
	months := c.periods("month")
	assert.InDelta(t, 10.0, c.spendIn(b, months[0]), 1e-9)
	assert.InDelta(t, 0.0, c.spendIn(b, months[1]), 1e-9)
	assert.Len(t, c.periods("day"), 30)
}

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		ok   bool
	}{
		{"share a → 1", "share a → 1", true},
		{"share a → 1", "share a → 12", false},
		{"*", "anything/at all", true},
		{"share * → 999999999999", "share x/y → 999999999999", true},
		{"share * → 9", "share x → 8", false},
		{"a*b*c", "a-b-b-c", true},
		{"a*b*c", "a-c", false},
	} {
		assert.Equal(t, tc.ok, globMatch(tc.p, tc.s), "%q %q", tc.p, tc.s)
	}
}

func TestSeverity(t *testing.T) {
	for _, s := range []Severity{SeverityNote, SeverityWarning, SeverityError} {
		got, ok := ParseSeverity(s.String())
		assert.True(t, ok)
		assert.Equal(t, s, got)
	}
	_, ok := ParseSeverity("info")
	assert.False(t, ok)
	ids, err := ParseRuleIDs("PS001, PS010")
	assert.NoError(t, err)
	assert.Equal(t, []string{"PS001", "PS010"}, ids)
	_, err = ParseRuleIDs("PS001,nope")
	assert.EqualError(t, err, `unknown rule "nope" (rules: PS001, PS002, PS003, PS004, PS005, PS006, PS007, PS008, PS009, PS010, PS011, PS012, PS013, PS014, PS015)`)
	for i, r := range Rules {
		if i > 0 {
			assert.Less(t, Rules[i-1].ID, r.ID)
		}
	}
}

// checkWorld is a two-account world with one pipeline shared from 111… to 222….
func checkWorld(t *testing.T) *model.World {
	t.Helper()
	ref := func(s string) model.Ref { return model.Ref{S: s} }
	w, errs := model.NewWorld(&model.Config{Region: "us-east-1",
		Accounts:  []model.AccountConfig{{ID: ref("111111111111")}, {ID: ref("222222222222")}},
		Pipelines: []model.PipelineConfig{{Name: ref("p"), Account: ref("111111111111")}},
		Shares: []model.ShareConfig{{Name: ref("s"), Owner: ref("111111111111"), Pipelines: []model.Ref{ref("p")},
			Principals: []model.Ref{ref("222222222222")}, Permission: model.PermissionExtended, AllowExternal: true}}})
	if w == nil {
		t.Fatal(errs)
	}
	return w
}

// TestRulesDocumented: every rule has its row in docs/reports.md, at the
// anchor its SARIF helpUri names, and code scanning tags.
func TestRulesDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "reports.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules {
		row := `| <a id="rule-` + strings.ToLower(r.ID) + `"></a>` + r.ID + " `" + r.Name + "` | " + r.Severity.String() + " |"
		assert.Contains(t, string(doc), row, r.ID)
		assert.NotEmpty(t, sarifRuleTags[r.ID], r.ID)
	}
}

func TestFindingCounts(t *testing.T) {
	assert.Equal(t, "1 error, 1 warning, 0 notes, 2 waived",
		findingCounts(map[Severity]int{SeverityError: 1, SeverityWarning: 1}, 2))
	assert.Equal(t, "0 errors, 6 warnings, 1 note, 0 waived",
		findingCounts(map[Severity]int{SeverityWarning: 6, SeverityNote: 1}, 0))
}
