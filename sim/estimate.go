package sim

import "github.com/pipeshare/pipeshare/model"

// Estimate is what a run will do, worked out from its workload before it
// runs, so that a command can refuse a run that would never end or not fit
// in memory. It is an expectation, not a bound: a Poisson workload makes
// about Calls calls.
type Estimate struct {
	// Calls is the expected number of generated calls: for every expanded
	// caller of every workload entry, its rate × its window (the entry's
	// between, cut at the horizon), or the count of its every/at times.
	// A replayed trace replaces the workload and is not counted: its size
	// is the trace's.
	Calls float64
	// Starts is the part of Calls that are StartPipelineExecution: each
	// may create an execution the run keeps.
	Starts float64
	// Callers is the number of principals the run counts calls for.
	Callers int
}

// Estimate returns the run's [Estimate] at its current horizon.
func (s *Sim) Estimate() Estimate {
	e := Estimate{Callers: len(s.res.Callers)}
	if s.trace != nil {
		return e
	}
	perWorkload := make([]float64, len(s.workloads)) // expanded callers
	for i := range s.streams {
		perWorkload[s.streams[i].workload]++
	}
	for i := range s.workloads {
		p := &s.callPlans[s.workloads[i].callPlan]
		calls := perWorkload[i] * p.expectedCalls(s.horizon)
		e.Calls += calls
		e.Starts += calls * p.share(model.StartPipelineExecution)
	}
	return e
}

// expectedCalls is one caller's expected number of calls up to horizon.
func (p *callPlan) expectedCalls(horizon Time) float64 {
	end := min(p.to, horizon)
	if end < p.from {
		return 0
	}
	switch p.arrival.Kind {
	case ArrivalRate:
		return p.arrival.PerNs * float64(end-p.from)
	case ArrivalEvery:
		if p.arrival.Every <= 0 {
			return 0
		}
		return float64((end-p.from)/p.arrival.Every) + 1
	case ArrivalAt:
		n := 0
		for _, t := range p.arrival.At {
			if t >= p.from && t <= end {
				n++
			}
		}
		return float64(n)
	}
	return 0
}

// share is the fraction of p's calls that are action a.
func (p *callPlan) share(a model.Action) float64 {
	var f, prev float64
	for i, x := range p.actions {
		if x == a {
			f += p.cum[i] - prev
		}
		prev = p.cum[i]
	}
	return f
}
