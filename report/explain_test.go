package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
)

// explainCase is one decision of the fixture worth explaining.
type explainCase struct {
	name     string
	caller   string
	action   model.Action
	pipeline string
	at       model.Time
}

var explainCases = []explainCase{
	{"owner", ownerAcct + "/role/PipelineAdmin", model.StartPipelineExecution, "churn-training", 6 * hour},
	{"shared", resAcct + "/role/DataScientist", model.StartPipelineExecution, "churn-training", 6 * hour},
	{"scp", resAcct + "/role/DataScientist", model.StopPipelineExecution, "churn-training", 6 * hour},
	{"explicit-deny", resAcct + "/role/Auditor", model.StartPipelineExecution, "churn-training", 6 * hour},
	{"execution-scope", resAcct + "/role/Scoped", model.RetryPipelineExecution, "churn-training", 6 * hour},
	{"read-only", resAcct + "/role/DataScientist", model.StartPipelineExecution, "eval", 6 * hour},
	{"association-pending", resAcct + "/role/DataScientist", model.DescribePipeline, "eval", 0},
	{"invitation-pending", partner + "/role/Partner", model.DescribePipeline, "churn-training", hour},
	{"partner-shared", partner + "/role/Partner", model.DescribePipeline, "churn-training", 6 * hour},
	{"not-shared", partner + "/role/Partner", model.DescribePipeline, "eval", 6 * hour},
}

func (c explainCase) explain(t *testing.T, w *model.World) model.Explanation {
	t.Helper()
	return w.Explain(principal(t, w, c.caller), pipeline(t, w, c.pipeline), c.action, c.at)
}

func TestExplainGolden(t *testing.T) {
	w := fixtureWorld(t)
	var text, js bytes.Buffer
	for _, c := range explainCases {
		ex := c.explain(t, w)
		fmt.Fprintf(&text, "=== %s: %s %s on %s at %s\n", c.name, c.caller, c.action.Name(), c.pipeline, c.at)
		require.NoError(t, ExplainView{World: w, Explanation: &ex}.Render(&text, "text"))
		fmt.Fprintf(&js, "=== %s\n", c.name)
		require.NoError(t, ExplainView{World: w, Explanation: &ex}.Render(&js, "json"))
	}
	golden(t, "explain.txt", text.Bytes())
	golden(t, "explain.json.txt", js.Bytes())
}

// keys returns the sorted keys of a JSON object.
func keys(t *testing.T, v any) []string {
	t.Helper()
	m, ok := v.(map[string]any)
	require.True(t, ok, "want an object, got %T", v)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestExplainJSONShape(t *testing.T) {
	w := fixtureWorld(t)
	for _, c := range explainCases {
		t.Run(c.name, func(t *testing.T) {
			ex := c.explain(t, w)
			got := render(t, func(b *bytes.Buffer) error { return ExplainView{World: w, Explanation: &ex}.Render(b, "json") })
			assert.NotContains(t, string(got), "null")
			assert.Equal(t, []string{"decision", "reason", "caller", "action", "resource", "at", "message", "layers"},
				topKeys(t, got), "keys in the documented order")

			var doc map[string]any
			require.NoError(t, json.Unmarshal(got, &doc))
			assert.Contains(t, []any{"allow", "deny"}, doc["decision"])
			assert.Equal(t, ex.Reason.String(), doc["reason"])
			assert.Equal(t, c.caller, doc["caller"])
			assert.Equal(t, c.action.String(), doc["action"])
			assert.Equal(t, w.TimeToRFC3339(c.at), doc["at"])
			if ex.Decision == model.Allow {
				assert.Equal(t, "", doc["message"])
			} else {
				assert.NotEqual(t, "", doc["message"])
			}
			layers, ok := doc["layers"].([]any)
			require.True(t, ok)
			require.Len(t, layers, 5)
			decisive := 0
			for i, l := range layers {
				assert.Equal(t, []string{"decisive", "layer", "matched", "ou_path", "result", "shares", "step"}, keys(t, l))
				lm := l.(map[string]any)
				assert.EqualValues(t, i+1, lm["step"])
				assert.Contains(t, []any{"pass", "fail", "not_applicable"}, lm["result"])
				if lm["decisive"] == true {
					decisive++
				}
				for _, f := range []string{"matched", "ou_path", "shares"} {
					_, isList := lm[f].([]any)
					assert.True(t, isList, "layer %d %s is a list", i+1, f)
				}
				for _, m := range lm["matched"].([]any) {
					assert.Equal(t, []string{"effect", "policy", "sid", "source", "statement"}, keys(t, m))
				}
				for _, s := range lm["shares"].([]any) {
					assert.Equal(t, []string{"reason", "share", "state"}, keys(t, s))
				}
			}
			assert.Equal(t, 1, decisive, "exactly one decisive layer")
		})
	}
}

func TestExplainTextShape(t *testing.T) {
	w := fixtureWorld(t)
	for _, c := range explainCases {
		ex := c.explain(t, w)
		got := string(render(t, func(b *bytes.Buffer) error { return ExplainView{World: w, Explanation: &ex}.Render(b, "text") }))
		want := fmt.Sprintf("DENY (%s)\n", ex.Reason)
		if ex.Decision == model.Allow {
			want = fmt.Sprintf("ALLOW (%s)\n", ex.Reason)
		}
		assert.Truef(t, len(got) > len(want) && got[:len(want)] == want, "%s: first line %q", c.name, want)
		assert.Equal(t, 1, bytes.Count([]byte(got), []byte("← decisive")), c.name)
		assert.Equal(t, ex.Decision == model.Deny, bytes.Contains([]byte(got), []byte("\nfix: ")), c.name)
	}
}

func TestHintEveryReason(t *testing.T) {
	for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
		for a := range model.Action(model.NumActions) {
			h := Hint(&model.Explanation{Reason: r, Action: a, Resource: "*"})
			if r.IsAllow() {
				assert.Empty(t, h, "%s", r)
			} else {
				assert.NotEmpty(t, h, "%s", r)
			}
		}
	}
	h := Hint(&model.Explanation{Reason: model.ReasonNoIdentityAllow, Action: model.StopPipelineExecution,
		Resource: "arn:aws:sagemaker:us-east-1:111111111111:pipeline/p/execution/*"})
	assert.Contains(t, h, "execution ARN")
	h = Hint(&model.Explanation{Reason: model.ReasonActionNotPermitted, Action: model.StartPipelineExecution})
	assert.Contains(t, h, "read-only permission does not include sagemaker:StartPipelineExecution")
}
