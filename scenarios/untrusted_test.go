package scenarios

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/internal/input"
)

// A file that extends names is read only if it is a scenario: anything
// else is one error naming it, quoting nothing of it.
func TestExtendsNotAScenario(t *testing.T) {
	const secret = "TOP-SECRET"
	for _, tc := range []struct{ name, base, want string }{
		{"shadow", "root:$6$" + secret + ":19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n" + secret + ": x\n", "not a pipeshare scenario"},
		{"a mapping without version", "name: " + secret + "\n" + secret + ": 1\n", "not a pipeshare scenario"},
		{"duplicate keys", "a: " + secret + "\na: " + secret + "\n", "not a pipeshare scenario"},
		{"another version", "version: 2\n" + secret + ": 1\n", "not a pipeshare scenario"},
		{"version as a string", "version: \"1\"\n" + secret + ": 1\n", "not a pipeshare scenario"},
		{"a list", "- " + secret + "\n", "not a pipeshare scenario"},
		{"JSON", `{"` + secret + `": [1, 2]}`, "not a pipeshare scenario"},
		{"not YAML", secret + ": [\n  {\n", "not a pipeshare scenario"},
		{"binary", "\x7fELF\x00" + secret, "not a pipeshare scenario"},
		{"empty", "", "not a pipeshare scenario"},
		// A scenario with a mistake is one: its errors are reported.
		{"a scenario with a syntax error", "version: 1\nname: [\n", "d/b.yaml:2:1: did not find expected node content"},
		{"a scenario with an unknown key", "version: 1\nbogus: 1\n", `b.yaml:2:1: unknown key "bogus"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"d/b.yaml": {Data: []byte(tc.base)},
				"d/c.yaml": {Data: []byte("extends: b.yaml\nname: c\nstart: 2026-01-05T00:00:00Z\nduration: 1d\n")}}
			_, err := Load(fsys, "d/c.yaml", LoadOptions{})
			require.Error(t, err)
			got := err.(ErrorList).String()
			assert.Contains(t, got, tc.want)
			if strings.HasPrefix(tc.want, "not") {
				assert.Equal(t, "d/c.yaml:1:10: extends: d/b.yaml: not a pipeshare scenario (no version: 1)\n", got)
			}
			assert.NotContains(t, got, secret)
		})
	}
}

// Resolve: a file the reader refuses as outside the root is an error,
// unless the name is an embedded scenario's.
func TestResolveOutsideTheRoot(t *testing.T) {
	outside := func(name string) ([]byte, error) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: &input.OutsideError{Root: "/r"}}
	}
	name, _, embedded, err := Resolve("quickstart", "/elsewhere", outside)
	require.NoError(t, err)
	assert.True(t, embedded)
	assert.Equal(t, "quickstart.yaml", name)

	name, _, _, err = Resolve("../../etc/shadow", "/r/a", outside)
	assert.Equal(t, "/etc/shadow", name)
	var oe *input.OutsideError
	assert.ErrorAs(t, err, &oe)

	// Through extends: one line naming the path.
	_, err = Parse("/r/a/c.yaml", []byte("extends: ../../etc/shadow\n"), LoadOptions{ReadFile: outside})
	assert.Equal(t, "/r/a/c.yaml:1:10: extends: /etc/shadow: outside /r (files named in a scenario must be under the folder pipeshare started in, or under --root DIR)\n",
		err.(ErrorList).String())
	_, err = Parse("/r/a/c.yaml", []byte(hdr+"pipelines:\n  - {name: p, account: \"111111111111\", definition: ../x.json}\n"), LoadOptions{ReadFile: outside})
	assert.Contains(t, err.(ErrorList).String(), "/r/a/c.yaml:6:52: definition: /r/x.json: outside /r (")
}

// A huge name is quoted cut, whichever package writes the message.
func TestHugeNamesAreCut(t *testing.T) {
	q, _ := Builtin("quickstart")
	big := strings.Repeat("x", 1<<20)
	cut := `"` + strings.Repeat("x", 120) + `…"`
	for _, tc := range []struct{ name, old, new, want string }{
		{"region (scenarios)", "region: us-east-1", "region: " + big, "region " + cut},
		{"unknown key (scenarios)", "seed: 1", "seed: 1\n? " + big + "\n: 1", "unknown key " + cut},
		{"unknown share (model)", "share: churn-to-research", "share: " + big, "unknown share " + cut},
		{"unknown policy (model)", "scps: [deny-stop]", "scps: [" + big + "]", "unknown policy " + cut},
		{"unknown step (sim)", "depends_on: [Preprocess]", "depends_on: [" + big + "]", "unknown step " + cut},
		{"duration (values)", "duration: 45m", "duration: " + big, "invalid duration " + cut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(string(q), tc.old, tc.new, 1)
			require.NotEqual(t, string(q), src)
			sc, err := Parse("q.yaml", []byte(src), LoadOptions{})
			if err == nil {
				_, err = Compile(sc)
			}
			require.Error(t, err)
			got := err.(ErrorList).String()
			assert.Contains(t, got, tc.want)
			assert.Less(t, len(got), 2000)
		})
	}
}
