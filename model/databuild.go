package model

import (
	"strings"
)

// This file resolves the data plane of a Config: KMS keys, buckets and
// the RCPs attached in the organization.

// dataBuilder is called by NewWorld after accounts and the organization.
func (b *builder) data(cfg *Config) {
	w := b.w
	w.data.bucketIndex = map[string]BucketID{}
	w.data.ouRCPs = make([][]PolicyID, len(w.ous))
	w.data.acctRCPs = make([][]PolicyID, len(w.accounts))
	b.keys(cfg.Keys)
	b.buckets(cfg.Buckets)
	if cfg.Org != nil {
		b.rcps(cfg.Org.RCPs)
	}
}

// region resolves a resource's region: the scenario's when none is given.
func (b *builder) region(r Ref) string {
	if r.S == "" {
		return b.w.region
	}
	if !validRegion(r.S) {
		b.errorf(r.Pos, "region %q does not look like an AWS region (e.g. us-east-1)", r.S)
	}
	return r.S
}

func (b *builder) keys(cfgs []KeyConfig) {
	w := b.w
	seen := map[string]Pos{}
	for i := range cfgs {
		c := &cfgs[i]
		acct, ok := b.account(c.Account)
		id := c.ID.S
		switch {
		case id == "" || strings.ContainsAny(id, "/: "):
			b.errorf(c.ID.Pos, "key id %q must be a KMS key ID such as 1234abcd-12ab-34cd-56ef-1234567890ab", id)
			ok = false
		case c.Alias.S != "" && (!strings.HasPrefix(c.Alias.S, "alias/") || len(c.Alias.S) == len("alias/")):
			b.errorf(c.Alias.Pos, "key alias %q must be alias/NAME", c.Alias.S)
			ok = false
		case strings.HasPrefix(c.Alias.S, "alias/aws/"):
			b.errorf(c.Alias.Pos, "key alias %q: alias/aws/ names AWS managed keys, whose key policies cannot be written", c.Alias.S)
			ok = false
		}
		for _, n := range []Ref{c.ID, c.Alias} {
			if n.S == "" {
				continue
			}
			if prev, dup := seen[n.S]; dup {
				b.errorf(n.Pos, "duplicate key %q (first defined at %s)", n.S, prev)
				ok = false
			}
			seen[n.S] = n.Pos
		}
		region := b.region(c.Region)
		if !ok {
			// Registered anyway so references to it do not add errors.
			acct = 0
		}
		k := kmsKey{id: id, alias: c.Alias.S, account: acct, region: region, pos: c.Pos}
		if len(w.accounts) > 0 {
			k.arn = "arn:aws:kms:" + region + ":" + string(w.accounts[acct].id) + ":key/" + id
		}
		doc := c.Policy
		if doc == nil {
			doc = defaultKeyPolicy(k.arn, w, acct, c.Pos)
		}
		k.policy = b.resourcePolicy(doc, "key policy of "+k.name())
		w.data.keys = append(w.data.keys, k)
	}
}

func (k *kmsKey) name() string {
	if k.alias != "" {
		return k.alias
	}
	return k.id
}

// defaultKeyPolicy is AWS's default key policy: it lets the account's IAM
// policies grant use of the key (docs/aws-semantics.md#kms-key-policies).
func defaultKeyPolicy(arn string, w *World, acct int32, pos Pos) *PolicyDoc {
	root := "*"
	if len(w.accounts) > 0 {
		root = PrincipalARN(w.accounts[acct].id, "root")
	}
	return &PolicyDoc{Pos: pos, Statements: []StatementDoc{{
		Sid: "Enable IAM User Permissions", Effect: Ref{S: "Allow", Pos: pos},
		PrincipalPos: pos, Principals: []PrincipalDoc{{Kind: "AWS", Value: Ref{S: root, Pos: pos}}},
		Action: []Ref{{S: "kms:*", Pos: pos}}, Resource: []Ref{{S: "*", Pos: pos}}, Pos: pos,
	}}}
}

// resourcePolicy compiles a bucket or key policy into w.policies (not
// into the namespace: no reference can name it). Every statement needs a
// Principal.
func (b *builder) resourcePolicy(doc *PolicyDoc, name string) PolicyID {
	d := *doc
	d.Name = name
	p := compilePolicy(&d, &b.errs)
	for i := range doc.Statements {
		if !doc.Statements[i].PrincipalPos.IsValid() {
			b.errorf(doc.Statements[i].Pos, "a statement of the %s has no Principal (a resource-based policy names who it applies to)", name)
		}
	}
	id := PolicyID(len(b.w.policies))
	b.w.policies = append(b.w.policies, p)
	return id
}

func (b *builder) buckets(cfgs []BucketConfig) {
	w := b.w
	for i := range cfgs {
		c := &cfgs[i]
		acct, ok := b.account(c.Account)
		name := c.Name.S
		if !validBucketName(name) {
			b.errorf(c.Name.Pos, "bucket name %q must be 3 to 63 lower-case letters, digits, '.' or '-'", name)
			ok = false
		}
		if prev, dup := w.data.bucketIndex[name]; dup {
			b.errorf(c.Name.Pos, "duplicate bucket %q (first defined at %s; bucket names are global)", name, w.data.buckets[prev].pos)
			continue
		}
		region := b.region(c.Region)
		if c.Region.S != "" && region != w.region {
			b.warnf(c.Region.Pos, "bucket %s is in %s, the pipelines in %s: cross-region reads and writes work, with transfer charges and latency",
				name, region, w.region)
		}
		bk := bucket{name: name, account: acct, region: region, arn: "arn:aws:s3:::" + name,
			kmsKey: NoKey, ownership: c.Ownership, policy: noPolicy, pos: c.Pos}
		if c.KMSKey.S != "" {
			if k, found := w.LookupKey(c.KMSKey.S); !found {
				b.errorf(c.KMSKey.Pos, "unknown key %q", c.KMSKey.S)
			} else if kr := w.data.keys[k].region; kr != region {
				b.errorf(c.KMSKey.Pos, "key %s is in %s, bucket %s in %s: S3 encrypts only with a key of the bucket's region", c.KMSKey.S, kr, name, region)
			} else {
				bk.kmsKey = k
			}
		}
		if c.Policy != nil {
			bk.policy = b.resourcePolicy(c.Policy, "bucket policy of "+name)
		}
		if !ok {
			bk.account = 0
		}
		w.data.bucketIndex[name] = BucketID(len(w.data.buckets))
		w.data.buckets = append(w.data.buckets, bk)
	}
}

// rcps attaches organization.rcps to the root, OUs and accounts.
func (b *builder) rcps(cfgs []RCPConfig) {
	w := b.w
	for i := range cfgs {
		c := &cfgs[i]
		var dst *[]PolicyID
		switch t := c.Target.S; {
		case strings.HasPrefix(t, "/"):
			o, ok := w.ouIndex[t]
			if !ok {
				b.errorf(c.Target.Pos, "unknown OU %q", t)
				continue
			}
			dst = &w.data.ouRCPs[o]
		case strings.HasPrefix(t, "ou:"):
			b.errorf(c.Target.Pos, "an organization.rcps target is /, /path or an account ID: write %s", strings.TrimPrefix(t, "ou:"))
			continue
		default:
			ai, ok := b.account(c.Target)
			if !ok || !b.rcpAccount(ai, c.Target.Pos, "this attachment") {
				continue
			}
			dst = &w.data.acctRCPs[ai]
		}
		for _, r := range c.Policies {
			id, ok := w.policyIndex[r.S]
			if !ok {
				b.errorf(r.Pos, "unknown policy %q", r.S)
				continue
			}
			b.rcpUse[id] = true
			*dst = append(*dst, id)
		}
	}
}

// rcpAccount checks account ai as the target of an RCP (at pos, what
// attaches it): an error outside the organization, a warning for the
// management account, to whose resources RCPs do not apply.
func (b *builder) rcpAccount(ai int32, pos Pos, what string) bool {
	w := b.w
	if !w.inOrg(ai) {
		b.errorf(pos, "account %s is outside the organization: RCPs apply to member accounts", w.accounts[ai].id)
		return false
	}
	if ai == w.mgmt {
		b.warnf(pos, "RCPs do not apply to the management account's resources: %s changes nothing", what)
	}
	return true
}

// checkPrincipals checks the Principal elements of the namespace's
// policies (docs, as configured) by use: none in identity policies,
// boundaries and SCPs; in an RCP, every statement is a Deny with
// Principal "*" and names its actions, neither "*" nor NotAction
// (docs/aws-semantics.md#data-plane).
func (b *builder) checkPrincipals(docs []PolicyDoc) {
	doc := map[string]*PolicyDoc{}
	for i := range docs {
		if _, dup := doc[docs[i].Name]; !dup {
			doc[docs[i].Name] = &docs[i]
		}
	}
	for i := range b.usedPolicy {
		p := &b.w.policies[i]
		for j := range p.Statements {
			st := &p.Statements[j]
			if st.Principal != nil && b.usedPolicy[i] {
				b.errorf(st.Principal.pos, "Principal is not allowed in identity policies, boundaries or SCPs (an RCP is attached in organization.rcps or by an attach_rcp event)")
			}
			if !b.rcpUse[i] {
				continue
			}
			if st.Principal == nil || !st.Principal.isStar() {
				b.errorf(st.Pos, "a statement of RCP %q needs Principal \"*\" (RCPs apply to every principal; narrow them with a Condition)", p.Name)
			}
			if st.Effect == EffectAllow {
				b.errorf(st.Pos, "RCP %q allows: RCPs only deny (AWS's RCPFullAWSAccess, always attached, is the one allowing RCP)", p.Name)
			}
			sd := &doc[p.Name].Statements[j]
			if len(sd.NotAction) > 0 {
				b.errorf(sd.NotAction[0].Pos, "RCP %q: NotAction is not supported in RCPs; list the actions to deny in Action", p.Name)
			}
			for _, a := range sd.Action {
				if a.S == "*" {
					b.errorf(a.Pos, "RCP %q: Action \"*\" is not supported in RCPs; name the services' actions (e.g. \"s3:*\", \"kms:*\")", p.Name)
				}
			}
		}
	}
}
