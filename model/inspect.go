package model

import (
	"slices"
	"sort"
)

// This file exposes read-only views of a World's configuration for
// compliance checks (pipeshare check): positions, share associations and
// identity statements. Nothing here mutates the World.

// SharePos returns where share s is declared.
func (w *World) SharePos(s ShareID) Pos { return w.shares[s].pos }

// PrincipalPos returns where principal p is declared (an account's root:
// where its account is).
func (w *World) PrincipalPos(p PrincipalID) Pos { return w.principals[p].pos }

// AccountPos returns where account id is declared (the zero Pos if unknown).
func (w *World) AccountPos(id AccountID) Pos {
	if ai, ok := w.acctIndex[id]; ok {
		return w.accounts[ai].pos
	}
	return Pos{}
}

// PipelinePos returns where pipeline p is declared.
func (w *World) PipelinePos(p PipelineID) Pos { return w.pipelines[p].pos }

// AccountInOrg reports whether account id is in the organization now.
func (w *World) AccountInOrg(id AccountID) bool {
	ai, ok := w.acctIndex[id]
	return ok && w.inOrg(ai)
}

// ShareOwner returns the owner account of share s.
func (w *World) ShareOwner(s ShareID) AccountID { return w.accounts[w.shares[s].owner].id }

// SharePermission returns share s's permission now.
func (w *World) SharePermission(s ShareID) Permission { return w.shares[s].permission }

// ShareAllowsExternal reports whether share s allows outside principals.
func (w *World) ShareAllowsExternal(s ShareID) bool { return w.shares[s].allowExternal }

// AssocKind is what a share association names.
type AssocKind string

const (
	AssocAccount   AssocKind = "account"
	AssocPrincipal AssocKind = "principal"
	AssocOU        AssocKind = "ou"
	AssocOrg       AssocKind = "org"
)

// ShareAssociation is one principal association of a share in force at a
// time.
type ShareAssociation struct {
	Label     string    // as written: "222222222222", "group:teams", "ou:/research", "org"
	Kind      AssocKind // account, principal, ou or org
	Account   AccountID // account and principal kinds; "" otherwise
	Principal PrincipalID
	// Invited reports whether RAM sent an invitation for the association.
	Invited bool
	// State is the association's step 5 state at the time asked, before
	// the action is considered: ReasonShared (active),
	// ReasonAssociationPending, ReasonInvitationPending,
	// ReasonInvitationRejected, ReasonInvitationExpired or
	// ReasonExternalNotAllowed. For ou and org kinds it is ReasonShared once
	// the association delay has passed.
	State Reason
}

// ShareAssociations returns share s's principal associations in force at t
// (made at or before t and not removed), in configuration order.
func (w *World) ShareAssociations(s ShareID, t Time) []ShareAssociation {
	sh := &w.shares[s]
	var out []ShareAssociation
	for i := range sh.principals {
		a := &sh.principals[i]
		if t < a.at || t >= a.removed {
			continue
		}
		sa := ShareAssociation{Label: a.label, Principal: -1, Invited: a.invite}
		switch a.kind {
		case kindAccount, kindIAM:
			sa.Kind = AssocAccount
			if a.kind == kindIAM {
				sa.Kind, sa.Principal = AssocPrincipal, a.principal
			}
			sa.Account = w.accounts[a.account].id
			sa.State = w.assocState(sh, a, a.account, t, 0).reason
		case kindOU, kindOrg:
			sa.Kind = AssocOU
			if a.kind == kindOrg {
				sa.Kind = AssocOrg
			}
			sa.State = ReasonShared
			if t < a.at+sh.delay {
				sa.State = ReasonAssociationPending
			}
		}
		out = append(out, sa)
	}
	return out
}

// SharePipelines returns the pipelines associated with share s at t.
func (w *World) SharePipelines(s ShareID, t Time) []PipelineID {
	var out []PipelineID
	for _, r := range w.shares[s].resources {
		if r.at <= t && t < r.removed {
			out = append(out, r.pipeline)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	j := 0
	for i := range out {
		if i == 0 || out[i] != out[i-1] {
			out[j] = out[i]
			j++
		}
	}
	return out[:j]
}

// SharePrincipals returns the principals outside the share's owner account
// that share s's associations in force at t name (whatever their state):
// every principal of a named account, OU member or organization member, or
// the named IAM principal. Sorted by ID.
func (w *World) SharePrincipals(s ShareID, t Time) []PrincipalID {
	sh := &w.shares[s]
	var out []PrincipalID
	var accts []int32
	addAccount := func(ai int32) {
		if ai != sh.owner {
			out = append(out, w.accounts[ai].principals...)
		}
	}
	for i := range sh.principals {
		a := &sh.principals[i]
		if t < a.at || t >= a.removed {
			continue
		}
		switch a.kind {
		case kindAccount:
			addAccount(a.account)
		case kindIAM:
			if a.account != sh.owner {
				out = append(out, a.principal)
			}
		case kindOU:
			accts = w.appendOUAccounts(accts[:0], a.ou)
			for _, ai := range accts {
				addAccount(ai)
			}
		case kindOrg:
			for ai := range w.accounts {
				if w.inOrg(int32(ai)) {
					addAccount(int32(ai))
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// IdentityAllowOn returns the identity policy statements of principal p that
// allow action a on resource res at t (boundary and conditions applied to
// the statements as for pipeline pl's owner and p's context). It returns
// nil for principals with an allow-all identity (roots).
func (w *World) IdentityAllowOn(p PrincipalID, pl PipelineID, a Action, res string, t Time) []*Match {
	pr := &w.principals[p]
	if pr.allowAll {
		return nil
	}
	var ctx CondContext
	w.condContext(&ctx, p, pl, t)
	return w.matchPolicies(nil, pr.policies, EffectAllow, a, res, &ctx)
}

// AccountOU returns the path of account id's OU now ("/" for the root,
// "/research", …), or "" when the account is outside the organization,
// the scenario has none, or id is unknown.
func (w *World) AccountOU(id AccountID) string {
	ai, ok := w.acctIndex[id]
	if !ok || !w.inOrg(ai) {
		return ""
	}
	return w.ous[w.accounts[ai].ou].path
}

// EventDescription describes timeline event i (in [World.EventAt] order),
// e.g. "set_permission churn-to-research read-only", as the causes of
// access changes name it.
func (w *World) EventDescription(i int) string { return w.describeEvent(&w.events[i]) }
