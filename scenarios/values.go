package scenarios

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/pipeshare/pipeshare/model"
)

// Day is the unit "d" of scenario durations: 24 hours.
const Day = 24 * time.Hour

// unitNs holds the duration units: Go's plus "d".
var unitNs = map[string]uint64{
	"ns": uint64(time.Nanosecond),
	"us": uint64(time.Microsecond),
	"µs": uint64(time.Microsecond), // U+00B5
	"μs": uint64(time.Microsecond), // U+03BC
	"ms": uint64(time.Millisecond),
	"s":  uint64(time.Second),
	"m":  uint64(time.Minute),
	"h":  uint64(time.Hour),
	"d":  uint64(Day),
}

var errOverflow = errors.New("overflows")

// ParseDuration parses a scenario duration: Go's syntax (time.ParseDuration)
// plus the unit "d" (24h) wherever a unit may appear ("90s", "1d12h",
// "1.5d", "30d"), or "0". A number without a unit, a negative duration or
// one that overflows int64 nanoseconds is an error. Fractions are exact to
// the nanosecond, rounded down as time.ParseDuration does.
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	if s == "0" || s == "+0" {
		return 0, nil
	}
	if s == "" {
		return 0, errors.New("empty duration")
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, fmt.Errorf("invalid duration %q", orig)
	}
	var total uint64
	for s != "" {
		// The number: digits, optionally a fraction.
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		intPart := s[:i]
		s = s[i:]
		fracPart := ""
		if s != "" && s[0] == '.' {
			s = s[1:]
			j := 0
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			fracPart = s[:j]
			s = s[j:]
		}
		if intPart == "" && fracPart == "" {
			return 0, fmt.Errorf("invalid duration %q", orig)
		}
		// The unit: everything up to the next digit or '.'.
		j := 0
		for j < len(s) && s[j] != '.' && (s[j] < '0' || s[j] > '9') {
			j++
		}
		u := s[:j]
		s = s[j:]
		if u == "" {
			return 0, fmt.Errorf("duration %q needs a unit (ns, us, ms, s, m, h or d)", orig)
		}
		unit, ok := unitNs[u]
		if !ok {
			return 0, fmt.Errorf("invalid duration %q: unknown unit %q (use ns, us, ms, s, m, h or d)", orig, u)
		}
		v, err := durationPart(intPart, fracPart, unit)
		if err != nil {
			return 0, fmt.Errorf("duration %q overflows (the limit is about 106751d)", orig)
		}
		total += v
		if total > math.MaxInt64 {
			return 0, fmt.Errorf("duration %q overflows (the limit is about 106751d)", orig)
		}
	}
	if neg && total != 0 {
		return 0, fmt.Errorf("duration %q is negative", orig)
	}
	return time.Duration(total), nil
}

// durationPart returns (intPart.fracPart) × unit nanoseconds, rounded down,
// or errOverflow past MaxInt64.
func durationPart(intPart, fracPart string, unit uint64) (uint64, error) {
	var v uint64
	for _, c := range []byte(intPart) {
		if v > (math.MaxInt64-uint64(c-'0'))/10 {
			return 0, errOverflow
		}
		v = v*10 + uint64(c-'0')
	}
	if v > math.MaxInt64/unit {
		return 0, errOverflow
	}
	v *= unit
	// The fraction, exactly: digits × unit / 10^len, accumulated digit by
	// digit as time.ParseDuration does (scale stays within uint64).
	if fracPart != "" {
		var f, scale uint64 = 0, 1
		for _, c := range []byte(fracPart) {
			if scale > math.MaxInt64/10 {
				break // further digits are below a nanosecond
			}
			f = f*10 + uint64(c-'0')
			scale *= 10
		}
		frac := float64(f) * (float64(unit) / float64(scale))
		v += uint64(frac)
		if v > math.MaxInt64 {
			return 0, errOverflow
		}
	}
	return v, nil
}

// ParseRate parses a scenario rate: "<float>/<unit>" with unit s, m
// (minute), h or d (or any duration unit: "1/ms"), or "<float>/<duration>"
// ("3/15m"). It returns calls per nanosecond. A bare number, a negative or
// non-finite count, or a zero period is an error.
func ParseRate(s string) (float64, error) {
	num, per, ok := strings.Cut(s, "/")
	if !ok {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return 0, fmt.Errorf("rate %s needs a unit: write %s/s, %s/m, %s/h or %s/d", s, s, s, s, s)
		}
		return 0, fmt.Errorf("invalid rate %q: want <number>/<unit> (4/h) or <number>/<duration> (3/15m)", s)
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || strings.TrimSpace(num) == "" {
		return 0, fmt.Errorf("invalid rate %q: %q is not a number", s, num)
	}
	if math.IsNaN(n) || math.IsInf(n, 0) || n < 0 {
		return 0, fmt.Errorf("invalid rate %q: the count must be a finite number >= 0", s)
	}
	per = strings.TrimSpace(per)
	if per != "" && (per[0] < '0' || per[0] > '9') && per[0] != '.' {
		per = "1" + per // "4/h" = 4 per 1h
	}
	d, err := ParseDuration(per)
	if err != nil {
		return 0, fmt.Errorf("invalid rate %q: %v", s, err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("invalid rate %q: the period must be positive", s)
	}
	return n / float64(d), nil
}

// ParseTime parses a scenario time: an RFC 3339 instant with any offset, or
// a duration offset from start. It returns the offset from start; before
// start is an error. A date-only value is an error with a hint. It does not
// check the end of the run.
func ParseTime(s string, start time.Time) (model.Time, error) {
	if looksLikeDate(s) {
		t, err := parseInstant(s)
		if err != nil {
			return 0, err
		}
		if t.Before(start) {
			return 0, fmt.Errorf("time %s is before start %s", s, start.UTC().Format(time.RFC3339Nano))
		}
		d := t.Sub(start)
		if d == math.MaxInt64 {
			return 0, fmt.Errorf("time %s is too far after start %s", s, start.UTC().Format(time.RFC3339Nano))
		}
		return model.Time(d), nil
	}
	d, err := ParseDuration(s)
	if err != nil {
		return 0, err
	}
	return model.Time(d), nil
}

// looksLikeDate reports whether s starts like a date: "dddd-".
func looksLikeDate(s string) bool {
	if len(s) < 5 || s[4] != '-' {
		return false
	}
	for i := range 4 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Limits of time.Time.UnixNano.
var (
	minInstant = time.Unix(0, math.MinInt64).UTC()
	maxInstant = time.Unix(0, math.MaxInt64).UTC()
)

// parseInstant parses an RFC 3339 instant, normalised to UTC, within the
// range of Unix nanoseconds (years 1677–2262).
func parseInstant(s string) (time.Time, error) {
	if len(s) == len("2006-01-02") {
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			return time.Time{}, fmt.Errorf("date-only time %s: write %sT00:00:00Z", s, s)
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid time %q: want RFC 3339 (2026-01-05T00:00:00Z) or a duration from start (3d)", s)
	}
	t = t.UTC()
	if t.Before(minInstant) || t.After(maxInstant) {
		return time.Time{}, fmt.Errorf("time %s is out of range (years 1678 to 2262)", s)
	}
	return t, nil
}

// formatDuration formats d compactly with days: 30d, 1d12h, 90m, 1.5s.
func formatDuration(d model.Time) string {
	if d == 0 {
		return "0"
	}
	days := int64(d) / int64(Day)
	rest := time.Duration(int64(d) % int64(Day))
	var b strings.Builder
	if days > 0 {
		b.WriteString(strconv.FormatInt(days, 10))
		b.WriteByte('d')
	}
	if rest > 0 {
		s := rest.String()
		// Trim zero components: "12h0m0s" → "12h", "1h30m0s" → "1h30m".
		if strings.HasSuffix(s, "m0s") {
			s = strings.TrimSuffix(s, "0s")
		}
		if strings.HasSuffix(s, "h0m") {
			s = strings.TrimSuffix(s, "0m")
		}
		b.WriteString(s)
	}
	return b.String()
}
