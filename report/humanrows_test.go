package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
)

func TestHumanRows(t *testing.T) {
	idx, more := humanRows(3, func(i int) float64 { return float64(i) })
	assert.Equal(t, []int{0, 1, 2}, idx, "short tables keep their order")
	assert.Zero(t, more)

	n := maxHumanRows + 7
	key := func(i int) float64 { return float64(i % 10) } // ties: table order
	idx, more = humanRows(n, key)
	require.Len(t, idx, maxHumanRows)
	assert.Equal(t, 7, more)
	assert.Equal(t, []int{9, 19, 29, 39, 49, 8, 18}, idx[:7], "largest first, ties in table order")
	for j := 1; j < len(idx); j++ {
		assert.GreaterOrEqual(t, key(idx[j-1]), key(idx[j]))
	}
}

// TestTextCapsLongTables: a run with more callers than maxHumanRows shows
// the busiest ones and says how many more JSON and CSV hold; the total
// row still counts everyone.
func TestTextCapsLongTables(t *testing.T) {
	s := &Summary{Meta: Meta{Scenario: "many"}, Duration: hour}
	n := maxHumanRows + 3
	for i := range n {
		c := Caller{Account: model.AccountID(fmt.Sprintf("%012d", 200000000000+i)), Principal: "root"}
		c.Calls.Total, c.Calls.Allowed = int64(i+1), int64(i+1)
		s.Callers = append(s.Callers, c)
		s.Calls.Total += int64(i + 1)
	}
	var buf bytes.Buffer
	require.NoError(t, RunView{Summary: s}.Render(&buf, "text"))
	out := buf.String()
	assert.Contains(t, out, fmt.Sprintf("200000000%03d", n-1), "the busiest caller is shown")
	assert.NotContains(t, out, "200000000000 ", "the quietest is left out")
	assert.Contains(t, out, "the 50 callers with the most calls are shown; 3 more are in --format json or csv")
	assert.Equal(t, maxHumanRows, strings.Count(out, "  root  "))
}
