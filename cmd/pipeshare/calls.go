package main

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/scenarios/cloudtrail"
	"github.com/spf13/pflag"
)

// callsFile is run --calls: every simulated call streamed as CloudTrail
// JSON Lines (gzip-compressed when the name ends in .gz) into a temp file
// beside the destination, renamed into place when the run ends.
type callsFile struct {
	path, tmp string
	f         *os.File
	gz        *gzip.Writer
	cw        *cloudtrail.CallWriter
}

// openCalls creates the temp file of run --calls and attaches its writer
// to c's simulation as the call sink. path "" does nothing (nil).
func openCalls(path string, ownerCopies bool, c *scenarios.Compiled) (*callsFile, error) {
	if path == "" {
		return nil, nil
	}
	if path == "-" {
		return nil, usageErrorf("--calls: name a file (FILE.jsonl or FILE.jsonl.gz)")
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, inputError(fmt.Errorf("--calls %s: %v", path, unwrapPathError(err)))
	}
	cf := &callsFile{path: path, tmp: f.Name(), f: f}
	if err := f.Chmod(0o644); err != nil {
		cf.abort()
		return nil, inputError(fmt.Errorf("--calls %s: %v", path, unwrapPathError(err)))
	}
	var w io.Writer = f
	if strings.HasSuffix(path, ".gz") {
		cf.gz = gzip.NewWriter(f)
		w = cf.gz
	}
	cf.cw = cloudtrail.NewCallWriter(w, c.World, c.Scenario.Sim.Seed, cloudtrail.CallWriterOptions{OwnerCopies: ownerCopies})
	c.Sim.SetSink(cf.cw)
	return cf, nil
}

// finish flushes and closes the temp file and renames it into place; on
// any error it removes the temp file. A nil callsFile does nothing.
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
	if cerr := cf.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(cf.tmp, cf.path)
	}
	if err != nil {
		os.Remove(cf.tmp)
		return inputError(fmt.Errorf("--calls %s: %v", cf.path, unwrapPathError(err)))
	}
	return nil
}

// abort removes the temp file. A nil callsFile does nothing.
func (cf *callsFile) abort() {
	if cf == nil {
		return
	}
	cf.f.Close()
	os.Remove(cf.tmp)
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
func (cf callsFlags) open(c *scenarios.Compiled) (*callsFile, error) {
	return openCalls(*cf.path, *cf.ownerCopies, c)
}
