package sim

import (
	"encoding/binary"
	"math"

	"github.com/pipeshare/pipeshare/model"
)

// callPlan is what a generated call reads of its workload entry: the
// action mix, the arrivals and the window. Entries that agree share one
// (count templates expand an entry into thousands that differ only in
// their callers and targets), so the calls of a large scenario read a few
// hot plans rather than a cold entry each. (Not to be confused with
// package sim/plan, the search of `pipeshare plan`.)
type callPlan struct {
	actions   []model.Action
	cum       []float64 // cumulative normalised weights of actions
	arrival   Arrival
	from      Time
	to        Time
	oneTarget bool // the entry has one target: its streams hold it
}

// callPlanKey identifies a plan whose arrivals are not listed times (plans
// of those are not shared).
type callPlanKey struct {
	mix       string // the actions and their cumulative weights
	kind      ArrivalKind
	perNs     float64
	every     Time
	from, to  Time
	oneTarget bool
}

// callPlanner interns plans into Sim.callPlans.
type callPlanner struct {
	ids map[callPlanKey]int32
	buf []byte
}

// intern returns the index of p in plans, appending p when no plan equal
// to it is there.
func (pn *callPlanner) intern(plans *[]callPlan, p callPlan) int32 {
	if p.arrival.Kind != ArrivalAt {
		pn.buf = pn.buf[:0]
		for i, a := range p.actions {
			pn.buf = binary.LittleEndian.AppendUint64(append(pn.buf, byte(a)), math.Float64bits(p.cum[i]))
		}
		k := callPlanKey{mix: string(pn.buf), kind: p.arrival.Kind, perNs: p.arrival.PerNs,
			every: p.arrival.Every, from: p.from, to: p.to, oneTarget: p.oneTarget}
		if id, ok := pn.ids[k]; ok {
			return id
		}
		if pn.ids == nil {
			pn.ids = map[callPlanKey]int32{}
		}
		pn.ids[k] = int32(len(*plans))
	}
	*plans = append(*plans, p)
	return int32(len(*plans) - 1)
}
