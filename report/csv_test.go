package report

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpreadsheetSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"research", "research"},
		{"=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
		{"+cmd", "'+cmd"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"-5", "-5"},     // a number stays a number
		{"+1.5", "+1.5"}, // so does a signed decimal
		{"-1e3", "-1e3"},
		{"a=b", "a=b"}, // only the first character counts
	} {
		assert.Equal(t, tc.want, spreadsheetSafe(tc.in), "%q", tc.in)
	}
}

// TestCSVWriterIsSpreadsheetSafe: an account named as a formula reaches the
// CSV as text, through the writer every table uses.
func TestCSVWriterIsSpreadsheetSafe(t *testing.T) {
	var b bytes.Buffer
	cw := newCSVWriter(&b)
	require.NoError(t, cw.Write([]string{"=1+1", "ok", "-7"}))
	cw.Flush()
	require.NoError(t, cw.Error())
	assert.Equal(t, "'=1+1,ok,-7\n", b.String())
}
