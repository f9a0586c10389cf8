package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/model"
)

// ReplicaFold computes a [Replicas] report one replica at a time, in
// index order, so that run --replicas N keeps each finished replica's
// numbers only (its seed, a value per metric and per cost row), not its
// sample: memory grows by a few hundred bytes a replica. The zero value is
// not ready: use [NewReplicaFold].
type ReplicaFold struct {
	r        Replicas    // Meta, Seeds and Duration so far
	values   [][]float64 // per metric of replicaMetrics, a value per replica
	pipeIdx  map[replicaPipeKey]int
	pipes    []ReplicaPipelineCost
	pipeVals [][]float64 // per pipeline row, a value per replica
	initIdx  map[replicaInitKey]int
	inits    []InitiatorCost
	initVals [][]float64 // per initiator row, a value per replica
}

type replicaPipeKey struct {
	name  string
	owner model.AccountID
}

type replicaInitKey struct {
	payer, account                         model.AccountID
	principal, pipeline, share, instanceTy string
	own                                    bool
}

// NewReplicaFold starts the report of a replicated run that meta names.
func NewReplicaFold(meta Meta) *ReplicaFold {
	return &ReplicaFold{r: Replicas{Meta: meta}, values: make([][]float64, len(replicaMetrics)),
		pipeIdx: map[replicaPipeKey]int{}, initIdx: map[replicaInitKey]int{}}
}

// N returns the number of replicas added.
func (f *ReplicaFold) N() int { return len(f.r.Seeds) }

// Add adds replica s, which must be replica N() (it panics otherwise: the
// caller orders them). It keeps no reference to s.
func (f *ReplicaFold) Add(s *ReplicaSample) {
	i := f.N()
	if s.Index != i {
		panic(fmt.Sprintf("report: ReplicaFold: replica %d added as replica %d", s.Index, i))
	}
	if i == 0 {
		f.r.Duration = s.Duration
	}
	f.r.Seeds = append(f.r.Seeds, s.Seed)
	for k := range f.values {
		f.values[k] = append(f.values[k], s.Values[k])
	}
	// The union of the pipelines and initiator rows, a value per replica
	// (0 where a replica has no such row). Keys are copied, so that they
	// do not hold on to the replica's World.
	for j := range f.pipeVals {
		f.pipeVals[j] = append(f.pipeVals[j], 0)
	}
	for _, p := range s.Pipelines {
		k := replicaPipeKey{p.Pipeline, p.Owner}
		j, ok := f.pipeIdx[k]
		if !ok {
			k = replicaPipeKey{strings.Clone(k.name), model.AccountID(strings.Clone(string(k.owner)))}
			j = len(f.pipes)
			f.pipeIdx[k] = j
			f.pipes = append(f.pipes, ReplicaPipelineCost{Pipeline: k.name, Owner: k.owner})
			f.pipeVals = append(f.pipeVals, make([]float64, i+1))
		}
		f.pipeVals[j][i] += p.USD
	}
	for j := range f.initVals {
		f.initVals[j] = append(f.initVals[j], 0)
	}
	for _, ic := range s.Initiators {
		k := replicaInitKey{ic.Payer, ic.Account, ic.Principal, ic.Pipeline, ic.Share, ic.InstanceType, ic.Own}
		j, ok := f.initIdx[k]
		if !ok {
			key := InitiatorCost{Payer: cloneID(ic.Payer), Account: cloneID(ic.Account),
				AccountName: strings.Clone(ic.AccountName), Principal: strings.Clone(ic.Principal),
				Pipeline: strings.Clone(ic.Pipeline), Share: strings.Clone(ic.Share), Own: ic.Own,
				InstanceType: strings.Clone(ic.InstanceType)}
			k = replicaInitKey{key.Payer, key.Account, key.Principal, key.Pipeline, key.Share, key.InstanceType, key.Own}
			j = len(f.inits)
			f.initIdx[k] = j
			f.inits = append(f.inits, key)
			f.initVals = append(f.initVals, make([]float64, i+1))
		}
		f.initVals[j][i] += ic.USD
	}
}

func cloneID(id model.AccountID) model.AccountID { return model.AccountID(strings.Clone(string(id))) }

// Replicas returns the report of the replicas added. It panics when there
// are none; call it once, after the last Add.
func (f *ReplicaFold) Replicas() *Replicas {
	if f.N() == 0 {
		panic("report: SummarizeReplicas of no replicas")
	}
	r := &f.r
	groups := [...]*[]ReplicaMetric{groupCalls: &r.Calls, groupReason: &r.ByReason, groupExecutions: &r.Executions,
		groupSteps: &r.Steps}
	for k, d := range replicaMetrics {
		m := ReplicaMetric{Name: d.name, Unit: d.unit, ReplicaStat: NewReplicaStat(f.values[k])}
		if d.group == groupCost {
			r.CostTotal = m
		} else {
			*groups[d.group] = append(*groups[d.group], m)
		}
	}
	for j := range f.pipes {
		f.pipes[j].USD = NewReplicaStat(f.pipeVals[j])
	}
	for j := range f.inits {
		r.ByInitiator = append(r.ByInitiator, ReplicaInitiatorCost{Key: f.inits[j], USD: NewReplicaStat(f.initVals[j])})
	}
	r.ByPipeline = f.pipes
	slices.SortFunc(r.ByPipeline, func(a, b ReplicaPipelineCost) int {
		return cmp.Or(strings.Compare(a.Pipeline, b.Pipeline), strings.Compare(string(a.Owner), string(b.Owner)))
	})
	slices.SortFunc(r.ByInitiator, func(a, b ReplicaInitiatorCost) int { return compareInitiators(a.Key, b.Key) })
	return r
}
