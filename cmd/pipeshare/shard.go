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
//     --array=0-7, 1-8 and 0-14:2 all give shards 0..k-1.
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
	num := func(name string) (int, bool, error) {
		v, ok := lookup(name)
		if !ok {
			return 0, false, nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0, true, usageErrorf("--shard auto: %s=%q is not an integer", name, v)
		}
		return n, true, nil
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

	if i, ok, err := num("JOB_COMPLETION_INDEX"); err != nil || ok {
		if err != nil {
			return shardSpec{}, err
		}
		k, err := count("a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)", 0, false)
		if err != nil {
			return shardSpec{}, err
		}
		return checkShard(shardSpec{i, k}, fmt.Sprintf("--shard auto (JOB_COMPLETION_INDEX=%d)", i))
	}
	if i, ok, err := num("AWS_BATCH_JOB_ARRAY_INDEX"); err != nil || ok {
		if err != nil {
			return shardSpec{}, err
		}
		size, haveSize, err := num("AWS_BATCH_JOB_ARRAY_SIZE")
		if err != nil {
			return shardSpec{}, err
		}
		k, err := count("AWS Batch (AWS_BATCH_JOB_ARRAY_SIZE)", size, haveSize)
		if err != nil {
			return shardSpec{}, err
		}
		return checkShard(shardSpec{i, k}, fmt.Sprintf("--shard auto (AWS_BATCH_JOB_ARRAY_INDEX=%d)", i))
	}
	if id, ok, err := num("SLURM_ARRAY_TASK_ID"); err != nil || ok {
		if err != nil {
			return shardSpec{}, err
		}
		lo, haveMin, err := num("SLURM_ARRAY_TASK_MIN")
		if err != nil {
			return shardSpec{}, err
		}
		step, haveStep, err := num("SLURM_ARRAY_TASK_STEP")
		if err != nil {
			return shardSpec{}, err
		}
		n, haveCount, err := num("SLURM_ARRAY_TASK_COUNT")
		if err != nil {
			return shardSpec{}, err
		}
		if !haveMin {
			return shardSpec{}, usageErrorf("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN is not")
		}
		if !haveStep {
			step = 1
		}
		from := fmt.Sprintf("--shard auto (SLURM_ARRAY_TASK_ID=%d, _MIN=%d, _STEP=%d)", id, lo, step)
		if step < 1 || id < lo || (id-lo)%step != 0 {
			return shardSpec{}, usageErrorf("%s: the task is not on the array's grid", from)
		}
		k, err := count("Slurm (SLURM_ARRAY_TASK_COUNT)", n, haveCount)
		if err != nil {
			return shardSpec{}, err
		}
		return checkShard(shardSpec{(id - lo) / step, k}, from)
	}
	return shardSpec{}, usageErrorf("--shard auto: none of JOB_COMPLETION_INDEX (Kubernetes), " +
		"AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch) or SLURM_ARRAY_TASK_ID (Slurm) is set")
}

// shardBlock returns the replicas [lo, hi) of s out of n (all of them
// when s is not sharding).
func shardBlock(s shardSpec, n int) (lo, hi int) {
	if s.count == 0 {
		return 0, n
	}
	return report.ShardRange(n, s.index, s.count)
}
