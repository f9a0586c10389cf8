package sim

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
	"unsafe"

	"github.com/pipeshare/pipeshare/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const hour = Time(time.Hour)

func ref(s string) model.Ref { return model.Ref{S: s} }

// testWorld: owner 111… shares pipeline "train" (extended) with 222… and
// 333…, both in the organization; 333… has a consumer role.
func testWorld(t *testing.T, events ...model.EventConfig) *model.World {
	t.Helper()
	cfg := &model.Config{
		Region:        "us-east-1",
		StartUnixNano: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC).UnixNano(),
		Org: &model.OrgConfig{ID: "o-test000000", Management: ref("111111111111"), RAMSharing: true,
			Units: []model.UnitConfig{{Path: ref("/prod"), FullAccess: true}}},
		Accounts: []model.AccountConfig{
			{ID: ref("111111111111"), OU: ref("/prod"), FullAccess: true},
			{ID: ref("222222222222"), OU: ref("/prod"), FullAccess: true},
			{ID: ref("333333333333"), OU: ref("/prod"), FullAccess: true, Principals: []model.PrincipalConfig{
				{Name: ref("role/DS"), Policies: []model.Ref{ref("consumer")}}}},
		},
		Policies: []model.PolicyDoc{{Name: "consumer", Statements: []model.StatementDoc{{
			Effect: ref("Allow"), Action: []model.Ref{ref("sagemaker:*")}, Resource: []model.Ref{ref("*")}}}}},
		Pipelines: []model.PipelineConfig{{Name: ref("train"), Account: ref("111111111111")},
			{Name: ref("eval"), Account: ref("111111111111")}},
		Shares: []model.ShareConfig{{Name: ref("s"), Owner: ref("111111111111"),
			Pipelines:  []model.Ref{ref("train"), ref("eval")},
			Principals: []model.Ref{ref("222222222222"), ref("333333333333")},
			Permission: model.PermissionExtended, AllowExternal: true, InvitationTTL: 12 * hour}},
		Events: events,
	}
	w, errs := model.NewWorld(cfg)
	require.NotNil(t, w, "%v", errs)
	return w
}

func runSim(t *testing.T, w *model.World, cfg *Config) *Result {
	t.Helper()
	s, errs := New(w, cfg)
	require.Nil(t, errs)
	return s.Run()
}

func total(c *Counts) (n int64) {
	for a := range c {
		for r := range c[a] {
			n += c[a][r]
		}
	}
	return n
}

func every(callers []string, d, from, to Time, weights ...ActionWeight) Workload {
	var refs []model.Ref
	for _, c := range callers {
		refs = append(refs, ref(c))
	}
	if weights == nil {
		weights = []ActionWeight{{model.DescribePipeline, 1}}
	}
	return Workload{Name: "w", Callers: refs, Targets: []model.Ref{ref("train")},
		Arrival: Arrival{Kind: ArrivalEvery, Every: d}, Actions: weights, From: from, To: to}
}

func TestEveryIsClosedOnBothEnds(t *testing.T) {
	w := testWorld(t)
	res := runSim(t, w, &Config{Seed: 1, Duration: 10 * hour,
		Workload: []Workload{every([]string{"222222222222"}, hour, 2*hour, 4*hour)}})
	require.Len(t, res.Calls, 1)
	// 2h, 3h and 4h.
	assert.Equal(t, int64(3), res.Calls[0][model.DescribePipeline][model.ReasonShared])
}

func TestHorizonIncludesItsInstant(t *testing.T) {
	w := testWorld(t)
	res := runSim(t, w, &Config{Seed: 1, Duration: 5 * hour,
		Workload: []Workload{every([]string{"222222222222"}, hour, 0, 100*hour)}})
	assert.Equal(t, int64(6), total(&res.Calls[0]), "0h..5h inclusive")
}

func TestAtArrivals(t *testing.T) {
	w := testWorld(t)
	wl := every([]string{"222222222222", "333333333333/role/DS"}, 0, 0, 10*hour)
	wl.Arrival = Arrival{Kind: ArrivalAt, At: []Time{0, Time(30 * time.Minute), 9 * hour, 11 * hour}}
	res := runSim(t, w, &Config{Seed: 1, Duration: 20 * hour, Workload: []Workload{wl}})
	require.Len(t, res.Calls, 2)
	for i := range res.Calls {
		assert.Equal(t, int64(3), total(&res.Calls[i]), "11h is outside between")
	}
}

func TestTimelineAppliesBeforeCallsAtTheSameInstant(t *testing.T) {
	w := testWorld(t, model.EventConfig{At: 5 * hour, Kind: model.EventSetPermission, Share: ref("s"),
		Permission: model.PermissionReadOnly})
	res := runSim(t, w, &Config{Seed: 1, Duration: 10 * hour, Workload: []Workload{
		every([]string{"222222222222"}, hour, 0, 10*hour, ActionWeight{model.StartPipelineExecution, 1})}})
	c := res.Calls[0][model.StartPipelineExecution]
	// The association is in force at 0 (no delay here): 0h..4h allowed; the
	// downgrade at 5h applies before the call at 5h.
	assert.Equal(t, int64(5), c[model.ReasonShared])
	assert.Equal(t, int64(6), c[model.ReasonActionNotPermitted])
}

func TestPoissonRate(t *testing.T) {
	w := testWorld(t)
	wl := every([]string{"222222222222"}, 0, 0, 1000*hour,
		ActionWeight{model.DescribePipeline, 3}, ActionWeight{model.StartPipelineExecution, 1})
	wl.Arrival = Arrival{Kind: ArrivalRate, PerNs: 6.0 / float64(hour)} // 6/h
	res := runSim(t, w, &Config{Seed: 7, Duration: 1000 * hour, Workload: []Workload{wl}})
	n := float64(total(&res.Calls[0]))
	assert.InDelta(t, 6000, n, 4*math.Sqrt(6000), "Poisson count")
	starts := float64(res.Calls[0][model.StartPipelineExecution][model.ReasonShared])
	assert.InDelta(t, 0.25, starts/n, 4*math.Sqrt(0.25*0.75/n), "action weights are normalised")
}

func TestDeterministicAndCommonRandomNumbers(t *testing.T) {
	wl := every([]string{"222222222222", "333333333333/role/DS"}, 0, 0, 100*hour,
		ActionWeight{model.DescribePipeline, 1}, ActionWeight{model.StopPipelineExecution, 1})
	wl.Targets = []model.Ref{ref("train"), ref("eval")}
	wl.Arrival = Arrival{Kind: ArrivalRate, PerNs: 2.0 / float64(hour)}
	a := runSim(t, testWorld(t), &Config{Seed: 3, Duration: 100 * hour, Workload: []Workload{wl}})
	b := runSim(t, testWorld(t), &Config{Seed: 3, Duration: 100 * hour, Workload: []Workload{wl}})
	assert.Equal(t, a.Calls, b.Calls, "same seed, same counts")

	other := wl
	other.Name = "other"
	c := runSim(t, testWorld(t), &Config{Seed: 3, Duration: 100 * hour, Workload: []Workload{other, wl}})
	// Adding an entry shifts no other entry's draws: the callers of wl
	// appear in c after other's (same principals, so slots are shared);
	// compare through a run of other alone.
	d := runSim(t, testWorld(t), &Config{Seed: 3, Duration: 100 * hour, Workload: []Workload{other}})
	for i := range c.Calls {
		for act := range c.Calls[i] {
			for r := range c.Calls[i][act] {
				assert.Equal(t, a.Calls[i][act][r]+d.Calls[i][act][r], c.Calls[i][act][r])
			}
		}
	}
	e := runSim(t, testWorld(t), &Config{Seed: 4, Duration: 100 * hour, Workload: []Workload{wl}})
	assert.NotEqual(t, a.Calls, e.Calls, "another seed, other draws")
}

func TestNewReportsUnknownReferences(t *testing.T) {
	w := testWorld(t)
	wl := every([]string{"999999999999", "group:nope"}, hour, 0, hour)
	wl.Targets = []model.Ref{{S: "missing", Pos: model.Pos{File: "f.yaml", Line: 9, Col: 3}}}
	_, errs := New(w, &Config{Duration: hour, Workload: []Workload{wl}})
	require.Len(t, errs, 3)
	assert.Equal(t, `f.yaml:9:3: unknown pipeline "missing"`, errs[0].Error())
}

// BenchmarkCall measures one simulated call end to end (the engine pop, the
// four draws, the fast-path decision, the counters and the next arrival) on
// W1's organization: "read" makes only DescribePipeline calls (nothing is
// stored: 0 allocs/op), "w1" is W1's whole event loop, one event of any
// kind per op (as Run handles it), with executions, instance pools and the
// ledger.
func BenchmarkCall(b *testing.B) {
	for _, mix := range []string{"read", "w1"} {
		b.Run(mix, func(b *testing.B) {
			w, cfg := w1(b, 50)
			cfg.Duration = Never - 1
			cfg.Workload[0].To = Never - 1
			if mix == "read" {
				cfg.Workload[0].Actions = []ActionWeight{{model.DescribePipeline, 1}}
			}
			s, errs := New(w, cfg)
			if s == nil {
				b.Fatal(errs)
			}
			s.start()
			b.ReportAllocs()
			for b.Loop() {
				e, ok := s.eng.Next()
				if !ok {
					b.Fatal("the run ended: the horizon is Never-1")
				}
				s.handle(e)
			}
		})
	}
}

// TestSeriesSpreadMatchesDivision: spread, which remembers the last bucket
// it found, splits random intervals (mostly in time order, some not) as
// per-interval division into buckets does.
func TestSeriesSpreadMatchesDivision(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	s := Series{Bucket: 1000}
	got := make([]int64, SeriesBuckets)
	want := make([]int64, SeriesBuckets)
	var now Time
	for range 5000 {
		now += Time(r.IntN(200))
		from := now - Time(r.IntN(3000))
		if r.IntN(20) == 0 {
			from = Time(r.IntN(int(now) + 1))
		}
		from = max(from, 0)
		to := now + Time(r.IntN(2))
		s.spread(got, from, to, 2)
		for x := from; x < to; x++ {
			want[min(int(x/1000), SeriesBuckets-1)] += 2
		}
	}
	require.Greater(t, now, Time(SeriesBuckets*1000), "the last bucket holds the rest")
	require.Equal(t, want, got)
}

// TestCallerStreamIsOneCacheLine: a call reads its stream and counts in
// it, one cache line.
func TestCallerStreamIsOneCacheLine(t *testing.T) {
	require.Equal(t, uintptr(64), unsafe.Sizeof(callerStream{}))
}
