package input

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxQuoted is how many characters of a user's text a message quotes.
const MaxQuoted = 120

// Cut returns s cut to MaxQuoted characters, with "…" after the cut when
// it cut anything. A byte that is not valid UTF-8 counts as one character.
func Cut(s string) string {
	if len(s) <= MaxQuoted {
		return s
	}
	n := 0
	for i := range s {
		if n == MaxQuoted {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// Quote returns Cut(s) as a Go string literal, as %q writes it: how a
// message quotes a name, key or value the user wrote.
func Quote(s string) string { return strconv.Quote(Cut(s)) }

// CutArgs returns the arguments of a message's format with each string,
// error and fmt.Stringer replaced by Cut of its text: for messages that
// write names, IDs and errors from an input with %s or %v.
func CutArgs(args ...any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			a = Cut(v)
		case error:
			a = Cut(v.Error())
		case fmt.Stringer:
			a = Cut(v.String())
		}
		out[i] = a
	}
	return out
}

// CutQuoted returns msg with each Go string literal in it (what %q
// writes) that holds more than MaxQuoted characters replaced by Quote of
// its text. It bounds the messages of packages that quote user text with
// %q, whatever their length.
func CutQuoted(msg string) string {
	if len(msg) <= MaxQuoted+2 || !strings.Contains(msg, `"`) {
		return msg
	}
	var b strings.Builder
	for rest := msg; ; {
		i := strings.IndexByte(rest, '"')
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:i])
		rest = rest[i:]
		lit, err := strconv.QuotedPrefix(rest)
		if err != nil {
			b.WriteByte('"')
			rest = rest[1:]
			continue
		}
		rest = rest[len(lit):]
		if len(lit) > MaxQuoted+2 {
			if s, err := strconv.Unquote(lit); err == nil && utf8.RuneCountInString(s) > MaxQuoted {
				lit = Quote(s)
			}
		}
		b.WriteString(lit)
	}
}
