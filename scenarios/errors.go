package scenarios

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pipeshare/pipeshare/internal/input"
	"github.com/pipeshare/pipeshare/internal/words"
	"github.com/pipeshare/pipeshare/model"
)

// Diagnostic is one problem found in a scenario: an error, or a warning that
// does not make the load fail.
type Diagnostic struct {
	Pos      model.Pos
	Msg      string
	Severity model.Severity
}

// Warning reports whether d is a warning.
func (d Diagnostic) Warning() bool { return d.Severity == model.SeverityWarning }

// String formats d as "file:line:col: message", or
// "file:line:col: warning: message" for a warning, as [model.PosError] does.
func (d Diagnostic) String() string {
	return (&model.PosError{Pos: d.Pos, Msg: d.Msg, Severity: d.Severity}).Error()
}

// Error implements error; it is d.String().
func (d Diagnostic) Error() string { return d.String() }

// ErrorList is a list of diagnostics, shaped like go/scanner.ErrorList. The
// zero ErrorList is empty and ready to use. An ErrorList is an error only
// through [ErrorList.Err], which is nil when the list holds warnings only.
type ErrorList []Diagnostic

// Add appends an error at pos.
//
// Add, Warn and AddPosError cut each quoted string of msg (user text
// quoted with %q, here or in model, sim and pipelinedef) to
// input.MaxQuoted characters, so that no message echoes a huge name.
func (l *ErrorList) Add(pos model.Pos, msg string) {
	*l = append(*l, Diagnostic{Pos: pos, Msg: input.CutQuoted(msg)})
}

// Warn appends a warning at pos.
func (l *ErrorList) Warn(pos model.Pos, msg string) {
	*l = append(*l, Diagnostic{Pos: pos, Msg: input.CutQuoted(msg), Severity: model.SeverityWarning})
}

// AddPosError appends e, a warning when e.Severity is
// model.SeverityWarning, else an error. A nil e is ignored.
func (l *ErrorList) AddPosError(e *model.PosError) {
	if e == nil {
		return
	}
	*l = append(*l, Diagnostic{Pos: e.Pos, Msg: input.CutQuoted(e.Msg), Severity: e.Severity})
}

// AddPosErrors appends errs, as returned by model.NewWorld and sim.New, each
// with its severity.
func (l *ErrorList) AddPosErrors(errs []*model.PosError) {
	for _, e := range errs {
		l.AddPosError(e)
	}
}

// Len, Swap and Less implement sort.Interface: by file, line and column;
// equal positions keep the order they were added in when sorted with
// [ErrorList.Sort].
func (l ErrorList) Len() int           { return len(l) }
func (l ErrorList) Swap(i, j int)      { l[i], l[j] = l[j], l[i] }
func (l ErrorList) Less(i, j int) bool { return l[i].Pos.Before(l[j].Pos) }

// Sort sorts l by position, stably.
func (l ErrorList) Sort() { sort.Stable(l) }

// RemoveMultiples sorts l and drops repeated diagnostics (same position and
// message), such as one error reported for each account an id_from entry
// expands to.
func (l *ErrorList) RemoveMultiples() {
	l.Sort()
	out := (*l)[:0]
	for i, d := range *l {
		if i > 0 && d == (*l)[i-1] {
			continue
		}
		out = append(out, d)
	}
	*l = out
}

// maxPerPosition bounds the errors reported at one position: the copies of
// a count template share their fields' positions, and a mistake in a
// template (count: 5000 shares of pipelines train-%d when there are 2000)
// would otherwise print one line per copy.
const maxPerPosition = 3

// CapPerPosition keeps, in a sorted list, the first maxPerPosition errors at
// each position and replaces the rest by one error counting them.
func (l *ErrorList) CapPerPosition() {
	out := (*l)[:0]
	for i := 0; i < len(*l); {
		pos := (*l)[i].Pos
		j, errs := i, 0
		for j < len(*l) && (*l)[j].Pos == pos {
			j++
		}
		more := 0
		for _, d := range (*l)[i:j] {
			if d.Warning() {
				out = append(out, d)
				continue
			}
			if errs++; errs <= maxPerPosition {
				out = append(out, d)
			} else {
				more++
			}
		}
		if more > 0 {
			out = append(out, Diagnostic{Pos: pos,
				Msg: fmt.Sprintf("and %d more %s here (one per copy of a count template)", more, words.Plural(more, "error", "errors"))})
		}
		i = j
	}
	*l = out
}

// HasErrors reports whether l holds at least one error (not a warning).
func (l ErrorList) HasErrors() bool {
	for i := range l {
		if !l[i].Warning() {
			return true
		}
	}
	return false
}

// Warnings returns the warnings of l, in order, in a new list (nil if none).
func (l ErrorList) Warnings() ErrorList {
	var out ErrorList
	for _, d := range l {
		if d.Warning() {
			out = append(out, d)
		}
	}
	return out
}

// Err returns l as an error when it holds at least one error, else nil
// (warnings alone are not an error).
func (l ErrorList) Err() error {
	if !l.HasErrors() {
		return nil
	}
	return l
}

// Error returns the first error and how many more there are, in the style of
// go/scanner.ErrorList: "f.yaml:3:7: message (and 2 more errors)". Use
// [PrintError] or [ErrorList.String] to print every entry.
func (l ErrorList) Error() string {
	first, n := -1, 0
	for i := range l {
		if !l[i].Warning() {
			if first < 0 {
				first = i
			}
			n++
		}
	}
	switch {
	case len(l) == 0:
		return "no errors"
	case first < 0:
		return l[0].String()
	case n == 1:
		return l[first].String()
	case n == 2:
		return l[first].String() + " (and 1 more error)"
	}
	return fmt.Sprintf("%s (and %d more errors)", l[first], n-1)
}

// String returns every diagnostic, one per line, each ending in a newline.
func (l ErrorList) String() string {
	var b strings.Builder
	for _, d := range l {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// PrintError writes err to w: one line per diagnostic when err is (or wraps)
// an ErrorList, else err.Error() on one line. A nil err writes nothing.
func PrintError(w io.Writer, err error) {
	if err == nil {
		return
	}
	var l ErrorList
	if errors.As(err, &l) {
		io.WriteString(w, l.String())
		return
	}
	fmt.Fprintln(w, err)
}
