package model

// DataExplanation is a data-access decision with every layer that led to
// it (docs/aws-semantics.md#how-a-data-access-is-decided).
type DataExplanation struct {
	Decision Decision
	Reason   DataReason
	Role     PrincipalID
	Session  string // the role session's ARN, as AWS names the caller
	Access   DataAccess
	Resource string // the ARN the access is authorized against
	At       Time
	// Layers are, in order: identity_deny, scp (the role's account),
	// rcp (the resource's account), identity_allow and resource (the
	// bucket or key policy).
	Layers [5]Layer

	denial denial
}

// Message returns AWS's denial text for ex (docs/aws-semantics.md#denial-messages),
// "" on allow: S3 quotes the resource ARN, KMS does not. It builds the
// text on each call.
func (ex *DataExplanation) Message() string {
	quote := `"`
	if ex.Access.Action.IsKMS() {
		quote = ""
	}
	return ex.denial.text(ex.Session, "", ex.Access.Action.String(), quote, ex.Resource)
}

// matchData appends to dst the statements of pols with effect eff that
// apply to data action act on res in ctx and name role p (a statement
// without a Principal names everyone it is attached to).
func (w *World) matchData(dst []*Match, pols []PolicyID, eff Effect, act DataAction, res string, ctx *CondContext, p PrincipalID, kind roleMatch) []*Match {
	w.dataStatements(pols, eff, act, res, ctx, p, func(pol *Policy, s *Statement, m roleMatch) {
		if m == kind {
			dst = append(dst, &pol.matches[s.Index])
		}
	})
	return dst
}

// ExplainData evaluates role p making data access a at t, recording every
// layer. It is the reference path: [World.DecideData] must return the same
// reason.
func (w *World) ExplainData(p PrincipalID, a DataAccess, t Time) DataExplanation {
	pr := &w.principals[p]
	var ctx CondContext
	w.dataContext(&ctx, p, &a, t)
	res := w.DataResource(a)
	act := a.Action
	ex := DataExplanation{Role: p, Session: w.RoleSessionARN(p), Access: a, Resource: res, At: t}
	var boundary []PolicyID
	if pr.boundary != noPolicy {
		boundary = []PolicyID{pr.boundary}
	}
	all := func(dst []*Match, pols []PolicyID, eff Effect) []*Match {
		for _, kind := range []roleMatch{roleSession, roleARN, roleAccount} {
			dst = w.matchData(dst, pols, eff, act, res, &ctx, p, kind)
		}
		return dst
	}

	l1 := Layer{Step: 1, Name: "identity_deny", Result: Pass}
	l1.Matched = all(nil, pr.policies, EffectDeny)
	identityDeny := len(l1.Matched) > 0
	l1.Matched = all(l1.Matched, boundary, EffectDeny)
	if len(l1.Matched) > 0 {
		l1.Result = Fail
	}

	l2 := Layer{Step: 2, Name: "scp"}
	scpExplicit := false
	if w.scpApplies(pr.account) {
		l2.Result = Pass
		check := func(scps []PolicyID, full bool, fa *Match) {
			n := len(l2.Matched)
			if full {
				l2.Matched = append(l2.Matched, fa)
			}
			l2.Matched = all(l2.Matched, scps, EffectAllow)
			if len(l2.Matched) == n {
				l2.Result = Fail
			}
			n = len(l2.Matched)
			l2.Matched = all(l2.Matched, scps, EffectDeny)
			if len(l2.Matched) > n {
				scpExplicit = true
				l2.Result = Fail
			}
		}
		for _, o := range w.scpLevels(nil, pr.account) {
			check(w.ous[o].scps, w.ous[o].fullAccess, &w.fullAWSAccess.ous[o])
		}
		ac := &w.accounts[pr.account]
		l2.OUPath = ac.scpPath
		check(ac.scps, ac.fullAccess, &w.fullAWSAccess.accounts[pr.account])
	}

	owner, _ := w.dataOwner(&a)
	l3 := Layer{Step: 3, Name: "rcp"}
	if w.rcpApplies(owner) {
		l3.Result = Pass
		check := func(rcps []PolicyID, at Pos) {
			// RCPFullAWSAccess: built here, unlike FullAWSAccess, as only
			// data explanations list it.
			l3.Matched = append(l3.Matched, &Match{Policy: "RCPFullAWSAccess", Effect: EffectAllow, Source: at})
			n := len(l3.Matched)
			l3.Matched = all(l3.Matched, rcps, EffectDeny)
			if len(l3.Matched) > n {
				l3.Result = Fail
			}
		}
		for _, o := range w.scpLevels(nil, owner) {
			check(w.data.ouRCPs[o], w.ous[o].pos)
		}
		ac := &w.accounts[owner]
		l3.OUPath = ac.scpPath
		check(w.data.acctRCPs[owner], ac.pos)
	}

	l4 := Layer{Step: 4, Name: "identity_allow", Result: Fail}
	identityAllow := pr.allowAll
	if !pr.allowAll {
		l4.Matched = all(nil, pr.policies, EffectAllow)
		identityAllow = len(l4.Matched) > 0
	}
	boundaryAllow := true
	if boundary != nil {
		n := len(l4.Matched)
		l4.Matched = all(l4.Matched, boundary, EffectAllow)
		boundaryAllow = len(l4.Matched) > n
	}
	idOK := identityAllow && boundaryAllow
	if idOK {
		l4.Result = Pass
	}

	// The resource policy: its denies, then its allows by how they name
	// the role (its session or "*", its ARN, or its account: a delegation
	// to IAM).
	rp := w.resourcePolicyOf(&a)
	l5 := Layer{Step: 5, Name: "resource", Result: NotApplicable}
	l5.Matched = all(nil, rp, EffectDeny)
	resDeny := len(l5.Matched) > 0
	n := len(l5.Matched)
	l5.Matched = w.matchData(l5.Matched, rp, EffectAllow, act, res, &ctx, p, roleSession)
	session := len(l5.Matched) > n
	n = len(l5.Matched)
	l5.Matched = w.matchData(l5.Matched, rp, EffectAllow, act, res, &ctx, p, roleARN)
	direct := session || len(l5.Matched) > n
	n = len(l5.Matched)
	l5.Matched = w.matchData(l5.Matched, rp, EffectAllow, act, res, &ctx, p, roleAccount)
	delegated := len(l5.Matched) > n
	same := owner == pr.account

	// The resource side grants on its own (direct), through the role's
	// account (across accounts, or a KMS key policy delegating to IAM), or
	// not at all; for S3 in one account, the identity side suffices.
	resourceGrants := direct || delegated && (!same || act.IsKMS())
	switch {
	case resDeny:
		l5.Result = Fail
	case resourceGrants:
		l5.Result = Pass
	case !same || act.IsKMS():
		l5.Result = Fail
	}

	ex.Layers = [5]Layer{l1, l2, l3, l4, l5}
	decisive := 0
	switch {
	case l1.Result == Fail:
		decisive, ex.Reason = 0, DataExplicitDeny
	case scpExplicit:
		decisive, ex.Reason = 1, DataSCP
	case l3.Result == Fail:
		decisive, ex.Reason = 2, DataRCP
	case resDeny:
		decisive, ex.Reason = 4, DataResourceDeny
	case l2.Result == Fail:
		decisive, ex.Reason = 1, DataSCP
	case same && session:
		// A grant to the session itself, in its own account: implicit
		// denies of the identity policies and the boundary do not limit it.
		decisive, ex.Reason = 4, DataAllowed
	case !boundaryAllow:
		decisive, ex.Reason = 3, DataNoIdentityAllow
	case same && !act.IsKMS():
		// S3 in one account: the identity or the bucket policy allows.
		decisive, ex.Reason = 3, DataNoIdentityAllow
		if direct {
			decisive, ex.Reason = 4, DataAllowed
		}
		if identityAllow {
			decisive, ex.Reason = 3, DataAllowed
		}
	case !same && !identityAllow:
		decisive, ex.Reason = 3, DataNoIdentityAllow
	case l5.Result == Fail:
		decisive, ex.Reason = 4, DataNoResourceAllow
	case same && direct:
		// A key policy naming the role needs no identity allow.
		decisive, ex.Reason = 4, DataAllowed
	case !identityAllow:
		decisive, ex.Reason = 3, DataNoIdentityAllow
	default:
		decisive, ex.Reason = 4, DataAllowed
	}
	ex.Layers[decisive].Decisive = true
	if ex.Reason == DataAllowed {
		ex.Decision = Allow
		return ex
	}
	ex.denial = dataDenial(ex.Reason, identityDeny, scpExplicit, identityAllow)
	return ex
}

// dataDenial returns the text a data denial for reason r takes:
// identityDeny when an identity policy denies explicitly (else the
// boundary does), scpExplicit when an SCP does, identityAllow when the
// identity policies allow.
func dataDenial(r DataReason, identityDeny, scpExplicit, identityAllow bool) denial {
	switch r {
	case DataExplicitDeny:
		if !identityDeny {
			return denyBoundary
		}
		return denyIdentity
	case DataSCP:
		if scpExplicit {
			return denySCP
		}
		return noSCPAllow
	case DataRCP:
		return denyRCP
	case DataResourceDeny:
		return denyResource
	case DataNoIdentityAllow:
		if identityAllow {
			return noBoundaryAllow
		}
		return noIdentityAllow
	}
	return noResourceAllow
}
