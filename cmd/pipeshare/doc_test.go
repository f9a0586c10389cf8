package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	return string(b)
}

// TestReadmeScenarioIsValid compiles the README's scenario format reference,
// so the documented example is a working scenario.
func TestReadmeScenarioIsValid(t *testing.T) {
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(readme(t), -1)
	require.NotEmpty(t, blocks)
	sc, err := scenarios.Parse("README.md", []byte(blocks[0][1]), scenarios.LoadOptions{})
	require.NoError(t, err)
	c, err := scenarios.Compile(sc)
	require.NoError(t, err)
	assert.Empty(t, c.Warnings)
}

// TestReadmeTranscripts runs every "$ pipeshare ..." command of the README's
// console blocks from the repository root and checks that the lines shown
// appear in the real output, in order ("..." elides lines).
func TestReadmeTranscripts(t *testing.T) {
	doc := readme(t)
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir("../.."))
	t.Cleanup(func() { os.Chdir(wd) })

	blocks := regexp.MustCompile("(?s)```console\n(.*?)```").FindAllStringSubmatch(doc, -1)
	require.NotEmpty(t, blocks)
	n := 0
	for _, b := range blocks {
		lines := strings.Split(strings.TrimRight(b[1], "\n"), "\n")
		for i := 0; i < len(lines); i++ {
			cmd, ok := strings.CutPrefix(lines[i], "$ pipeshare ")
			if !ok {
				continue
			}
			for strings.HasSuffix(cmd, "\\") && i+1 < len(lines) {
				i++
				cmd = strings.TrimSuffix(cmd, "\\") + " " + strings.TrimSpace(lines[i])
			}
			var want []string
			for i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "$ ") {
				i++
				want = append(want, lines[i])
			}
			n++
			t.Run(cmd, func(t *testing.T) {
				_, stdout, stderr := pipeshare(t, "", strings.Fields(cmd)...)
				got := strings.Split(stdout+stderr, "\n")
				j := 0
				for _, w := range want {
					if strings.TrimSpace(w) == "..." {
						continue
					}
					for j < len(got) && strings.TrimRight(got[j], " ") != strings.TrimRight(w, " ") {
						j++
					}
					if !assert.Less(t, j, len(got), "README line not found in order:\n%s\n\noutput:\n%s", w, stdout+stderr) {
						return
					}
					j++
				}
			})
		}
	}
	assert.GreaterOrEqual(t, n, 4)
}
