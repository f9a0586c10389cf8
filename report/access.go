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

// compareAccessRows orders rows by principal, pipeline name, then ARN.
func compareAccessRows(a, b AccessRow) int {
	if c := strings.Compare(a.Principal, b.Principal); c != 0 {
		return c
	}
	if c := strings.Compare(a.Pipeline, b.Pipeline); c != 0 {
		return c
	}
	return strings.Compare(a.PipelineARN, b.PipelineARN)
}

// Access returns the access matrix at t: one row for every principal
// (owner-account principals and roots included) and every pipeline, sorted
// by principal then pipeline name (then ARN). It asks
// [model.World.DecideAll] for each pair, which caches nothing. Access does
// not apply the timeline: the caller advances world to t first
// (world.AdvanceTo(t)), and t must not precede the last applied event.
// world must not be nil. The matrix has a row per principal and pipeline;
// to write a large one, range over [AccessRows] instead.
func Access(world *model.World, t model.Time) []AccessRow {
	return slices.Collect(AccessRows(world, t))
}

// AccessRows yields the rows of [Access] one at a time, in its order,
// holding none of them; the same conditions on world and t hold.
func AccessRows(world *model.World, t model.Time) iter.Seq[AccessRow] {
	return accessOf(world, t, sortedPrincipals(world), sortedPipelines(world))
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

// accessOf yields the rows of principals ps × pipelines pls at t, in
// that order.
func accessOf(world *model.World, t model.Time, ps []model.PrincipalID, pls []model.PipelineID) iter.Seq[AccessRow] {
	at := world.TimeToRFC3339(t)
	return func(yield func(AccessRow) bool) {
		for _, p := range ps {
			for _, pl := range pls {
				reasons := world.DecideAll(p, pl, t)
				if !yield(accessRow(world, p, pl, at, &reasons)) {
					return
				}
			}
		}
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
// rows' order, indented by two spaces, as they come: one row in memory at a
// time. Lists and maps are never null. It returns w's first error.
func (v AccessView) writeJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	n := 0
	for r := range v.Rows {
		row := jsonAccess{Principal: r.Principal, Pipeline: r.Pipeline, PipelineARN: r.PipelineARN,
			At: r.At, AllowedActions: r.Allowed, ReasonByAction: r.ReasonByAction}
		if row.AllowedActions == nil {
			row.AllowedActions = []string{}
		}
		if row.ReasonByAction == nil {
			row.ReasonByAction = map[string]string{}
		}
		buf.Reset()
		if err := enc.Encode(row); err != nil {
			return err
		}
		sep := ",\n  "
		if n == 0 {
			sep = "[\n  "
		}
		n++
		bw.WriteString(sep)
		bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	if n == 0 {
		bw.WriteString("[]\n")
	} else {
		bw.WriteString("\n]\n")
	}
	return bw.Flush()
}

// writeCSV writes the rows as CSV, as they come: a header
// "principal,pipeline,at" followed by one column per action ("sagemaker:X",
// in Action order), then one line per row holding each action's reason
// code. It returns w's first error.
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
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// accessLevel summarizes what a row allows: "owner (10/10)" (every allowed
// action as the owner), "extended (10/10)" or "read-only (7/7)" (through
// shares), "none", or "n/10".
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

// firstDenied returns the first denied action in Action order (the
// read-only actions come first) and its reason.
func firstDenied(row *AccessRow) (model.Action, model.Reason, bool) {
	for a := range model.Action(model.NumActions) {
		if r := row.reason(a); !r.IsAllow() {
			return a, r, true
		}
	}
	return 0, 0, false
}

// writeText writes the rows for people: the instant, one line per row
// (principal, pipeline, an access summary and the reason the first denied
// action is denied), then a legend. It holds every row, for the column
// widths. It returns w's first error.
func (v AccessView) writeText(w io.Writer) error {
	rows := slices.Collect(v.Rows)
	ew := &errWriter{w: w}
	if len(rows) == 0 {
		ew.printf("no principals or pipelines\n")
		return ew.err
	}
	at := rows[0].At
	for i := range rows {
		if rows[i].At != at {
			at = "several instants (see the rows)"
			break
		}
	}
	ew.printf("access at %s\n\n", at)
	t := newTable("PRINCIPAL", "PIPELINE", "ACCESS", "FIRST DENIED")
	for i := range rows {
		r := &rows[i]
		denied := ""
		if a, reason, ok := firstDenied(r); ok {
			denied = fmt.Sprintf("%s (%s)", reason, a.Name())
		}
		t.add(r.Principal, r.Pipeline, accessLevel(r), denied)
	}
	t.write(ew, "")
	ew.printf("\n%s", accessLegend)
	return ew.err
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
