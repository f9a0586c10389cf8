package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/pipeshare/pipeshare/internal/words"
)

// The JUnit XML that CI servers read; it validates against the Jenkins
// xUnit plugin's junit-10.xsd, which requires a suite's errors count.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

// junitSuite counts no errors: in JUnit an error is a test that could not
// run, and a rule that cannot be evaluated stops check (exit 2) before any
// report is written.
type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes the report as JUnit XML for CI: one test case per
// evaluated rule, failed when the rule has findings that are not waived
// (the failure lists them, one per line); waived findings go to the case's
// system-out.
func (r *CheckReport) writeJUnit(w io.Writer) error {
	suite := junitSuite{Name: "pipeshare check " + r.Scenario}
	for _, rule := range r.Rules {
		c := junitCase{Name: rule.ID + " " + rule.Name, Classname: "pipeshare.check"}
		var fails, waived []string
		worst := Severity(0)
		for _, f := range r.Findings {
			if f.Rule != rule.ID {
				continue
			}
			line := fmt.Sprintf("%s: %s: %s: %s", f.Pos, f.Severity, f.Subject, f.Message)
			if f.Waived {
				waived = append(waived, "waived ("+f.Waiver.Reason+"): "+line)
				continue
			}
			fails = append(fails, line)
			worst = max(worst, f.Severity)
		}
		if len(fails) > 0 {
			c.Failure = &junitFailure{
				Message: fmt.Sprintf("%d %s: %s", len(fails), words.Plural(len(fails), "finding", "findings"), rule.Title),
				Type:    worst.String(),
				Text:    strings.Join(fails, "\n") + "\nfix: " + rule.Remediation,
			}
			suite.Failures++
		}
		if len(waived) > 0 {
			c.SystemOut = strings.Join(waived, "\n")
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Name: "pipeshare check", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
