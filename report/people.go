package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/pipeshare/pipeshare/internal/words"
	"github.com/pipeshare/pipeshare/model"
)

// The numbers of the reports for people (text, Markdown, HTML): money as
// "$1,128.12", counts as "17,257", durations in days. JSON and CSV keep
// exact numbers (see money and fixed).

// ForPeople reports whether format is one of the reports for people (text,
// md, html), the only ones with a headline: a command computes what only
// the headline needs (the findings of diff, the summary of check) for
// these alone.
func ForPeople(format string) bool {
	return format == "text" || format == "md" || format == "html"
}

// dollars formats v as "$1,128.12", rounded to the cent ("-$3.50" below 0;
// never "-$0.00").
func dollars(v float64) string {
	cents := math.Round(v * 100)
	sign := ""
	if cents < 0 {
		sign = "-"
	}
	return sign + "$" + digits(math.Abs(cents)/100, 2) // never -0
}

// signedDollars formats a difference with its sign: "+$3.50", "-$3.50",
// "$0.00".
func signedDollars(v float64) string {
	s := dollars(v)
	if s != "$0.00" && !strings.HasPrefix(s, "-") {
		return "+" + s
	}
	return s
}

// count formats n with thousands separators: "17,257".
func count(n int64) string {
	if n < 0 {
		return "-" + groupDigits(strconv.FormatInt(-n, 10))
	}
	return groupDigits(strconv.FormatInt(n, 10))
}

// signedCount formats a count difference with its sign: "+1,641", "-3", "0".
func signedCount(n int64) string {
	if n > 0 {
		return "+" + count(n)
	}
	return count(n)
}

// groupDigits puts a comma between groups of three digits of a run of
// digits.
func groupDigits(digits string) string {
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// nouns returns "1 principal" or "3 principals".
func nouns(n int, one, many string) string {
	return count(int64(n)) + " " + words.Plural(n, one, many)
}

// digitsNoun is n, its digits ungrouped, and its noun: "1 file", "12
// records" (where grouping would change what a report already prints).
func digitsNoun(n int64, one, many string) string {
	return strconv.FormatInt(n, 10) + " " + words.Plural(int(n), one, many)
}

// days formats a simulated span in days ("30 days", "1 day", "2.5 days"),
// or hours below a day ("12 hours", "1.5 hours").
func days(t model.Time) string {
	n, unit := float64(t)/float64(day), "day"
	if n < 1 {
		n, unit = float64(t)/float64(hourNs), "hour"
	}
	s := strings.TrimSuffix(strconv.FormatFloat(n, 'f', 1, 64), ".0")
	if s != "1" {
		unit += "s"
	}
	return s + " " + unit
}

// when formats an offset from the start as the headline says it: "day 10"
// on a whole day, "hour 36" on a whole hour, else "36h30m0s".
func when(t model.Time) string {
	switch {
	case t%day == 0:
		return fmt.Sprintf("day %d", t/day)
	case t%hourNs == 0:
		return fmt.Sprintf("hour %d", t/hourNs)
	}
	return t.String()
}

const (
	hourNs = model.Time(3600e9)
	day    = 24 * hourNs
)

// list joins up to three names, then says how many more: "a, b, c and 4
// more".
func list(names []string) string {
	if len(names) <= 3 {
		switch len(names) {
		case 0:
			return ""
		case 1:
			return names[0]
		}
		return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	return strings.Join(names[:3], ", ") + fmt.Sprintf(" and %d more", len(names)-3)
}
