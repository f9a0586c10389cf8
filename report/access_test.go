package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
)

func TestAccessRows(t *testing.T) {
	w := fixtureWorld(t)
	at := 6 * hour
	rows := Access(w, at)
	require.Len(t, rows, w.NumPrincipals()*w.NumPipelines())
	assert.True(t, slices.IsSortedFunc(rows, func(a, b AccessRow) int {
		if c := strings.Compare(a.Principal, b.Principal); c != 0 {
			return c
		}
		return strings.Compare(a.Pipeline, b.Pipeline)
	}), "rows sorted by principal then pipeline")

	owners := 0
	for _, r := range rows {
		assert.Equal(t, w.TimeToRFC3339(at), r.At)
		assert.Len(t, r.ReasonByAction, model.NumActions)
		assert.NotNil(t, r.Allowed)
		// Allowed is exactly the actions with an allow reason, in Action order,
		// and every reason agrees with the reference path.
		p := principal(t, w, r.Principal)
		pl := pipeline(t, w, r.PipelineARN)
		var want []string
		for a := range model.Action(model.NumActions) {
			code := r.ReasonByAction[a.String()]
			ex := w.Explain(p, pl, a, at)
			assert.Equal(t, ex.Reason.String(), code, "%s %s %s", r.Principal, r.Pipeline, a)
			if ex.Reason.IsAllow() {
				want = append(want, a.String())
			}
		}
		assert.Equal(t, want, nilIfEmpty(r.Allowed), "%s %s", r.Principal, r.Pipeline)
		if strings.HasPrefix(r.Principal, ownerAcct+"/") {
			owners++
		}
	}
	assert.Equal(t, 2*2, owners, "owner-account principals (root, PipelineAdmin) are listed")
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestAccessGolden(t *testing.T) {
	w := fixtureWorld(t)
	rows := Access(w, 6*hour)
	js := render(t, func(b *bytes.Buffer) error { return AccessView{Rows: slices.Values(rows)}.Render(b, "json") })
	golden(t, "access.json", js)
	csvOut := render(t, func(b *bytes.Buffer) error { return AccessView{Rows: slices.Values(rows)}.Render(b, "csv") })
	golden(t, "access.csv", csvOut)
	txt := render(t, func(b *bytes.Buffer) error { return AccessView{Rows: slices.Values(rows)}.Render(b, "text") })
	golden(t, "access.txt", txt)

	// Same world, same instant: same bytes.
	again := render(t, func(b *bytes.Buffer) error {
		return AccessView{Rows: slices.Values(Access(w, 6*hour))}.Render(b, "json")
	})
	assert.Equal(t, js, again)

	var doc []map[string]any
	require.NoError(t, json.Unmarshal(js, &doc))
	require.Len(t, doc, len(rows))
	for _, d := range doc {
		assert.ElementsMatch(t, []string{"principal", "pipeline", "pipeline_arn", "at", "allowed_actions", "reason_by_action"},
			keys(t, d))
		_, isList := d["allowed_actions"].([]any)
		assert.True(t, isList, "allowed_actions is a list, never null")
	}

	recs, err := csv.NewReader(bytes.NewReader(csvOut)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, len(rows)+1)
	assert.Equal(t, []string{"principal", "pipeline", "at"}, recs[0][:3])
	assert.Len(t, recs[0], 3+model.NumActions)
	assert.Equal(t, "sagemaker:DescribePipeline", recs[0][3])
}

func TestAccessLevel(t *testing.T) {
	mk := func(f func(a model.Action) model.Reason) *AccessRow {
		r := &AccessRow{ReasonByAction: map[string]string{}}
		for a := range model.Action(model.NumActions) {
			r.ReasonByAction[a.String()] = f(a).String()
		}
		return r
	}
	ro := model.PermissionReadOnly.Actions()
	for _, tc := range []struct {
		want string
		f    func(a model.Action) model.Reason
	}{
		{"extended (10/10)", func(model.Action) model.Reason { return model.ReasonShared }},
		{"owner (10/10)", func(model.Action) model.Reason { return model.ReasonOwner }},
		{"none", func(model.Action) model.Reason { return model.ReasonNotShared }},
		{"read-only (7/7)", func(a model.Action) model.Reason {
			if ro.Has(a) {
				return model.ReasonShared
			}
			return model.ReasonActionNotPermitted
		}},
		{"3/10", func(a model.Action) model.Reason {
			if a.Resource() == model.ResourcePipeline {
				return model.ReasonShared
			}
			return model.ReasonNoIdentityAllow
		}},
	} {
		assert.Equal(t, tc.want, accessLevel(mk(tc.f)))
	}
}

func TestAccessEmpty(t *testing.T) {
	got := render(t, func(b *bytes.Buffer) error {
		return AccessView{Rows: slices.Values([]AccessRow(nil))}.Render(b, "json")
	})
	assert.Equal(t, "[]\n", string(got))
}
