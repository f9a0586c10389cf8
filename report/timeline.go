package report

import (
	"io"

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

// NewChangesView returns the view of world's access matrix's changes over
// [from, to): for every principal and pipeline, in the access order
// ([AccessRows]), the intervals in which its reasons hold, in time order
// (model.World.ChangesSeq). Unless all, a pair is listed only when it has
// an allowed action in some interval or its reasons change (more than one
// interval): what is left out is denied every action, for one reason each,
// throughout. The view applies the timeline as it renders: world must not
// be advanced past from, and is left at from.
func NewChangesView(world *model.World, from, to model.Time, all bool) ChangesView {
	l := newAccessLayout(world, all)
	l.time = max(len(world.TimeToRFC3339(from)), len(world.TimeToRFC3339(to)))
	ps, pls := sortedPrincipals(world), sortedPipelines(world)
	pairs := func(yield func(model.Pair) bool) {
		for _, p := range ps {
			for _, pl := range pls {
				if !yield(model.Pair{Principal: p, Pipeline: pl}) {
					return
				}
			}
		}
	}
	rows := func(yield func(ChangeRow) bool) {
		for pr, spans := range world.ChangesSeq(pairs, from, to) {
			if !all && len(spans) == 1 && !hasAccess(&spans[0].Reasons) {
				continue
			}
			for i := range spans {
				s := &spans[i]
				row := ChangeRow{AccessRow: accessRow(world, pr.Principal, pr.Pipeline, world.TimeToRFC3339(s.From), &s.Reasons),
					To: world.TimeToRFC3339(s.To), Cause: s.Cause}
				if !yield(row) {
					return
				}
			}
		}
	}
	return ChangesView{Rows: rows, layout: l}
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
// pipeline_arn, from, to, allowed_actions, reason_by_action, cause}, as
// they come.
func (v ChangesView) writeJSON(w io.Writer) error {
	return writeJSONList(w, v.Rows, func(r *ChangeRow) any {
		row := jsonChange{Principal: r.Principal, Pipeline: r.Pipeline, PipelineARN: r.PipelineARN,
			From: r.At, To: r.To, AllowedActions: r.Allowed, ReasonByAction: r.ReasonByAction, Cause: r.Cause}
		if row.AllowedActions == nil {
			row.AllowedActions = []string{}
		}
		return row
	})
}

// writeCSV writes the rows as CSV, as they come: principal, pipeline, from,
// to, cause, then one column per action ("sagemaker:X", in Action order)
// holding its reason code. It returns w's first error, and stops at it.
func (v ChangesView) writeCSV(w io.Writer) error {
	cw := newCSVWriter(w)
	header := []string{"principal", "pipeline", "from", "to", "cause"}
	for a := range model.Action(model.NumActions) {
		header = append(header, a.String())
	}
	cw.Write(header)
	rec := make([]string, 0, len(header))
	for r := range v.Rows {
		rec = append(rec[:0], r.Principal, r.Pipeline, r.At, r.To, r.Cause)
		for a := range model.Action(model.NumActions) {
			rec = append(rec, r.ReasonByAction[a.String()])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeText writes the rows for people as they come: one line per interval
// (the principal and pipeline only on its first), with the access summary
// and first denied action of the access text, in columns as wide as the
// world's names and times; then how many pairs sparse rows leave out, and
// the legend. It returns w's first error, and stops at it.
func (v ChangesView) writeText(w io.Writer) error {
	ew := &errWriter{w: w}
	l := &v.layout
	if l.pairs == 0 {
		ew.printf("no principals or pipelines\n")
		return ew.err
	}
	cols := newColumns(ew, []string{"PRINCIPAL", "PIPELINE", "FROM", "TO", "ACCESS", "FIRST DENIED", "CAUSE"},
		l.principal, l.pipeline, l.time, l.time, accessWidth, firstDeniedWidth, 0)
	listed := 0
	var principal, arn string // the pair of the previous row
	for r := range v.Rows {
		who, pl := r.Principal, r.Pipeline
		if listed > 0 && principal == r.Principal && arn == r.PipelineARN {
			who, pl = "", ""
		} else {
			listed++
			principal, arn = r.Principal, r.PipelineARN
		}
		if cols.line(who, pl, r.At, r.To, accessLevel(&r.AccessRow), firstDenied(&r.AccessRow), r.Cause); ew.err != nil {
			return ew.err
		}
	}
	l.writeLeftOut(ew, listed, "with no allowed action and no change")
	ew.printf("\n%s", accessLegend)
	return ew.err
}
