package report

import (
	"bytes"
	"encoding/csv"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// seriesFixture is fixtureResult with activity over time: calls in every
// bucket, each ledger row's cost spread over buckets, grants and waits.
func seriesFixture(t *testing.T) *Summary {
	w := fixtureWorld(t)
	r := fixtureResult(t, w)
	r.Series.Bucket = r.Duration/sim.SeriesBuckets + 1
	for i := range sim.SeriesBuckets {
		r.Series.Calls[i] = [3]int64{int64(5 + i%7), int64(i % 3), int64(i % 11 / 10)}
	}
	for i := range r.Ledger {
		row := &r.Ledger[i]
		row.Buckets = make([]int64, sim.SeriesBuckets)
		// Spread the row evenly over the buckets from i*10 on.
		n := int64(sim.SeriesBuckets - i*10)
		for b := i * 10; b < sim.SeriesBuckets; b++ {
			row.Buckets[b] = row.InstanceNs / n
		}
		row.Buckets[sim.SeriesBuckets-1] += row.InstanceNs - row.InstanceNs/n*n
		row.Grants = int64(i + 1)
		row.WaitNs = int64(i) * int64(time.Minute)
	}
	return Summarize(r, fixtureMeta())
}

func TestSummarizeOverTime(t *testing.T) {
	s := seriesFixture(t)
	se := &s.Series
	require.Len(t, se.Calls, sim.SeriesBuckets)
	require.Len(t, se.Starts, sim.SeriesBuckets)
	assert.Equal(t, model.Time(0), se.Starts[0])
	assert.Equal(t, se.Bucket, se.Starts[1])

	// Cost groups: every initiator (4 < CostGroups), costliest first, and
	// the series sum to the total.
	assert.Equal(t, []string{resAcct + "/role/DataScientist", ownerAcct + "/role/PipelineAdmin",
		partner + "/role/Partner", resAcct + "/role/Scoped"}, se.CostGroups)
	var sum float64
	for _, g := range se.Cost {
		for _, v := range g {
			sum += v
		}
	}
	assert.InDelta(t, s.Cost.USD, sum, 1e-9)

	// Waits by initiator, by account then principal.
	var got []string
	for _, iw := range s.Steps.ByInitiator {
		got = append(got, string(iw.Account)+"/"+iw.Principal)
	}
	assert.Equal(t, []string{ownerAcct + "/role/PipelineAdmin", resAcct + "/role/DataScientist",
		resAcct + "/role/Scoped", partner + "/role/Partner"}, got)
	assert.EqualValues(t, 4+5, s.Steps.ByInitiator[0].Grants)

	// The wait histogram keeps the zero bucket and the log buckets up to
	// the longest wait.
	var n int64
	for _, b := range s.Steps.WaitHist {
		n += b.Count
		if b.Hi > 0 {
			assert.InDelta(t, b.Hi, b.Lo*math.Pow(2, 0.25), b.Hi*1e-9)
		}
	}
	assert.EqualValues(t, 6, n)
	assert.Zero(t, s.Steps.WaitHist[0].Hi)
	assert.EqualValues(t, 2, s.Steps.WaitHist[0].Count)

	// The access matrix at the end, one row per principal and pipeline.
	assert.Nil(t, s.Access) // computed on first use
	access := slices.Collect(s.AccessRows())
	assert.Len(t, access, access[0].reasonCountRows(t, fixtureWorld(t)))

	// The heat map asks the world for the rows it draws only; it draws
	// what the whole matrix gives.
	lazy, shown, total, err := s.accessChart()
	require.NoError(t, err)
	s.Access = access
	full, shown2, total2, err := s.accessChart()
	require.NoError(t, err)
	assert.NotEmpty(t, lazy)
	assert.Equal(t, full, lazy)
	assert.Equal(t, shown2, shown)
	assert.Equal(t, total2, total)
	assert.Equal(t, shown, total, "the fixture fits the chart")
}

func (AccessRow) reasonCountRows(t *testing.T, w *model.World) int {
	return w.NumPrincipals() * w.NumPipelines()
}

func TestCostGroupsOther(t *testing.T) {
	w := fixtureWorld(t)
	r := fixtureResult(t, w)
	// Nine initiators: split the data scientist's first row across the
	// fixture's principals until there are more than CostGroups.
	var extra []sim.LedgerRow
	for p := range model.PrincipalID(w.NumPrincipals()) {
		row := r.Ledger[0]
		row.Initiator = p
		row.Buckets = make([]int64, sim.SeriesBuckets)
		row.Buckets[3] = row.InstanceNs
		extra = append(extra, row)
	}
	r.Ledger = extra
	s := Summarize(r, fixtureMeta())
	if w.NumPrincipals() > CostGroups {
		assert.Len(t, s.Series.CostGroups, CostGroups+1)
		assert.Equal(t, "other", s.Series.CostGroups[CostGroups])
	} else {
		assert.Len(t, s.Series.CostGroups, w.NumPrincipals())
	}
}

func TestRunMarkdown(t *testing.T) {
	s := seriesFixture(t)
	s.Callers[0].AccountName = "ml|platform <b>*x*</b> _y_ `z`"
	got := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "md") })
	golden(t, "run.md", got)
	md := string(got)
	assert.Contains(t, md, "ml\\|platform &lt;b&gt;\\*x\\*&lt;/b&gt; \\_y\\_ \\`z\\`")
	assert.NotContains(t, md, "<b>")
	// Every table row has as many cells as its header.
	for _, block := range strings.Split(md, "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		if !strings.HasPrefix(lines[0], "| ") {
			continue
		}
		cells := func(l string) int { return len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(l, -1)) }
		for _, l := range lines {
			assert.Equal(t, cells(lines[0]), cells(l), "row %q", l)
		}
	}
}

func TestRunHTML(t *testing.T) {
	s := seriesFixture(t)
	s.Callers[0].AccountName = `<script>alert("x")</script>`
	s.Scenario = "fix<ture>"
	got := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "html") })
	golden(t, "run.html", got)
	page := string(got)
	assert.NotContains(t, strings.ToLower(page), "<script")
	assert.Contains(t, page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
	assert.Contains(t, page, "fix&lt;ture&gt;")
	for _, u := range regexp.MustCompile(`https?://[^"\s<>]+`).FindAllString(page, -1) {
		assert.Contains(t, []string{"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, u)
	}
	assert.Equal(t, 4, strings.Count(page, "<svg"), "four charts")
	assert.NotContains(t, page, "<?xml")

	again := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "html") })
	assert.Equal(t, got, again, "deterministic")
}

func TestRunHTMLEmpty(t *testing.T) {
	w := fixtureWorld(t)
	s := Summarize(&sim.Result{World: w, Seed: 1, Duration: hour}, Meta{Scenario: "empty"})
	got := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "html") })
	assert.Contains(t, string(got), "<svg", "the calls chart, even empty")
	assert.Contains(t, string(got), "No instance use.")
}

func TestRunCSV(t *testing.T) {
	s := seriesFixture(t)
	for _, table := range []string{"calls", "cost", "access"} {
		got := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s, Table: table}.Render(b, "csv") })
		recs, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
		require.NoError(t, err, table)
		require.NotEmpty(t, recs)
		golden(t, "run-"+table+".csv", got)
	}
	calls := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s, Table: "calls"}.Render(b, "csv") })
	assert.Contains(t, string(calls), "222222222222,research,role/DataScientist,StartPipelineExecution,200,180,0,20,")
	assert.Error(t, RunView{Summary: s, Table: "nope"}.Render(&bytes.Buffer{}, "csv"))

	s.Findings = []Finding{{Rule: "PS001", Severity: SeverityWarning, Subject: `a,"b"`,
		Message: "m", Pos: model.Pos{File: "f.yaml", Line: 3, Col: 5}}}
	got := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s, Table: "findings"}.Render(b, "csv") })
	assert.Equal(t, "rule,severity,subject,message,file,line,col,waived\nPS001,warning,\"a,\"\"b\"\"\",m,f.yaml,3,5,false\n", string(got))
}

func TestWaitsByInitiatorTextJSON(t *testing.T) {
	s := seriesFixture(t)
	txt := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "text") })
	assert.Contains(t, string(txt), "wait for instances by initiator")
	assert.Regexp(t, `222222222222\s+research\s+role/DataScientist\s+3\s+20s`, string(txt))
	js := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "json") })
	assert.Contains(t, string(js), `"waits_by_initiator": [`)
	assert.Contains(t, string(js), "\"principal\": \"role/DataScientist\",\n        \"grants\": 3,\n        \"mean_wait_s\": 20.000")
}

func BenchmarkRunHTML(b *testing.B) {
	t := &testing.T{}
	s := seriesFixture(t)
	for range b.N {
		if err := (RunView{Summary: s}).Render(&bytes.Buffer{}, "html"); err != nil {
			b.Fatal(err)
		}
	}
}
