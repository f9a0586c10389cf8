package sim

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pipeshare/pipeshare/model"
)

// This file runs the data plane of executions
// (docs/modelling-choices.md#data-plane): when a step starts, the S3
// and KMS requests its role makes for its inputs and outputs are
// decided; a denial fails the step with ClientError: AccessDenied after
// the pipeline's setup time, billed to the owner and not retried.

// Param is a pipeline parameter's value: a default, or what a Start passes.
// A pipeline's parameter is Required when it is declared without a default
// (Value is then empty): every Start must pass it, as SageMaker requires.
type Param struct {
	Name     string
	Value    string
	Required bool
	Pos      model.Pos // the value's position
	NamePos  model.Pos // the name's, where an unknown name is reported (Pos when zero)
}

// DataRef is an S3 URI or a KMS key (ID, alias or ARN) a step names:
// Value as written, or the value of pipeline parameter Param; Inline is
// where it is inside an inline definition written at Pos.
type DataRef struct {
	Value  string
	Param  string
	Pos    model.Pos
	Inline InlinePos
}

// IsZero reports whether r names nothing.
func (r DataRef) IsZero() bool { return r.Value == "" && r.Param == "" }

// CallerParams are the Start parameters of one caller of a workload entry.
type CallerParams struct {
	Caller model.Ref // as written in the entry's callers
	Params []Param
	Pos    model.Pos
}

// DefaultSetupTime is how long a step's job runs, billed, before it fails
// on a denied data access, when the pipeline sets no setup_time.
const DefaultSetupTime = Time(60e9)

// DataFailure counts the steps that failed on one denied data access,
// and the owner money they burned during their setup time.
type DataFailure struct {
	Initiator model.PrincipalID // the Start or Retry caller
	Pipeline  model.PipelineID
	Step      string
	Access    model.DataAccess // the first denied request of the step
	Reason    model.DataReason
	Count     int64
	USD       float64
}

// DataStats is the data plane of a run; Declared is false (and the rest
// empty) for a scenario without buckets or keys.
type DataStats struct {
	Declared bool
	// Decisions counts the data accesses decided (each step start decides
	// all of its own).
	Decisions int64
	// Failures are sorted by initiator, pipeline, step, subject, action
	// and reason.
	Failures []DataFailure
	// sim answers [DataStats.StartData] after the run.
	sim *Sim
}

// StepData is what one step of a Start asks of the data plane: its role
// and the S3 and KMS requests it makes, in the order they are decided.
type StepData struct {
	Step     string
	Role     model.PrincipalID // -1: the step has no role and makes no request
	Accesses []model.DataAccess
}

// StartData returns the steps of pipeline pl and the requests a Start of
// it by caller makes them do, with the parameters caller passes in its
// first workload entry targeting pl that passes any (caller < 0, or no
// such entry: the pipeline's defaults), and those passed parameters (nil
// for the defaults). It returns nil for a run without data.
func (d *DataStats) StartData(pl model.PipelineID, caller model.PrincipalID) ([]StepData, []Param) {
	s := d.sim
	if s == nil {
		return nil, nil
	}
	set, params := s.callerSet(pl, caller)
	dp := &s.dp.pipes[pl]
	out := make([]StepData, len(dp.steps))
	for si := range dp.steps {
		out[si] = StepData{Step: dp.names[si], Role: dp.steps[si].role}
		if out[si].Role < 0 {
			continue
		}
		for _, id := range s.stepAccesses(int32(pl), si, set) {
			out[si].Accesses = append(out[si].Accesses, s.w.DataAccessOf(id))
		}
	}
	return out, params
}

// callerSet returns the parameter set of caller's Starts of pl, and the
// parameters it passes: those of its first workload entry targeting pl
// that passes any; caller < 0 or none: the defaults (and nil).
func (s *Sim) callerSet(pl model.PipelineID, caller model.PrincipalID) (int32, []Param) {
	if caller >= 0 {
		for wi := range s.workloads {
			if params := s.dp.wlParams[[2]int32{int32(wi), int32(caller)}]; len(params) > 0 && slices.Contains(s.workloads[wi].targets, pl) {
				return s.dp.paramSet(pl, params), params
			}
		}
	}
	return s.dp.paramSet(pl, nil), nil
}

type dataStep struct {
	role    model.PrincipalID // -1: none
	inputs  []DataRef
	outputs []DataRef
	kmsKey  DataRef
}

type dataPipe struct {
	names    []string // the steps'
	params   []string // names, in file order
	defaults []string // "" for a required parameter
	required []bool
	setup    Time
	steps    []dataStep
}

type failureKey struct {
	initiator model.PrincipalID
	pipeline  model.PipelineID
	step      int32
	access    model.DataAccessID
	reason    model.DataReason
}

type startKey struct {
	workload int32
	caller   model.PrincipalID
	pipeline model.PipelineID
}

// dataSim is a Sim's data plane; nil when the scenario declares no data.
type dataSim struct {
	pipes       []dataPipe
	wlParams    map[[2]int32][]Param // (workload, caller principal) → Start parameters, entry-wide first
	paramSets   [][]string           // the parameter values of a Start, per pipeline parameter
	paramSetIdx map[string]int32
	startSets   map[startKey]int32
	execParams  []int32 // per execution: its parameter set
	// steps caches the accesses of (parameter set, pipeline, step).
	steps    map[[3]int32][]model.DataAccessID
	failures []DataFailure
	failIdx  map[failureKey]int32
	pending  map[[2]int32]int32 // (execution, step) → the failure row of a denied step running its setup
	stats    DataStats
}

// buildData resolves the data plane of cfg; it leaves s.dp nil when the
// World declares no buckets or keys (and reports steps that name data).
// The Start parameters of the workload are checked either way: a Start
// that does not pass a parameter without a default is rejected by
// SageMaker whether or not the scenario models data.
func (s *Sim) buildData(cfg *Config, b *builder) {
	w := s.w
	if !w.HasData() {
		for i := range cfg.Pipelines {
			for _, st := range cfg.Pipelines[i].Steps {
				for _, r := range slices.Concat(st.Inputs, st.Outputs, []DataRef{st.KMSKey}) {
					if !r.IsZero() {
						b.refErrorf(r, "step %s names data but the scenario declares no buckets or keys", st.Name)
						return
					}
				}
			}
		}
	}
	d := &dataSim{pipes: make([]dataPipe, w.NumPipelines()), wlParams: map[[2]int32][]Param{},
		paramSetIdx: map[string]int32{}, startSets: map[startKey]int32{}, steps: map[[3]int32][]model.DataAccessID{},
		failIdx: map[failureKey]int32{}, pending: map[[2]int32]int32{}}
	d.stats.Declared = w.HasData()
	for i := range d.pipes {
		d.pipes[i].setup = DefaultSetupTime
	}
	for i := range cfg.Pipelines {
		ps := &cfg.Pipelines[i]
		owner, ok := b.account(ps.Account)
		if !ok {
			continue
		}
		pl, err := w.LookupPipeline(model.PipelineARN(w.Region(), b.ids[owner], ps.Name.S))
		if err != nil {
			continue // reported by b.pipeline
		}
		if d.stats.Declared {
			b.dataPipe(&d.pipes[pl], ps, b.ids[owner])
		} else {
			d.pipes[pl].addParams(ps.Parameters)
		}
	}
	for wi := range cfg.Workload {
		b.startParams(d, int32(wi), &cfg.Workload[wi])
	}
	for pl := range d.pipes {
		for i, req := range d.pipes[pl].required {
			if req {
				if s.required == nil {
					s.required = make([][]string, len(d.pipes))
				}
				s.required[pl] = append(s.required[pl], d.pipes[pl].params[i])
			}
		}
	}
	if d.stats.Declared {
		s.dp = d
	}
}

// addParams records a pipeline's parameters: names, defaults and which
// are required.
func (dp *dataPipe) addParams(params []Param) {
	for _, p := range params {
		dp.params = append(dp.params, p.Name)
		dp.defaults = append(dp.defaults, p.Value)
		dp.required = append(dp.required, p.Required)
	}
}

// refErrorf reports a problem of data reference r at its position.
func (b *builder) refErrorf(r DataRef, format string, args ...any) {
	b.errorf(r.Pos, "%s", r.Inline.Msg(fmt.Sprintf(format, args...)))
}

// role resolves an execution role: role/NAME or an IAM role ARN in the
// owner's account; in is where r is inside an inline definition.
func (b *builder) role(r model.Ref, in InlinePos, owner model.AccountID) model.PrincipalID {
	fail := func(format string, args ...any) model.PrincipalID {
		b.refErrorf(DataRef{Pos: r.Pos, Inline: in}, format, args...)
		return -1
	}
	name := r.S
	if strings.HasPrefix(name, "arn:") {
		acct, n, err := model.ParsePrincipalARN(name)
		if err != nil {
			return fail("role: %v", err)
		}
		if acct != owner {
			return fail("role %s is not in the pipeline's account %s (an execution role belongs to the owner)", name, owner)
		}
		name = n
	}
	if !strings.HasPrefix(name, "role/") {
		return fail("role %q must be role/[path/]Name or an IAM role ARN", r.S)
	}
	ps, err := b.s.w.LookupCallers(string(owner) + "/" + name)
	if err != nil {
		return fail("role: %v (declare it under the owner account's principals)", err)
	}
	return ps[0]
}

// dataPipe resolves a pipeline's parameters, setup time, roles and the
// data its steps name; literal references are checked here, parameters
// when a Start passes them (their defaults here).
func (b *builder) dataPipe(dp *dataPipe, ps *PipelineSpec, owner model.AccountID) {
	dp.addParams(ps.Parameters)
	if ps.SetupTime > 0 {
		dp.setup = ps.SetupTime
	}
	pipeRole := model.PrincipalID(-1)
	if ps.Role.S != "" {
		pipeRole = b.role(ps.Role, InlinePos{}, owner)
	}
	dp.steps = make([]dataStep, len(ps.Steps))
	for i := range ps.Steps {
		st := &ps.Steps[i]
		dp.names = append(dp.names, st.Name)
		ds := dataStep{role: pipeRole, inputs: st.Inputs, outputs: st.Outputs, kmsKey: st.KMSKey}
		if st.Role.S != "" {
			ds.role = b.role(st.Role, st.RoleInline, owner)
		}
		refs := slices.Concat(st.Inputs, st.Outputs)
		if len(refs) > 0 && ds.role < 0 && ps.Role.S == "" && st.Role.S == "" {
			b.errorf(st.Pos, "step %s reads or writes data but has no role (give the pipeline or the step a role:)", st.Name)
		}
		for _, r := range refs {
			b.checkRef(dp, r, false)
		}
		if !st.KMSKey.IsZero() {
			b.checkRef(dp, st.KMSKey, true)
		}
		dp.steps[i] = ds
	}
}

// checkRef checks a step's reference: a literal S3 URI of a known bucket
// (or a known key), or a parameter of the pipeline whose default is one
// (a required parameter has none: each Start's value is checked).
func (b *builder) checkRef(dp *dataPipe, r DataRef, key bool) {
	v := r.Value
	if r.Param != "" {
		i := slices.Index(dp.params, r.Param)
		if i < 0 {
			if len(dp.params) == 0 {
				b.refErrorf(r, "unknown param %q (the pipeline has no parameters)", r.Param)
			} else {
				b.refErrorf(r, "unknown param %q (the pipeline has %s)", r.Param, strings.Join(dp.params, ", "))
			}
			return
		}
		if dp.required[i] {
			return
		}
		v = dp.defaults[i]
	}
	if msg := b.refProblem(v, key); msg != "" {
		if r.Param != "" {
			msg = "parameter " + r.Param + ": " + msg
		}
		b.refErrorf(r, "%s", msg)
	}
}

// refProblem returns why v is not an S3 URI of a known bucket (or, with
// key, a known KMS key), or "".
func (b *builder) refProblem(v string, key bool) string {
	w := b.s.w
	if key {
		if _, ok := w.LookupKey(v); !ok {
			return "unknown key " + `"` + v + `"`
		}
		return ""
	}
	name, _, err := model.ParseS3URI(v)
	if err != nil {
		return err.Error()
	}
	if _, ok := w.LookupBucket(name); !ok {
		return "unknown bucket " + `"` + name + `"`
	}
	return ""
}

// startParams resolves a workload entry's Start parameters per caller and
// checks their names and values against the entry's target pipelines, and
// that its Starts pass every required parameter.
func (b *builder) startParams(d *dataSim, wi int32, wc *Workload) {
	w := b.s.w
	targets := b.s.workloads[wi].targets
	b.requiredParams(d, wi, wc)
	if len(wc.Parameters) == 0 && len(wc.CallerParameters) == 0 {
		return
	}
	check := func(ps []Param) {
		for _, p := range ps {
			known := false
			for _, pl := range targets {
				dp := &d.pipes[pl]
				if slices.Contains(dp.params, p.Name) {
					known = true
					b.checkParamValue(dp, p)
				}
			}
			if !known && len(targets) > 0 {
				at := p.NamePos
				if at == (model.Pos{}) {
					at = p.Pos
				}
				b.errorf(at, "unknown param %q: no target pipeline of this entry has it (%s)", p.Name, b.targetParams(d, targets))
			}
		}
	}
	check(wc.Parameters)
	for _, c := range wc.CallerParameters {
		check(c.Params)
		if !slices.ContainsFunc(wc.Callers, func(r model.Ref) bool { return r.S == c.Caller.S }) {
			b.errorf(c.Caller.Pos, "parameters for %q, which is not one of the entry's callers", c.Caller.S)
		}
	}
	for _, c := range wc.Callers {
		ps, err := w.LookupCallers(c.S)
		if err != nil {
			continue // reported by New
		}
		params := slices.Clone(wc.Parameters)
		for _, cp := range wc.CallerParameters {
			if cp.Caller.S == c.S {
				params = append(params, cp.Params...)
			}
		}
		for _, p := range ps {
			d.wlParams[[2]int32{wi, int32(p)}] = params
		}
	}
}

// targetParams says which parameters pipelines targets have, for a
// message: "churn has A, B", "the targets have A, B, C".
func (b *builder) targetParams(d *dataSim, targets []model.PipelineID) string {
	var names []string
	for _, pl := range targets {
		for _, n := range d.pipes[pl].params {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	has := "no parameters"
	if len(names) > 0 {
		has = strings.Join(names, ", ")
	}
	if len(targets) == 1 {
		return b.s.w.PipelineName(targets[0]) + " has " + has
	}
	return "the targets have " + has
}

// requiredParams reports each required parameter of a target pipeline that
// the Starts of workload entry wi (wc) do not pass for some caller:
// SageMaker rejects every such Start.
func (b *builder) requiredParams(d *dataSim, wi int32, wc *Workload) {
	if !slices.ContainsFunc(wc.Actions, func(a ActionWeight) bool {
		return a.Action == model.StartPipelineExecution && a.Weight > 0
	}) {
		return
	}
	wl := &b.s.workloads[wi]
	for _, pl := range wl.targets {
		dp := &d.pipes[pl]
		for i, name := range dp.params {
			if !dp.required[i] || passes(wc.Parameters, name) {
				continue
			}
			var without []string
			for _, c := range wc.Callers {
				if !slices.ContainsFunc(wc.CallerParameters, func(cp CallerParams) bool {
					return cp.Caller.S == c.S && passes(cp.Params, name)
				}) {
					without = append(without, c.S)
				}
			}
			if len(without) > 0 {
				b.errorf(wc.Pos, "workload %q: its Starts of pipeline %s by %s do not pass parameter %s, which the pipeline declares without a default, so SageMaker rejects them (give the entry parameters: {%s: VALUE})",
					wl.name, b.s.w.PipelineName(pl), strings.Join(without, ", "), name, name)
			}
		}
	}
}

// passes reports whether ps passes a value for the parameter name.
func passes(ps []Param, name string) bool {
	return slices.ContainsFunc(ps, func(p Param) bool { return p.Name == name })
}

// checkParamValue checks a Start's value of a parameter that pipeline dp's
// steps use as an S3 URI or a KMS key.
func (b *builder) checkParamValue(dp *dataPipe, p Param) {
	for _, st := range dp.steps {
		for _, r := range slices.Concat(st.inputs, st.outputs) {
			if r.Param == p.Name {
				if msg := b.refProblem(p.Value, false); msg != "" {
					b.errorf(p.Pos, "parameter %s: %s", p.Name, msg)
					return
				}
			}
		}
		if st.kmsKey.Param == p.Name {
			if msg := b.refProblem(p.Value, true); msg != "" {
				b.errorf(p.Pos, "parameter %s: %s", p.Name, msg)
				return
			}
		}
	}
}

// paramSet interns the parameter values of a Start of pipeline pl that
// passes params (later entries win; names the pipeline lacks are
// ignored, as SageMaker ignores nothing but pipeshare has no use for them).
func (d *dataSim) paramSet(pl model.PipelineID, params []Param) int32 {
	dp := &d.pipes[pl]
	vals := slices.Clone(dp.defaults)
	for _, p := range params {
		if i := slices.Index(dp.params, p.Name); i >= 0 {
			vals[i] = p.Value
		}
	}
	var key strings.Builder
	key.WriteString(strconv.Itoa(int(pl)))
	for _, v := range vals {
		key.WriteByte(0)
		key.WriteString(v)
	}
	if id, ok := d.paramSetIdx[key.String()]; ok {
		return id
	}
	id := int32(len(d.paramSets))
	d.paramSets = append(d.paramSets, vals)
	d.paramSetIdx[key.String()] = id
	return id
}

// passed appends to dst the parameters of set (of pipeline pl) whose
// values differ from the pipeline's defaults: what a Start with that set
// passes, as far as the run can tell.
func (d *dataSim) passed(dst []Param, pl model.PipelineID, set int32) []Param {
	dp := &d.pipes[pl]
	for i, v := range d.paramSets[set] {
		if v != dp.defaults[i] {
			dst = append(dst, Param{Name: dp.params[i], Value: v})
		}
	}
	return dst
}

// startParams returns the parameter set of a generated Start of pl by
// caller of workload entry wi.
func (d *dataSim) startParams(wi int32, caller model.PrincipalID, pl model.PipelineID) int32 {
	k := startKey{wi, caller, pl}
	if id, ok := d.startSets[k]; ok {
		return id
	}
	id := d.paramSet(pl, d.wlParams[[2]int32{wi, int32(caller)}])
	d.startSets[k] = id
	return id
}

// resolve returns the value of r under parameter set set of pl.
func (d *dataSim) resolve(pl int32, set int32, r DataRef) string {
	if r.Param == "" {
		return r.Value
	}
	return d.paramSets[set][slices.Index(d.pipes[pl].params, r.Param)]
}

// stepAccesses returns the data accesses of step si of pl under parameter
// set set: each input's reads, then each output's writes. A replayed
// value naming no declared bucket or key makes no access.
func (s *Sim) stepAccesses(pl int32, si int, set int32) []model.DataAccessID {
	d := s.dp
	k := [3]int32{set, pl, int32(si)}
	if ids, ok := d.steps[k]; ok {
		return ids
	}
	w := s.w
	st := &d.pipes[pl].steps[si]
	key := model.NoKey
	if !st.kmsKey.IsZero() {
		if kid, ok := w.LookupKey(d.resolve(pl, set, st.kmsKey)); ok {
			key = kid
		}
	}
	var ids []model.DataAccessID
	add := func(refs []DataRef, write bool) {
		for _, r := range refs {
			name, obj, err := model.ParseS3URI(d.resolve(pl, set, r))
			if err != nil {
				continue
			}
			bk, ok := w.LookupBucket(name)
			if !ok {
				continue
			}
			accesses := w.ReadAccesses(bk, obj)
			if write {
				accesses = w.WriteAccesses(bk, obj, key)
			}
			for _, a := range accesses {
				ids = append(ids, w.InternDataAccess(a))
			}
		}
	}
	add(st.inputs, false)
	add(st.outputs, true)
	d.steps[k] = ids
	return ids
}

// runStep schedules the end of step si of execution xi, which starts now:
// its natural end, or, when its role is denied one of its data accesses,
// its failure after the pipeline's setup time.
func (s *Sim) runStep(now Time, xi int32, si int) {
	x := s.exec(xi)
	if s.dp != nil {
		if row := s.decideStep(now, x, xi, si); row >= 0 {
			s.dp.pending[[2]int32{xi, int32(si)}] = row
			s.schedule(now, s.dp.pipes[x.pipeline].setup, evStepDenied, xi, int32(si), int32(x.epoch))
			return
		}
	}
	def := &s.ex.pipes[x.pipeline].steps[si]
	s.schedule(now, drawDuration(x, def.dist), evStepEnd, xi, int32(si), int32(x.epoch))
}

// decideStep decides the data accesses of step si of execution x at now,
// in order; at the first denial it counts the failure and returns its
// row, else -1.
func (s *Sim) decideStep(now Time, x *execution, xi int32, si int) int32 {
	d := s.dp
	st := &d.pipes[x.pipeline].steps[si]
	if st.role < 0 {
		return -1
	}
	for _, id := range s.stepAccesses(x.pipeline, si, d.execParams[xi]) {
		d.stats.Decisions++
		r := s.w.DecideData(st.role, id, now)
		if r == model.DataAllowed {
			continue
		}
		initiator := s.attribution(x).initiator
		k := failureKey{initiator: initiator, pipeline: model.PipelineID(x.pipeline), step: int32(si), access: id, reason: r}
		row, ok := d.failIdx[k]
		if !ok {
			row = int32(len(d.failures))
			d.failIdx[k] = row
			a := s.w.DataAccessOf(id)
			d.failures = append(d.failures, DataFailure{Initiator: initiator, Pipeline: k.pipeline,
				Step: d.pipes[x.pipeline].names[si], Access: a, Reason: r})
		}
		d.failures[row].Count++
		return row
	}
	return -1
}

// stepDenied fails step si of execution xi at the end of its setup time:
// its instances are released (the setup billed) and the execution fails,
// whatever the step's retry policies say.
func (s *Sim) stepDenied(now Time, xi int32, si int, epoch uint16) {
	key := [2]int32{xi, int32(si)}
	row, ok := s.dp.pending[key]
	delete(s.dp.pending, key)
	x := s.exec(xi)
	if !ok || x.epoch != epoch || s.step(x, si).state != stepRunning {
		return
	}
	for hi := x.holds; hi >= 0; hi = s.ex.holds[hi].next {
		if h := s.ex.holds[hi]; h.step == int16(si) {
			s.dp.failures[row].USD += float64(int64(h.count)*int64(now-h.at)) / nsPerHour * s.ex.ledger[h.row].USDPerHour
			s.endHold(now, hi)
			break
		}
	}
	x = s.exec(xi)
	x.running--
	s.step(x, si).state = stepFailed
	if x.status == execExecuting {
		s.failExecution(now, xi)
	}
}

// dataStats returns the run's data plane, failures sorted.
func (s *Sim) dataStats() DataStats {
	if s.dp == nil {
		return DataStats{}
	}
	st := s.dp.stats
	st.sim = s
	st.Failures = slices.Clone(s.dp.failures)
	w := s.w
	slices.SortFunc(st.Failures, func(a, b DataFailure) int {
		return cmp.Or(
			strings.Compare(w.CallerString(a.Initiator), w.CallerString(b.Initiator)),
			strings.Compare(w.PipelineARN(a.Pipeline), w.PipelineARN(b.Pipeline)),
			strings.Compare(a.Step, b.Step),
			strings.Compare(w.DataSubject(a.Access), w.DataSubject(b.Access)),
			cmp.Compare(a.Access.Action, b.Access.Action),
			strings.Compare(a.Access.Object, b.Access.Object),
			cmp.Compare(a.Reason, b.Reason))
	})
	return st
}

// DataStep returns the role of step of pipeline pl and the S3 and KMS
// requests it makes to read (or write) uri; a write's KMS key is the
// step's kms_key resolved with the parameters caller's Starts pass
// (its first workload entry targeting pl that passes any; caller < 0 or
// none: the defaults). Errors are about the question: unknown step, a
// step without a role, a malformed URI or an unknown bucket.
func (s *Sim) DataStep(pl model.PipelineID, step string, caller model.PrincipalID, uri string, write bool) (model.PrincipalID, []model.DataAccess, error) {
	w := s.w
	if s.dp == nil {
		return -1, nil, fmt.Errorf("the scenario declares no buckets or keys")
	}
	dp := &s.dp.pipes[pl]
	si := slices.Index(dp.names, step)
	if si < 0 {
		return -1, nil, fmt.Errorf("pipeline %s has no step %q (its steps: %s)", w.PipelineName(pl), step, strings.Join(dp.names, ", "))
	}
	st := &dp.steps[si]
	if st.role < 0 {
		return -1, nil, fmt.Errorf("step %s of %s has no role", step, w.PipelineName(pl))
	}
	name, obj, err := model.ParseS3URI(uri)
	if err != nil {
		return -1, nil, err
	}
	b, ok := w.LookupBucket(name)
	if !ok {
		return -1, nil, fmt.Errorf("unknown bucket %q", name)
	}
	if !write {
		return st.role, w.ReadAccesses(b, obj), nil
	}
	set, _ := s.callerSet(pl, caller)
	key := model.NoKey
	if !st.kmsKey.IsZero() {
		key, _ = w.LookupKey(s.dp.resolve(int32(pl), set, st.kmsKey))
	}
	return st.role, w.WriteAccesses(b, obj, key), nil
}
