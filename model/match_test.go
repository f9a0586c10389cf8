package model

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refMatch is the reference matcher: a direct recursive transcription of
// MatchWildcard's specification over characters (UTF-8 sequences, an
// invalid byte counting as one), memoized so that fuzzing stays fast.
func refMatch(pattern, s string, fold, arn bool) bool {
	p, t := chars(pattern), chars(s)
	memo := make(map[[2]int]bool)
	var rec func(i, j int) bool
	rec = func(i, j int) bool {
		key := [2]int{i, j}
		if v, ok := memo[key]; ok {
			return v
		}
		var r bool
		switch {
		case i == len(p):
			r = j == len(t)
		case p[i] == "*" && arn && i == len(p)-1:
			r = true // a trailing '*' takes everything, ':' included
		case p[i] == "*":
			// The '*' matches nothing, or one more character (not ':' with arn).
			r = rec(i+1, j) || j < len(t) && !(arn && t[j] == ":") && rec(i, j+1)
		case j == len(t):
			r = false
		case p[i] == "?":
			r = !(arn && t[j] == ":") && rec(i+1, j+1)
		default:
			r = (p[i] == t[j] || fold && len(p[i]) == 1 && len(t[j]) == 1 && lowerASCII(p[i][0]) == lowerASCII(t[j][0])) && rec(i+1, j+1)
		}
		memo[key] = r
		return r
	}
	return rec(0, 0)
}

func chars(s string) []string {
	var out []string
	for s != "" {
		_, n := utf8.DecodeRuneInString(s)
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

func TestMatchWildcard(t *testing.T) {
	const exec = "arn:aws:sagemaker:us-east-1:111111111111:pipeline/p1/execution/abc123"
	tests := []struct {
		pattern, s string
		fold, arn  bool
		want       bool
	}{
		{"", "", false, false, true},
		{"", "a", false, false, false},
		{"a", "", false, false, false},
		{"*", "", false, false, true},
		{"*", "anything:at/all", false, false, true},
		{"?", "", false, false, false},
		{"?", "x", false, false, true},
		{"?", "xy", false, false, false},
		{"a*c", "abbbc", false, false, true},
		{"a*c", "abbbd", false, false, false},
		{"a*b*c", "aXbYbZc", false, false, true},
		{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false, false},
		{"a?c", "abc", false, false, true},
		{"a?c", "ac", false, false, false},
		{"**", "x", false, false, true},
		{"*?", "", false, false, false},
		{"?*", "é", false, false, true},
		{"??", "é", false, false, false}, // one character, two bytes
		{"*?", "€", false, false, true},
		{"*??", "€", false, false, false}, // one character, three bytes
		{"*??", "a€", false, false, true},
		{"*€", "a€", false, false, true},
		{"*\xac", "€", false, false, false}, // an invalid byte is not part of a character
		{"\xc3?", "é", false, false, false}, // nor is part of a character an invalid byte
		{"\xc3\xa9", "é", false, false, true},
		{"é?", "éa", false, false, true},
		{"a\xffb", "a\xffb", false, false, true},
		{"a?b", "a\xffb", false, false, true},

		// Case folding is ASCII only.
		{"sagemaker:describe*", "sagemaker:DescribePipeline", true, false, true},
		{"sagemaker:describe*", "sagemaker:DescribePipeline", false, false, false},
		{"SAGEMAKER:*PIPELINE", "sagemaker:DescribePipeline", true, false, true},
		{"é", "É", true, false, false},

		// Without arn, '*' and '?' cross ':'.
		{"a*b", "a:b", false, false, true},
		{"a?b", "a:b", false, false, true},

		// With arn they stay within a segment...
		{"a*b", "a:b", false, true, false},
		{"a?b", "a:b", false, true, false},
		{"arn:aws:sagemaker:*:111111111111:pipeline/p1", "arn:aws:sagemaker:us-east-1:111111111111:pipeline/p1", false, true, true},
		{"arn:aws:sagemaker:*:pipeline/p1", "arn:aws:sagemaker:us-east-1:111111111111:pipeline/p1", false, true, false},
		{"arn:aws:sagemaker:us-east-1:*:pipeline/*", exec, false, true, true},
		{"arn:aws:sagemaker:*:*:pipeline/p1/execution/*", exec, false, true, true},
		{"arn:aws:sagemaker:*:*:pipeline/p1", exec, false, true, false},
		{"arn:aws:sagemaker:::pipeline/p1", "arn:aws:sagemaker:::pipeline/p1", false, true, true},
		{"arn:aws:sagemaker:?:x", "arn:aws:sagemaker::x", false, true, false},
		// ...except a trailing '*', which takes the rest, ':' included.
		{"arn:*", exec, false, true, true},
		{"arn:aws:*", exec, false, true, true},
		{"*", exec, false, true, true},
		{"a*", "a:b:c", false, true, true},
		{"a:*", "a:", false, true, true},
		{"a:*", "a", false, true, false},
		{"a*b*", "a:b", false, true, false}, // the inner '*' still cannot cross ':'
		{"a*b*", "ab:c", false, true, true},
		{"arn:aws:sagemaker:*:111111111111:pipeline/p1*", exec, false, true, true},
		{"arn:aws:sagemaker:*:111111111111:pipeline/P1*", exec, false, true, false},
		{"arn:aws:sagemaker:*:111111111111:pipeline/P1*", exec, true, true, true},
		{"*:", "a:b:", false, true, false},
		{"*:*:", "a:b:", false, true, true},
	}
	for _, tt := range tests {
		got := MatchWildcard(tt.pattern, tt.s, tt.fold, tt.arn)
		assert.Equal(t, tt.want, got, "MatchWildcard(%q, %q, fold=%v, arn=%v)", tt.pattern, tt.s, tt.fold, tt.arn)
		// The table also checks the reference, so the fuzz target's oracle is trusted.
		assert.Equal(t, tt.want, refMatch(tt.pattern, tt.s, tt.fold, tt.arn), "refMatch(%q, %q, fold=%v, arn=%v)", tt.pattern, tt.s, tt.fold, tt.arn)
	}
}

// TestMatchWildcardExhaustive compares MatchWildcard with the reference on
// every pattern and string up to small lengths over an alphabet that holds
// every special character.
func TestMatchWildcardExhaustive(t *testing.T) {
	t.Parallel()
	patAlpha := []string{"a", "A", ":", "*", "?"}
	strAlpha := []string{"a", "A", ":", "é", "€"} // 2- and 3-byte characters
	all := func(alpha []string, n int) []string {
		out := []string{""}
		prev := []string{""}
		for range n {
			var next []string
			for _, p := range prev {
				for _, c := range alpha {
					next = append(next, p+c)
				}
			}
			out = append(out, next...)
			prev = next
		}
		return out
	}
	maxLen := 4
	if testing.Short() {
		maxLen = 3
	}
	pats, strs := all(patAlpha, maxLen), all(strAlpha, maxLen)
	n := 0
	for _, p := range pats {
		for _, s := range strs {
			for _, mode := range [4][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				if want := refMatch(p, s, mode[0], mode[1]); MatchWildcard(p, s, mode[0], mode[1]) != want {
					t.Fatalf("MatchWildcard(%q, %q, fold=%v, arn=%v) = %v, reference says %v", p, s, mode[0], mode[1], !want, want)
				}
				n++
			}
		}
	}
	require.Equal(t, len(pats)*len(strs)*4, n)
}

func TestMatchWildcardDoesNotAllocate(t *testing.T) {
	const exec = "arn:aws:sagemaker:us-east-1:111111111111:pipeline/p1/execution/abc123"
	allocs := testing.AllocsPerRun(100, func() {
		MatchWildcard("arn:aws:sagemaker:*:111111111111:pipeline/p1/execution/*", exec, false, true)
		MatchWildcard("arn:aws:sagemaker:*:*:pipeline/p?*", exec, false, true)
		MatchWildcard("sagemaker:describe*", "sagemaker:DescribePipelineExecution", true, false)
		MatchWildcard("*é?x", "aaéaéax", false, false)
	})
	require.Zero(t, allocs)
}

// TestMatchWildcardLinear checks that a pathological pattern does not blow
// up: a naive backtracking matcher needs exponential time here.
func TestMatchWildcardLinear(t *testing.T) {
	s := strings.Repeat("a", 10_000)
	pat := strings.Repeat("*a", 50) + "b"
	require.False(t, MatchWildcard(pat, s, false, false))
	require.False(t, MatchWildcard(pat, s, false, true))
	require.True(t, MatchWildcard(strings.Repeat("*a", 50)+"*", s, false, true))
}

func FuzzMatchWildcard(f *testing.F) {
	f.Add("arn:aws:sagemaker:*:111111111111:pipeline/p1*", "arn:aws:sagemaker:us-east-1:111111111111:pipeline/p1/execution/x", false, true)
	f.Add("sagemaker:Describe*", "sagemaker:describepipeline", true, false)
	f.Add("a*b?c", "aXXb:c", false, false)
	f.Add("*:?*", "x:é:y", false, true)
	f.Add("é?*", "\xff\xfe", true, true)
	f.Fuzz(func(t *testing.T, pattern, s string, fold, arn bool) {
		if len(pattern) > 24 || len(s) > 48 {
			t.Skip()
		}
		if got, want := MatchWildcard(pattern, s, fold, arn), refMatch(pattern, s, fold, arn); got != want {
			t.Fatalf("MatchWildcard(%q, %q, fold=%v, arn=%v) = %v, reference says %v", pattern, s, fold, arn, got, want)
		}
	})
}

func BenchmarkMatchWildcard(b *testing.B) {
	const exec = "arn:aws:sagemaker:us-east-1:111111111111:pipeline/training-pipeline/execution/4wemqw2sucgh"
	cases := []struct {
		name, pattern, s string
		fold, arn        bool
	}{
		{"arn-exact", exec, exec, false, true},
		{"arn-wild", "arn:aws:sagemaker:*:111111111111:pipeline/training-*/execution/*", exec, false, true},
		{"arn-trailing", "arn:aws:sagemaker:us-east-1:111111111111:pipeline/*", exec, false, true},
		{"arn-miss", "arn:aws:sagemaker:*:222222222222:pipeline/*", exec, false, true},
		{"action-fold", "sagemaker:describe*", "sagemaker:DescribePipelineDefinitionForExecution", true, false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				MatchWildcard(c.pattern, c.s, c.fold, c.arn)
			}
		})
	}
}
