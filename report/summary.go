package report

import (
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// SchemaVersion is the version of the run report's JSON (DESIGN.md
// "Outputs"). It changes only when a promised key changes meaning or goes.
const SchemaVersion = 1

// Meta describes a run's inputs; the caller supplies it, since report reads
// no files.
type Meta struct {
	Scenario       string // the scenario's name, e.g. "quickstart"
	ScenarioSHA256 string // hex SHA-256 of the scenario's bytes
	Version        string // the pipeshare version
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

// Summary is a run's report model: everything the renderers print,
// computed once by [Summarize].
type Summary struct {
	Meta
	Seed     uint64
	Duration model.Time // the simulated horizon
	Calls    Calls
	// Callers holds every principal that made at least one call, sorted by
	// account then principal name.
	Callers []Caller
}

// DurationSeconds returns the simulated horizon in seconds.
func (s *Summary) DurationSeconds() float64 { return float64(s.Duration) / 1e9 }

// Summarize computes the report model of run r. r and r.World must not be
// nil and r.Calls must be indexed like r.Callers (it panics otherwise); a
// principal listed twice in r.Callers is counted once with both rows'
// calls, and callers that made no call are left out. Summarize does not
// modify r and keeps no reference to it.
func Summarize(r *sim.Result, m Meta) *Summary {
	w := r.World
	s := &Summary{Meta: m, Seed: r.Seed, Duration: r.Duration}
	slot := map[model.PrincipalID]int{}
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
	slices.SortFunc(s.Callers, func(a, b Caller) int {
		if c := strings.Compare(string(a.Account), string(b.Account)); c != 0 {
			return c
		}
		return strings.Compare(a.Principal, b.Principal)
	})
	return s
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
