package report

import (
	"fmt"
	"io"
	"strings"
)

// MaxMarkdown is the most bytes (so at most as many characters) a Markdown
// report holds: GitHub refuses a pull request comment over 65,536
// characters, and a bot's own lines around the report need some room.
const MaxMarkdown = 60_000

// mdOpenRows is the most rows a Markdown table shows open; a longer one
// folds into <details>.
const mdOpenRows = 10

// mdRowCaps are the most rows each Markdown table shows, tried in turn
// until the report fits in MaxMarkdown.
var mdRowCaps = []int{maxHumanRows, 20, 10, 5, 0}

// An mdBlock is one part of a Markdown report: Markdown text, written as
// it is, or a table, which folds and is cut to fit.
type mdBlock struct {
	text  string
	table *docTable
	// level is the heading level of the table's title ("###" for 3).
	level int
}

func mdText(format string, args ...any) mdBlock { return mdBlock{text: fmt.Sprintf(format, args...)} }

func mdTableBlock(t docTable, level int) mdBlock { return mdBlock{table: &t, level: level} }

// writeMDBlocks writes blocks as one Markdown document of at most
// MaxMarkdown bytes. A table of more than mdOpenRows rows folds into
// <details> under its title; every table shows at most the first rows of
// the largest cap in mdRowCaps with which the document fits, and says
// where the rest is (rest: "`--format json`"). A document that does not fit
// even with no rows (user-supplied names of great length) is cut at a line
// and says so.
func writeMDBlocks(w io.Writer, blocks []mdBlock, rest string) error {
	var doc string
	for _, rows := range mdRowCaps {
		var b strings.Builder
		for _, bl := range blocks {
			if bl.table == nil {
				b.WriteString(bl.text)
				continue
			}
			writeMDTableBlock(&b, bl.table, bl.level, rows, rest)
		}
		if doc = b.String(); len(doc) <= MaxMarkdown {
			break
		}
	}
	if len(doc) > MaxMarkdown {
		doc = cutMarkdown(doc, rest)
	}
	_, err := io.WriteString(w, doc)
	return err
}

// cutMarkdown cuts doc at the last line that leaves room for the closing
// note, closes the <details> left open and says where the whole report
// is.
func cutMarkdown(doc, rest string) string {
	note := fmt.Sprintf("\n_The report is cut here, at GitHub's comment limit; the whole of it is in %s._\n", rest)
	room := MaxMarkdown - len(note) - 3*len("\n</details>\n")
	cut := doc[:room]
	if i := strings.LastIndexByte(cut, '\n'); i >= 0 {
		cut = cut[:i+1]
	}
	open := strings.Count(cut, "<details>") - strings.Count(cut, "</details>")
	for range min(max(open, 0), 3) {
		cut += "\n</details>\n"
	}
	return cut + note
}

// writeMDTableBlock writes t with at most rows rows, folded into <details>
// when it has more than mdOpenRows.
func writeMDTableBlock(b *strings.Builder, t *docTable, level, rows int, rest string) {
	n := len(t.Rows)
	fold := n > mdOpenRows
	title := mdEscape(t.Title)
	switch {
	case fold:
		if title == "" {
			title = "Table"
		}
		fmt.Fprintf(b, "\n<details><summary>%s (%s)</summary>\n\n", title, nouns(n, "row", "rows"))
	case title != "":
		fmt.Fprintf(b, "\n%s %s\n\n", strings.Repeat("#", level), title)
	default:
		b.WriteString("\n")
	}
	shown := *t
	shown.Rows = t.Rows[:min(n, rows)]
	ew := &errWriter{w: b}
	if len(shown.Rows) > 0 || n == 0 {
		writeMDTable(ew, &shown)
	}
	switch {
	case len(shown.Rows) == 0 && n > 0:
		fmt.Fprintf(b, "The %s are in %s.\n", nouns(n, "row is", "rows"), rest)
	case len(shown.Rows) < n:
		fmt.Fprintf(b, "\nThe first %s of %s are shown; all of them are in %s.\n", count(int64(len(shown.Rows))),
			count(int64(n)), rest)
	}
	if fold {
		b.WriteString("\n</details>\n")
	}
}
