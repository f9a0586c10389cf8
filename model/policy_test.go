package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCheckResourcePatternExecutionID: a Resource that could match some
// executions of a pipeline and not others is rejected, since execution-level
// actions are decided once per pipeline against ".../execution/*".
func TestCheckResourcePatternExecutionID(t *testing.T) {
	const arn = "arn:aws:sagemaker:us-east-1:111111111111:"
	tests := []struct {
		resource string
		rejected bool
	}{
		// Allowed: the pipeline, every execution of it, or a name prefix.
		{"*", false},
		{arn + "*", false},
		{arn + "pipe*", false},
		{arn + "pipeline*", false},
		{arn + "pipeline/*", false},
		{arn + "pipeline/fraud-model", false},
		{arn + "pipeline/fraud-*", false},
		{arn + "pipeline/fraud-model/*", false},
		{arn + "pipeline/fraud-model/execution/*", false},
		{arn + "pipeline/*/execution/*", false},
		{arn + "pipeline/fraud-*/execution/*", false},
		{arn + "pipeline/*z/*", false},                   // the '/' meets N's '/' or N/execution's
		{arn + "pipeline/fraud-v?", false},               // too short to reach an ID
		{arn + "pipeline/fraud-model?*", false},          // '?' may be the '/', the '*' takes the rest
		{"arn:aws:sagemaker:*:*:training-job/*z", false}, // another resource type
		{"arn:aws:sagemaker:*:*:pipe", false},            // names no pipeline
		{"arn:aws:s3:::bucket/*z", false},                // another service
		// Rejected: these reach into the execution ID.
		{arn + "pipeline/fraud-model/*z", true},
		{arn + "pipeline/fraud-model/*/????????????", true},
		{arn + "pipeline/fraud-model/execution/abc*", true},
		{arn + "pipeline/fraud-model/execution", true},
		{arn + "pipeline/fraud-model/execution*", true},
		{arn + "pipeline/fraud-model/*/*", true},
		{arn + "pipeline/*z", true},
		{arn + "pipeline/fraud-*z", true},
		{arn + "pipeline/a*b*", true},
		{arn + "*z", true},
		{arn + "p*e/x", true},
		{arn + "?ipeline/fraud-model", true},
		{arn + "pipeline/fraud-model?execution?????????????", true},
		{arn + "pipeline/fraud-model?execution?a*", true},
		{"arn:aws:sagemaker:*:*:pipeline/fraud-model/*z", true},
	}
	for _, tc := range tests {
		t.Run(tc.resource, func(t *testing.T) {
			msg := checkResourcePattern(tc.resource)
			if tc.rejected {
				assert.Contains(t, msg, "execution ID")
				return
			}
			assert.Empty(t, msg)
			// Allowed means decided per pipeline: every execution ID
			// matches exactly when the literal ".../execution/*" does.
			for _, name := range []string{"fraud-model", "fraud-v2", "a"} {
				want := MatchWildcard(tc.resource, ExecutionARN("us-east-1", "111111111111", name, "*"), false, true)
				for _, id := range []string{"abcdefghijkz", "000000000000", "z"} {
					got := MatchWildcard(tc.resource, ExecutionARN("us-east-1", "111111111111", name, id), false, true)
					assert.Equal(t, want, got, "pipeline %s, execution %s", name, id)
				}
			}
		})
	}
}
