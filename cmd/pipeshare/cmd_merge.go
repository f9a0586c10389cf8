package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/sim/plan"
)

const mergeAbout = `Merges the part files of a sharded replicated run (run --replicas N
--shard i/k, one process per shard, e.g. the tasks of a Kubernetes Indexed
Job, an AWS Batch array job or a Slurm array) into the report one process
running all N replicas would have written, byte for byte. Every shard
0..k-1 must be given once, all of one run: same scenario (and --set),
pipeshare version, seed, --replicas, shard count and --until. The part
files of a sharded plan (plan --shard i/k) merge the same way into the
plan's report.`

func cmdMerge(e *env, args []string) error {
	fs := newFlagSet(e, "merge", "merge PART.json... [flags]", mergeAbout)
	format := registerFormat(fs, new(report.Replicas), " (as run --replicas, or plan)")
	out := registerOut(fs, "the report")
	var maxInput int64
	registerMaxInput(fs, &maxInput)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	outs, err := outputsOf(new(report.Replicas), *format, fs.Changed("format"), *out)
	if err != nil {
		return err
	}
	in, err := newInputs(e, maxInput, "")
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("pipeshare merge: give the part files (see pipeshare merge --help)")
	}
	if err := claimOutputs(e, outs); err != nil {
		return err
	}
	files := fs.Args()
	data := make([][]byte, len(files))
	for j, name := range files {
		if data[j], err = in.read("a part file", name); err != nil {
			return fileError(err)
		}
	}
	if isPlanPart(data[0]) {
		return mergePlan(e, files, data, outs)
	}
	parts := make([]*report.ReplicaPart, len(files))
	for j, name := range files {
		if parts[j], err = report.ReadReplicaPart(name, data[j]); err != nil {
			return inputError(err)
		}
	}
	rep, err := report.MergeReplicaParts(files, data, parts)
	if err != nil {
		return inputError(err)
	}
	return writeOutputs(e, outs, func(f string) func(io.Writer) error { return renderAs(rep, f) })
}

// isPlanPart reports whether a part file is a plan's, by its "format";
// anything else is left to the replicas reader, which reports it.
func isPlanPart(b []byte) bool {
	var head struct {
		Format string `json:"format"`
	}
	return json.Unmarshal(b, &head) == nil && head.Format == report.PlanPartFormat
}

// mergePlan merges the part files of a sharded plan: it replays the
// search of one process over the parts' metrics.
func mergePlan(e *env, files []string, data [][]byte, outs []output) error {
	for _, o := range outs {
		if err := checkFormat(new(report.Plan), o.format); err != nil {
			return err
		}
	}
	parts := make([]*report.PlanPart, len(files))
	for j, name := range files {
		var err error
		if parts[j], err = report.ReadPlanPart(name, data[j]); err != nil {
			return inputError(err)
		}
	}
	values, err := report.MergePlanParts(files, data, parts)
	if err != nil {
		return inputError(err)
	}
	first := parts[0]
	p, err := plan.New(first.Space, first.Options)
	if err != nil || len(p.Points) != first.Points {
		return inputError(fmt.Errorf("%s: the space and options do not give the part's %d points: the parts are not of this pipeshare's plan", files[0], first.Points))
	}
	R := first.Options.Replicas
	res, err := p.Run(func(jobs []plan.Job, record func(int, *plan.Values)) error {
		for j, job := range jobs {
			record(j, &values[job.Point*R+job.Replica])
		}
		return nil
	})
	if err != nil {
		return inputError(err)
	}
	rep := &report.Plan{Meta: first.Meta, SpaceFile: first.SpaceFile, SpaceSHA256: first.SpaceSHA256, Seed: first.Seed, Result: res}
	if err := writeOutputs(e, outs, func(f string) func(io.Writer) error { return renderAs(rep, f) }); err != nil {
		return err
	}
	if res.Recommended < 0 {
		return &exitError{code: exitFindings}
	}
	return nil
}
