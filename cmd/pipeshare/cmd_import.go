package main

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pipeshare/pipeshare/scenarios"
	imp "github.com/pipeshare/pipeshare/scenarios/importer"
	"github.com/spf13/pflag"
)

// importer is one kind of "pipeshare import KIND": each importer file
// registers itself from its init() with registerImporter.
type importer struct {
	name    string // the KIND argument, e.g. "aws"
	usage   string // usage line after "pipeshare ", e.g. "import aws DIR [flags]"
	summary string // one line for "pipeshare import --help"
	run     func(e *env, args []string) error
}

var (
	importersMu sync.Mutex
	importers   = map[string]importer{}
)

// registerImporter adds an importer; it panics on an empty or duplicate
// name or a nil run, which is a programming error caught by any test.
func registerImporter(im importer) {
	importersMu.Lock()
	defer importersMu.Unlock()
	if im.name == "" || im.run == nil {
		panic("pipeshare: registerImporter: importer needs a name and a run function")
	}
	if _, dup := importers[im.name]; dup {
		panic(fmt.Sprintf("pipeshare: registerImporter: %q registered twice", im.name))
	}
	importers[im.name] = im
}

// registeredImporters returns the importers sorted by name.
func registeredImporters() []importer {
	importersMu.Lock()
	defer importersMu.Unlock()
	ims := make([]importer, 0, len(importers))
	for _, im := range importers {
		ims = append(ims, im)
	}
	sort.Slice(ims, func(i, j int) bool { return ims[i].name < ims[j].name })
	return ims
}

func importerNames() string {
	var names []string
	for _, im := range registeredImporters() {
		names = append(names, im.name)
	}
	if names == nil {
		return "none"
	}
	return strings.Join(names, ", ")
}

const importUsage = `Usage:
  pipeshare import KIND ARGS [flags]

Turns real inputs into a scenario file (YAML, format v1) that passes
pipeshare validate. What could not be mapped is listed in the file's header
comment and printed to stderr.

Kinds:
%s
See pipeshare import KIND --help for the arguments and flags of a kind.
`

func printImportUsage(e *env) {
	var b strings.Builder
	for _, im := range registeredImporters() {
		fmt.Fprintf(&b, "  %-12s  %s\n", im.name, im.summary)
	}
	fmt.Fprintf(e.stdout, importUsage, b.String())
}

func cmdImport(e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("pipeshare import: name a kind (kinds: %s; see pipeshare import --help)", importerNames())
	}
	switch args[0] {
	case "-h", "--help", "help":
		printImportUsage(e)
		return nil
	}
	importersMu.Lock()
	im, ok := importers[args[0]]
	importersMu.Unlock()
	if !ok {
		return usageErrorf("pipeshare import: unknown kind %q (kinds: %s; see pipeshare import --help)", args[0], importerNames())
	}
	return im.run(e, args[1:])
}

// importSpan is the --start and --duration of an importer's scenario.
type importSpan struct{ start, duration *string }

func registerImportSpan(fs *pflag.FlagSet) importSpan {
	return importSpan{
		start:    fs.String("start", scenarios.DefaultImportStart, "the scenario's start `TIME` (RFC 3339)"),
		duration: fs.String("duration", scenarios.DefaultImportDuration, "the scenario's `DURATION` (e.g. 30d)"),
	}
}

func (sp importSpan) check() error {
	if _, err := time.Parse(time.RFC3339, *sp.start); err != nil {
		return usageErrorf("--start must be an RFC 3339 time such as 2026-01-05T00:00:00Z, not %q", *sp.start)
	}
	if d, err := scenarios.ParseDuration(*sp.duration); err != nil || d <= 0 {
		return usageErrorf("--duration must be a positive duration such as 30d or 72h, not %q", *sp.duration)
	}
	return nil
}

// importWork runs work, an importer's reading and mapping, under the
// progress line of what it has read ("import KIND ARG  2.1 MiB read  3s":
// on a terminal, after a second, unless quiet), which ends before the
// importer prints what it could not map.
func importWork(e *env, quiet bool, what string, work func(n *readCount) (*imp.Result, error)) (*imp.Result, error) {
	var n readCount
	defer commandProgress(e, quiet).reading(what, &n)()
	return work(&n)
}
