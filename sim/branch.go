package sim

import (
	"math"
	"slices"

	"github.com/pipeshare/pipeshare/model"
)

// This file runs Condition steps (StepSpec.IfSteps, ElseSteps): when a
// condition step ends, the branch not taken is skipped. A skipped step is
// never requested nor billed and counts as done for its dependents, so an
// execution whose remaining steps are all skipped succeeds.

// branchDef is a compiled Condition step.
type branchDef struct {
	static int8    // +1 if, -1 else, 0 drawn with ifProb
	ifProb float64 // probability of the if branch
	// skipOnIf and skipOnElse are the steps skipped when the if branch
	// (resp. the else branch) is taken: the other side's steps, then every
	// step all of whose dependencies are skipped, transitively.
	skipOnIf, skipOnElse []int16
}

// branches resolves the condition steps of ps: branch steps by name, their
// implicit dependency on the condition step, and the steps each outcome
// skips. It reports unknown or doubly used branch steps.
func (b *builder) branches(ps *PipelineSpec, p *pipe, index map[string]int) bool {
	ok := true
	owner := map[int]int{} // branch step → its condition step
	for ci := range ps.Steps {
		st := &ps.Steps[ci]
		if len(st.IfSteps) == 0 && len(st.ElseSteps) == 0 {
			continue
		}
		if st.Type != "Condition" {
			b.errorf(st.Pos, "step %q has branch steps but is a %s step, not a Condition step", st.Name, st.Type)
			ok = false
			continue
		}
		if math.IsNaN(st.IfProbability) || st.IfProbability < 0 || st.IfProbability > 1 {
			b.errorf(st.Pos, "step %q: if_probability must be between 0 and 1, not %g", st.Name, st.IfProbability)
			ok = false
		}
		var sides [2][]int16
		for side, refs := range [2][]model.Ref{st.IfSteps, st.ElseSteps} {
			for _, r := range refs {
				j, found := index[r.S]
				switch {
				case !found:
					b.errorf(r.Pos, "condition step %q has unknown branch step %q", st.Name, r.S)
					ok = false
					continue
				case j == ci:
					b.errorf(r.Pos, "condition step %q lists itself as a branch step", st.Name)
					ok = false
					continue
				}
				if c, dup := owner[j]; dup {
					b.errorf(r.Pos, "step %q is a branch step of both %q and %q", r.S, ps.Steps[c].Name, st.Name)
					ok = false
					continue
				}
				owner[j] = ci
				sides[side] = append(sides[side], int16(j))
				if d := &p.steps[j]; !slices.Contains(d.deps, int16(ci)) {
					d.deps = append(d.deps, int16(ci))
				}
			}
		}
		p.steps[ci].branch = &branchDef{static: st.Static, ifProb: st.IfProbability}
		p.steps[ci].branch.skipOnIf = skipClosure(p, sides[1])
		p.steps[ci].branch.skipOnElse = skipClosure(p, sides[0])
	}
	return ok
}

// skipClosure returns seed plus every step all of whose (one or more)
// dependencies are in the result, in step order.
func skipClosure(p *pipe, seed []int16) []int16 {
	in := make([]bool, len(p.steps))
	for _, j := range seed {
		in[j] = true
	}
	for changed := true; changed; {
		changed = false
		for j := range p.steps {
			deps := p.steps[j].deps
			if in[j] || len(deps) == 0 {
				continue
			}
			all := true
			for _, d := range deps {
				if !in[d] {
					all = false
					break
				}
			}
			if all {
				in[j], changed = true, true
			}
		}
	}
	var out []int16
	for j, v := range in {
		if v {
			out = append(out, int16(j))
		}
	}
	return out
}

// takeBranch decides condition step br of execution x (statically, or
// drawn from x's stream) and skips the steps of the side not taken.
func (s *Sim) takeBranch(x *execution, br *branchDef) {
	takeIf := br.static > 0
	if br.static == 0 {
		takeIf = x.rng.Float64() < br.ifProb
	}
	skip := br.skipOnElse
	if takeIf {
		skip = br.skipOnIf
	}
	for _, j := range skip {
		if st := s.step(x, int(j)); st.state == stepPending {
			st.state = stepSkipped
		}
	}
}

// done reports whether a step needs nothing more: it succeeded or was
// skipped.
func (st stepState) done() bool { return st == stepSucceeded || st == stepSkipped }
