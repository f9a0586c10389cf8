package main

import (
	"fmt"

	"github.com/pipeshare/pipeshare/model"
	imp "github.com/pipeshare/pipeshare/scenarios/importer"
)

func init() {
	registerImporter(importer{
		name:    "definition",
		usage:   "import definition FILE.json [--out FILE] [--account ACCT] [--pipeline NAME] [--name N] [--quiet]",
		summary: "a SageMaker pipeline definition JSON → a scenario running it, with each step's duration to edit and its data",
		run:     cmdImportDefinition,
	})
}

const importDefinitionAbout = `Reads a SageMaker pipeline definition (Version 2020-12-01, as
DescribePipeline's PipelineDefinition returns it) and writes a scenario that
runs it in one owner account: the pipeline names the definition file, and
its steps: list gives every step the per-type default duration, for you to
replace with measured ones (definitions carry no durations), and the S3
inputs, outputs, KMS key and role each step names, with the buckets, keys
and accounts they need ({"Get": "Parameters.X"} becomes {param: X}); values
known only at run time are listed under "could not map" at their JSON
positions. Add policies, shares and a workload to plan its sharing.`

func cmdImportDefinition(e *env, args []string) error {
	fs := newFlagSet(e, "import definition", "import definition FILE.json [flags]", importDefinitionAbout)
	out := fs.String("out", "", "write the scenario to `FILE` (atomically) instead of stdout")
	account := fs.String("account", "111111111111", "the owner `ACCOUNT` of the pipeline")
	pipeline := fs.String("pipeline", "", "the pipeline's `NAME` (default: the file's name)")
	name := fs.String("name", "", "the scenario's `NAME` (default: the pipeline's)")
	var maxInput int64
	registerMaxInput(fs, &maxInput)
	quiet := registerQuiet(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	in, err := newInputs(e, maxInput, "")
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("pipeshare import definition: name one definition file (got %d)", fs.NArg())
	}
	if _, err := model.ParseAccountID(*account); err != nil {
		return usageErrorf("--account: %v", err)
	}
	path := fs.Arg(0)
	res, err := importWork(e, *quiet, "import definition "+path, func(n *readCount) (*imp.Result, error) {
		data, err := in.read("an input file", path)
		if err != nil {
			return nil, fileError(err)
		}
		n.bytes.Store(int64(len(data)))
		res, err := imp.Definition(path, data, imp.DefinitionOptions{Account: *account, Pipeline: *pipeline, Out: *out,
			Options: imp.Options{Name: *name}})
		if err != nil {
			return nil, scenarioError(err)
		}
		return res, nil
	})
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(e.stderr, w)
	}
	return writeOutput(e, *out, res.Write)
}
