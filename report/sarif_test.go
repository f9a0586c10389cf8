package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// compileJSONSchema compiles the JSON Schema doc (its draft from its
// $schema) with formats asserted.
func compileJSONSchema(t *testing.T, name string, doc []byte) *jsonschema.Schema {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource(name, v))
	s, err := c.Compile(name)
	require.NoError(t, err)
	return s
}

// validateJSON validates data, a JSON document, against s.
func validateJSON(s *jsonschema.Schema, data []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return s.Validate(v)
}

// sarifSchema is the official SARIF 2.1.0 schema (OASIS, errata 01),
// vendored from github.com/oasis-tcs/sarif-spec at e0583813
// (sarif-2.1/schema/sarif-schema-2.1.0.json).
func sarifSchema(t *testing.T) *jsonschema.Schema {
	doc, err := os.ReadFile(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	require.NoError(t, err)
	return compileJSONSchema(t, "sarif-schema-2.1.0.json", doc)
}

// sarifReport is a check report with a finding of each severity, one
// waived, two with the same rule and subject, and one in a waivers file.
func sarifReport() *CheckReport {
	rules := []Rule{}
	for _, id := range []string{RuleExternalShare, RuleExternalExtended, RuleNoBudget, RuleExpiredWaiver} {
		r, _ := LookupRule(id)
		rules = append(rules, r)
	}
	at := func(file string, line int) model.Pos { return model.Pos{File: file, Line: line, Col: 5} }
	waiver := &sim.Waiver{Rule: RuleNoBudget, Subject: "999999999999/root", Reason: "partner pays", Pos: at("waivers.yaml", 2)}
	return &CheckReport{Scenario: "s", File: "scenarios/s.yaml", Version: "test", MinSeverity: SeverityNote, Rules: rules,
		Findings: []Finding{
			{Rule: RuleExternalShare, Severity: SeverityWarning, Subject: "share a → 999999999999", Message: "outside", Pos: at("scenarios/s.yaml", 10)},
			{Rule: RuleExternalExtended, Severity: SeverityError, Subject: "share a → 999999999999", Message: "extended", Pos: at("scenarios/s.yaml", 10)},
			{Rule: RuleNoBudget, Severity: SeverityNote, Subject: "999999999999/root", Message: "$12.00", Pos: at("scenarios/s.yaml", 20),
				Waived: true, Waiver: waiver},
			{Rule: RuleNoBudget, Severity: SeverityNote, Subject: "888888888888/root", Message: "$3.00", Pos: at("scenarios/s.yaml", 21)},
			{Rule: RuleExpiredWaiver, Severity: SeverityWarning, Subject: "waiver PS001: share b → 1", Message: "expired", Pos: at("waivers.yaml", 5)},
			{Rule: RuleExpiredWaiver, Severity: SeverityWarning, Subject: "waiver PS001: share b → 1", Message: "expired", Pos: at("waivers.yaml", 9)},
		}}
}

// sarifRunOf renders r's SARIF with at most limit results and returns
// it and its one run, decoded.
func sarifRunOf(t *testing.T, r *CheckReport, limit int) ([]byte, map[string]any) {
	var b bytes.Buffer
	require.NoError(t, writeIndentedJSON(&b, r.sarif(limit)))
	var doc struct{ Runs []map[string]any }
	require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
	require.Len(t, doc.Runs, 1)
	return b.Bytes(), doc.Runs[0]
}

// TestSARIFMatchesSchema validates every SARIF this package writes for
// the test report (with and without a root, over the result limit) and
// every SARIF golden of the CLI against the official schema.
func TestSARIFMatchesSchema(t *testing.T) {
	s := sarifSchema(t)
	r := sarifReport()
	var b bytes.Buffer
	require.NoError(t, r.Render(&b, "sarif"))
	assert.NoError(t, validateJSON(s, b.Bytes()))
	r.SARIFRoot = SARIFRoot{Dir: "/repo", WorkDir: "/repo/ci"}
	data, _ := sarifRunOf(t, r, 2)
	assert.NoError(t, validateJSON(s, data))

	goldens, err := filepath.Glob(filepath.Join("..", "cmd", "pipeshare", "testdata", "golden", "*.sarif"))
	require.NoError(t, err)
	require.NotEmpty(t, goldens)
	for _, g := range goldens {
		data, err := os.ReadFile(g)
		require.NoError(t, err)
		assert.NoError(t, validateJSON(s, data), g)
	}
	// The schema is strict enough to catch a broken log.
	assert.Error(t, validateJSON(s, []byte(`{"version": "2.1.0", "runs": [{"results": []}]}`)))
}

// TestSARIFResults checks one result per finding, the rules' code
// scanning properties and the fingerprints: the same for the same rule and
// subject whatever the position and message, distinct for repeats.
func TestSARIFResults(t *testing.T) {
	r := sarifReport()
	_, run := sarifRunOf(t, r, SARIFMaxResults)
	results := run["results"].([]any)
	require.Len(t, results, len(r.Findings))
	assert.NotContains(t, run, "properties")
	assert.NotContains(t, run, "invocations")
	fps := []string{}
	for _, res := range results {
		fps = append(fps, res.(map[string]any)["partialFingerprints"].(map[string]any)[SARIFFingerprint].(string))
	}
	assert.Len(t, fps[0], 64)
	assert.NotEqual(t, fps[0], fps[1], "same subject, another rule")
	assert.NotEqual(t, fps[4], fps[5], "a repeat of rule and subject")
	assert.Len(t, map[string]bool{fps[0]: true, fps[1]: true, fps[2]: true, fps[3]: true, fps[4]: true, fps[5]: true}, 6)

	moved := sarifReport()
	for i := range moved.Findings {
		moved.Findings[i].Pos.Line += 7
		moved.Findings[i].Message += " (changed)"
	}
	_, run2 := sarifRunOf(t, moved, SARIFMaxResults)
	for i, res := range run2["results"].([]any) {
		assert.Equal(t, fps[i], res.(map[string]any)["partialFingerprints"].(map[string]any)[SARIFFingerprint], "finding %d", i)
	}

	waived := results[2].(map[string]any)
	assert.Equal(t, []any{map[string]any{"kind": "external", "justification": "partner pays"}}, waived["suppressions"])

	rules := run["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)
	wantSev := map[string]string{"error": "8.0", "warning": "5.0", "note": "2.0"}
	for _, x := range rules {
		rule := x.(map[string]any)
		props := rule["properties"].(map[string]any)
		level := rule["defaultConfiguration"].(map[string]any)["level"].(string)
		assert.Equal(t, wantSev[level], props["security-severity"], rule["id"])
		assert.Equal(t, "https://github.com/pipeshare/pipeshare/blob/main/docs/reports.md#rule-"+
			map[string]string{"PS001": "ps001", "PS002": "ps002", "PS008": "ps008", "PS011": "ps011"}[rule["id"].(string)], rule["helpUri"])
		assert.NotEmpty(t, props["tags"], rule["id"])
	}
}

// TestSARIFRuleTags: every rule has tags, led by its kind.
func TestSARIFRuleTags(t *testing.T) {
	for _, r := range Rules {
		tags := sarifRuleTags[r.ID]
		require.Len(t, tags, 2, r.ID)
		assert.Contains(t, []string{"security", "cost", "compliance"}, tags[0], r.ID)
	}
	assert.Len(t, sarifRuleTags, len(Rules))
}

// TestSARIFLimit: over the limit, a run keeps the findings not waived and
// most severe, in report order, and counts the rest.
func TestSARIFLimit(t *testing.T) {
	_, run := sarifRunOf(t, sarifReport(), 3)
	var got []string
	for _, res := range run["results"].([]any) {
		m := res.(map[string]any)
		got = append(got, m["ruleId"].(string)+" "+m["level"].(string))
	}
	assert.Equal(t, []string{"PS001 warning", "PS002 error", "PS011 warning"}, got)
	assert.Equal(t, map[string]any{"findings": 6.0, "resultLimit": 3.0, "omittedResults": 3.0}, run["properties"])
	inv := run["invocations"].([]any)[0].(map[string]any)
	assert.Equal(t, true, inv["executionSuccessful"])
	note := inv["toolExecutionNotifications"].([]any)[0].(map[string]any)
	assert.Equal(t, "warning", note["level"])
	assert.Contains(t, note["message"].(map[string]any)["text"], "3 of 6 findings are left out")
}

// TestSARIFRootLocate covers the URIs of files inside and outside the
// root, and without one.
func TestSARIFRootLocate(t *testing.T) {
	root := SARIFRoot{Dir: "/repo", WorkDir: "/repo/ci"}
	for _, tc := range []struct {
		root      SARIFRoot
		file      string
		uri, base string
	}{
		{root, "s.yaml", "ci/s.yaml", "%SRCROOT%"},
		{root, "../scenarios/a b.yaml", "scenarios/a%20b.yaml", "%SRCROOT%"},
		{root, "/repo/w.yaml", "w.yaml", "%SRCROOT%"},
		{root, "../../tmp/w.yaml", "file:///tmp/w.yaml", ""},
		{root, "/repository/w.yaml", "file:///repository/w.yaml", ""},
		{SARIFRoot{}, "./testdata/s.yaml", "testdata/s.yaml", ""},
		{SARIFRoot{}, "quickstart.yaml", "quickstart.yaml", ""},
		{SARIFRoot{}, "<stdin>", "%3Cstdin%3E", ""},
		{SARIFRoot{}, "/tmp/s.yaml", "file:///tmp/s.yaml", ""},
	} {
		uri, base := tc.root.locate(tc.file)
		assert.Equal(t, [2]string{tc.uri, tc.base}, [2]string{uri, base}, tc.file)
	}
}
