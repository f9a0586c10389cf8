package sim

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/pipeshare/pipeshare/model"
)

// builder resolves the execution parts of a Config: accounts' quotas,
// pipelines' step DAGs, instance pools and prices.
type builder struct {
	s        *Sim
	errs     []*model.PosError
	acctIdx  map[model.AccountID]int32
	ids      []model.AccountID    // the World's account IDs, by index
	prices   map[priceKey]float64 // the scenario's pricing: entries
	fellBack map[priceKey]bool    // prices taken from fallbackRegion, warned once
	poolIdx  map[poolKey]int32
	quotaCfg []*AccountQuota // per account, nil for defaults
}

type priceKey struct {
	instType  string
	component Component
}

type poolKey struct {
	account  int32
	instType string
}

func (b *builder) errorf(pos model.Pos, format string, args ...any) {
	b.errs = append(b.errs, &model.PosError{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

func (b *builder) warnf(pos model.Pos, format string, args ...any) {
	b.errs = append(b.errs, &model.PosError{Pos: pos, Msg: fmt.Sprintf(format, args...), Severity: model.SeverityWarning})
}

// account resolves an account reference.
func (b *builder) account(r model.Ref) (int32, bool) {
	id, err := model.ParseAccountID(r.S)
	if err != nil {
		b.errorf(r.Pos, "%v", err)
		return 0, false
	}
	ai, ok := b.acctIdx[id]
	if !ok {
		b.errorf(r.Pos, "unknown account %s", id)
	}
	return ai, ok
}

// defaultConcurrentExecutions is SageMaker's per-account quota (docs/aws-semantics.md#quotas-and-who-pays).
const defaultConcurrentExecutions = 20

// buildExec resolves cfg's quotas, prices and pipelines into s.ex.
func (s *Sim) buildExec(cfg *Config) []*model.PosError {
	w := s.w
	b := &builder{s: s, acctIdx: map[model.AccountID]int32{}, prices: map[priceKey]float64{},
		fellBack: map[priceKey]bool{}, poolIdx: map[poolKey]int32{}}
	b.ids = w.AccountIDs()
	ids := b.ids
	s.ex.accts = make([]acctState, len(ids))
	b.quotaCfg = make([]*AccountQuota, len(ids))
	for i, id := range ids {
		b.acctIdx[id] = int32(i)
		s.ex.accts[i] = acctState{limit: defaultConcurrentExecutions}
	}
	for i := range cfg.Quotas {
		q := &cfg.Quotas[i]
		if ai, ok := b.account(q.Account); ok {
			b.quotaCfg[ai] = q
			s.ex.accts[ai].apply(q)
		}
	}
	for _, p := range cfg.Pricing {
		if p.Component == AllComponents {
			for _, c := range Components {
				b.prices[priceKey{p.InstanceType, c}] = p.USDPerHour
			}
		} else {
			b.prices[priceKey{p.InstanceType, p.Component}] = p.USDPerHour
		}
	}
	s.ex.pipes = make([]pipe, w.NumPipelines())
	for i := range s.ex.pipes {
		owner := b.acctIdx[w.PipelineOwner(model.PipelineID(i))]
		s.ex.pipes[i] = pipe{owner: owner, maxPar: 50, timeout: Time(672 * 3600e9), latest: -1}
	}
	for i := range cfg.Pipelines {
		b.pipeline(&cfg.Pipelines[i])
	}
	s.quotaEvents = cfg.QuotaEvents
	s.quotaAcct = make([]int32, len(cfg.QuotaEvents))
	for i := range cfg.QuotaEvents {
		s.quotaAcct[i], _ = b.account(cfg.QuotaEvents[i].Quota.Account)
	}
	s.buildData(cfg, b)
	s.ex.seed1, s.ex.idsSeed = StreamSeed(s.seed, "ids")
	return b.errs
}

// apply sets the quota fields q gives.
func (a *acctState) apply(q *AccountQuota) {
	if q.HasConcurrent {
		a.limit = q.ConcurrentExecutions
	}
	if q.HasOnCapacity {
		a.queue = q.OnCapacityQueue
	}
	if q.HasAPIRate {
		a.ratePerNs = q.APIRate / 1e9
		a.burst = float64(q.APIBurst)
		a.tokens = a.burst
	}
}

func (b *builder) pipeline(ps *PipelineSpec) {
	s := b.s
	owner, ok := b.account(ps.Account)
	if !ok {
		return
	}
	arn := model.PipelineARN(s.w.Region(), b.ids[owner], ps.Name.S)
	pl, err := s.w.LookupPipeline(arn)
	if err != nil {
		b.errorf(ps.Name.Pos, "unknown pipeline %q of account %s", ps.Name.S, b.ids[owner])
		return
	}
	p := &s.ex.pipes[pl]
	if ps.MaxParallelSteps > 0 {
		p.maxPar = int16(min(ps.MaxParallelSteps, math.MaxInt16))
	}
	p.stopLatency = ps.StopLatency
	if ps.ExecutionTimeout != 0 {
		p.timeout = ps.ExecutionTimeout
	}
	index := map[string]int{}
	for i, st := range ps.Steps {
		index[st.Name] = i
	}
	p.steps = make([]stepDef, len(ps.Steps))
	ok = true
	for i := range ps.Steps {
		ok = b.step(p, &p.steps[i], &ps.Steps[i], index, owner) && ok
	}
	if ok {
		ok = b.branches(ps, p, index)
	}
	if ok {
		b.checkCycles(ps, p)
	}
}

func (b *builder) step(p *pipe, d *stepDef, st *StepSpec, index map[string]int, owner int32) bool {
	ok := true
	for _, dep := range st.DependsOn {
		j, found := index[dep.S]
		switch {
		case !found:
			b.errorf(dep.Pos, "step %q depends on unknown step %q", st.Name, dep.S)
			ok = false
		case j == index[st.Name]:
			b.errorf(dep.Pos, "step %q depends on itself", st.Name)
			ok = false
		default:
			d.deps = append(d.deps, int16(j))
		}
	}
	d.dist, d.failRate, d.retry = st.Duration, st.FailureRate, st.Retry
	d.exception = st.FailureException
	if d.exception == "" {
		d.exception = exceptionInternal
	}
	d.isFail = st.Type == "Fail"
	d.pool = -1
	if st.InstanceType == "" {
		return ok
	}
	d.count = max(st.InstanceCount, 1)
	price, priced := b.price(st)
	if !priced {
		return false
	}
	d.price = price
	k := poolKey{owner, st.InstanceType}
	pi, found := b.poolIdx[k]
	if !found {
		pi = int32(len(b.s.ex.pools))
		b.poolIdx[k] = pi
		capacity := Unlimited
		if q := b.quotaCfg[owner]; q != nil && q.Instances != nil {
			if n, limited := q.Instances[st.InstanceType]; limited {
				capacity = n
			}
		}
		b.s.ex.pools = append(b.s.ex.pools, pool{account: owner, instType: st.InstanceType,
			capacity: capacity, free: max(capacity, 0)})
	}
	d.pool = pi
	if c := b.s.ex.pools[pi].capacity; c != Unlimited && d.count > c {
		b.warnf(st.Pos, "step %q needs %d × %s but the owner's quota is %d: it can never start (it fails with %s)",
			st.Name, d.count, st.InstanceType, c, exceptionResourceLimit)
	}
	return ok
}

// price returns the price of step st's instances (docs/pricing.md): its
// component's price from the scenario's pricing:, else from the embedded
// table of the world's region, else from fallbackRegion's with a warning
// (once per instance type and component). It reports a step with none.
func (b *builder) price(st *StepSpec) (float64, bool) {
	k := priceKey{st.InstanceType, StepComponent(st.Type)}
	if p, ok := b.prices[k]; ok {
		return p, true
	}
	region := b.s.w.Region()
	if p := embeddedPrices[region][k.instType][k.component]; p > 0 {
		return p, true
	}
	p := embeddedPrices[fallbackRegion][k.instType][k.component]
	if p == 0 {
		b.errorf(st.InstanceTypePos, "instance type %s has no %s price in %s; add it under pricing: (USD per instance-hour)",
			k.instType, k.component, region)
		return 0, false
	}
	if !b.fellBack[k] {
		b.fellBack[k] = true
		b.warnf(st.InstanceTypePos, "no %s price of %s in %s is embedded: using %s's %s USD/h; add it under pricing: (pipeshare import prices)",
			k.component, k.instType, region, fallbackRegion, strconv.FormatFloat(p, 'f', -1, 64))
	}
	return p, true
}

// checkCycles reports a dependency cycle, naming its steps.
func (b *builder) checkCycles(ps *PipelineSpec, p *pipe) {
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, len(p.steps))
	var stack []int
	var visit func(i int) bool
	visit = func(i int) bool {
		color[i] = grey
		stack = append(stack, i)
		for _, d := range p.steps[i].deps {
			switch color[d] {
			case grey:
				// The cycle is the stack from d up; report it at the
				// first of its steps in file order.
				var names []string
				first := int(d)
				for k := len(stack) - 1; k >= 0; k-- {
					names = append(names, ps.Steps[stack[k]].Name)
					first = min(first, stack[k])
					if stack[k] == int(d) {
						break
					}
				}
				sort.Strings(names)
				b.errorf(ps.Steps[first].Pos, "steps %s form a dependency cycle", strings.Join(names, ", "))
				return false
			case white:
				if !visit(int(d)) {
					return false
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[i] = black
		return true
	}
	for i := range p.steps {
		if color[i] == white && !visit(i) {
			return
		}
	}
}

// setQuota applies set_quota event i.
func (s *Sim) setQuota(now Time, i int32) {
	q := &s.quotaEvents[i].Quota
	ai := s.quotaAcct[i]
	a := &s.ex.accts[ai]
	a.last = now
	a.apply(q)
	for pi := range s.ex.pools {
		p := &s.ex.pools[pi]
		if p.account != ai || q.Instances == nil {
			continue
		}
		n, limited := q.Instances[p.instType]
		if !limited {
			continue
		}
		if p.capacity == Unlimited {
			p.free = n // nothing was counted while unlimited: holds return to a fresh count
			p.free -= s.inUse(int32(pi))
		} else {
			p.free += n - p.capacity
		}
		p.capacity = n
		s.grantHeads(now, int32(pi))
	}
}

// inUse counts the instances pool pi's running holds hold.
func (s *Sim) inUse(pi int32) int {
	n := 0
	for _, h := range s.ex.holds {
		if h.exec >= 0 && h.pool == pi {
			n += int(h.count)
		}
	}
	return n
}
