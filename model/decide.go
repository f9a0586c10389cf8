package model

import "sort"

// row is the fast path's answer for one (principal, pipeline): the reason
// for every action, valid for gen and for times in [from, until).
type row struct {
	reasons [NumActions]Reason
	shares  [NumActions]ShareID // the lowest-named share granting each action, or NoShare
	gen     uint32
	from    Time
	until   Time
}

// decider is the fast path's state, embedded in World.
type decider struct {
	gen   uint32 // bumped by every applied event
	rows  []row
	index map[uint64]int32
	// dense indexes rows by principal*numPipelines+pipeline when the
	// product is small enough; -1 marks a missing row.
	dense []int32
	npl   int
}

// denseLimit bounds the dense index (4 bytes a pair).
const denseLimit = 1 << 22

func (d *decider) init(w *World) {
	d.npl = len(w.pipelines)
	if n := len(w.principals) * len(w.pipelines); n > 0 && n <= denseLimit {
		d.dense = make([]int32, n)
		for i := range d.dense {
			d.dense[i] = -1
		}
	} else {
		d.index = map[uint64]int32{}
	}
}

// rowIndex returns the index in w.rows of the cached row of (p, pl), if
// there is one.
func (w *World) rowIndex(p PrincipalID, pl PipelineID) (int32, bool) {
	if w.dense != nil {
		i := w.dense[int(p)*w.npl+int(pl)]
		return i, i >= 0
	}
	i, ok := w.index[uint64(p)<<32|uint64(uint32(pl))]
	return i, ok
}

// valid reports whether r answers for generation gen at time t.
func (r *row) valid(gen uint32, t Time) bool { return r.gen == gen && t >= r.from && t < r.until }

// Decide returns the reason for principal p calling action a on pipeline pl
// at t: an allow reason (owner, shared) or a deny reason. It answers from a
// row cache in O(1) and does not allocate once the row exists; a row is
// rebuilt when an event was applied or t left its validity interval.
func (w *World) Decide(p PrincipalID, pl PipelineID, a Action, t Time) Reason {
	r, _ := w.DecideShare(p, pl, a, t)
	return r
}

// DecideShare is Decide that also returns, for a shared allow, the
// lowest-named share that granted the action (NoShare otherwise): the share
// a run attributes the call's consumption to.
func (w *World) DecideShare(p PrincipalID, pl PipelineID, a Action, t Time) (Reason, ShareID) {
	i, ok := w.rowIndex(p, pl)
	if ok {
		r := &w.rows[i]
		if r.valid(w.gen, t) {
			return r.reasons[a], r.shares[a]
		}
	} else {
		i = int32(len(w.rows))
		w.rows = append(w.rows, row{})
		if w.dense != nil {
			w.dense[int(p)*w.npl+int(pl)] = i
		} else {
			w.index[uint64(p)<<32|uint64(uint32(pl))] = i
		}
	}
	r := &w.rows[i]
	w.buildRow(r, p, pl, t)
	return r.reasons[a], r.shares[a]
}

// DecideAll returns the reasons of principal p for the ten actions on
// pipeline pl at t, as Decide would. A cached row still valid answers;
// otherwise the row is computed and not cached, so a sweep over every
// (principal, pipeline) pair, such as the access matrix of a large
// organization, costs no memory per pair.
func (w *World) DecideAll(p PrincipalID, pl PipelineID, t Time) [NumActions]Reason {
	var r row
	w.decideRow(&r, p, pl, t)
	return r.reasons
}

// decideRow sets r to the row of (p, pl) at t: the cached row while it is
// valid, else one computed and not cached.
func (w *World) decideRow(r *row, p PrincipalID, pl PipelineID, t Time) {
	if i, ok := w.rowIndex(p, pl); ok {
		if c := &w.rows[i]; c.valid(w.gen, t) {
			*r = *c
			return
		}
	}
	w.buildRow(r, p, pl, t)
}

// kindSets are per resource kind action sets: index 0 ResourceAny,
// 1 ResourcePipeline, 2 ResourceExecution.
type kindSets [3]ActionSet

// statementSets ORs into allow and deny the actions of the statements of
// pols that apply, for each resource kind.
func (w *World) statementSets(allow, deny *kindSets, pols []PolicyID, res *[3]string, ctx *CondContext) {
	for _, id := range pols {
		pol := &w.policies[id]
		for i := range pol.Statements {
			s := &pol.Statements[i]
			if !s.holds(ctx) {
				continue
			}
			for k := range res {
				if s.matchesResource(res[k]) {
					if s.Effect == EffectDeny {
						deny[k] |= s.Actions
					} else {
						allow[k] |= s.Actions
					}
				}
			}
		}
	}
}

// buildRow computes every action's reason for (p, pl) at t, with sets of
// actions per layer rather than Explain's per-action walk.
func (w *World) buildRow(r *row, p PrincipalID, pl PipelineID, t Time) {
	pr := &w.principals[p]
	ai := pr.account
	pipe := &w.pipelines[pl]
	var ctx CondContext
	w.condContext(&ctx, p, pl, t)
	res := [3]string{"*", pipe.arn, pipe.execARN}

	var idAllow, idDeny, bAllow, bDeny kindSets
	w.statementSets(&idAllow, &idDeny, pr.policies, &res, &ctx)
	if pr.allowAll {
		idAllow = kindSets{AllActions, AllActions, AllActions}
	}
	if pr.boundary != noPolicy {
		w.statementSets(&bAllow, &bDeny, []PolicyID{pr.boundary}, &res, &ctx)
	} else {
		bAllow = kindSets{AllActions, AllActions, AllActions}
	}

	scpOK := kindSets{AllActions, AllActions, AllActions}
	if w.scpApplies(ai) {
		level := func(scps []PolicyID, full bool) {
			var allow, deny kindSets
			w.statementSets(&allow, &deny, scps, &res, &ctx)
			for k := range scpOK {
				if !full {
					scpOK[k] &= allow[k]
				}
				scpOK[k] &^= deny[k]
			}
		}
		for o := w.accounts[ai].ou; o >= 0; o = w.ous[o].parent {
			level(w.ous[o].scps, w.ous[o].fullAccess)
		}
		level(w.accounts[ai].scps, w.accounts[ai].fullAccess)
	}

	// Step 5 (or step 3's org-wide shares) is the same for every action but
	// for the permission: the actions granted, whether some share is active
	// (then the rest are action_not_permitted), and the best other state.
	isOwner := ai == pipe.owner
	until := w.nextTimeThreshold(t)
	var granted ActionSet
	for a := range r.shares {
		r.shares[a] = NoShare
	}
	active := false
	other := ReasonNotShared
	for _, sid := range pipe.shares {
		s := &w.shares[sid]
		st := w.shareState(s, p, ai, pl, t, isOwner)
		until = min(until, st.next)
		if st.reason == ReasonShared {
			active = true
			for _, a := range (s.permission.Actions() &^ granted).Actions() {
				r.shares[a] = sid // shares are in name order: the first wins
			}
			granted |= s.permission.Actions()
		} else if shareRank(st.reason) > shareRank(other) {
			other = st.reason
		}
	}

	for a := range Action(NumActions) {
		k := kindIndex(a)
		idOK := idAllow[k].Has(a) && bAllow[k].Has(a)
		var reason Reason
		switch {
		case (idDeny[k] | bDeny[k]).Has(a):
			reason = ReasonExplicitDeny
		case !scpOK[k].Has(a):
			reason = ReasonSCP
		case isOwner && idOK:
			reason = ReasonOwner
		case isOwner && granted.Has(a):
			reason = ReasonShared
		case isOwner || !idOK:
			reason = ReasonNoIdentityAllow
		case granted.Has(a):
			reason = ReasonShared
		case active:
			reason = ReasonActionNotPermitted
		default:
			reason = other
		}
		r.reasons[a] = reason
		if reason != ReasonShared {
			r.shares[a] = NoShare
		}
	}
	r.gen, r.from, r.until = w.gen, t, until
}

func kindIndex(a Action) int {
	switch a.Resource() {
	case ResourcePipeline:
		return 1
	case ResourceExecution:
		return 2
	}
	return 0
}

// nextTimeThreshold returns the first aws:CurrentTime change point after t.
func (w *World) nextTimeThreshold(t Time) Time {
	i := sort.Search(len(w.timeThresholds), func(i int) bool { return w.timeThresholds[i] > t })
	if i < len(w.timeThresholds) {
		return w.timeThresholds[i]
	}
	return Never
}
