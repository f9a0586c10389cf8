package report

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/pipeshare/pipeshare/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShardRange(t *testing.T) {
	for _, tc := range []struct{ n, k int }{{1, 1}, {10, 3}, {3, 10}, {8, 8}, {1000, 7}} {
		next := 0
		for i := range tc.k {
			lo, hi := ShardRange(tc.n, i, tc.k)
			assert.Equal(t, next, lo, "n=%d k=%d shard %d starts where %d ended", tc.n, tc.k, i, i-1)
			size := hi - lo
			assert.True(t, size == tc.n/tc.k || size == tc.n/tc.k+1, "n=%d k=%d shard %d has %d", tc.n, tc.k, i, size)
			next = hi
		}
		assert.Equal(t, tc.n, next, "n=%d k=%d: the shards cover every replica", tc.n, tc.k)
	}
}

// partsOf splits samples (master seed 5) into k part files.
func partsOf(t testing.TB, meta Meta, samples []ReplicaSample, k int) (files []string, data [][]byte) {
	t.Helper()
	for i := range k {
		lo, hi := ShardRange(len(samples), i, k)
		var buf bytes.Buffer
		require.NoError(t, WriteReplicaPart(&buf, &ReplicaPart{Meta: meta, Seed: 5, Replicas: len(samples),
			Shard: i, Shards: k, Samples: samples[lo:hi]}))
		files = append(files, fmt.Sprintf("part-%d.json", i))
		data = append(data, buf.Bytes())
	}
	return files, data
}

// seededSamples are three replicas under master seed 5, with dollars that
// do not print exactly in decimal (and add up, as a run's do).
func seededSamples() (Meta, []ReplicaSample) {
	sums := []*Summary{replicaSummary(1, false), replicaSummary(2, true), replicaSummary(3, false)}
	samples := replicaSamples(sums...)
	for i := range samples {
		s := &samples[i]
		s.Seed = sim.ReplicaSeed(5, i)
		usd := math.Pi * float64(i+1) / 3
		s.Initiators[0].USD = usd
		if len(s.Initiators) > 1 {
			s.Initiators[1].USD = 0.1 + 0.2
			usd += s.Initiators[1].USD
		}
		s.Pipelines[0].USD = usd
		s.Values[len(s.Values)-1] = usd
	}
	return sums[0].Meta, samples
}

func mergeAll(t *testing.T, files []string, data [][]byte) (*Replicas, error) {
	t.Helper()
	parts := make([]*ReplicaPart, len(files))
	for j := range files {
		p, err := ReadReplicaPart(files[j], data[j])
		require.NoError(t, err)
		parts[j] = p
	}
	return MergeReplicaParts(files, data, parts)
}

func TestMergeReplicaPartsIsOneProcess(t *testing.T) {
	meta, samples := seededSamples()
	var want bytes.Buffer
	require.NoError(t, SummarizeReplicas(meta, samples).Render(&want, "json"))
	for k := 1; k <= 5; k++ {
		files, data := partsOf(t, meta, samples, k)
		// Any order of the files gives the same report.
		for j := range files {
			files[0], files[j] = files[j], files[0]
			data[0], data[j] = data[j], data[0]
			r, err := mergeAll(t, files, data)
			require.NoError(t, err)
			var got bytes.Buffer
			require.NoError(t, r.Render(&got, "json"))
			assert.Equal(t, want.String(), got.String(), "k=%d", k)
		}
	}
}

func TestReadReplicaPartRoundTrips(t *testing.T) {
	meta, samples := seededSamples()
	_, data := partsOf(t, meta, samples, 1)
	p, err := ReadReplicaPart("p.json", data[0])
	require.NoError(t, err)
	assert.Equal(t, samples, p.Samples, "every number reads back exactly")
	assert.Equal(t, meta, p.Meta)
	var again bytes.Buffer
	require.NoError(t, WriteReplicaPart(&again, p))
	assert.Equal(t, string(data[0]), again.String())
}

func TestReadReplicaPartErrors(t *testing.T) {
	meta, samples := seededSamples()
	_, data := partsOf(t, meta, samples, 2)
	good := string(data[0])
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"not JSON", `{`, `[`, "p.json:2:11: invalid JSON: invalid character ':' after array element"},
		{"truncated", good, good[:40], "p.json:2:39: invalid JSON: unexpected end of input"},
		{"format", `"pipeshare-replicas-part"`, `"x"`, `p.json:2:13: not a pipeshare part file`},
		{"version", `"version": 1`, `"version": 7`, "p.json:3:14: part file version 7"},
		{"shard", `"shard": 0`, `"shard": 2`, "p.json:9:12: shard 2 is not in 0..1"},
		{"count", `"replicas": 3`, `"replicas": 5`, "p.json:11:14: shard 0 of 2 holds replicas 0..1: want 2 samples, have 1"},
		{"seed", `"seed": 5`, `"seed": 6`, "p.json:14:15: replica 0's seed under master seed 6"},
		{"index", `"index": 0`, `"index": 1`, "p.json:13:16: sample 0 of shard 0 must be replica 0, not 1"},
		{"metric", `"calls.total"`, `"calls.totl"`, `p.json:16:18: metrics has no "calls.total"`},
		{"type", `"duration_ns": 36000000000000`, `"duration_ns": "10h"`, "p.json:15:22: samples.duration_ns must be a number, not a JSON string"},
		// Edited numbers: each names its key at its position.
		{"negative count", `"calls.denied": 1`, `"calls.denied": -5`, "p.json:19:25: calls.denied is -5: a count must be an integer from 0 to 2^53"},
		{"fractional count", `"executions.started": 3`, `"executions.started": 1.5`, "p.json:37:31: executions.started is 1.5: a count"},
		{"huge count", `"executions.started": 3`, `"executions.started": 1e30`, "p.json:37:31: executions.started is 1e+30: a count"},
		{"string count", `"executions.started": 3`, `"executions.started": "3"`, `p.json:37:31: executions.started is "3": not a finite number`},
		{"overflow", `"steps.mean_wait_s": 1`, `"steps.mean_wait_s": 1e400`, "p.json:49:30: steps.mean_wait_s is 1e400: not a finite number"},
		{"negative seconds", `"steps.mean_wait_s": 1`, `"steps.mean_wait_s": -1`, "p.json:49:30: steps.mean_wait_s is -1: it must be a finite number, 0 or more"},
		{"outcomes", `"calls.allowed": 10`, `"calls.allowed": 9`, "p.json:17:24: calls.allowed + calls.denied + calls.failed is 10, calls.total 11: they must agree"},
		{"reasons", `"by_reason.scp": 1`, `"by_reason.scp": 2`, "p.json:17:24: the by_reason counts add up to 12, calls.total is 11"},
		{"allowing reasons", `"by_reason.shared": 10,
        "by_reason.explicit_deny": 0`, `"by_reason.shared": 9,
        "by_reason.explicit_deny": 1`, "p.json:18:26: the allowing reasons add up to 9, calls.allowed is 10: they must agree"},
		{"cost total", `"cost.total_usd": 1.0471975511965976`, `"cost.total_usd": 1e30`, "p.json:50:27: cost.total_usd is 1e+30, the by_pipeline rows add up to 1.0471975511965976"},
		{"negative usd", `"usd": 1.0471975511965976`, `"usd": -5`, "p.json:56:18: usd is -5: it must be a finite number, 0 or more"},
		{"initiator usd", `"ml.m5.xlarge",
          "usd": 1.0471975511965976`, `"ml.m5.xlarge",
          "usd": 2`, "p.json:59:23: the by_initiator rows add up to 2, the by_pipeline rows to 1.0471975511965976: they must agree"},
		{"negative duration", `"duration_ns": 36000000000000`, `"duration_ns": -1`, "p.json:15:22: duration_ns is -1: it must be 0 or more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := strings.Replace(good, tc.old, tc.new, 1)
			require.NotEqual(t, good, in, "the edit applies")
			_, err := ReadReplicaPart("p.json", []byte(in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestMergeReplicaPartsErrors(t *testing.T) {
	meta, samples := seededSamples()
	files, data := partsOf(t, meta, samples, 3)
	_, err := mergeAll(t, files[:2], data[:2])
	assert.EqualError(t, err, "merge: shard 2 of 3 (replicas 2..2) is missing")
	_, err = mergeAll(t, []string{files[0], files[1], files[1]}, [][]byte{data[0], data[1], data[1]})
	assert.ErrorContains(t, err, "part-1.json:9:12: shard 1 of 3 again (also in part-1.json)")

	other := meta
	other.ScenarioSHA256 = "ffff"
	files2, data2 := partsOf(t, other, samples, 3)
	_, err = mergeAll(t, []string{files[0], files2[1], files[2]}, [][]byte{data[0], data2[1], data[2]})
	assert.ErrorContains(t, err, "part-1.json:6:22: scenario_sha256 ffff differs from abcdef0123456789 in part-0.json")

	longer := append([]ReplicaSample(nil), samples...)
	longer[2].Duration++
	files3, data3 := partsOf(t, meta, longer, 3)
	_, err = mergeAll(t, []string{files[0], files[1], files3[2]}, [][]byte{data[0], data[1], data3[2]})
	assert.ErrorContains(t, err, "part-2.json:15:22: replica 2 simulated")
}

// FuzzReadReplicaPart: any input is a part or an error at a position, and
// a part writes back to a file that reads as the same part.
func FuzzReadReplicaPart(f *testing.F) {
	meta, samples := seededSamples()
	_, data := partsOf(f, meta, samples, 2)
	for _, d := range data {
		f.Add(d)
	}
	f.Add([]byte(`{"format": "pipeshare-replicas-part", "version": 1, "replicas": 1, "shards": 1, "samples": [{}]}`))
	fuzzPartRoundTrip(f, ReadReplicaPart, WriteReplicaPart)
}
