package scenarios

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/pipeshare/pipeshare/model"
)

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{in: "0", want: 0},
		{in: "+0", want: 0},
		{in: "0s", want: 0},
		{in: "-0s", want: 0},
		{in: "90s", want: 90 * time.Second},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "1.5d", want: 36 * time.Hour},
		{in: "30d", want: 720 * time.Hour},
		{in: "2h45m30.5s", want: 2*time.Hour + 45*time.Minute + 30500*time.Millisecond},
		{in: "1h1d", want: 25 * time.Hour},
		{in: ".5h", want: 30 * time.Minute},
		{in: "1.h", want: time.Hour},
		{in: "100ms", want: 100 * time.Millisecond},
		{in: "3us", want: 3 * time.Microsecond},
		{in: "3µs", want: 3 * time.Microsecond},
		{in: "3μs", want: 3 * time.Microsecond},
		{in: "7ns", want: 7},
		{in: "0.1s", want: 100 * time.Millisecond},
		{in: "1.000000000000000000001s", want: time.Second},
		{in: "106751d", want: 106751 * Day},
		{in: "9223372036854775807ns", want: math.MaxInt64},
		{in: "9223372036854775808ns", err: `duration "9223372036854775808ns" overflows (the limit is about 106751d)`},
		{in: "106752d", err: `duration "106752d" overflows (the limit is about 106751d)`},
		{in: "106751d23h59m59s", err: `duration "106751d23h59m59s" overflows (the limit is about 106751d)`},
		{in: "99999999999999999999d", err: `duration "99999999999999999999d" overflows (the limit is about 106751d)`},
		{in: "-5m", err: `duration "-5m" is negative`},
		{in: "90", err: `duration "90" needs a unit (ns, us, ms, s, m, h or d)`},
		{in: "1.5", err: `duration "1.5" needs a unit (ns, us, ms, s, m, h or d)`},
		{in: "1d12", err: `duration "1d12" needs a unit (ns, us, ms, s, m, h or d)`},
		{in: "5x", err: `invalid duration "5x": unknown unit "x" (use ns, us, ms, s, m, h or d)`},
		{in: "1 d", err: `invalid duration "1 d": unknown unit " d" (use ns, us, ms, s, m, h or d)`},
		{in: "d", err: `invalid duration "d"`},
		{in: ".d", err: `invalid duration ".d"`},
		{in: "-", err: `invalid duration "-"`},
		{in: "", err: "empty duration"},
	} {
		got, err := ParseDuration(tc.in)
		if tc.err != "" {
			assert.EqualError(t, err, tc.err, tc.in)
			continue
		}
		if assert.NoError(t, err, tc.in) {
			assert.Equal(t, tc.want, got, tc.in)
		}
	}
}

func TestParseTime(t *testing.T) {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{in: "0", want: 0},
		{in: "3d", want: 72 * time.Hour},
		{in: "2026-01-05T00:00:00Z", want: 0},
		{in: "2026-01-05T10:30:00Z", want: 10*time.Hour + 30*time.Minute},
		{in: "2026-01-05T10:30:00+02:00", want: 8*time.Hour + 30*time.Minute},
		{in: "2026-01-04T20:00:00-05:00", want: 1 * time.Hour},
		{in: "2026-01-05T00:00:00.25Z", want: 250 * time.Millisecond},
		{in: "2027-01-05T00:00:00Z", want: 365 * Day}, // past the end: the caller warns
		{in: "2026-01-04T23:59:59Z", err: "time 2026-01-04T23:59:59Z is before start 2026-01-05T00:00:00Z"},
		{in: "2026-01-05T01:00:00+02:00", err: "time 2026-01-05T01:00:00+02:00 is before start 2026-01-05T00:00:00Z"},
		{in: "2026-01-05", err: "date-only time 2026-01-05: write 2026-01-05T00:00:00Z"},
		{in: "2026-01-05 10:00:00", err: `invalid time "2026-01-05 10:00:00": want RFC 3339 (2026-01-05T00:00:00Z) or a duration from start (3d)`},
		{in: "2026-13-05T00:00:00Z", err: `invalid time "2026-13-05T00:00:00Z": want RFC 3339 (2026-01-05T00:00:00Z) or a duration from start (3d)`},
		{in: "9999-01-01T00:00:00Z", err: "time 9999-01-01T00:00:00Z is out of range (years 1678 to 2262)"},
		{in: "-1h", err: `duration "-1h" is negative`},
		{in: "tomorrow", err: `invalid duration "tomorrow"`},
	} {
		got, err := ParseTime(tc.in, start)
		if tc.err != "" {
			assert.EqualError(t, err, tc.err, tc.in)
			continue
		}
		if assert.NoError(t, err, tc.in) {
			assert.Equal(t, model.Time(tc.want), got, tc.in)
		}
	}
}

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in     string
		perSec float64
		err    string
	}{
		{in: "4/h", perSec: 4.0 / 3600},
		{in: "10/s", perSec: 10},
		{in: "1.5/m", perSec: 1.5 / 60},
		{in: "2/d", perSec: 2.0 / 86400},
		{in: "3/15m", perSec: 3.0 / 900},
		{in: "1/1d12h", perSec: 1.0 / (36 * 3600)},
		{in: "1000/ms", perSec: 1e6},
		{in: "0/h", perSec: 0}, // valid syntax; callers require > 0
		{in: "4 / h", perSec: 4.0 / 3600},
		{in: "1e3/d", perSec: 1000.0 / 86400},
		{in: "4", err: "rate 4 needs a unit: write 4/s, 4/m, 4/h or 4/d"},
		{in: "4.5", err: "rate 4.5 needs a unit: write 4.5/s, 4.5/m, 4.5/h or 4.5/d"},
		{in: "fast", err: `invalid rate "fast": want <number>/<unit> (4/h) or <number>/<duration> (3/15m)`},
		{in: "x/h", err: `invalid rate "x/h": "x" is not a number`},
		{in: "/h", err: `invalid rate "/h": "" is not a number`},
		{in: "-1/h", err: `invalid rate "-1/h": the count must be a finite number >= 0`},
		{in: "NaN/h", err: `invalid rate "NaN/h": the count must be a finite number >= 0`},
		{in: "Inf/h", err: `invalid rate "Inf/h": the count must be a finite number >= 0`},
		{in: "4/0s", err: `invalid rate "4/0s": the period must be positive`},
		{in: "4/", err: `invalid rate "4/": empty duration`},
		{in: "4/week", err: `invalid rate "4/week": invalid duration "1week": unknown unit "week" (use ns, us, ms, s, m, h or d)`},
		{in: "4/h/h", err: `invalid rate "4/h/h": invalid duration "1h/h": unknown unit "h/h" (use ns, us, ms, s, m, h or d)`},
	} {
		got, err := ParseRate(tc.in)
		if tc.err != "" {
			assert.EqualError(t, err, tc.err, tc.in)
			continue
		}
		if assert.NoError(t, err, tc.in) {
			assert.InEpsilon(t, tc.perSec+1e-300, got*1e9+1e-300, 1e-12, tc.in)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for in, want := range map[time.Duration]string{
		0: "0", 30 * Day: "30d", 36 * time.Hour: "1d12h", 90 * time.Minute: "1h30m",
		12 * time.Hour: "12h", 1500 * time.Millisecond: "1.5s", Day + time.Second: "1d1s",
	} {
		assert.Equal(t, want, formatDuration(model.Time(in)), in.String())
	}
}
