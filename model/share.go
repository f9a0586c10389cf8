package model

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

func unixNanoRFC3339(ns int64) string {
	return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
}

// principalKind is what a share association names.
type principalKind uint8

const (
	kindAccount principalKind = iota + 1
	kindIAM
	kindOU
	kindOrg
)

// association is one principal association of a share: made at At, removed
// at Removed (Never while it lasts).
type association struct {
	kind      principalKind
	account   int32       // kindAccount, kindIAM
	principal PrincipalID // kindIAM
	ou        int32       // kindOU
	label     string      // as written: "222222222222", "group:teams", "ou:/research", "org"
	at        Time
	removed   Time
	invite    bool // an invitation was sent (decided when the association was made)
	answer    Answer
	answerAt  Time // at + after, for AnswerAccept/AnswerReject
}

// resourceAssoc is a pipeline's association with a share over [at, removed).
type resourceAssoc struct {
	pipeline PipelineID
	at       Time
	removed  Time
}

type invitation struct {
	account int32
	answer  Answer
	after   Time
}

type share struct {
	name          string
	owner         int32
	permission    Permission
	delay         Time
	ttl           Time
	allowExternal bool
	retainOnLeave bool
	invitations   []invitation // sorted by account
	principals    []association
	resources     []resourceAssoc
	pos           Pos
}

// answerFor returns the configured answer of invitee account ai.
func (s *share) answerFor(ai int32) (Answer, Time) {
	i := sort.Search(len(s.invitations), func(i int) bool { return s.invitations[i].account >= ai })
	if i < len(s.invitations) && s.invitations[i].account == ai {
		return s.invitations[i].answer, s.invitations[i].after
	}
	return AnswerAccept, 0
}

// sharePrincipal is a parsed share principal before association.
type sharePrincipal struct {
	kind      principalKind
	account   int32
	principal PrincipalID
	ou        int32
	label     string
}

// parseSharePrincipal resolves one share principal reference; group
// references expand to several.
func (w *World) parseSharePrincipal(s string) ([]sharePrincipal, error) {
	switch {
	case s == "org":
		if !w.hasOrg {
			return nil, fmt.Errorf(`principal "org" needs an organization`)
		}
		return []sharePrincipal{{kind: kindOrg, label: s}}, nil
	case strings.HasPrefix(s, "ou:"):
		path := strings.TrimPrefix(s, "ou:")
		o, ok := w.ouIndex[path]
		if !ok || !w.hasOrg {
			return nil, fmt.Errorf("unknown OU %q", path)
		}
		return []sharePrincipal{{kind: kindOU, ou: o, label: s}}, nil
	}
	// Accounts, IAM principals and groups of either resolve like callers.
	// What resolves to a root (a bare account or group, ACCT/root, the
	// root's ARN) names the whole account, as the root's ARN does as the
	// principal of the resource policy RAM writes.
	ps, err := w.LookupCallers(s)
	if err != nil {
		return nil, err
	}
	out := make([]sharePrincipal, len(ps))
	for i, p := range ps {
		out[i] = sharePrincipal{kind: kindIAM, account: w.principals[p].account, principal: p, label: s}
		if w.principals[p].name == "root" {
			out[i].kind = kindAccount
		}
	}
	return out, nil
}

// needsInvitation reports whether associating sp with a share owned by
// owner sends an invitation, given the current organization membership.
func (w *World) needsInvitation(sp sharePrincipal) bool {
	switch sp.kind {
	case kindOrg, kindOU:
		return false
	}
	return !w.ramSharing || !w.inOrg(sp.account)
}

func (b *builder) shares(cfgs []ShareConfig) {
	w := b.w
	// Shares are stored sorted by name so ties across shares break by name.
	order := make([]int, 0, len(cfgs))
	for i := range cfgs {
		name := cfgs[i].Name.S
		if name == "" {
			b.errorf(cfgs[i].Pos, "share has no name")
			continue
		}
		if _, dup := w.shareIndex[name]; dup {
			b.errorf(cfgs[i].Name.Pos, "duplicate share %q", name)
			continue
		}
		w.shareIndex[name] = -1
		order = append(order, i)
	}
	sort.SliceStable(order, func(i, j int) bool { return cfgs[order[i]].Name.S < cfgs[order[j]].Name.S })
	for _, i := range order {
		b.share(&cfgs[i])
	}
	// Drop the names of shares that failed to build.
	for name, id := range w.shareIndex {
		if id < 0 {
			delete(w.shareIndex, name)
		}
	}
}

func (b *builder) share(c *ShareConfig) {
	w := b.w
	owner, ok := b.account(c.Owner)
	if !ok {
		return
	}
	s := share{name: c.Name.S, owner: owner, permission: c.Permission, delay: c.AssociationDelay,
		ttl: c.InvitationTTL, allowExternal: c.AllowExternal, retainOnLeave: c.RetainOnLeave, pos: c.Pos}
	if s.permission == 0 {
		s.permission = PermissionReadOnly
	}
	id := ShareID(len(w.shares))
	if len(c.Pipelines) == 0 {
		b.errorf(c.Pos, "share %q has no pipelines", s.name)
	}
	pls := b.sharePipelines(&s, c.Pipelines)
	sps := b.sharePrincipals(&s, c.Principals)
	for _, inv := range c.Invitations {
		b.invitation(&s, inv, sps)
	}
	sort.Slice(s.invitations, func(i, j int) bool { return s.invitations[i].account < s.invitations[j].account })
	w.shares = append(w.shares, s)
	w.shareIndex[s.name] = id
	w.associate(id, sps, pls, c.At)
}

func (b *builder) sharePipelines(s *share, refs []Ref) []PipelineID {
	w := b.w
	var out []PipelineID
	for _, r := range refs {
		p, err := w.LookupPipelineOf(s.owner, r.S)
		if err != nil {
			b.errorf(r.Pos, "%v", err)
			continue
		}
		out = append(out, p)
	}
	return out
}

// LookupPipelineOf resolves a pipeline name or ARN that must belong to the
// account with index owner.
func (w *World) LookupPipelineOf(owner int32, s string) (PipelineID, error) {
	if !strings.HasPrefix(s, "arn:") {
		for _, p := range w.pipesByName[s] {
			if w.pipelines[p].owner == owner {
				return p, nil
			}
		}
		if p, err := w.LookupPipeline(s); err == nil {
			return 0, fmt.Errorf("pipeline %q belongs to %s, not to the share's owner %s",
				s, w.PipelineOwner(p), w.accounts[owner].id)
		}
		return 0, fmt.Errorf("unknown pipeline %q", s)
	}
	p, err := w.LookupPipeline(s)
	if err != nil {
		return 0, err
	}
	if w.pipelines[p].owner != owner {
		return 0, fmt.Errorf("pipeline %s does not belong to the share's owner %s", s, w.accounts[owner].id)
	}
	return p, nil
}

func (b *builder) sharePrincipals(s *share, refs []Ref) []sharePrincipal {
	w := b.w
	var out []sharePrincipal
	for _, r := range refs {
		sps, err := w.parseSharePrincipal(r.S)
		if err != nil {
			b.errorf(r.Pos, "%v", err)
			continue
		}
		out = slices.Grow(out, len(sps))
		for _, sp := range sps {
			switch sp.kind {
			case kindAccount, kindIAM:
				if sp.account == s.owner && !strings.HasPrefix(r.S, "group:") {
					b.errorf(r.Pos, "share %q names its own owner %s", s.name, w.accounts[s.owner].id)
					continue
				}
				if sp.account == s.owner {
					continue // a group that holds the owner: the owner needs no share
				}
			case kindOU, kindOrg:
				if !w.ramSharing {
					b.errorf(r.Pos, "principal %q needs organization.ram_sharing: enabled", r.S)
					continue
				}
				if !w.inOrg(s.owner) {
					b.errorf(r.Pos, "principal %q needs the share's owner %s inside the organization", r.S, w.accounts[s.owner].id)
					continue
				}
			}
			out = append(out, sp)
		}
	}
	return out
}

func (b *builder) invitation(s *share, inv InvitationConfig, sps []sharePrincipal) {
	w := b.w
	var accts []int32
	if g, ok := strings.CutPrefix(inv.Key.S, "group:"); ok {
		for ai := range w.accounts {
			for _, gg := range w.accounts[ai].groups {
				if gg == g {
					accts = append(accts, int32(ai))
				}
			}
		}
		if accts == nil {
			b.errorf(inv.Key.Pos, "unknown group %q", g)
			return
		}
	} else {
		ai, ok := b.account(inv.Key)
		if !ok {
			return
		}
		accts = []int32{ai}
	}
	for _, ai := range accts {
		named, invited := false, false
		for _, sp := range sps {
			if (sp.kind == kindAccount || sp.kind == kindIAM) && sp.account == ai {
				named = true
				invited = invited || w.needsInvitation(sp)
			}
		}
		switch {
		case !named:
			b.errorf(inv.Key.Pos, "invitation for %s, which share %q does not name", w.accounts[ai].id, s.name)
		case !invited:
			b.errorf(inv.Key.Pos, "invitation for %s, which needs none (it is in the organization and RAM sharing is enabled)", w.accounts[ai].id)
		default:
			s.invitations = append(s.invitations, invitation{account: ai, answer: inv.Answer, after: inv.After})
		}
	}
}

// associate associates principals and pipelines with share id at time at.
func (w *World) associate(id ShareID, sps []sharePrincipal, pls []PipelineID, at Time) {
	s := &w.shares[id]
	for _, sp := range sps {
		a := association{kind: sp.kind, account: sp.account, principal: sp.principal, ou: sp.ou,
			label: sp.label, at: at, removed: Never}
		if w.needsInvitation(sp) {
			a.invite = true
			ans, after := s.answerFor(sp.account)
			a.answer = ans
			a.answerAt = at + after
		}
		s.principals = append(s.principals, a)
	}
	for _, p := range pls {
		s.resources = append(s.resources, resourceAssoc{pipeline: p, at: at, removed: Never})
		pl := &w.pipelines[p]
		if !containsShare(pl.shares, id) {
			pl.shares = append(pl.shares, id)
			sort.Slice(pl.shares, func(i, j int) bool { return pl.shares[i] < pl.shares[j] })
		}
	}
}

func containsShare(ids []ShareID, id ShareID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// names reports whether association a names principal p of account ai now.
func (w *World) names(a *association, p PrincipalID, ai int32) bool {
	switch a.kind {
	case kindAccount:
		return a.account == ai
	case kindIAM:
		return a.principal == p
	case kindOU:
		return w.ouContains(a.ou, ai)
	case kindOrg:
		return w.inOrg(ai)
	}
	return false
}

// stepState is a share's step 5 outcome for one caller and pipeline at a
// time, before the action is considered: ReasonShared means "grants its
// permission's actions".
type stepState struct {
	reason Reason
	next   Time // the earliest later time at which the outcome can change
}

// earlier lowers *next to t when now < t < *next.
func earlier(next *Time, now, t Time) {
	if t > now && t < *next {
		*next = t
	}
}

// assocState is association a's state for a caller in account ai at time t,
// given that it names the caller; resFrom is when the pipeline's resource
// association is in force.
func (w *World) assocState(s *share, a *association, ai int32, t, resFrom Time) stepState {
	st := stepState{next: Never}
	earlier(&st.next, t, a.removed)
	if !w.inOrg(ai) && !s.allowExternal && w.inOrg(s.owner) {
		st.reason = ReasonExternalNotAllowed
		return st
	}
	from := a.at + s.delay
	if a.invite {
		expires := a.at + s.ttl
		switch {
		case a.answer == AnswerIgnore || a.answerAt >= expires:
			if t >= expires {
				st.reason = ReasonInvitationExpired
				return st
			}
			earlier(&st.next, t, expires)
			st.reason = ReasonInvitationPending
			return st
		case t < a.answerAt:
			earlier(&st.next, t, a.answerAt)
			st.reason = ReasonInvitationPending
			return st
		case a.answer == AnswerReject:
			st.reason = ReasonInvitationRejected
			return st
		}
		from = max(from, a.answerAt)
	}
	from = max(from, resFrom)
	if t < from {
		earlier(&st.next, t, from)
		st.reason = ReasonAssociationPending
		return st
	}
	st.reason = ReasonShared
	return st
}

// shareState is share s's best step 5 state for principal p (account ai)
// and pipeline pl at t; ReasonNotShared when the share does not name the
// caller or hold the pipeline at t. onlyOrgWide restricts it to
// associations with the organization or an OU (step 3).
func (w *World) shareState(s *share, p PrincipalID, ai int32, pl PipelineID, t Time, onlyOrgWide bool) stepState {
	best := stepState{reason: ReasonNotShared, next: Never}
	resFrom := Never
	for i := range s.resources {
		r := &s.resources[i]
		if r.pipeline != pl {
			continue
		}
		earlier(&best.next, t, r.at)
		earlier(&best.next, t, r.removed)
		if r.at <= t && t < r.removed {
			resFrom = min(resFrom, r.at+s.delay)
		}
	}
	if resFrom == Never {
		return best
	}
	for i := range s.principals {
		a := &s.principals[i]
		if onlyOrgWide && a.kind != kindOrg && a.kind != kindOU {
			continue
		}
		earlier(&best.next, t, a.at)
		if t < a.at || t >= a.removed || !w.names(a, p, ai) {
			continue
		}
		st := w.assocState(s, a, ai, t, resFrom)
		best.next = min(best.next, st.next)
		if shareRank(st.reason) > shareRank(best.reason) {
			best.reason = st.reason
		}
	}
	return best
}
