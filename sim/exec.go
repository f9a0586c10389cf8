package sim

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/pipeshare/pipeshare/model"
)

// Event kinds of executions (evTimeline and evCall are in run.go).
const (
	evStepEnd    EventKind = iota + 10 // A exec, B step, C epoch
	evStepRetry                        // A exec, B step, C epoch
	evStopDone                         // A exec, C epoch
	evTimeout                          // A exec, C epoch
	evQuota                            // A index of the set_quota event
	evStepDenied                       // A exec, B step, C epoch (data.go)
)

type execStatus uint8

const (
	execExecuting execStatus = iota + 1
	execStopping
	execStopped
	execFailed
	execSucceeded
)

type stepState uint8

const (
	stepPending   stepState = iota // not run yet, or to be re-run
	stepQueued                     // waiting for instances in the FIFO
	stepRetryWait                  // failed, waiting for its retry interval
	stepRunning
	stepSucceeded
	stepFailed
	stepSkipped // on a branch not taken (branch.go): done without running
)

// stepRec is one step of one execution.
type stepRec struct {
	state    stepState
	attempts uint8 // retries made
}

// execution is one pipeline execution, stored by value in a chunked slice:
// no pointers, 48 bytes. Its ID is derived from its index (execIDBits).
//
// The steps of a pipeline of at most inlineSteps steps are stored in the
// record itself, so a queued request's staleness test (its epoch, status
// and step state, bytes 16 to 31: one cache line, as records are 16-byte
// aligned) and its grant touch no other memory.
type execution struct {
	rng Stream // stream exec/<id>: durations and failures
	// steps holds the step records when the pipeline has at most
	// inlineSteps steps; else (outOfLine) its first four bytes hold their
	// offset in Sim.steps (see stepsAt).
	steps     [inlineSteps]stepRec
	epoch     uint16 // bumped when running steps are cut: stale events are dropped
	running   int16  // steps running
	queued    int16  // steps waiting for instances or a retry interval
	status    execStatus
	outOfLine bool
	pipeline  int32
	attr      int32 // the Start or last Retry caller and the share that allowed it: an index into execState.attrs
	setPos    int32 // position in its pipeline's executing or failed set
	holds     int32 // first running hold, or -1
}

// inlineSteps is the most steps an execution keeps in its own record.
const inlineSteps = 4

// attribution is whom an execution's instances are billed to: the caller
// of its Start or last Retry and the share that allowed that call (or
// NoShare).
type attribution struct {
	initiator model.PrincipalID
	share     model.ShareID
}

func (k attribution) hash() uint64 {
	h := (uint64(uint32(k.initiator))<<32 | uint64(uint32(k.share))) * gamma
	return h ^ h>>29
}

// stepDef is a compiled step.
type stepDef struct {
	deps      []int16
	pool      int32 // instance pool, -1 for a step without instances
	count     int
	price     float64 // USD per instance-hour of the step's component
	dist      Dist
	failRate  float64
	exception string
	retry     []RetryPolicy
	isFail    bool       // a Fail step: reaching its end fails the execution
	branch    *branchDef // a Condition step's branches, else nil
}

// pipe is a pipeline's run-time state.
type pipe struct {
	owner       int32 // account index
	steps       []stepDef
	maxPar      int16
	stopLatency Time
	timeout     Time // Never for none
	executing   []int32
	failed      []int32
	latest      int32 // the newest execution, -1 before the first
}

// acctState is an account's quotas and counters.
type acctState struct {
	limit     int // concurrent executions, Unlimited for none
	active    int // Executing and Stopping executions it owns
	queue     bool
	ratePerNs float64 // api_rate, 0 for none
	burst     float64
	tokens    float64
	last      Time
}

// request is a step waiting for instances (16 bytes).
type request struct {
	exec  int32
	step  int16
	epoch uint16
	at    Time
}

// pool is an owner account's instances of one type.
type pool struct {
	account  int32
	instType string
	capacity int // Unlimited for none
	free     int
	fifo     deque[request]
}

// hold is a running step's instances.
type hold struct {
	exec  int32
	step  int16
	pool  int32
	count int32
	at    Time
	row   int32 // ledger row
	next  int32 // the execution's next hold, -1
}

type ledgerKey struct {
	initiator model.PrincipalID
	pipeline  model.PipelineID
	share     model.ShareID
	pool      int32
	price     float64 // steps of one pool bill at their components' prices
}

// execState is the part of Sim that runs executions.
type execState struct {
	execs chunked[execution]
	attrs index[attribution] // every execution's attribution, by its attr
	steps chunked[stepRec]   // the steps of executions of pipelines of more than inlineSteps steps
	// withdrawn has bit xi set when execution xi has no valid queued
	// request: its last cut withdrew them and it queued none since. The
	// FIFO drops a request of such an execution (most often a stopped
	// one) on the bit alone, without reading its record, long out of
	// cache by the time the request reaches the head.
	withdrawn []uint64
	// freeSteps[n] holds the offsets of step runs of length n that
	// finished executions gave back: a Succeeded or Stopped execution's
	// steps are never read again (only a Failed one can be retried), so
	// step memory follows the executions not yet final, not the history.
	freeSteps  [][]int32
	pipes      []pipe
	accts      []acctState
	pools      []pool
	holds      []hold
	freeHolds  []int32
	ledger     []LedgerRow
	ledgerIdx  index[ledgerKey]
	idsSeed    uint64              // execution IDs: see execIDBits
	seed1      uint64              // the first PCG seed of every stream of the run (see StreamSeed)
	tokens     map[string]tokenUse // ClientRequestTokens of Starts within the window
	tokenOrder deque[mappedID]     // tokens in the order they were seen, to forget old ones
}

func (s *Sim) exec(i int32) *execution { return s.ex.execs.At(int(i)) }

func (s *Sim) step(x *execution, i int) *stepRec {
	if x.outOfLine {
		return s.ex.steps.At(int(x.stepsAt()) + i)
	}
	return &x.steps[i]
}

// stepsAt returns the offset in Sim.steps of the steps of an execution
// whose steps are out of line, held in the bytes of its first two inline
// step records.
func (x *execution) stepsAt() int32 {
	a, b := x.steps[0], x.steps[1]
	return int32(uint32(a.state) | uint32(a.attempts)<<8 | uint32(b.state)<<16 | uint32(b.attempts)<<24)
}

// setStepsAt marks x's steps out of line at offset off in Sim.steps.
func (x *execution) setStepsAt(off int32) {
	u := uint32(off)
	x.steps[0] = stepRec{state: stepState(u), attempts: uint8(u >> 8)}
	x.steps[1] = stepRec{state: stepState(u >> 16), attempts: uint8(u >> 24)}
	x.outOfLine = true
}

// attr returns the index of the attribution of caller and share, adding
// it on first use.
func (s *Sim) attr(caller model.PrincipalID, share model.ShareID) int32 {
	k := attribution{initiator: caller, share: share}
	slot, r := s.ex.attrs.find(k)
	if r < 0 {
		r = int32(len(s.ex.attrs.keys))
		s.ex.attrs.add(slot, k, r)
	}
	return r
}

// attribution returns execution x's attribution.
func (s *Sim) attribution(x *execution) attribution { return s.ex.attrs.keys[x.attr] }

// schedule adds an event unless it falls after the horizon (it would never
// run; this also keeps now+d from overflowing).
func (s *Sim) schedule(now, d Time, kind EventKind, a, b int32, c int32) {
	if d < 0 || d > s.horizon-now {
		return
	}
	s.eng.Schedule(Event{At: now + d, Kind: kind, Prio: PrioLifecycle, A: a, B: b, C: c})
}

// execIDBits returns the 64 random bits behind execution i's ID: the i-th
// output of a SplitMix64 sequence seeded from the "ids" stream's seed, so
// IDs are derived when needed instead of stored.
func (s *Sim) execIDBits(i int32) uint64 {
	return SplitMix64(s.ex.idsSeed + uint64(i)*gamma)
}

// ExecutionID returns the 12-character ID of execution i.
func (s *Sim) ExecutionID(i int32) string { return ExecutionID(s.execIDBits(i)) }

// execStream returns the stream exec/<id>, MakeStream(seed, "exec/"+ID),
// without allocating the key: the key's hash goes on from the prefix's.
func (s *Sim) execStream(id uint64) Stream {
	var digits [12]byte
	putExecID(digits[:], id)
	var st Stream
	seed1 := s.ex.seed1
	st.pcg.Seed(seed1, SplitMix64(fnv64aFrom(execKeyHash, digits[:])^seed1))
	return st
}

// execKeyHash is the FNV-1a state after the prefix of an execution's
// stream name.
var execKeyHash = FNV64a("exec/")

// putExecID writes the 12-character execution ID of id into dst: its last
// 12 base-36 digits, in two halves of 6 whose digits are found side by
// side with 32-bit divisions.
func putExecID(dst []byte, id uint64) {
	const (
		digits = "0123456789abcdefghijklmnopqrstuvwxyz"
		half   = 36 * 36 * 36 * 36 * 36 * 36 // < 2^32
	)
	_ = dst[11]
	hi, lo := uint32(id/half%half), uint32(id%half)
	for i := 5; i >= 0; i-- {
		dst[i], dst[i+6] = digits[hi%36], digits[lo%36]
		hi, lo = hi/36, lo/36
	}
}

// ExecutionID formats the 12-character execution ID of an ids draw.
func ExecutionID(id uint64) string {
	var b [12]byte
	putExecID(b[:], id)
	return string(b[:])
}

// drawDuration draws a step duration from x's stream.
func drawDuration(x *execution, d Dist) Time {
	var v float64
	switch d.Kind {
	case DistFixed:
		return Time(d.A)
	case DistExponential:
		v = x.rng.ExpFloat64() * d.A
	case DistLogNormal:
		v = distuv.LogNormal{Mu: math.Log(d.A), Sigma: d.B, Src: &x.rng}.Rand()
	case DistNormal:
		n := distuv.Normal{Mu: d.A, Sigma: d.B, Src: &x.rng}
		for range 100 {
			if v = n.Rand(); v > 0 {
				break
			}
		}
	case DistUniform:
		v = distuv.Uniform{Min: d.A, Max: d.B, Src: &x.rng}.Rand()
	case DistGamma:
		v = distuv.Gamma{Alpha: d.A, Beta: 1 / d.B, Src: &x.rng}.Rand()
	}
	if !(v > 0) {
		return 0
	}
	if v >= float64(Never) {
		return Never
	}
	return Time(math.Round(v))
}

// setAdd and setRemove keep a pipeline's executing or failed set, with each
// execution's position in setPos, for O(1) uniform picks.
func (s *Sim) setAdd(set *[]int32, xi int32) {
	s.exec(xi).setPos = int32(len(*set))
	*set = append(*set, xi)
}

func (s *Sim) setRemove(set *[]int32, xi int32) {
	l := *set
	pos := s.exec(xi).setPos
	last := l[len(l)-1]
	l[pos] = last
	s.exec(last).setPos = pos
	*set = l[:len(l)-1]
}

// tokenWindow is how long a ClientRequestToken makes a Start idempotent.
const tokenWindow = 24 * 3600e9

// tokenUse is the execution a ClientRequestToken started, and when.
type tokenUse struct {
	exec int32
	at   Time
}

// rememberToken records that token started execution xi at now, and
// forgets tokens older than the idempotency window, so memory holds a
// window of Starts, not the whole trace.
func (s *Sim) rememberToken(now Time, token string, xi int32) {
	if s.ex.tokens == nil {
		s.ex.tokens = map[string]tokenUse{}
	}
	s.ex.tokens[token] = tokenUse{exec: xi, at: now}
	s.ex.tokenOrder.Push(mappedID{at: now, id: token, xi: xi})
	for s.ex.tokenOrder.Front().at <= now-tokenWindow {
		old := s.ex.tokenOrder.Front()
		if u := s.ex.tokens[old.id]; u.exec == old.xi && u.at == old.at {
			delete(s.ex.tokens, old.id)
		}
		s.ex.tokenOrder.PopFront()
	}
}

// startExecution creates an execution of pipeline pl for caller: the
// effect of an allowed StartPipelineExecution. A non-empty token seen on a
// Start of the same pipeline within 24 hours returns that execution instead
// (ClientRequestToken idempotency); generated calls carry none, replayed
// ones their recorded token. It returns the failure reason (0 on success)
// and the execution. params is the Start's parameter set (data.go), used
// only when the scenario declares data.
func (s *Sim) startExecution(now Time, caller model.PrincipalID, share model.ShareID, pl model.PipelineID, token string, params int32) (model.Reason, int32) {
	p := &s.ex.pipes[pl]
	if token != "" {
		if u, ok := s.ex.tokens[token]; ok && now-u.at < tokenWindow && s.exec(u.exec).pipeline == int32(pl) {
			return 0, u.exec
		}
	}
	a := &s.ex.accts[p.owner]
	if a.limit != Unlimited && a.active >= a.limit {
		return model.ReasonLimitExceeded, -1
	}
	xi := int32(s.ex.execs.Len())
	x := execution{rng: s.execStream(s.execIDBits(xi)), pipeline: int32(pl),
		attr: s.attr(caller, share), holds: -1, status: execExecuting}
	if len(p.steps) > inlineSteps {
		x.setStepsAt(s.allocSteps(len(p.steps)))
	}
	s.ex.execs.Append(x)
	if xi&63 == 0 {
		s.ex.withdrawn = append(s.ex.withdrawn, 0) // xi's word of withdrawn bits
	}
	if s.dp != nil {
		s.dp.execParams = append(s.dp.execParams, params)
	}
	s.setAdd(&p.executing, xi)
	p.latest = xi
	a.active++
	s.res.Executions.Started++
	s.schedule(now, p.timeout, evTimeout, xi, 0, 0)
	if token != "" {
		s.rememberToken(now, token, xi)
	}
	s.advance(now, xi)
	return 0, xi
}

// allocSteps returns the offset of n pending steps: a run a finished
// execution gave back, reset, or new ones at the end.
func (s *Sim) allocSteps(n int) int32 {
	if n < len(s.ex.freeSteps) {
		if free := s.ex.freeSteps[n]; len(free) > 0 {
			off := free[len(free)-1]
			s.ex.freeSteps[n] = free[:len(free)-1]
			for i := range n {
				*s.ex.steps.At(int(off) + i) = stepRec{}
			}
			return off
		}
	}
	off := int32(s.ex.steps.Len())
	for range n {
		s.ex.steps.Append(stepRec{})
	}
	return off
}

// freedSteps marks an execution whose steps were given back: offset + i
// stays negative for any step index i, so a read of a freed run panics in
// chunked.At instead of reading another execution's steps.
const freedSteps = math.MinInt32

// freeSteps gives back the out-of-line steps of execution x, which just
// became final (Succeeded or Stopped): nothing reads them again.
func (s *Sim) freeSteps(x *execution) {
	if !x.outOfLine {
		return
	}
	n := len(s.ex.pipes[x.pipeline].steps)
	if n >= len(s.ex.freeSteps) {
		s.ex.freeSteps = append(s.ex.freeSteps, make([][]int32, n+1-len(s.ex.freeSteps))...)
	}
	s.ex.freeSteps[n] = append(s.ex.freeSteps[n], x.stepsAt())
	x.setStepsAt(freedSteps)
}

// advance requests the steps of execution xi that are ready, up to the
// pipeline's parallelism, and completes the execution when no step is left.
func (s *Sim) advance(now Time, xi int32) {
	x := s.exec(xi)
	p := &s.ex.pipes[x.pipeline]
	done := true
	for i := range p.steps {
		if x.status != execExecuting {
			return
		}
		st := s.step(x, i)
		if !st.state.done() {
			done = false
		}
		if st.state != stepPending || x.running+x.queued >= p.maxPar {
			continue
		}
		ready := true
		for _, d := range p.steps[i].deps {
			if !s.step(x, int(d)).state.done() {
				ready = false
				break
			}
		}
		if ready {
			s.requestStep(now, xi, i)
		}
	}
	if done && x.status == execExecuting {
		s.finish(xi, execSucceeded)
	}
}

// requestStep starts step si of execution xi: at once when it needs no
// instances, else through its owner's pool.
func (s *Sim) requestStep(now Time, xi int32, si int) {
	x := s.exec(xi)
	def := &s.ex.pipes[x.pipeline].steps[si]
	if def.pool < 0 {
		s.step(x, si).state = stepRunning
		x.running++
		s.runStep(now, xi, si)
		return
	}
	p := &s.ex.pools[def.pool]
	switch {
	case p.capacity != Unlimited && def.count > p.capacity:
		s.res.Steps.NeverStartable++
		s.res.Steps.ResourceLimit++
		s.failStep(now, xi, si, exceptionResourceLimit)
	case p.capacity == Unlimited:
		s.grant(now, xi, si, def.pool, now)
	case !s.ex.accts[p.account].queue:
		if p.free >= def.count {
			s.grant(now, xi, si, def.pool, now)
		} else {
			s.res.Steps.ResourceLimit++
			s.failStep(now, xi, si, exceptionResourceLimit)
		}
	default:
		s.dropStale(p)
		if p.fifo.Len() == 0 && p.free >= def.count {
			s.grant(now, xi, si, def.pool, now)
			return
		}
		s.step(x, si).state = stepQueued
		x.queued++
		p.fifo.Push(request{exec: xi, step: int16(si), epoch: x.epoch, at: now})
		s.setWithdrawn(xi, false)
	}
}

const (
	exceptionResourceLimit = "SageMaker.RESOURCE_LIMIT"
	exceptionInternal      = "SageMaker.JOB_INTERNAL_ERROR"
)

// setWithdrawn sets or clears execution xi's bit in execState.withdrawn.
func (s *Sim) setWithdrawn(xi int32, on bool) {
	bit := uint64(1) << (xi & 63)
	if on {
		s.ex.withdrawn[xi>>6] |= bit
	} else {
		s.ex.withdrawn[xi>>6] &^= bit
	}
}

// stale reports whether a queued request was withdrawn (its execution was
// stopped or failed since).
func (s *Sim) stale(r *request) bool {
	if s.ex.withdrawn[r.exec>>6]>>(r.exec&63)&1 != 0 {
		return true
	}
	x := s.exec(r.exec)
	return x.epoch != r.epoch || x.status != execExecuting || s.step(x, int(r.step)).state != stepQueued
}

// dropStale pops withdrawn requests from the head of p's FIFO.
func (s *Sim) dropStale(p *pool) {
	for p.fifo.Len() > 0 && s.stale(p.fifo.Front()) {
		p.fifo.PopFront()
	}
}

// grantHeads gives p's free instances to the head of its FIFO, strictly in
// order: a head needing more than is free blocks those behind it.
func (s *Sim) grantHeads(now Time, pi int32) {
	p := &s.ex.pools[pi]
	for {
		s.dropStale(p)
		if p.fifo.Len() == 0 {
			return
		}
		r := *p.fifo.Front()
		x := s.exec(r.exec)
		if p.capacity != Unlimited && p.free < s.ex.pipes[x.pipeline].steps[r.step].count {
			return
		}
		p.fifo.PopFront()
		s.exec(r.exec).queued--
		s.grant(now, r.exec, int(r.step), pi, r.at)
		p = &s.ex.pools[pi]
	}
}

// grant gives step si of execution xi its instances from pool pi (the
// request was made at reqAt) and schedules the step's end.
func (s *Sim) grant(now Time, xi int32, si int, pi int32, reqAt Time) {
	x := s.exec(xi)
	def := &s.ex.pipes[x.pipeline].steps[si]
	p := &s.ex.pools[pi]
	if p.capacity != Unlimited {
		p.free -= def.count
	}
	s.res.Steps.Granted++
	s.res.Steps.Waits.Add(now - reqAt)
	h := hold{exec: xi, step: int16(si), pool: pi, count: int32(def.count), at: now,
		row: s.ledgerRow(x, pi, def.price), next: x.holds}
	row := &s.ex.ledger[h.row]
	row.Grants++
	row.WaitNs += int64(now - reqAt)
	var hi int32
	if n := len(s.ex.freeHolds); n > 0 {
		hi = s.ex.freeHolds[n-1]
		s.ex.freeHolds = s.ex.freeHolds[:n-1]
		s.ex.holds[hi] = h
	} else {
		hi = int32(len(s.ex.holds))
		s.ex.holds = append(s.ex.holds, h)
	}
	x.holds = hi
	s.step(x, si).state = stepRunning
	x.running++
	s.runStep(now, xi, si)
}

// ledgerRow returns the ledger row of execution x's current initiator on
// pool pi at price (the step's component's).
func (s *Sim) ledgerRow(x *execution, pi int32, price float64) int32 {
	a := s.attribution(x)
	k := ledgerKey{initiator: a.initiator, pipeline: model.PipelineID(x.pipeline), share: a.share, pool: pi, price: price}
	slot, r := s.ex.ledgerIdx.find(k)
	if r >= 0 {
		return r
	}
	p := &s.ex.pools[pi]
	r = int32(len(s.ex.ledger))
	s.ex.ledger = append(s.ex.ledger, LedgerRow{Payer: s.w.PipelineOwner(k.pipeline), Initiator: k.initiator,
		Pipeline: k.pipeline, Share: k.share, InstanceType: p.instType, USDPerHour: price,
		Buckets: make([]int64, SeriesBuckets)})
	s.ex.ledgerIdx.add(slot, k, r)
	return r
}

// index maps a key to its row, the order in which it was added: an
// open-addressing table hashed by a multiply of the key's packed IDs.
// Every instance grant asks one for its ledger row (a Go map hashes the
// 24-byte ledgerKey field by field, float included), every Start one for
// its attribution.
type index[K interface {
	comparable
	hash() uint64 // mixes the key's fields into a slot number's bits
}] struct {
	slots []int32 // row+1 of the key hashed there (linear probing), 0 for none
	keys  []K     // the key of each row
}

func (k ledgerKey) hash() uint64 {
	h := uint64(uint32(k.initiator))<<32 | uint64(uint32(k.pipeline))
	h ^= (uint64(uint32(k.share))<<32 | uint64(uint32(k.pool))) * 0xbf58476d1ce4e5b9
	if k.price != 0 { // -0 == 0, as for a map key
		h ^= math.Float64bits(k.price) * 0x94d049bb133111eb
	}
	h *= gamma
	return h ^ h>>29
}

// find returns k's row, or -1 and the empty slot where add puts it.
func (t *index[K]) find(k K) (slot int, row int32) {
	if len(t.slots) == 0 {
		return 0, -1
	}
	mask := len(t.slots) - 1
	for i := int(k.hash()) & mask; ; i = (i + 1) & mask {
		r := t.slots[i] - 1
		if r < 0 {
			return i, -1
		}
		if t.keys[r] == k {
			return i, r
		}
	}
}

// add maps k, which find did not hold, to row (the next row: len(keys)) at
// the slot find returned, growing the table to keep it at most half full.
func (t *index[K]) add(slot int, k K, row int32) {
	t.keys = append(t.keys, k)
	if 2*len(t.keys) <= len(t.slots) {
		t.slots[slot] = row + 1
		return
	}
	n := 64
	for n < 4*len(t.keys) {
		n *= 2
	}
	t.slots = make([]int32, n)
	mask := len(t.slots) - 1
	for r := range t.keys {
		i := int(t.keys[r].hash()) & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = int32(r) + 1
	}
}

// endHold bills hold hi up to now, unlinks it from its execution, frees it
// and releases its instances to the pool's FIFO.
func (s *Sim) endHold(now Time, hi int32) {
	h := s.ex.holds[hi]
	row := &s.ex.ledger[h.row]
	row.InstanceNs += int64(h.count) * int64(now-h.at)
	s.res.Series.spread(row.Buckets, h.at, now, int64(h.count))
	x := s.exec(h.exec)
	if x.holds == hi {
		x.holds = h.next
	} else {
		for j := x.holds; j >= 0; j = s.ex.holds[j].next {
			if s.ex.holds[j].next == hi {
				s.ex.holds[j].next = h.next
				break
			}
		}
	}
	s.ex.holds[hi].exec = -1 // free
	s.ex.freeHolds = append(s.ex.freeHolds, hi)
	p := &s.ex.pools[h.pool]
	if p.capacity != Unlimited {
		p.free += int(h.count)
	}
	s.grantHeads(now, h.pool)
}

// stepEnd ends step si of execution xi naturally: release its instances
// (granting them to the FIFO head), draw the failure, then go on.
func (s *Sim) stepEnd(now Time, xi int32, si int, epoch uint16) {
	x := s.exec(xi)
	if x.epoch != epoch || s.step(x, si).state != stepRunning {
		return
	}
	for hi := x.holds; hi >= 0; hi = s.ex.holds[hi].next {
		if s.ex.holds[hi].step == int16(si) {
			s.endHold(now, hi)
			break
		}
	}
	x = s.exec(xi)
	x.running--
	s.res.Steps.Completed++
	def := &s.ex.pipes[x.pipeline].steps[si]
	failed := x.rng.Float64() < def.failRate
	st := s.step(x, si)
	switch {
	case x.status == execStopping:
		st.state = stepSucceeded
		if failed {
			st.state = stepFailed
		}
	case failed:
		s.failStep(now, xi, si, def.exception)
	case def.isFail:
		st.state = stepFailed
		s.failExecution(now, xi)
	default:
		st.state = stepSucceeded
		if def.branch != nil {
			s.takeBranch(x, def.branch)
		}
		s.advance(now, xi)
	}
}

// failStep applies step si's retry policy to exception exc, or fails the
// execution when no retry is left.
func (s *Sim) failStep(now Time, xi int32, si int, exc string) {
	x := s.exec(xi)
	st := s.step(x, si)
	for _, rp := range s.ex.pipes[x.pipeline].steps[si].retry {
		if int(st.attempts) >= rp.MaxAttempts || !matchesException(rp.Exceptions, exc) {
			continue
		}
		st.attempts++
		st.state = stepRetryWait
		x.queued++
		delay := float64(rp.Interval) * math.Pow(rp.Backoff, float64(st.attempts-1))
		s.schedule(now, Time(min(delay, float64(Never))), evStepRetry, xi, int32(si), int32(x.epoch))
		return
	}
	st.state = stepFailed
	if exc == exceptionResourceLimit {
		s.res.Executions.FailedCapacity++
	}
	s.failExecution(now, xi)
}

func matchesException(list []string, exc string) bool {
	for _, e := range list {
		if e == exc {
			return true
		}
	}
	return false
}

// stepRetry re-requests a step after its retry interval.
func (s *Sim) stepRetry(now Time, xi int32, si int, epoch uint16) {
	x := s.exec(xi)
	if x.epoch != epoch || x.status != execExecuting {
		return
	}
	st := s.step(x, si)
	if st.state != stepRetryWait {
		return
	}
	x.queued--
	st.state = stepPending
	s.requestStep(now, xi, si)
}

// cut ends every running step of execution xi now (billing them up to now)
// and withdraws its queued requests; steps not finished go back to pending.
func (s *Sim) cut(now Time, xi int32) {
	x := s.exec(xi)
	x.epoch++ // pending step ends, retries and queued requests become stale
	s.setWithdrawn(xi, true)
	for x.holds >= 0 {
		s.endHold(now, x.holds)
		x = s.exec(xi)
	}
	p := &s.ex.pipes[x.pipeline]
	for i := range p.steps {
		switch st := s.step(x, i); st.state {
		case stepRunning, stepQueued, stepRetryWait:
			st.state = stepPending
		}
	}
	x.running, x.queued = 0, 0
}

// failExecution fails execution xi: its other running steps are cut.
func (s *Sim) failExecution(now Time, xi int32) {
	s.cut(now, xi)
	x := s.exec(xi)
	p := &s.ex.pipes[x.pipeline]
	s.setRemove(&p.executing, xi)
	s.setAdd(&p.failed, xi)
	x.status = execFailed
	s.ex.accts[p.owner].active--
	s.res.Executions.Failed++
}

// finish ends an execution with a final status.
func (s *Sim) finish(xi int32, st execStatus) {
	x := s.exec(xi)
	p := &s.ex.pipes[x.pipeline]
	if x.status == execExecuting {
		s.setRemove(&p.executing, xi)
	}
	x.status = st
	s.freeSteps(x)
	s.ex.accts[p.owner].active--
	switch st {
	case execSucceeded:
		s.res.Executions.Succeeded++
	case execStopped:
		s.res.Executions.Stopped++
	}
}

// stopExecution stops a uniformly picked Executing execution of pl: the
// effect of an allowed generated StopPipelineExecution.
func (s *Sim) stopExecution(now Time, pl model.PipelineID, pick uint64) (model.Reason, int32) {
	p := &s.ex.pipes[pl]
	if len(p.executing) == 0 {
		return model.ReasonNotFound, -1
	}
	xi := p.executing[mulHigh(pick, len(p.executing))]
	return s.stop(now, xi), xi
}

// stop stops execution xi: Stopping, then Stopped after the pipeline's
// stop latency. An execution that is not Executing is a conflict.
func (s *Sim) stop(now Time, xi int32) model.Reason {
	x := s.exec(xi)
	if x.status != execExecuting {
		return model.ReasonConflict
	}
	p := &s.ex.pipes[x.pipeline]
	s.setRemove(&p.executing, xi)
	x.status = execStopping
	if p.stopLatency == 0 {
		s.stopDone(now, xi, x.epoch)
	} else {
		s.schedule(now, p.stopLatency, evStopDone, xi, 0, int32(x.epoch))
	}
	return 0
}

// stopDone cuts a Stopping execution's running steps: it is Stopped.
func (s *Sim) stopDone(now Time, xi int32, epoch uint16) {
	x := s.exec(xi)
	if x.epoch != epoch || x.status != execStopping {
		return
	}
	s.cut(now, xi)
	s.finish(xi, execStopped)
}

// retryExecution retries a uniformly picked Failed execution of pl for
// caller: the effect of an allowed generated RetryPipelineExecution.
func (s *Sim) retryExecution(now Time, caller model.PrincipalID, share model.ShareID, pl model.PipelineID, pick uint64) (model.Reason, int32) {
	p := &s.ex.pipes[pl]
	if len(p.failed) == 0 {
		return model.ReasonNotFound, -1
	}
	xi := p.failed[mulHigh(pick, len(p.failed))]
	return s.retry(now, caller, share, xi), xi
}

// retry takes Failed execution xi back to Executing for caller: it re-runs
// the failed and not-yet-run steps, billed to caller. An execution that is
// not Failed is a conflict.
func (s *Sim) retry(now Time, caller model.PrincipalID, share model.ShareID, xi int32) model.Reason {
	x := s.exec(xi)
	if x.status != execFailed {
		return model.ReasonConflict
	}
	p := &s.ex.pipes[x.pipeline]
	a := &s.ex.accts[p.owner]
	if a.limit != Unlimited && a.active >= a.limit {
		return model.ReasonLimitExceeded
	}
	s.setRemove(&p.failed, xi)
	s.setAdd(&p.executing, xi)
	x.status = execExecuting
	x.attr = s.attr(caller, share)
	x.epoch++
	for i := range p.steps {
		if st := s.step(x, i); !st.state.done() {
			st.state = stepPending
		}
	}
	a.active++
	s.res.Executions.Retried++
	s.schedule(now, p.timeout, evTimeout, xi, 0, int32(x.epoch))
	s.advance(now, xi)
	return 0
}

// timeout fails an execution still Executing since the Start or Retry
// that scheduled it (any stop, failure or retry since changed its epoch).
func (s *Sim) timeout(now Time, xi int32, epoch uint16) {
	x := s.exec(xi)
	if x.epoch != epoch || x.status != execExecuting {
		return
	}
	s.res.Executions.TimedOut++
	s.failExecution(now, xi)
}

// throttled applies the caller account's api_rate token bucket.
func (s *Sim) throttled(now Time, acct int32) bool {
	a := &s.ex.accts[acct]
	if a.ratePerNs == 0 {
		return false
	}
	a.tokens = min(a.burst, a.tokens+float64(now-a.last)*a.ratePerNs)
	a.last = now
	if a.tokens < 1 {
		return true
	}
	a.tokens--
	return false
}

// finishRun bills the holds still running at the horizon (in flight) and
// counts the executions in each state.
func (s *Sim) finishRun(end Time) {
	for hi := range s.ex.holds {
		h := &s.ex.holds[hi]
		if h.exec < 0 {
			continue
		}
		ns := int64(h.count) * int64(end-h.at)
		row := &s.ex.ledger[h.row]
		row.InstanceNs += ns
		row.InFlightNs += ns
		s.res.Series.spread(row.Buckets, h.at, end, int64(h.count))
	}
	e := &s.res.Executions
	for i := range s.ex.execs.Len() {
		x := s.ex.execs.At(i)
		switch x.status {
		case execFailed:
			e.FailedAtEnd++
		case execExecuting, execStopping:
			if x.running > 0 {
				e.RunningAtEnd++
			} else {
				e.WaitingAtEnd++
			}
		}
	}
}
