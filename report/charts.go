package report

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// CostGroups is how many groups the cost series names at most. It names
// the fewest costliest initiators that leave at most a fifth of the cost
// to the rest; when CostGroups of them leave more, it groups initiators by
// OU (see [groupLabels]) if that leaves less, and the rest is one explicit
// group, "N others".
const CostGroups = 7

// otherShare is the largest share of the cost the rest may hold without
// regrouping.
const otherShare = 0.2

// Series is the run over time, in equal buckets of the horizon.
type Series struct {
	Bucket model.Time   // bucket width
	Starts []model.Time // each bucket's start, from the scenario start
	// Calls holds, per bucket, the calls allowed, denied and failed.
	Calls [][3]int64
	// CostGroups names the groups of Cost, costliest first (ties by
	// name): initiators ("research/role/DataScientist": the account's name,
	// or its ID when it has none) or OUs ("OU /teams"), as [CostGroups]
	// says; then, when CostOther, the rest ("12 others").
	CostGroups []string
	CostOther  bool // the last group is the rest
	// CostByGroup is set when CostGroups are OUs or accounts.
	CostByGroup bool
	// Cost holds, per group, the owner's USD per bucket.
	Cost [][]float64
	// Events are the timeline events before the horizon (the model's and
	// set_quota), in time order.
	Events []SeriesEvent
}

// SeriesEvent is one timeline event.
type SeriesEvent struct {
	At   model.Time
	What string // for people, e.g. "share churn-to-research becomes read-only"
}

// WaitBucket is one bucket of the wait histogram, [Lo, Hi) ns; the zero
// bucket has Lo = Hi = 0.
type WaitBucket struct {
	Lo, Hi float64
	Count  int64
}

// InitiatorWait is one initiator's instance grants in the owner's pool and
// its total wait for them.
type InitiatorWait struct {
	Account     model.AccountID
	AccountName string // "" when unnamed
	Principal   string
	Grants      int64
	WaitNs      int64
}

// MeanWait returns the mean wait per grant in ns (0 with no grant).
func (w *InitiatorWait) MeanWait() float64 {
	if w.Grants == 0 {
		return 0
	}
	return float64(w.WaitNs) / float64(w.Grants)
}

// principalLabel names p for people: "research/role/DataScientist", with
// the account's ID when it has no name.
func principalLabel(w *model.World, p model.PrincipalID) string {
	acct := w.PrincipalAccount(p)
	return cmp.Or(w.AccountName(acct), string(acct)) + "/" + w.PrincipalName(p)
}

// groupLabels returns a function that names the group of an account of w
// for people: its OU ("OU /teams", "OU / (root)"), "outside the
// organization", or, when w has no organization, the account itself
// ("account research").
func groupLabels(w *model.World) func(model.AccountID) string {
	hasOrg := slices.ContainsFunc(w.AccountIDs(), func(a model.AccountID) bool { return w.AccountOU(a) != "" })
	return func(acct model.AccountID) string {
		switch ou := w.AccountOU(acct); {
		case ou == "/":
			return "OU / (root)"
		case ou != "":
			return "OU " + ou
		case hasOrg:
			return "outside the organization"
		}
		return "account " + cmp.Or(w.AccountName(acct), string(acct))
	}
}

// costSeries is one group's cost per bucket.
type costSeries struct {
	label string
	total float64
	usd   []float64
}

// namedGroups returns how many of gs, costliest first, to name: all when
// they are at most CostGroups, else the fewest that leave at most
// otherShare of total to the rest (CostGroups when none do); and the
// rest's share.
func namedGroups(gs []*costSeries, total float64) (n int, rest float64) {
	if len(gs) <= CostGroups || total <= 0 {
		return len(gs), 0
	}
	named := 0.0
	for n = 1; n <= CostGroups; n++ {
		named += gs[n-1].total
		if rest = (total - named) / total; rest <= otherShare {
			break
		}
	}
	return min(n, CostGroups), rest
}

// sortCost sorts gs costliest first, ties by label.
func sortCost(gs []*costSeries) {
	slices.SortFunc(gs, func(a, b *costSeries) int {
		return cmp.Or(cmp.Compare(b.total, a.total), strings.Compare(a.label, b.label))
	})
}

// summarizeOverTime fills s.Series, s.Steps.WaitHist and s.Steps.ByInitiator
// from r, and keeps r.World for the access rows (see [Summary.AccessRows]).
func (s *Summary) summarizeOverTime(r *sim.Result) {
	w := r.World
	n := sim.SeriesBuckets
	bw := r.Series.Bucket
	if bw <= 0 {
		bw = max(r.Duration/model.Time(n)+1, 1)
	}
	se := &s.Series
	se.Bucket = bw
	se.Starts = make([]model.Time, n)
	se.Calls = make([][3]int64, n)
	for i := range n {
		se.Starts[i] = model.Time(i) * bw
		se.Calls[i] = r.Series.Calls[i]
	}

	// Cost per initiator per bucket, and waits per initiator.
	type acc struct {
		costSeries
		group string
		iw    InitiatorWait
	}
	byInit := map[model.PrincipalID]*acc{}
	groupOf := groupLabels(w)
	for i := range r.Ledger {
		row := &r.Ledger[i]
		a := byInit[row.Initiator]
		if a == nil {
			acct := w.PrincipalAccount(row.Initiator)
			a = &acc{
				costSeries: costSeries{label: principalLabel(w, row.Initiator), usd: make([]float64, n)},
				group:      groupOf(acct),
				iw:         InitiatorWait{Account: acct, AccountName: w.AccountName(acct), Principal: w.PrincipalName(row.Initiator)},
			}
			byInit[row.Initiator] = a
		}
		a.iw.Grants += row.Grants
		a.iw.WaitNs += row.WaitNs
		a.total += row.USD()
		for b, ns := range row.Buckets {
			if b < n && ns != 0 { // most buckets of a row are empty; a zero adds +0 (prices are finite)
				a.usd[b] += float64(ns) / 3600e9 * row.USDPerHour
			}
		}
	}
	all := make([]*acc, 0, len(byInit))
	for _, a := range byInit {
		all = append(all, a)
	}
	slices.SortFunc(all, func(a, b *acc) int {
		return cmp.Or(strings.Compare(string(a.iw.Account), string(b.iw.Account)), strings.Compare(a.iw.Principal, b.iw.Principal))
	})
	var total float64
	inits := make([]*costSeries, 0, len(all))
	for _, a := range all {
		if a.iw.Grants > 0 {
			s.Steps.ByInitiator = append(s.Steps.ByInitiator, a.iw)
		}
		inits = append(inits, &a.costSeries)
		total += a.total
	}
	sortCost(inits)
	groups := inits
	named, rest := namedGroups(inits, total)
	if rest > otherShare {
		// Too many initiators to name: try their OUs.
		byGroup := map[string]*costSeries{}
		var ous []*costSeries
		for _, a := range all {
			g := byGroup[a.group]
			if g == nil {
				g = &costSeries{label: a.group, usd: make([]float64, n)}
				byGroup[a.group] = g
				ous = append(ous, g)
			}
			g.total += a.total
			for b, v := range a.usd {
				g.usd[b] += v
			}
		}
		sortCost(ous)
		if n2, rest2 := namedGroups(ous, total); rest2 < rest {
			groups, named, se.CostByGroup = ous, n2, true
		}
	}
	for _, g := range groups[:named] {
		se.CostGroups = append(se.CostGroups, g.label)
		se.Cost = append(se.Cost, g.usd)
	}
	if others := groups[named:]; len(others) > 0 {
		sum := make([]float64, n)
		for _, g := range others {
			for b, v := range g.usd {
				sum[b] += v
			}
		}
		se.CostGroups = append(se.CostGroups, fmt.Sprintf("%d others", len(others)))
		se.CostOther = true
		se.Cost = append(se.Cost, sum)
	}

	for i := range w.NumEvents() {
		if at := w.EventAt(i); at < r.Duration {
			se.Events = append(se.Events, SeriesEvent{At: at, What: eventText(w, w.EventDescription(i))})
		}
	}
	for _, q := range r.QuotaEvents {
		if q.At < r.Duration {
			se.Events = append(se.Events, SeriesEvent{At: q.At, What: quotaEventText(w, &q.Quota)})
		}
	}
	slices.SortStableFunc(se.Events, func(a, b SeriesEvent) int { return cmp.Compare(a.At, b.At) })

	// The wait histogram, from its first to its last non-empty bucket.
	h := &r.Steps.Waits
	first, last := -1, -1
	for i, c := range h.Buckets {
		if c > 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	for i := first; first >= 0 && i <= last; i++ {
		b := WaitBucket{Count: h.Buckets[i]}
		if i > 0 {
			b.Lo, b.Hi = math.Exp2(float64(i-1)/4), math.Exp2(float64(i)/4)
		}
		s.Steps.WaitHist = append(s.Steps.WaitHist, b)
	}

	s.accessWorld = w
}

// accountText names account id for people: its name, else its ID.
func accountText(w *model.World, id string) string {
	return cmp.Or(w.AccountName(model.AccountID(id)), id)
}

// targetText names a policy target for people: "OU /research",
// "research", "research/role/X".
func targetText(w *model.World, target string) string {
	if ou, ok := strings.CutPrefix(target, "ou:"); ok {
		return "OU " + ou
	}
	acct, rest, ok := strings.Cut(target, "/")
	if ok {
		return accountText(w, acct) + "/" + rest
	}
	return accountText(w, target)
}

// eventText rewrites a timeline event as [model.World.EventDescription]
// gives it ("set_permission churn-to-research read-only") for people
// ("share churn-to-research becomes read-only"), accounts by name; an
// event it does not know stays as it is.
func eventText(w *model.World, desc string) string {
	f := strings.Fields(desc)
	switch {
	case len(f) == 3 && f[0] == model.EventSetPermission.String():
		return "share " + f[1] + " becomes " + f[2]
	case len(f) == 2 && f[0] == model.EventAssociate.String():
		return "share " + f[1] + " adds associations"
	case len(f) == 2 && f[0] == model.EventDisassociate.String():
		return "share " + f[1] + " drops associations"
	case len(f) == 2 && f[0] == model.EventDeleteShare.String():
		return "share " + f[1] + " is deleted"
	case len(f) == 3 && f[0] == model.EventMoveAccount.String():
		return accountText(w, f[1]) + " moves to OU " + f[2]
	case len(f) == 2 && f[0] == model.EventLeaveOrganization.String():
		return accountText(w, f[1]) + " leaves the organization"
	case len(f) == 3 && f[0] == model.EventAttachPolicy.String():
		return "policy " + f[1] + " attached to " + targetText(w, f[2])
	case len(f) == 3 && f[0] == model.EventDetachPolicy.String():
		return "policy " + f[1] + " detached from " + targetText(w, f[2])
	case len(f) == 3 && f[0] == model.EventAttachRCP.String():
		return "RCP " + f[1] + " attached to " + targetText(w, f[2])
	case len(f) == 3 && f[0] == model.EventDetachRCP.String():
		return "RCP " + f[1] + " detached from " + targetText(w, f[2])
	}
	return desc
}

// quotaEventText describes a set_quota event for people, e.g. "quota of
// ml-platform: concurrent_executions 10".
func quotaEventText(w *model.World, q *sim.AccountQuota) string {
	var parts []string
	if q.HasConcurrent {
		parts = append(parts, "concurrent_executions "+quotaNumber(q.ConcurrentExecutions))
	}
	for _, typ := range slices.Sorted(maps.Keys(q.Instances)) {
		parts = append(parts, typ+" "+quotaNumber(q.Instances[typ]))
	}
	if q.HasAPIRate {
		parts = append(parts, fmt.Sprintf("api_rate %g", q.APIRate))
	}
	if q.HasOnCapacity && q.OnCapacityQueue {
		parts = append(parts, "on_capacity queue")
	} else if q.HasOnCapacity {
		parts = append(parts, "on_capacity fail")
	}
	return "quota of " + accountText(w, q.Account.S) + ": " + strings.Join(parts, ", ")
}

func quotaNumber(n int) string {
	if n == sim.Unlimited {
		return "unlimited"
	}
	return fmt.Sprint(n)
}
