package main

import (
	"compress/gzip"
	"io"
	"strings"

	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/scenarios/cloudtrail"
	"github.com/spf13/pflag"
)

// callsFile is run --calls: every simulated call streamed as CloudTrail
// JSON Lines (gzip-compressed when the name ends in .gz) through the safe
// writer (output.go): into a temporary file beside the destination,
// renamed into place when the run ends.
type callsFile struct {
	out *outFile
	gz  *gzip.Writer
	cw  *cloudtrail.CallWriter
}

// openCalls opens the --calls output and attaches its writer to c's
// simulation as the call sink. path "" does nothing (nil).
func openCalls(e *env, path string, ownerCopies bool, c *scenarios.Compiled) (*callsFile, error) {
	if path == "" {
		return nil, nil
	}
	if path == "-" {
		return nil, usageErrorf("--calls: name a file (FILE.jsonl or FILE.jsonl.gz)")
	}
	out, err := e.files.create(e.ctx, "--calls", path)
	if err != nil {
		return nil, err
	}
	cf := &callsFile{out: out}
	var w io.Writer = out
	if strings.HasSuffix(path, ".gz") {
		cf.gz = gzip.NewWriter(out)
		w = cf.gz
	}
	cf.cw = cloudtrail.NewCallWriter(w, c.World, c.Scenario.Sim.Seed, cloudtrail.CallWriterOptions{OwnerCopies: ownerCopies})
	c.Sim.SetSink(cf.cw)
	return cf, nil
}

// finish flushes the calls and commits the output; on any error the
// temporary file is removed. A nil callsFile does nothing.
func (cf *callsFile) finish() error {
	if cf == nil {
		return nil
	}
	err := cf.cw.Flush()
	if cf.gz != nil {
		if cerr := cf.gz.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		cf.out.abort()
		return err
	}
	return cf.out.commit()
}

// abort removes the temporary file, unless finish committed it. A nil
// callsFile does nothing.
func (cf *callsFile) abort() {
	if cf != nil {
		cf.out.abort()
	}
}

// callsFlags are run's --calls and --owner-copies.
type callsFlags struct {
	path        *string
	ownerCopies *bool
}

func registerCallsFlags(fs *pflag.FlagSet) callsFlags {
	return callsFlags{
		path:        fs.String("calls", "", "stream every simulated call to `FILE` as CloudTrail JSON Lines (FILE.jsonl, or FILE.jsonl.gz for gzip), atomically"),
		ownerCopies: fs.Bool("owner-copies", false, "with --calls, also write the pipeline owner's copy of each cross-account call (one sharedEventID per pair)"),
	}
}

// check rejects --owner-copies without --calls and --calls with --replicas.
func (cf callsFlags) check(fs *pflag.FlagSet) error {
	if *cf.ownerCopies && *cf.path == "" {
		return usageErrorf("--owner-copies applies to --calls")
	}
	if *cf.path != "" && fs.Changed("replicas") {
		return usageErrorf("--calls writes one run's calls: it does not combine with --replicas")
	}
	return nil
}

// open starts run --calls on c (nil when --calls is not given).
func (cf callsFlags) open(e *env, c *scenarios.Compiled) (*callsFile, error) {
	return openCalls(e, *cf.path, *cf.ownerCopies, c)
}
