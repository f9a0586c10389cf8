package model

import (
	"slices"
	"sort"
	"strings"
)

// event is a resolved timeline change.
type event struct {
	at         Time
	kind       EventKind
	share      ShareID
	permission Permission
	principals []sharePrincipal // associate/disassociate; nil = all (disassociate)
	pipelines  []PipelineID     // nil = all (disassociate)
	hasPrinc   bool
	hasPipes   bool
	account    int32
	ou         int32
	target     target
	policy     PolicyID
	pos        Pos
}

// target is where attach_policy/detach_policy act: an account's or OU's
// SCPs, or a principal's identity policies.
type target struct {
	account   int32 // -1 unless an account or principal
	principal PrincipalID
	ou        int32 // -1 unless an OU
	isPrinc   bool
}

func (b *builder) events(cfgs []EventConfig) {
	for i := range cfgs {
		if e, ok := b.event(&cfgs[i]); ok {
			b.w.events = append(b.w.events, e)
		}
	}
	// Same instant: file order.
	sort.SliceStable(b.w.events, func(i, j int) bool { return b.w.events[i].at < b.w.events[j].at })
}

func (b *builder) need(c *EventConfig, r Ref, field string) bool {
	if r.S == "" {
		b.errorf(c.Pos, "%s event needs %s", c.Kind, field)
		return false
	}
	return true
}

func (b *builder) eventShare(c *EventConfig) (ShareID, bool) {
	if !b.need(c, c.Share, "share") {
		return 0, false
	}
	id, ok := b.w.shareIndex[c.Share.S]
	if !ok {
		b.errorf(c.Share.Pos, "unknown share %q", c.Share.S)
	}
	return id, ok
}

func (b *builder) event(c *EventConfig) (event, bool) {
	w := b.w
	e := event{at: c.At, kind: c.Kind, account: -1, ou: -1, pos: c.Pos,
		target: target{account: -1, ou: -1}, policy: noPolicy}
	ok := true
	switch c.Kind {
	case EventSetPermission:
		e.share, ok = b.eventShare(c)
		e.permission = c.Permission
		if c.Permission == 0 {
			b.errorf(c.Pos, "set_permission event needs permission")
			ok = false
		}
	case EventAssociate, EventDisassociate:
		if e.share, ok = b.eventShare(c); !ok {
			return e, false
		}
		s := &w.shares[e.share]
		e.hasPrinc, e.hasPipes = c.Principals != nil, c.Pipelines != nil
		if c.Kind == EventAssociate && !e.hasPrinc && !e.hasPipes {
			b.errorf(c.Pos, "associate event needs principals or pipelines")
			return e, false
		}
		e.principals = b.sharePrincipals(s, c.Principals)
		e.pipelines = b.sharePipelines(s, c.Pipelines)
	case EventDeleteShare:
		e.share, ok = b.eventShare(c)
	case EventMoveAccount:
		if !b.need(c, c.Account, "account") || !b.need(c, c.OU, "ou") {
			return e, false
		}
		if e.account, ok = b.account(c.Account); !ok {
			return e, false
		}
		o, found := w.ouIndex[c.OU.S]
		if !found || !w.hasOrg {
			b.errorf(c.OU.Pos, "unknown OU %q", c.OU.S)
			return e, false
		}
		e.ou = o
	case EventLeaveOrganization:
		if !b.need(c, c.Account, "account") {
			return e, false
		}
		if e.account, ok = b.account(c.Account); ok && e.account == w.mgmt {
			b.errorf(c.Account.Pos, "the management account cannot leave the organization")
			ok = false
		}
	case EventAttachPolicy, EventDetachPolicy:
		if !b.need(c, c.Target, "target") || !b.need(c, c.Policy, "policy") {
			return e, false
		}
		if e.target, ok = b.target(c.Target); !ok {
			return e, false
		}
		e.policy, ok = b.policyRef(c.Policy)
	case EventAttachRCP, EventDetachRCP:
		e.target, e.policy, ok = b.rcpEvent(c)
	default:
		b.errorf(c.Pos, "unknown event kind %d", c.Kind)
		ok = false
	}
	return e, ok
}

// rcpEvent resolves an attach_rcp or detach_rcp event: an OU or a member
// account, and a policy that is then an RCP (checkPrincipals checks it as
// one).
func (b *builder) rcpEvent(c *EventConfig) (target, PolicyID, bool) {
	w := b.w
	if !b.need(c, c.Target, "target") || !b.need(c, c.Policy, "policy") {
		return target{}, noPolicy, false
	}
	// The policy first, so that it is checked as an RCP even when the
	// target is wrong.
	id, ok := w.policyIndex[c.Policy.S]
	if !ok {
		b.errorf(c.Policy.Pos, "unknown policy %q", c.Policy.S)
	} else {
		b.rcpUse[id] = true
	}
	if strings.HasPrefix(c.Target.S, "/") {
		b.errorf(c.Target.Pos, "an event's target is ou:/path or an account ID: write ou:%s", c.Target.S)
		return target{}, noPolicy, false
	}
	t, found := b.target(c.Target)
	switch {
	case !found:
		return t, noPolicy, false
	case t.isPrinc:
		b.errorf(c.Target.Pos, "an RCP is attached to an OU (ou:/path) or an account, not to principal %s", c.Target.S)
		return t, noPolicy, false
	case t.ou < 0 && !b.rcpAccount(t.account, c.Target.Pos, c.Kind.String()), !ok:
		return t, noPolicy, false
	}
	if !w.HasData() {
		b.warnf(c.Pos, "%s: RCPs constrain S3 buckets and KMS keys, and the scenario declares none", c.Kind)
	}
	return t, id, true
}

func (b *builder) target(r Ref) (target, bool) {
	w := b.w
	t := target{account: -1, ou: -1}
	if path, ok := strings.CutPrefix(r.S, "ou:"); ok {
		o, found := w.ouIndex[path]
		if !found || !w.hasOrg {
			b.errorf(r.Pos, "unknown OU %q", path)
			return t, false
		}
		t.ou = o
		return t, true
	}
	acct, name, err := splitPrincipal(r.S)
	if err != nil {
		b.errorf(r.Pos, "target %q: %v (want ACCT, ACCT/role/X or ou:/path)", r.S, err)
		return t, false
	}
	ai, ok := w.acctIndex[acct]
	if !ok {
		b.errorf(r.Pos, "unknown account %s", acct)
		return t, false
	}
	t.account = ai
	if strings.Contains(r.S, "/") || strings.HasPrefix(r.S, "arn:") {
		if name == "root" {
			b.errorf(r.Pos, "the root principal carries no policies; target the account for an SCP")
			return t, false
		}
		p, err := w.principalIn(ai, name)
		if err != nil {
			b.errorf(r.Pos, "%v", err)
			return t, false
		}
		t.principal, t.isPrinc = p, true
	}
	return t, true
}

// NumEvents returns the number of timeline events.
func (w *World) NumEvents() int { return len(w.events) }

// EventAt returns the time of event i; events are sorted by time, ties in
// file order.
func (w *World) EventAt(i int) Time { return w.events[i].at }

// Applied returns how many events have been applied.
func (w *World) Applied() int { return w.applied }

// ApplyNext applies the next timeline event. Events must be applied in
// order, each at its time; it panics when none is left.
func (w *World) ApplyNext() {
	if w.applied >= len(w.events) {
		panic("model: ApplyNext with no event left")
	}
	w.apply(&w.events[w.applied])
	w.applied++
	w.gen++
}

// AdvanceTo applies every pending event at or before t.
func (w *World) AdvanceTo(t Time) {
	for w.applied < len(w.events) && w.events[w.applied].at <= t {
		w.ApplyNext()
	}
}

func (w *World) apply(e *event) {
	switch e.kind {
	case EventSetPermission:
		w.shares[e.share].permission = e.permission
	case EventAssociate:
		w.associate(e.share, e.principals, e.pipelines, e.at)
	case EventDisassociate:
		w.disassociate(e)
	case EventDeleteShare:
		s := &w.shares[e.share]
		for i := range s.principals {
			s.principals[i].removed = min(s.principals[i].removed, e.at)
		}
		for i := range s.resources {
			s.resources[i].removed = min(s.resources[i].removed, e.at)
		}
	case EventMoveAccount:
		w.setOU(e.account, e.ou)
	case EventLeaveOrganization:
		w.leave(e.account, e.at)
	case EventAttachPolicy, EventDetachPolicy, EventAttachRCP, EventDetachRCP:
		var list *[]PolicyID
		if e.kind == EventAttachRCP || e.kind == EventDetachRCP {
			list = w.targetRCPs(e.target)
		} else {
			list = w.targetPolicies(e.target)
		}
		if e.kind == EventAttachPolicy || e.kind == EventAttachRCP {
			if !slices.Contains(*list, e.policy) {
				*list = append(*list, e.policy)
			}
		} else if i := slices.Index(*list, e.policy); i >= 0 {
			*list = slices.Delete(slices.Clone(*list), i, i+1)
		}
	}
}

// targetRCPs returns the RCPs attached to t, an OU or an account.
func (w *World) targetRCPs(t target) *[]PolicyID {
	if t.ou >= 0 {
		return &w.data.ouRCPs[t.ou]
	}
	return &w.data.acctRCPs[t.account]
}

func (w *World) targetPolicies(t target) *[]PolicyID {
	switch {
	case t.ou >= 0:
		return &w.ous[t.ou].scps
	case t.isPrinc:
		return &w.principals[t.principal].policies
	default:
		return &w.accounts[t.account].scps
	}
}

func samePrincipal(a *association, sp *sharePrincipal) bool {
	if a.kind != sp.kind {
		return false
	}
	switch a.kind {
	case kindAccount:
		return a.account == sp.account
	case kindIAM:
		return a.principal == sp.principal
	case kindOU:
		return a.ou == sp.ou
	}
	return true
}

func (w *World) disassociate(e *event) {
	s := &w.shares[e.share]
	all := !e.hasPrinc && !e.hasPipes
	if e.hasPrinc || all {
		for i := range s.principals {
			a := &s.principals[i]
			if a.removed != Never {
				continue
			}
			hit := all
			for j := range e.principals {
				hit = hit || samePrincipal(a, &e.principals[j])
			}
			if hit {
				a.removed = e.at
			}
		}
	}
	for i := range s.resources {
		r := &s.resources[i]
		if r.removed == Never && e.hasPipes && slices.Contains(e.pipelines, r.pipeline) {
			r.removed = e.at
		}
	}
}

// leave takes account ai out of the organization at t: associations that
// came through the organization or an OU stop naming it by themselves; direct
// associations made without an invitation are dropped unless the share
// retains them.
func (w *World) leave(ai int32, t Time) {
	w.setOU(ai, outsideOrg)
	for si := range w.shares {
		s := &w.shares[si]
		if s.retainOnLeave {
			continue
		}
		for i := range s.principals {
			a := &s.principals[i]
			if (a.kind == kindAccount || a.kind == kindIAM) && a.account == ai && !a.invite && a.removed == Never {
				a.removed = t
			}
		}
	}
}
