package model

import (
	"iter"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestTimelineAgreesWithExplain: over random scenarios, sampling a random
// time inside each interval of a timeline gives the interval's reason on a
// fresh World advanced to that time (the explain path).
func TestTimelineAgreesWithExplain(t *testing.T) {
	t.Parallel()
	checked := 0
	for rc := range randomWorlds(120, 30, 11) {
		r, cfg, w, pairs := rc.r, rc.cfg, rc.w, rc.pairs
		end := 60 * hour
		all := w.Changes(pairs, 0, end)
		for i, pr := range pairs {
			spans := all[i]
			require.NotEmpty(t, spans)
			require.Equal(t, Time(0), spans[0].From)
			require.Equal(t, end, spans[len(spans)-1].To)
			for k, s := range spans {
				require.Less(t, s.From, s.To)
				if k > 0 {
					require.Equal(t, spans[k-1].To, s.From)
					require.NotEqual(t, spans[k-1].Reasons, s.Reasons, "adjacent spans are merged")
				}
				for _, at := range []Time{s.From, s.To - 1, s.From + Time(r.Int64N(int64(s.To-s.From)))} {
					fresh, _ := NewWorld(cfg)
					fresh.AdvanceTo(at)
					a := Action(r.IntN(NumActions))
					ex := fresh.Explain(pr.Principal, pr.Pipeline, a, at)
					checked++
					if ex.Access() != s.Reasons[a] {
						t.Fatalf("seed %d: %s %s on %s at %s in [%s, %s): span says %s, Explain %s",
							rc.seed, w.CallerString(pr.Principal), a, w.PipelineName(pr.Pipeline), at, s.From, s.To,
							s.Reasons[a], ex.Access())
					}
				}
			}
		}
		// The single-action timeline projects and merges the same spans.
		fresh, _ := NewWorld(cfg)
		a := Action(r.IntN(NumActions))
		iv := fresh.Timeline(pairs[0].Principal, pairs[0].Pipeline, a, 0, end)
		for k := range iv {
			if k > 0 {
				require.NotEqual(t, iv[k-1].Reason, iv[k].Reason)
			}
			for _, s := range all[0] {
				if s.From >= iv[k].From && s.From < iv[k].To {
					require.Equal(t, iv[k].Reason, s.Reasons[a])
				}
			}
		}
	}
	require.Greater(t, checked, 1000)
	t.Logf("%d samples", checked)
}

// TestChangesSeqBlocks: walking the pairs a block at a time, putting the
// timeline back between blocks, yields what one walk over every pair
// returns, for any block size, from the start or from later on.
func TestChangesSeqBlocks(t *testing.T) {
	t.Parallel()
	worlds, withEvents := 0, 0
	for rc := range randomWorlds(60, 15, 12) {
		r, cfg, w, pairs := rc.r, rc.cfg, rc.w, rc.pairs
		worlds++
		if w.NumEvents() > 0 {
			withEvents++
		}
		from, to := Time(r.IntN(3))*12*hour, 60*hour
		want := w.Changes(pairs, from, to)
		for _, block := range []int{1, 3, len(pairs) + 1} {
			fresh, _ := NewWorld(cfg)
			seq := fresh.changesSeq(slices.Values(pairs), from, to, block)
			for range 2 { // the world is left at from: a second walk is the same
				i := 0
				for pr, spans := range seq {
					require.Equal(t, pairs[i], pr)
					require.Equal(t, want[i], spans, "seed %d, block %d, pair %d", rc.seed, block, i)
					i++
				}
				require.Len(t, pairs, i)
			}
		}
		// Stopping early stops the walk.
		fresh, _ := NewWorld(cfg)
		got := 0
		for range fresh.changesSeq(slices.Values(pairs), from, to, 2) {
			if got++; got == 3 {
				break
			}
		}
		require.Equal(t, min(3, len(pairs)), got)
	}
	require.Greater(t, withEvents, worlds/2, "most random scenarios have timeline events")
}

const hour = Time(time.Hour)

// randomWorld is one random scenario (randomConfig) that compiles, with
// every pair of its World.
type randomWorld struct {
	seed  uint64
	r     *rand.Rand
	cfg   *Config
	w     *World
	pairs []Pair
}

// randomWorlds yields the random scenarios of n seeds (short under -short)
// that compile, drawn from stream.
func randomWorlds(n, short int, stream uint64) iter.Seq[randomWorld] {
	if testing.Short() {
		n = short
	}
	return func(yield func(randomWorld) bool) {
		for seed := range uint64(n) {
			r := rand.New(rand.NewPCG(seed, stream))
			cfg := randomConfig(r)
			w, _ := NewWorld(cfg)
			if w == nil {
				continue
			}
			rc := randomWorld{seed: seed, r: r, cfg: cfg, w: w}
			for p := range PrincipalID(w.NumPrincipals()) {
				for pl := range PipelineID(w.NumPipelines()) {
					rc.pairs = append(rc.pairs, Pair{p, pl})
				}
			}
			if !yield(rc) {
				return
			}
		}
	}
}
