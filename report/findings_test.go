package report

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFindingTables(t *testing.T) {
	var fs []Finding
	for i := range 4 {
		fs = append(fs, Finding{Rule: RuleExternalShare, Severity: SeverityWarning, Subject: fmt.Sprintf("share s → %d", i),
			Message: "m", Pos: pos(10+i, 5)})
	}
	fs = append(fs,
		Finding{Rule: RuleGrantedUnused, Severity: SeverityNote, Subject: "n", Message: "m"},
		Finding{Rule: RuleExternalExtended, Severity: SeverityError, Subject: "share s → 0", Message: "m", Pos: pos(10, 5)},
		Finding{Rule: RuleOrgWideShare, Severity: SeverityWarning, Subject: "share o → org", Waived: true})
	ts := findingTables(fs, 3, "pipeshare check --format json")
	require.Len(t, ts, 3, "one table per rule that fired; the waived finding's rule did not")
	assert.Equal(t, "Error · PS002 external-extended-permission: 1 finding", ts[0].Title, "errors first")
	assert.Equal(t, "Warning · PS001 external-share: 4 findings", ts[1].Title)
	assert.Equal(t, "Note · PS005 granted-but-unused: 1 finding", ts[2].Title)
	assert.Equal(t, []string{"share s → 0", "fixture.yaml:10:5", "m"}, ts[0].Rows[0])
	rule, _ := LookupRule(RuleExternalShare)
	assert.Len(t, ts[1].Rows, 3)
	assert.Equal(t, "The first 3 of 4 findings are shown; all of them are in pipeshare check --format json. "+rule.Title+
		". How to fix: "+rule.Remediation, ts[1].Note)
	rule, _ = LookupRule(RuleExternalExtended)
	assert.Equal(t, rule.Title+". How to fix: "+rule.Remediation, ts[0].Note)

	assert.Len(t, findingTables(fs, -1, "")[1].Rows, 4, "no cap")
	assert.Empty(t, findingTables(nil, -1, ""))
}
