package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pipeshare/pipeshare/model"
)

// CSVTables are the tables of a [RunView] in csv, the first the default.
var CSVTables = []string{"calls", "cost", "access", "findings", "data"}

// writeCSV writes the table v.Table as CSV (RFC 4180, a header line first):
//
//   - calls: one row per (caller, action) with calls, sorted by account,
//     principal and action name: account, account_name, principal,
//     action, calls, allowed, denied, failed, then one column per reason
//     code (in reason order) with its calls;
//   - cost: the owner cost by initiator, in [Cost] order: payer, account,
//     account_name, principal, pipeline, share ("" for the owner's own),
//     instance_type, instance_seconds (3 decimals), usd (4 decimals);
//   - access: the access matrix at the end of the run, as an [AccessView]
//     writes it in csv, its rows with an allowed action only (the access
//     command lists every row);
//   - findings: the compliance findings (Summary.Findings), in their order:
//     rule, severity, subject, message, file, line, col, waived (true or
//     false);
//   - data: the steps failed on a denied data access ([DataPlane]), as
//     writeDataCSV writes them.
//
// Any other name is an error. It returns w's first error.
func (v RunView) writeCSV(w io.Writer) error {
	switch v.Table {
	case "", "calls":
		return writeCallsCSV(w, v.Summary)
	case "cost":
		return writeCostCSV(w, v.Summary)
	case "access":
		return AccessView{Rows: v.AccessRows(false)}.writeCSV(w)
	case "findings":
		return writeFindingsCSV(w, v.Findings)
	case "data":
		return writeDataCSV(w, v.Summary)
	}
	return fmt.Errorf("unknown table %q (want %s)", v.Table, strings.Join(CSVTables, ", "))
}

func writeCallsCSV(w io.Writer, s *Summary) error {
	cw := newCSVWriter(w)
	header := []string{"account", "account_name", "principal", "action", "calls", "allowed", "denied", "failed"}
	for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
		header = append(header, r.String())
	}
	cw.Write(header)
	for c, a := range s.callerRows() {
		rc := &c.Calls.ByAction[a]
		rec := []string{string(c.Account), c.AccountName, c.Principal, a.Name(),
			itoa(rc.Total()), itoa(rc.Allowed()), itoa(rc.Denied()), itoa(rc.Failed())}
		for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
			rec = append(rec, itoa(rc[r]))
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

func writeCostCSV(w io.Writer, s *Summary) error {
	cw := newCSVWriter(w)
	cw.Write([]string{"payer", "account", "account_name", "principal", "pipeline", "share", "instance_type",
		"instance_seconds", "usd"})
	for i := range s.Cost.ByInitiator {
		ic := &s.Cost.ByInitiator[i]
		cw.Write([]string{string(ic.Payer), string(ic.Account), ic.AccountName, ic.Principal, ic.Pipeline,
			ic.Share, ic.InstanceType, fixed(ic.InstanceSeconds(), 3), money(ic.USD)})
	}
	cw.Flush()
	return cw.Error()
}

func writeFindingsCSV(w io.Writer, findings []Finding) error {
	cw := newCSVWriter(w)
	cw.Write([]string{"rule", "severity", "subject", "message", "file", "line", "col", "waived"})
	for i := range findings {
		f := &findings[i]
		cw.Write([]string{f.Rule, f.Severity.String(), f.Subject, f.Message, f.Pos.File,
			fmt.Sprint(f.Pos.Line), fmt.Sprint(f.Pos.Col), fmt.Sprint(f.Waived)})
	}
	cw.Flush()
	return cw.Error()
}

// csvWriter is an encoding/csv writer whose cells a spreadsheet will not
// evaluate: every CSV pipeshare writes goes through it, since names in a
// scenario (accounts, principals, pipelines, rule messages) come from
// untrusted files.
type csvWriter struct {
	*csv.Writer
	rec []string
}

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{Writer: csv.NewWriter(w)} }

// Write writes rec with each cell made safe by [spreadsheetSafe].
func (cw *csvWriter) Write(rec []string) error {
	cw.rec = cw.rec[:0]
	for _, c := range rec {
		cw.rec = append(cw.rec, spreadsheetSafe(c))
	}
	return cw.Writer.Write(cw.rec)
}

// spreadsheetSafe applies OWASP's rule against CSV injection: a cell that
// starts with '=', '+', '-', '@', a tab or a carriage return, and is not a
// number, gets a leading "'" so that a spreadsheet shows it as text
// instead of evaluating it as a formula.
func spreadsheetSafe(c string) string {
	if c == "" {
		return c
	}
	switch c[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(c, 64); err == nil {
			return c
		}
		return "'" + c
	}
	return c
}
