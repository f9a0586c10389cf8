package sim

import (
	"math"
	"math/rand/v2"
)

//go:generate go run zigtables_gen.go

// StreamSeed returns the two PCG seeds of the stream named key under the
// master seed:
//
//	seed1 = splitmix64(master)
//	seed2 = splitmix64(fnv64a(key) ^ seed1)
//
// where fnv64a is 64-bit FNV-1a over the key's bytes (as hash/fnv's New64a)
// and splitmix64 is Steele, Lea and Flood's SplitMix64 output function:
//
//	z := x + 0x9e3779b97f4a7c15
//	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
//	z = (z ^ z>>27) * 0x94d049bb133111eb
//	return z ^ z>>31
//
// The seeds feed rand.NewPCG(seed1, seed2). splitmix64 is a bijection, so
// different master seeds give different seed1, and under one master
// different key hashes give different seed2: two (master, key) pairs share
// a stream only if their keys collide under FNV-1a. The mixing decorrelates
// nearby masters (1, 2, 3) and nearby keys ("exec/1", "exec/2").
func StreamSeed(master uint64, key string) (seed1, seed2 uint64) {
	seed1 = SplitMix64(master)
	seed2 = SplitMix64(FNV64a(key) ^ seed1)
	return seed1, seed2
}

// ReplicaSeed returns replica i's master seed under master seed s: s itself
// for i = 0, else the i-th output of a SplitMix64 generator seeded with s,
// that is SplitMix64(s + (i-1)·γ) in the notation of StreamSeed (Steele,
// Lea and Flood 2014). Distinct i give distinct, well-spread seeds, and any
// replica can be rerun alone with `run --seed`.
func ReplicaSeed(s uint64, i int) uint64 {
	if i == 0 {
		return s
	}
	return SplitMix64(s + uint64(i-1)*gamma)
}

// NewStream returns a *rand.Rand over the PCG stream named key under the
// master seed (see StreamSeed). It allocates; for many streams use a
// [Stream] value from [MakeStream]. Its Uint64 and Float64 sequences equal
// those of MakeStream(master, key).
func NewStream(master uint64, key string) *rand.Rand {
	return rand.New(rand.NewPCG(StreamSeed(master, key)))
}

// Stream is a random stream held by value: a PCG generator with no
// pointers, 16 bytes, so a run can keep one per workload caller (tens of
// thousands) in a slice without allocating one object each.
//
// Every method consumes exactly one 64-bit draw from the generator, so the
// number of draws a piece of code makes never depends on the values drawn.
// (This is why IntN and ExpFloat64 differ from rand.Rand's, which reject
// and redraw.) *Stream implements rand.Source, so it can serve as the Src
// of gonum's distuv distributions, which draw through rand.New(Src).
//
// The zero Stream is PCG seeded (0, 0); use MakeStream. A Stream is not
// safe for concurrent use.
type Stream struct {
	pcg rand.PCG
}

var _ rand.Source = (*Stream)(nil)

// MakeStream returns the stream named key under the master seed (see
// StreamSeed), without allocating beyond the key's hashing.
func MakeStream(master uint64, key string) Stream {
	var s Stream
	s.Seed(master, key)
	return s
}

// Seed resets s to the start of the stream named key under the master seed.
func (s *Stream) Seed(master uint64, key string) {
	s.pcg.Seed(StreamSeed(master, key))
}

// Uint64 returns a uniformly distributed 64-bit value (one draw).
func (s *Stream) Uint64() uint64 { return s.pcg.Uint64() }

// Float64 returns a uniform float64 in [0, 1) with 53 random bits (one
// draw), as rand.Rand's Float64 does.
func (s *Stream) Float64() float64 {
	return float64(s.pcg.Uint64()<<11>>11) / (1 << 53)
}

// IntN returns a uniform int in [0, n) from one draw: the high word of the
// 128-bit product draw × n (Lemire's method without the rejection step; the
// bias is below n/2^64). It panics if n <= 0.
func (s *Stream) IntN(n int) int {
	if n <= 0 {
		panic("sim: invalid argument to IntN")
	}
	return mulHigh(s.pcg.Uint64(), n)
}

// ExpFloat64 returns an exponentially distributed float64 with rate and
// mean 1 (one draw): any value in [0, +∞), though above 30 only once in
// 10^13 draws.
//
// It is Marsaglia and Tsang's ziggurat (2000) with 256 layers of equal
// area, whose tables zigtables.go holds as literals (go generate writes
// them), so they are the same on every platform. The draw's low 8 bits
// pick a layer and its high 53 bits a position across it; 97.8 % of draws
// land where the layer lies wholly under the density and return that
// position, with no logarithm. The others, in a layer's wedge or the tail
// beyond r ≈ 7.7, need more uniforms, which [expSlow] takes from a
// SplitMix64 sequence seeded by the same draw, so the stream still
// advances by exactly one draw.
func (s *Stream) ExpFloat64() float64 {
	u := s.pcg.Uint64()
	i, j := uint8(u), u>>11
	if j < zigK[i] {
		return float64(int64(j)) * zigW[i]
	}
	return expSlow(u)
}

// expSlow finishes the ziggurat for a draw u whose position lies outside
// its layer's inner rectangle. Its further uniforms are the outputs of a
// SplitMix64 generator whose state starts at u: SplitMix64(u),
// SplitMix64(u + γ), … In a wedge it accepts the position if a uniform
// height falls under e^-x, else starts over with a fresh layer and
// position; in the tail it adds r and starts over (the exponential forgets
// its past: beyond r it is r + Exp(1)).
func expSlow(u uint64) float64 {
	state, base := u, 0.0
	for {
		// The conversions round each product before a sum uses it (no
		// fused multiply-add), so every platform gets the same result.
		i, j := uint8(u), u>>11
		x := float64(float64(int64(j)) * zigW[i])
		if j < zigK[i] {
			return base + x
		}
		if i == 0 {
			base += zigR
		} else {
			h := float64(int64(SplitMix64(state)>>11)) / (1 << 53)
			state += gamma
			if zigF[i-1]+float64(h*(zigF[i]-zigF[i-1])) < math.Exp(-x) {
				return base + x
			}
		}
		u = SplitMix64(state)
		state += gamma
	}
}

// gamma is SplitMix64's increment, the golden ratio scaled to 64 bits.
const gamma = 0x9e3779b97f4a7c15

// SplitMix64 is SplitMix64's output function applied to x + γ (see
// StreamSeed): the first output of a SplitMix64 generator whose state is x.
// It is a bijection on uint64. Every seed, ID and synthetic hash in
// pipeshare derives through it.
func SplitMix64(x uint64) uint64 {
	z := x + gamma
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// FNV64a is 64-bit FNV-1a of key (as hash/fnv's New64a), without its
// allocation.
func FNV64a[S ~string | ~[]byte](key S) uint64 {
	return fnv64aFrom(14695981039346656037, key)
}

// fnv64aFrom goes on hashing key with FNV-1a from state h: FNV64a(a + b)
// is fnv64aFrom(FNV64a(a), b).
func fnv64aFrom[S ~string | ~[]byte](h uint64, key S) uint64 {
	const prime = 1099511628211
	for i := 0; i < len(key); i++ {
		h ^= uint64(key[i])
		h *= prime
	}
	return h
}
