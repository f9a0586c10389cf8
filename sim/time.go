package sim

import (
	"math"
	"time"

	"github.com/pipeshare/pipeshare/model"
)

// Time is simulated time: nanoseconds since the scenario's start. It is an
// alias of model.Time, so values pass between model and sim unconverted.
type Time = model.Time

// Never is a time later than any event ([model.Never], math.MaxInt64).
const Never = model.Never

// FromDuration returns d as a Time offset from the scenario's start.
func FromDuration(d time.Duration) Time { return Time(d) }

// fromFloat rounds ns (nanoseconds) to the nearest Time, clamped to
// [0, Never]. NaN gives 0.
func fromFloat(ns float64) Time {
	switch {
	case !(ns > 0): // also NaN
		return 0
	case ns >= math.MaxInt64: // float64(MaxInt64) rounds up to 2^63
		return Never
	}
	return Time(math.Round(ns))
}
