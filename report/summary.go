package report

import (
	"iter"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// SchemaVersion is the version of the run report's JSON (docs/reports.md#json-output
// "Outputs"). It changes only when a promised key changes meaning or goes.
const SchemaVersion = 1

// Meta describes a run's inputs; the caller supplies it, since report reads
// no files.
type Meta struct {
	Scenario       string // the scenario's name, e.g. "quickstart"
	ScenarioSHA256 string // hex SHA-256 of the scenario's bytes
	Version        string // the pipeshare version
	// File is the scenario file as positions name it ("quickstart.yaml"
	// for an embedded one), Sets the --set overrides applied to it, in
	// order, and Events its timeline in words ([Events]); only the
	// reports for people print them.
	File   string
	Sets   []string
	Events []Event
}

// ReasonCounts counts calls by final reason, indexed by [model.Reason].
// The ReasonNone slot is never counted.
type ReasonCounts [model.NumReasons]int64

// Total returns the number of calls counted.
func (c *ReasonCounts) Total() int64 {
	var n int64
	for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
		n += c[r]
	}
	return n
}

// Allowed returns the calls whose final reason is owner or shared.
func (c *ReasonCounts) Allowed() int64 { return c[model.ReasonOwner] + c[model.ReasonShared] }

// Failed returns the calls allowed and then rejected by the service
// (step 6: not_found, conflict, limit_exceeded, throttled).
func (c *ReasonCounts) Failed() int64 {
	var n int64
	for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
		if r.IsFailure() {
			n += c[r]
		}
	}
	return n
}

// Denied returns the calls denied by steps 1–5.
func (c *ReasonCounts) Denied() int64 { return c.Total() - c.Allowed() - c.Failed() }

// add adds o to c.
func (c *ReasonCounts) add(o *ReasonCounts) {
	for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
		c[r] += o[r]
	}
}

// Calls is a set of calls counted by outcome. Total = Allowed + Denied +
// Failed, and ByReason sums to Total, as does the sum of ByAction.
type Calls struct {
	Total   int64
	Allowed int64 // final reason owner or shared
	Denied  int64 // a deny reason of steps 1–5
	Failed  int64 // a step 6 reason: allowed, then rejected by the service
	// ByReason counts every call once, under its final reason.
	ByReason ReasonCounts
	// ByAction counts the calls of each action by final reason.
	ByAction [model.NumActions]ReasonCounts
	// SearchReturned counts the allowed Search calls whose results held
	// their target pipeline (the run's totals only; 0 for a caller).
	SearchReturned int64
}

// addCounts adds one caller's counters and refreshes the totals.
func (c *Calls) addCounts(k *sim.Counts) {
	for a := range model.Action(model.NumActions) {
		rc := (*ReasonCounts)(&k[a])
		c.ByAction[a].add(rc)
		c.ByReason.add(rc)
	}
	c.Total = c.ByReason.Total()
	c.Allowed = c.ByReason.Allowed()
	c.Failed = c.ByReason.Failed()
	c.Denied = c.Total - c.Allowed - c.Failed
}

// Caller is one calling principal's calls.
type Caller struct {
	Account     model.AccountID
	AccountName string // "" when the account has no name
	Principal   string // the name within the account: "root", "role/X", …
	// Synthetic marks a principal seen only in a replayed trace and given
	// an allow-all identity.
	Synthetic bool
	Calls     Calls
}

// permute reorders s in place so that s[i] is the former s[order[i]],
// moving each element once; it consumes order.
func permute[T any](s []T, order []int32) {
	for i := range order {
		if order[i] < 0 {
			continue // moved with an earlier cycle
		}
		tmp := s[i]
		j := i
		for {
			k := int(order[j])
			order[j] = -1
			if k == i {
				s[j] = tmp
				break
			}
			s[j] = s[k]
			j = k
		}
	}
}

// Executions counts execution transitions (a twice-failed execution
// counts twice) and the executions in each state at the end of the run.
type Executions struct {
	Started, Succeeded, Failed, Stopped, Retried, TimedOut int64
	// At the horizon: Failed executions (not retried since), and Executing
	// ones waiting for instances (no step running) or running (at least one
	// step running).
	FailedAtEnd, WaitingAtEnd, RunningAtEnd int64
	// FailedCapacity counts the failures whose step hit the owner's
	// instance quota with no retry left (pipeshare plan's
	// capacity_failed_executions; not in the run report).
	FailedCapacity int64
}

// Steps counts the steps' requests for instances, their waits and their
// quota failures.
type Steps struct {
	Granted   int64 // instance requests granted
	Completed int64 // steps that ran to their natural end (succeeded or failed)
	// MeanWait and P95Wait are the waits from request to grant, in ns, over
	// the granted requests (0 when none). MeanWait is exact; P95Wait is
	// the upper bound of the log bucket holding the 95th percentile
	// (within 19 %, see [sim.Histogram]).
	MeanWait, P95Wait float64
	// ResourceLimit counts step attempts that failed with
	// SageMaker.RESOURCE_LIMIT: the owner's instance quota was hit. The
	// NeverStartable ones needed more instances than the quota allows.
	ResourceLimit, NeverStartable int64
	// WaitHist is the wait distribution: the histogram's buckets from the
	// first to the last holding a wait (see [sim.Histogram]).
	WaitHist []WaitBucket
	// ByInitiator is who waited for the owner's pool: grants and waits by
	// initiator (the Start or Retry caller), sorted by account, principal.
	ByInitiator []InitiatorWait
}

// Summary is a run's report model: everything the renderers print,
// computed once by [Summarize]; a [RunView] prints it.
type Summary struct {
	Meta
	Seed     uint64
	Duration model.Time // the simulated horizon
	Calls    Calls
	// Callers holds every principal that made at least one call, sorted by
	// account then principal name.
	Callers    []Caller
	Executions Executions
	Steps      Steps
	Cost       Cost
	// Series is the run over time (charts). Access is the access matrix
	// at the end of the run when a caller set it; a summary from
	// [Summarize] leaves it nil and computes rows when asked
	// ([Summary.AccessRows], the HTML heat map): the matrix has a row per
	// principal and pipeline, 40 million for 20,000 principals and 2,000
	// pipelines.
	Series Series
	Access []AccessRow
	// accessWorld is the world of the run, asked for access rows.
	accessWorld *model.World
	// Findings are the compliance findings of the run (check's defaults),
	// set by the caller from [Check]; nil when not evaluated.
	Findings []Finding
	// Replay is the recorded-vs-simulated comparison of a replayed trace,
	// set by the caller from [SummarizeReplay]; nil without a trace.
	Replay *Replay
	// Data is the data plane; nil when the scenario declares no buckets
	// or keys.
	Data *DataPlane
}

// AccessRows yields the access matrix at the end of the run, every row
// when all, else those with an allowed action: from s.Access when it is
// there, else computed one at a time (see [AccessRows]).
func (s *Summary) AccessRows(all bool) iter.Seq[AccessRow] {
	if s.Access != nil || s.accessWorld == nil {
		return func(yield func(AccessRow) bool) {
			for _, r := range s.Access {
				if (all || len(r.Allowed) > 0) && !yield(r) {
					return
				}
			}
		}
	}
	return AccessRows(s.accessWorld, s.Duration, all)
}

// DurationSeconds returns the simulated horizon in seconds.
func (s *Summary) DurationSeconds() float64 { return float64(s.Duration) / 1e9 }

// Summarize computes the report model of run r. r and r.World must not be
// nil, r.Calls must be indexed like r.Callers, and r.Ledger must name
// principals, pipelines and shares of r.World (it panics otherwise); a
// principal listed twice in r.Callers is counted once with both rows'
// calls, and callers that made no call are left out. The ledger is
// aggregated as [Cost] describes. Summarize does not modify r and keeps no
// reference to it but to r.World, which [Summary.AccessRows] and the
// HTML heat map ask later (at the end of the run; asking caches nothing).
func Summarize(r *sim.Result, m Meta) *Summary {
	w := r.World
	s := &Summary{Meta: m, Seed: r.Seed, Duration: r.Duration}
	slot := make(map[model.PrincipalID]int, len(r.Callers))
	s.Callers = make([]Caller, 0, len(r.Callers))
	for i, p := range r.Callers {
		j, ok := slot[p]
		if !ok {
			j = len(s.Callers)
			slot[p] = j
			acct := w.PrincipalAccount(p)
			s.Callers = append(s.Callers, Caller{
				Account:     acct,
				AccountName: w.AccountName(acct),
				Principal:   w.PrincipalName(p),
				Synthetic:   w.PrincipalSynthetic(p),
			})
		}
		s.Callers[j].Calls.addCounts(&r.Calls[i])
		s.Calls.addCounts(&r.Calls[i])
	}
	s.Callers = slices.DeleteFunc(s.Callers, func(c Caller) bool { return c.Calls.Total == 0 })
	// A Caller is 2 KB of counters: sort their indices, then move each
	// once, rather than swapping the rows.
	order := make([]int32, len(s.Callers))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int {
		a, b := &s.Callers[i], &s.Callers[j]
		if c := strings.Compare(string(a.Account), string(b.Account)); c != 0 {
			return c
		}
		return strings.Compare(a.Principal, b.Principal)
	})
	permute(s.Callers, order)

	e := &r.Executions
	s.Executions = Executions{
		Started: e.Started, Succeeded: e.Succeeded, Failed: e.Failed, Stopped: e.Stopped,
		Retried: e.Retried, TimedOut: e.TimedOut,
		FailedAtEnd: e.FailedAtEnd, WaitingAtEnd: e.WaitingAtEnd, RunningAtEnd: e.RunningAtEnd,
		FailedCapacity: e.FailedCapacity,
	}
	st := &r.Steps
	s.Steps = Steps{
		Granted: st.Granted, Completed: st.Completed,
		MeanWait: st.Waits.Mean(), P95Wait: st.Waits.Quantile(0.95),
		ResourceLimit: st.ResourceLimit, NeverStartable: st.NeverStartable,
	}
	s.Calls.SearchReturned = r.SearchReturned
	s.Cost = summarizeCost(w, r.Ledger)
	s.Data = summarizeData(w, &r.Data)
	s.summarizeOverTime(r)
	return s
}

// callerRows yields the rows of calls by caller: each caller and action
// with calls, by caller, then action name (calls_by_caller, the calls
// CSV).
func (s *Summary) callerRows() iter.Seq2[*Caller, model.Action] {
	return func(yield func(*Caller, model.Action) bool) {
		for i := range s.Callers {
			c := &s.Callers[i]
			for _, a := range actionsByName {
				if c.Calls.ByAction[a].Total() != 0 && !yield(c, a) {
					return
				}
			}
		}
	}
}

// actionsByName lists the actions sorted by bare name, the order of
// calls_by_caller rows.
var actionsByName = func() []model.Action {
	out := make([]model.Action, model.NumActions)
	for a := range out {
		out[a] = model.Action(a)
	}
	slices.SortFunc(out, func(a, b model.Action) int { return strings.Compare(a.Name(), b.Name()) })
	return out
}()
