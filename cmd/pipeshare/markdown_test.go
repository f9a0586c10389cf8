package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/report"
)

// TestMarkdownFitsAPullRequestComment renders the largest Markdown reports
// of the embedded scenarios (before the bound: w1's diff 162k characters,
// scale's diff 11M, scale's check 434k) and checks each fits in a pull
// request comment, with its long tables folded and cut. It runs w1 and
// scale for a simulated day each, about ten seconds: it runs with -long,
// as CI does.
func TestMarkdownFitsAPullRequestComment(t *testing.T) {
	if !*long {
		t.Skip("runs w1 and scale; -long runs it")
	}
	for _, args := range [][]string{
		{"diff", "w1", "w1", "--set", "duration=1d", "--set", "shares.w1-extended.permission=read-only"},
		{"diff", "scale", "scale", "--set", "duration=1d", "--set", "shares.train-%d-teams.permission=read-only"},
		{"check", "scale", "--set", "duration=1d", "--min-severity", "note"},
		{"run", "scale", "--set", "duration=1d"},
	} {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			code, md, stderr := pipeshare(t, "", append(args, "--format", "md")...)
			require.Contains(t, []int{0, 1}, code, stderr)
			assert.LessOrEqual(t, len(md), report.MaxMarkdown)
			assert.Equal(t, strings.Count(md, "<details>"), strings.Count(md, "</details>"))
			assert.Contains(t, md, "<details><summary>")
			assert.Regexp(t, "The first [0-9,]+ of [0-9,]+ are shown; all of them are in `--format json`", md)
		})
	}
}
