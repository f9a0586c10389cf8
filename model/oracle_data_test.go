//go:build oracle

package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// The data plane's half of TestOracle: S3 and KMS requests of execution
// role sessions (docs/aws-semantics.md#how-a-data-access-is-decided),
// in random scenarios with buckets, keys, bucket and key policies, RCPs
// and SCPs (randomDataConfig), by roles of the resource's account and of
// others.

// oracleDataAccess is the request of a data-plane case; the case's caller
// is the role ("ACCT/role/X") whose session makes it.
type oracleDataAccess struct {
	action DataAction
	bucket string // the bucket read or written; for KMS, whose objects the key encrypts
	object string // the object key, or s3:ListBucket's s3:prefix; "" for KMS
	key    string // the KMS key's ID, for KMS actions
}

// oracleDataConfig is randomDataConfig settled as oracleConfig settles
// randomConfig, and half the time with a data-perimeter SCP attached
// somewhere in the organization (a Deny of a data action, often only on
// resources outside the organization), so that every class of the data
// plane occurs in CI's 1,000 cases.
func oracleDataConfig(r *rand.Rand) *Config {
	cfg := randomDataConfig(r)
	settleOracleConfig(cfg)
	if r.IntN(2) == 0 {
		ref := func(s string) Ref { return Ref{S: s} }
		st := StatementDoc{Effect: ref("Deny"), Resource: []Ref{ref("*")},
			Action: []Ref{ref([]string{"s3:PutObject", "kms:*", "s3:GetObject", "s3:List*"}[r.IntN(4)])}}
		if r.IntN(3) > 0 {
			st.Conditions = []ConditionDoc{{Operator: "StringNotEqualsIfExists", Key: "aws:ResourceOrgID", Values: []string{cfg.Org.ID}}}
		}
		cfg.Policies = append(cfg.Policies, PolicyDoc{Name: "data-perimeter", Statements: []StatementDoc{st}})
		if i := r.IntN(len(cfg.Org.Units) + 1); i < len(cfg.Org.Units) {
			cfg.Org.Units[i].SCPs = append(cfg.Org.Units[i].SCPs, ref("data-perimeter"))
		} else {
			a := &cfg.Accounts[r.IntN(len(cfg.Accounts))]
			a.SCPs = append(a.SCPs, ref("data-perimeter"))
		}
	}
	return cfg
}

// oracleDataCasesFor draws n data accesses in w (built from cfg): a role,
// a read of an object or a prefix or a write of a bucket (with the
// bucket's key, or another key for the write), and one of its requests.
func oracleDataCasesFor(r *rand.Rand, w *World, cfg *Config, n int) []*oracleCase {
	const hour = Time(time.Hour)
	var roles []PrincipalID
	for p := range PrincipalID(w.NumPrincipals()) {
		if w.IsRole(p) {
			roles = append(roles, p)
		}
	}
	if len(roles) == 0 || w.NumBuckets() == 0 {
		return nil
	}
	var out []*oracleCase
	for range n {
		b := BucketID(r.IntN(w.NumBuckets()))
		var accesses []DataAccess
		switch r.IntN(3) {
		case 0:
			accesses = w.ReadAccesses(b, "data/train.csv")
		case 1:
			accesses = w.ReadAccesses(b, "logs/")
		default:
			k := NoKey
			if w.NumKeys() > 0 && r.IntN(2) == 0 {
				k = KeyID(r.IntN(w.NumKeys()))
			}
			accesses = w.WriteAccesses(b, "out/model.tar.gz", k)
		}
		a := accesses[r.IntN(len(accesses))]
		// Half the requests are made by a role of the resource's
		// account, when it has one: same-account rules differ.
		p := roles[r.IntN(len(roles))]
		if r.IntN(2) == 0 {
			owner := w.BucketAccount(a.Bucket)
			if a.Action.IsKMS() {
				owner = w.KeyAccount(a.Key)
			}
			if own := slices.DeleteFunc(slices.Clone(roles), func(q PrincipalID) bool { return w.PrincipalAccount(q) != owner }); len(own) > 0 {
				p = own[r.IntN(len(own))]
			}
		}
		d := &oracleDataAccess{action: a.Action, bucket: w.BucketName(a.Bucket), object: a.Object}
		if a.Action.IsKMS() {
			d.object, d.key = "", w.data.keys[a.Key].id
		}
		// Times on and next to randomDataConfig's aws:CurrentTime values
		// (20h, 30h, 40h), else anywhere in [20h, 60h), in whole seconds.
		sec := Time(time.Second)
		at := oracleFrom + Time(r.IntN(40*3600))*sec
		if k := r.IntN(10); k < 5 {
			at = []Time{30*hour - sec, 30 * hour, 30*hour + sec, 40*hour - sec, 40 * hour}[k]
		}
		out = append(out, &oracleCase{cfg: cfg, caller: w.CallerString(p), data: d, at: at})
	}
	return out
}

// pipeshareDataAnswer asks w (built from c.cfg; nil if it did not build)
// about data case c, with ExplainData and the cached DecideData.
func pipeshareDataAnswer(w *World, c *oracleCase) psAnswer {
	if w == nil {
		return psAnswer{}
	}
	d := c.data
	ps, err := w.LookupCallers(c.caller)
	if err != nil || !w.IsRole(ps[0]) {
		return psAnswer{}
	}
	b, ok := w.LookupBucket(d.bucket)
	if !ok {
		return psAnswer{}
	}
	a := DataAccess{Action: d.action, Bucket: b, Object: d.object, Key: NoKey}
	if d.action.IsKMS() {
		if a.Key, ok = w.LookupKey(d.key); !ok {
			return psAnswer{}
		}
	}
	ex := w.ExplainData(ps[0], a, c.at)
	fast := w.DecideData(ps[0], w.InternDataAccess(a), c.at)
	ans := psAnswer{reason: ex.Reason.String(), message: ex.Message(), class: pipeshareDataClass(&ex), layers: layersString(ex.Layers[:])}
	if fast != ex.Reason {
		ans.err = fmt.Sprintf("DecideData says %s, ExplainData %s", fast, ex.Reason)
	}
	return ans
}

// pipeshareDataClass reduces a data explanation to what the oracle can
// tell apart.
func pipeshareDataClass(ex *DataExplanation) string {
	switch ex.Reason {
	case DataAllowed:
		return "data:allowed"
	case DataExplicitDeny:
		return "data:explicit_deny"
	case DataSCP:
		for _, m := range ex.Layers[1].Matched {
			if m.Effect == EffectDeny {
				return "data:scp:explicit"
			}
		}
		return "data:scp:implicit"
	case DataRCP:
		return "data:rcp"
	case DataResourceDeny:
		return "data:resource_deny"
	case DataNoIdentityAllow:
		return "data:implicit:identity"
	case DataNoResourceAllow:
		return "data:implicit:resource"
	}
	return "unexpected:" + ex.Reason.String()
}

// dataClass reduces the oracle's answer to a data access as
// pipeshareDataClass does pipeshare's, by the order of
// docs/aws-semantics.md#how-a-data-access-is-decided applied to the
// per-policy-type results: explicit denies (identity or boundary, SCP,
// RCP, resource policy), then the SCPs' implicit deny, then which side
// lacks an allow.
func (o *oracleAnswer) dataClass(kms bool) string {
	resourceAllows := o.Resource == "Allowed" || o.Resource == "AllowedForAccount"
	switch o.Result {
	case "Allowed":
		return "data:allowed"
	case "ExplicitlyDenied":
		switch {
		case o.Identity == "ExplicitlyDenied" || o.Boundary == "ExplicitlyDenied":
			return "data:explicit_deny"
		case o.SCP == "ExplicitlyDenied":
			return "data:scp:explicit"
		case o.RCP == "ExplicitlyDenied":
			return "data:rcp"
		case o.Resource == "ExplicitlyDenied" || o.Resource == "DeniedForAccount":
			return "data:resource_deny"
		}
		return "data:explicit:unknown"
	case "ImplicitlyDenied":
		switch {
		case o.SCP != "Allowed":
			return "data:scp:implicit"
		case o.RCP != "Allowed":
			return "data:rcp:implicit" // RCPFullAWSAccess is at every level
		case o.Boundary == "ImplicitlyDenied", !o.SameAccount && o.Identity != "Allowed":
			return "data:implicit:identity"
		case o.SameAccount && kms && !resourceAllows:
			// KMS: a key policy that neither names the role nor
			// delegates to its account.
			return "data:implicit:resource"
		case o.SameAccount:
			return "data:implicit:identity"
		}
		return "data:implicit:resource"
	}
	return "invalid:" + o.Result
}

// oracleDataSimulation writes data case c as the oracle's input, from
// c.cfg alone: the request is the role session's
// (arn:aws:sts::ACCT:assumed-role/NAME/SageMaker), on the object or bucket
// ARN or the key ARN, in the resource's account, with the bucket policy or
// the key policy (AWS's default key policy for a key without one) and the
// RCPs of the resource's account per level (docs/aws-semantics.md#data-plane).
func oracleDataSimulation(c *oracleCase) *simulation {
	cfg, d := c.cfg, c.data
	o := newOracleOrg(cfg)
	sim, ctx := o.caller(c.caller, c.at)
	acctID, pname, _ := strings.Cut(c.caller, "/")
	sim.Request.Principal = "arn:aws:sts::" + acctID + ":assumed-role/" + pname[strings.LastIndexByte(pname, '/')+1:] + "/SageMaker"
	region := func(r Ref) string {
		if r.S == "" {
			return cfg.Region
		}
		return r.S
	}
	var bucket *BucketConfig
	for i := range cfg.Buckets {
		if cfg.Buckets[i].Name.S == d.bucket {
			bucket = &cfg.Buckets[i]
		}
	}
	var owner, resRegion string
	if d.action.IsKMS() {
		var key *KeyConfig
		for i := range cfg.Keys {
			if cfg.Keys[i].ID.S == d.key {
				key = &cfg.Keys[i]
			}
		}
		owner, resRegion = key.Account.S, region(key.Region)
		sim.Request.Resource.Resource = "arn:aws:kms:" + resRegion + ":" + owner + ":key/" + key.ID.S
		rp := policyJSON{Version: "2012-10-17", Statement: []stmtJSON{{Sid: "Enable IAM User Permissions", Effect: "Allow",
			Principal: map[string]any{"AWS": "arn:aws:iam::" + owner + ":root"}, Action: []string{"kms:*"}, Resource: []string{"*"}}}}
		if key.Policy != nil {
			rp = policyDocJSON(key.Policy)
		}
		sim.ResourcePolicy = &rp
		// S3 calls KMS on the session's behalf for SSE-KMS objects.
		ctx["kms:CallerAccount"] = acctID
		ctx["kms:ViaService"] = "s3." + region(bucket.Region) + ".amazonaws.com"
		ctx["aws:ViaAWSService"] = "true"
	} else {
		owner, resRegion = bucket.Account.S, region(bucket.Region)
		sim.Request.Resource.Resource = "arn:aws:s3:::" + bucket.Name.S
		if d.action == S3ListBucket {
			ctx["s3:prefix"] = d.object
		} else {
			sim.Request.Resource.Resource += "/" + d.object
		}
		if bucket.Policy != nil {
			rp := policyDocJSON(bucket.Policy)
			sim.ResourcePolicy = &rp
		}
	}
	sim.Request.Action = d.action.String()
	sim.Request.Resource.AccountID = owner
	ctx["aws:ResourceAccount"] = owner
	ctx["aws:RequestedRegion"] = resRegion
	if o.inOrg(owner) {
		ctx["aws:ResourceOrgID"] = cfg.Org.ID
		// RCPs bind the resources of member accounts, not of the
		// management account; the library adds RCPFullAWSAccess to
		// every level itself.
		if owner != cfg.Org.Management.S {
			attached := map[string][]Ref{}
			for _, a := range cfg.Org.RCPs {
				attached[a.Target.S] = append(attached[a.Target.S], a.Policies...)
			}
			for _, u := range o.levels(o.accounts[owner].OU.S) {
				sim.ResourceControlPolicies = append(sim.ResourceControlPolicies, orgLevel{OrgIdentifier: u.ID, Policies: o.named(attached[u.Path.S])})
			}
			sim.ResourceControlPolicies = append(sim.ResourceControlPolicies, orgLevel{OrgIdentifier: owner, Policies: o.named(attached[owner])})
		}
	}
	return sim
}

// shrinkDataCandidates adds to try the simplifications of a data case's
// buckets, keys and RCP attachments (shrinkCandidates does the rest).
func shrinkDataCandidates(c *oracleCase, try func(func(cfg *Config))) {
	cfg := c.cfg
	for i := range cfg.Buckets {
		b := &cfg.Buckets[i]
		if b.Name.S != c.data.bucket {
			try(func(cfg *Config) { cfg.Buckets = append(cfg.Buckets[:i:i], cfg.Buckets[i+1:]...) })
		}
		if b.KMSKey.S != "" {
			try(func(cfg *Config) { cfg.Buckets[i].KMSKey = Ref{} })
		}
		if b.Policy != nil {
			try(func(cfg *Config) { cfg.Buckets[i].Policy = nil })
			shrinkStatements(b.Policy, func(mut func(d *PolicyDoc)) { try(func(cfg *Config) { mut(cfg.Buckets[i].Policy) }) })
		}
	}
	for i := range cfg.Keys {
		k := &cfg.Keys[i]
		if k.ID.S != c.data.key {
			try(func(cfg *Config) { cfg.Keys = append(cfg.Keys[:i:i], cfg.Keys[i+1:]...) })
		}
		if k.Policy != nil {
			try(func(cfg *Config) { cfg.Keys[i].Policy = nil })
			shrinkStatements(k.Policy, func(mut func(d *PolicyDoc)) { try(func(cfg *Config) { mut(cfg.Keys[i].Policy) }) })
		}
	}
	for i := range cfg.Org.RCPs {
		try(func(cfg *Config) { cfg.Org.RCPs = append(cfg.Org.RCPs[:i:i], cfg.Org.RCPs[i+1:]...) })
	}
}
