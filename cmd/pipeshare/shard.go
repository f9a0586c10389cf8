package main

// run --replicas N --shard i/k: this process runs one contiguous block of
// the N replicas (report.ShardRange) and writes a part file; `merge` reads
// the k parts and writes the report one process would have written.
// --shard auto takes i and k from the array-job variables of the engine
// that started the process, so one command line serves every index:
//
//   - Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX (k from --shards, since
//     the Job's completions are not in the pod's environment);
//   - AWS Batch array jobs: AWS_BATCH_JOB_ARRAY_INDEX, with k from
//     AWS_BATCH_JOB_ARRAY_SIZE when set, else --shards;
//   - Slurm job arrays: SLURM_ARRAY_TASK_ID, with SLURM_ARRAY_TASK_MIN,
//     SLURM_ARRAY_TASK_STEP (default 1) and SLURM_ARRAY_TASK_COUNT, so that
//     --array=0-7, 1-8 and 0-14:2 all give shards 0..k-1. A list such as
//     --array=1,3,7 is refused: Slurm gives it _STEP=1 (22.05, measured by
//     .ci/slurm), so its tasks' positions cannot be computed; it shows as
//     SLURM_ARRAY_TASK_MAX past the range's end.
//
// The first engine whose index variable is set wins, in that order.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pipeshare/pipeshare/report"
)

// shardSpec is shard index of count; count 0 means no sharding.
type shardSpec struct{ index, count int }

// parseShard reads --shard (i/k or auto) and --shards (0 when not given).
// lookup is os.LookupEnv or a test's stand-in.
func parseShard(spec string, shards int, lookup func(string) (string, bool)) (shardSpec, error) {
	if spec == "auto" {
		return shardFromEnv(shards, lookup)
	}
	if shards != 0 {
		return shardSpec{}, usageErrorf("--shards goes with --shard auto (--shard %s already says how many)", spec)
	}
	is, ks, ok := strings.Cut(spec, "/")
	i, err1 := strconv.Atoi(is)
	k, err2 := strconv.Atoi(ks)
	if !ok || err1 != nil || err2 != nil {
		return shardSpec{}, usageErrorf("--shard must be i/k (shard i of k, from 0) or auto, not %q", spec)
	}
	return checkShard(shardSpec{i, k}, "--shard "+spec)
}

func checkShard(s shardSpec, from string) (shardSpec, error) {
	if s.count < 1 {
		return shardSpec{}, usageErrorf("%s: the number of shards must be at least 1", from)
	}
	if s.index < 0 || s.index >= s.count {
		return shardSpec{}, usageErrorf("%s: shard index %d is not in 0..%d (indexes count from 0)", from, s.index, s.count-1)
	}
	return s, nil
}

// shardFromEnv is --shard auto.
func shardFromEnv(shards int, lookup func(string) (string, bool)) (shardSpec, error) {
	var bad error // the first variable that is not an integer
	num := func(name string) (int, bool) {
		v, ok := lookup(name)
		if !ok {
			return 0, false
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil && bad == nil {
			bad = usageErrorf("--shard auto: %s=%q is not an integer", name, v)
		}
		return n, true
	}
	// count settles k from the engine's own variable or --shards; when
	// both are there they must agree.
	count := func(engine string, k int, haveK bool) (int, error) {
		switch {
		case haveK && shards != 0 && k != shards:
			return 0, usageErrorf("--shard auto: %s says %d shards, --shards %d", engine, k, shards)
		case haveK:
			return k, nil
		case shards != 0:
			return shards, nil
		}
		return 0, usageErrorf("--shard auto: %s does not say how many shards; give --shards K", engine)
	}
	var (
		s        shardSpec
		engine   string // what says how many
		k        int
		haveK    bool
		from     string
		offGrid  bool
		notRange bool // a Slurm array given as a list
		noEngine = true
	)
	if i, ok := num("JOB_COMPLETION_INDEX"); ok {
		s.index, engine, noEngine = i, "a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)", false
		from = fmt.Sprintf("--shard auto (JOB_COMPLETION_INDEX=%d)", i)
	} else if i, ok := num("AWS_BATCH_JOB_ARRAY_INDEX"); ok {
		s.index, engine, noEngine = i, "AWS Batch (AWS_BATCH_JOB_ARRAY_SIZE)", false
		k, haveK = num("AWS_BATCH_JOB_ARRAY_SIZE")
		from = fmt.Sprintf("--shard auto (AWS_BATCH_JOB_ARRAY_INDEX=%d)", i)
	} else if id, ok := num("SLURM_ARRAY_TASK_ID"); ok {
		engine, noEngine = "Slurm (SLURM_ARRAY_TASK_COUNT)", false
		lo, haveMin := num("SLURM_ARRAY_TASK_MIN")
		step, haveStep := num("SLURM_ARRAY_TASK_STEP")
		k, haveK = num("SLURM_ARRAY_TASK_COUNT")
		hi, haveMax := num("SLURM_ARRAY_TASK_MAX")
		if !haveMin && bad == nil {
			bad = usageErrorf("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN is not")
		}
		if !haveStep {
			step = 1
		}
		from = fmt.Sprintf("--shard auto (SLURM_ARRAY_TASK_ID=%d, _MIN=%d, _STEP=%d)", id, lo, step)
		offGrid = step < 1 || id < lo || (id-lo)%step != 0
		notRange = haveMax && haveK && hi != lo+step*(k-1)
		if notRange {
			from = fmt.Sprintf("--shard auto (SLURM_ARRAY_TASK_MIN=%d, _MAX=%d, _STEP=%d, _COUNT=%d)", lo, hi, step, k)
		}
		if !offGrid {
			s.index = (id - lo) / step
		}
	}
	switch {
	case bad != nil:
		return shardSpec{}, bad
	case noEngine:
		return shardSpec{}, usageErrorf("--shard auto: none of JOB_COMPLETION_INDEX (Kubernetes), " +
			"AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch) or SLURM_ARRAY_TASK_ID (Slurm) is set")
	case notRange:
		return shardSpec{}, usageErrorf("%s: the array is not a range A-B or A-B:S (a list such as 1,3,7?), "+
			"so the task's position in it is unknown; give --array as a range", from)
	case offGrid:
		return shardSpec{}, usageErrorf("%s: the task is not on the array's grid", from)
	}
	var err error
	if s.count, err = count(engine, k, haveK); err != nil {
		return shardSpec{}, err
	}
	return checkShard(s, from)
}

// shardBlock returns the replicas [lo, hi) of s out of n (all of them
// when s is not sharding).
func shardBlock(s shardSpec, n int) (lo, hi int) {
	if s.count == 0 {
		return 0, n
	}
	return report.ShardRange(n, s.index, s.count)
}
