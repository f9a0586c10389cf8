package report

import (
	"fmt"
	"strings"
)

// severitiesDown are the severities, the most severe first.
var severitiesDown = []Severity{SeverityError, SeverityWarning, SeverityNote}

// findingTables lays out the findings that are not waived for the Markdown
// and HTML reports: one table per rule that fired (subject, location,
// message), errors first, then warnings, then notes, and rules in ID order
// within a severity. A table's title names the severity, the rule and its
// count; its note says how to fix the rule. A table holds at most
// maxRows rows (all of them when maxRows < 0) and then says where the
// rest are (rest: "pipeshare check --format json").
func findingTables(fs []Finding, maxRows int, rest string) []docTable {
	var out []docTable
	for _, sev := range severitiesDown {
		for _, rule := range Rules {
			var rows [][]string
			for _, f := range fs {
				if f.Waived || f.Severity != sev || f.Rule != rule.ID {
					continue
				}
				rows = append(rows, []string{f.Subject, f.Pos.String(), f.Message})
			}
			if len(rows) == 0 {
				continue
			}
			t := docTable{Title: fmt.Sprintf("%s · %s %s: %s", capitalize(sev.String()), rule.ID, rule.Name,
				nouns(len(rows), "finding", "findings")),
				Header: []string{"Subject", "Location", "Message"}, Num: numCols(3), Rows: rows,
				Note: rule.Title + ". How to fix: " + rule.Remediation}
			if maxRows >= 0 && len(rows) > maxRows {
				t.Rows = rows[:maxRows]
				t.Note = fmt.Sprintf("The first %d of %s findings are shown; all of them are in %s. %s",
					maxRows, count(int64(len(rows))), rest, t.Note)
			}
			out = append(out, t)
		}
	}
	return out
}

// runFindingsSection is the Findings section of the run's Markdown and
// HTML reports: check's findings with its defaults (warning and above),
// grouped by severity, each rule with how to fix it.
func runFindingsSection(fs []Finding, maxRows int) docSection {
	sec := docSection{Title: "Findings", Lines: []string{"The findings of pipeshare check with its default rules, at or above warning: " +
		findingsLine(fs, SeverityWarning) + ". pipeshare check explains each, and takes waivers."}}
	sec.Tables = findingTables(fs, maxRows, "pipeshare check --format json")
	return sec
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
