package report_test

import (
	"fmt"
	"os"

	"github.com/pipeshare/pipeshare/report"
)

// A view lists its formats and renders one: here a decision over time, as
// explain --timeline prints it.
func ExampleView() {
	var v report.View = report.TimelineView{
		Caller: "222222222222/role/DataScientist", Action: "sagemaker:StartPipelineExecution",
		Resource: "arn:aws:sagemaker:us-east-1:111111111111:pipeline/train",
		Entries: []report.TimelineEntry{
			{From: "2026-03-01T00:00:00Z", To: "2026-03-02T00:00:00Z", Decision: "deny", Reason: "association_pending", Cause: "start"},
			{From: "2026-03-02T00:00:00Z", To: "2026-03-31T00:00:00Z", Decision: "allow", Reason: "shared", Cause: "share s associates 222222222222"},
		},
	}
	fmt.Println(v.Formats())
	if err := v.Render(os.Stdout, "text"); err != nil {
		fmt.Println(err)
	}
	fmt.Println(v.Render(os.Stdout, "csv"))
	// Output:
	// [text json]
	// 222222222222/role/DataScientist sagemaker:StartPipelineExecution on arn:aws:sagemaker:us-east-1:111111111111:pipeline/train
	//
	// FROM                  TO                    DECISION  REASON               CAUSE
	// 2026-03-01T00:00:00Z  2026-03-02T00:00:00Z  deny      association_pending  start
	// 2026-03-02T00:00:00Z  2026-03-31T00:00:00Z  allow     shared               share s associates 222222222222
	// report: unknown format "csv" (want text, json)
}
