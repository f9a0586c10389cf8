// Command w1-baseline runs workload W1 (see ../README.md) with a minimal,
// hand-written event loop: one binary heap (container/heap) of timed events,
// no simulation library. It approximates the "physical limit" of a
// straightforward single-threaded event loop on this machine.
package main

import (
	"container/heap"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

type status uint8

const (
	waiting status = iota
	holding
	failed
	succeeded
	stopped
)

type execution struct {
	pipe    int32
	status  status
	step    int32
	runIdx  int32
	failIdx int32
	reqT    float64
	holdT   float64
	end     *event // pending step-end event while holding
}

type evKind uint8

const (
	evCall evKind = iota
	evStepEnd
)

type event struct {
	t    float64
	seq  uint64
	kind evKind
	acct int32
	ex   *execution
	idx  int // position in the heap, for heap.Remove on stop
}

type eventHeap []*event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].t != h[j].t {
		return h[i].t < h[j].t
	}
	return h[i].seq < h[j].seq
}
func (h eventHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx = i
	h[j].idx = j
}
func (h *eventHeap) Push(x any) {
	e := x.(*event)
	e.idx = len(*h)
	*h = append(*h, e)
}
func (h *eventHeap) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	e.idx = -1
	return e
}

// fifo is a slice-backed queue with a moving head; stopped entries are
// skipped lazily when they reach the head (zero simulated time).
type fifo struct {
	buf  []*execution
	head int
}

func (q *fifo) push(x *execution) { q.buf = append(q.buf, x) }
func (q *fifo) pop() *execution {
	if q.head == len(q.buf) {
		return nil
	}
	x := q.buf[q.head]
	q.buf[q.head] = nil
	q.head++
	if q.head > 1024 && q.head*2 > len(q.buf) { // compact
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf = q.buf[:n]
		q.head = 0
	}
	return x
}

type params struct {
	P, A, C, S            int
	rate, meanHold, pFail float64
	price, T              float64
	seed                  uint64
}

type model struct {
	params
	rng     *rand.Rand
	now     float64
	seq     uint64
	events  eventHeap
	free    int
	queue   fifo
	running [][]*execution
	failedL [][]*execution

	calls                                [4]int64 // read, start, stop, retry
	stopNoop, retryNoop                  int64
	nSucceeded, nFailed, nStopped, nRetr int64
	granted, stepEnds, engineEvents      int64
	waitSum, instMin                     float64
}

func (m *model) schedule(e *event) {
	m.seq++
	e.seq = m.seq
	heap.Push(&m.events, e)
}

func (m *model) addRunning(x *execution) {
	l := m.running[x.pipe]
	x.runIdx = int32(len(l))
	m.running[x.pipe] = append(l, x)
}

func (m *model) removeRunning(x *execution) {
	l := m.running[x.pipe]
	last := l[len(l)-1]
	l[x.runIdx] = last
	last.runIdx = x.runIdx
	l[len(l)-1] = nil
	m.running[x.pipe] = l[:len(l)-1]
	x.runIdx = -1
}

func (m *model) addFailed(x *execution) {
	l := m.failedL[x.pipe]
	x.failIdx = int32(len(l))
	m.failedL[x.pipe] = append(l, x)
}

func (m *model) removeFailed(x *execution) {
	l := m.failedL[x.pipe]
	last := l[len(l)-1]
	l[x.failIdx] = last
	last.failIdx = x.failIdx
	l[len(l)-1] = nil
	m.failedL[x.pipe] = l[:len(l)-1]
	x.failIdx = -1
}

func (m *model) grant(x *execution) {
	m.free--
	m.granted++
	m.waitSum += m.now - x.reqT
	x.status = holding
	x.holdT = m.now
	e := &event{t: m.now + m.rng.ExpFloat64()*m.meanHold, kind: evStepEnd, ex: x}
	x.end = e
	m.schedule(e)
}

func (m *model) request(x *execution) {
	x.status = waiting
	x.reqT = m.now
	if m.free > 0 { // free > 0 implies the queue holds no live entry
		m.grant(x)
		return
	}
	m.queue.push(x)
}

func (m *model) release() {
	m.free++
	for {
		x := m.queue.pop()
		if x == nil {
			return
		}
		if x.status == stopped {
			continue
		}
		m.grant(x)
		return
	}
}

func (m *model) call(acct int32) {
	m.schedule(&event{t: m.now + m.rng.ExpFloat64()/m.rate, kind: evCall, acct: acct})
	pipe := int32(m.rng.IntN(m.P))
	u := m.rng.Float64()
	switch {
	case u < 0.70:
		m.calls[0]++
	case u < 0.90:
		m.calls[1]++
		x := &execution{pipe: pipe}
		m.addRunning(x)
		m.request(x)
	case u < 0.95:
		m.calls[2]++
		l := m.running[pipe]
		if len(l) == 0 {
			m.stopNoop++
			return
		}
		x := l[m.rng.IntN(len(l))]
		m.removeRunning(x)
		m.nStopped++
		if x.status == holding {
			heap.Remove(&m.events, x.end.idx)
			x.end = nil
			m.instMin += m.now - x.holdT
			x.status = stopped
			m.release()
		} else {
			x.status = stopped // left in the FIFO, skipped when it reaches the head
		}
	default:
		m.calls[3]++
		l := m.failedL[pipe]
		if len(l) == 0 {
			m.retryNoop++
			return
		}
		x := l[m.rng.IntN(len(l))]
		m.removeFailed(x)
		m.nRetr++
		m.addRunning(x)
		m.request(x) // re-runs the failed step
	}
}

func (m *model) stepEnd(x *execution) {
	x.end = nil
	m.instMin += m.now - x.holdT
	m.stepEnds++
	m.release() // the head of the FIFO gets the instance before x re-requests
	if m.rng.Float64() < m.pFail {
		x.status = failed
		m.removeRunning(x)
		m.addFailed(x)
		m.nFailed++
		return
	}
	if int(x.step) == m.S-1 {
		x.status = succeeded
		m.removeRunning(x)
		m.nSucceeded++
		return
	}
	x.step++
	m.request(x)
}

func (m *model) run() {
	for a := 0; a < m.A; a++ {
		m.schedule(&event{t: m.rng.ExpFloat64() / m.rate, kind: evCall, acct: int32(a)})
	}
	for len(m.events) > 0 && m.events[0].t <= m.T {
		e := heap.Pop(&m.events).(*event)
		m.now = e.t
		m.engineEvents++
		switch e.kind {
		case evCall:
			m.call(e.acct)
		case evStepEnd:
			m.stepEnd(e.ex)
		}
	}
}

func main() {
	var p params
	var days float64
	flag.IntVar(&p.A, "accounts", 50, "consumer accounts")
	flag.IntVar(&p.P, "pipelines", 20, "pipelines")
	flag.IntVar(&p.C, "instances", 100, "instances in the owner's pool")
	flag.IntVar(&p.S, "steps", 4, "steps per execution")
	flag.Float64Var(&p.rate, "rate", 1.0, "calls per minute per account")
	flag.Float64Var(&p.meanHold, "mean-hold", 10.0, "mean step hold time, minutes")
	flag.Float64Var(&p.pFail, "p-fail", 0.02, "step failure probability")
	flag.Float64Var(&p.price, "price", 0.01, "dollars per instance-minute")
	flag.Float64Var(&days, "days", 30, "simulated days")
	flag.Uint64Var(&p.seed, "seed", 1, "random seed")
	flag.Parse()
	p.T = days * 24 * 60

	m := &model{
		params:  p,
		rng:     rand.New(rand.NewPCG(p.seed, 0x5717)),
		free:    p.C,
		running: make([][]*execution, p.P),
		failedL: make([][]*execution, p.P),
	}
	t0 := time.Now()
	m.run()
	wall := time.Since(t0).Seconds()

	var waitingN, holdingN, failedN int
	for _, l := range m.running {
		for _, x := range l {
			if x.status == holding {
				holdingN++
				m.instMin += m.T - x.holdT // bill running holds up to T
			} else {
				waitingN++
			}
		}
	}
	for _, l := range m.failedL {
		failedN += len(l)
	}
	callsTotal := m.calls[0] + m.calls[1] + m.calls[2] + m.calls[3]
	meanWait := 0.0
	if m.granted > 0 {
		meanWait = m.waitSum / float64(m.granted)
	}
	var b strings.Builder
	kv := func(k string, v any) { fmt.Fprintf(&b, "%s=%v\n", k, v) }
	kv("impl", "go-baseline-container/heap")
	kv("accounts", p.A)
	kv("seed", p.seed)
	kv("T_min", int64(p.T))
	kv("calls_total", callsTotal)
	kv("calls_read", m.calls[0])
	kv("calls_start", m.calls[1])
	kv("calls_stop", m.calls[2])
	kv("calls_retry", m.calls[3])
	kv("stop_noop", m.stopNoop)
	kv("retry_noop", m.retryNoop)
	kv("exec_started", m.calls[1])
	kv("exec_succeeded", m.nSucceeded)
	kv("exec_failed", m.nFailed)
	kv("exec_stopped", m.nStopped)
	kv("exec_retried", m.nRetr)
	kv("inflight_waiting_at_T", waitingN)
	kv("inflight_holding_at_T", holdingN)
	kv("failed_at_T", failedN)
	kv("steps_granted", m.granted)
	kv("step_ends", m.stepEnds)
	kv("instance_minutes", fmt.Sprintf("%.1f", m.instMin))
	kv("cost_usd", fmt.Sprintf("%.2f", m.instMin*p.price))
	kv("mean_step_wait_min", fmt.Sprintf("%.1f", meanWait))
	kv("model_events", callsTotal+m.stepEnds)
	kv("engine_events", m.engineEvents)
	kv("sim_wall_s", fmt.Sprintf("%.3f", wall))
	os.Stdout.WriteString(b.String())
}
