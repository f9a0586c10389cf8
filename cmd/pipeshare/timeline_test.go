package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestTimelineCLI covers explain --timeline and access --changes.
func TestTimelineCLI(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"timeline-partner-start", []string{"explain", "quickstart", "--caller", "999999999999",
			"--action", "StartPipelineExecution", "--target", "churn-training", "--timeline"}, 0},
		{"timeline-scientist-stop-json", []string{"explain", "quickstart", "--caller", "222222222222/role/DataScientist",
			"--action", "StopPipelineExecution", "--target", "churn-training", "--timeline", "--format", "json"}, 0},
		{"timeline-until", []string{"explain", "quickstart", "--caller", "222222222222",
			"--action", "StartPipelineExecution", "--target", "churn-training", "--timeline", "--until", "12d"}, 0},
		{"timeline-at-conflict", []string{"explain", "quickstart", "--caller", "222222222222",
			"--action", "StartPipelineExecution", "--target", "churn-training", "--timeline", "--at", "1d"}, 2},
		{"timeline-until-without", []string{"explain", "quickstart", "--caller", "222222222222",
			"--action", "StartPipelineExecution", "--target", "churn-training", "--until", "1d"}, 2},
		{"changes-text", []string{"access", "quickstart", "--changes"}, 0},
		{"changes-json", []string{"access", "external-partner", "--changes", "--format", "json"}, 0},
		{"changes-csv", []string{"access", "org-restructure", "--changes", "--format", "csv"}, 0},
		{"changes-at-conflict", []string{"access", "quickstart", "--changes", "--at", "1d"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := pipeshare(t, "", tc.args...)
			assert.Equal(t, tc.code, code, "stderr: %s", stderr)
			golden(t, tc.name+".stdout", stdout)
			golden(t, tc.name+".stderr", stderr)
		})
	}
}
