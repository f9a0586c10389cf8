package report

import (
	"fmt"
	"io"
	"slices"

	"github.com/pipeshare/pipeshare/model"
)

// TimelineEntry is one interval [From, To) of explain --timeline in which a
// decision and its reason hold.
type TimelineEntry struct {
	From     string `json:"from"` // RFC 3339 UTC
	To       string `json:"to"`   // RFC 3339 UTC; the end of the range for the last
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
	// Cause is what starts the interval: "start", the timeline events
	// applied at From, a share lifecycle change, or "" when unknown.
	Cause string `json:"cause"`
}

// Timeline converts a model timeline to entries with RFC 3339 times.
func Timeline(world *model.World, iv []model.Interval) []TimelineEntry {
	out := make([]TimelineEntry, len(iv))
	for i, v := range iv {
		out[i] = TimelineEntry{From: world.TimeToRFC3339(v.From), To: world.TimeToRFC3339(v.To),
			Decision: decision(v.Reason), Reason: v.Reason.String(), Cause: v.Cause}
	}
	return out
}

func decision(r model.Reason) string {
	if r.IsAllow() {
		return "allow"
	}
	return "deny"
}

// writeJSON writes the entries as a JSON list of {from, to, decision,
// reason, cause}, indented by two spaces; never null.
func (v TimelineView) writeJSON(w io.Writer) error {
	entries := v.Entries
	if entries == nil {
		entries = []TimelineEntry{}
	}
	return writeIndentedJSON(w, entries)
}

// writeText writes the entries for people under a line naming the
// question (caller, action, resource).
func (v TimelineView) writeText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("%s %s on %s\n\n", v.Caller, v.Action, v.Resource)
	t := newTable("FROM", "TO", "DECISION", "REASON", "CAUSE")
	for _, e := range v.Entries {
		t.add(e.From, e.To, e.Decision, e.Reason, e.Cause)
	}
	t.write(ew, "")
	return ew.err
}

// ChangeRow is one interval [From, To) of access --changes in which one
// principal's access to one pipeline holds: AccessRow.At is From.
type ChangeRow struct {
	AccessRow
	To    string // RFC 3339 UTC
	Cause string // as TimelineEntry.Cause
}

// Changes returns the access matrix's changes: for every principal and
// pipeline, the spans in which its reasons hold, sorted by principal, then
// pipeline name (then ARN), then time. spans[i] are pairs[i]'s spans, as
// model.World.Changes returns them.
func Changes(world *model.World, pairs []model.Pair, spans [][]model.Span) []ChangeRow {
	var rows []ChangeRow
	for i, pr := range pairs {
		for _, s := range spans[i] {
			rows = append(rows, ChangeRow{AccessRow: accessRow(world, pr.Principal, pr.Pipeline, world.TimeToRFC3339(s.From), &s.Reasons),
				To: world.TimeToRFC3339(s.To), Cause: s.Cause})
		}
	}
	// Then time: the sort is stable and each pair's spans are in order.
	slices.SortStableFunc(rows, func(a, b ChangeRow) int { return compareAccessRows(a.AccessRow, b.AccessRow) })
	return rows
}

type jsonChange struct {
	Principal      string            `json:"principal"`
	Pipeline       string            `json:"pipeline"`
	PipelineARN    string            `json:"pipeline_arn"`
	From           string            `json:"from"`
	To             string            `json:"to"`
	AllowedActions []string          `json:"allowed_actions"`
	ReasonByAction map[string]string `json:"reason_by_action"`
	Cause          string            `json:"cause"`
}

// writeJSON writes the rows as a JSON list of {principal, pipeline,
// pipeline_arn, from, to, allowed_actions, reason_by_action, cause}.
func (v ChangesView) writeJSON(w io.Writer) error {
	rows := v.Rows
	out := make([]jsonChange, len(rows))
	for i := range rows {
		r := &rows[i]
		out[i] = jsonChange{Principal: r.Principal, Pipeline: r.Pipeline, PipelineARN: r.PipelineARN,
			From: r.At, To: r.To, AllowedActions: r.Allowed, ReasonByAction: r.ReasonByAction, Cause: r.Cause}
		if out[i].AllowedActions == nil {
			out[i].AllowedActions = []string{}
		}
	}
	return writeIndentedJSON(w, out)
}

// writeCSV writes the rows as CSV: principal, pipeline, from, to, cause,
// then one column per action ("sagemaker:X", in Action order) holding its
// reason code.
func (v ChangesView) writeCSV(w io.Writer) error {
	rows := v.Rows
	cw := newCSVWriter(w)
	header := []string{"principal", "pipeline", "from", "to", "cause"}
	for a := range model.Action(model.NumActions) {
		header = append(header, a.String())
	}
	cw.Write(header)
	for i := range rows {
		r := &rows[i]
		rec := []string{r.Principal, r.Pipeline, r.At, r.To, r.Cause}
		for a := range model.Action(model.NumActions) {
			rec = append(rec, r.ReasonByAction[a.String()])
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// writeText writes the rows for people: one line per interval (the
// principal and pipeline only on its first), with the access summary and
// first denied action of the access text, then the legend.
func (v ChangesView) writeText(w io.Writer) error {
	rows := v.Rows
	ew := &errWriter{w: w}
	if len(rows) == 0 {
		ew.printf("no principals or pipelines\n")
		return ew.err
	}
	t := newTable("PRINCIPAL", "PIPELINE", "FROM", "TO", "ACCESS", "FIRST DENIED", "CAUSE")
	for i := range rows {
		r := &rows[i]
		denied := ""
		if a, reason, ok := firstDenied(&r.AccessRow); ok {
			denied = fmt.Sprintf("%s (%s)", reason, a.Name())
		}
		who, pl := r.Principal, r.Pipeline
		if i > 0 && rows[i-1].Principal == r.Principal && rows[i-1].PipelineARN == r.PipelineARN {
			who, pl = "", ""
		}
		t.add(who, pl, r.At, r.To, accessLevel(&r.AccessRow), denied, r.Cause)
	}
	t.write(ew, "")
	ew.printf("\n%s", accessLegend)
	return ew.err
}
