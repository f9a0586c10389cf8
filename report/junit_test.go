package report

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// junitXSD is the Jenkins xUnit plugin's JUnit schema, vendored from
// github.com/jenkinsci/xunit-plugin at 8c515de2 (src/main/resources/org/
// jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd, MIT).
var junitXSD = filepath.Join("testdata", "junit-10.xsd")

// xmllint validates file against the XSD schema and returns its output
// and whether it validated. Go has no XSD validator, so the test needs
// xmllint (Debian/Ubuntu: apt-get install libxml2-utils).
func xmllint(t *testing.T, schema, file string) (string, bool) {
	t.Helper()
	out, err := exec.Command("xmllint", "--noout", "--schema", schema, file).CombinedOutput()
	return string(out), err == nil
}

// TestJUnitMatchesXSD validates the JUnit this package writes for the
// test report and every JUnit golden of the CLI against junit-10.xsd, and
// checks the validation fails on a suite without its errors count.
func TestJUnitMatchesXSD(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not found: install libxml2-utils to validate JUnit output against junit-10.xsd")
	}
	dir := t.TempDir()
	var b bytes.Buffer
	require.NoError(t, sarifReport().Render(&b, "junit"))
	assert.Contains(t, b.String(), `<testsuite name="pipeshare check s" tests="4" failures="4" errors="0" skipped="0">`)
	mine := filepath.Join(dir, "report.xml")
	require.NoError(t, os.WriteFile(mine, b.Bytes(), 0o644))

	goldens, err := filepath.Glob(filepath.Join("..", "cmd", "pipeshare", "testdata", "golden", "*.xml"))
	require.NoError(t, err)
	require.NotEmpty(t, goldens)
	for _, f := range append(goldens, mine) {
		out, ok := xmllint(t, junitXSD, f)
		assert.True(t, ok, "%s: %s", f, out)
	}

	bad := filepath.Join(dir, "bad.xml")
	require.NoError(t, os.WriteFile(bad, bytes.Replace(b.Bytes(), []byte(` errors="0" skipped`), []byte(` skipped`), 1), 0o644))
	out, ok := xmllint(t, junitXSD, bad)
	assert.False(t, ok)
	assert.Contains(t, out, "The attribute 'errors' is required")
}
