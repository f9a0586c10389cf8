package report

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pipeshare/pipeshare/model"
)

func TestDollars(t *testing.T) {
	for v, want := range map[float64]string{
		0: "$0.00", 1128.1212: "$1,128.12", 43200: "$43,200.00", 999.996: "$1,000.00",
		1234567.891: "$1,234,567.89", -3.5: "-$3.50", -0.001: "$0.00", 0.004: "$0.00", 12.346: "$12.35",
	} {
		assert.Equal(t, want, dollars(v), "%v", v)
	}
	assert.Equal(t, "+$2,191.78", signedDollars(2191.78))
	assert.Equal(t, "-$1,128.12", signedDollars(-1128.1212))
	assert.Equal(t, "$0.00", signedDollars(0.001))
}

func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 17257: "17,257",
		1234567: "1,234,567", -1641: "-1,641"} {
		assert.Equal(t, want, count(n))
	}
	assert.Equal(t, "+1,641", signedCount(1641))
	assert.Equal(t, "0", signedCount(0))
}

func TestDaysAndWhen(t *testing.T) {
	assert.Equal(t, "30 days", days(30*day))
	assert.Equal(t, "1 day", days(day))
	assert.Equal(t, "2.5 days", days(60*hourNs))
	assert.Equal(t, "12 hours", days(12*hourNs))
	assert.Equal(t, "1 hour", days(hourNs))
	assert.Equal(t, "day 10", when(10*day))
	assert.Equal(t, "hour 36", when(36*hourNs))
	assert.Equal(t, "1h30m0s", when(model.Time(90*60e9)))
}

func TestList(t *testing.T) {
	assert.Equal(t, "", list(nil))
	assert.Equal(t, "a", list([]string{"a"}))
	assert.Equal(t, "a and b", list([]string{"a", "b"}))
	assert.Equal(t, "a, b and c", list([]string{"a", "b", "c"}))
	assert.Equal(t, "a, b, c and 2 more", list([]string{"a", "b", "c", "d", "e"}))
}

func TestForPeople(t *testing.T) {
	for _, f := range []string{"text", "md", "html"} {
		assert.True(t, ForPeople(f), f)
	}
	for _, f := range []string{"json", "csv", "junit", "sarif"} {
		assert.False(t, ForPeople(f), f)
	}
}

func TestSpan(t *testing.T) {
	for _, tc := range []struct {
		a, b model.Time
		want string
	}{
		{0, 10 * day, "days 0–10"},
		{2 * hourNs, 5 * hourNs, "hours 2–5"},
		{90 * 60e9, 5 * hourNs, "1h30m0s to hour 5"},
	} {
		assert.Equal(t, tc.want, span(tc.a, tc.b))
	}
}

func TestDigitsNoun(t *testing.T) {
	assert.Equal(t, "1 file", digitsNoun(1, "file", "files"))
	assert.Equal(t, "0 files", digitsNoun(0, "file", "files"))
	assert.Equal(t, "500000 records", digitsNoun(500000, "record", "records"), "digits ungrouped, as the report printed them")
}
