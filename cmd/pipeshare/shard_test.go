package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		name   string
		spec   string
		shards int
		env    map[string]string
		want   shardSpec
		err    string
	}{
		{"first", "0/4", 0, nil, shardSpec{0, 4}, ""},
		{"last", "3/4", 0, nil, shardSpec{3, 4}, ""},
		{"one", "0/1", 0, nil, shardSpec{0, 1}, ""},
		{"index too big", "4/4", 0, nil, shardSpec{}, "--shard 4/4: shard index 4 is not in 0..3 (indexes count from 0)"},
		{"negative", "-1/4", 0, nil, shardSpec{}, "shard index -1 is not in 0..3"},
		{"no shards", "0/0", 0, nil, shardSpec{}, "the number of shards must be at least 1"},
		{"not a fraction", "2", 0, nil, shardSpec{}, `--shard must be i/k (shard i of k, from 0) or auto, not "2"`},
		{"words", "a/b", 0, nil, shardSpec{}, "--shard must be i/k"},
		{"shards without auto", "0/2", 2, nil, shardSpec{}, "--shards goes with --shard auto"},

		{"kubernetes", "auto", 8, map[string]string{"JOB_COMPLETION_INDEX": "5"}, shardSpec{5, 8}, ""},
		{"kubernetes needs --shards", "auto", 0, map[string]string{"JOB_COMPLETION_INDEX": "5"}, shardSpec{},
			"JOB_COMPLETION_INDEX) does not say how many shards; give --shards K"},
		{"kubernetes out of range", "auto", 4, map[string]string{"JOB_COMPLETION_INDEX": "4"}, shardSpec{},
			"--shard auto (JOB_COMPLETION_INDEX=4): shard index 4 is not in 0..3"},
		{"kubernetes garbage", "auto", 4, map[string]string{"JOB_COMPLETION_INDEX": "x"}, shardSpec{},
			`JOB_COMPLETION_INDEX="x" is not an integer`},
		{"kubernetes wins", "auto", 4, map[string]string{"JOB_COMPLETION_INDEX": "1", "AWS_BATCH_JOB_ARRAY_INDEX": "2",
			"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "0"}, shardSpec{1, 4}, ""},

		{"batch", "auto", 0, map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "9", "AWS_BATCH_JOB_ARRAY_SIZE": "10"}, shardSpec{9, 10}, ""},
		{"batch with --shards", "auto", 10, map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "0"}, shardSpec{0, 10}, ""},
		{"batch disagrees", "auto", 5, map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "0", "AWS_BATCH_JOB_ARRAY_SIZE": "10"},
			shardSpec{}, "AWS Batch (AWS_BATCH_JOB_ARRAY_SIZE) says 10 shards, --shards 5"},
		{"batch wins over slurm", "auto", 0, map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "2", "AWS_BATCH_JOB_ARRAY_SIZE": "3",
			"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0"}, shardSpec{2, 3}, ""},

		{"slurm 0-7", "auto", 0, map[string]string{"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "0",
			"SLURM_ARRAY_TASK_COUNT": "8"}, shardSpec{7, 8}, ""},
		{"slurm 1-8", "auto", 0, map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1",
			"SLURM_ARRAY_TASK_STEP": "1", "SLURM_ARRAY_TASK_COUNT": "8"}, shardSpec{0, 8}, ""},
		{"slurm 0-14:2", "auto", 0, map[string]string{"SLURM_ARRAY_TASK_ID": "14", "SLURM_ARRAY_TASK_MIN": "0",
			"SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "8"}, shardSpec{7, 8}, ""},
		{"slurm off grid", "auto", 0, map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "0",
			"SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "8"}, shardSpec{}, "the task is not on the array's grid"},
		// What Slurm 22.05 sets for --array=1,3,7 and 2,4,6 (.ci/slurm's cluster):
		// _STEP=1 whatever the gaps, so task 3 would pass for shard 2.
		{"slurm list 1,3,7", "auto", 0, map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1",
			"SLURM_ARRAY_TASK_MAX": "7", "SLURM_ARRAY_TASK_STEP": "1", "SLURM_ARRAY_TASK_COUNT": "3"}, shardSpec{},
			"--shard auto (SLURM_ARRAY_TASK_MIN=1, _MAX=7, _STEP=1, _COUNT=3): the array is not a range A-B or A-B:S"},
		{"slurm list 2,4,6", "auto", 0, map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "2",
			"SLURM_ARRAY_TASK_MAX": "6", "SLURM_ARRAY_TASK_STEP": "1", "SLURM_ARRAY_TASK_COUNT": "3"}, shardSpec{},
			"the array is not a range"},
		{"slurm 0-15:2 ends at 14", "auto", 0, map[string]string{"SLURM_ARRAY_TASK_ID": "14", "SLURM_ARRAY_TASK_MIN": "0",
			"SLURM_ARRAY_TASK_MAX": "14", "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "8"}, shardSpec{7, 8}, ""},
		{"slurm no min", "auto", 0, map[string]string{"SLURM_ARRAY_TASK_ID": "3"}, shardSpec{},
			"SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN is not"},
		{"slurm no count", "auto", 0, map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "0"}, shardSpec{},
			"give --shards K"},

		{"no engine", "auto", 3, nil, shardSpec{}, "--shard auto: none of JOB_COMPLETION_INDEX (Kubernetes), " +
			"AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch) or SLURM_ARRAY_TASK_ID (Slurm) is set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
			got, err := parseShard(tc.spec, tc.shards, lookup)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				var ee *exitError
				require.True(t, errors.As(err, &ee))
				assert.Equal(t, exitInput, ee.code)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestMergedShardsAreOneProcess is the promise of docs/commands.md#replicas-on-a-cluster: k processes of
// `run --replicas N --shard i/k` merged give exactly one process's bytes,
// for any k (more shards than replicas too) and either output format.
func TestMergedShardsAreOneProcess(t *testing.T) {
	t.Parallel()
	const n = 5
	for _, scenario := range []string{"quickstart", "external-partner"} {
		code, wantJSON, stderr := pipeshare(t, "", "run", scenario, "--replicas", fmt.Sprint(n), "--format", "json")
		require.Equal(t, 0, code, stderr)
		_, wantText, _ := pipeshare(t, "", "run", scenario, "--replicas", fmt.Sprint(n))
		for _, k := range []int{1, 2, 3, n, n + 2} {
			dir := t.TempDir()
			var parts []string
			for i := k - 1; i >= 0; i-- { // any order
				part := filepath.Join(dir, fmt.Sprintf("part-%d.json", i))
				code, stdout, stderr := pipeshare(t, "", "run", scenario, "--replicas", fmt.Sprint(n),
					"--shard", fmt.Sprintf("%d/%d", i, k), "--out", part)
				require.Equal(t, 0, code, stderr)
				assert.Empty(t, stdout)
				parts = append(parts, part)
			}
			code, gotJSON, stderr := pipeshare(t, "", append([]string{"merge", "--format", "json"}, parts...)...)
			require.Equal(t, 0, code, stderr)
			assert.Equal(t, wantJSON, gotJSON, "%s, %d shards: json", scenario, k)
			_, gotText, _ := pipeshare(t, "", append([]string{"merge"}, parts...)...)
			assert.Equal(t, wantText, gotText, "%s, %d shards: text", scenario, k)
		}
	}
}

func TestShardAutoFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	for i := range 2 {
		t.Setenv("AWS_BATCH_JOB_ARRAY_INDEX", fmt.Sprint(i))
		t.Setenv("AWS_BATCH_JOB_ARRAY_SIZE", "2")
		code, _, stderr := pipeshare(t, "", "run", "quickstart", "--replicas", "3", "--shard", "auto",
			"--out", filepath.Join(dir, fmt.Sprintf("auto-%d.json", i)))
		require.Equal(t, 0, code, stderr)
		code, _, stderr = pipeshare(t, "", "run", "quickstart", "--replicas", "3", "--shard", fmt.Sprintf("%d/2", i),
			"--out", filepath.Join(dir, fmt.Sprintf("explicit-%d.json", i)))
		require.Equal(t, 0, code, stderr)
		auto, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("auto-%d.json", i)))
		require.NoError(t, err)
		explicit, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("explicit-%d.json", i)))
		require.NoError(t, err)
		assert.Equal(t, string(explicit), string(auto))
	}
}

func TestShardAndMergeErrors(t *testing.T) {
	dir := t.TempDir()
	p0, p1 := filepath.Join(dir, "p0.json"), filepath.Join(dir, "p1.json")
	code, _, stderr := pipeshare(t, "", "run", "quickstart", "--replicas", "3", "--shard", "0/2", "--out", p0)
	require.Equal(t, 0, code, stderr)
	code, _, stderr = pipeshare(t, "", "run", "quickstart", "--replicas", "3", "--shard", "1/2", "--seed", "9", "--out", p1)
	require.Equal(t, 0, code, stderr)
	out := filepath.Join(dir, "merged.txt")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--shard", "0/2"}, "--shard splits the replicas of --replicas N: give --replicas"},
		{[]string{"run", "--replicas", "2", "--shard", "0/2", "--format", "text"}, "--shard writes a JSON part file"},
		{[]string{"run", "--replicas", "2", "--shards", "2"}, "--shards goes with --shard auto"},
		{[]string{"run", "--replicas", "2", "--shard", "2/2"}, "shard index 2 is not in 0..1"},
		{[]string{"merge"}, "give the part files"},
		{[]string{"merge", "--out", out, p0}, "merge: shard 1 of 2 (replicas 1..2) is missing"},
		{[]string{"merge", "--out", out, p0, p1}, p1 + ":7:11: seed 9 differs from 1 in " + p0 + ": the parts are not of one run"},
		{[]string{"merge", "--out", out, p0, p0}, p0 + ":9:12: shard 0 of 2 again (also in " + p0 + ")"},
		{[]string{"merge", "--out", out, filepath.Join(dir, "nope.json")}, "no such file"},
		{[]string{"merge", "--out", out, "testdata/explain.yaml"}, "testdata/explain.yaml:1:1: invalid JSON"},
	} {
		code, stdout, stderr := pipeshare(t, "", tc.args...)
		assert.Equal(t, 2, code, "%v", tc.args)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, tc.want, "%v", tc.args)
		assert.NoFileExists(t, out, "no partial output")
	}
}
