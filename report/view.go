package report

import (
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/pipeshare/pipeshare/model"
)

// A View is a computed report, ready to print in any of the formats it
// lists. The report is computed once ([Summarize], [Check],
// [CompareSummaries], [SummarizeReplicas], [Timeline],
// model.World.Explain), or as it is written for the access matrix
// ([NewAccessView], [NewChangesView]); a View only formats it.
//
// The views are [RunView], [*CheckReport], [*Diff], [*Replicas], [*Plan],
// [AccessView], [ChangesView], [ExplainView] and [TimelineView].
type View interface {
	// Formats lists the formats the view renders ("text", "json", "csv",
	// "md", "html", "junit", "sarif"), its default first. It reads none
	// of the view's data, so the zero value answers: a command checks its
	// --format before it computes the report.
	Formats() []string
	// Render writes the view to w in format, one of Formats; any other
	// format is an error. It returns w's first error.
	Render(w io.Writer, format string) error
}

// format is one format of a view of type V: its name and the method that
// writes V in it.
type format[V any] struct {
	name  string
	write func(V, io.Writer) error
}

// formats are a view's formats, its default first.
type formats[V any] []format[V]

func (fs formats[V]) names() []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.name
	}
	return out
}

func (fs formats[V]) render(v V, w io.Writer, name string) error {
	for _, f := range fs {
		if f.name == name {
			return f.write(v, w)
		}
	}
	return fmt.Errorf("report: unknown format %q (want %s)", name, strings.Join(fs.names(), ", "))
}

// RunView is the run report: its Summary in text, json, csv, md or html.
// In csv it writes one table, Table (one of [CSVTables]; "" is calls).
type RunView struct {
	*Summary
	Table string
}

var runFormats = formats[RunView]{
	{"text", RunView.writeText}, {"json", RunView.writeJSON}, {"csv", RunView.writeCSV},
	{"md", RunView.writeMarkdown}, {"html", RunView.writeHTML},
}

func (RunView) Formats() []string { return runFormats.names() }

func (v RunView) Render(w io.Writer, format string) error { return runFormats.render(v, w, format) }

var checkFormats = formats[*CheckReport]{
	{"text", (*CheckReport).writeText}, {"json", (*CheckReport).writeJSON}, {"md", (*CheckReport).writeMarkdown},
	{"junit", (*CheckReport).writeJUnit}, {"sarif", (*CheckReport).writeSARIF},
}

func (*CheckReport) Formats() []string { return checkFormats.names() }

func (r *CheckReport) Render(w io.Writer, format string) error {
	return checkFormats.render(r, w, format)
}

var diffFormats = formats[*Diff]{
	{"text", (*Diff).writeText}, {"json", (*Diff).writeJSON}, {"md", (*Diff).writeMarkdown},
	{"html", (*Diff).writeHTML}, {"csv", (*Diff).writeCSV},
}

func (*Diff) Formats() []string { return diffFormats.names() }

func (d *Diff) Render(w io.Writer, format string) error { return diffFormats.render(d, w, format) }

var replicasFormats = formats[*Replicas]{
	{"text", (*Replicas).writeText}, {"json", (*Replicas).writeJSON}, {"md", (*Replicas).writeMarkdown},
	{"html", (*Replicas).writeHTML}, {"csv", (*Replicas).writeCSV},
}

func (*Replicas) Formats() []string { return replicasFormats.names() }

func (r *Replicas) Render(w io.Writer, format string) error {
	return replicasFormats.render(r, w, format)
}

// AccessView is the access matrix at one instant ([NewAccessView]), in
// text, json or csv. Every format streams Rows, one row in memory at a
// time: text lays its columns out from the world's names, known before the
// rows.
type AccessView struct {
	Rows   iter.Seq[AccessRow] // as [AccessRows] yields them
	layout accessLayout
}

var accessFormats = formats[AccessView]{{"text", AccessView.writeText}, {"json", AccessView.writeJSON}, {"csv", AccessView.writeCSV}}

func (AccessView) Formats() []string { return accessFormats.names() }

func (v AccessView) Render(w io.Writer, format string) error {
	return accessFormats.render(v, w, format)
}

// ChangesView is the access matrix's changes over time
// ([NewChangesView]), in text, json or csv. Like [AccessView], every format
// streams Rows.
type ChangesView struct {
	Rows   iter.Seq[ChangeRow]
	layout accessLayout
}

var changesFormats = formats[ChangesView]{{"text", ChangesView.writeText}, {"json", ChangesView.writeJSON}, {"csv", ChangesView.writeCSV}}

func (ChangesView) Formats() []string { return changesFormats.names() }

func (v ChangesView) Render(w io.Writer, format string) error {
	return changesFormats.render(v, w, format)
}

// ExplainView is one decision explained layer by layer, in text or json.
type ExplainView struct {
	World       *model.World // the World that produced Explanation; not nil
	Explanation *model.Explanation
}

var explainFormats = formats[ExplainView]{{"text", ExplainView.writeText}, {"json", ExplainView.writeJSON}}

func (ExplainView) Formats() []string { return explainFormats.names() }

func (v ExplainView) Render(w io.Writer, format string) error {
	return explainFormats.render(v, w, format)
}

// TimelineView is one decision over time ([Timeline]), in text or json.
// Caller, Action and Resource name the question in the text's first line.
type TimelineView struct {
	Caller, Action, Resource string
	Entries                  []TimelineEntry
}

var timelineFormats = formats[TimelineView]{{"text", TimelineView.writeText}, {"json", TimelineView.writeJSON}}

func (TimelineView) Formats() []string { return timelineFormats.names() }

func (v TimelineView) Render(w io.Writer, format string) error {
	return timelineFormats.render(v, w, format)
}
