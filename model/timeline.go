package model

import (
	"fmt"
	"iter"
	"slices"
	"strings"
)

// This file turns the fast path's change points into timelines: every
// interval in which an answer holds (explain --timeline, access --changes).

// DecideUntil is Decide that also returns until, the first later time at
// which the answer may change: a share lifecycle change, an aws:CurrentTime
// threshold or the next pending timeline event (Never when there is none).
// The answer holds for every time in [t, until). Like Decide, it expects the
// timeline applied up to t.
func (w *World) DecideUntil(p PrincipalID, pl PipelineID, a Action, t Time) (Reason, Time) {
	r, _ := w.DecideShare(p, pl, a, t)
	return r, min(w.rowOf(p, pl).until, w.nextEvent())
}

// rowOf returns the row of (p, pl); it exists after a DecideShare.
func (w *World) rowOf(p PrincipalID, pl PipelineID) *row {
	i, _ := w.slotIndex(p, pl)
	return &w.rows[w.slots[i].row]
}

// nextEvent returns the time of the next pending timeline event, or Never.
func (w *World) nextEvent() Time {
	if w.applied < len(w.events) {
		return w.events[w.applied].at
	}
	return Never
}

// Pair is one principal and one pipeline.
type Pair struct {
	Principal PrincipalID
	Pipeline  PipelineID
}

// Span is an interval [From, To) of simulated time in which the reasons of
// one principal on one pipeline hold, for each of the ten actions, as
// [World.DecideAll] gives them.
type Span struct {
	From, To Time
	Reasons  [NumActions]Reason
	// Cause says what starts the span: "start" for the first one, the
	// timeline events applied at From, or the share lifecycle change or
	// aws:CurrentTime threshold at From; "" when none is known.
	Cause string
}

// Changes returns, for each pair, the spans that cover [from, to), adjacent
// spans with the same reasons merged. It applies the timeline as it goes:
// w must not be advanced past from, and is left advanced to `to`. It asks
// the fast path at every change point the model knows (share lifecycle,
// aws:CurrentTime thresholds and timeline events), so between two change
// points no answer can change. Like DecideAll it caches no row: its memory
// is the pairs' spans. To walk many pairs, use ChangesSeq.
func (w *World) Changes(pairs []Pair, from, to Time) [][]Span {
	out := make([][]Span, len(pairs))
	until := make([]Time, len(pairs))
	w.AdvanceTo(from)
	t := from
	var events []string // descriptions of the events applied at t
	eventApplied := true
	var r row
	for t < to {
		next := min(to, w.nextEvent())
		for i, pr := range pairs {
			if eventApplied || until[i] <= t {
				w.decideRow(&r, pr.Principal, pr.Pipeline, t)
				until[i] = r.until
				if n, rs := len(out[i]), r.access(); n == 0 || out[i][n-1].Reasons != rs {
					out[i] = append(out[i], Span{From: t, Reasons: rs, Cause: w.cause(pr, t, from, events)})
				}
			}
			next = min(next, until[i])
		}
		t = next
		before := w.applied
		w.AdvanceTo(t)
		events = events[:0]
		for i := before; i < w.applied; i++ {
			events = append(events, w.describeEvent(&w.events[i]))
		}
		eventApplied = w.applied > before
	}
	for i := range out {
		for k := range out[i] {
			if k+1 < len(out[i]) {
				out[i][k].To = out[i][k+1].From
			} else {
				out[i][k].To = to
			}
		}
	}
	return out
}

// changesBlock is how many pairs ChangesSeq walks the timeline for at a
// time: about 100 bytes a pair, plus the causes.
const changesBlock = 1 << 16

// ChangesSeq yields each pair of pairs, in their order, with its spans over
// [from, to) as Changes returns them, holding the spans of one block of
// pairs only: it walks the timeline for a block of pairs, yields them, puts
// the timeline back to from (restoring what the events changed) and walks
// it again for the next block. w must not be advanced past from; it is
// left advanced to from, so the sequence may be ranged over again. Each
// yielded slice is the caller's.
func (w *World) ChangesSeq(pairs iter.Seq[Pair], from, to Time) iter.Seq2[Pair, []Span] {
	return w.changesSeq(pairs, from, to, changesBlock)
}

func (w *World) changesSeq(pairs iter.Seq[Pair], from, to Time, block int) iter.Seq2[Pair, []Span] {
	return func(yield func(Pair, []Span) bool) {
		w.AdvanceTo(from)
		var saved *eventState // w at from, when the walk applies an event
		if w.nextEvent() <= to {
			saved = w.saveEvents()
			defer w.restoreEvents(saved)
		}
		blk := make([]Pair, 0, block)
		walked := false
		flush := func() bool {
			if walked && saved != nil {
				w.restoreEvents(saved)
			}
			walked = true
			spans := w.Changes(blk, from, to)
			for i, pr := range blk {
				if !yield(pr, spans[i]) {
					return false
				}
			}
			blk = blk[:0]
			return true
		}
		for pr := range pairs {
			if blk = append(blk, pr); len(blk) == block && !flush() {
				return
			}
		}
		if len(blk) > 0 {
			flush()
		}
	}
}

// eventState is what timeline events change in a World, copied so that a
// walk of the timeline can start again from the same point.
type eventState struct {
	applied    int
	accounts   []account
	ous        []ou
	principals []principal
	pipelines  []pipeline
	shares     []share
	ouRCPs     [][]PolicyID
	acctRCPs   [][]PolicyID
}

// saveEvents copies what the events change in w; restoreEvents puts the
// copy back.
func (w *World) saveEvents() *eventState {
	s := &eventState{applied: w.applied, ouRCPs: cloneLists(w.data.ouRCPs), acctRCPs: cloneLists(w.data.acctRCPs)}
	s.copyFrom(w.accounts, w.ous, w.principals, w.pipelines, w.shares)
	return s
}

// cloneLists returns a deep copy of ls.
func cloneLists(ls [][]PolicyID) [][]PolicyID {
	out := make([][]PolicyID, len(ls))
	for i, l := range ls {
		out[i] = slices.Clone(l)
	}
	return out
}

func (w *World) restoreEvents(s *eventState) {
	var c eventState
	c.copyFrom(s.accounts, s.ous, s.principals, s.pipelines, s.shares)
	w.applied = s.applied
	w.accounts, w.ous, w.principals, w.pipelines, w.shares = c.accounts, c.ous, c.principals, c.pipelines, c.shares
	w.data.ouRCPs, w.data.acctRCPs = cloneLists(s.ouRCPs), cloneLists(s.acctRCPs)
	w.gen++ // the cached rows answered for the state left behind
}

// copyFrom sets s to deep copies of the slices events change (apply,
// associate, disassociate, leave) or append to.
func (s *eventState) copyFrom(accounts []account, ous []ou, principals []principal, pipelines []pipeline, shares []share) {
	s.accounts = slices.Clone(accounts)
	for i := range s.accounts {
		a := &s.accounts[i]
		a.scps, a.orgPaths = slices.Clone(a.scps), slices.Clone(a.orgPaths)
	}
	s.ous = slices.Clone(ous)
	for i := range s.ous {
		s.ous[i].scps = slices.Clone(s.ous[i].scps)
	}
	s.principals = slices.Clone(principals)
	for i := range s.principals {
		s.principals[i].policies = slices.Clone(s.principals[i].policies)
	}
	s.pipelines = slices.Clone(pipelines)
	for i := range s.pipelines {
		s.pipelines[i].shares = slices.Clone(s.pipelines[i].shares)
	}
	s.shares = slices.Clone(shares)
	for i := range s.shares {
		sh := &s.shares[i]
		sh.principals, sh.resources = slices.Clone(sh.principals), slices.Clone(sh.resources)
	}
}

// Interval is an interval [From, To) in which one action's reason holds.
type Interval struct {
	From, To Time
	Reason   Reason
	Cause    string // as Span.Cause
}

// Timeline returns the intervals covering [from, to) in which p's reason for
// a on pl holds, adjacent intervals with the same reason merged. Like
// Changes, it applies the timeline: w must not be advanced past from.
func (w *World) Timeline(p PrincipalID, pl PipelineID, a Action, from, to Time) []Interval {
	var out []Interval
	for _, s := range w.Changes([]Pair{{p, pl}}, from, to)[0] {
		if n := len(out); n > 0 && out[n-1].Reason == s.Reasons[a] {
			out[n-1].To = s.To
			continue
		}
		out = append(out, Interval{From: s.From, To: s.To, Reason: s.Reasons[a], Cause: s.Cause})
	}
	return out
}

// cause describes what starts a span of pr at t.
func (w *World) cause(pr Pair, t, from Time, events []string) string {
	switch {
	case t == from && from == 0:
		return "start"
	case len(events) > 0:
		return strings.Join(events, "; ")
	}
	var causes []string
	pi := w.principals[pr.Principal].account
	for _, sid := range w.pipelines[pr.Pipeline].shares {
		s := &w.shares[sid]
		for i := range s.resources {
			r := &s.resources[i]
			if r.pipeline != pr.Pipeline {
				continue
			}
			switch t {
			case r.at:
				causes = append(causes, fmt.Sprintf("share %s adds the pipeline", s.name))
			case r.removed:
				causes = append(causes, fmt.Sprintf("share %s removes the pipeline", s.name))
			case r.at + s.delay:
				causes = append(causes, fmt.Sprintf("share %s: pipeline association in force", s.name))
			}
		}
		for i := range s.principals {
			a := &s.principals[i]
			if !w.names(a, pr.Principal, pi) && t != a.removed {
				continue
			}
			switch {
			case t == a.removed:
				causes = append(causes, fmt.Sprintf("share %s drops %s", s.name, a.label))
			case t == a.at:
				causes = append(causes, fmt.Sprintf("share %s associates %s", s.name, a.label))
			case a.invite && t == a.answerAt && a.answer == AnswerAccept:
				causes = append(causes, fmt.Sprintf("%s accepts the invitation to share %s", a.label, s.name))
			case a.invite && t == a.answerAt && a.answer == AnswerReject:
				causes = append(causes, fmt.Sprintf("%s rejects the invitation to share %s", a.label, s.name))
			case a.invite && t == a.at+s.ttl:
				causes = append(causes, fmt.Sprintf("the invitation of %s to share %s expires", a.label, s.name))
			case t == a.at+s.delay:
				causes = append(causes, fmt.Sprintf("share %s: association with %s in force", s.name, a.label))
			}
		}
	}
	for _, th := range w.timeThresholds {
		if th == t {
			causes = append(causes, "an aws:CurrentTime condition changes")
		}
	}
	return strings.Join(causes, "; ")
}

// describeEvent describes a timeline event, e.g.
// "set_permission churn-to-research read-only".
func (w *World) describeEvent(e *event) string {
	switch e.kind {
	case EventSetPermission:
		return fmt.Sprintf("%s %s %s", e.kind, w.shares[e.share].name, e.permission)
	case EventAssociate, EventDisassociate, EventDeleteShare:
		return fmt.Sprintf("%s %s", e.kind, w.shares[e.share].name)
	case EventMoveAccount:
		return fmt.Sprintf("%s %s %s", e.kind, w.accounts[e.account].id, w.ous[e.ou].path)
	case EventLeaveOrganization:
		return fmt.Sprintf("%s %s", e.kind, w.accounts[e.account].id)
	case EventAttachPolicy, EventDetachPolicy, EventAttachRCP, EventDetachRCP:
		var target string
		switch t := e.target; {
		case t.ou >= 0:
			target = "ou:" + w.ous[t.ou].path
		case t.isPrinc:
			target = w.CallerString(t.principal)
		default:
			target = string(w.accounts[t.account].id)
		}
		return fmt.Sprintf("%s %s %s", e.kind, w.policies[e.policy].Name, target)
	}
	return e.kind.String()
}
