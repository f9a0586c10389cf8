package model

// This file decides data accesses (docs/aws-semantics.md#how-a-data-access-is-decided)
// in two ways that must agree: [World.DecideData], cached per (role,
// access) like the control plane's rows, and [World.ExplainData], which
// records every layer.

// dataContext fills the condition keys of role p making access a at t.
func (w *World) dataContext(ctx *CondContext, p PrincipalID, a *DataAccess, t Time) {
	pr := &w.principals[p]
	ra := &w.accounts[pr.account]
	resAcct, region := w.dataOwner(a)
	*ctx = CondContext{
		PrincipalAccount:  string(ra.id),
		PrincipalArn:      pr.arn,
		PrincipalOrgPaths: ra.orgPaths,
		PrincipalType:     pr.ptype,
		PrincipalTags:     pr.tags,
		ResourceAccount:   string(w.accounts[resAcct].id),
		RequestedRegion:   region,
		CurrentTime:       w.start + int64(t),
	}
	if ra.orgPaths != nil {
		ctx.PrincipalOrgID = w.orgID
	}
	if w.inOrg(resAcct) {
		ctx.ResourceOrgID = w.orgID
	}
	switch {
	case a.Action == S3ListBucket:
		ctx.S3Prefix, ctx.HasS3Prefix = a.Object, true
	case a.Action.IsKMS():
		// S3 calls KMS on the role's behalf for SSE-KMS objects.
		ctx.KMSCallerAccount = string(ra.id)
		ctx.KMSViaService = "s3." + w.data.buckets[a.Bucket].region + ".amazonaws.com"
		ctx.ViaAWSService = true
	}
}

// dataOwner returns the account index and region of a's resource.
func (w *World) dataOwner(a *DataAccess) (int32, string) {
	if a.Action.IsKMS() {
		k := &w.data.keys[a.Key]
		return k.account, k.region
	}
	b := &w.data.buckets[a.Bucket]
	return b.account, b.region
}

// resourcePolicyOf returns a's bucket or key policy, or nil.
func (w *World) resourcePolicyOf(a *DataAccess) []PolicyID {
	var id PolicyID
	if a.Action.IsKMS() {
		id = w.data.keys[a.Key].policy
	} else {
		id = w.data.buckets[a.Bucket].policy
	}
	if id == noPolicy {
		return nil
	}
	return []PolicyID{id}
}

// rcpApplies reports whether RCPs constrain the resources of account ai:
// members of the organization but its management account.
func (w *World) rcpApplies(ai int32) bool { return w.inOrg(ai) && ai != w.mgmt }

// dataHit returns how strongly the statements of pols with effect eff that
// apply to action act on res in ctx name role p: roleNotNamed when none
// applies; a statement without a Principal (identity policies, SCPs)
// names p directly.
func (w *World) dataHit(pols []PolicyID, eff Effect, act DataAction, res string, ctx *CondContext, p PrincipalID) roleMatch {
	best := roleNotNamed
	w.dataStatements(pols, eff, act, res, ctx, p, func(_ *Policy, _ *Statement, m roleMatch) { best = max(best, m) })
	return best
}

// dataStatements calls fn with each statement of pols with effect eff
// that applies to data action act on res in ctx, and how it names role p
// (a statement without a Principal names everyone it is attached to).
func (w *World) dataStatements(pols []PolicyID, eff Effect, act DataAction, res string, ctx *CondContext, p PrincipalID,
	fn func(pol *Policy, s *Statement, m roleMatch)) {
	for _, id := range pols {
		pol := &w.policies[id]
		for i := range pol.Statements {
			s := &pol.Statements[i]
			if s.Effect != eff || !s.Data.Has(act) || !s.applies(res, ctx) {
				continue
			}
			m := roleSession
			if s.Principal != nil {
				m = w.matchRole(s.Principal, p)
			}
			if m != roleNotNamed {
				fn(pol, s, m)
			}
		}
	}
}

// DecideData returns the reason for role p making data access id at t. It
// answers from a cache of one decision per (role, access), valid while no
// timeline event was applied and t stays before the next aws:CurrentTime
// change point.
func (w *World) DecideData(p PrincipalID, id DataAccessID, t Time) DataReason {
	k := uint64(p)<<32 | uint64(uint32(id))
	if r, ok := w.data.cache[k]; ok && r.gen == w.gen && t >= r.from && t < r.until {
		return r.reason
	}
	reason := w.decideData(p, &w.data.accesses[id], t)
	if w.data.cache == nil {
		w.data.cache = map[uint64]dataRow{}
	}
	w.data.cache[k] = dataRow{reason: reason, gen: w.gen, from: t, until: w.nextTimeThreshold(t)}
	return reason
}

// decideData computes a decision: every deny first, then the allows.
func (w *World) decideData(p PrincipalID, a *DataAccess, t Time) DataReason {
	pr := &w.principals[p]
	var ctx CondContext
	w.dataContext(&ctx, p, a, t)
	res := w.DataResource(*a)
	act := a.Action
	var boundary []PolicyID
	if pr.boundary != noPolicy {
		boundary = []PolicyID{pr.boundary}
	}
	if w.dataHit(pr.policies, EffectDeny, act, res, &ctx, p) != roleNotNamed ||
		w.dataHit(boundary, EffectDeny, act, res, &ctx, p) != roleNotNamed {
		return DataExplicitDeny
	}
	scpDeny, scpNoAllow := false, false
	if w.scpApplies(pr.account) {
		level := func(scps []PolicyID, full bool) {
			scpDeny = scpDeny || w.dataHit(scps, EffectDeny, act, res, &ctx, p) != roleNotNamed
			scpNoAllow = scpNoAllow || !full && w.dataHit(scps, EffectAllow, act, res, &ctx, p) == roleNotNamed
		}
		for o := w.accounts[pr.account].ou; o >= 0; o = w.ous[o].parent {
			level(w.ous[o].scps, w.ous[o].fullAccess)
		}
		level(w.accounts[pr.account].scps, w.accounts[pr.account].fullAccess)
	}
	if scpDeny {
		return DataSCP
	}
	owner, _ := w.dataOwner(a)
	if w.rcpApplies(owner) {
		for o := w.accounts[owner].ou; o >= 0; o = w.ous[o].parent {
			if w.dataHit(w.data.ouRCPs[o], EffectDeny, act, res, &ctx, p) != roleNotNamed {
				return DataRCP
			}
		}
		if w.dataHit(w.data.acctRCPs[owner], EffectDeny, act, res, &ctx, p) != roleNotNamed {
			return DataRCP
		}
	}
	rp := w.resourcePolicyOf(a)
	if w.dataHit(rp, EffectDeny, act, res, &ctx, p) != roleNotNamed {
		return DataResourceDeny
	}
	if scpNoAllow {
		return DataSCP
	}
	idAllow := pr.allowAll || w.dataHit(pr.policies, EffectAllow, act, res, &ctx, p) != roleNotNamed
	bAllow := boundary == nil || w.dataHit(boundary, EffectAllow, act, res, &ctx, p) != roleNotNamed
	grant := w.dataHit(rp, EffectAllow, act, res, &ctx, p)
	switch {
	case owner == pr.account && grant == roleSession:
		// A grant to the session itself: no implicit deny of the identity
		// policies or the boundary limits it.
		return DataAllowed
	case owner == pr.account && !act.IsKMS():
		if bAllow && (idAllow || grant == roleARN) {
			return DataAllowed
		}
		return DataNoIdentityAllow
	case owner == pr.account:
		switch {
		case !bAllow:
			return DataNoIdentityAllow
		case grant == roleARN || grant == roleAccount && idAllow:
			return DataAllowed
		case grant == roleNotNamed:
			return DataNoResourceAllow
		}
		return DataNoIdentityAllow
	case !idAllow || !bAllow:
		return DataNoIdentityAllow
	case grant == roleNotNamed:
		return DataNoResourceAllow
	}
	return DataAllowed
}
