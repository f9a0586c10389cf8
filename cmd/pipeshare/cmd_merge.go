package main

import (
	"os"

	"github.com/pipeshare/pipeshare/report"
)

const mergeAbout = `Merges the part files of a sharded replicated run (run --replicas N
--shard i/k, one process per shard, e.g. the tasks of a Kubernetes Indexed
Job, an AWS Batch array job or a Slurm array) into the report one process
running all N replicas would have written, byte for byte. Every shard
0..k-1 must be given once, all of one run: same scenario (and --set),
pipeshare version, seed, --replicas, shard count and --until.`

func cmdMerge(e *env, args []string) error {
	fs := newFlagSet(e, "merge", "merge PART.json... [flags]", mergeAbout)
	format := registerFormat(fs, new(report.Replicas), " (as run --replicas)")
	out := fs.String("out", "", "write the report to `FILE` (atomically) instead of stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkFormat(new(report.Replicas), *format); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("pipeshare merge: give the part files (see pipeshare merge --help)")
	}
	if err := e.files.output("--out", *out); err != nil {
		return err
	}
	files := fs.Args()
	data := make([][]byte, len(files))
	parts := make([]*report.ReplicaPart, len(files))
	for j, name := range files {
		if err := e.files.input("a part file", name); err != nil {
			return err
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return inputError(err)
		}
		if parts[j], err = report.ReadReplicaPart(name, b); err != nil {
			return inputError(err)
		}
		data[j] = b
	}
	rep, err := report.MergeReplicaParts(files, data, parts)
	if err != nil {
		return inputError(err)
	}
	return writeOutput(e, *out, renderAs(rep, *format))
}
