package sim

import (
	"math"
	"math/bits"

	"github.com/pipeshare/pipeshare/model"
)

// ExecStats counts execution transitions (a twice-failed execution counts
// twice) and the executions in each state at the end of the run.
type ExecStats struct {
	Started, Succeeded, Failed, Stopped, Retried, TimedOut int64
	// At the end: Failed executions; Executing ones waiting for instances
	// (no step running, one queued) and running (at least one step running).
	FailedAtEnd, WaitingAtEnd, RunningAtEnd int64
	// FailedCapacity counts the failures (of Failed) whose step hit the
	// owner's instance quota (SageMaker.RESOURCE_LIMIT) with no retry left.
	FailedCapacity int64
}

// StepStats counts step requests and their waits for instances.
type StepStats struct {
	Granted   int64 // instance requests granted (steps without instances start at once and are not counted)
	Completed int64 // steps that ran to their natural end (succeeded or failed)
	// Waits holds grant − request of every granted request.
	Waits Histogram
	// ResourceLimit counts step attempts that failed with
	// SageMaker.RESOURCE_LIMIT (on_capacity: fail, or more than the quota).
	ResourceLimit int64
	// NeverStartable counts step attempts that need more instances than
	// the owner's quota allows.
	NeverStartable int64
}

// LedgerRow is the owner's consumption attributed to whoever triggered it.
type LedgerRow struct {
	Payer        model.AccountID   // the pipeline's owner
	Initiator    model.PrincipalID // the Start or Retry caller whose run this is
	Pipeline     model.PipelineID
	Share        model.ShareID // the lowest-named share that allowed the call; NoShare for the owner's own calls
	InstanceType string
	InstanceNs   int64   // instances × nanoseconds held (in-flight holds up to the horizon)
	InFlightNs   int64   // the part of InstanceNs still held at the horizon
	USDPerHour   float64 // the instance type's price for the steps' component
	// Buckets spreads InstanceNs over the run's time buckets (see Series).
	Buckets []int64
	// Grants and WaitNs are the row's instance requests granted and their
	// total wait: who waited for the owner's pool, and how long.
	Grants int64
	WaitNs int64
}

// SeriesBuckets is the number of equal time buckets of a run's series.
const SeriesBuckets = 120

// Series is a run's activity over time, in SeriesBuckets equal buckets of
// the horizon (the last one also holds events at the horizon itself).
type Series struct {
	Bucket Time // bucket width
	// Calls holds, per bucket, the calls allowed, denied and failed.
	Calls [SeriesBuckets][3]int64
	// last is the bucket spread found last, [lastFrom, lastTo): holds end
	// in time order, so most start in it and need no division.
	last             int
	lastFrom, lastTo Time
}

// bucket returns the series bucket of time t.
func (s *Series) bucket(t Time) int {
	if t >= s.lastFrom && t < s.lastTo {
		return s.last
	}
	i := int(min(t/s.Bucket, SeriesBuckets-1))
	s.last, s.lastFrom, s.lastTo = i, Time(i)*s.Bucket, Time(i+1)*s.Bucket
	if i == SeriesBuckets-1 {
		s.lastTo = Never
	}
	return i
}

// spread adds count × the part of [from, to) in each bucket to b.
func (s *Series) spread(b []int64, from, to Time, count int64) {
	for from < to {
		i := s.bucket(from)
		end := min(to, s.lastTo)
		b[i] += count * int64(end-from)
		from = end
	}
}

// NoShare marks a ledger row of the owner's own calls.
const NoShare = model.NoShare

const nsPerHour = 3600e9

// USD returns the row's cost.
func (r *LedgerRow) USD() float64 { return float64(r.InstanceNs) / nsPerHour * r.USDPerHour }

// InFlightUSD returns the cost of the row's holds still running at the horizon.
func (r *LedgerRow) InFlightUSD() float64 { return float64(r.InFlightNs) / nsPerHour * r.USDPerHour }

// Histogram is a fixed, mergeable log-bucket histogram of durations: bucket
// 0 holds zero waits, bucket i ≥ 1 holds [2^((i-1)/4), 2^(i/4)) ns, so
// quantiles are exact to within 19 %. Count and Sum are exact.
type Histogram struct {
	Count   int64
	Sum     float64 // ns
	Buckets [histBuckets]int64
}

const histBuckets = 4*64 + 1

// Add records d (negative d counts as 0).
func (h *Histogram) Add(d Time) {
	h.Count++
	if d <= 0 {
		h.Buckets[0]++
		return
	}
	h.Sum += float64(d)
	// The bucket is 1 + int(math.Log2(float64(d))*4) (histBucket), found
	// without the logarithm: from the quarter-octave below d's octave
	// (math.Log2 may round d just above a power of two down by one
	// bucket), up past each bucket floor that d reaches.
	i := max(1, 4*bits.Len64(uint64(d))-4)
	for uint64(d) >= histFloor[i+1] {
		i++
	}
	h.Buckets[i]++
}

// histBucket is the bucket of a positive duration d by its definition.
func histBucket(d Time) int {
	return min(1+int(math.Log2(float64(d))*4), histBuckets-1)
}

// histFloor[i] is the least positive duration whose histBucket is at least
// i, or math.MaxUint64 (above every duration) for a bucket no duration
// reaches. It is found by bisection (histBucket does not decrease as d
// grows) once, on the platform's own math.Log2, so Add gives the buckets
// of the definition.
var histFloor = func() (f [histBuckets + 1]uint64) {
	for i := range f {
		lo, hi := Time(1), Time(math.MaxInt64)
		if histBucket(hi) < i {
			f[i] = math.MaxUint64
			continue
		}
		for lo < hi {
			mid := lo + (hi-lo)/2
			if histBucket(mid) >= i {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		f[i] = uint64(lo)
	}
	return f
}()

// Merge adds o's observations to h.
func (h *Histogram) Merge(o *Histogram) {
	h.Count += o.Count
	h.Sum += o.Sum
	for i := range h.Buckets {
		h.Buckets[i] += o.Buckets[i]
	}
}

// Mean returns the mean in ns (0 when empty).
func (h *Histogram) Mean() float64 {
	if h.Count == 0 {
		return 0
	}
	return h.Sum / float64(h.Count)
}

// Quantile returns the q-quantile in ns: the upper bound of the bucket
// holding it (0 when empty or when it falls in the zero bucket).
func (h *Histogram) Quantile(q float64) float64 {
	if h.Count == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.Count)))
	var seen int64
	for i, n := range h.Buckets {
		seen += n
		if seen >= rank && n > 0 {
			if i == 0 {
				return 0
			}
			return math.Exp2(float64(i) / 4)
		}
	}
	return math.Exp2(float64(histBuckets-1) / 4)
}
