package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
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
	rows := slices.Collect(AccessRows(w, at, true))
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
			assert.Equal(t, ex.Access().String(), code, "%s %s %s", r.Principal, r.Pipeline, a)
			if ex.Access().IsAllow() {
				want = append(want, a.String())
			}
		}
		assert.Equal(t, want, nilIfEmpty(r.Allowed), "%s %s", r.Principal, r.Pipeline)
		if strings.HasPrefix(r.Principal, ownerAcct+"/") {
			owners++
		}
	}
	assert.Equal(t, 2*2, owners, "owner-account principals (root, PipelineAdmin) are listed")

	// Sparse: the same rows, but those that allow nothing.
	var want []AccessRow
	for _, r := range rows {
		if len(r.Allowed) > 0 {
			want = append(want, r)
		}
	}
	sparse := slices.Collect(AccessRows(w, at, false))
	assert.Equal(t, want, sparse)
	assert.Less(t, len(sparse), len(rows), "the fixture has pairs with no allowed action")
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestAccessGolden(t *testing.T) {
	view := func(all bool) AccessView { return NewAccessView(fixtureWorld(t), 6*hour, all) }
	js := render(t, func(b *bytes.Buffer) error { return view(false).Render(b, "json") })
	golden(t, "access.json", js)
	csvOut := render(t, func(b *bytes.Buffer) error { return view(false).Render(b, "csv") })
	golden(t, "access.csv", csvOut)
	txt := render(t, func(b *bytes.Buffer) error { return view(false).Render(b, "text") })
	golden(t, "access.txt", txt)
	allTxt := render(t, func(b *bytes.Buffer) error { return view(true).Render(b, "text") })
	golden(t, "access-all.txt", allTxt)

	// Same world, same instant: same bytes.
	again := render(t, func(b *bytes.Buffer) error { return view(false).Render(b, "json") })
	assert.Equal(t, js, again)

	rows := slices.Collect(AccessRows(fixtureWorld(t), 6*hour, false))
	var doc []map[string]any
	require.NoError(t, json.Unmarshal(js, &doc))
	require.Len(t, doc, len(rows))
	for _, d := range doc {
		assert.ElementsMatch(t, []string{"principal", "pipeline", "pipeline_arn", "at", "allowed_actions", "reason_by_action"},
			keys(t, d))
		_, isList := d["allowed_actions"].([]any)
		assert.True(t, isList, "allowed_actions is a list, never null")
		assert.NotEmpty(t, d["allowed_actions"], "sparse rows allow an action")
	}

	recs, err := csv.NewReader(bytes.NewReader(csvOut)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, len(rows)+1)
	assert.Equal(t, []string{"principal", "pipeline", "at"}, recs[0][:3])
	assert.Len(t, recs[0], 3+model.NumActions)
	assert.Equal(t, "sagemaker:DescribePipeline", recs[0][3])

	// The text says what it leaves out; --all leaves out nothing.
	w := fixtureWorld(t)
	left := w.NumPrincipals()*w.NumPipelines() - len(rows)
	assert.Contains(t, string(txt), fmt.Sprintf("\n%d principal-pipeline pairs with no allowed action are not listed (--all lists them)\n", left))
	assert.NotContains(t, string(allTxt), "not listed")
	allJS := render(t, func(b *bytes.Buffer) error { return view(true).Render(b, "json") })
	require.NoError(t, json.Unmarshal(allJS, &doc))
	assert.Len(t, doc, w.NumPrincipals()*w.NumPipelines())
}

// TestAccessTextStreams: the text is written as the rows come, in columns
// as wide as the world's names (the longest principal here has no row),
// not held until the last row.
func TestAccessTextStreams(t *testing.T) {
	cfg := fixtureConfig()
	long := "role/" + strings.Repeat("L", 60)
	cfg.Accounts[2].Principals = append(cfg.Accounts[2].Principals,
		model.PrincipalConfig{Name: ref(long, 17), Pos: pos(17, 9)})
	w, errs := model.NewWorld(cfg)
	require.Empty(t, errs)
	v := NewAccessView(w, 6*hour, false)
	var out bytes.Buffer
	inner := v.Rows
	n := 0
	v.Rows = func(yield func(AccessRow) bool) {
		for r := range inner {
			if n > 0 {
				// The previous row is out before this one is asked for.
				require.Equal(t, n+1, strings.Count(out.String(), "\n")-2, "header and %d rows written", n)
			}
			n++
			assert.NotContains(t, r.Principal, long, "no access, no row")
			if !yield(r) {
				return
			}
		}
	}
	require.NoError(t, v.Render(&out, "text"))
	require.Greater(t, n, 2)
	lines := strings.Split(out.String(), "\n")
	principalWidth := len(partner + "/" + long)
	assert.Equal(t, "PRINCIPAL"+strings.Repeat(" ", principalWidth-len("PRINCIPAL")+2)+"PIPELINE", lines[2][:principalWidth+2+len("PIPELINE")])
	for _, l := range lines[3 : 3+n] {
		cell := l[principalWidth:]
		assert.True(t, strings.HasPrefix(cell, "  churn-training  ") || strings.HasPrefix(cell, "  eval  "), "pipelines line up: %q", l)
		assert.Equal(t, l, strings.TrimRight(l, " "), "no trailing blanks")
	}
}

// TestAccessStopsOnError: a failing writer stops the walk of the matrix,
// at once for text, within a buffer's worth of rows for json and csv.
func TestAccessStopsOnError(t *testing.T) {
	w := manyWorld(t, 60, "/research")
	total := w.NumPrincipals() * w.NumPipelines()
	for format, most := range map[string]int{"text": 1, "json": total / 4, "csv": total / 4} {
		v := NewAccessView(w, 6*hour, true)
		inner, n := v.Rows, 0
		v.Rows = func(yield func(AccessRow) bool) {
			for r := range inner {
				n++
				if !yield(r) {
					return
				}
			}
		}
		assert.ErrorIs(t, v.Render(failWriter{}, format), assert.AnError, format)
		assert.LessOrEqual(t, n, most, format)
	}
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
		assert.LessOrEqual(t, len(accessLevel(mk(tc.f))), accessWidth)
		assert.LessOrEqual(t, len(firstDenied(mk(tc.f))), firstDeniedWidth)
	}
	assert.Equal(t, len("extended (10/10)"), accessWidth)
	assert.Equal(t, len("external_not_allowed (DescribePipelineDefinitionForExecution)"), firstDeniedWidth)
}

func TestAccessEmpty(t *testing.T) {
	got := render(t, func(b *bytes.Buffer) error {
		return AccessView{Rows: slices.Values([]AccessRow(nil))}.Render(b, "json")
	})
	assert.Equal(t, "[]\n", string(got))
	got = render(t, func(b *bytes.Buffer) error { return AccessView{}.Render(b, "text") })
	assert.Equal(t, "no principals or pipelines\n", string(got))
}

// TestChangesSparse: by default the changes list every interval of the
// pairs that allow an action at some point or change, and leave out the
// pairs denied everything, for the same reasons, throughout.
func TestChangesSparse(t *testing.T) {
	w := fixtureWorld(t)
	all := slices.Collect(NewChangesView(w, 0, 24*hour, true).Rows)
	require.Len(t, all, len(slices.Collect(NewChangesView(w, 0, 24*hour, true).Rows)), "the world is left at the start")
	type pair struct{ principal, arn string }
	spans := map[pair][]ChangeRow{}
	var order []pair
	for _, r := range all {
		k := pair{r.Principal, r.PipelineARN}
		if spans[k] == nil {
			order = append(order, k)
		}
		spans[k] = append(spans[k], r)
	}
	require.Len(t, order, w.NumPrincipals()*w.NumPipelines())
	var want []ChangeRow
	left := 0
	for _, k := range order {
		rows := spans[k]
		if len(rows) == 1 && len(rows[0].Allowed) == 0 {
			left++
			continue
		}
		want = append(want, rows...)
	}
	assert.Equal(t, want, slices.Collect(NewChangesView(w, 0, 24*hour, false).Rows))
	assert.Positive(t, left)
	assert.Less(t, len(want), len(all))

	txt := string(render(t, func(b *bytes.Buffer) error { return NewChangesView(w, 0, 24*hour, false).Render(b, "text") }))
	assert.Contains(t, txt, fmt.Sprintf("\n%d principal-pipeline pairs with no allowed action and no change are not listed (--all lists them)\n", left))
	assert.Contains(t, txt, "999999999999/root                churn-training  2026-01-05T00:00:00Z  2026-01-05T03:00:00Z  none",
		"a pair denied at first, allowed later, is listed")
	assert.NotContains(t, txt, "999999999999/root                eval", "a pair never allowed, never changed, is not")
}
