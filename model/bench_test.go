package model

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// benchConfig builds an organization of accounts accounts (a tenth of them
// outside it), one consumer role each, 10 owner accounts with pipelines
// pipelines, and shares shares of one pipeline each to a mix of accounts,
// OUs and the organization.
func benchConfig(accounts, pipelines, shares int) *Config {
	ref := func(s string) Ref { return Ref{S: s} }
	cfg := &Config{Region: "us-east-1", StartUnixNano: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC).UnixNano()}
	cfg.Org = &OrgConfig{ID: "o-bench00000", RAMSharing: true, Management: ref("100000000000")}
	for i := range 10 {
		cfg.Org.Units = append(cfg.Org.Units, UnitConfig{Path: ref(fmt.Sprintf("/u%d", i)), FullAccess: true})
	}
	cfg.Org.Units[3].SCPs = []Ref{ref("deny-retry")}
	cfg.Policies = []PolicyDoc{
		{Name: "consumer", Statements: []StatementDoc{{Effect: ref("Allow"),
			Action:   []Ref{ref("sagemaker:Describe*"), ref("sagemaker:List*"), ref("sagemaker:*PipelineExecution")},
			Resource: []Ref{ref("arn:aws:sagemaker:*:*:pipeline/*")}}}},
		{Name: "deny-retry", Statements: []StatementDoc{{Effect: ref("Deny"),
			Action: []Ref{ref("sagemaker:RetryPipelineExecution")}, Resource: []Ref{ref("*")},
			Conditions: []ConditionDoc{{Operator: "StringNotEquals", Key: "aws:PrincipalTag/team", Values: []string{"ops"}}}}}},
	}
	for i := range accounts {
		a := AccountConfig{ID: ref(fmt.Sprintf("%012d", 100000000000+i)), FullAccess: true,
			Principals: []PrincipalConfig{{Name: ref("role/DataScientist"), Policies: []Ref{ref("consumer")}}}}
		if i%10 != 9 || i < 10 {
			a.OU = ref(fmt.Sprintf("/u%d", i%10))
		}
		cfg.Accounts = append(cfg.Accounts, a)
	}
	for i := range pipelines {
		cfg.Pipelines = append(cfg.Pipelines, PipelineConfig{Name: ref(fmt.Sprintf("p%d", i)),
			Account: ref(fmt.Sprintf("%012d", 100000000000+i%10))})
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range shares {
		pl := i % pipelines
		owner := 100000000000 + pl%10
		s := ShareConfig{Name: ref(fmt.Sprintf("s%05d", i)), Owner: ref(fmt.Sprintf("%012d", owner)),
			Pipelines: []Ref{ref(fmt.Sprintf("p%d", pl))}, Permission: Permission(1 + i%2),
			AssociationDelay: Time(2 * time.Minute), AllowExternal: true, InvitationTTL: Time(12 * time.Hour)}
		switch i % 5 {
		case 0:
			s.Principals = []Ref{ref("org")}
		case 1:
			s.Principals = []Ref{ref(fmt.Sprintf("ou:/u%d", i%10))}
		default:
			seen := map[int]bool{owner - 100000000000: true}
			for range 4 {
				if a := r.IntN(accounts); !seen[a] {
					seen[a] = true
					s.Principals = append(s.Principals, ref(fmt.Sprintf("%012d", 100000000000+a)))
				}
			}
		}
		cfg.Shares = append(cfg.Shares, s)
	}
	return cfg
}

type query struct {
	p  PrincipalID
	pl PipelineID
	a  Action
}

func benchWorld(b *testing.B, accounts, shares int) (*World, []query) {
	b.Helper()
	pipelines := min(shares, 1000)
	w, errs := NewWorld(benchConfig(accounts, pipelines, shares))
	if w == nil {
		b.Fatal(errs)
	}
	r := rand.New(rand.NewPCG(3, 4))
	qs := make([]query, 4096)
	for i := range qs {
		qs[i] = query{PrincipalID(r.IntN(w.NumPrincipals())), PipelineID(r.IntN(w.NumPipelines())), Action(r.IntN(NumActions))}
	}
	return w, qs
}

// BenchmarkAuthorize measures the fast path (Decide, rows warm) and the
// explain path by scenario size.
func BenchmarkAuthorize(b *testing.B) {
	for _, accounts := range []int{10, 1000, 10000} {
		for _, shares := range []int{10, 1000} {
			w, qs := benchWorld(b, accounts, shares)
			at := Time(time.Hour)
			for _, q := range qs {
				w.Decide(q.p, q.pl, q.a, at)
			}
			b.Run(fmt.Sprintf("fast/accounts=%d/shares=%d", accounts, shares), func(b *testing.B) {
				b.ReportAllocs()
				var sink Reason
				for i := 0; b.Loop(); i++ {
					q := &qs[i&4095]
					sink += w.Decide(q.p, q.pl, q.a, at)
				}
				_ = sink
			})
			b.Run(fmt.Sprintf("explain/accounts=%d/shares=%d", accounts, shares), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					q := &qs[i&4095]
					_ = w.Explain(q.p, q.pl, q.a, at)
				}
			})
		}
	}
}

// BenchmarkNewWorld measures compiling a scenario of 10,000 accounts, 1,000
// pipelines and 1,000 shares, plus the first decision (a cold row).
func BenchmarkNewWorld(b *testing.B) {
	cfg := benchConfig(10000, 1000, 1000)
	b.ReportAllocs()
	for b.Loop() {
		w, errs := NewWorld(cfg)
		if w == nil {
			b.Fatal(errs)
		}
		w.Decide(PrincipalID(w.NumPrincipals()-1), 7, StartPipelineExecution, Time(time.Hour))
	}
}

// TestDecideDoesNotAllocate asserts the fast path's zero-allocation promise
// on warm rows.
func TestDecideDoesNotAllocate(t *testing.T) {
	w, errs := NewWorld(benchConfig(100, 20, 40))
	if w == nil {
		t.Fatal(errs)
	}
	at := Time(time.Hour)
	w.Decide(5, 3, StopPipelineExecution, at)
	allocs := testing.AllocsPerRun(1000, func() { w.Decide(5, 3, StopPipelineExecution, at) })
	if allocs != 0 {
		t.Fatalf("Decide allocates %.1f times per call on a warm row", allocs)
	}
}

// TestExplainAllocations asserts Explain's allocation promise: one block
// for any decision, including an allowed Search that returns shares and a
// denial, whose text only Message builds, in one allocation.
func TestExplainAllocations(t *testing.T) {
	w, errs := NewWorld(benchConfig(100, 20, 40))
	if w == nil {
		t.Fatal(errs)
	}
	at := Time(time.Hour)
	seen := map[string]bool{}
	for p := range PrincipalID(w.NumPrincipals()) {
		for pl := range PipelineID(w.NumPipelines()) {
			for a := range Action(NumActions) {
				ex := w.Explain(p, pl, a, at)
				kind := "allow"
				switch {
				case ex.Decision != Allow:
					kind = "deny"
				case a == Search && len(ex.ReturnsShares) > 0:
					kind = "search returning shares"
				}
				if seen[kind] {
					continue
				}
				seen[kind] = true
				if got := testing.AllocsPerRun(100, func() { w.Explain(p, pl, a, at) }); got != 1 {
					t.Errorf("%s (%d, %d, %v): %.1f allocations, want 1", kind, p, pl, a, got)
				}
				if kind == "deny" {
					if got := testing.AllocsPerRun(100, func() { _ = ex.Message() }); got != 1 {
						t.Errorf("the message of %s (%d, %d, %v): %.1f allocations, want 1", kind, p, pl, a, got)
					}
				}
			}
		}
	}
	if len(seen) != 3 {
		t.Fatalf("the scenario covers only %v", seen)
	}
}

// BenchmarkFirstDecision measures the first decision of a (principal,
// pipeline) pair, as the first decision after load is: a cold row, built
// and cached, on a 10,000-account organization. The world is built once
// (not per op, which made the benchmark run for many minutes); each op
// decides a pair not decided before, in a scattered order so that
// consecutive ops share neither principal nor pipeline. Only if the pairs
// run out is the world rebuilt, outside the timer.
func BenchmarkFirstDecision(b *testing.B) {
	cfg := benchConfig(10000, 1000, 1000)
	var w *World
	decided := 0
	build := func() {
		var errs []*PosError
		if w, errs = NewWorld(cfg); w == nil {
			b.Fatal(errs)
		}
		decided = 0
	}
	build()
	npl := w.NumPipelines()
	pairs := w.NumPrincipals() * npl
	stride := 1_000_003 // coprime with pairs: k = i*stride mod pairs visits every pair once
	for gcd(stride, pairs) != 1 {
		stride += 2
	}
	b.ReportAllocs()
	for b.Loop() {
		if decided == pairs {
			b.StopTimer()
			build()
			b.StartTimer()
		}
		k := decided * stride % pairs
		decided++
		w.Decide(PrincipalID(k/npl), PipelineID(k%npl), StartPipelineExecution, Time(time.Hour))
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
