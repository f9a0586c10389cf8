package model

import "slices"

// LayerResult is the outcome of one evaluation layer.
type LayerResult uint8

const (
	NotApplicable LayerResult = iota
	Pass
	Fail
)

func (r LayerResult) String() string {
	switch r {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	}
	return "not_applicable"
}

// Match is a policy statement that matched the request. Explanations
// point at the World's, one per statement (and per SCP or RCP level for
// the implicit FullAWSAccess and RCPFullAWSAccess): read only.
type Match struct {
	Policy    string
	Statement int // 0-based index in the policy
	Sid       string
	Effect    Effect
	Source    Pos
}

// ShareState is one share's step 5 outcome.
type ShareState struct {
	Share  string
	State  string // the share's state for this caller: "active", "pending", "deleted", …
	Reason Reason
}

// Layer is one evaluated step of the permission semantics (docs/aws-semantics.md#how-a-call-is-decided).
type Layer struct {
	Step     int    // 1..5
	Name     string // identity_deny, scp, owner, identity_allow, resource
	Result   LayerResult
	Decisive bool
	Matched  []*Match     // the World's: read only
	OUPath   []string     // scp: the levels evaluated, root first (shared: read only)
	Shares   []ShareState // owner (org-wide shares) and resource
}

// Explanation is a decision with every layer that led to it.
type Explanation struct {
	Decision  Decision
	Reason    Reason
	Principal PrincipalID
	Pipeline  PipelineID
	Caller    string // "222222222222/role/X"
	Action    Action
	Resource  string // ARN or "*"
	At        Time
	// Share is, for a shared allow, the lowest-named share granting the
	// action; NoShare otherwise.
	Share ShareID
	// Layers are the five steps, in order: identity_deny, scp, owner,
	// identity_allow and resource. They are held in the explanation, not
	// behind a slice, so that explaining allocates only their lists.
	Layers [5]Layer
	// Returns is, for an allowed Search, whether its results hold the
	// pipeline — what the call returns, not a decision: owner (the
	// caller's account owns it), shared (a share in force names the
	// caller: ReturnsShare, the lowest-named; ReturnsShares, every
	// share's state), or why not (not_shared, association_pending, …).
	// ReasonNone for any other call.
	Returns       Reason
	ReturnsShare  ShareID
	ReturnsShares []ShareState

	arn    string // the caller's, for Message
	denial denial
}

// Message returns AWS's denial text for ex (docs/aws-semantics.md#denial-messages),
// "" on allow. It builds the text on each call.
func (ex *Explanation) Message() string {
	return ex.denial.text(ex.arn, "sagemaker:", ex.Action.Name(), "", ex.Resource)
}

// NoShare marks a decision that no share granted.
const NoShare ShareID = -1

// condContext fills the condition keys of principal p calling on pipeline pl at t.
// For Search, call searchContext on the result: Search is a call in the
// caller's own account.
func (w *World) condContext(ctx *CondContext, p PrincipalID, pl PipelineID, t Time) {
	pr := &w.principals[p]
	a := &w.accounts[pr.account]
	*ctx = CondContext{
		PrincipalAccount:  string(a.id),
		PrincipalArn:      pr.arn,
		PrincipalOrgPaths: a.orgPaths,
		PrincipalType:     pr.ptype,
		PrincipalTags:     pr.tags,
		ResourceAccount:   string(w.accounts[w.pipelines[pl].owner].id),
		RequestedRegion:   w.region,
		CurrentTime:       w.start + int64(t),
	}
	if a.orgPaths != nil {
		ctx.PrincipalOrgID = w.orgID
	}
	if w.inOrg(w.pipelines[pl].owner) {
		ctx.ResourceOrgID = w.orgID
	}
}

// searchContext turns ctx, the context of a call on a pipeline, into that
// of a Search by the same principal: Search has no resource type, so it is
// authorized on "*" in the caller's own account, and aws:ResourceAccount is
// the caller's (docs/aws-semantics.md#read-actions-and-search).
func searchContext(ctx *CondContext) { ctx.ResourceAccount = ctx.PrincipalAccount }

// matchPolicies appends to dst the statements of pols with effect eff that
// apply to action a on resource r in ctx.
func (w *World) matchPolicies(dst []*Match, pols []PolicyID, eff Effect, a Action, r string, ctx *CondContext) []*Match {
	for _, id := range pols {
		pol := &w.policies[id]
		for i := range pol.Statements {
			s := &pol.Statements[i]
			if s.Effect == eff && s.Actions.Has(a) && s.applies(r, ctx) {
				dst = append(dst, &pol.matches[i])
			}
		}
	}
	return dst
}

// scpApplies reports whether SCPs constrain account ai now.
func (w *World) scpApplies(ai int32) bool { return w.inOrg(ai) && ai != w.mgmt }

// scpLevels returns the OU indices from the root to account ai's OU, in
// buf when they fit.
func (w *World) scpLevels(buf []int32, ai int32) []int32 {
	out := buf[:0]
	for o := w.accounts[ai].ou; o >= 0; o = w.ous[o].parent {
		out = append(out, o)
	}
	slices.Reverse(out)
	return out
}

// explainBuf is the backing store of one Explanation's lists, so that
// explaining a decision allocates once in the common case; a longer list
// spills over into its own array. shares holds the owner or resource
// layer's shares, or what an allowed Search returns (a Search consults
// none for its decision).
type explainBuf struct {
	matches [4]*Match
	shares  [2]ShareState
}

// cut returns (*m)[from:] capped, nil when empty, and moves from to the end.
func cut[T any](m []T, from *int) []T {
	s := m[*from:len(m):len(m)]
	*from = len(m)
	if len(s) == 0 {
		return nil
	}
	return s
}

// scpLevel appends to m the matches of one SCP level (its SCPs scps, with
// FullAWSAccess, fa, when full) for action a on resource r in ctx, failing
// l2 when the level does not allow a and setting *explicit when it denies
// a.
func (w *World) scpLevel(l2 *Layer, explicit *bool, m []*Match, scps []PolicyID, full bool, fa *Match, a Action, r string, ctx *CondContext) []*Match {
	if full {
		m = append(m, fa)
	}
	n := len(m)
	m = w.matchPolicies(m, scps, EffectAllow, a, r, ctx)
	if !full && len(m) == n {
		l2.Result = Fail
	}
	n = len(m)
	if m = w.matchPolicies(m, scps, EffectDeny, a, r, ctx); len(m) > n {
		*explicit = true
		l2.Result = Fail
	}
	return m
}

// implicitMatches are the matches of an SCP or RCP AWS attaches to every
// level implicitly, each where the level is declared: by OU and by account.
type implicitMatches struct{ ous, accounts []Match }

// fullAWSAccess returns the matches of AWS's FullAWSAccess SCP at w's
// levels.
func fullAWSAccess(w *World) implicitMatches {
	return implicitMatches{ous: implicitAt("FullAWSAccess", len(w.ous), func(i int) Pos { return w.ous[i].pos }),
		accounts: implicitAt("FullAWSAccess", len(w.accounts), func(i int) Pos { return w.accounts[i].pos })}
}

// implicitAt returns n matches of the implicit policy name, at pos(0..n-1).
func implicitAt(name string, n int, pos func(i int) Pos) []Match {
	ms := make([]Match, n)
	for i := range ms {
		ms[i] = Match{Policy: name, Effect: EffectAllow, Source: pos(i)}
	}
	return ms
}

// Explain evaluates principal p calling action a on pipeline pl at t,
// recording every layer. It is the reference path: [World.Decide] must
// return the same reason.
func (w *World) Explain(p PrincipalID, pl PipelineID, a Action, t Time) (ex Explanation) {
	pr := &w.principals[p]
	ai := pr.account
	owner := w.pipelines[pl].owner
	res := w.ResourceFor(pl, a)
	var ctx CondContext
	w.condContext(&ctx, p, pl, t)
	if a == Search {
		// No share is consulted: the caller's own account decides
		// (step 3 without org-wide shares). What it returns is Visible.
		owner = ai
		searchContext(&ctx)
	}
	ex = Explanation{Principal: p, Pipeline: pl, Caller: pr.caller, Action: a, Resource: res, At: t, Share: NoShare, ReturnsShare: NoShare, arn: pr.arn}
	var boundary []PolicyID
	if pr.boundary != noPolicy {
		boundary = []PolicyID{pr.boundary}
	}
	// The layers are filled where they stay: building them on the stack
	// and copying them in cost about 6 % of Explain.
	buf := new(explainBuf)
	l1, l2, l3, l4, l5 := &ex.Layers[0], &ex.Layers[1], &ex.Layers[2], &ex.Layers[3], &ex.Layers[4]
	m, from := buf.matches[:0], 0 // every layer's matches, one after the other

	// Step 1: explicit deny in identity policies or the boundary.
	l1.Step, l1.Name, l1.Result = 1, "identity_deny", Pass
	m = w.matchPolicies(m, pr.policies, EffectDeny, a, res, &ctx)
	identityDeny := len(m) > 0
	m = w.matchPolicies(m, boundary, EffectDeny, a, res, &ctx)
	boundaryDeny := !identityDeny && len(m) > 0
	if l1.Matched = cut(m, &from); len(l1.Matched) > 0 {
		l1.Result = Fail
	}

	// Step 2: SCPs at every level.
	l2.Step, l2.Name = 2, "scp"
	scpExplicit := false
	if w.scpApplies(ai) {
		l2.Result = Pass
		var levels [16]int32
		for _, o := range w.scpLevels(levels[:], ai) {
			m = w.scpLevel(l2, &scpExplicit, m, w.ous[o].scps, w.ous[o].fullAccess, &w.fullAWSAccess.ous[o], a, res, &ctx)
		}
		acc := &w.accounts[ai]
		l2.OUPath = acc.scpPath
		m = w.scpLevel(l2, &scpExplicit, m, acc.scps, acc.fullAccess, &w.fullAWSAccess.accounts[ai], a, res, &ctx)
		l2.Matched = cut(m, &from)
	}

	// Identity allow (steps 3 and 4): identity ∩ boundary.
	identityAllow := pr.allowAll
	if !pr.allowAll {
		m = w.matchPolicies(m, pr.policies, EffectAllow, a, res, &ctx)
		identityAllow = len(m) > from
	}
	boundaryAllow := true
	if boundary != nil {
		n := len(m)
		m = w.matchPolicies(m, boundary, EffectAllow, a, res, &ctx)
		boundaryAllow = len(m) > n
	}
	allowM := cut(m, &from)
	idOK := identityAllow && boundaryAllow

	l3.Step, l3.Name = 3, "owner"
	l4.Step, l4.Name = 4, "identity_allow"
	l5.Step, l5.Name = 5, "resource"
	ownerReason := ReasonNoIdentityAllow
	resReason := ReasonNotShared
	if ai == owner {
		l3.Matched = allowM
		// Org-wide shares grant the owner's principals too (Principal "*"),
		// except Search, which no share grants.
		var r Reason
		if a != Search {
			l3.Shares, r = w.explainShares(buf.shares[:0], p, ai, pl, a, t, true)
		}
		switch {
		case idOK:
			l3.Result, ownerReason = Pass, ReasonOwner
		case r == ReasonShared:
			l3.Result, ownerReason = Pass, ReasonShared
		default:
			l3.Result = Fail
		}
	} else {
		l4.Matched = allowM
		l4.Result = Fail
		if idOK {
			l4.Result = Pass
		}
		l5.Shares, resReason = w.explainShares(buf.shares[:0], p, ai, pl, a, t, false)
		l5.Result = Fail
		if resReason == ReasonShared {
			l5.Result = Pass
		}
	}

	decisive := -1
	switch {
	case l1.Result == Fail:
		decisive, ex.Reason = 0, ReasonExplicitDeny
	case l2.Result == Fail:
		decisive, ex.Reason = 1, ReasonSCP
	case ai == owner:
		decisive, ex.Reason = 2, ownerReason
	case l4.Result == Fail:
		decisive, ex.Reason = 3, ReasonNoIdentityAllow
	default:
		decisive, ex.Reason = 4, resReason
	}
	ex.Layers[decisive].Decisive = true
	if ex.Reason.IsAllow() {
		ex.Decision = Allow
		if a == Search {
			// A Search consults no share for its decision, so buf.shares
			// is free for what it returns.
			w.searchReturns(&ex, buf.shares[:0], ai, t)
		}
		if ex.Reason == ReasonShared {
			shares := ex.Layers[decisive].Shares
			for i := range shares {
				if shares[i].Reason == ReasonShared {
					ex.Share = w.shareIndex[shares[i].Share]
					break
				}
			}
		}
		return ex
	}
	ex.denial = explainDenial(ex.Reason, boundaryDeny, scpExplicit, identityAllow)
	return ex
}

// searchReturns sets ex.Returns and its shares, appended to out: whether
// the allowed Search ex returns its pipeline to the caller, of account ai,
// at t.
func (w *World) searchReturns(ex *Explanation, out []ShareState, ai int32, t Time) {
	if ai == w.pipelines[ex.Pipeline].owner {
		ex.Returns = ReasonOwner
		return
	}
	ex.ReturnsShares, ex.Returns = w.explainShares(out, ex.Principal, ai, ex.Pipeline, Search, t, false)
	for _, st := range ex.ReturnsShares {
		if st.Reason == ReasonShared {
			ex.ReturnsShare = w.shareIndex[st.Share]
			break
		}
	}
}

// explainShares evaluates every share of pl for the caller and action a,
// appending their states (in name order) to out, and returns them (nil
// for none) and the best reason.
func (w *World) explainShares(out []ShareState, p PrincipalID, ai int32, pl PipelineID, a Action, t Time, orgWide bool) ([]ShareState, Reason) {
	best := ReasonNotShared
	for _, sid := range w.pipelines[pl].shares {
		s := &w.shares[sid]
		st := w.shareState(s, p, ai, pl, t, orgWide)
		r := st.reason
		if r == ReasonShared && !s.permission.Actions().Has(a) {
			r = ReasonActionNotPermitted
		}
		if r == ReasonNotShared && orgWide {
			continue
		}
		out = append(out, ShareState{Share: s.name, State: stateName(st.reason), Reason: r})
		if shareRank(r) > shareRank(best) {
			best = r
		}
	}
	if len(out) == 0 {
		return nil, best
	}
	return out, best
}

// stateName names a share's state for a caller.
func stateName(r Reason) string {
	switch r {
	case ReasonShared:
		return "active"
	case ReasonNotShared:
		return "not_associated"
	case ReasonAssociationPending:
		return "associating"
	case ReasonInvitationPending:
		return "invitation_pending"
	case ReasonInvitationRejected:
		return "invitation_rejected"
	case ReasonInvitationExpired:
		return "invitation_expired"
	case ReasonExternalNotAllowed:
		return "external_not_allowed"
	}
	return r.String()
}

// explainDenial returns the text a denial for reason r takes: boundaryDeny
// when only the permissions boundary denies explicitly, scpExplicit when
// an SCP does, identityAllow when the identity policies allow.
func explainDenial(r Reason, boundaryDeny, scpExplicit, identityAllow bool) denial {
	switch r {
	case ReasonExplicitDeny:
		if boundaryDeny {
			return denyBoundary
		}
		return denyIdentity
	case ReasonSCP:
		if scpExplicit {
			return denySCP
		}
		return noSCPAllow
	case ReasonNoIdentityAllow:
		if identityAllow {
			return noBoundaryAllow
		}
		return noIdentityAllow
	}
	return noResourceAllow
}

// Access is ex's reason as [World.DecideAll] gives it: the decision, but
// for an allowed Search whether it returns the pipeline (Returns).
func (ex *Explanation) Access() Reason {
	if ex.Action == Search && ex.Reason.IsAllow() {
		return ex.Returns
	}
	return ex.Reason
}
