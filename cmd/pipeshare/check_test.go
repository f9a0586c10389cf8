package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/report"
	"github.com/pipeshare/pipeshare/scenarios"
)

type checkFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Subject  string `json:"subject"`
	Message  string `json:"message"`
	Location struct {
		File   string `json:"file"`
		Line   int    `json:"line"`
		Column int    `json:"column"`
	} `json:"location"`
	Waived bool `json:"waived"`
}

// checkJSON runs check --format json and returns the exit code and findings.
func checkJSON(t *testing.T, args ...string) (int, []checkFinding) {
	t.Helper()
	code, stdout, stderr := pipeshare(t, "", append([]string{"check", "--format", "json"}, args...)...)
	require.Contains(t, []int{0, 1}, code, stderr)
	var doc struct {
		Findings []checkFinding `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc), stdout)
	return code, doc.Findings
}

func keys(fs []checkFinding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+" "+f.Severity+" "+f.Subject)
	}
	return out
}

const allRules = "testdata/check/all-rules.yaml"

// TestCheckAllRules asserts the exact findings of a scenario built so that
// every rule fires, with their positions.
func TestCheckAllRules(t *testing.T) {
	code, fs := checkJSON(t, allRules, "--min-severity", "note")
	assert.Equal(t, 1, code)
	assert.Equal(t, []string{
		"PS001 warning share train-share → 999999999999",
		"PS002 error share train-share → 999999999999",
		"PS003 warning share report-to-org → org",
		"PS004 warning share train-share → 888888888888",
		"PS005 note share train-share → 222222222222/role/Unused",
		"PS005 note share train-share → 999999999999/root",
		"PS006 warning 222222222222/role/PipelineOnly",
		"PS007 error budget partner-budget: 999999999999",
		"PS008 note 222222222222/role/PipelineOnly",
		"PS009 warning share train-share → 222222222222",
		"PS010 warning 222222222222/role/PipelineOnly on train StopPipelineExecution",
	}, keys(fs))
	pos := map[string]string{}
	for _, f := range fs {
		pos[f.Rule] = f.Location.File + ":" + strconv.Itoa(f.Location.Line) + ":" + strconv.Itoa(f.Location.Column)
	}
	assert.Equal(t, allRules+":44:5", pos["PS001"], "the share")
	assert.Equal(t, allRules+":22:9", pos["PS006"], "the principal")
	assert.Equal(t, allRules+":66:5", pos["PS007"], "the budget rule")
	assert.Equal(t, allRules+":35:17", pos["PS009"], "the denying SCP statement")
	assert.Equal(t, allRules+":29:9", pos["PS010"], "the identity statement")
	for _, f := range fs {
		assert.False(t, f.Waived)
		assert.NotEmpty(t, f.Message)
	}
}

// TestCheckRuleSelection runs each rule alone (--rules): exactly its
// findings come back, and the clean scenario has none for any rule.
func TestCheckRuleSelection(t *testing.T) {
	want := map[string]int{"PS001": 1, "PS002": 1, "PS003": 1, "PS004": 1, "PS005": 2, "PS006": 1,
		"PS007": 1, "PS008": 1, "PS009": 1, "PS010": 1, "PS011": 0,
		// No data declared: none of the data plane's (TestCheckDataRules).
		"PS012": 0, "PS013": 0, "PS014": 0, "PS015": 0}
	for id, n := range want {
		t.Run(id, func(t *testing.T) {
			code, fs := checkJSON(t, allRules, "--min-severity", "note", "--rules", id)
			require.Len(t, fs, n)
			for _, f := range fs {
				assert.Equal(t, id, f.Rule)
			}
			assert.Equal(t, map[bool]int{true: 1, false: 0}[n > 0], code)
			code, fs = checkJSON(t, "testdata/check/clean.yaml", "--min-severity", "note", "--rules", id)
			assert.Empty(t, fs)
			assert.Equal(t, 0, code)
		})
	}
}

// TestCheckRuleVariants covers rule inputs the all-rules scenario does not:
// budgets per period and denied_rate thresholds.
func TestCheckRuleVariants(t *testing.T) {
	base, err := os.ReadFile(allRules)
	require.NoError(t, err)
	tests := []struct {
		name, rules string
		ids         string
		want        []string
	}{
		{"budget under its cap", `  - {id: b, budget: {initiator: "999999999999", max_usd: 1000, period: month}}`, "PS007", nil},
		{"budget per run", `  - {id: b, budget: {initiator: "999999999999", max_usd: 2, period: run}}`, "PS007",
			[]string{"PS007 error budget b: 999999999999"}},
		{"budget per day over", `  - {id: b, budget: {initiator: "222222222222/role/PipelineOnly", max_usd: 1, period: day}}`, "PS007,PS008",
			[]string{"PS007 error budget b: 222222222222/role/PipelineOnly", "PS008 note 999999999999/root"}},
		{"account budget covers its roles", `  - {id: b, budget: {initiator: "222222222222", max_usd: 100, period: week}}`, "PS007,PS008",
			[]string{"PS008 note 999999999999/root"}},
		{"denied rate raised", `  - {id: d, denied_rate: {max_percent: 50}}`, "PS006", nil},
		{"denied rate lowered for the account", `  - {id: d, denied_rate: {caller: "999999999999", max_percent: 0}}`, "PS006",
			[]string{"PS006 warning 222222222222/role/PipelineOnly", "PS006 warning 999999999999/root"}},
		{"denied rate raised for one principal", `  - {id: d, denied_rate: {caller: "222222222222/role/PipelineOnly", max_percent: 45}}`, "PS006", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := string(base)
			src = src[:strings.Index(src, "rules:\n")] + "rules:\n" + tc.rules + "\n"
			path := filepath.Join(t.TempDir(), "s.yaml")
			require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
			_, fs := checkJSON(t, path, "--min-severity", "note", "--rules", tc.ids)
			assert.Equal(t, tc.want, keys(fs))
		})
	}
}

// TestCheckDataRules asserts the data-plane findings of the embedded
// data-plane scenario with their positions (the share, the bucket policy
// statement, the bucket, the key policy statement), and what they become
// when the scenario changes one way.
func TestCheckDataRules(t *testing.T) {
	code, fs := checkJSON(t, "data-plane", "--rules", "PS012,PS013,PS014,PS015")
	assert.Equal(t, 1, code)
	assert.Equal(t, []string{
		"PS012 error share churn-consumers → 999999999999 on churn-training",
		"PS013 warning s3://marketing-churn-data → 111111111111/role/PipelineExecution",
		"PS013 warning s3://research-churn-data → 111111111111/role/PipelineExecution",
		"PS014 warning s3://marketing-churn-data",
		"PS015 warning key alias/marketing-data → 111111111111",
	}, keys(fs))
	var pos, msgs []string
	for _, f := range fs {
		pos = append(pos, f.Location.File+":"+strconv.Itoa(f.Location.Line)+":"+strconv.Itoa(f.Location.Column))
		msgs = append(msgs, f.Message)
	}
	assert.Equal(t, []string{
		"data-plane.yaml:161:5",  // the share
		"data-plane.yaml:130:11", // the bucket policy statement that grants the read
		"data-plane.yaml:119:11",
		"data-plane.yaml:124:5", // the bucket
		"data-plane.yaml:98:11", // the key policy statement
	}, pos)
	assert.Contains(t, msgs[0], "denied kms:Decrypt on key alias/northwind-data: its key policy does not allow the role (no_resource_allow)")
	assert.Contains(t, msgs[0], "in the run 63 steps failed so, burning $19.36 of owner money")
	assert.Contains(t, msgs[0], "InputData=s3://northwind-exports/churn/2026-02/")
	assert.Contains(t, msgs[3], "Object Ownership is ObjectWriter")
	assert.Contains(t, msgs[4], "name arn:aws:iam::111111111111:role/PipelineExecution instead")

	base, ok := scenarios.Builtin("data-plane")
	require.True(t, ok)
	tests := []struct {
		name, old, new string
		want           []string
	}{
		{"the partner's key names the role: its Starts run, its data is a flow to review",
			`{Sid: NorthwindOnly, Effect: Allow, Principal: {AWS: "999999999999"}, Action: "kms:*", Resource: "*"}`,
			`{Sid: NorthwindOnly, Effect: Allow, Principal: {AWS: ["999999999999", "arn:aws:iam::111111111111:role/PipelineExecution"]}, Action: "kms:*", Resource: "*"}`,
			[]string{"PS013 warning s3://marketing-churn-data → 111111111111/role/PipelineExecution",
				"PS013 warning s3://northwind-exports → 111111111111/role/PipelineExecution",
				"PS013 warning s3://research-churn-data → 111111111111/role/PipelineExecution",
				"PS014 warning s3://marketing-churn-data", "PS015 warning key alias/marketing-data → 111111111111"}},
		{"read-only share: no Start to fail; the defaults' flow and the key policy stay",
			"    permission: extended\n", "    permission: read-only\n",
			[]string{"PS013 warning s3://research-churn-data → 111111111111/role/PipelineExecution",
				"PS015 warning key alias/marketing-data → 111111111111"}},
		{"a research bucket policy without GetObject: research's Starts fail on the bucket",
			"Action: [s3:GetObject, s3:ListBucket]\n          Resource: [\"arn:aws:s3:::research-churn-data\"",
			"Action: [s3:ListBucket]\n          Resource: [\"arn:aws:s3:::research-churn-data\"",
			[]string{"PS012 error share churn-consumers → 222222222222 on churn-training",
				"PS012 error share churn-consumers → 999999999999 on churn-training",
				"PS013 warning s3://marketing-churn-data → 111111111111/role/PipelineExecution",
				"PS014 warning s3://marketing-churn-data", "PS015 warning key alias/marketing-data → 111111111111"}},
		{"marketing enforces bucket ownership",
			"    object_ownership: ObjectWriter\n", "    object_ownership: BucketOwnerEnforced\n",
			[]string{"PS012 error share churn-consumers → 999999999999 on churn-training",
				"PS013 warning s3://marketing-churn-data → 111111111111/role/PipelineExecution",
				"PS013 warning s3://research-churn-data → 111111111111/role/PipelineExecution",
				"PS015 warning key alias/marketing-data → 111111111111"}},
		{"marketing's key narrows the account root to the role",
			"Action: [kms:Decrypt, kms:GenerateDataKey]\n          Resource: \"*\"\n",
			"Action: [kms:Decrypt, kms:GenerateDataKey]\n          Resource: \"*\"\n          Condition: {ArnEquals: {aws:PrincipalArn: \"arn:aws:iam::111111111111:role/PipelineExecution\"}}\n",
			[]string{"PS012 error share churn-consumers → 999999999999 on churn-training",
				"PS013 warning s3://marketing-churn-data → 111111111111/role/PipelineExecution",
				"PS013 warning s3://research-churn-data → 111111111111/role/PipelineExecution",
				"PS014 warning s3://marketing-churn-data"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := string(base)
			require.Contains(t, src, tc.old)
			path := filepath.Join(t.TempDir(), "s.yaml")
			require.NoError(t, os.WriteFile(path, []byte(strings.Replace(src, tc.old, tc.new, 1)), 0o644))
			_, fs := checkJSON(t, path, "--rules", "PS012,PS013,PS014,PS015")
			assert.Equal(t, tc.want, keys(fs))
		})
	}
}

// TestCheckHelpListsRules: check --help lists every built-in rule.
func TestCheckHelpListsRules(t *testing.T) {
	code, stdout, stderr := pipeshare(t, "", "check", "--help")
	require.Equal(t, 0, code, stderr)
	for _, r := range report.Rules {
		assert.Contains(t, stdout+stderr, "  "+r.ID+" "+r.Name+" ("+r.Severity.String()+"): "+r.Title+"\n")
	}
}

// TestCheckGolden renders every format for three embedded scenarios.
func TestCheckGolden(t *testing.T) {
	for _, sc := range []string{"quickstart", "external-partner", "data-plane"} {
		for _, f := range []struct{ format, ext string }{
			{"text", "txt"}, {"json", "json"}, {"md", "md"}, {"junit", "xml"}, {"sarif", "sarif"},
		} {
			t.Run(sc+"-"+f.format, func(t *testing.T) {
				code, stdout, stderr := pipeshare(t, "", "check", sc, "--format", f.format, "--min-severity", "note")
				assert.Equal(t, 1, code)
				assert.Contains(t, stderr, "findings at or above note")
				golden(t, "check-"+sc+"."+f.ext, stdout)
			})
		}
	}
}

// TestCheckExitCodes covers --min-severity, waivers and input errors.
func TestCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // a substring, or ""
		stderr string
	}{
		{"warnings fail by default", []string{"quickstart"}, 1, "PS001 external-share", "4 findings at or above warning"},
		{"errors only", []string{"quickstart", "--min-severity", "error"}, 0, "no findings that are not waived", ""},
		{"external-partner has an error", []string{"external-partner", "--min-severity", "error"}, 1, "PS002", "1 finding at or above error"},
		{"notes", []string{"quickstart", "--min-severity", "note"}, 1, "PS008", "findings at or above note"},
		{"selected rule without findings", []string{"quickstart", "--rules", "PS002,PS003"}, 0, "", ""},
		{"all waived", []string{"quickstart", "--waivers", "testdata/check/waivers.yaml"}, 0, "WAIVED (4)", ""},
		{"expired waiver", []string{"quickstart", "--waivers", "testdata/check/waivers-expired.yaml"}, 1,
			"PS011 expired-waiver  waiver PS001: share churn-to-research → 999999999999", "2 findings at or above warning"},
		{"unknown rule", []string{"quickstart", "--rules", "PS001,PS999"}, 2, "", `--rules: unknown rule "PS999"`},
		{"unknown waiver rule", []string{"quickstart", "--waivers", "testdata/check/waivers-unknown-rule.yaml"}, 2, "",
			`waivers-unknown-rule.yaml:2:5: waiver for unknown rule "PS999"`},
		{"bad waivers file", []string{"quickstart", "--waivers", "testdata/check/waivers-bad.yaml"}, 2, "",
			`waivers-bad.yaml:2:5: missing required key "subject" in waiver`},
		{"missing waivers file", []string{"quickstart", "--waivers", "testdata/check/nope.yaml"}, 2, "", "nope.yaml:1:1:"},
		{"unknown format", []string{"quickstart", "--format", "xml"}, 2, "", "--format must be one of"},
		{"unknown severity", []string{"quickstart", "--min-severity", "info"}, 2, "", "--min-severity must be one of"},
		{"unwritable out", []string{"quickstart", "--out", filepath.Join(dir, "missing", "x.sarif")}, 2, "",
			"--out " + filepath.Join(dir, "missing", "x.sarif") + ": no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := pipeshare(t, "", append([]string{"check"}, tc.args...)...)
			assert.Equal(t, tc.code, code, stderr)
			assert.Contains(t, stdout, tc.stdout)
			assert.Contains(t, stderr, tc.stderr)
		})
	}
	// A failed write leaves no file behind; a good one writes the report.
	entries, _ := os.ReadDir(dir)
	assert.Empty(t, entries)
	out := filepath.Join(dir, "r.sarif")
	code, stdout, _ := pipeshare(t, "", "check", "quickstart", "--format", "sarif", "--out", out)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"version": "2.1.0"`)
}

// TestCheckWaivedInJSON checks that a waived finding is reported with its
// waiver and that an expired waiver does not waive.
func TestCheckWaivedInJSON(t *testing.T) {
	_, fs := checkJSON(t, "quickstart", "--waivers", "testdata/check/waivers.yaml")
	require.Len(t, fs, 4)
	for _, f := range fs {
		assert.True(t, f.Waived, f.Subject)
	}
	_, fs = checkJSON(t, "quickstart", "--waivers", "testdata/check/waivers-expired.yaml")
	got := map[string]bool{}
	for _, f := range fs {
		got[f.Rule+" "+f.Subject] = f.Waived
	}
	assert.Equal(t, map[string]bool{
		"PS001 share churn-to-research → 999999999999":               false,
		"PS006 222222222222/role/DataScientist":                      true,
		"PS006 300000000002/root":                                    true,
		"PS006 300000000004/root":                                    true,
		"PS011 waiver PS001: share churn-to-research → 999999999999": false,
	}, got)
}

// TestCheckSARIFShape validates the SARIF 2.1.0 fields GitHub code
// scanning requires.
func TestCheckSARIFShape(t *testing.T) {
	_, stdout, _ := pipeshare(t, "", "check", allRules, "--format", "sarif", "--min-severity", "note", "--sarif-root", "../..")
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
	assert.Equal(t, "2.1.0", doc["version"])
	assert.Equal(t, "https://json.schemastore.org/sarif-2.1.0.json", doc["$schema"])
	runs := doc["runs"].([]any)
	require.Len(t, runs, 1)
	run := runs[0].(map[string]any)
	driver := run["tool"].(map[string]any)["driver"].(map[string]any)
	assert.Equal(t, "pipeshare", driver["name"])
	rules := driver["rules"].([]any)
	require.Len(t, rules, len(report.Rules))
	ids := map[string]int{}
	for i, r := range rules {
		rm := r.(map[string]any)
		ids[rm["id"].(string)] = i
		assert.NotEmpty(t, rm["name"])
		assert.NotEmpty(t, rm["shortDescription"].(map[string]any)["text"])
		assert.Contains(t, []any{"note", "warning", "error"}, rm["defaultConfiguration"].(map[string]any)["level"])
	}
	results := run["results"].([]any)
	require.Len(t, results, 11)
	for _, r := range results {
		rm := r.(map[string]any)
		id := rm["ruleId"].(string)
		require.Contains(t, ids, id)
		assert.EqualValues(t, ids[id], rm["ruleIndex"])
		assert.Contains(t, []any{"note", "warning", "error"}, rm["level"])
		assert.NotEmpty(t, rm["message"].(map[string]any)["text"])
		locs := rm["locations"].([]any)
		require.Len(t, locs, 1)
		pl := locs[0].(map[string]any)["physicalLocation"].(map[string]any)
		assert.Equal(t, map[string]any{"uri": "cmd/pipeshare/testdata/check/all-rules.yaml", "uriBaseId": "%SRCROOT%"},
			pl["artifactLocation"])
		assert.Len(t, rm["partialFingerprints"].(map[string]any)["pipeshareFinding/v1"], 64)
		region := pl["region"].(map[string]any)
		assert.Greater(t, region["startLine"], 0.0)
		assert.Greater(t, region["startColumn"], 0.0)
	}
}

// TestCheckSARIFRoot: SARIF URIs are relative to the repository holding
// the scenario (its .git a directory or a worktree's file), or to
// --sarif-root; with neither, they name the file as given.
func TestCheckSARIFRoot(t *testing.T) {
	scenario, err := os.ReadFile(allRules)
	require.NoError(t, err)
	uris := func(t *testing.T, args ...string) []string {
		t.Helper()
		code, stdout, stderr := pipeshare(t, "", append([]string{"check", "--format", "sarif", "--rules", "PS001"}, args...)...)
		require.Equal(t, 1, code, stderr)
		var doc struct {
			Runs []struct {
				Results []struct {
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI, URIBaseID string }
						}
					}
				}
			}
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
		var out []string
		for _, r := range doc.Runs[0].Results {
			a := r.Locations[0].PhysicalLocation.ArtifactLocation
			out = append(out, a.URIBaseID+" "+a.URI)
		}
		return out
	}
	for _, git := range []string{"dir", "file"} {
		t.Run(".git "+git, func(t *testing.T) {
			repo := t.TempDir()
			require.NoError(t, os.MkdirAll(filepath.Join(repo, "infra", "sharing"), 0o755))
			if git == "dir" {
				require.NoError(t, os.Mkdir(filepath.Join(repo, ".git"), 0o755))
			} else {
				require.NoError(t, os.WriteFile(filepath.Join(repo, ".git"), []byte("gitdir: /elsewhere\n"), 0o644))
			}
			path := filepath.Join(repo, "infra", "sharing", "prod sharing.yaml")
			require.NoError(t, os.WriteFile(path, scenario, 0o644))
			assert.Equal(t, []string{"%SRCROOT% infra/sharing/prod%20sharing.yaml"}, uris(t, path))
			assert.Equal(t, []string{"%SRCROOT% prod%20sharing.yaml"}, uris(t, path, "--sarif-root", filepath.Dir(path)))
		})
	}
	assert.Equal(t, []string{"%SRCROOT% cmd/pipeshare/testdata/check/all-rules.yaml"}, uris(t, allRules, "--sarif-root", "../.."))
	assert.Equal(t, []string{" quickstart.yaml"}, uris(t, "quickstart"), "an embedded scenario has no folder")

	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"quickstart", "--sarif-root", "."}, "--sarif-root needs --format sarif"},
		{[]string{"quickstart", "--format", "sarif", "--sarif-root", "nope"}, "--sarif-root: nope is not a directory"},
		{[]string{"quickstart", "--format", "sarif", "--sarif-root", allRules}, "is not a directory"},
	} {
		code, stdout, stderr := pipeshare(t, "", append([]string{"check"}, tc.args...)...)
		assert.Equal(t, 2, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, tc.msg)
	}
}

// TestCheckJUnitShape checks one test case per rule and a failure per rule
// with findings.
func TestCheckJUnitShape(t *testing.T) {
	_, stdout, _ := pipeshare(t, "", "check", allRules, "--format", "junit", "--min-severity", "note")
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Type string `xml:"type,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal([]byte(stdout), &doc))
	assert.Equal(t, 15, doc.Tests)
	assert.Equal(t, 10, doc.Failures) // all but PS011 and the data plane's (no data declared)
	require.Len(t, doc.Suites, 1)
	require.Len(t, doc.Suites[0].Cases, 15)
	assert.Equal(t, "PS011 expired-waiver", doc.Suites[0].Cases[10].Name)
	assert.Nil(t, doc.Suites[0].Cases[10].Failure)
	assert.Equal(t, "error", doc.Suites[0].Cases[1].Failure.Type)
}
