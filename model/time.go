package model

import (
	"fmt"
	"math"
	"time"
)

// Time is simulated time: nanoseconds since the scenario's start.
type Time int64

// Never is a time later than any event; it marks "no further change".
const Never Time = math.MaxInt64

// Duration converts t to a time.Duration.
func (t Time) Duration() time.Duration { return time.Duration(t) }

// String formats t as a Go duration offset ("1h30m0s").
func (t Time) String() string {
	if t == Never {
		return "never"
	}
	return time.Duration(t).String()
}

// Pos is a position in a source file, carried with compiled policies,
// statements and shares so explanations can point back at the scenario.
// The zero Pos is unknown.
type Pos struct {
	File      string
	Line, Col int
}

// IsValid reports whether p carries a line number.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Before reports whether p sorts before q: by file, line, then column.
func (p Pos) Before(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// String formats p as file:line:col; an unknown position prints as "-".
func (p Pos) String() string {
	if !p.IsValid() {
		return "-"
	}
	col := p.Col
	if col < 1 {
		col = 1
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, col)
}

// Severity says whether a [PosError] fails a load or only informs.
type Severity uint8

const (
	// SeverityError, the zero value, makes the load fail.
	SeverityError Severity = iota
	// SeverityWarning is reported but does not make the load fail.
	SeverityWarning
)

// PosError is an input problem at a position: an error, or a warning when
// Severity is SeverityWarning. Load-time problems that the scenarios package
// reports as "file:line:col: message" (or "file:line:col: warning: message")
// are PosErrors.
type PosError struct {
	Pos      Pos
	Msg      string
	Severity Severity
}

// Error returns "file:line:col: message", or "file:line:col: warning:
// message" for a warning.
func (e *PosError) Error() string {
	if e.Severity == SeverityWarning {
		return e.Pos.String() + ": warning: " + e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// HasErrors reports whether errs holds at least one problem of
// SeverityError; nil entries are skipped.
func HasErrors(errs []*PosError) bool {
	for _, e := range errs {
		if e != nil && e.Severity == SeverityError {
			return true
		}
	}
	return false
}

// errorf returns a *PosError at pos.
func errorf(pos Pos, format string, args ...any) *PosError {
	return &PosError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}
