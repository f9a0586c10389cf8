package scenarios

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"go.yaml.in/yaml/v3"

	"github.com/pipeshare/pipeshare/sim/plan"
)

func quickstartBase(t testing.TB) *Base {
	t.Helper()
	data, ok := Builtin("quickstart")
	require.True(t, ok)
	b, err := ParseBase("quickstart.yaml", data, LoadOptions{})
	require.NoError(t, err)
	return b
}

const spaceHead = "version: 1\nkind: plan\n"
const spaceObjective = "objectives:\n  - {minimize: owner_cost_usd_month, stat: p95}\n"

func TestParseSpaceQuickstart(t *testing.T) {
	data, ok := BuiltinSpace("quickstart")
	require.True(t, ok)
	sp, err := ParseSpace("quickstart.space.yaml", data, quickstartBase(t), 0)
	require.NoError(t, err)
	var names []string
	for _, a := range sp.Plan.Axes {
		names = append(names, a.Name)
	}
	assert.Equal(t, []string{"extended-for", "downgrade-on-day-10", "gpu-quota", "on-capacity"}, names)
	assert.Equal(t, int64(64), sp.Plan.Size())
	// The values the scenario has as written: everyone (no sets), the
	// day-10 downgrade to read-only, 4 GPUs, fail.
	assert.Equal(t, plan.Point{0, 0, 1, 0}, sp.Plan.Baseline())
	assert.Equal(t, []string{"2", "4", "8", "16"}, sp.Plan.Axes[2].Values)
	assert.Equal(t, plan.FindingsError, sp.Plan.Constraints[1].Metric)
	assert.Len(t, sp.Sets(plan.Point{1, -1, 0, 0}), 4, "two lines of org-only, one set each for gpu-quota and on-capacity")
}

// Every bad input is reported at its position in the space file, all of
// them, before anything runs.
func TestParseSpaceErrors(t *testing.T) {
	tests := []struct{ name, space, want string }{
		{"unknown set path", "axes:\n  - {name: p, set: shares.nope.permission, values: [extended]}\n" + spaceObjective,
			"space.yaml:4:20: shares.nope.permission: no share named nope"},
		{"a value that fails validation", "axes:\n  - name: p\n    set: shares.churn-to-research.permission\n    values: [extended, writable]\n" + spaceObjective,
			`space.yaml:6:24: unknown permission "writable"`},
		{"a choose line that fails", "axes:\n  - name: q\n    choose:\n      big: ['accounts.111111111111.quotas.instances.ml.g5.xlarge=-3']\n" + spaceObjective,
			"space.yaml:6:"},
		{"a choose line with no =", "axes:\n  - name: q\n    choose:\n      big: ['accounts']\n" + spaceObjective,
			"space.yaml:6:14: want PATH=VALUE"},
		{"no values", "axes:\n  - {name: p, set: shares.churn-to-research.permission, values: []}\n" + spaceObjective,
			`space.yaml:4:65: axis "p" has no values`},
		{"duplicate axis names", "axes:\n  - {name: p, set: name, values: [x]}\n  - {name: p, set: name, values: [y]}\n" + spaceObjective,
			`space.yaml:5:12: axis "p" again (first at space.yaml:4:12)`},
		{"duplicate values", "axes:\n  - {name: p, set: name, values: [x, x]}\n" + spaceObjective,
			`space.yaml:4:38: axis "p" has the value x twice (first at space.yaml:4:35)`},
		{"unknown metric", "axes:\n  - {name: p, set: name, values: [x]}\nobjectives:\n  - {minimize: owner_cost}\n",
			`space.yaml:6:16: unknown metric "owner_cost" (metrics: owner_cost_usd, `},
		{"unknown stat", "axes:\n  - {name: p, set: name, values: [x]}\nconstraints:\n  - {metric: owner_cost_usd, stat: p99, max: 1}\n" + spaceObjective,
			`space.yaml:6:36: unknown stat "p99" (stats: mean, p5, p50, p95, ci_low or ci_high)`},
		{"findings without severity", "axes:\n  - {name: p, set: name, values: [x]}\nconstraints:\n  - {metric: findings, max: 0}\n" + spaceObjective,
			"space.yaml:6:14: findings needs severity"},
		{"a metric the scenario never produces", "axes:\n  - {name: p, set: name, values: [x]}\nconstraints:\n  - {metric: budget_rules_broken, max: 0}\n" + spaceObjective,
			"space.yaml:6:14: no point can produce metric budget_rules_broken: the scenario has no budget rules"},
		{"a constraint with no bound", "axes:\n  - {name: p, set: name, values: [x]}\nconstraints:\n  - {metric: owner_cost_usd}\n" + spaceObjective,
			"space.yaml:6:5: a constraint needs max:, min: or both"},
		{"set and choose", "axes:\n  - {name: p, set: name, values: [x], choose: {a: []}}\n" + spaceObjective,
			"space.yaml:4:39: an axis has set: and values:, or choose:, not both"},
		{"no objectives", "axes:\n  - {name: p, set: name, values: [x]}\n",
			`space.yaml:1:1: missing required key "objectives" in the space file`},
		{"unknown key", "axes:\n  - {name: p, set: name, valeus: [x]}\n" + spaceObjective,
			`space.yaml:4:26: unknown key "valeus" in axis, did you mean "values"?`},
		{"a seed axis", "axes:\n  - {name: s, set: seed, values: [1, 2]}\n" + spaceObjective,
			`space.yaml:4:20: axis "s" sets seed, which a plan overrides: replica i of every point runs with the same seed (common random numbers), so each value would run the same simulations; give the plan another seed with --seed`},
		{"a quoted seed axis", "axes:\n  - {name: s, set: '\"seed\"', values: [1, 2]}\n" + spaceObjective,
			`space.yaml:4:20: axis "s" sets seed`},
		{"a choose line that sets the seed", "axes:\n  - name: q\n    choose:\n      other: ['name=z', 'seed=3']\n" + spaceObjective,
			`space.yaml:6:26: axis "q" sets seed`},
		{"a path under a seed-named entry is no seed", "axes:\n  - {name: p, set: shares.seed.permission, values: [extended]}\n" + spaceObjective,
			"no share named seed"},
		{"a valid space", "axes:\n  - {name: p, set: name, values: [x]}\n" + spaceObjective + "",
			""},
	}
	base := quickstartBase(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSpace("space.yaml", []byte(spaceHead+tc.space), base, 0)
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.(ErrorList).String(), tc.want)
		})
	}
	_, err := ParseSpace("space.yaml", []byte("version: 1\nkind: sweep\n"+strings.TrimPrefix(tests[0].space, "")), base, 0)
	assert.ErrorContains(t, err, `space.yaml:2:7: kind must be plan, not "sweep"`)
	_, err = ParseSpace("space.yaml", []byte(" \n"), base, 0)
	assert.EqualError(t, err, "space.yaml:1:1: empty space file")
}

// A variant leaves the base as it was, and its overrides are placed where
// the space file writes them.
func TestBaseWith(t *testing.T) {
	b := quickstartBase(t)
	set, err := ParseSet("shares.churn-to-research.permission=read-only", "s.yaml", 4, 9)
	require.NoError(t, err)
	sc, err := b.With([]Set{set})
	require.NoError(t, err)
	assert.Equal(t, "read-only", sc.Model.Shares[0].Permission.String())
	assert.Equal(t, "extended", b.Scenario().Model.Shares[0].Permission.String())
	again, err := b.With(nil)
	require.NoError(t, err)
	assert.Equal(t, b.Scenario().Model, again.Model, "the base's tree is untouched")
	assert.True(t, b.Written("shares.churn-to-research.permission", mustNode(t, "extended")))
	assert.False(t, b.Written("shares.churn-to-research.permission", mustNode(t, "read-only")))
	assert.False(t, b.Written("shares.churn-to-research.nope", mustNode(t, "x")))

	bad, err := ParseSet("shares.churn-to-research.permission=writable", "s.yaml", 4, 9)
	require.NoError(t, err)
	_, err = b.With([]Set{bad})
	assert.ErrorContains(t, err, "s.yaml:4:45: ")
}

func mustNode(t *testing.T, value string) *yaml.Node {
	t.Helper()
	s, err := ParseSet("x="+value, "t", 1, 1)
	require.NoError(t, err)
	return s.Value
}

func TestEmitWritesOnlyWhatDiffers(t *testing.T) {
	b := quickstartBase(t)
	set, err := ParseSet("pricing.ml.g5.xlarge=2", "s.yaml", 1, 1)
	require.NoError(t, err)
	out, err := b.Emit("quickstart", "a test", []Set{set})
	require.NoError(t, err)
	assert.Equal(t, "# a test\nversion: 1\nextends: quickstart\npricing:\n    ml.g5.xlarge: 2\n", string(out))
	sc, err := Parse("best.yaml", out, LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, 2.0, sc.Sim.Pricing[0].USDPerHour)
}

func FuzzParseSpace(f *testing.F) {
	data, _ := BuiltinSpace("quickstart")
	f.Add(data)
	f.Add([]byte(spaceHead + "axes:\n  - {name: p, set: name, values: [x, y]}\n" + spaceObjective))
	f.Add([]byte(spaceHead + "axes:\n  - name: q\n    choose: {a: ['name=z'], b: []}\n" + spaceObjective))
	base := quickstartBase(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		sp, err := ParseSpace("space.yaml", data, base, 1<<16)
		if err != nil {
			for _, d := range err.(ErrorList) {
				if d.Pos.File == "" || d.Pos.Line < 1 || d.Pos.Col < 1 {
					t.Fatalf("an error without a position: %v", d)
				}
			}
			return
		}
		if len(sp.Plan.Objectives) == 0 || len(sp.Plan.Axes) == 0 {
			t.Fatalf("a space without axes or objectives passed")
		}
		for _, a := range sp.Plan.Axes {
			if len(a.Values) == 0 || a.Base < -1 || a.Base >= len(a.Values) {
				t.Fatalf("axis %s: %d values, base %d", a.Name, len(a.Values), a.Base)
			}
		}
	})
}
