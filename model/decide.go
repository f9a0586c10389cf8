package model

import "sort"

// row is the fast path's answer for one (principal, pipeline): the reason
// for every action, until a time. Pairs with the same answer share one
// cached row (in W1 every caller has the same one on every pipeline), so
// the rows a run reads stay in the CPU's cache and a decision misses on
// its pair's 16-byte slot only. A row is 64 bytes, a cache line's size.
type row struct {
	reasons [NumActions]Reason
	// returns says whether a Search by the principal, if allowed, returns
	// the pipeline: owner (its account owns it), shared (a share in force
	// names it), else the best share state of why not (not_shared, …).
	returns Reason
	shares  [NumActions]ShareID // the lowest-named share granting each action, or NoShare
	until   Time
}

// pairSlot is a (principal, pipeline)'s cached answer: rows[row], valid
// for gen and for times in [from, rows[row].until). The zero slot is
// empty: gen starts at 1.
type pairSlot struct {
	from Time
	gen  uint32
	row  int32
}

// decider is the fast path's state, embedded in World.
type decider struct {
	gen uint32 // bumped by every applied event, and when rows are dropped
	// rows are the distinct answers of the slots of generation rowsGen,
	// rowOf finds each one's index.
	rows    []row
	rowID   map[row]int32
	rowsGen uint32
	pairs   int // slots filled
	// slots holds the slot of (principal, pipeline): at
	// principal*numPipelines+pipeline when the product is small enough
	// (untouched pages of it cost no memory), else in the order the pairs
	// were first decided or given a PairRef, found by index.
	slots []pairSlot
	index map[uint64]int32 // nil when slots is dense
	npl   int
}

// denseLimit bounds the dense slots (16 bytes a pair, 64 MiB of address
// space at most).
const denseLimit = 1 << 22

func (d *decider) init(w *World) {
	d.gen = 1
	d.npl = len(w.pipelines)
	d.rowID = map[row]int32{}
	if n := len(w.principals) * len(w.pipelines); n > 0 && n <= denseLimit {
		d.slots = make([]pairSlot, n)
	} else {
		d.index = map[uint64]int32{}
	}
}

// PairRef is a (principal, pipeline) pair and, when [World.PairRef] made
// it, the index of the pair's slot in the fast path's cache, so that
// [World.DecideRef] goes straight to it: without the index (a PairRef
// literal), DecideRef finds the slot as DecideShare does, through a map in
// a large world.
type PairRef struct {
	Principal PrincipalID
	Pipeline  PipelineID
	slot      int32 // the slot's index + 1; 0 for none
}

// PairRef returns (p, pl)'s reference with its slot, making an empty slot
// if the pair has none. A run takes the references of the pairs it decides
// over and over when it starts, since making one writes the World.
func (w *World) PairRef(p PrincipalID, pl PipelineID) PairRef {
	return PairRef{Principal: p, Pipeline: pl, slot: w.makeSlot(p, pl) + 1}
}

// slotIndex returns the index of (p, pl)'s slot, false when it has none.
func (w *World) slotIndex(p PrincipalID, pl PipelineID) (int32, bool) {
	if w.index == nil {
		return int32(int(p)*w.npl + int(pl)), true
	}
	i, ok := w.index[uint64(p)<<32|uint64(uint32(pl))]
	return i, ok
}

// makeSlot returns the index of (p, pl)'s slot, appending an empty one
// when it has none.
func (w *World) makeSlot(p PrincipalID, pl PipelineID) int32 {
	i, ok := w.slotIndex(p, pl)
	if !ok {
		i = int32(len(w.slots))
		w.slots = append(w.slots, pairSlot{})
		w.index[uint64(p)<<32|uint64(uint32(pl))] = i
	}
	return i
}

// cachedAt returns the cached row of slot i if it answers at t.
func (w *World) cachedAt(i int32, t Time) (*row, bool) {
	s := w.slots[i]
	if s.gen != w.gen || t < s.from {
		return nil, false
	}
	r := &w.rows[s.row]
	return r, t < r.until
}

// cached returns the cached row of (p, pl) if it answers at t.
func (w *World) cached(p PrincipalID, pl PipelineID, t Time) (*row, bool) {
	i, ok := w.slotIndex(p, pl)
	if !ok {
		return nil, false
	}
	return w.cachedAt(i, t)
}

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
	return w.DecideRef(PairRef{Principal: p, Pipeline: pl}, a, t)
}

// DecideRef is DecideShare for ref's pair, which finds the pair's slot
// without a lookup when ref has it ([World.PairRef]).
func (w *World) DecideRef(ref PairRef, a Action, t Time) (Reason, ShareID) {
	i, ok := ref.slot-1, ref.slot > 0
	if !ok {
		i, ok = w.slotIndex(ref.Principal, ref.Pipeline)
	}
	if ok {
		if r, hit := w.cachedAt(i, t); hit {
			return r.reasons[a], r.shares[a]
		}
	} else {
		i = w.makeSlot(ref.Principal, ref.Pipeline)
	}
	r := w.cache(i, ref.Principal, ref.Pipeline, t)
	return r.reasons[a], r.shares[a]
}

// cache builds the row of (p, pl) at t and makes it the pair's slot's
// (slot i), one row for every pair with the same answer. The rows of an earlier
// generation are dropped; so are all rows, with a generation bump, when
// they outgrow the slots filled (twice, plus a constant), which bounds
// their memory by the pairs'.
func (w *World) cache(i int32, p PrincipalID, pl PipelineID, t Time) *row {
	if len(w.rows) >= 2*w.pairs+1024 {
		w.gen++
	}
	if w.rowsGen != w.gen {
		w.rows = w.rows[:0]
		clear(w.rowID)
		w.rowsGen = w.gen
	}
	var r row
	w.buildRow(&r, p, pl, t)
	id, ok := w.rowID[r]
	if !ok {
		id = int32(len(w.rows))
		w.rows = append(w.rows, r)
		w.rowID[r] = id
	}
	d := &w.slots[i]
	if d.gen == 0 {
		w.pairs++
	}
	*d = pairSlot{from: t, gen: w.gen, row: id}
	return &w.rows[id]
}

// DecideAll returns the access of principal p to pipeline pl at t, one
// reason per action: what Decide returns, except for Search, whose
// decision does not depend on the pipeline — there an allowed Search
// gives whether it returns pl (owner, shared, or why not: not_shared, …;
// see Visible). A cached row still valid answers; otherwise the row is
// computed and not cached, so a sweep over every (principal, pipeline)
// pair, such as the access matrix of a large organization, costs no
// memory per pair.
func (w *World) DecideAll(p PrincipalID, pl PipelineID, t Time) [NumActions]Reason {
	var r row
	w.decideRow(&r, p, pl, t)
	return r.access()
}

// access returns r's reasons as DecideAll gives them.
func (r *row) access() [NumActions]Reason {
	a := r.reasons
	if a[Search].IsAllow() {
		a[Search] = r.returns
	}
	return a
}

// decideRow sets r to the row of (p, pl) at t: the cached row while it is
// valid, else one computed and not cached.
func (w *World) decideRow(r *row, p PrincipalID, pl PipelineID, t Time) {
	if c, ok := w.cached(p, pl, t); ok {
		*r = *c
		return
	}
	w.buildRow(r, p, pl, t)
}

// kindSets are per resource kind action sets: index 0 ResourceAny,
// 1 ResourcePipeline, 2 ResourceExecution.
type kindSets [3]ActionSet

// statementSets ORs into allow and deny the actions of the statements of
// pols that apply, for each resource kind: kind 0 ("*", Search) in
// ctxs[0], the others in ctxs[1].
func (w *World) statementSets(allow, deny *kindSets, pols []PolicyID, res *[3]string, ctxs *[2]*CondContext) {
	for _, id := range pols {
		pol := &w.policies[id]
		for i := range pol.Statements {
			s := &pol.Statements[i]
			holds := [2]bool{s.holds(ctxs[0]), s.holds(ctxs[1])}
			if ctxs[0] == ctxs[1] {
				holds[0] = holds[1]
			}
			for k := range res {
				if holds[min(k, 1)] && s.matchesResource(res[k]) {
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
	// Search (kind 0) is a call in the caller's own account.
	ctxs := [2]*CondContext{&ctx, &ctx}
	var sctx CondContext
	if ai != pipe.owner {
		sctx = ctx
		searchContext(&sctx)
		ctxs[0] = &sctx
	}

	var idAllow, idDeny, bAllow, bDeny kindSets
	w.statementSets(&idAllow, &idDeny, pr.policies, &res, &ctxs)
	if pr.allowAll {
		idAllow = kindSets{AllActions, AllActions, AllActions}
	}
	if pr.boundary != noPolicy {
		w.statementSets(&bAllow, &bDeny, []PolicyID{pr.boundary}, &res, &ctxs)
	} else {
		bAllow = kindSets{AllActions, AllActions, AllActions}
	}

	scpOK := kindSets{AllActions, AllActions, AllActions}
	if w.scpApplies(ai) {
		level := func(scps []PolicyID, full bool) {
			var allow, deny kindSets
			w.statementSets(&allow, &deny, scps, &res, &ctxs)
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
		case a == Search:
			// The caller's own account decides; no share is consulted.
			reason = ReasonNoIdentityAllow
			if idOK {
				reason = ReasonOwner
			}
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
	switch {
	case isOwner:
		r.returns = ReasonOwner
	case granted.Has(Search):
		r.returns = ReasonShared
	default:
		r.returns = other
	}
	r.until = until
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

// Visible reports whether a Search by principal p at t returns pipeline
// pl: the Search is allowed and p's account owns pl or a share in force
// names p. A Search's decision does not depend on the pipeline (it is
// authorized on "*" in the caller's own account); what it returns does.
func (w *World) Visible(p PrincipalID, pl PipelineID, t Time) bool {
	var r row
	w.decideRow(&r, p, pl, t)
	return r.reasons[Search].IsAllow() && r.returns.IsAllow()
}
