package cloudtrail

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/pipeshare/pipeshare/internal/words"
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// Prepare reads the trace's calls once and adds to cfg every caller that
// cfg lacks, with an allow-all identity (flagged as seen only in the
// trace) and, with Options.AddUnknownAccounts, every unknown account,
// outside the organization. Call it before the world is built. It keeps
// what it read for the next [Trace.Source] (see [Trace.Close]). A
// malformed record is skipped here whatever Options.Strict says; the
// replay reports it. A damaged file is an error ("FILE: ..."), and cfg is
// left as it was.
func (t *Trace) Prepare(cfg *model.Config) error {
	seen := map[Principal]bool{}
	var callers []Principal
	err := t.spoolCalls(func(c *caller) {
		if p := c.p; !seen[p] {
			seen[p] = true
			callers = append(callers, p)
		}
	})
	if err != nil {
		return err
	}
	slices.SortFunc(callers, func(a, b Principal) int {
		return strings.Compare(string(a.Account)+"/"+a.Name, string(b.Account)+"/"+b.Name)
	})
	accts := map[string]int{}
	for i := range cfg.Accounts {
		accts[cfg.Accounts[i].ID.S] = i
	}
	for _, c := range callers {
		ai, ok := accts[string(c.Account)]
		if !ok {
			if !t.opts.AddUnknownAccounts {
				continue
			}
			cfg.Accounts = append(cfg.Accounts, model.AccountConfig{
				ID: model.Ref{S: string(c.Account)}, Name: "trace-" + string(c.Account), FullAccess: true})
			ai = len(cfg.Accounts) - 1
			accts[string(c.Account)] = ai
			t.AddedAccounts = append(t.AddedAccounts, string(c.Account))
		}
		if c.Name == "root" {
			continue
		}
		a := &cfg.Accounts[ai]
		if slices.ContainsFunc(a.Principals, func(p model.PrincipalConfig) bool { return p.Name.S == c.Name }) {
			continue
		}
		a.Principals = append(a.Principals, model.PrincipalConfig{Name: model.Ref{S: c.Name}, AllowAll: true})
		t.Added = append(t.Added, string(c.Account)+"/"+c.Name)
	}
	return nil
}

// spoolCalls is a replay's first pass: it reads the trace once, calling
// fn with each call's caller, writes what the replay takes to a spool
// (t.spool) and counts the calls naming each execution (t.named).
func (t *Trace) spoolCalls(fn func(*caller)) error {
	t.Close()
	s := t.newStream(forPrepare)
	w := &spoolWriter{}
	s.sw = w
	named := &namedCounts{}
	for w.err == nil {
		it, ok := s.next()
		if !ok {
			break
		}
		if it.named != 0 {
			named.add(it.named)
		}
		if fn != nil {
			fn(it.caller)
		}
		w.item(s, &it)
	}
	s.close()
	if s.err != nil {
		w.abort()
		return s.err
	}
	sp, err := w.end(s)
	if err != nil {
		return err
	}
	named.merge()
	named.added = nil
	t.spool, t.named = &sp, named
	return nil
}

// Close lets go of what Prepare kept for a replay that did not take it
// (a replay's Close lets go of what it took). It can be deferred.
func (t *Trace) Close() {
	if t.spool != nil {
		t.spool.close()
	}
	t.spool, t.named = nil, nil
}

// Replay streams a trace's calls into a world: a [sim.TraceSource]. It
// places each call of the trace (the record rule's) in the world and
// skips, counting them, the calls whose caller or pipeline the world
// lacks and, without Options.Align, those before the world's start.
type Replay struct {
	s       *stream
	w       *model.World
	start   int64 // the scenario start, Unix ns
	shift   int64 // added to eventTime with Align
	aligned bool

	callers []callerRes // by caller.id
	targets []targetRes // by target.id
	acctIdx map[model.AccountID]bool
	byName  map[string]model.PipelineID // "ACCT/lower-case name"
	byARN   map[string]model.PipelineID // pipeline ARN
	firstPl map[model.AccountID]model.PipelineID
	named   *namedCounts // the calls naming each execution not handed over yet (Trace.named)
}

// callerRes is a caller placed in the world.
type callerRes struct {
	done bool
	p    model.PrincipalID
	why  string // "", SkipUnknownAccount or SkipUnknownCaller
}

// targetRes is a pipeline placed in the world.
type targetRes struct {
	done, ok bool
	pl       model.PipelineID
}

// Source returns the replay of t in world w, from the world's start: it
// takes the calls Prepare read, without reading the trace again (or, with
// no Prepare since the last Source, reads them first). Close it after the
// run.
func (t *Trace) Source(w *model.World) *Replay {
	s := t.newStream(forReplay)
	if t.spool == nil {
		s.err = t.spoolCalls(nil)
	}
	var sp spool
	if t.spool != nil {
		sp = *t.spool
	}
	s.sr = newSpoolReader(sp)
	r := &Replay{s: s, w: w, start: w.StartUnixNano(), aligned: !t.opts.Align,
		acctIdx: map[model.AccountID]bool{}, byName: map[string]model.PipelineID{}, byARN: map[string]model.PipelineID{},
		firstPl: map[model.AccountID]model.PipelineID{}, named: t.named}
	t.spool, t.named = nil, nil
	for _, id := range w.AccountIDs() {
		r.acctIdx[id] = true
	}
	for p := range model.PipelineID(w.NumPipelines()) {
		owner := w.PipelineOwner(p)
		r.byName[string(owner)+"/"+strings.ToLower(w.PipelineName(p))] = p
		r.byARN[w.PipelineARN(p)] = p
		if _, ok := r.firstPl[owner]; !ok {
			r.firstPl[owner] = p
		}
	}
	return r
}

// Stats returns the counts so far.
func (r *Replay) Stats() *Stats { return &r.s.stats }

// Err reports why the trace ended early (sim.TraceSource).
func (r *Replay) Err() error { return r.s.err }

// Close lets go of what the replay reads.
func (r *Replay) Close() { r.s.close() }

// Finish ends a replay whose run has ended, having replayed the first
// replayed calls Next handed over: it counts the calls handed over after
// them and those the run did not reach as past_end, reads the rest of the
// trace to count every other record under its reason, so that Stats.Records
// is Stats.Calls (now replayed) plus the sum of Stats.Skipped, and closes
// the files. It returns Err: a damaged file, or with Options.Strict a
// malformed record, anywhere in the trace.
func (r *Replay) Finish(replayed int64) error {
	st := &r.s.stats
	past := st.Calls - replayed
	for {
		if _, ok := r.s.next(); !ok {
			break
		}
		past++
	}
	if past > 0 {
		st.Skipped[SkipPastEnd] += past
	}
	st.Calls = replayed
	r.Close()
	return r.s.err
}

// Next fills c with the next call (sim.TraceSource).
func (r *Replay) Next(c *sim.TraceCall) bool {
	st := &r.s.stats
	for {
		it, ok := r.s.next()
		if !ok {
			return false
		}
		cr := r.caller(it.caller)
		if cr.why != "" {
			st.Skipped[cr.why]++
			if acct := string(it.caller.p.Account); cr.why == SkipUnknownAccount && (len(st.UnknownAccounts) < 1000 || st.UnknownAccounts[acct] > 0) {
				st.UnknownAccounts[acct]++
			}
			continue
		}
		pl, why := r.pipeline(it.target, it.caller.p.Account)
		if why != "" {
			st.Skipped[why]++
			continue
		}
		if !r.aligned {
			r.aligned = true
			r.shift = r.start - it.at
		}
		at := it.at + r.shift - r.start
		if at < 0 {
			st.Skipped[SkipBeforeStart]++
			continue
		}
		*c = sim.TraceCall{At: sim.Time(at), Caller: cr.p, Action: it.action, Pipeline: pl, Execution: it.execution,
			StartsExecution: it.startsExecution, Token: it.token, Recorded: it.recorded, Parameters: it.parameters}
		if r.named != nil {
			r.lifetimes(c, it.named)
		}
		st.Calls++
		return true
	}
}

// lifetimes tells the simulation, from the calls Prepare counted, when
// no later call of the trace names an execution: c names the execution of
// key named (0: none), so one call fewer names it; and c may start one.
// Calls Next skips keep their count, which only delays forgetting.
func (r *Replay) lifetimes(c *sim.TraceCall, named uint32) {
	if named != 0 {
		c.LastNaming = r.named.take(named)
	}
	if c.StartsExecution != "" {
		c.StartsUnnamed = !r.named.pending(namedKey(c.StartsExecution))
	}
}

// caller places c in the world.
func (r *Replay) caller(c *caller) callerRes {
	if c.id >= 0 {
		for int(c.id) >= len(r.callers) {
			r.callers = append(r.callers, callerRes{})
		}
		if res := r.callers[c.id]; res.done {
			return res
		}
	}
	res := callerRes{done: true, why: SkipUnknownCaller}
	if !r.acctIdx[c.p.Account] {
		res.why = SkipUnknownAccount
	} else if ps, err := r.w.LookupCallers(string(c.p.Account) + "/" + c.p.Name); err == nil && len(ps) == 1 {
		res = callerRes{done: true, p: ps[0]}
	}
	if c.id >= 0 {
		r.callers[c.id] = res
	}
	return res
}

// pipeline places t in the world; a Search that names no pipeline (t nil)
// goes to the first pipeline of the caller's account, else the world's
// first.
func (r *Replay) pipeline(t *target, acct model.AccountID) (model.PipelineID, string) {
	if t == nil {
		if pl, ok := r.firstPl[acct]; ok {
			return pl, ""
		}
		if r.w.NumPipelines() == 0 {
			return 0, SkipNoTarget
		}
		return 0, ""
	}
	if t.id >= 0 {
		for int(t.id) >= len(r.targets) {
			r.targets = append(r.targets, targetRes{})
		}
		if res := r.targets[t.id]; res.done {
			return res.pl, targetWhy(res.ok)
		}
	}
	var res targetRes
	if t.arn != "" {
		res.pl, res.ok = r.byARN[t.arn]
	} else {
		res.pl, res.ok = r.byName[string(t.pl.Account)+"/"+t.pl.Name]
	}
	res.done = true
	if t.id >= 0 {
		r.targets[t.id] = res
	}
	return res.pl, targetWhy(res.ok)
}

func targetWhy(ok bool) string {
	if ok {
		return ""
	}
	return SkipUnknownTarget
}

// SkippedLine lists the reasons of Skipped that counted records, sorted,
// with their counts ("before_start 5, other_event 6"); "" when none did.
func (st *Stats) SkippedLine() string {
	var b strings.Builder
	for _, why := range slices.Sorted(maps.Keys(st.Skipped)) {
		if n := st.Skipped[why]; n > 0 {
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s %d", why, n)
		}
	}
	return b.String()
}

// UnknownAccountsLine describes the unknown accounts of st in one line,
// or "" when there were none.
func (st *Stats) UnknownAccountsLine() string {
	if len(st.UnknownAccounts) == 0 {
		return ""
	}
	ids := slices.Sorted(maps.Keys(st.UnknownAccounts))
	var b strings.Builder
	n := st.Skipped[SkipUnknownAccount]
	b.WriteString("trace: ")
	b.WriteString(strconv.FormatInt(n, 10))
	b.WriteString(words.Plural(int(n), " call from an unknown account skipped (", " calls from unknown accounts skipped ("))
	for i, id := range ids {
		if i == 5 {
			fmt.Fprintf(&b, ", and %d more", len(ids)-5)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %d", id, st.UnknownAccounts[id])
	}
	b.WriteString("); --add-unknown-accounts adds them outside the organization")
	return b.String()
}
