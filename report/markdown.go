package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/pipeshare/pipeshare/model"
)

// docTable is one table of the Markdown and HTML reports; cells are plain
// text (renderers escape them).
type docTable struct {
	Title  string
	Header []string
	Num    []bool // right-aligned columns
	Rows   [][]string
	Total  []string // an optional total row
	Note   string   // an optional line under the table (rows left out)
}

// docSection is one section of the Markdown and HTML reports: a heading,
// lines of text, then tables.
type docSection struct {
	Title  string
	Lines  []string
	Tables []docTable
}

func numCols(n int, cols ...int) []bool {
	out := make([]bool, n)
	for _, c := range cols {
		out[c] = true
	}
	return out
}

// headerLines are the report's opening facts, as in the text report.
func headerLines(s *Summary) [][2]string {
	c := &s.Calls
	scenario := orDash(s.Scenario)
	if s.ScenarioSHA256 != "" {
		scenario += " (sha256 " + shortHash(s.ScenarioSHA256) + ")"
	}
	return [][2]string{
		{"scenario", scenario},
		{"seed", fmt.Sprint(s.Seed)},
		{"simulated", fmt.Sprintf("%s (%.3f s)", s.Duration, s.DurationSeconds())},
		{"calls", fmt.Sprintf("%d total: %d allowed (%s), %d denied (%s), %d failed (%s)",
			c.Total, c.Allowed, pct(c.Allowed, c.Total), c.Denied, pct(c.Denied, c.Total),
			c.Failed, pct(c.Failed, c.Total))},
	}
}

// documentOf lays out s as the sections of the text report.
func documentOf(s *Summary) []docSection {
	c := &s.Calls
	calls := docSection{Title: "Calls"}
	t := docTable{Title: "Calls by action", Header: []string{"Action", "Calls", "Allowed", "Denied", "Failed", "Top deny reasons"},
		Num: numCols(6, 1, 2, 3, 4)}
	for a := range model.Action(model.NumActions) {
		rc := &c.ByAction[a]
		t.Rows = append(t.Rows, []string{a.Name(), itoa(rc.Total()), itoa(rc.Allowed()), itoa(rc.Denied()),
			itoa(rc.Failed()), formatReasons(topReasons(rc, isDeny, 3))})
	}
	t.Total = []string{"total", itoa(c.Total), itoa(c.Allowed), itoa(c.Denied), itoa(c.Failed),
		formatReasons(topReasons(&c.ByReason, isDeny, 3))}
	calls.Tables = append(calls.Tables, t)

	t = docTable{Title: "Calls by reason", Header: []string{"Reason", "Outcome", "Calls", "Share"}, Num: numCols(4, 2, 3)}
	for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
		if n := c.ByReason[r]; n > 0 {
			t.Rows = append(t.Rows, []string{r.String(), reasonKind(r), itoa(n), pct(n, c.Total)})
		}
	}
	calls.Tables = append(calls.Tables, t)

	t = docTable{Title: "Calls by caller", Header: []string{"Account", "Name", "Principal", "Calls", "Allowed", "Denied", "Failed", "Top reason"},
		Num: numCols(8, 3, 4, 5, 6)}
	synthetic := false
	idx, more := humanRows(len(s.Callers), func(i int) float64 { return float64(s.Callers[i].Calls.Total) })
	if more > 0 {
		t.Note = moreRows(more, "callers", "calls")
	}
	for _, i := range idx {
		cl := &s.Callers[i]
		p := cl.Principal
		if cl.Synthetic {
			p += " *"
			synthetic = true
		}
		top := ""
		if rs := topReasons(&cl.Calls.ByReason, anyReason, 1); len(rs) > 0 {
			top = fmt.Sprintf("%s (%s)", rs[0].r, pct(rs[0].n, cl.Calls.Total))
		}
		t.Rows = append(t.Rows, []string{string(cl.Account), orDash(cl.AccountName), p, itoa(cl.Calls.Total),
			itoa(cl.Calls.Allowed), itoa(cl.Calls.Denied), itoa(cl.Calls.Failed), top})
	}
	calls.Tables = append(calls.Tables, t)
	if synthetic {
		calls.Lines = append(calls.Lines, "* seen only in the trace; given an allow-all identity")
	}

	e, st := &s.Executions, &s.Steps
	execs := docSection{Title: "Executions",
		Lines: []string{fmt.Sprintf("At the end: %d waiting for instances, %d running, %d failed.",
			e.WaitingAtEnd, e.RunningAtEnd, e.FailedAtEnd)},
		Tables: []docTable{{Header: []string{"Started", "Succeeded", "Failed", "Stopped", "Retried", "Timed out"},
			Num: numCols(6, 0, 1, 2, 3, 4, 5),
			Rows: [][]string{{itoa(e.Started), itoa(e.Succeeded), itoa(e.Failed), itoa(e.Stopped),
				itoa(e.Retried), itoa(e.TimedOut)}}}}}

	steps := docSection{Title: "Steps", Lines: []string{
		fmt.Sprintf("%s granted, %s completed.", digitsNoun(st.Granted, "instance request", "instance requests"), digitsNoun(st.Completed, "step", "steps")),
		fmt.Sprintf("Wait for instances: mean %s, p95 %s.", humanDuration(st.MeanWait), humanDuration(st.P95Wait)),
		fmt.Sprintf("Quota hits: %d RESOURCE_LIMIT step failures (%d never startable), %d limit_exceeded calls.",
			st.ResourceLimit, st.NeverStartable, c.ByReason[model.ReasonLimitExceeded]),
	}}
	if len(st.ByInitiator) > 0 {
		t = docTable{Title: "Wait for instances by initiator", Header: []string{"Account", "Name", "Principal", "Grants", "Mean wait"},
			Num: numCols(5, 3, 4)}
		idx, more := humanRows(len(st.ByInitiator), func(i int) float64 { return float64(st.ByInitiator[i].Grants) })
		if more > 0 {
			t.Note = moreRows(more, "initiators", "grants")
		}
		for _, i := range idx {
			iw := &st.ByInitiator[i]
			t.Rows = append(t.Rows, []string{string(iw.Account), orDash(iw.AccountName), iw.Principal,
				itoa(iw.Grants), humanDuration(iw.MeanWait())})
		}
		steps.Tables = append(steps.Tables, t)
	}

	cost := docSection{Title: "Owner cost"}
	co := &s.Cost
	if len(co.ByInitiator) == 0 {
		cost.Lines = []string{"No instance use."}
	} else {
		cost.Lines = []string{fmt.Sprintf("Total %s (in flight at the end %s), %s instance-hours.",
			dollars(co.USD), dollars(co.InFlightUSD), hours(&co.Amount))}
		t = docTable{Title: "By payer", Header: []string{"Account", "Name", "Instance-hours", "USD"}, Num: numCols(4, 2, 3)}
		idx, more := humanRows(len(co.ByPayer), func(i int) float64 { return co.ByPayer[i].USD })
		if more > 0 {
			t.Note = moreRows(more, "payers", "USD")
		}
		for _, i := range idx {
			p := &co.ByPayer[i]
			t.Rows = append(t.Rows, []string{string(p.Account), orDash(p.AccountName), hours(&p.Amount), dollars(p.USD)})
		}
		t.Total = []string{"total", "", hours(&co.Amount), dollars(co.USD)}
		cost.Tables = append(cost.Tables, t)
		t = docTable{Title: "By pipeline", Header: []string{"Pipeline", "Owner", "Instance-hours", "USD"}, Num: numCols(4, 2, 3)}
		idx, more = humanRows(len(co.ByPipeline), func(i int) float64 { return co.ByPipeline[i].USD })
		if more > 0 {
			t.Note = moreRows(more, "pipelines", "USD")
		}
		for _, i := range idx {
			p := &co.ByPipeline[i]
			t.Rows = append(t.Rows, []string{p.Pipeline, string(p.Owner), hours(&p.Amount), dollars(p.USD)})
		}
		t.Total = []string{"total", "", hours(&co.Amount), dollars(co.USD)}
		cost.Tables = append(cost.Tables, t)
		t = docTable{Title: "By initiator", Header: []string{"Payer", "Account", "Name", "Principal", "Pipeline", "Share",
			"Instance type", "Instance-hours", "USD"}, Num: numCols(9, 7, 8)}
		idx, more = humanRows(len(co.ByInitiator), func(i int) float64 { return co.ByInitiator[i].USD })
		if more > 0 {
			t.Note = moreRows(more, "rows", "USD")
		}
		for _, i := range idx {
			ic := &co.ByInitiator[i]
			share := ic.Share
			if ic.Own {
				share = "(owner)"
			}
			t.Rows = append(t.Rows, []string{string(ic.Payer), string(ic.Account), orDash(ic.AccountName), ic.Principal,
				ic.Pipeline, share, ic.InstanceType, hours(&ic.Amount), dollars(ic.USD)})
		}
		t.Total = []string{"total", "", "", "", "", "", "", hours(&co.Amount), dollars(co.USD)}
		cost.Tables = append(cost.Tables, t)
	}
	if s.Data != nil {
		return []docSection{calls, execs, steps, dataSection(s.Data), cost}
	}
	return []docSection{calls, execs, steps, cost}
}

// mdEscaper escapes the characters that GitHub-flavoured Markdown gives
// a meaning inside a line or a table cell (\ ` * _ [ ] | ~), and HTML's
// < > &, so user-supplied strings print as written.
var mdEscaper = func() *strings.Replacer {
	var pairs []string
	for _, ch := range "\\`*_[]|~" {
		pairs = append(pairs, string(ch), "\\"+string(ch))
	}
	pairs = append(pairs, "<", "&lt;", ">", "&gt;", "&", "&amp;", "\n", " ", "\r", " ")
	return strings.NewReplacer(pairs...)
}()

// mdEscape escapes s for Markdown text and table cells.
func mdEscape(s string) string { return mdEscaper.Replace(s) }

// writeMarkdown writes s as GitHub-flavoured Markdown, for a pull request
// or a wiki: a title, the headline (see [headline]), the run's facts, the
// sections of the text report (calls, executions, steps, owner cost) as
// headings and tables, then the findings by severity with how to fix each
// rule. Money is "$1,128.12", other numbers as in the text report; every
// other cell is escaped (| * _ ` < > and the rest), so user-supplied names
// print as written. Long tables fold into <details>, and the whole is at
// most [MaxMarkdown] bytes (see writeMDBlocks). It returns w's first
// error.
func (s *Summary) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	ew := &errWriter{w: &b}
	ew.printf("# pipeshare report: %s\n", mdEscape(orDash(s.Scenario)))
	writeHeadlineMD(ew, runHeadline(s).lines())
	ew.printf("\n")
	for _, kv := range headerLines(s) {
		ew.printf("- **%s**: %s\n", kv[0], mdEscape(kv[1]))
	}
	blocks := []mdBlock{{text: b.String()}}
	sections := documentOf(s)
	if s.Findings != nil {
		sections = append(sections, runFindingsSection(s.Findings, -1))
	}
	blocks = appendSections(blocks, sections)
	return writeMDBlocks(w, blocks, "`--format json` or csv")
}

// appendSections appends secs to blocks as Markdown: each a heading, its
// lines and its tables (long ones fold, see mdTableBlock).
func appendSections(blocks []mdBlock, secs []docSection) []mdBlock {
	for _, sec := range secs {
		blocks = append(blocks, mdText("\n## %s\n", mdEscape(sec.Title)))
		for _, l := range sec.Lines {
			blocks = append(blocks, mdText("\n%s\n", mdEscape(l)))
		}
		for _, t := range sec.Tables {
			blocks = append(blocks, mdTableBlock(t, 3))
		}
	}
	return blocks
}

func writeMDTable(ew *errWriter, t *docTable) {
	row := func(cells []string, bold bool) {
		ew.printf("|")
		for _, c := range cells {
			c = mdEscape(c)
			if bold && c != "" {
				c = "**" + c + "**"
			}
			ew.printf(" %s |", c)
		}
		ew.printf("\n")
	}
	row(t.Header, false)
	ew.printf("|")
	for i := range t.Header {
		if t.Num[i] {
			ew.printf("---:|")
		} else {
			ew.printf("---|")
		}
	}
	ew.printf("\n")
	for _, r := range t.Rows {
		row(r, false)
	}
	if t.Total != nil {
		row(t.Total, true)
	}
	if len(t.Rows) == 0 && t.Total == nil {
		ew.printf("\n_(none)_\n")
	}
	if t.Note != "" {
		ew.printf("\n%s\n", mdEscape(t.Note))
	}
}
