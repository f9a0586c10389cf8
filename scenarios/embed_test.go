package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
)

func TestNames(t *testing.T) {
	assert.Equal(t, []string{"external-partner", "org-restructure", "quickstart"}, Names())
	_, ok := Builtin("nope")
	assert.False(t, ok)
	_, ok = Builtin("../load.go")
	assert.False(t, ok)
	_, ok = Builtin("")
	assert.False(t, ok)
	a, ok := Builtin("quickstart")
	require.True(t, ok)
	a[0] = 'X' // a copy: the next call is unaffected
	b, _ := Builtin("quickstart")
	assert.NotEqual(t, a[0], b[0])
}

// TestBuiltinScenarios parses every embedded scenario: no errors, no
// warnings, and a model that builds without errors or warnings either.
func TestBuiltinScenarios(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			data, ok := Builtin(name)
			require.True(t, ok)
			sc, err := Parse(name+".yaml", data, LoadOptions{})
			if err != nil {
				t.Fatalf("Parse:\n%s", err.(ErrorList).String())
			}
			assert.Empty(t, sc.Warnings)
			assert.Equal(t, name, sc.Name)
			assert.NotEmpty(t, sc.Model.Accounts)
			assert.NotEmpty(t, sc.Model.Shares)
			assert.NotEmpty(t, sc.Sim.Workload)

			_, errs := model.NewWorld(&sc.Model)
			var l ErrorList
			l.AddPosErrors(errs)
			assert.Empty(t, l.String(), "model.NewWorld")
		})
	}
}

func TestQuickstart(t *testing.T) {
	data, _ := Builtin("quickstart")
	sc, err := Parse("quickstart.yaml", data, LoadOptions{})
	require.NoError(t, err)
	m := sc.Model
	assert.Equal(t, "2026-01-05T00:00:00Z", sc.Start.Format("2006-01-02T15:04:05Z07:00"))
	assert.Equal(t, uint64(1), sc.Sim.Seed)
	assert.Equal(t, "o-a1b2c3d4e5", m.Org.ID)
	assert.True(t, m.Org.RAMSharing)
	require.Len(t, m.Accounts, 8)
	for i, want := range []string{"300000000001", "300000000002", "300000000003", "300000000004", "300000000005"} {
		a := m.Accounts[3+i]
		assert.Equal(t, want, a.ID.S)
		assert.Equal(t, "team-"+string(rune('1'+i)), a.Name)
		assert.Equal(t, []string{"teams"}, a.Groups)
		assert.Equal(t, "/research", a.OU.S)
	}
	require.Len(t, m.Shares, 1)
	assert.Equal(t, model.PermissionExtended, m.Shares[0].Permission)
	assert.Equal(t, []model.InvitationConfig{{Key: model.Ref{S: "999999999999", Pos: model.Pos{File: "quickstart.yaml", Line: 62, Col: 19}},
		Answer: model.AnswerAccept, After: model.Time(3 * 3600e9), Pos: model.Pos{File: "quickstart.yaml", Line: 62, Col: 19}}},
		m.Shares[0].Invitations)
	require.Len(t, m.Events, 3)
	assert.Equal(t, []model.EventKind{model.EventSetPermission, model.EventMoveAccount, model.EventAttachPolicy},
		[]model.EventKind{m.Events[0].Kind, m.Events[1].Kind, m.Events[2].Kind})
	require.Len(t, sc.Sim.Quotas, 1)
	assert.Equal(t, map[string]int{"ml.m5.xlarge": 40, "ml.g5.xlarge": 4}, sc.Sim.Quotas[0].Instances)
	w := sc.Sim.Workload[0]
	assert.InDelta(t, 4.0/3600e9, w.Arrival.PerNs, 1e-24)
}
