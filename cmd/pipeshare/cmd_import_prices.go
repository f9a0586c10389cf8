package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync/atomic"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios"
	imp "github.com/pipeshare/pipeshare/scenarios/importer"
)

func init() {
	registerImporter(importer{
		name:    "prices",
		usage:   "import prices FILE [--region R] [--out FILE] [--name N] [--start T] [--duration D] [--quiet]",
		summary: "the AWS Price List offer file of AmazonSageMaker (JSON or CSV) → the pricing: of one region, by component",
		run:     cmdImportPrices,
	})
}

const importPricesAbout = `Reads the AWS Price List offer file of AmazonSageMaker, in JSON or in CSV
(told apart by the first byte; "-" reads standard input), as a stream, and
writes a scenario whose pricing: block holds the on-demand USD per
instance-hour of every ML instance type of one region by component:
training (Training, Tuning and AutoML steps), processing (Processing,
ClarifyCheck, QualityCheck and other steps) and transform (Transform steps);
one number when the three are equal. Use it as a base (extends: FILE) or
copy its pricing: block. Other components (Hosting, Notebook, ...) and
product families are left out, and counted in the header comment and on
stderr. The file may be hundreds of MB: memory holds only the region's ML
instance SKUs (in JSON, products must come before terms, as AWS writes
them). A progress line shows on a terminal after a second.`

func cmdImportPrices(e *env, args []string) error {
	flags := newFlagSet(e, "import prices", "import prices FILE [flags]", importPricesAbout)
	region := flags.String("region", scenarios.DefaultRegion, "the `REGION` whose prices are read")
	out := flags.String("out", "", "write the scenario to `FILE` (atomically) instead of stdout")
	name := flags.String("name", "", "the scenario's `NAME` (default: sagemaker-prices-REGION)")
	span := registerImportSpan(flags)
	var maxInput int64
	registerMaxStream(flags, &maxInput)
	quiet := registerQuiet(flags)
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	in, err := newInputs(e, maxInput, "")
	if err != nil {
		return err
	}
	if flags.NArg() != 1 {
		return usageErrorf("pipeshare import prices: name one offer file (got %d; see pipeshare import prices --help)", flags.NArg())
	}
	if !scenarios.ValidRegion(*region) {
		return usageErrorf("--region must be an AWS region such as eu-west-1, not %q", *region)
	}
	if err := span.check(); err != nil {
		return err
	}
	path := flags.Arg(0)
	st, err := in.stream("an input file", path)
	if err != nil {
		return fileError(err)
	}
	defer st.Close()
	shown := path
	if path == "-" {
		shown = "<stdin>"
	}
	res, err := importWork(e, *quiet, "import prices "+shown, func(n *readCount) (*imp.Result, error) {
		res, err := imp.Prices(shown, countedReader{r: st, n: &n.bytes},
			imp.PricesOptions{Region: *region, Options: imp.Options{Name: *name, Start: *span.start, Duration: *span.duration}})
		if err != nil {
			if pe := (*model.PosError)(nil); errors.As(err, &pe) {
				return nil, inputError(err)
			}
			return nil, fileError(&fs.PathError{Op: "read", Path: shown, Err: err}) // too large, or unreadable
		}
		return res, nil
	})
	if err != nil {
		return err
	}
	for _, u := range res.Unmapped {
		fmt.Fprintln(e.stderr, "import prices: not mapped: "+u)
	}
	return writeOutput(e, *out, res.Write)
}

// countedReader adds the bytes read from r to n, for the progress line.
type countedReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countedReader) Read(b []byte) (int, error) {
	k, err := c.r.Read(b)
	c.n.Add(int64(k))
	return k, err
}
