package scenarios

import (
	"errors"
	"io/fs"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

func TestNames(t *testing.T) {
	assert.Equal(t, []string{"data-plane", "extended-vs-read-only", "external-partner", "org-restructure", "quickstart",
		"scale", "w1", "w1-500", "w1-steady"}, Names())
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

			// The simulator accepts it too (step dependencies, prices, …).
			c, err := Compile(sc)
			if err != nil {
				t.Fatalf("Compile:\n%s", err.(ErrorList).String())
			}
			assert.Empty(t, c.Warnings)
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
	assert.Equal(t, []model.InvitationConfig{{Key: model.Ref{S: "999999999999", Pos: model.Pos{File: "quickstart.yaml", Line: 73, Col: 19}},
		Answer: model.AnswerAccept, After: model.Time(3 * 3600e9), Pos: model.Pos{File: "quickstart.yaml", Line: 73, Col: 19}}},
		m.Shares[0].Invitations)
	require.Len(t, m.Events, 3)
	assert.Equal(t, []model.EventKind{model.EventSetPermission, model.EventMoveAccount, model.EventAttachPolicy},
		[]model.EventKind{m.Events[0].Kind, m.Events[1].Kind, m.Events[2].Kind})
	require.Len(t, sc.Sim.Quotas, 1)
	assert.Equal(t, map[string]int{"ml.m5.xlarge": 40, "ml.g5.xlarge": 4}, sc.Sim.Quotas[0].Instances)
	w := sc.Sim.Workload[0]
	assert.InDelta(t, 4.0/3600e9, w.Arrival.PerNs, 1e-24)

	// The pipeline of the reference example (docs/scenario-format.md#reference-example), its Train instance type from a
	// parameter.
	pos := func(line, col int) model.Pos { return model.Pos{File: "quickstart.yaml", Line: line, Col: col} }
	require.Len(t, sc.Sim.Pipelines, 1)
	p := sc.Sim.Pipelines[0]
	assert.Equal(t, m.Pipelines[0].Name, p.Name)
	assert.Equal(t, m.Pipelines[0].Account, p.Account)
	assert.Equal(t, 50, p.MaxParallelSteps)
	assert.Equal(t, sim.Time(672*time.Hour), p.ExecutionTimeout)
	assert.Equal(t, []sim.StepSpec{
		{Name: "Preprocess", Type: "Processing", InstanceType: "ml.m5.xlarge", InstanceCount: 1,
			Duration:    sim.Dist{Kind: sim.DistLogNormal, A: float64(12 * time.Minute), B: 0.4},
			FailureRate: 0.01, FailureException: "SageMaker.JOB_INTERNAL_ERROR", Pos: pos(56, 9), InstanceTypePos: pos(56, 61)},
		{Name: "Train", Type: "Training", DependsOn: []model.Ref{{S: "Preprocess", Pos: pos(59, 22)}},
			InstanceType: "ml.g5.xlarge", InstanceCount: 2, Duration: sim.Dist{Kind: sim.DistFixed, A: float64(45 * time.Minute)},
			FailureException: "SageMaker.JOB_INTERNAL_ERROR",
			Retry: []sim.RetryPolicy{{Exceptions: []string{"SageMaker.RESOURCE_LIMIT"}, Interval: sim.Time(time.Minute),
				Backoff: 2, MaxAttempts: 5, Pos: pos(64, 17)}},
			Pos: pos(58, 9), InstanceTypePos: pos(61, 24)},
	}, p.Steps)
	assert.Equal(t, []sim.Price{{InstanceType: "ml.g5.xlarge", USDPerHour: 1.408, Pos: pos(88, 11)}}, sc.Sim.Pricing)
}

// TestResolve: a file wins, then an embedded scenario with or without
// ".yaml"; read errors name the file; nothing found is a *NotFoundError.
func TestResolve(t *testing.T) {
	files := map[string]string{"dir/quickstart.yaml": "a file", "dir/sub/base.yaml": "base", "/abs/x.yaml": "abs"}
	readFile := func(p string) ([]byte, error) {
		if p == "dir/locked.yaml" {
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
		}
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}
	quickstart, _ := Builtin("quickstart")
	for _, tc := range []struct {
		ref, dir string
		read     bool
		name     string
		data     string
		embedded bool
		err      string
	}{
		{"quickstart.yaml", "dir", true, "dir/quickstart.yaml", "a file", false, ""},
		{"quickstart.yaml", "", true, "quickstart.yaml", string(quickstart), true, ""},
		{"quickstart", "", true, "quickstart.yaml", string(quickstart), true, ""},
		{"quickstart.yaml", "dir", false, "quickstart.yaml", string(quickstart), true, ""},
		{"sub/base.yaml", "dir", true, "dir/sub/base.yaml", "base", false, ""},
		{"/abs/x.yaml", "dir", true, "/abs/x.yaml", "abs", false, ""},
		{"locked.yaml", "dir", true, "dir/locked.yaml", "", false, "permission denied"},
		{"nope.yaml", "dir", true, "", "", false, `no file or embedded scenario named "nope.yaml" (embedded: data-plane, extended-vs-read-only, `},
		{"../embed.go", "", true, "", "", false, `no file or embedded scenario named "../embed.go"`},
		{"", "", true, "", "", false, `no file or embedded scenario named ""`},
	} {
		rf := readFile
		if !tc.read {
			rf = nil
		}
		name, data, embedded, err := Resolve(tc.ref, tc.dir, rf)
		if tc.err != "" {
			require.Error(t, err, tc.ref)
			assert.Contains(t, err.Error(), tc.err, tc.ref)
			assert.Equal(t, tc.name, name, tc.ref)
			var nf *NotFoundError
			assert.Equal(t, tc.name == "", errors.As(err, &nf), "%s: %v", tc.ref, err)
			continue
		}
		require.NoError(t, err, tc.ref)
		assert.Equal(t, tc.name, name, tc.ref)
		assert.Equal(t, tc.data, string(data), tc.ref)
		assert.Equal(t, tc.embedded, embedded, tc.ref)
	}
}
