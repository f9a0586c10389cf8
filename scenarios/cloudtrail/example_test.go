package cloudtrail_test

import (
	"fmt"
	"time"

	"github.com/pipeshare/pipeshare/scenarios/cloudtrail"
)

// Read the calls of a CloudTrail file without a scenario: the caller as a
// scenario names it, the action and the pipeline. The file also holds two
// events that are not pipeline calls.
func ExampleTrace_Calls() {
	t, err := cloudtrail.Open([]string{"../testdata/real/cloudtrail/records.json"}, cloudtrail.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	calls := t.Calls()
	defer calls.Close()
	var c cloudtrail.Call
	for calls.Next(&c) {
		pl := c.Pipeline.Name
		if pl == "" {
			pl = "(names none)"
		}
		fmt.Println(c.At.Format(time.TimeOnly), c.Caller, c.Action.Name(), pl)
	}
	st := calls.Stats()
	fmt.Println(st.Records, "records,", st.Calls, "calls, skipped:", st.Skipped)
	// Output:
	// 02:00:00 222222222222/role/DataScientist StartPipelineExecution churn-training
	// 02:05:00 222222222222/role/DataScientist DescribePipelineExecution churn-training
	// 02:06:00 222222222222/role/DataScientist DescribePipeline churn-training
	// 02:07:00 111111111111/user/mlops-ci ListPipelineExecutions churn-training
	// 02:10:00 222222222222/role/DataScientist StopPipelineExecution churn-training
	// 03:00:00 111111111111/user/mlops-ci StartPipelineExecution churn-training
	// 03:30:00 111111111111/user/mlops-ci StopPipelineExecution churn-training
	// 04:00:00 222222222222/role/Analyst StartPipelineExecution churn-training
	// 04:30:00 444444444444/role/Auditor StartPipelineExecution churn-training
	// 05:00:00 222222222222/role/DataScientist Search (names none)
	// 05:10:00 222222222222/role/DataScientist RetryPipelineExecution churn-training
	// 13 records, 11 calls, skipped: map[other_event:2]
}
