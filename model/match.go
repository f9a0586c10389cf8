package model

import (
	"strings"
	"unicode/utf8"
)

// MatchWildcard reports whether s matches pattern, in which '*' matches any
// run of characters and '?' any one character. With fold, ASCII case is
// ignored. With arn, '*' and '?' do not match ':', except that a '*' at the
// very end of pattern matches the rest of s. It does not allocate.
//
// A character is a UTF-8 sequence (an invalid byte counts as one
// character). There is no escaping: '*' and '?' are always wildcards.
//
// With arn, since no wildcard matches ':', every ':' of s must meet a literal
// ':' of pattern; so pattern and s are matched colon-separated segment by
// segment. Within a segment (or the whole string without arn) it uses the
// greedy two-pointer algorithm that backtracks only to the last '*', which
// is O(len(pattern)·len(s)) in the worst case and linear in practice.
func MatchWildcard(pattern, s string, fold, arn bool) bool {
	if !arn || !hasWildcard(pattern) {
		// Without wildcards, ':' can only meet ':': no segments needed.
		return matchSegment(pattern, s, fold)
	}
	trailingStar := len(pattern) > 0 && pattern[len(pattern)-1] == '*'
	for {
		pi := strings.IndexByte(pattern, ':')
		si := strings.IndexByte(s, ':')
		if pi < 0 {
			if trailingStar {
				// The final pattern segment ends with the trailing '*': it
				// must match a prefix of s's current segment (its other
				// wildcards cannot cross ':'), and the '*' takes the rest.
				if si >= 0 {
					s = s[:si]
				}
				return matchSegment(pattern, s, fold)
			}
			return si < 0 && matchSegment(pattern, s, fold)
		}
		if si < 0 || !matchSegment(pattern[:pi], s[:si], fold) {
			return false
		}
		pattern, s = pattern[pi+1:], s[si+1:]
	}
}

// matchSegment matches s against pattern with unrestricted '*' and '?'.
func matchSegment(p, s string, fold bool) bool {
	// Fast path: a literal pattern is an equality test.
	if !hasWildcard(p) {
		if fold {
			return len(p) == len(s) && equalFoldASCII(p, s)
		}
		return p == s
	}
	pi, si := 0, 0
	star, mark := -1, 0 // last '*' seen in p, and where in s its run ends
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '*':
				if pi == len(p)-1 {
					return true // a final '*' takes the rest
				}
				star, mark = pi, si
				pi++
				continue
			case c == '?':
				pi++
				si += charLen(s, si)
				continue
			case c < utf8.RuneSelf:
				if c == s[si] || fold && lowerASCII(c) == lowerASCII(s[si]) {
					pi++
					si++
					continue
				}
			default: // a multi-byte (or invalid) character: compare whole characters
				if n := charLen(p, pi); n == charLen(s, si) && p[pi:pi+n] == s[si:si+n] {
					pi += n
					si += n
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		// Let the last '*' take one more character and retry after it.
		mark += charLen(s, mark)
		pi, si = star+1, mark
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func hasWildcard(p string) bool {
	return strings.IndexByte(p, '*') >= 0 || strings.IndexByte(p, '?') >= 0
}

// charLen returns the length in bytes of the character starting at s[i].
func charLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// equalFoldASCII reports whether p and s, of equal length, are equal up to
// ASCII case.
func equalFoldASCII(p, s string) bool {
	for i := 0; i < len(p); i++ {
		if p[i] != s[i] && lowerASCII(p[i]) != lowerASCII(s[i]) {
			return false
		}
	}
	return true
}
