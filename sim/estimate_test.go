package sim

import (
	"context"
	"testing"

	"github.com/pipeshare/pipeshare/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newSim(t *testing.T, cfg *Config) *Sim {
	t.Helper()
	s, errs := New(testWorld(t), cfg)
	require.Nil(t, errs)
	return s
}

// TestEstimate: the estimate is the rates × windows (or every/at counts)
// of every expanded caller, and a run makes about that many calls.
func TestEstimate(t *testing.T) {
	mix := []ActionWeight{{model.DescribePipeline, 3}, {model.StartPipelineExecution, 1}}
	rate := every([]string{"222222222222", "333333333333/role/DS"}, 0, 0, 10*hour, mix...)
	rate.Arrival = Arrival{Kind: ArrivalRate, PerNs: 100 / float64(hour)} // 100 an hour each
	at := every([]string{"222222222222"}, 0, 0, 10*hour)
	at.Name, at.Arrival = "at", Arrival{Kind: ArrivalAt, At: []Time{hour, 2 * hour, 11 * hour}}
	hourly := every([]string{"222222222222"}, hour, 2*hour, 20*hour) // 2h … 10h at the horizon
	hourly.Name = "hourly"
	s := newSim(t, &Config{Seed: 1, Duration: 10 * hour, Workload: []Workload{rate, at, hourly}})

	e := s.Estimate()
	assert.Equal(t, 2, e.Callers)
	assert.InDelta(t, 2*100*10+2+9, e.Calls, 1e-9)
	assert.InDelta(t, 2*100*10/4, e.Starts, 1e-9)
	res := s.Run()
	var n int64
	for i := range res.Calls {
		n += total(&res.Calls[i])
	}
	assert.InDelta(t, e.Calls, float64(n), 3*45, "a run makes about the estimate (±3σ of its Poisson part)")

	s.SetHorizon(hour)
	assert.InDelta(t, 2*100+1+0, s.Estimate().Calls, 1e-9, "the estimate follows the horizon")
}

// TestRunContextCancelled: a cancelled run stops and returns the context's
// error; an uncancelled one is Run's.
func TestRunContextCancelled(t *testing.T) {
	cfg := &Config{Seed: 1, Duration: 1000 * hour,
		Workload: []Workload{every([]string{"222222222222"}, Time(1e9), 0, 1000*hour)}} // 3.6M calls
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := newSim(t, cfg)
	res, err := s.RunContext(ctx)
	assert.Nil(t, res)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, s.CallsMade(), uint64(2*cancelEvery), "stopped at the first check")

	cfg.Duration = hour
	want := newSim(t, cfg).Run()
	got, err := newSim(t, cfg).RunContext(context.Background())
	require.NoError(t, err)
	assert.Equal(t, want.Calls, got.Calls)
}

// TestRunProgressEvery: the progress callback runs after every `every`
// events, alongside the context checks.
func TestRunProgressEvery(t *testing.T) {
	for _, n := range []uint64{1, 1000, cancelEvery, 3 * cancelEvery / 2} {
		s := newSim(t, &Config{Seed: 1, Duration: 100 * hour,
			Workload: []Workload{every([]string{"222222222222"}, Time(1e9), 0, 100*hour)}})
		var calls int
		s.OnProgress(n, func(Time, uint64) { calls++ })
		res, err := s.RunContext(context.Background())
		require.NoError(t, err)
		assert.Equal(t, int(res.Events/n), calls, "every %d", n)
	}
}
