package model

import (
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strings"
)

// PrincipalID indexes a World's principals (every account's root first,
// then its roles and users).
type PrincipalID int32

// PipelineID indexes a World's pipelines, in the order they were configured.
type PipelineID int32

// ShareID indexes a World's shares, sorted by name.
type ShareID int32

// outsideOrg is the OU index of an account outside the organization.
const outsideOrg = -1

type account struct {
	id         AccountID
	name       string
	ou         int32 // index in World.ous, or outsideOrg
	fullAccess bool
	groups     []string
	scps       []PolicyID
	principals []PrincipalID // root first
	pos        Pos
	orgPaths   []string // aws:PrincipalOrgPaths, nil when outside
	// scpPath is the SCP levels an explanation lists, root first: the
	// OUs' paths, then "account:ID"; nil when outside. Explanations share
	// it: it is replaced, never changed in place.
	scpPath []string
}

type ou struct {
	path       string
	id         string
	parent     int32 // -1 for the root
	scps       []PolicyID
	fullAccess bool
	pos        Pos
}

type principal struct {
	account  int32
	name     string // "root", "role/X", "user/p/Y"
	caller   string // "ACCT/name"
	arn      string
	policies []PolicyID
	boundary PolicyID
	tags     []Tag
	allowAll bool // root, or a trace-only principal
	ptype    string
	pos      Pos
}

type pipeline struct {
	name    string
	owner   int32
	arn     string
	execARN string // .../execution/*
	shares  []ShareID
	pos     Pos
}

// World is a compiled scenario's permission state at the current point of
// the timeline. Timeline events mutate it in time order ([World.ApplyEvent]);
// queries take the simulated time t, which must not precede the last applied
// event.
type World struct {
	region     string
	start      int64
	orgID      string
	hasOrg     bool
	mgmt       int32 // account index of the management account, -1 none
	ramSharing bool

	accounts   []account
	ous        []ou
	principals []principal
	pipelines  []pipeline
	policies   []Policy
	shares     []share
	events     []event
	applied    int // events[:applied] have been applied

	acctIndex   map[AccountID]int32
	ouIndex     map[string]int32
	policyIndex map[string]PolicyID
	shareIndex  map[string]ShareID
	pipeByARN   map[string]PipelineID
	pipesByName map[string][]PipelineID // in configuration order

	timeThresholds []Time // sorted aws:CurrentTime change points

	ouChildren [][]int32 // each OU's child OUs
	ouMembers  [][]int32 // each OU's own accounts (not its children's), kept by setOU
	// fullAWSAccess is the match of the SCP FullAWSAccess at each level,
	// where explanations point.
	fullAWSAccess implicitMatches

	decider
	data dataState // buckets, keys, RCPs and data-plane decisions (data.go)
}

// NewWorld resolves and compiles cfg. It returns every problem found, errors
// and warnings (PosError.Severity tells them apart); the World is nil when
// there is at least one error.
func NewWorld(cfg *Config) (*World, []*PosError) {
	b := builder{w: &World{
		region:      cfg.Region,
		start:       cfg.StartUnixNano,
		mgmt:        -1,
		acctIndex:   map[AccountID]int32{},
		ouIndex:     map[string]int32{},
		policyIndex: map[string]PolicyID{},
		shareIndex:  map[string]ShareID{},
		pipeByARN:   map[string]PipelineID{},
		pipesByName: map[string][]PipelineID{},
	}}
	if b.w.region == "" {
		b.w.region = "us-east-1"
	}
	b.policies(cfg.Policies)
	b.org(cfg.Org)
	b.accounts(cfg.Accounts)
	if cfg.Org != nil {
		b.management(cfg.Org)
	}
	b.data(cfg)
	b.pipelines(cfg.Pipelines)
	b.shares(cfg.Shares)
	b.events(cfg.Events)
	b.checkPrincipals(cfg.Policies)
	b.unusedPolicies()
	w := b.w
	sortPosErrors(b.errs)
	if HasErrors(b.errs) {
		return nil, b.errs
	}
	w.finish()
	return w, b.errs
}

func sortPosErrors(errs []*PosError) {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Pos.Before(errs[j].Pos) })
}

type builder struct {
	w          *World
	errs       []*PosError
	usedPolicy []bool
	rcpUse     []bool // the policy is attached as an RCP (databuild.go)
	// badOU holds accounts whose OU failed to resolve, so that follow-on
	// checks of their membership stay quiet.
	badOU map[int32]bool
}

func (b *builder) errorf(pos Pos, format string, args ...any) {
	b.errs = append(b.errs, errorf(pos, format, args...))
}

func (b *builder) warnf(pos Pos, format string, args ...any) {
	e := errorf(pos, format, args...)
	e.Severity = SeverityWarning
	b.errs = append(b.errs, e)
}

func (b *builder) policies(docs []PolicyDoc) {
	for i := range docs {
		d := &docs[i]
		if _, dup := b.w.policyIndex[d.Name]; dup {
			b.errorf(d.Pos, "duplicate policy %q", d.Name)
			continue
		}
		b.w.policyIndex[d.Name] = PolicyID(len(b.w.policies))
		b.w.policies = append(b.w.policies, compilePolicy(d, &b.errs))
	}
	b.usedPolicy = make([]bool, len(b.w.policies))
	b.rcpUse = make([]bool, len(b.w.policies))
}

// policyRef resolves a policy name.
func (b *builder) policyRef(r Ref) (PolicyID, bool) {
	id, ok := b.w.policyIndex[r.S]
	if !ok {
		b.errorf(r.Pos, "unknown policy %q", r.S)
		return noPolicy, false
	}
	b.usedPolicy[id] = true
	return id, true
}

func (b *builder) policyRefs(refs []Ref) []PolicyID {
	var out []PolicyID
	for _, r := range refs {
		if id, ok := b.policyRef(r); ok {
			out = append(out, id)
		}
	}
	return out
}

func (b *builder) unusedPolicies() {
	for i, used := range b.usedPolicy {
		if !used && !b.rcpUse[i] {
			p := &b.w.policies[i]
			if slices.ContainsFunc(p.Statements, func(st Statement) bool { return st.Principal != nil }) {
				b.warnf(p.Pos, "policy %q is not used (with a Principal, it can only be an RCP: attach it in organization.rcps or by an attach_rcp event)", p.Name)
			} else {
				b.warnf(p.Pos, "policy %q is not used", p.Name)
			}
		}
	}
}

func (b *builder) org(cfg *OrgConfig) {
	w := b.w
	// The root always exists, so accounts may say ou: / even when the
	// organization declares no units.
	w.ous = []ou{{path: "/", parent: -1, fullAccess: true}}
	w.ouIndex["/"] = 0
	if cfg == nil {
		return
	}
	w.hasOrg = true
	w.orgID = cfg.ID
	w.ramSharing = cfg.RAMSharing
	if !strings.HasPrefix(w.orgID, "o-") || len(w.orgID) < 4 {
		b.errorf(cfg.Pos, "organization id %q must look like o-a1b2c3d4e5", w.orgID)
	}
	rootSuffix := hashID(w.orgID, 4)
	w.ous[0].id = "r-" + rootSuffix
	w.ous[0].pos = cfg.Pos
	// Declared parents must precede children only in the sense that they
	// exist: sort by depth so parents resolve first.
	units := slices.Clone(cfg.Units)
	sort.SliceStable(units, func(i, j int) bool {
		return strings.Count(units[i].Path.S, "/") < strings.Count(units[j].Path.S, "/")
	})
	for _, u := range units {
		path := u.Path.S
		if path == "/" {
			r := &w.ous[0]
			if u.ID != "" {
				r.id = u.ID
			}
			r.scps = b.policyRefs(u.SCPs)
			r.fullAccess = u.FullAccess
			r.pos = u.Pos
			continue
		}
		if msg := checkOUPath(path); msg != "" {
			b.errorf(u.Path.Pos, "%s", msg)
			continue
		}
		if _, dup := w.ouIndex[path]; dup {
			b.errorf(u.Path.Pos, "duplicate unit %q", path)
			continue
		}
		parentPath := path[:strings.LastIndexByte(path, '/')]
		if parentPath == "" {
			parentPath = "/"
		}
		parent, ok := w.ouIndex[parentPath]
		if !ok {
			b.errorf(u.Path.Pos, "unit %q: parent %q is not declared", path, parentPath)
			continue
		}
		id := u.ID
		if id == "" {
			id = "ou-" + rootSuffix + "-" + hashID(path, 8)
		}
		w.ouIndex[path] = int32(len(w.ous))
		w.ous = append(w.ous, ou{path: path, id: id, parent: parent,
			scps: b.policyRefs(u.SCPs), fullAccess: u.FullAccess, pos: u.Pos})
	}
}

// checkOUPath returns why p is not a valid OU path, or "".
func checkOUPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		return fmt.Sprintf("OU path %q must start with /", p)
	}
	if strings.HasSuffix(p, "/") {
		return fmt.Sprintf("OU path %q must not end with /", p)
	}
	if strings.Contains(p, "//") {
		return fmt.Sprintf("OU path %q has an empty segment", p)
	}
	return ""
}

// hashID derives n lower-case base-36 characters from s (FNV-64a), for
// deterministic root and OU IDs.
func hashID(s string, n int) string {
	h := fnv.New64a()
	h.Write([]byte(s))
	v := h.Sum64()
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	out := make([]byte, n)
	for i := range out {
		out[i] = digits[v%36]
		v /= 36
	}
	return string(out)
}

func (b *builder) accounts(cfgs []AccountConfig) {
	w := b.w
	n := len(cfgs) // a root each
	for i := range cfgs {
		n += len(cfgs[i].Principals)
	}
	w.accounts = slices.Grow(w.accounts, len(cfgs))
	w.principals = slices.Grow(w.principals, n)
	for i := range cfgs {
		c := &cfgs[i]
		id, err := ParseAccountID(c.ID.S)
		if err != nil {
			b.errorf(c.ID.Pos, "%v", err)
			continue
		}
		if prev, dup := w.acctIndex[id]; dup {
			b.errorf(c.ID.Pos, "duplicate account %s (first defined at %s)", id, w.accounts[prev].pos)
			continue
		}
		a := account{id: id, name: c.Name, ou: outsideOrg, groups: c.Groups,
			scps: b.policyRefs(c.SCPs), fullAccess: c.FullAccess, pos: c.Pos}
		if c.OU.S != "" {
			if !w.hasOrg {
				b.errorf(c.OU.Pos, "account %s names OU %q but the scenario has no organization", id, c.OU.S)
			} else if o, ok := w.ouIndex[c.OU.S]; ok {
				a.ou = o
			} else {
				b.errorf(c.OU.Pos, "unknown OU %q", c.OU.S)
				if b.badOU == nil {
					b.badOU = map[int32]bool{}
				}
				b.badOU[int32(len(w.accounts))] = true
			}
		}
		ai := int32(len(w.accounts))
		w.acctIndex[id] = ai
		a.principals = append(a.principals, b.addPrincipal(ai, id, "root", nil, noPolicy, nil, true, c.Pos))
		seen := map[string]Pos{}
		for j := range c.Principals {
			pc := &c.Principals[j]
			name := pc.Name.S
			if name == "root" || !ValidPrincipalName(name) {
				b.errorf(pc.Name.Pos, "principal %q must be role/[path/]Name or user/[path/]Name (root is implicit)", name)
				continue
			}
			if prev, dup := seen[name]; dup {
				b.errorf(pc.Name.Pos, "duplicate principal %q in account %s (first defined at %s)", name, id, prev)
				continue
			}
			seen[name] = pc.Name.Pos
			boundary := noPolicy
			if pc.Boundary.S != "" {
				if p, ok := b.policyRef(pc.Boundary); ok {
					boundary = p
				}
			}
			tags := slices.Clone(pc.Tags)
			sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
			a.principals = append(a.principals,
				b.addPrincipal(ai, id, name, b.policyRefs(pc.Policies), boundary, tags, pc.AllowAll, pc.Pos))
		}
		w.accounts = append(w.accounts, a)
	}
}

func (b *builder) addPrincipal(acct int32, id AccountID, name string, pols []PolicyID,
	boundary PolicyID, tags []Tag, allowAll bool, pos Pos) PrincipalID {
	ptype := "AssumedRole"
	switch {
	case name == "root":
		ptype = "Account"
	case strings.HasPrefix(name, "user/"):
		ptype = "User"
	}
	pid := PrincipalID(len(b.w.principals))
	b.w.principals = append(b.w.principals, principal{account: acct, name: name,
		caller: string(id) + "/" + name, arn: PrincipalARN(id, name), policies: pols, boundary: boundary, tags: tags,
		allowAll: allowAll, ptype: ptype, pos: pos})
	return pid
}

func (b *builder) management(cfg *OrgConfig) {
	w := b.w
	id, err := ParseAccountID(cfg.Management.S)
	if err != nil {
		b.errorf(cfg.Management.Pos, "management_account: %v", err)
		return
	}
	ai, ok := w.acctIndex[id]
	if !ok {
		b.errorf(cfg.Management.Pos, "management_account %s is not a listed account", id)
		return
	}
	if w.accounts[ai].ou == outsideOrg && !b.badOU[ai] {
		b.errorf(cfg.Management.Pos, "management_account %s must be inside the organization (give it an ou)", id)
		return
	}
	w.mgmt = ai
}

// account resolves an account reference.
func (b *builder) account(r Ref) (int32, bool) {
	id, err := ParseAccountID(r.S)
	if err != nil {
		b.errorf(r.Pos, "%v", err)
		return 0, false
	}
	ai, ok := b.w.acctIndex[id]
	if !ok {
		b.errorf(r.Pos, "unknown account %s", id)
		return 0, false
	}
	return ai, true
}

func (b *builder) pipelines(cfgs []PipelineConfig) {
	w := b.w
	seen := make(map[string]Pos, len(cfgs))
	for i := range cfgs {
		c := &cfgs[i]
		if !ValidPipelineName(c.Name.S) {
			// Reported, and still registered so references to it do not
			// add "unknown pipeline" errors.
			b.errorf(c.Name.Pos, "pipeline name %q does not match [a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}", c.Name.S)
		}
		owner, ok := b.account(c.Account)
		if !ok {
			continue
		}
		arn := PipelineARN(w.region, w.accounts[owner].id, c.Name.S)
		if prev, dup := seen[arn]; dup {
			b.errorf(c.Name.Pos, "duplicate pipeline %q in account %s (names are unique after lower-casing; first defined at %s)",
				c.Name.S, w.accounts[owner].id, prev)
			continue
		}
		seen[arn] = c.Name.Pos
		w.pipeByARN[arn] = PipelineID(len(w.pipelines))
		w.pipesByName[c.Name.S] = append(w.pipesByName[c.Name.S], PipelineID(len(w.pipelines)))
		w.pipelines = append(w.pipelines, pipeline{name: c.Name.S, owner: owner, arn: arn,
			execARN: ExecutionARN(w.region, w.accounts[owner].id, c.Name.S, "*"), pos: c.Pos})
	}
}

// LookupPipeline resolves a pipeline name or ARN. A bare name must be unique
// across owners.
func (w *World) LookupPipeline(s string) (PipelineID, error) {
	if strings.HasPrefix(s, "arn:") {
		ref, err := ParsePipelineARN(s)
		if err != nil {
			return 0, err
		}
		if ref.Execution != "" {
			return 0, fmt.Errorf("%q is an execution ARN, not a pipeline ARN", s)
		}
		if p, ok := w.pipeByARN[PipelineARN(ref.Region, ref.Account, ref.Pipeline)]; ok {
			return p, nil
		}
		return 0, fmt.Errorf("unknown pipeline %s", s)
	}
	switch found := w.pipesByName[s]; len(found) {
	case 0:
		return 0, fmt.Errorf("unknown pipeline %q", s)
	case 1:
		return found[0], nil
	}
	return 0, fmt.Errorf("pipeline name %q is ambiguous (several owners); use its ARN", s)
}

// LookupCallers resolves a caller: "ACCT" (its root), "ACCT/role/X", an IAM
// or STS assumed-role ARN, "group:G" (each member's root) or
// "group:G/role/X". Group members come in account order.
func (w *World) LookupCallers(s string) ([]PrincipalID, error) {
	if g, ok := strings.CutPrefix(s, "group:"); ok {
		g, name, _ := strings.Cut(g, "/")
		if name == "" {
			name = "root"
		}
		var out []PrincipalID
		for ai := range w.accounts {
			if slices.Contains(w.accounts[ai].groups, g) {
				p, err := w.principalIn(int32(ai), name)
				if err != nil {
					return nil, err
				}
				out = append(out, p)
			}
		}
		if out == nil {
			return nil, fmt.Errorf("unknown group %q", g)
		}
		return out, nil
	}
	acct, name, err := splitPrincipal(s)
	if err != nil {
		return nil, err
	}
	ai, ok := w.acctIndex[acct]
	if !ok {
		return nil, fmt.Errorf("unknown account %s", acct)
	}
	p, err := w.principalIn(ai, name)
	if err != nil {
		return nil, err
	}
	return []PrincipalID{p}, nil
}

// splitPrincipal splits "ACCT", "ACCT/role/X" or an IAM ARN.
func splitPrincipal(s string) (AccountID, string, error) {
	if strings.HasPrefix(s, "arn:") {
		return ParsePrincipalARN(s)
	}
	id, name, _ := strings.Cut(s, "/")
	acct, err := ParseAccountID(id)
	if err != nil {
		return "", "", err
	}
	if name == "" {
		name = "root"
	}
	if !ValidPrincipalName(name) {
		return "", "", fmt.Errorf("principal %q must be root, role/[path/]Name or user/[path/]Name", name)
	}
	return acct, name, nil
}

func (w *World) principalIn(ai int32, name string) (PrincipalID, error) {
	for _, p := range w.accounts[ai].principals {
		if w.principals[p].name == name {
			return p, nil
		}
	}
	return 0, fmt.Errorf("account %s has no principal %q", w.accounts[ai].id, name)
}

// finish computes derived state once the World is valid.
func (w *World) finish() {
	w.fullAWSAccess = fullAWSAccess(w)
	w.ouChildren = make([][]int32, len(w.ous))
	w.ouMembers = make([][]int32, len(w.ous))
	for o := 1; o < len(w.ous); o++ {
		p := w.ous[o].parent
		w.ouChildren[p] = append(w.ouChildren[p], int32(o))
	}
	for ai := range w.accounts {
		if o := w.accounts[ai].ou; o != outsideOrg {
			w.ouMembers[o] = append(w.ouMembers[o], int32(ai))
		}
		w.updateOrgPaths(int32(ai))
	}
	var th []int64
	for i := range w.policies {
		for j := range w.policies[i].Statements {
			for k := range w.policies[i].Statements[j].Conditions {
				th = w.policies[i].Statements[j].Conditions[k].AppendTimeThresholds(th)
			}
		}
	}
	for _, v := range th {
		w.timeThresholds = append(w.timeThresholds, Time(v-w.start))
	}
	slices.Sort(w.timeThresholds)
	w.timeThresholds = slices.Compact(w.timeThresholds)
	w.decider.init(w)
}

// updateOrgPaths recomputes aws:PrincipalOrgPaths and the SCP path of
// account ai.
func (w *World) updateOrgPaths(ai int32) {
	a := &w.accounts[ai]
	if a.ou == outsideOrg {
		a.orgPaths, a.scpPath = nil, nil
		return
	}
	var ids []string
	for o := a.ou; o >= 0; o = w.ous[o].parent {
		ids = append(ids, w.ous[o].id)
	}
	slices.Reverse(ids)
	a.orgPaths = []string{w.orgID + "/" + strings.Join(ids, "/") + "/"}
	path := make([]string, len(ids)+1)
	for o, i := a.ou, len(ids)-1; o >= 0; o, i = w.ous[o].parent, i-1 {
		path[i] = w.ous[o].path
	}
	path[len(ids)] = "account:" + string(a.id)
	a.scpPath = path
}

// setOU moves account ai to OU o (outsideOrg: out of the organization).
func (w *World) setOU(ai, o int32) {
	if old := w.accounts[ai].ou; old != outsideOrg {
		w.ouMembers[old] = slices.DeleteFunc(w.ouMembers[old], func(x int32) bool { return x == ai })
	}
	if o != outsideOrg {
		w.ouMembers[o] = append(w.ouMembers[o], ai)
	}
	w.accounts[ai].ou = o
	w.updateOrgPaths(ai)
}

// appendOUAccounts appends to dst the accounts in OU o or one of its
// descendants now, in no particular order.
func (w *World) appendOUAccounts(dst []int32, o int32) []int32 {
	dst = append(dst, w.ouMembers[o]...)
	for _, c := range w.ouChildren[o] {
		dst = w.appendOUAccounts(dst, c)
	}
	return dst
}

// inOrg reports whether account ai is in the organization now.
func (w *World) inOrg(ai int32) bool { return w.accounts[ai].ou != outsideOrg }

// ouContains reports whether OU anc is account ai's OU or one of its ancestors.
func (w *World) ouContains(anc int32, ai int32) bool {
	for o := w.accounts[ai].ou; o >= 0; o = w.ous[o].parent {
		if o == anc {
			return true
		}
	}
	return false
}

// Region returns the scenario's region.
func (w *World) Region() string { return w.region }

// StartUnixNano returns the scenario start.
func (w *World) StartUnixNano() int64 { return w.start }

// NumPrincipals returns the number of principals, roots included.
func (w *World) NumPrincipals() int { return len(w.principals) }

// NumPipelines returns the number of pipelines.
func (w *World) NumPipelines() int { return len(w.pipelines) }

// NumAccounts returns the number of accounts.
func (w *World) NumAccounts() int { return len(w.accounts) }

// PrincipalAccount returns the account ID of principal p.
func (w *World) PrincipalAccount(p PrincipalID) AccountID {
	return w.accounts[w.principals[p].account].id
}

// PrincipalName returns p's name within its account: "root", "role/X", ….
func (w *World) PrincipalName(p PrincipalID) string { return w.principals[p].name }

// PrincipalARN returns p's IAM ARN.
func (w *World) PrincipalARN(p PrincipalID) string { return w.principals[p].arn }

// PrincipalSynthetic reports whether p was added with an allow-all identity.
func (w *World) PrincipalSynthetic(p PrincipalID) bool {
	pr := &w.principals[p]
	return pr.allowAll && pr.name != "root"
}

// CallerString returns "ACCT/name" for p, e.g. "222222222222/role/X" or
// "222222222222/root".
func (w *World) CallerString(p PrincipalID) string { return w.principals[p].caller }

// AccountPrincipals returns the principals of the account with ID id, root
// first, or nil.
func (w *World) AccountPrincipals(id AccountID) []PrincipalID {
	if ai, ok := w.acctIndex[id]; ok {
		return w.accounts[ai].principals
	}
	return nil
}

// AccountIDs returns every account ID in configuration order.
func (w *World) AccountIDs() []AccountID {
	out := make([]AccountID, len(w.accounts))
	for i := range w.accounts {
		out[i] = w.accounts[i].id
	}
	return out
}

// AccountName returns the name of account id ("" if unknown or unnamed).
func (w *World) AccountName(id AccountID) string {
	if ai, ok := w.acctIndex[id]; ok {
		return w.accounts[ai].name
	}
	return ""
}

// NumShares returns the number of shares.
func (w *World) NumShares() int { return len(w.shares) }

// ShareName returns the name of share s.
func (w *World) ShareName(s ShareID) string { return w.shares[s].name }

// PipelineName returns the pipeline's configured name.
func (w *World) PipelineName(p PipelineID) string { return w.pipelines[p].name }

// PipelineARN returns the pipeline's ARN.
func (w *World) PipelineARN(p PipelineID) string { return w.pipelines[p].arn }

// PipelineOwner returns the pipeline's owner account.
func (w *World) PipelineOwner(p PipelineID) AccountID { return w.accounts[w.pipelines[p].owner].id }

// PipelinesByARN returns every pipeline sorted by ARN.
func (w *World) PipelinesByARN() []PipelineID {
	out := make([]PipelineID, len(w.pipelines))
	for i := range out {
		out[i] = PipelineID(i)
	}
	sort.Slice(out, func(i, j int) bool { return w.pipelines[out[i]].arn < w.pipelines[out[j]].arn })
	return out
}

// ResourceFor returns the resource string action a is authorized against
// for pipeline p: its ARN, its ".../execution/*" literal, or "*".
func (w *World) ResourceFor(p PipelineID, a Action) string {
	switch a.Resource() {
	case ResourcePipeline:
		return w.pipelines[p].arn
	case ResourceExecution:
		return w.pipelines[p].execARN
	}
	return "*"
}

// TimeToRFC3339 formats simulated time t as an RFC 3339 UTC instant.
func (w *World) TimeToRFC3339(t Time) string {
	return unixNanoRFC3339(w.start + int64(t))
}
