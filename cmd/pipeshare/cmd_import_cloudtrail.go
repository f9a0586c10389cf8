package main

import (
	"fmt"

	imp "github.com/pipeshare/pipeshare/scenarios/importer" // the CLI has its own type importer
)

func init() {
	registerImporter(importer{
		name:    "cloudtrail",
		usage:   "import cloudtrail FILE|DIR [--out FILE] [--name N] [--quiet]",
		summary: "a CloudTrail trace → accounts, principals, pipelines and a workload (callers, action mix, rates)",
		run:     cmdImportCloudTrail,
	})
}

const importCloudTrailAbout = `Reads a CloudTrail trace (one event, {"Records": [...]}, JSON Lines, a JSON
array, .gz of each, or a folder of them such as CloudTrail's S3 delivery
layout) and writes a workload summary as scenario YAML: the accounts and
principals seen, the pipelines called (by owner), and one workload entry per
caller principal with its observed action mix and rate. start is the first
eventTime, duration the trace's span rounded up to a day. It takes the same
calls as run --trace: SageMaker pipeline events by a root user, an IAM user
or an assumed role (as the role that issued the session); copies of one call
(same sharedEventID, else requestID, within 15 minutes) count once.

CloudTrail records neither RAM shares nor identity policies: the output has
no shares (cross-account calls are not_shared until you add them, or use
pipeshare import aws) and gives every principal seen the policy
cloudtrail-observed (the pipeline actions on "*"). What could not be mapped
(non-pipeline events by eventSource and eventName, other identity types,
malformed records) is listed in the header comment and on stderr.`

func cmdImportCloudTrail(e *env, args []string) error {
	fs := newFlagSet(e, "import cloudtrail", "import cloudtrail FILE|DIR [flags]", importCloudTrailAbout)
	out := fs.String("out", "", "write the scenario to `FILE` (atomically) instead of stdout")
	name := fs.String("name", "", "the scenario's `NAME` (default: the trace's file name)")
	quiet := registerQuiet(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("pipeshare import cloudtrail: name one trace file or folder (got %d)", fs.NArg())
	}
	path := fs.Arg(0)
	res, err := importWork(e, *quiet, "import cloudtrail "+path, func(n *readCount) (*imp.Result, error) {
		res, err := imp.CloudTrail(path, imp.CloudTrailOptions{Options: imp.Options{Name: *name},
			Progress: func(records, bytes int64) { n.records.Store(records); n.bytes.Store(bytes) }})
		if err != nil {
			return nil, inputError(err)
		}
		return res, nil
	})
	if err != nil {
		return err
	}
	for _, u := range res.Unmapped {
		fmt.Fprintln(e.stderr, "import cloudtrail: could not map: "+u)
	}
	if err := e.files.input("an input file", path); err != nil {
		return err
	}
	return writeOutput(e, *out, res.Write)
}
