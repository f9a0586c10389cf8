package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSearch checks Search as AWS decides it: authorized on "*" in the
// caller's own account by identity policies, boundary and SCPs only, with
// aws:ResourceAccount the caller's account; shares decide only what it
// returns (docs/aws-semantics.md#read-actions-and-search).
func TestSearch(t *testing.T) {
	const consumer, outsider, owner = "222222222222/role/X", "999999999999", "111111111111"
	search := StatementDoc{Pos: at(8, 1), Effect: rf("Allow", 8), Action: []Ref{rf("sagemaker:Search", 8)}, Resource: []Ref{rf("*", 8)}}
	tests := []struct {
		name    string
		mutate  func(c *Config)
		caller  string
		reason  Reason // the decision
		returns Reason // what DecideAll gives for Search: whether it returns the pipeline
	}{
		{"consumer with a share: allowed in its own account, returns the pipeline", func(c *Config) {}, consumer, ReasonOwner, ReasonShared},
		{"no share: still allowed, returns nothing", func(c *Config) { c.Shares = nil }, consumer, ReasonOwner, ReasonNotShared},
		{"outsider root: allowed by its identity, not returned", func(c *Config) {}, outsider, ReasonOwner, ReasonNotShared},
		{"identity scoped to the pipeline ARN: denied, no share helps", func(c *Config) {
			c.Policies[0].Statements[0].Resource = []Ref{rf("arn:aws:sagemaker:us-east-1:111111111111:pipeline/train", 8)}
		}, consumer, ReasonNoIdentityAllow, ReasonNoIdentityAllow},
		{"aws:ResourceAccount is the caller's account", func(c *Config) {
			s := search
			s.Conditions = []ConditionDoc{{Operator: "StringEquals", Key: "aws:ResourceAccount", Values: []string{"222222222222"}, Pos: at(8, 9)}}
			c.Policies[0].Statements = []StatementDoc{s}
		}, consumer, ReasonOwner, ReasonShared},
		{"aws:ResourceAccount is not the pipeline owner's", func(c *Config) {
			s := search
			s.Conditions = []ConditionDoc{{Operator: "StringEquals", Key: "aws:ResourceAccount", Values: []string{owner}, Pos: at(8, 9)}}
			c.Policies[0].Statements = []StatementDoc{s}
		}, consumer, ReasonNoIdentityAllow, ReasonNoIdentityAllow},
		{"an SCP of the caller's account denies Search", func(c *Config) {
			c.Policies = append(c.Policies, PolicyDoc{Name: "deny-search", Pos: at(13, 1), Statements: []StatementDoc{{Pos: at(14, 1),
				Effect: rf("Deny", 14), Action: []Ref{rf("sagemaker:Search", 14)}, Resource: []Ref{rf("*", 14)}}}})
			c.Accounts[1].SCPs = []Ref{rf("deny-search", 4)}
		}, consumer, ReasonSCP, ReasonSCP},
		{"owner root: allowed, its own pipeline returned", func(c *Config) {}, owner, ReasonOwner, ReasonOwner},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			tt.mutate(cfg)
			w, errs := NewWorld(cfg)
			require.Empty(t, errs)
			ps, err := w.LookupCallers(tt.caller)
			require.NoError(t, err)
			p, pl, at := ps[0], PipelineID(0), Time(hour)
			w.AdvanceTo(at)

			ex := w.Explain(p, pl, Search, at)
			assert.Equal(t, tt.reason, ex.Reason, "Explain")
			assert.Equal(t, "*", ex.Resource)
			r, share := w.DecideShare(p, pl, Search, at)
			assert.Equal(t, tt.reason, r, "Decide")
			assert.Equal(t, NoShare, share, "no share grants Search")
			assert.Equal(t, tt.returns, w.DecideAll(p, pl, at)[Search], "DecideAll")
			assert.Equal(t, tt.returns, ex.Access(), "Explain's access")
			assert.Equal(t, tt.returns.IsAllow(), w.Visible(p, pl, at), "Visible")
			if tt.returns == ReasonShared {
				assert.Equal(t, "s", w.ShareName(ex.ReturnsShare))
			} else {
				assert.Equal(t, NoShare, ex.ReturnsShare)
			}
		})
	}
}
