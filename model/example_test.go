package model_test

import (
	"fmt"
	"time"

	"github.com/pipeshare/pipeshare/model"
)

// An owner shares a pipeline read-only with a consumer account whose role
// may call anything: Describe is allowed through the share, Start is not in
// the read-only permission.
func Example() {
	ref := func(s string) model.Ref { return model.Ref{S: s} }
	cfg := &model.Config{
		Region: "us-east-1",
		Accounts: []model.AccountConfig{
			{ID: ref("111111111111")},
			{ID: ref("222222222222"), Principals: []model.PrincipalConfig{
				{Name: ref("role/DataScientist"), Policies: []model.Ref{ref("all-pipelines")}}}},
		},
		Policies: []model.PolicyDoc{{Name: "all-pipelines", Statements: []model.StatementDoc{{
			Effect: ref("Allow"), Action: []model.Ref{ref("sagemaker:*Pipeline*")}, Resource: []model.Ref{ref("*")}}}}},
		Pipelines: []model.PipelineConfig{{Name: ref("churn-training"), Account: ref("111111111111")}},
		Shares: []model.ShareConfig{{Name: ref("to-research"), Owner: ref("111111111111"),
			Pipelines: []model.Ref{ref("churn-training")}, Principals: []model.Ref{ref("222222222222")},
			Permission: model.PermissionReadOnly, AllowExternal: true,
			AssociationDelay: model.Time(2 * time.Minute), InvitationTTL: model.Time(12 * time.Hour)}},
	}
	w, errs := model.NewWorld(cfg)
	if w == nil {
		fmt.Println(errs)
		return
	}
	callers, _ := w.LookupCallers("222222222222/role/DataScientist")
	pipeline, _ := w.LookupPipeline("churn-training")
	at := model.Time(time.Hour)
	for _, a := range []model.Action{model.DescribePipeline, model.StartPipelineExecution} {
		ex := w.Explain(callers[0], pipeline, a, at)
		fmt.Println(a, ex.Decision, ex.Reason, w.Decide(callers[0], pipeline, a, at) == ex.Reason)
	}
	// Output:
	// sagemaker:DescribePipeline allow shared true
	// sagemaker:StartPipelineExecution deny action_not_permitted true
}
