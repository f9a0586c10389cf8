package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// DataPlane is the data plane of a run (docs/reports.md#data-plane): the
// steps that failed on a denied S3 or KMS access and the owner money
// their setup burned. A [Summary] has one only when the scenario declares
// buckets or keys.
type DataPlane struct {
	Decisions   int64 // data accesses decided
	FailedSteps int64 // steps failed with ClientError: AccessDenied
	USD         float64
	// Failures are sorted by initiator (account, principal), pipeline,
	// step, subject, action and reason.
	Failures []DataFailure
}

// DataFailure is the steps that failed on one denied access, by initiator.
type DataFailure struct {
	Account     model.AccountID // the initiator's (the Start or Retry caller)
	AccountName string
	Principal   string
	Pipeline    string
	Step        string
	Subject     string // "s3://bucket" or the KMS key's alias or ID
	Action      string // e.g. "kms:Decrypt"
	Resource    string // the ARN the access was authorized against
	Reason      model.DataReason
	Steps       int64
	USD         float64
}

// summarizeData builds the data plane of r, nil when it declares none.
func summarizeData(w *model.World, d *sim.DataStats) *DataPlane {
	if !d.Declared {
		return nil
	}
	out := &DataPlane{Decisions: d.Decisions, Failures: []DataFailure{}}
	for i := range d.Failures {
		f := &d.Failures[i]
		acct := w.PrincipalAccount(f.Initiator)
		out.Failures = append(out.Failures, DataFailure{Account: acct, AccountName: w.AccountName(acct),
			Principal: w.PrincipalName(f.Initiator), Pipeline: w.PipelineName(f.Pipeline), Step: f.Step,
			Subject: w.DataSubject(f.Access), Action: f.Access.Action.String(), Resource: w.DataResource(f.Access),
			Reason: f.Reason, Steps: f.Count, USD: f.USD})
		out.FailedSteps += f.Count
		out.USD += f.USD
	}
	slices.SortStableFunc(out.Failures, func(a, b DataFailure) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Principal, b.Principal))
	})
	return out
}

// dataSection lays out the data plane for the text, Markdown and HTML
// reports.
func dataSection(d *DataPlane) docSection {
	sec := docSection{Title: "Data plane", Lines: []string{fmt.Sprintf(
		"%d data accesses decided; %d steps failed with ClientError: AccessDenied, burning %s of owner money in their setup.",
		d.Decisions, d.FailedSteps, dollars(d.USD))}}
	if len(d.Failures) == 0 {
		return sec
	}
	t := docTable{Title: "Failed steps by initiator", Header: []string{"Account", "Name", "Principal", "Pipeline", "Step",
		"Bucket or key", "Action", "Reason", "Steps", "USD"}, Num: numCols(10, 8, 9)}
	idx, more := humanRows(len(d.Failures), func(i int) float64 { return d.Failures[i].USD })
	if more > 0 {
		t.Note = moreRows(more, "rows", "USD")
	}
	for _, i := range idx {
		f := &d.Failures[i]
		t.Rows = append(t.Rows, []string{string(f.Account), orDash(f.AccountName), f.Principal, f.Pipeline, f.Step,
			f.Subject, f.Action, f.Reason.String(), itoa(f.Steps), dollars(f.USD)})
	}
	t.Total = []string{"total", "", "", "", "", "", "", "", itoa(d.FailedSteps), dollars(d.USD)}
	sec.Tables = append(sec.Tables, t)
	return sec
}

// writeDataText writes the data plane block of the text report: the
// same line and table as the Markdown and HTML reports.
func writeDataText(ew *errWriter, d *DataPlane) {
	sec := dataSection(d)
	ew.printf("\nData plane\n")
	for _, l := range sec.Lines {
		ew.printf("  %s\n", l)
	}
	for _, dt := range sec.Tables {
		ew.printf("  failed steps by initiator\n")
		t := newTable("ACCOUNT", "NAME", "PRINCIPAL", "PIPELINE", "STEP", "BUCKET OR KEY", "ACTION", "REASON", "STEPS", "USD").num(8, 9)
		for _, r := range dt.Rows {
			t.add(r...)
		}
		t.add(dt.Total...)
		t.write(ew, "    ")
		if dt.Note != "" {
			ew.printf("    %s\n", dt.Note)
		}
	}
}

// jsonData is the run report's data key, present only when the scenario
// declares buckets or keys.
type jsonData struct {
	Decisions   int64             `json:"decisions"`
	FailedSteps int64             `json:"failed_steps"`
	USD         usd               `json:"usd"`
	Failures    []jsonDataFailure `json:"failures"`
}

type jsonDataFailure struct {
	Account   string `json:"account"`
	Principal string `json:"principal"`
	Pipeline  string `json:"pipeline"`
	Step      string `json:"step"`
	Subject   string `json:"subject"`
	Action    string `json:"action"`
	Resource  string `json:"resource"`
	Reason    string `json:"reason"`
	Steps     int64  `json:"steps"`
	USD       usd    `json:"usd"`
}

func dataJSON(d *DataPlane) *jsonData {
	if d == nil {
		return nil
	}
	out := &jsonData{Decisions: d.Decisions, FailedSteps: d.FailedSteps, USD: usd(d.USD), Failures: []jsonDataFailure{}}
	for _, f := range d.Failures {
		out.Failures = append(out.Failures, jsonDataFailure{Account: string(f.Account), Principal: f.Principal,
			Pipeline: f.Pipeline, Step: f.Step, Subject: f.Subject, Action: f.Action, Resource: f.Resource,
			Reason: f.Reason.String(), Steps: f.Steps, USD: usd(f.USD)})
	}
	return out
}

// writeDataCSV writes the data plane's failures, one row per failure
// row: account, account_name, principal, pipeline, step, subject,
// action, resource, reason, steps, usd (4 decimals); only the header
// when the scenario declares no data.
func writeDataCSV(w io.Writer, s *Summary) error {
	cw := newCSVWriter(w)
	cw.Write([]string{"account", "account_name", "principal", "pipeline", "step", "subject", "action",
		"resource", "reason", "steps", "usd"})
	if s.Data != nil {
		for _, f := range s.Data.Failures {
			cw.Write([]string{string(f.Account), f.AccountName, f.Principal, f.Pipeline, f.Step, f.Subject,
				f.Action, f.Resource, f.Reason.String(), strconv.FormatInt(f.Steps, 10), money(f.USD)})
		}
	}
	cw.Flush()
	return cw.Error()
}
