package report

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pipeshare/pipeshare/internal/words"
	"github.com/pipeshare/pipeshare/model"
)

// AccessRow is what one principal may do on one pipeline at one instant.
type AccessRow struct {
	Principal   string // "ACCT/role/X", "ACCT/root"
	Pipeline    string // the pipeline's name
	PipelineARN string
	At          string // RFC 3339 UTC
	// Allowed lists the allowed actions ("sagemaker:X") in Action order;
	// empty, not nil, when none is.
	Allowed []string
	// ReasonByAction maps each of the ten actions ("sagemaker:X") to its
	// reason code: owner or shared when allowed, a deny code otherwise.
	ReasonByAction map[string]string
}

// accessRow is the row of principal p on pipeline pl with the given
// reasons for the ten actions.
func accessRow(world *model.World, p model.PrincipalID, pl model.PipelineID, at string, reasons *[model.NumActions]model.Reason) AccessRow {
	row := AccessRow{
		Principal:      world.CallerString(p),
		Pipeline:       world.PipelineName(pl),
		PipelineARN:    world.PipelineARN(pl),
		At:             at,
		Allowed:        []string{},
		ReasonByAction: make(map[string]string, model.NumActions),
	}
	for a, r := range reasons {
		row.ReasonByAction[model.Action(a).String()] = r.String()
		if r.IsAllow() {
			row.Allowed = append(row.Allowed, model.Action(a).String())
		}
	}
	return row
}

// hasAccess reports whether reasons allow an action.
func hasAccess(reasons *[model.NumActions]model.Reason) bool {
	return slices.ContainsFunc(reasons[:], model.Reason.IsAllow)
}

// AccessRows yields the access matrix at t one row at a time, holding none
// of them: a row for every principal (owner-account principals and roots
// included) and every pipeline when all, else only the rows with an
// allowed action; sorted by principal, then pipeline name (then ARN). It
// asks [model.World.DecideAll] for each pair, which caches nothing. It does
// not apply the timeline: the caller advances world to t first
// (world.AdvanceTo(t)), and t must not precede the last applied event.
// world must not be nil.
func AccessRows(world *model.World, t model.Time, all bool) iter.Seq[AccessRow] {
	ps, pls := sortedPrincipals(world), sortedPipelines(world)
	at := world.TimeToRFC3339(t)
	return func(yield func(AccessRow) bool) {
		for _, p := range ps {
			for _, pl := range pls {
				reasons := world.DecideAll(p, pl, t)
				if !all && !hasAccess(&reasons) {
					continue
				}
				if !yield(accessRow(world, p, pl, at, &reasons)) {
					return
				}
			}
		}
	}
}

// sortedPrincipals returns world's principals in the access order: by
// their caller string.
func sortedPrincipals(world *model.World) []model.PrincipalID {
	ps := make([]model.PrincipalID, world.NumPrincipals())
	for i := range ps {
		ps[i] = model.PrincipalID(i)
	}
	slices.SortStableFunc(ps, func(a, b model.PrincipalID) int {
		return strings.Compare(world.CallerString(a), world.CallerString(b))
	})
	return ps
}

// sortedPipelines returns world's pipelines in the access order: by name,
// then ARN.
func sortedPipelines(world *model.World) []model.PipelineID {
	pls := make([]model.PipelineID, world.NumPipelines())
	for i := range pls {
		pls[i] = model.PipelineID(i)
	}
	slices.SortStableFunc(pls, func(a, b model.PipelineID) int {
		return cmp.Or(strings.Compare(world.PipelineName(a), world.PipelineName(b)),
			strings.Compare(world.PipelineARN(a), world.PipelineARN(b)))
	})
	return pls
}

// NewAccessView returns the view of world's access matrix at t
// ([AccessRows]): every principal and pipeline when all, else those with
// an allowed action. world must be advanced to t.
func NewAccessView(world *model.World, t model.Time, all bool) AccessView {
	l := newAccessLayout(world, all)
	l.at = world.TimeToRFC3339(t)
	return AccessView{Rows: AccessRows(world, t, all), layout: l}
}

// accessLayout is what the text of an access view knows before its first
// row: the instant, the column widths (from the world's names, so that the
// rows stream) and how many pairs the rows leave out.
type accessLayout struct {
	at                  string // AccessView's instant
	principal, pipeline int    // the widest caller string and pipeline name
	time                int    // ChangesView: the widest of from and to
	pairs               int    // principals × pipelines
	all                 bool   // the rows are every pair
}

func newAccessLayout(world *model.World, all bool) accessLayout {
	l := accessLayout{pairs: world.NumPrincipals() * world.NumPipelines(), all: all}
	for p := range model.PrincipalID(world.NumPrincipals()) {
		l.principal = max(l.principal, utf8.RuneCountInString(world.CallerString(p)))
	}
	for pl := range model.PipelineID(world.NumPipelines()) {
		l.pipeline = max(l.pipeline, utf8.RuneCountInString(world.PipelineName(pl)))
	}
	return l
}

// writeLeftOut writes, for sparse rows, how many of the pairs the listed
// ones leave out, and what they have in common.
func (l *accessLayout) writeLeftOut(ew *errWriter, listed int, what string) {
	if n := l.pairs - listed; !l.all && n > 0 {
		ew.printf("\n%s %s %s not listed (--all lists them)\n",
			nouns(n, "principal-pipeline pair", "principal-pipeline pairs"), what, words.Plural(n, "is", "are"))
	}
}

// reason returns row's reason for action a; ReasonNone when it is missing.
func (row *AccessRow) reason(a model.Action) model.Reason {
	r, _ := model.ParseReason(row.ReasonByAction[a.String()])
	return r
}

type jsonAccess struct {
	Principal      string            `json:"principal"`
	Pipeline       string            `json:"pipeline"`
	PipelineARN    string            `json:"pipeline_arn"`
	At             string            `json:"at"`
	AllowedActions []string          `json:"allowed_actions"`
	ReasonByAction map[string]string `json:"reason_by_action"`
}

// writeJSON writes the rows as the access JSON, a list of {principal,
// pipeline, pipeline_arn, at, allowed_actions, reason_by_action}, in the
// rows' order, as [writeJSONList] does. Lists and maps are never null.
func (v AccessView) writeJSON(w io.Writer) error {
	return writeJSONList(w, v.Rows, func(r *AccessRow) any {
		row := jsonAccess{Principal: r.Principal, Pipeline: r.Pipeline, PipelineARN: r.PipelineARN,
			At: r.At, AllowedActions: r.Allowed, ReasonByAction: r.ReasonByAction}
		if row.AllowedActions == nil {
			row.AllowedActions = []string{}
		}
		if row.ReasonByAction == nil {
			row.ReasonByAction = map[string]string{}
		}
		return row
	})
}

// writeJSONList writes rows as a JSON list, each row as toJSON makes it,
// indented by two spaces like [writeIndentedJSON], as they come: one row in
// memory at a time. It returns w's first error, and stops at it.
func writeJSONList[R any](w io.Writer, rows iter.Seq[R], toJSON func(*R) any) error {
	bw := bufio.NewWriter(w)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	empty := true
	for r := range rows {
		buf.Reset()
		if err := enc.Encode(toJSON(&r)); err != nil {
			return err
		}
		if empty {
			bw.WriteString("[\n  ")
		} else {
			bw.WriteString(",\n  ")
		}
		empty = false
		if _, err := bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))); err != nil {
			return err
		}
	}
	if empty {
		bw.WriteString("[]\n")
	} else {
		bw.WriteString("\n]\n")
	}
	return bw.Flush()
}

// writeCSV writes the rows as CSV, as they come: a header
// "principal,pipeline,at" followed by one column per action ("sagemaker:X",
// in Action order), then one line per row holding each action's reason
// code. It returns w's first error, and stops at it.
func (v AccessView) writeCSV(w io.Writer) error {
	cw := newCSVWriter(w)
	header := []string{"principal", "pipeline", "at"}
	for a := range model.Action(model.NumActions) {
		header = append(header, a.String())
	}
	cw.Write(header)
	rec := make([]string, 0, len(header))
	for r := range v.Rows {
		rec = append(rec[:0], r.Principal, r.Pipeline, r.At)
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

// accessLevel summarizes what a row allows: "owner (10/10)" (every allowed
// action as the owner), "extended (10/10)" or "read-only (7/7)" (through
// shares), "none", or "n/10"; at most accessWidth runes.
func accessLevel(row *AccessRow) string {
	var allowed model.ActionSet
	owner, shared := 0, 0
	for a := range model.Action(model.NumActions) {
		switch row.reason(a) {
		case model.ReasonOwner:
			allowed, owner = allowed.With(a), owner+1
		case model.ReasonShared:
			allowed, shared = allowed.With(a), shared+1
		}
	}
	n := allowed.Len()
	switch {
	case n == 0:
		return "none"
	case shared == 0:
		return fmt.Sprintf("owner (%d/%d)", n, model.NumActions)
	case owner == 0 && allowed == model.PermissionExtended.Actions():
		return fmt.Sprintf("extended (%d/%d)", n, model.NumActions)
	case owner == 0 && allowed == model.PermissionReadOnly.Actions():
		return fmt.Sprintf("read-only (%d/%d)", n, n)
	}
	return fmt.Sprintf("%d/%d", n, model.NumActions)
}

// accessWidth is the width of the widest accessLevel, "extended (10/10)".
var accessWidth = len(fmt.Sprintf("extended (%d/%d)", model.NumActions, model.NumActions))

// firstDenied returns the FIRST DENIED cell of row: the reason of the first
// denied action in Action order (the read-only actions come first) and its
// name, "action_not_permitted (StartPipelineExecution)"; "" when every
// action is allowed. It is at most firstDeniedWidth runes.
func firstDenied(row *AccessRow) string {
	for a := range model.Action(model.NumActions) {
		if r := row.reason(a); !r.IsAllow() {
			return fmt.Sprintf("%s (%s)", r, a.Name())
		}
	}
	return ""
}

// firstDeniedWidth is the width of the widest firstDenied: the longest
// reason code and the longest action name.
var firstDeniedWidth = func() int {
	reason, action := 0, 0
	for r := range model.NumReasons {
		reason = max(reason, len(r.String()))
	}
	for a := range model.Action(model.NumActions) {
		action = max(action, len(a.Name()))
	}
	return len(fmt.Sprintf("%s (%s)", strings.Repeat("r", reason), strings.Repeat("a", action)))
}()

// writeText writes the rows for people as they come: the instant, one line
// per row (principal, pipeline, an access summary and the reason the first
// denied action is denied) in columns as wide as the world's names, how
// many pairs sparse rows leave out, then a legend. It returns w's first
// error, and stops at it.
func (v AccessView) writeText(w io.Writer) error {
	ew := &errWriter{w: w}
	l := &v.layout
	if l.pairs == 0 {
		ew.printf("no principals or pipelines\n")
		return ew.err
	}
	ew.printf("access at %s\n\n", l.at)
	cols := newColumns(ew, []string{"PRINCIPAL", "PIPELINE", "ACCESS", "FIRST DENIED"},
		l.principal, l.pipeline, accessWidth, 0)
	listed := 0
	for r := range v.Rows {
		if cols.line(r.Principal, r.Pipeline, accessLevel(&r), firstDenied(&r)); ew.err != nil {
			return ew.err
		}
		listed++
	}
	l.writeLeftOut(ew, listed, "with no allowed action")
	ew.printf("\n%s", accessLegend)
	return ew.err
}

// columns writes a text table line by line as its rows come, in the layout
// of [table]: each column as wide as given (at least its header) and two
// spaces, the last column unpadded, trailing blanks trimmed. The widths are
// known before the rows, so nothing is held; a wider cell pushes the rest
// of its line to the right.
type columns struct {
	w     io.Writer
	width []int // in runes
	buf   []byte
}

// newColumns writes header, each column at least width[i] wide.
func newColumns(w io.Writer, header []string, width ...int) *columns {
	c := &columns{w: w, width: width}
	for i, h := range header {
		c.width[i] = max(c.width[i], utf8.RuneCountInString(h))
	}
	c.line(header...)
	return c
}

func (c *columns) line(cells ...string) {
	b := c.buf[:0]
	for i, cell := range cells {
		b = append(b, cell...)
		if i < len(cells)-1 {
			for range max(c.width[i]-utf8.RuneCountInString(cell), 0) + 2 {
				b = append(b, ' ')
			}
		}
	}
	b = append(bytes.TrimRight(b, " \t"), '\n')
	c.w.Write(b)
	c.buf = b
}

var accessLegend = func() string {
	var b strings.Builder
	b.WriteString(`ACCESS
  owner (n/10)      n actions, all allowed to the owner account's principal by its identity
  extended (10/10)  all ten actions, through shares (extended permission)
  read-only (7/7)   exactly the seven actions of the read-only permission, through shares
  n/10              n of the ten actions, mixed or partial
  none              no action
FIRST DENIED
  the reason code of the first denied action, in this order:
`)
	for a := range model.Action(model.NumActions) {
		fmt.Fprintf(&b, "  %2d %s\n", a+1, a)
	}
	return b.String()
}()
