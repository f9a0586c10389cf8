package report

import (
	"cmp"
	"fmt"
	"slices"
)

// maxHumanRows caps the long tables of the reports for people (text,
// Markdown, HTML): callers, waits by initiator and cost by payer, pipeline
// and initiator. Past it a table shows the rows with the largest value,
// largest first, and says how many it leaves out; totals still count
// every row, and JSON and CSV keep every row. (W1 has 1,000 cost rows by
// initiator, the scale scenario 25,010 callers.)
const maxHumanRows = 50

// humanRows returns the indexes of the rows of an n-row table to show: all
// of them in order when n ≤ maxHumanRows, else the maxHumanRows rows with
// the largest key (ties in table order), largest first. more is how many
// rows are left out.
func humanRows(n int, key func(i int) float64) (idx []int, more int) {
	idx = make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if n <= maxHumanRows {
		return idx, 0
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(key(b), key(a)) })
	return idx[:maxHumanRows], n - maxHumanRows
}

// moreRows is the line under a capped table: what it shows and where the
// rest is.
func moreRows(more int, what, by string) string {
	return fmt.Sprintf("the %d %s with the most %s are shown; %d more are in --format json or csv",
		maxHumanRows, what, by, more)
}
