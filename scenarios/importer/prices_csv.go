package importer

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/internal/input"
	"github.com/pipeshare/pipeshare/internal/jsonpos"
	"github.com/pipeshare/pipeshare/model"
)

// The offer file's CSV: a few metadata rows ("FormatVersion","v1.0",
// "OfferCode","AmazonSageMaker", …), a header row that starts with "SKU",
// then a row per SKU, term and price dimension, with the product's
// attributes as columns ("Product Family", "Region Code", "Instance
// Name", "Component", "usageType", …; attrs.field says which).

// maxMetadataRows is how many rows may come before the header.
const maxMetadataRows = 20

// maxCSVLine bounds a line of the CSV, so that one line cannot take the
// memory a whole file would.
const maxCSVLine = 1 << 20

// csvColumns are the header's columns this reader uses: their indexes,
// -1 when absent.
type csvColumns struct {
	termType, unit, price, currency int
	attrs                           []csvAttr // in the header's order
}

// csvAttr is a column holding an attribute.
type csvAttr struct {
	col  int
	name string // normalized, as attrs.field takes it
}

// readCSV reads the offer file's CSV from br, which reads from pos.
func (o *offer) readCSV(pos *jsonpos.Reader, br *bufio.Reader) error {
	cr := csv.NewReader(&lineGuard{r: br})
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	at := func(line, col int, msg string) error {
		return &model.PosError{Pos: model.Pos{File: o.file, Line: line, Col: pos.Column(line, col)}, Msg: msg}
	}
	fail := func(field int, format string, args ...any) error {
		line, col := cr.FieldPos(field)
		return at(line, col, fmt.Sprintf(format, args...))
	}
	read := func() ([]string, error) {
		start := cr.InputOffset()
		pos.Forget(start)
		rec, err := cr.Read()
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			return nil, at(pe.Line, pe.Column, "invalid CSV: "+pe.Err.Error())
		case errors.Is(err, errLongLine):
			line, _ := pos.LineCol(start)
			return nil, at(line, 1, "a line longer than "+input.FormatSize(maxCSVLine)+": not an AWS Price List offer file")
		}
		return rec, err
	}
	var header []string
	for row := 0; header == nil; row++ {
		rec, err := read()
		if errors.Is(err, io.EOF) || err == nil && row == maxMetadataRows {
			line, _ := pos.LineCol(cr.InputOffset())
			if err == nil {
				line, _ = cr.FieldPos(0)
			}
			return at(line, 1, fmt.Sprintf("no header row (one that starts with \"SKU\") in the first %d rows: not an AWS Price List offer file", maxMetadataRows))
		}
		if err != nil {
			return err
		}
		switch {
		case rec[0] == "SKU":
			header = append([]string(nil), rec...)
		case len(rec) == 2 && rec[0] == "OfferCode":
			if o.code = rec[1]; o.code != offerCode {
				return fail(1, "OfferCode is %s: want the offer file of %s", input.Quote(o.code), offerCode)
			}
		case len(rec) == 2 && rec[0] == "Version":
			o.version = rec[1]
		case len(rec) == 2 && rec[0] == "Publication Date":
			o.published = rec[1]
		}
	}
	cols := csvColumns{termType: -1, unit: -1, price: -1, currency: -1}
	var a attrs
	for i, h := range header {
		switch n := normalize(h); n {
		case "termtype":
			cols.termType = i
		case "unit":
			cols.unit = i
		case "priceperunit":
			cols.price = i
		case "currency":
			cols.currency = i
		default:
			if a.field(n) != nil {
				cols.attrs = append(cols.attrs, csvAttr{i, n})
			}
		}
	}
	var missing []string
	for _, c := range []struct {
		name string
		ok   bool
	}{{"TermType", cols.termType >= 0}, {"Unit", cols.unit >= 0}, {"PricePerUnit", cols.price >= 0},
		{"Currency", cols.currency >= 0}, {"Product Family", has(cols.attrs, "productfamily")},
		{"Region Code", has(cols.attrs, "regioncode")}} {
		if !c.ok {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		return fail(0, "the header has no %s column", strings.Join(missing, ", no "))
	}
	for {
		rec, err := read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(rec) != len(header) {
			return fail(0, "a row of %d fields: the header has %d", len(rec), len(header))
		}
		if rec[cols.termType] != "OnDemand" || rec[cols.currency] != "USD" {
			continue
		}
		a = attrs{}
		for _, c := range cols.attrs {
			*a.field(c.name) = rec[c.col]
		}
		p, ok := o.product(&a)
		if !ok {
			continue
		}
		usd, ok := parseUSD(rec[cols.price])
		if !ok {
			return fail(cols.price, "%s", badPrice(rec[cols.price]))
		}
		o.price(p, rec[0], rec[cols.unit], usd)
	}
}

func has(attrs []csvAttr, name string) bool {
	return slices.ContainsFunc(attrs, func(a csvAttr) bool { return a.name == name })
}

// errLongLine is lineGuard's error.
var errLongLine = errors.New("line too long")

// lineGuard fails a read once a line is longer than maxCSVLine.
type lineGuard struct {
	r    io.Reader
	line int // bytes since the last newline
}

func (g *lineGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for _, c := range p[:n] {
		if c == '\n' {
			g.line = 0
		} else if g.line++; g.line > maxCSVLine {
			return 0, errLongLine
		}
	}
	return n, err
}
