package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mdRows(n, width int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("row-%d", i), strings.Repeat("x", width)}
	}
	return rows
}

func renderMD(t *testing.T, blocks ...mdBlock) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, writeMDBlocks(&b, blocks, "`--format json`"))
	return b.String()
}

func TestMarkdownTablesFoldAndFit(t *testing.T) {
	small := docTable{Title: "Small", Header: []string{"A", "B"}, Num: numCols(2), Rows: mdRows(3, 5)}
	long := docTable{Title: "Long", Header: []string{"A", "B"}, Num: numCols(2), Rows: mdRows(30, 5)}
	md := renderMD(t, mdText("# Title\n"), mdTableBlock(small, 3), mdTableBlock(long, 3))
	assert.Contains(t, md, "\n### Small\n\n| A | B |\n")
	assert.Contains(t, md, "\n<details><summary>Long (30 rows)</summary>\n\n| A | B |\n")
	assert.Contains(t, md, "| row-29 |", "a table that fits shows every row")
	assert.NotContains(t, md, "are shown")

	// 20,000 rows of 100 characters: 2 MB, cut to the rows that fit.
	huge := docTable{Title: "Huge", Header: []string{"A", "B"}, Num: numCols(2), Rows: mdRows(20_000, 100)}
	md = renderMD(t, mdText("# Title\n"), mdTableBlock(huge, 3), mdTableBlock(long, 3))
	assert.LessOrEqual(t, len(md), MaxMarkdown)
	assert.Contains(t, md, "The first 50 of 20,000 are shown; all of them are in `--format json`.\n")
	assert.Contains(t, md, "| row-29 |", "the other tables keep their rows")

	// Five huge tables of wide rows (50 rows of each would make 75,000
	// bytes): each shows fewer rows until the whole fits.
	wide := docTable{Title: "Wide", Header: []string{"A", "B"}, Num: numCols(2), Rows: mdRows(20_000, 300)}
	var blocks []mdBlock
	for range 5 {
		blocks = append(blocks, mdTableBlock(wide, 3))
	}
	md = renderMD(t, blocks...)
	assert.LessOrEqual(t, len(md), MaxMarkdown)
	assert.Equal(t, 5, strings.Count(md, "The first 20 of 20,000 are shown"))
}

func TestMarkdownCutAtTheLimit(t *testing.T) {
	// Text no row cap can shorten (a user-supplied name of great length).
	long := docTable{Title: "Long", Header: []string{"A", "B"}, Num: numCols(2), Rows: mdRows(30, 5)}
	md := renderMD(t, mdTableBlock(long, 3), mdText("%s\n", strings.Repeat("word ", 20_000)))
	assert.LessOrEqual(t, len(md), MaxMarkdown)
	assert.True(t, strings.HasSuffix(md, "_The report is cut here, at GitHub's comment limit; the whole of it is in `--format json`._\n"))
	assert.Equal(t, strings.Count(md, "<details>"), strings.Count(md, "</details>"))
	assert.Contains(t, md, "The 30 rows are in `--format json`.", "with no row left, the table says where its rows are")

	// Cut inside a folded table: its <details> is closed.
	md = cutMarkdown("<details><summary>x</summary>\n\n"+strings.Repeat("| a |\n", 20_000), "`--format json`")
	assert.LessOrEqual(t, len(md), MaxMarkdown)
	assert.Equal(t, 1, strings.Count(md, "</details>"))
}
