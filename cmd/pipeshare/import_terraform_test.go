package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const tfPlans = "../../scenarios/testdata/real/terraform/"

// TestImportTerraformGolden imports the realistic plan, compares the YAML
// and stderr with golden files, and validates the written file.
func TestImportTerraformGolden(t *testing.T) {
	code, stdout, stderr := pipeshare(t, "", "import", "terraform", tfPlans+"org-ram-pipelines.json")
	require.Equal(t, 0, code, stderr)
	golden(t, "import-terraform-org-ram-pipelines.yaml", stdout)
	golden(t, "import-terraform-org-ram-pipelines.stderr", stderr)

	out := filepath.Join(t.TempDir(), "imported.yaml")
	code, stdout, stderr = pipeshare(t, "", "import", "terraform", tfPlans+"org-ram-pipelines.json",
		"--out", out, "--name", "org", "--start", "2026-02-01T00:00:00Z", "--duration", "7d", "--owner", "111111111111")
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stdout)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(data), "\nname: org\n")
	assert.Contains(t, string(data), "\nstart: \"2026-02-01T00:00:00Z\"\nduration: 7d\n")
	assert.Contains(t, string(data), "  - name: churn-training\n    account: \"111111111111\"\n")
	code, _, stderr = pipeshare(t, "", "validate", out)
	assert.Equal(t, 0, code, stderr)

	// Stdin.
	plan, err := os.ReadFile(tfPlans + "org-ram-pipelines.json")
	require.NoError(t, err)
	code, stdout, _ = pipeshare(t, string(plan), "import", "terraform", "-", "--name", "org-ram-pipelines")
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, "ram_sharing: enabled")
}

func TestImportTerraformErrors(t *testing.T) {
	code, stdout, stderr := pipeshare(t, "", "import", "terraform", tfPlans+"unknown-reference.json")
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Regexp(t, regexp.MustCompile(`^\.\./\.\./scenarios/testdata/real/terraform/unknown-reference\.json:\d+:\d+: `+
		`aws_ram_principal_association\.partner: resource_share_arn refers to aws_ram_resource_share\.report, which is not in the plan\n$`), stderr)

	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("{\n  \"format_version\": \"1.2\",\n  \"planned_values\": {\"root_module\": [}\n}\n"), 0o644))
	code, stdout, stderr = pipeshare(t, "", "import", "terraform", bad)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Equal(t, bad+":3:38: invalid JSON: invalid character '}' looking for beginning of value\n", stderr)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "pipeshare import terraform: name one plan file (got 0; see pipeshare import terraform --help)\n"},
		{[]string{"nope.json"}, "nope.json:1:1: no such file or directory\n"},
		{[]string{"p.json", "--start", "yesterday"}, "--start must be an RFC 3339 time such as 2026-01-05T00:00:00Z, not \"yesterday\"\n"},
		{[]string{"p.json", "--duration", "-1h"}, "--duration must be a positive duration such as 30d or 72h, not \"-1h\"\n"},
		{[]string{"p.json", "--owner", "12"}, "--owner must be a 12-digit account ID, not \"12\"\n"},
	} {
		code, _, stderr := pipeshare(t, "", append([]string{"import", "terraform"}, tc.args...)...)
		assert.Equal(t, 2, code, tc.args)
		assert.Equal(t, tc.want, stderr, tc.args)
	}
}

func TestImportTerraformHelp(t *testing.T) {
	code, stdout, _ := pipeshare(t, "", "import", "terraform", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "pipeshare import terraform PLAN.json [flags]")
	assert.Contains(t, stdout, "--owner ACCOUNT")
	code, stdout, _ = pipeshare(t, "", "import", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "terraform")
}
