package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/scenarios"
)

// replicas calls runReplicas as `run` will: it reads scenario, applies
// the seed override when seed is not nil, compiles it (replica 0) and runs
// n replicas. It returns the exit code and the output.
func replicas(t *testing.T, scenario string, seed *uint64, n int, format, until string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{ctx: context.Background(), stdin: strings.NewReader(""), stdout: &out, stderr: &errb, files: &files{}}
	err := func() error {
		sc, err := readScenario(e, scenario, loadFlags{maxInput: scenarios.DefaultMaxInput})
		if err != nil {
			return err
		}
		if seed != nil {
			sc.Sim.Seed = *seed
		}
		c, err := compile(e, sc)
		if err != nil {
			return err
		}
		return runReplicas(e, c, sc, replicaRun{n: n, format: format, until: until, limits: testLimits})
	}()
	if err != nil {
		var ee *exitError
		require.ErrorAs(t, err, &ee)
		errb.WriteString(ee.msg)
		return ee.code, out.String(), errb.String()
	}
	return 0, out.String(), errb.String()
}

// replicasJSON is the part of the replicas JSON the tests read.
type replicasJSON struct {
	SchemaVersion int    `json:"schema_version"`
	Seed          uint64 `json:"seed"`
	Replicas      struct {
		N          int                        `json:"n"`
		Seeds      []uint64                   `json:"seeds"`
		Confidence float64                    `json:"confidence"`
		Calls      map[string]json.RawMessage `json:"calls"`
		Executions map[string]replicaStatJSON `json:"executions"`
		Steps      map[string]replicaStatJSON `json:"steps"`
		Cost       map[string]json.RawMessage `json:"cost"`
	} `json:"replicas"`
}

type replicaStatJSON struct {
	Mean, P5, P50, P95 float64
	CILow              *float64 `json:"ci_low"`
	CIHigh             *float64 `json:"ci_high"`
}

func decodeReplicas(t *testing.T, js string) (replicasJSON, map[string]replicaStatJSON) {
	t.Helper()
	var r replicasJSON
	require.NoError(t, json.Unmarshal([]byte(js), &r), js)
	stats := map[string]replicaStatJSON{}
	for k, v := range r.Replicas.Executions {
		stats["executions."+k] = v
	}
	for k, v := range r.Replicas.Steps {
		stats["steps."+k] = v
	}
	for k, raw := range r.Replicas.Calls {
		if k == "by_reason" {
			var m map[string]replicaStatJSON
			require.NoError(t, json.Unmarshal(raw, &m))
			for code, s := range m {
				stats["calls.by_reason."+code] = s
			}
			continue
		}
		var s replicaStatJSON
		require.NoError(t, json.Unmarshal(raw, &s))
		stats["calls."+k] = s
	}
	var total replicaStatJSON
	require.NoError(t, json.Unmarshal(r.Replicas.Cost["total_usd"], &total))
	stats["cost.total_usd"] = total
	var inits []struct {
		Account, Principal string
		InstanceType       string `json:"instance_type"`
		USD                replicaStatJSON
	}
	require.NoError(t, json.Unmarshal(r.Replicas.Cost["by_initiator"], &inits))
	for _, ic := range inits {
		stats["cost.by_initiator."+ic.Account+"/"+ic.Principal+"/"+ic.InstanceType] = ic.USD
	}
	return r, stats
}

// plainRun returns the JSON of a plain run, decoded.
func plainRun(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, stdout, stderr := pipeshare(t, "", append([]string{"run", "--format", "json"}, args...)...)
	require.Equal(t, 0, code, stderr)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &m))
	return m
}

func field(m map[string]any, path ...string) float64 {
	var v any = m
	for _, p := range path {
		v = v.(map[string]any)[p]
	}
	return v.(float64)
}

// TestReplicasAnyGOMAXPROCS: the output is byte-identical whether the
// replicas run on one core or four, and the replicas really differ.
func TestReplicasAnyGOMAXPROCS(t *testing.T) {
	prev := runtime.GOMAXPROCS(1)
	t.Cleanup(func() { runtime.GOMAXPROCS(prev) })
	var outs [2][2]string
	for i, procs := range []int{1, 4} {
		runtime.GOMAXPROCS(procs)
		for j, format := range []string{"json", "text"} {
			code, stdout, stderr := replicas(t, "quickstart", nil, 6, format, "")
			require.Equal(t, 0, code, stderr)
			outs[i][j] = stdout
		}
	}
	assert.Equal(t, outs[0][0], outs[1][0], "json differs between GOMAXPROCS 1 and 4")
	assert.Equal(t, outs[0][1], outs[1][1], "text differs between GOMAXPROCS 1 and 4")
	_, stats := decodeReplicas(t, outs[0][0])
	total := stats["cost.total_usd"]
	assert.Less(t, total.P5, total.P95, "the replicas all cost the same: are their seeds different?")
}

// TestReplicaZeroIsPlainRun: one replica is the plain run, and replica i
// is `run --seed seeds[i]`.
func TestReplicaZeroIsPlainRun(t *testing.T) {
	code, stdout, stderr := replicas(t, "quickstart", nil, 1, "json", "")
	require.Equal(t, 0, code, stderr)
	r, stats := decodeReplicas(t, stdout)
	plain := plainRun(t, "quickstart")
	assert.Equal(t, []uint64{1}, r.Replicas.Seeds)
	for _, k := range []struct {
		stat string
		path []string
	}{
		{"calls.total", []string{"calls", "total"}},
		{"calls.denied", []string{"calls", "denied"}},
		{"calls.by_reason.action_not_permitted", []string{"calls", "by_reason", "action_not_permitted"}},
		{"executions.started", []string{"executions", "started"}},
		{"executions.failed", []string{"executions", "failed"}},
		{"steps.granted", []string{"steps", "granted"}},
		{"cost.total_usd", []string{"cost", "total_usd"}},
	} {
		want := field(plain, k.path...)
		s := stats[k.stat]
		for _, v := range []float64{s.Mean, s.P5, s.P50, s.P95} {
			assert.InDelta(t, want, v, 1e-9, k.stat)
		}
		assert.Nil(t, s.CILow, "one replica has no interval")
		assert.Nil(t, s.CIHigh)
	}

	// Three replicas: their mean is the mean of the plain runs with the
	// seeds the JSON lists (replica 0 with the master seed).
	seven := uint64(7)
	code, stdout, stderr = replicas(t, "quickstart", &seven, 3, "json", "")
	require.Equal(t, 0, code, stderr)
	r, stats = decodeReplicas(t, stdout)
	require.Len(t, r.Replicas.Seeds, 3)
	assert.Equal(t, uint64(7), r.Seed)
	assert.Equal(t, uint64(7), r.Replicas.Seeds[0])
	var calls, cost float64
	for _, s := range r.Replicas.Seeds {
		m := plainRun(t, "quickstart", "--seed", fmt.Sprint(s))
		calls += field(m, "calls", "total")
		cost += field(m, "cost", "total_usd")
	}
	assert.InDelta(t, calls/3, stats["calls.total"].Mean, 0.001)
	assert.InDelta(t, cost/3, stats["cost.total_usd"].Mean, 0.0001)
}

// TestReplicasIntervals: every interval contains its mean and the
// percentiles are ordered; the intervals are not all empty.
func TestReplicasIntervals(t *testing.T) {
	code, stdout, stderr := replicas(t, "quickstart", nil, 5, "json", "")
	require.Equal(t, 0, code, stderr)
	r, stats := decodeReplicas(t, stdout)
	assert.Equal(t, 1, r.SchemaVersion)
	assert.Equal(t, 5, r.Replicas.N)
	assert.Equal(t, 0.95, r.Replicas.Confidence)
	require.Greater(t, len(stats), 30)
	wide := 0
	for name, s := range stats {
		require.NotNil(t, s.CILow, name)
		require.NotNil(t, s.CIHigh, name)
		assert.LessOrEqual(t, *s.CILow, s.Mean, name)
		assert.LessOrEqual(t, s.Mean, *s.CIHigh, name)
		assert.LessOrEqual(t, s.P5, s.P50, name)
		assert.LessOrEqual(t, s.P50, s.P95, name)
		if *s.CILow < *s.CIHigh {
			wide++
		}
	}
	assert.Greater(t, wide, 10, "most quantities should vary between replicas")
}

func TestReplicasOne(t *testing.T) {
	code, stdout, stderr := replicas(t, "quickstart", nil, 1, "text", "")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "interval   n/a (one replica)")
	assert.Contains(t, stdout, "n/a")
	assert.NotContains(t, stdout, "NaN")
	code, stdout, stderr = replicas(t, "quickstart", nil, 1, "json", "")
	require.Equal(t, 0, code, stderr)
	assert.NotContains(t, stdout, "NaN")
	assert.Contains(t, stdout, `"ci_low": null`)
}

func TestReplicasBadInput(t *testing.T) {
	for _, n := range []int{0, -3} {
		code, stdout, stderr := replicas(t, "quickstart", nil, n, "text", "")
		assert.Equal(t, 2, code)
		assert.Empty(t, stdout)
		assert.Equal(t, "--replicas must be at least 1", stderr)
	}
	code, _, stderr := replicas(t, "quickstart", nil, 2, "csv", "")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--format must be one of text, json")
	code, _, stderr = replicas(t, "quickstart", nil, 2, "text", "yesterday")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--until")
}

// TestReplicasUntil: --until applies to the replicas as to a plain run.
func TestReplicasUntil(t *testing.T) {
	code, stdout, stderr := replicas(t, "quickstart", nil, 1, "json", "2d")
	require.Equal(t, 0, code, stderr)
	_, stats := decodeReplicas(t, stdout)
	plain := plainRun(t, "quickstart", "--until", "2d")
	full := plainRun(t, "quickstart")
	assert.InDelta(t, field(plain, "calls", "total"), stats["calls.total"].Mean, 1e-9)
	assert.Less(t, stats["calls.total"].Mean, field(full, "calls", "total")/2)
	assert.Contains(t, stdout, `"duration_s": 172800`)
}

// TestReplicasCancelled: a cancelled context stops the replicas and
// writes nothing.
func TestReplicasCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	e := &env{ctx: ctx, stdin: strings.NewReader(""), stdout: &out, stderr: &errb, files: &files{}}
	sc, err := readScenario(e, "quickstart", loadFlags{maxInput: scenarios.DefaultMaxInput})
	require.NoError(t, err)
	err = runReplicas(e, nil, sc, replicaRun{n: 4, format: "text", limits: testLimits})
	var ee *exitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 2, ee.code)
	assert.Empty(t, out.String())
}

// TestReplicasOut writes atomically to --out.
func TestReplicasOut(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	var out, errb bytes.Buffer
	e := &env{ctx: context.Background(), stdin: strings.NewReader(""), stdout: &out, stderr: &errb, files: &files{}}
	sc, err := readScenario(e, "quickstart", loadFlags{maxInput: scenarios.DefaultMaxInput})
	require.NoError(t, err)
	require.NoError(t, runReplicas(e, nil, sc, replicaRun{n: 2, format: "json", out: path, limits: testLimits}))
	assert.Empty(t, out.String())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"n": 2`)
	err = runReplicas(e, nil, sc, replicaRun{n: 2, format: "json", out: filepath.Join(dir, "missing", "r.json"), limits: testLimits})
	require.Error(t, err)
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

// TestCompileDoesNotModifyScenario: replicas compile shallow copies of one
// parsed scenario concurrently, which is safe only if Compile and Run
// leave the Scenario as it was (go test -race checks the concurrency).
func TestCompileDoesNotModifyScenario(t *testing.T) {
	data, ok := scenarios.Builtin("quickstart")
	require.True(t, ok)
	a, err := scenarios.Parse("quickstart.yaml", data, scenarios.LoadOptions{})
	require.NoError(t, err)
	b, err := scenarios.Parse("quickstart.yaml", data, scenarios.LoadOptions{})
	require.NoError(t, err)
	for range 2 {
		cp := *a
		c, err := scenarios.Compile(&cp)
		require.NoError(t, err)
		c.Sim.Run()
	}
	assert.True(t, reflect.DeepEqual(a, b), "Compile or Run modified the parsed Scenario")
}

// TestReplicasGolden pins the text and JSON renderings of four quickstart
// replicas.
func TestReplicasGolden(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		code, stdout, stderr := replicas(t, "quickstart", nil, 4, format, "")
		require.Equal(t, 0, code, stderr)
		ext := map[string]string{"text": "txt", "json": "json"}[format]
		golden(t, "replicas-quickstart-4."+ext, stdout)
	}
}

// testLimits are run's default --max-calls and --max-memory.
var testLimits = limitFlags{maxCalls: defaultMaxCalls}
