package model

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func at(line, col int) Pos { return Pos{File: "s.yaml", Line: line, Col: col} }

func rf(s string, line int) Ref { return Ref{S: s, Pos: at(line, 3)} }

// baseConfig is a small valid configuration the error table mutates.
func baseConfig() *Config {
	return &Config{
		Region: "us-east-1",
		Org: &OrgConfig{ID: "o-a1b2c3d4e5", Management: rf("111111111111", 1), RAMSharing: true, Pos: at(1, 1),
			Units: []UnitConfig{{Path: rf("/prod", 2), FullAccess: true}}},
		Accounts: []AccountConfig{
			{ID: rf("111111111111", 3), OU: rf("/prod", 3), FullAccess: true, Pos: at(3, 1)},
			{ID: rf("222222222222", 4), OU: rf("/prod", 4), FullAccess: true, Pos: at(4, 1),
				Principals: []PrincipalConfig{{Name: rf("role/X", 5), Policies: []Ref{rf("p", 5)}}}},
			{ID: rf("999999999999", 6), FullAccess: true, Pos: at(6, 1)},
		},
		Policies: []PolicyDoc{{Name: "p", Pos: at(7, 1), Statements: []StatementDoc{{Pos: at(8, 1),
			Effect: rf("Allow", 8), Action: []Ref{rf("sagemaker:*", 8)}, Resource: []Ref{rf("*", 8)}}}}},
		Pipelines: []PipelineConfig{{Name: rf("train", 9), Account: rf("111111111111", 9), Pos: at(9, 1)}},
		Shares: []ShareConfig{{Name: rf("s", 10), Owner: rf("111111111111", 10), Pos: at(10, 1),
			Pipelines: []Ref{rf("train", 11)}, Principals: []Ref{rf("222222222222", 12)},
			Permission: PermissionExtended, AllowExternal: true, InvitationTTL: 12 * 3600e9}},
	}
}

func TestNewWorldErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Config)
		want   string
	}{
		{"valid", func(c *Config) {}, ""},
		{"duplicate account", func(c *Config) {
			c.Accounts = append(c.Accounts, AccountConfig{ID: rf("222222222222", 20)})
		}, "s.yaml:20:3: duplicate account 222222222222 (first defined at s.yaml:4:1)"},
		{"13-digit account", func(c *Config) { c.Accounts[2].ID = rf("9999999999990", 6) },
			`s.yaml:6:3: account ID "9999999999990" must be 12 digits, not 13 characters`},
		{"unknown OU", func(c *Config) { c.Accounts[1].OU = rf("/nope", 4) }, `s.yaml:4:3: unknown OU "/nope"`},
		{"undeclared parent", func(c *Config) { c.Org.Units = append(c.Org.Units, UnitConfig{Path: rf("/a/b", 2)}) },
			`s.yaml:2:3: unit "/a/b": parent "/a" is not declared`},
		{"trailing slash", func(c *Config) { c.Org.Units = append(c.Org.Units, UnitConfig{Path: rf("/prod/", 2)}) },
			`s.yaml:2:3: OU path "/prod/" must not end with /`},
		{"management outside", func(c *Config) { c.Org.Management = rf("999999999999", 1) },
			"s.yaml:1:3: management_account 999999999999 must be inside the organization (give it an ou)"},
		{"unknown policy", func(c *Config) { c.Accounts[1].Principals[0].Policies = []Ref{rf("q", 5)} },
			`s.yaml:5:3: unknown policy "q"`},
		{"Action and NotAction", func(c *Config) {
			c.Policies[0].Statements[0].NotAction = []Ref{rf("s3:*", 8)}
		}, "s.yaml:8:3: a statement cannot have both Action and NotAction"},
		{"Principal in identity policy", func(c *Config) { c.Policies[0].Statements[0].PrincipalPos = at(8, 20) },
			"s.yaml:8:20: Principal is not allowed in identity policies, boundaries or SCPs (an RCP is attached in organization.rcps or by an attach_rcp event)"},
		{"wildcard service", func(c *Config) {
			c.Policies[0].Statements[0].Resource = []Ref{rf("arn:aws:sage*:us-east-1:111111111111:pipeline/train", 8)}
		}, `s.yaml:8:3: resource "arn:aws:sage*:us-east-1:111111111111:pipeline/train" has a wildcard in the ARN's service segment`},
		{"execution id constrained", func(c *Config) {
			c.Policies[0].Statements[0].Resource = []Ref{rf("arn:aws:sagemaker:us-east-1:111111111111:pipeline/train/execution/abc*", 8)}
		}, `s.yaml:8:3: resource "arn:aws:sagemaker:us-east-1:111111111111:pipeline/train/execution/abc*" constrains an execution ID; use .../execution/* so decisions are per pipeline`},
		{"policy variable", func(c *Config) {
			c.Policies[0].Statements[0].Resource = []Ref{rf("arn:aws:sagemaker:*:${aws:PrincipalAccount}:pipeline/*", 8)}
		}, "s.yaml:8:3: policy variables are not supported"},
		{"unsupported operator", func(c *Config) {
			c.Policies[0].Statements[0].Conditions = []ConditionDoc{{Operator: "IpAddress", Key: "aws:SourceIp",
				Values: []string{"10.0.0.0/8"}, Pos: at(8, 40)}}
		}, `s.yaml:8:40: unsupported condition operator "IpAddress"`},
		{"unsupported key", func(c *Config) {
			c.Policies[0].Statements[0].Conditions = []ConditionDoc{{Operator: "StringEquals", Key: "aws:SourceVpc",
				Values: []string{"vpc-1"}, Pos: at(8, 40)}}
		}, `s.yaml:8:40: unsupported condition key "aws:SourceVpc"`},
		{"malformed pipeline ARN", func(c *Config) {
			c.Shares[0].Pipelines = []Ref{rf("arn:aws:sagemaker:us-east-1:1111:pipeline/train", 11)}
		}, "s.yaml:11:3: "},
		{"pipeline of another owner", func(c *Config) {
			c.Pipelines = append(c.Pipelines, PipelineConfig{Name: rf("other", 9), Account: rf("222222222222", 9)})
			c.Shares[0].Pipelines = []Ref{rf("other", 11)}
		}, `s.yaml:11:3: pipeline "other" belongs to 222222222222, not to the share's owner 111111111111`},
		{"pipeline name", func(c *Config) {
			c.Pipelines[0].Name = rf("bad_name", 9)
			c.Shares[0].Pipelines = []Ref{rf("bad_name", 11)}
		},
			`s.yaml:9:3: pipeline name "bad_name" does not match`},
		{"duplicate pipeline after lower-casing", func(c *Config) {
			c.Pipelines = append(c.Pipelines, PipelineConfig{Name: rf("Train", 19), Account: rf("111111111111", 19)})
		}, `s.yaml:19:3: duplicate pipeline "Train" in account 111111111111`},
		{"share to its owner", func(c *Config) { c.Shares[0].Principals = []Ref{rf("111111111111", 12)} },
			`s.yaml:12:3: share "s" names its own owner 111111111111`},
		{"ou principal without RAM sharing", func(c *Config) {
			c.Org.RAMSharing = false
			c.Shares[0].Principals = []Ref{rf("ou:/prod", 12)}
		}, `s.yaml:12:3: principal "ou:/prod" needs organization.ram_sharing: enabled`},
		{"invitation not needed", func(c *Config) {
			c.Shares[0].Invitations = []InvitationConfig{{Key: rf("222222222222", 13), Answer: AnswerAccept}}
		}, "s.yaml:13:3: invitation for 222222222222, which needs none"},
		{"invitation for an account not named", func(c *Config) {
			c.Shares[0].Invitations = []InvitationConfig{{Key: rf("999999999999", 13), Answer: AnswerIgnore}}
		}, `s.yaml:13:3: invitation for 999999999999, which share "s" does not name`},
		{"unknown share in event", func(c *Config) {
			c.Events = []EventConfig{{Kind: EventDeleteShare, Share: rf("nope", 14), Pos: at(14, 1)}}
		}, `s.yaml:14:3: unknown share "nope"`},
		{"management account leaves", func(c *Config) {
			c.Events = []EventConfig{{Kind: EventLeaveOrganization, Account: rf("111111111111", 14), Pos: at(14, 1)}}
		}, "s.yaml:14:3: the management account cannot leave the organization"},
		{"policy on root", func(c *Config) {
			c.Events = []EventConfig{{Kind: EventAttachPolicy, Target: rf("222222222222/root", 14),
				Policy: rf("p", 14), Pos: at(14, 1)}}
		}, "s.yaml:14:3: the root principal carries no policies; target the account for an SCP"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := baseConfig()
			tc.mutate(c)
			w, errs := NewWorld(c)
			var msgs []string
			for _, e := range errs {
				if e.Severity == SeverityError {
					msgs = append(msgs, e.Error())
				}
			}
			if tc.want == "" {
				require.NotNil(t, w, "%v", msgs)
				assert.Empty(t, msgs)
				return
			}
			require.Nil(t, w)
			require.Len(t, msgs, 1, "%v", msgs)
			assert.True(t, strings.HasPrefix(msgs[0], tc.want), "got %q\nwant prefix %q", msgs[0], tc.want)
		})
	}
}

// An unused policy is a warning: typed, printed with "warning: ", and the
// World is still built.
func TestNewWorldWarningSeverity(t *testing.T) {
	c := baseConfig()
	spare := c.Policies[0]
	spare.Name, spare.Pos = "spare", at(15, 1)
	c.Policies = append(c.Policies, spare)
	w, errs := NewWorld(c)
	require.NotNil(t, w, "%v", errs)
	require.Len(t, errs, 1)
	assert.Equal(t, SeverityWarning, errs[0].Severity)
	assert.Equal(t, `policy "spare" is not used`, errs[0].Msg)
	assert.Equal(t, `s.yaml:15:1: warning: policy "spare" is not used`, errs[0].Error())
	assert.False(t, HasErrors(errs))
	assert.True(t, HasErrors(append(errs, &PosError{Pos: at(16, 1), Msg: "bad"})))
}

// TestAccountOUAndEventDescription: the OU an account is in now (the root
// is "/", outside the organization ""), moved by the timeline, and the
// events described as access changes name them.
func TestAccountOUAndEventDescription(t *testing.T) {
	c := baseConfig()
	c.Events = []EventConfig{
		{At: 20, Kind: EventMoveAccount, Account: rf("222222222222", 13), OU: rf("/", 13), Pos: at(13, 1)},
		{At: 10, Kind: EventSetPermission, Share: rf("s", 14), Permission: PermissionReadOnly, Pos: at(14, 1)},
	}
	w, errs := NewWorld(c)
	require.Empty(t, errs)
	assert.Equal(t, "/prod", w.AccountOU("222222222222"))
	assert.Equal(t, "", w.AccountOU("999999999999"), "outside the organization")
	assert.Equal(t, "", w.AccountOU("333333333333"), "unknown")
	require.Equal(t, 2, w.NumEvents())
	assert.Equal(t, "set_permission s read-only", w.EventDescription(0), "in time order")
	assert.Equal(t, "move_account 222222222222 /", w.EventDescription(1))
	w.AdvanceTo(20)
	assert.Equal(t, "/", w.AccountOU("222222222222"))
}

// TestRootSharePrincipalIsTheAccount: a share principal that resolves to
// an account's root (ACCT/root, the root's ARN) names the whole account,
// as a bare ACCT does: RAM writes the root's ARN into the resource policy,
// where IAM reads it as the account.
func TestRootSharePrincipalIsTheAccount(t *testing.T) {
	for _, principal := range []string{"222222222222", "222222222222/root", "arn:aws:iam::222222222222:root"} {
		t.Run(principal, func(t *testing.T) {
			c := baseConfig()
			c.Shares[0].Principals = []Ref{rf(principal, 12)}
			w, errs := NewWorld(c)
			require.NotNil(t, w, "%v", errs)
			for _, caller := range []string{"222222222222", "222222222222/role/X"} {
				ps, err := w.LookupCallers(caller)
				require.NoError(t, err)
				assert.Equal(t, ReasonShared, w.Decide(ps[0], 0, StartPipelineExecution, Time(time.Hour)), caller)
			}
		})
	}
	t.Run("role", func(t *testing.T) {
		c := baseConfig()
		c.Shares[0].Principals = []Ref{rf("222222222222/role/X", 12)}
		w, errs := NewWorld(c)
		require.NotNil(t, w, "%v", errs)
		root, err := w.LookupCallers("222222222222")
		require.NoError(t, err)
		assert.Equal(t, ReasonNotShared, w.Decide(root[0], 0, StartPipelineExecution, Time(time.Hour)),
			"a role names only itself")
	})
}

// TestSharePrincipalsAgreesWithScan checks the indexed SharePrincipals
// against the definition, a scan of every principal of every account with
// names(), over random scenarios whose accounts move between OUs and leave
// the organization.
func TestSharePrincipalsAgreesWithScan(t *testing.T) {
	t.Parallel()
	compared, nonEmpty := 0, 0
	for seed := range uint64(100) {
		r := rand.New(rand.NewPCG(seed, 11))
		w, _ := NewWorld(randomConfig(r))
		if w == nil {
			continue
		}
		times := []Time{0}
		for i := range w.NumEvents() {
			times = append(times, w.EventAt(i), w.EventAt(i)+Time(time.Hour))
		}
		slices.Sort(times)
		for _, at := range times {
			w.AdvanceTo(at)
			for s := range ShareID(w.NumShares()) {
				sh := &w.shares[s]
				var want []PrincipalID
				for p := range PrincipalID(w.NumPrincipals()) {
					ai := w.principals[p].account
					if ai == sh.owner {
						continue
					}
					if slices.ContainsFunc(sh.principals, func(a association) bool {
						return at >= a.at && at < a.removed && w.names(&a, p, ai)
					}) {
						want = append(want, p)
					}
				}
				got := w.SharePrincipals(s, at)
				require.Equal(t, want, got, "seed %d share %d at %s", seed, s, at)
				compared++
				if len(got) > 0 {
					nonEmpty++
				}
			}
		}
	}
	require.Greater(t, nonEmpty, compared/4, "most shares name someone")
}
