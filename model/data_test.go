package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomDataConfig is randomConfig with a data plane: KMS keys with random
// key policies (or AWS's default one), buckets with random bucket
// policies and default encryption, deny-only RCPs attached in the
// organization, and data statements added to the identity policies. It
// draws randomConfig's numbers first, so the control plane of seed s is
// randomConfig's.
func randomDataConfig(r *rand.Rand) *Config {
	cfg := randomConfig(r)
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	ref := func(s string) Ref { return Ref{S: s} }
	pos := at(1, 1) // resource policies need a Principal position
	var accts []string
	for _, a := range cfg.Accounts {
		accts = append(accts, a.ID.S)
	}
	dataConds := []ConditionDoc{
		{Operator: "StringLike", Key: "s3:prefix", Values: []string{"data/*"}},
		{Operator: "StringNotLikeIfExists", Key: "s3:prefix", Values: []string{"logs/*"}},
		{Operator: "StringEquals", Key: "kms:ViaService", Values: []string{"s3.us-east-1.amazonaws.com"}},
		{Operator: "StringEquals", Key: "kms:CallerAccount", Values: []string{pick(accts)}},
		{Operator: "StringEquals", Key: "aws:PrincipalOrgID", Values: []string{"o-prop12345"}},
		{Operator: "StringNotEqualsIfExists", Key: "aws:ResourceOrgID", Values: []string{"o-prop12345"}},
		{Operator: "StringEquals", Key: "aws:ResourceOrgID", Values: []string{"o-prop12345"}},
		{Operator: "StringNotEquals", Key: "aws:PrincipalAccount", Values: []string{pick(accts)}},
		{Operator: "Null", Key: "aws:SourceAccount", Values: []string{"true"}},
		{Operator: "ArnLike", Key: "aws:PrincipalArn", Values: []string{"arn:aws:iam::*:role/r0"}},
		{Operator: "Bool", Key: "aws:ViaAWSService", Values: []string{"true"}},
		{Operator: "DateLessThan", Key: "aws:CurrentTime", Values: []string{propStart.Add(30 * time.Hour).Format(time.RFC3339)}},
		{Operator: "StringEquals", Key: "aws:ResourceAccount", Values: []string{pick(accts)}},
	}
	dataActions := []string{"s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:*", "s3:Get*", "kms:*",
		"kms:Decrypt", "kms:GenerateDataKey*", "kms:Encrypt", "*", "s3:List*"}
	statement := func(resources []string, principal bool, deny bool) StatementDoc {
		st := StatementDoc{Effect: ref("Allow"), Pos: pos}
		if deny || r.IntN(5) == 0 {
			st.Effect = ref("Deny")
		}
		acts := []Ref{ref(pick(dataActions))}
		if r.IntN(3) == 0 {
			acts = append(acts, ref(pick(dataActions)))
		}
		if r.IntN(8) == 0 {
			st.NotAction = acts
		} else {
			st.Action = acts
		}
		st.Resource = []Ref{ref(pick(resources))}
		if principal {
			st.PrincipalPos = pos
			for range 1 + r.IntN(2) {
				a := pick(accts)
				v := pick([]string{"*", a, "arn:aws:iam::" + a + ":root", "arn:aws:iam::" + a + ":role/r0",
					"arn:aws:iam::" + a + ":role/r1", "arn:aws:sts::" + a + ":assumed-role/r0/SageMaker"})
				st.Principals = append(st.Principals, PrincipalDoc{Kind: "AWS", Value: ref(v)})
			}
			if r.IntN(8) == 0 {
				st.Principals = append(st.Principals, PrincipalDoc{Kind: "Service", Value: ref("sagemaker.amazonaws.com")})
			}
		}
		if r.IntN(3) == 0 {
			st.Conditions = append(st.Conditions, dataConds[r.IntN(len(dataConds))])
		}
		return st
	}
	resourceDoc := func(resources []string) *PolicyDoc {
		doc := &PolicyDoc{Pos: pos}
		for range 1 + r.IntN(3) {
			doc.Statements = append(doc.Statements, statement(resources, true, false))
		}
		return doc
	}

	var keyIDs []string
	for i := range 1 + r.IntN(3) {
		k := KeyConfig{ID: ref(fmt.Sprintf("key-%d", i)), Account: ref(pick(accts)), Pos: pos}
		if r.IntN(2) == 0 {
			k.Alias = ref(fmt.Sprintf("alias/k%d", i))
		}
		if r.IntN(3) > 0 {
			k.Policy = resourceDoc([]string{"*", "arn:aws:kms:us-east-1:*:key/*", "arn:aws:kms:*:*:key/key-0"})
		}
		cfg.Keys = append(cfg.Keys, k)
		keyIDs = append(keyIDs, k.ID.S)
	}
	for i := range 1 + r.IntN(3) {
		name := fmt.Sprintf("bucket-%d", i)
		b := BucketConfig{Name: ref(name), Account: ref(pick(accts)), Pos: pos}
		if r.IntN(2) == 0 {
			b.KMSKey = ref(pick(keyIDs))
		}
		if r.IntN(4) > 0 {
			b.Policy = resourceDoc([]string{"arn:aws:s3:::" + name, "arn:aws:s3:::" + name + "/*",
				"arn:aws:s3:::" + name + "/data/*", "arn:aws:s3:::*", "*"})
		}
		cfg.Buckets = append(cfg.Buckets, b)
	}

	identityRes := []string{"*", "arn:aws:s3:::bucket-0", "arn:aws:s3:::bucket-0/*", "arn:aws:s3:::bucket-*/data/*",
		"arn:aws:s3:::*", "arn:aws:kms:*:*:key/*", "arn:aws:kms:us-east-1:" + pick(accts) + ":key/*"}
	for i := range cfg.Policies {
		for range r.IntN(3) {
			cfg.Policies[i].Statements = append(cfg.Policies[i].Statements, statement(identityRes, false, false))
		}
	}
	rcpActions := slices.DeleteFunc(slices.Clone(dataActions), func(a string) bool { return a == "*" })
	targets := []string{"/", pick(accts)}
	for _, u := range cfg.Org.Units {
		targets = append(targets, u.Path.S)
	}
	for i := range r.IntN(3) {
		name := fmt.Sprintf("rcp%d", i)
		doc := PolicyDoc{Name: name}
		for range 1 + r.IntN(2) {
			st := statement(identityRes, true, true)
			st.Principals = []PrincipalDoc{{Kind: "AWS", Value: ref("*")}}
			// RCPs name their actions: neither "*" nor NotAction.
			st.Action, st.NotAction = []Ref{ref(pick(rcpActions))}, nil
			doc.Statements = append(doc.Statements, st)
		}
		cfg.Policies = append(cfg.Policies, doc)
		cfg.Org.RCPs = append(cfg.Org.RCPs, RCPConfig{Target: ref(pick(targets)), Policies: []Ref{ref(name)}})
	}
	return cfg
}

// randomAccesses interns reads and writes of every bucket of w.
func randomAccesses(r *rand.Rand, w *World) []DataAccessID {
	var out []DataAccessID
	for b := range BucketID(w.NumBuckets()) {
		k := NoKey
		if w.NumKeys() > 0 && r.IntN(2) == 0 {
			k = KeyID(r.IntN(w.NumKeys()))
		}
		accesses := slices.Concat(w.ReadAccesses(b, "data/train.csv"), w.ReadAccesses(b, "logs/"),
			w.WriteAccesses(b, "out/model.tar.gz", k))
		for _, a := range accesses {
			out = append(out, w.InternDataAccess(a))
		}
	}
	return out
}

// TestDecideDataAgreesWithExplainData is the data plane's differential
// property test: over random scenarios with buckets, keys, bucket and key
// policies, RCPs and SCPs, same- and cross-account roles, the cached fast
// path and the explain path give the same reason for every (principal,
// access, time), with the timeline applied between; every reason occurs.
func TestDecideDataAgreesWithExplainData(t *testing.T) {
	t.Parallel()
	n := 300
	if testing.Short() {
		n = 60
	}
	built, compared := 0, 0
	var seen [NumDataReasons]int
	for seed := range uint64(n) {
		r := rand.New(rand.NewPCG(seed, 11))
		cfg := randomDataConfig(r)
		w, errs := NewWorld(cfg)
		if w == nil {
			continue
		}
		built++
		_ = errs
		ids := randomAccesses(r, w)
		for _, at := range decisionTimes(r, w, 8) {
			if at < 0 {
				continue
			}
			w.AdvanceTo(at)
			for p := range PrincipalID(w.NumPrincipals()) {
				for _, id := range ids {
					fast := w.DecideData(p, id, at)
					ex := w.ExplainData(p, w.DataAccessOf(id), at)
					compared++
					seen[fast]++
					if fast != ex.Reason {
						a := w.DataAccessOf(id)
						t.Fatalf("seed %d: %s %s on %s at %s: DecideData=%s ExplainData=%s\nlayers: %+v",
							seed, w.CallerString(p), a.Action, w.DataResource(a), at, fast, ex.Reason, ex.Layers)
					}
					if (ex.Decision == Allow) != (ex.Reason == DataAllowed) || (ex.Message() == "") != (ex.Decision == Allow) {
						t.Fatalf("seed %d: decision %s, reason %s, message %q disagree", seed, ex.Decision, ex.Reason, ex.Message())
					}
				}
			}
		}
	}
	require.Greater(t, built, n/2, "most random scenarios must be valid")
	for r := DataAllowed; r < NumDataReasons; r++ {
		assert.Positive(t, seen[r], "reason %s never occurred", r)
	}
	t.Logf("%d scenarios, %d data decisions compared, by reason %v", built, compared, seen)
}

// dataConfig is a two-account configuration: the owner 111111111111 runs
// its pipelines as role/Exec; the consumer 222222222222 owns the bucket
// research-data, encrypted with its key research (a key policy naming
// nobody yet), and the owner owns the bucket owner-data with AWS's
// default key policy on its key owner-key.
func dataConfig() *Config {
	c := baseConfig()
	c.Accounts[0].Principals = []PrincipalConfig{{Name: rf("role/Exec", 3), Policies: []Ref{rf("exec", 3)}}}
	allow := func(acts ...string) StatementDoc {
		st := StatementDoc{Pos: at(30, 1), Effect: rf("Allow", 30), Resource: []Ref{rf("*", 30)}}
		for _, a := range acts {
			st.Action = append(st.Action, rf(a, 30))
		}
		return st
	}
	c.Policies = append(c.Policies, PolicyDoc{Name: "exec", Pos: at(29, 1),
		Statements: []StatementDoc{allow("s3:GetObject", "s3:ListBucket", "s3:PutObject", "kms:Decrypt", "kms:GenerateDataKey")}})
	c.Keys = []KeyConfig{
		{ID: rf("k-research", 40), Alias: rf("alias/research", 40), Account: rf("222222222222", 40), Pos: at(40, 1),
			Policy: &PolicyDoc{Pos: at(41, 1), Statements: []StatementDoc{{Pos: at(42, 1), Effect: rf("Allow", 42),
				PrincipalPos: at(42, 5), Principals: []PrincipalDoc{{Kind: "AWS", Value: rf("222222222222", 42)}},
				Action: []Ref{rf("kms:*", 42)}, Resource: []Ref{rf("*", 42)}}}}},
		{ID: rf("k-owner", 43), Alias: rf("alias/owner-key", 43), Account: rf("111111111111", 43), Pos: at(43, 1)},
	}
	c.Buckets = []BucketConfig{
		{Name: rf("research-data", 50), Account: rf("222222222222", 50), KMSKey: rf("alias/research", 50), Pos: at(50, 1),
			Policy: &PolicyDoc{Pos: at(51, 1), Statements: []StatementDoc{{Pos: at(52, 1), Sid: "OwnerReads", Effect: rf("Allow", 52),
				PrincipalPos: at(52, 5), Principals: []PrincipalDoc{{Kind: "AWS", Value: rf("arn:aws:iam::111111111111:role/Exec", 52)}},
				Action:   []Ref{rf("s3:GetObject", 52), rf("s3:ListBucket", 52)},
				Resource: []Ref{rf("arn:aws:s3:::research-data", 52), rf("arn:aws:s3:::research-data/*", 52)}}}}},
		{Name: rf("owner-data", 53), Account: rf("111111111111", 53), KMSKey: rf("k-owner", 53), Pos: at(53, 1)},
	}
	return c
}

// withBoundary gives role/Exec of dataConfig a permissions boundary that
// allows only action.
func withBoundary(c *Config, action string) {
	c.Policies = append(c.Policies, PolicyDoc{Name: "boundary", Statements: []StatementDoc{{Pos: at(80, 1),
		Effect: rf("Allow", 80), Action: []Ref{rf(action, 80)}, Resource: []Ref{rf("*", 80)}}}})
	c.Accounts[0].Principals[0].Boundary = rf("boundary", 81)
}

func TestDataDecisions(t *testing.T) {
	const read, write = true, false
	principal := func(v string) []PrincipalDoc { return []PrincipalDoc{{Kind: "AWS", Value: rf(v, 60)}} }
	stmt := func(effect string, who []PrincipalDoc, action string, cond ...ConditionDoc) StatementDoc {
		st := StatementDoc{Pos: at(60, 1), Effect: rf(effect, 60), Action: []Ref{rf(action, 60)},
			Resource: []Ref{rf("*", 60)}, Conditions: cond}
		if who != nil {
			st.PrincipalPos, st.Principals = at(60, 5), who
		}
		return st
	}
	tests := []struct {
		name    string
		mutate  func(c *Config)
		bucket  string
		read    bool
		action  DataAction
		want    DataReason
		message string
	}{
		{"cross-account read allowed by both sides", nil, "research-data", read, S3GetObject, DataAllowed, ""},
		{"cross-account write: no bucket statement", nil, "research-data", write, S3PutObject, DataNoResourceAllow,
			`User: arn:aws:sts::111111111111:assumed-role/Exec/SageMaker is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::research-data/in/x.csv" because no resource-based policy allows the s3:PutObject action`},
		{"cross-account KMS: the key policy trusts only its own account", nil, "research-data", read, KMSDecrypt, DataNoResourceAllow,
			"User: arn:aws:sts::111111111111:assumed-role/Exec/SageMaker is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:222222222222:key/k-research because no resource-based policy allows the kms:Decrypt action"},
		{"cross-account KMS: the key policy trusts the owner account", func(c *Config) {
			c.Keys[0].Policy.Statements = append(c.Keys[0].Policy.Statements,
				stmt("Allow", principal("arn:aws:iam::111111111111:root"), "kms:Decrypt"))
		}, "research-data", read, KMSDecrypt, DataAllowed, ""},
		{"cross-account: no identity allow", func(c *Config) {
			c.Policies[1].Statements[0].Action = []Ref{rf("s3:PutObject", 30)}
		}, "research-data", read, S3GetObject, DataNoIdentityAllow,
			`User: arn:aws:sts::111111111111:assumed-role/Exec/SageMaker is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::research-data/in/x.csv" because no identity-based policy allows the s3:GetObject action`},
		{"same account S3: the identity policy suffices", nil, "owner-data", read, S3GetObject, DataAllowed, ""},
		{"same account S3: the bucket policy suffices", func(c *Config) {
			c.Policies[1].Statements[0].Action = []Ref{rf("kms:*", 30)}
			c.Buckets[1].Policy = &PolicyDoc{Statements: []StatementDoc{stmt("Allow", principal("arn:aws:iam::111111111111:role/Exec"), "s3:*")}}
		}, "owner-data", write, S3PutObject, DataAllowed, ""},
		{"same account S3: an account principal delegates, it does not grant", func(c *Config) {
			c.Policies[1].Statements[0].Action = []Ref{rf("kms:*", 30)}
			c.Buckets[1].Policy = &PolicyDoc{Statements: []StatementDoc{stmt("Allow", principal("111111111111"), "s3:*")}}
		}, "owner-data", write, S3PutObject, DataNoIdentityAllow, ""},
		{"same account KMS: the default key policy delegates to IAM", nil, "owner-data", read, KMSDecrypt, DataAllowed, ""},
		{"same account KMS: delegation without an identity allow", func(c *Config) {
			c.Policies[1].Statements[0].Action = []Ref{rf("s3:*", 30)}
		}, "owner-data", read, KMSDecrypt, DataNoIdentityAllow, ""},
		{"same account KMS: a key policy naming nobody here", func(c *Config) {
			c.Keys[1].Policy = &PolicyDoc{Statements: []StatementDoc{stmt("Allow", principal("222222222222"), "kms:*")}}
		}, "owner-data", read, KMSDecrypt, DataNoResourceAllow, ""},
		{"same account KMS: a key policy naming the role needs no identity allow", func(c *Config) {
			c.Policies[1].Statements[0].Action = []Ref{rf("s3:*", 30)}
			c.Keys[1].Policy = &PolicyDoc{Statements: []StatementDoc{stmt("Allow", principal("arn:aws:iam::111111111111:role/Exec"), "kms:Decrypt")}}
		}, "owner-data", read, KMSDecrypt, DataAllowed, ""},
		// The boundary cases of AWS's table "Resource-based policies and
		// implicit denies in other policy types (same account)": a grant
		// to the role's ARN is limited by the boundary, one to the session
		// (its ARN, or "*") is not. Found by the differential oracle.
		{"same account S3: a grant to the role's ARN stays within the boundary", func(c *Config) {
			withBoundary(c, "kms:*")
			c.Buckets[1].Policy = &PolicyDoc{Statements: []StatementDoc{stmt("Allow", principal("arn:aws:iam::111111111111:role/Exec"), "s3:*")}}
		}, "owner-data", read, S3GetObject, DataNoIdentityAllow,
			`User: arn:aws:sts::111111111111:assumed-role/Exec/SageMaker is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::owner-data/in/x.csv" because no permissions boundary policy allows the s3:GetObject action`},
		{"same account S3: a grant to the session is not limited by the boundary", func(c *Config) {
			withBoundary(c, "kms:*")
			c.Buckets[1].Policy = &PolicyDoc{Statements: []StatementDoc{stmt("Allow", principal("arn:aws:sts::111111111111:assumed-role/Exec/SageMaker"), "s3:*")}}
		}, "owner-data", read, S3GetObject, DataAllowed, ""},
		{"same account KMS: a key policy granting \"*\" is not limited by the boundary", func(c *Config) {
			withBoundary(c, "s3:*")
			c.Keys[1].Policy = &PolicyDoc{Statements: []StatementDoc{stmt("Allow", principal("*"), "kms:Decrypt")}}
		}, "owner-data", read, KMSDecrypt, DataAllowed, ""},
		{"cross-account: a grant to the session still needs the boundary", func(c *Config) {
			withBoundary(c, "kms:*")
			c.Buckets[0].Policy.Statements[0].Principals = principal("arn:aws:sts::111111111111:assumed-role/Exec/SageMaker")
		}, "research-data", read, S3GetObject, DataNoIdentityAllow, ""},
		{"explicit deny in the bucket policy wins", func(c *Config) {
			c.Buckets[0].Policy.Statements = append(c.Buckets[0].Policy.Statements, stmt("Deny", principal("*"), "s3:*",
				ConditionDoc{Operator: "StringNotEquals", Key: "aws:PrincipalOrgID", Values: []string{"o-other"}}))
		}, "research-data", read, S3GetObject, DataResourceDeny,
			`User: arn:aws:sts::111111111111:assumed-role/Exec/SageMaker is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::research-data/in/x.csv" with an explicit deny in a resource-based policy`},
		{"an RCP of the bucket's account denies outside callers", func(c *Config) {
			c.Policies = append(c.Policies, PolicyDoc{Name: "rcp", Statements: []StatementDoc{stmt("Deny", principal("*"), "s3:*",
				ConditionDoc{Operator: "StringNotEquals", Key: "aws:PrincipalAccount", Values: []string{"222222222222"}})}})
			c.Org.RCPs = []RCPConfig{{Target: rf("/prod", 61), Policies: []Ref{rf("rcp", 61)}}}
		}, "research-data", read, S3ListBucket, DataRCP,
			`User: arn:aws:sts::111111111111:assumed-role/Exec/SageMaker is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::research-data" with an explicit deny in a resource control policy`},
		{"an SCP of the role's account denies KMS", func(c *Config) {
			c.Policies = append(c.Policies, PolicyDoc{Name: "scp", Statements: []StatementDoc{stmt("Deny", nil, "kms:*")}})
			c.Accounts[0].SCPs = []Ref{rf("scp", 62)}
			c.Org.Management = rf("222222222222", 1) // SCPs do not bind the management account
		}, "owner-data", read, KMSDecrypt, DataSCP, ""},
		{"s3:prefix narrows a listing", func(c *Config) {
			c.Buckets[0].Policy.Statements[0].Conditions = []ConditionDoc{{Operator: "StringLike", Key: "s3:prefix", Values: []string{"other/*"}}}
		}, "research-data", read, S3ListBucket, DataNoResourceAllow, ""},
		{"kms:ViaService names S3 in the bucket's region", func(c *Config) {
			c.Keys[0].Policy.Statements = append(c.Keys[0].Policy.Statements,
				stmt("Allow", principal("*"), "kms:Decrypt",
					ConditionDoc{Operator: "StringEquals", Key: "kms:ViaService", Values: []string{"s3.us-east-1.amazonaws.com"}},
					ConditionDoc{Operator: "StringEquals", Key: "kms:CallerAccount", Values: []string{"111111111111"}}))
		}, "research-data", read, KMSDecrypt, DataAllowed, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := dataConfig()
			if tc.mutate != nil {
				tc.mutate(c)
			}
			w, errs := NewWorld(c)
			require.NotNil(t, w, "%v", errs)
			role := w.AccountPrincipals("111111111111")[1]
			b, ok := w.LookupBucket(tc.bucket)
			require.True(t, ok)
			accesses := w.WriteAccesses(b, "in/x.csv", NoKey)
			if tc.read {
				accesses = w.ReadAccesses(b, "in/x.csv")
			}
			i := slices.IndexFunc(accesses, func(a DataAccess) bool { return a.Action == tc.action })
			require.GreaterOrEqual(t, i, 0, "no %s in %v", tc.action, accesses)
			ex := w.ExplainData(role, accesses[i], 0)
			assert.Equal(t, tc.want, ex.Reason, "layers %+v", ex.Layers)
			assert.Equal(t, tc.want, w.DecideData(role, w.InternDataAccess(accesses[i]), 0))
			if tc.message != "" {
				assert.Equal(t, tc.message, ex.Message())
			}
		})
	}
}

func TestDataConfigErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Config)
		want   string
	}{
		{"unknown bucket key", func(c *Config) { c.Buckets[0].KMSKey = rf("alias/nope", 50) }, `s.yaml:50:3: unknown key "alias/nope"`},
		{"key policy statement without a principal", func(c *Config) {
			c.Keys[0].Policy.Statements[0].PrincipalPos = Pos{}
		}, "s.yaml:42:1: a statement of the key policy of alias/research has no Principal"},
		{"bucket in another region", func(c *Config) { c.Buckets[1].Region = rf("eu-west-1", 53) },
			"s.yaml:53:3: warning: bucket owner-data is in eu-west-1, the pipelines in us-east-1"},
		{"key of another region", func(c *Config) { c.Keys[1].Region = rf("eu-west-1", 43) },
			"s.yaml:53:3: key k-owner is in eu-west-1, bucket owner-data in us-east-1"},
		{"duplicate bucket", func(c *Config) { c.Buckets[1].Name = rf("research-data", 53) },
			`s.yaml:53:3: duplicate bucket "research-data"`},
		{"wildcard principal", func(c *Config) {
			c.Buckets[0].Policy.Statements[0].Principals[0].Value = rf("arn:aws:iam::111111111111:role/*", 52)
		}, `s.yaml:52:3: principal "arn:aws:iam::111111111111:role/*": a Principal takes no wildcard`},
		{"RCP that allows", func(c *Config) {
			c.Policies = append(c.Policies, PolicyDoc{Name: "rcp", Statements: []StatementDoc{{Pos: at(70, 1),
				Effect: rf("Allow", 70), PrincipalPos: at(70, 9), Principals: []PrincipalDoc{{Kind: "AWS", Value: rf("*", 70)}},
				Action: []Ref{rf("s3:*", 70)}, Resource: []Ref{rf("*", 70)}}}})
			c.Org.RCPs = []RCPConfig{{Target: rf("/", 71), Policies: []Ref{rf("rcp", 71)}}}
		}, `s.yaml:70:1: RCP "rcp" allows: RCPs only deny`},
		{"RCP denying every action", func(c *Config) {
			c.Policies = append(c.Policies, PolicyDoc{Name: "rcp", Statements: []StatementDoc{{Pos: at(70, 1),
				Effect: rf("Deny", 70), PrincipalPos: at(70, 9), Principals: []PrincipalDoc{{Kind: "AWS", Value: rf("*", 70)}},
				Action: []Ref{rf("*", 72)}, Resource: []Ref{rf("*", 70)}}}})
			c.Org.RCPs = []RCPConfig{{Target: rf("/", 71), Policies: []Ref{rf("rcp", 71)}}}
		}, `s.yaml:72:3: RCP "rcp": Action "*" is not supported in RCPs`},
		{"RCP with NotAction", func(c *Config) {
			c.Policies = append(c.Policies, PolicyDoc{Name: "rcp", Statements: []StatementDoc{{Pos: at(70, 1),
				Effect: rf("Deny", 70), PrincipalPos: at(70, 9), Principals: []PrincipalDoc{{Kind: "AWS", Value: rf("*", 70)}},
				NotAction: []Ref{rf("s3:GetObject", 72)}, Resource: []Ref{rf("*", 70)}}}})
			c.Org.RCPs = []RCPConfig{{Target: rf("/", 71), Policies: []Ref{rf("rcp", 71)}}}
		}, `s.yaml:72:3: RCP "rcp": NotAction is not supported in RCPs`},
		{"RCP on an outside account", func(c *Config) {
			c.Policies = append(c.Policies, PolicyDoc{Name: "rcp", Statements: []StatementDoc{{Pos: at(70, 1),
				Effect: rf("Deny", 70), PrincipalPos: at(70, 9), Principals: []PrincipalDoc{{Kind: "AWS", Value: rf("*", 70)}},
				Action: []Ref{rf("s3:*", 70)}, Resource: []Ref{rf("*", 70)}}}})
			c.Org.RCPs = []RCPConfig{{Target: rf("999999999999", 71), Policies: []Ref{rf("rcp", 71)}}}
		}, "s.yaml:71:3: account 999999999999 is outside the organization: RCPs apply to member accounts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := dataConfig()
			tc.mutate(c)
			_, errs := NewWorld(c)
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			assert.True(t, slices.ContainsFunc(got, func(s string) bool { return len(s) >= len(tc.want) && s[:len(tc.want)] == tc.want }),
				"want %q in %q", tc.want, got)
		})
	}
}

// TestRCPTimeline attaches an RCP to the bucket's OU at 10h and to its
// account at 30h, and detaches the first at 20h: DecideData and
// ExplainData follow the timeline, and restoring a saved state (as a walk
// of the timeline in blocks does) puts the RCPs back too.
func TestRCPTimeline(t *testing.T) {
	const hour = Time(3600e9)
	c := dataConfig()
	rcp := PolicyDoc{Name: "rcp", Statements: []StatementDoc{{Pos: at(60, 1),
		Effect: rf("Deny", 60), PrincipalPos: at(60, 5), Principals: []PrincipalDoc{{Kind: "AWS", Value: rf("*", 60)}},
		Action: []Ref{rf("s3:*", 60)}, Resource: []Ref{rf("*", 60)},
		Conditions: []ConditionDoc{{Operator: "StringNotEquals", Key: "aws:PrincipalAccount", Values: []string{"222222222222"}}}}}}
	c.Policies = append(c.Policies, rcp)
	c.Events = []EventConfig{
		{At: 10 * hour, Kind: EventAttachRCP, Target: rf("ou:/prod", 70), Policy: rf("rcp", 70), Pos: at(70, 1)},
		{At: 20 * hour, Kind: EventDetachRCP, Target: rf("ou:/prod", 71), Policy: rf("rcp", 71), Pos: at(71, 1)},
		{At: 30 * hour, Kind: EventAttachRCP, Target: rf("222222222222", 72), Policy: rf("rcp", 72), Pos: at(72, 1)},
	}
	w, errs := NewWorld(c)
	require.NotNil(t, w, "%v", errs)
	role := w.AccountPrincipals("111111111111")[1]
	b, _ := w.LookupBucket("research-data")
	list := w.ReadAccesses(b, "in/x.csv")[0]
	require.Equal(t, S3ListBucket, list.Action)
	id := w.InternDataAccess(list)
	saved := w.saveEvents()
	for _, step := range []struct {
		at   Time
		want DataReason
	}{{0, DataAllowed}, {10 * hour, DataRCP}, {15 * hour, DataRCP}, {20 * hour, DataAllowed}, {30 * hour, DataRCP}} {
		w.AdvanceTo(step.at)
		assert.Equal(t, step.want, w.DecideData(role, id, step.at), "at %v", step.at)
		assert.Equal(t, step.want, w.ExplainData(role, list, step.at).Reason, "at %v", step.at)
	}
	w.restoreEvents(saved)
	assert.Equal(t, DataAllowed, w.DecideData(role, id, 0), "restored to the start")

	for _, tc := range []struct {
		name  string
		event EventConfig
		want  string
	}{
		{"principal", EventConfig{Kind: EventAttachRCP, Target: rf("222222222222/role/X", 73), Policy: rf("rcp", 73)},
			`s.yaml:73:3: an RCP is attached to an OU (ou:/path) or an account, not to principal 222222222222/role/X`},
		{"outside the organization", EventConfig{Kind: EventDetachRCP, Target: rf("999999999999", 73), Policy: rf("rcp", 73)},
			"s.yaml:73:3: account 999999999999 is outside the organization: RCPs apply to member accounts"},
		{"an organization.rcps path", EventConfig{Kind: EventAttachRCP, Target: rf("/prod", 73), Policy: rf("rcp", 73)},
			"s.yaml:73:3: an event's target is ou:/path or an account ID: write ou:/prod"},
		{"the management account", EventConfig{Kind: EventAttachRCP, Target: rf("111111111111", 73), Policy: rf("rcp", 73)},
			"s.yaml:73:3: warning: RCPs do not apply to the management account's resources: attach_rcp changes nothing"},
		{"an allowing policy", EventConfig{Kind: EventAttachRCP, Target: rf("ou:/prod", 73), Policy: rf("exec", 73)},
			`s.yaml:30:1: RCP "exec" allows: RCPs only deny`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dataConfig()
			c.Policies = append(c.Policies, rcp)
			c.Events = []EventConfig{tc.event}
			_, errs := NewWorld(c)
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			assert.Contains(t, strings.Join(got, "\n"), tc.want)
			if tc.event.Policy.S == "rcp" {
				assert.NotContains(t, strings.Join(got, "\n"), "Principal is not allowed", "a wrong target does not make the RCP an identity policy")
			}
		})
	}
}

// TestUnattachedRCP checks that a policy with a Principal that nothing
// attaches is a warning that says how to attach it, not an error about
// identity policies.
func TestUnattachedRCP(t *testing.T) {
	c := dataConfig()
	c.Policies = append(c.Policies, PolicyDoc{Name: "rcp", Pos: at(60, 1), Statements: []StatementDoc{{Pos: at(61, 1),
		Effect: rf("Deny", 61), PrincipalPos: at(61, 5), Principals: []PrincipalDoc{{Kind: "AWS", Value: rf("*", 61)}},
		Action: []Ref{rf("s3:*", 61)}, Resource: []Ref{rf("*", 61)}}}})
	w, errs := NewWorld(c)
	require.NotNil(t, w, "%v", errs)
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	assert.Equal(t, []string{`s.yaml:60:1: warning: policy "rcp" is not used (with a Principal, it can only be an RCP: attach it in organization.rcps or by an attach_rcp event)`}, got)
}
