package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// table is a text table aligned with text/tabwriter: left-aligned text
// columns, right-aligned numeric ones, two spaces between columns and no
// trailing blanks.
type table struct {
	header  []string
	numeric []bool // per column
	rows    [][]string
}

func newTable(header ...string) *table {
	return &table{header: header, numeric: make([]bool, len(header))}
}

// num marks columns as numeric (right-aligned).
func (t *table) num(cols ...int) *table {
	for _, c := range cols {
		t.numeric[c] = true
	}
	return t
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// write renders the table, each line prefixed by indent.
func (t *table) write(w io.Writer, indent string) error {
	width := make([]int, len(t.header))
	for c, h := range t.header {
		width[c] = len(h)
	}
	for _, r := range t.rows {
		for c, cell := range r {
			width[c] = max(width[c], len(cell))
		}
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	line := func(cells []string) {
		tw.Write([]byte(indent))
		for c, cell := range cells {
			if c > 0 {
				tw.Write([]byte{'\t'})
			}
			if t.numeric[c] {
				cell = fmt.Sprintf("%*s", width[c], cell)
			}
			tw.Write([]byte(cell))
		}
		tw.Write([]byte{'\n'})
	}
	line(t.header)
	for _, r := range t.rows {
		line(r)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeTrimmed(w, buf.Bytes())
}

// writeTrimmed writes b with trailing blanks removed from every line.
func writeTrimmed(w io.Writer, b []byte) error {
	var out bytes.Buffer
	for len(b) > 0 {
		line, rest, found := bytes.Cut(b, []byte{'\n'})
		out.Write(bytes.TrimRight(line, " \t"))
		if found {
			out.WriteByte('\n')
		}
		b = rest
	}
	_, err := w.Write(out.Bytes())
	return err
}

// errWriter remembers the first write error so renderers can print freely
// and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

// pct formats n/total as a percentage with one decimal, "-" when total is 0.
func pct(n, total int64) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(total))
}

func itoa(n int64) string { return fmt.Sprint(n) }

// orDash returns s, or "-" when s is empty.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
