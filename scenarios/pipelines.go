package scenarios

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios/pipelinedef"
	"github.com/pipeshare/pipeshare/sim"
)

// This file decodes pipelines with their steps (docs/scenario-format.md#validation-rules:
// Pipelines, Distributions) into model.PipelineConfig and sim.PipelineSpec,
// and the top-level pricing table into sim.Price.

var (
	stepSchema = &schema{keys: []string{"name", "type", "depends_on", "instance_type", "instance_count",
		"duration", "failure_rate", "failure_exception", "retry", "if_probability",
		"role", "inputs", "outputs", "kms_key"}}
	retrySchema = &schema{keys: []string{"exceptions", "interval", "backoff", "max_attempts"}}
	getSchema   = &schema{keys: []string{"Get"}}
)

// Pipeline defaults (the retry and failure defaults are pipelinedef's).
const (
	defaultMaxParallelSteps = 50
	defaultExecutionTimeout = sim.Time(672 * time.Hour)
)

// DefaultStepDuration returns the duration of a step of type stepType that
// gives none: Processing 10m, Training 30m, Tuning 1h, Transform 15m,
// AutoML 1h, EMR and EMRServerless 30m, Lambda 1m, Callback 10m,
// ClarifyCheck and QualityCheck 10m, and 1s for every other type
// (Condition, Fail, RegisterModel, CreateModel, Model, unknown types).
func DefaultStepDuration(stepType string) time.Duration {
	switch stepType {
	case "Processing", "Callback", "ClarifyCheck", "QualityCheck":
		return 10 * time.Minute
	case "Training", "EMR", "EMRServerless":
		return 30 * time.Minute
	case "Tuning", "AutoML":
		return time.Hour
	case "Transform":
		return 15 * time.Minute
	case "Lambda":
		return time.Minute
	}
	return time.Second
}

// distParam is one parameter of a duration distribution.
type distParam struct {
	name     string
	duration bool // a duration (stored in ns), else a plain number
}

// distKinds lists the distributions, their kinds and parameters (A, B).
var distKinds = []struct {
	name   string
	kind   sim.DistKind
	params []distParam
}{
	{"exponential", sim.DistExponential, []distParam{{"mean", true}}},
	{"lognormal", sim.DistLogNormal, []distParam{{"median", true}, {"sigma", false}}},
	{"normal", sim.DistNormal, []distParam{{"mean", true}, {"stddev", true}}},
	{"uniform", sim.DistUniform, []distParam{{"min", true}, {"max", true}}},
	{"gamma", sim.DistGamma, []distParam{{"shape", false}, {"scale", true}}},
}

// param is one pipeline parameter: its value as written.
type param struct {
	name string
	val  *yaml.Node // a scalar; null: no default (required)
}

// required reports whether p has no default: every Start passes it.
func (p param) required() bool { return isNull(p.val) }

// pipelineCtx is what a pipeline's steps are decoded against.
type pipelineCtx struct {
	name   string
	params []param
}

func (p *pipelineCtx) param(name string) (param, bool) {
	for _, q := range p.params {
		if q.name == name {
			return q, true
		}
	}
	return param{}, false
}

// pipelines decodes the pipelines list.
func (d *scenarioDecoder) pipelines(n *yaml.Node) {
	d.eachMapping(n, "pipelines", "pipeline", pipelineSchema, func(o *object) {
		d.required(o, "name", "account")
		t, tok := d.template(o, "pipeline", o.get("name"))
		p := model.PipelineConfig{Pos: d.pos(o.n)}
		if v := o.get("name"); v != nil {
			p.Name = d.ref(v, "pipeline name")
		}
		own, ownOK := owner{}, true
		if v := o.get("account"); v != nil {
			own, ownOK = d.owner(v, "pipeline account", t)
			p.Account = own.ref
		}
		// The steps are decoded once, and their problems reported once,
		// for every copy (sim does not modify a PipelineSpec).
		spec, hasSteps := d.pipelineSpec(o, p)
		if !tok || !ownOK {
			return
		}
		if hasSteps && t.n > 1 && t.n*len(spec.Steps) > maxTotalGenerated {
			d.errorf(o.get("count"), "count %d × %d steps is more than %d generated steps", t.n, len(spec.Steps), maxTotalGenerated)
			return
		}
		for i := 1; i <= t.n; i++ {
			c := p
			c.Name.S = t.subst(p.Name.S, i)
			c.Account = own.at(i)
			d.sc.Model.Pipelines = append(d.sc.Model.Pipelines, c)
			if hasSteps {
				cs := spec
				cs.Name, cs.Account = c.Name, c.Account
				d.sc.Sim.Pipelines = append(d.sc.Sim.Pipelines, cs)
			}
		}
	})
}

// pipelineSpec decodes a pipeline's execution settings and steps; ok is
// false when it has no steps.
func (d *scenarioDecoder) pipelineSpec(o *object, p model.PipelineConfig) (sim.PipelineSpec, bool) {
	spec := sim.PipelineSpec{Name: p.Name, Account: p.Account, MaxParallelSteps: defaultMaxParallelSteps,
		ExecutionTimeout: defaultExecutionTimeout, Pos: p.Pos}
	if v := o.get("max_parallel_steps"); v != nil {
		if c, ok := d.integer(v, "max_parallel_steps", 1, math.MaxInt32); ok {
			spec.MaxParallelSteps = int(c)
		}
	}
	if v := o.get("stop_latency"); v != nil {
		if t, ok := d.duration(v, "stop_latency"); ok {
			spec.StopLatency = t
		}
	}
	if v := o.get("execution_timeout"); v != nil {
		if s := peek(v); s != nil && s.Kind == yaml.ScalarNode && s.ShortTag() == "!!str" && s.Value == "none" {
			spec.ExecutionTimeout = sim.Never
		} else if t, ok := d.duration(v, "execution_timeout"); ok {
			if t <= 0 {
				d.errorf(v, "execution_timeout must be positive (or none)")
			} else {
				spec.ExecutionTimeout = t
			}
		}
	}
	ctx := &pipelineCtx{name: p.Name.S}
	if v := o.get("parameters"); v != nil {
		ctx.params = d.parameters(v)
	}
	v := o.get("steps")
	if dv := o.get("definition"); dv != nil {
		// The definition's parameter defaults join ctx's parameters, so
		// the pipeline's parameters are known after it is read.
		def := d.definition(dv, ctx)
		d.pipelineData(o, &spec, ctx) // data.go
		if def != nil {
			d.mergeSteps(&spec, def, v, ctx)
		}
		return spec, len(spec.Steps) > 0
	}
	d.pipelineData(o, &spec, ctx)
	if v == nil {
		return spec, false
	}
	if pv := peek(v); pv != nil && pv.Kind == yaml.SequenceNode && len(pv.Content) > pipelinedef.MaxSteps {
		d.errorf(v, "pipeline %s has %d steps (limit %d)", ctx.name, len(pv.Content), pipelinedef.MaxSteps)
		return spec, false
	}
	seen := map[string]*yaml.Node{}
	d.eachMapping(v, "steps", "step", stepSchema, func(so *object) {
		st, nameNode := d.step(so, ctx, len(spec.Steps)+1)
		if nameNode != nil && st.Name != "" {
			if prev, dup := seen[st.Name]; dup {
				d.errorf(nameNode, "duplicate step name %q in pipeline %s (first at %s)", st.Name, ctx.name, d.pos(prev))
			} else {
				seen[st.Name] = nameNode
			}
		}
		spec.Steps = append(spec.Steps, st)
	})
	return spec, len(spec.Steps) > 0
}

// parameters decodes a pipeline's parameters: name → string, number or
// boolean, or null for a parameter without a default.
func (d *scenarioDecoder) parameters(n *yaml.Node) []param {
	o := d.mapping(n, "parameters", nil)
	if o == nil {
		return nil
	}
	out := make([]param, 0, len(o.pairs))
	for _, kv := range o.pairs {
		if !pipelinedef.ValidName(kv.name) {
			d.errorf(kv.key, "parameter name %q must be 1 to 64 letters, digits, '-' or '_'", kv.name)
			continue
		}
		if v := d.deref(kv.val); v != nil && isNull(v) {
			out = append(out, param{name: kv.name, val: v})
			continue
		}
		s, ok := d.scalar(kv.val, "parameter "+kv.name, "a string, number or boolean (or null: no default)")
		if !ok {
			continue
		}
		switch s.ShortTag() {
		case "!!str", "!!int", "!!float", "!!bool":
		default:
			d.errorf(s, "parameter %s must be a string, number or boolean, not %s", kv.name, kindName(s))
			continue
		}
		out = append(out, param{name: kv.name, val: s})
	}
	return out
}

// step decodes one step; index is its 1-based position for messages when
// it has no name. It returns the name's node, or nil.
func (d *scenarioDecoder) step(o *object, ctx *pipelineCtx, index int) (sim.StepSpec, *yaml.Node) {
	d.required(o, "name", "type")
	st := sim.StepSpec{Pos: d.pos(o.n)}
	var nameNode *yaml.Node
	if v := o.get("name"); v != nil {
		if s, ok := d.str(v, "step name"); ok {
			if !pipelinedef.ValidName(s) {
				d.errorf(v, "step name %q must be 1 to 64 letters, digits, '-' or '_'", s)
			}
			st.Name, nameNode = s, v
		}
	}
	label := st.Name
	if label == "" {
		label = "#" + strconv.Itoa(index)
	}
	typeOK := false
	if v := o.get("type"); v != nil {
		if s, ok := d.str(v, "step type"); ok {
			st.Type, typeOK = s, true
			if !slices.Contains(pipelinedef.StepTypes, s) {
				consequence := "it runs without instances"
				if o.has("instance_type") {
					consequence = "it runs on its instance_type"
				}
				d.warnf(v, "unknown step type %q: %s (known types: %s)", s, consequence, strings.Join(pipelinedef.StepTypes, ", "))
			}
		}
	}
	if v := o.get("depends_on"); v != nil {
		st.DependsOn = d.refList(v, "depends_on", false)
	}
	if v := o.get("instance_type"); v != nil {
		st.InstanceType = d.instanceType(v, ctx)
		st.InstanceTypePos = d.pos(v)
	}
	needsInstances := o.has("instance_type") || slices.Contains(pipelinedef.InstanceStepTypes, st.Type)
	if needsInstances && !o.has("instance_type") {
		d.errorf(o.n, "step %s of type %s needs instance_type", label, st.Type)
	}
	if needsInstances {
		st.InstanceCount = 1
	}
	if v := o.get("instance_count"); v != nil {
		if c, ok := d.instanceCount(v, ctx); ok && needsInstances {
			st.InstanceCount = c
		}
		if !needsInstances && typeOK {
			d.errorf(o.key("instance_count"), "step %s of type %s has instance_count but no instance_type", label, st.Type)
		}
	}
	st.FailureException = pipelinedef.DefaultFailureException
	d.stepRun(o, &st, label, typeOK)
	d.stepData(o, &st) // data.go
	if v := o.get("if_probability"); v != nil {
		d.errorf(o.key("if_probability"), "step %s: if_probability applies to Condition steps of a pipeline definition", label)
	}
	return st, nameNode
}

// stepRun decodes the fields of a step's run shared by scenario steps and
// overrides of a definition's steps: duration (the per-type default with a
// warning when absent and defaultDuration), failure_rate,
// failure_exception and retry (which replaces st's policies).
func (d *scenarioDecoder) stepRun(o *object, st *sim.StepSpec, label string, defaultDuration bool) {
	if v := o.get("duration"); v != nil {
		st.Duration, _ = d.stepDuration(v)
	} else if defaultDuration {
		def := DefaultStepDuration(st.Type)
		st.Duration = sim.Dist{Kind: sim.DistFixed, A: float64(def)}
		d.warnf(o.n, "step %s of type %s has no duration; using the default %s", label, st.Type, formatDuration(model.Time(def)))
	}
	if v := o.get("failure_rate"); v != nil {
		if r, ok := d.number(v, "failure_rate"); ok {
			if r < 0 || r > 1 {
				d.errorf(v, "failure_rate must be between 0 and 1, not %s", srcText(v))
			} else {
				st.FailureRate = r
			}
		}
	}
	if v := o.get("failure_exception"); v != nil {
		if s, ok := d.enum(v, "failure_exception", pipelinedef.ExceptionTypes...); ok {
			st.FailureException = s
		}
	}
	if v := o.get("retry"); v != nil {
		st.Retry = nil
		d.eachMapping(v, "retry", "retry policy", retrySchema, func(ro *object) {
			if p, ok := d.retryPolicy(ro); ok {
				st.Retry = append(st.Retry, p)
			}
		})
	}
}

// getParameter resolves {Get: Parameters.X}, the value of what (e.g.
// instance_type), against ctx's parameters; it returns the parameter's
// value and the node to report problems with it at (the Get value). A
// parameter without a default is an error: its value is known only when a
// Start passes it.
func (d *scenarioDecoder) getParameter(n *yaml.Node, what string, ctx *pipelineCtx) (*yaml.Node, *yaml.Node, bool) {
	o := d.mapping(n, what, getSchema)
	if o == nil {
		return nil, nil, false
	}
	d.required(o, "Get")
	v := o.get("Get")
	if v == nil {
		return nil, nil, false
	}
	s, ok := d.str(v, what+" Get")
	if !ok {
		return nil, nil, false
	}
	name, ok := strings.CutPrefix(s, "Parameters.")
	if !ok {
		d.errorf(v, "%s: Get must name a pipeline parameter (Parameters.X), not %q", what, s)
		return nil, nil, false
	}
	p, ok := ctx.param(name)
	if !ok {
		if len(ctx.params) == 0 {
			d.errorf(v, "unknown parameter %q (pipeline %s has no parameters)", name, ctx.name)
		} else {
			names := make([]string, len(ctx.params))
			for i, q := range ctx.params {
				names[i] = q.name
			}
			d.errorf(v, "unknown parameter %q (pipeline %s has %s)", name, ctx.name, strings.Join(names, ", "))
		}
		return nil, nil, false
	}
	if p.required() {
		d.errorf(v, "%s is parameter %s, which has no default: known only at run time, when a Start passes it; give %s a value, or %s a default under the pipeline's parameters", what, name, what, name)
		return nil, nil, false
	}
	return p.val, v, true
}

// instanceType decodes a step's instance_type: a string or a parameter.
func (d *scenarioDecoder) instanceType(n *yaml.Node, ctx *pipelineCtx) string {
	if pn := peek(n); pn != nil && pn.Kind == yaml.MappingNode {
		val, at, ok := d.getParameter(n, "instance_type", ctx)
		if !ok {
			return ""
		}
		if val.ShortTag() != "!!str" || !pipelinedef.ValidInstanceType(val.Value) {
			d.errorf(at, "instance type %q (from %s) must look like ml.m5.xlarge", val.Value, srcText(at))
			return ""
		}
		return val.Value
	}
	s, ok := d.str(n, "instance_type")
	if !ok {
		return ""
	}
	if !pipelinedef.ValidInstanceType(s) {
		d.errorf(n, "instance type %q must look like ml.m5.xlarge", s)
		return ""
	}
	return s
}

// instanceCount decodes a step's instance_count: an integer >= 1 or a
// parameter whose value is one.
func (d *scenarioDecoder) instanceCount(n *yaml.Node, ctx *pipelineCtx) (int, bool) {
	if pn := peek(n); pn != nil && pn.Kind == yaml.MappingNode {
		val, at, ok := d.getParameter(n, "instance_count", ctx)
		if !ok {
			return 0, false
		}
		c, err := strconv.ParseInt(val.Value, 10, 64)
		if (val.ShortTag() != "!!int" && val.ShortTag() != "!!str") || err != nil || c < 1 || c > math.MaxInt32 {
			d.errorf(at, "instance_count from %s is %q, not an integer from 1 to %d", srcText(at), val.Value, math.MaxInt32)
			return 0, false
		}
		return int(c), true
	}
	c, ok := d.integer(n, "instance_count", 1, math.MaxInt32)
	return int(c), ok
}

// stepDuration decodes a fixed duration or a distribution.
func (d *scenarioDecoder) stepDuration(n *yaml.Node) (sim.Dist, bool) {
	if pn := peek(n); pn == nil || pn.Kind != yaml.MappingNode {
		t, ok := d.duration(n, "duration")
		if !ok {
			return sim.Dist{}, false
		}
		if t <= 0 {
			d.errorf(n, "duration must be positive")
			return sim.Dist{}, false
		}
		return sim.Dist{Kind: sim.DistFixed, A: float64(t)}, true
	}
	o := d.mapping(n, "duration", nil)
	if o == nil {
		return sim.Dist{}, false
	}
	v := o.get("dist")
	if v == nil {
		d.required(o, "dist")
		return sim.Dist{}, false
	}
	names := make([]string, len(distKinds))
	for i, k := range distKinds {
		names[i] = k.name
	}
	kind, ok := d.enum(v, "dist", names...)
	if !ok {
		return sim.Dist{}, false
	}
	i := slices.Index(names, kind)
	dk := distKinds[i]
	o.what = kind + " duration"
	keys := []string{"dist"}
	for _, p := range dk.params {
		keys = append(keys, p.name)
	}
	d.restrict(o, o.what, keys)
	dist := sim.Dist{Kind: dk.kind}
	vals := [2]*float64{&dist.A, &dist.B}
	ok = true
	for j, p := range dk.params {
		pv := o.get(p.name)
		if pv == nil {
			d.required(o, p.name)
			ok = false
			continue
		}
		x, pok := d.distParam(pv, p)
		if !pok {
			ok = false
			continue
		}
		*vals[j] = x
	}
	if ok && dk.kind == sim.DistUniform && dist.A >= dist.B {
		d.errorf(o.get("max"), "uniform max (%s) must be greater than min (%s)",
			srcText(o.get("max")), srcText(o.get("min")))
		ok = false
	}
	return dist, ok
}

// distParam decodes one distribution parameter: a positive duration (in
// ns) or a positive finite number.
func (d *scenarioDecoder) distParam(n *yaml.Node, p distParam) (float64, bool) {
	if p.duration {
		t, ok := d.duration(n, p.name)
		if !ok {
			return 0, false
		}
		if t <= 0 {
			d.errorf(n, "%s must be positive, not %s", p.name, srcText(n))
			return 0, false
		}
		return float64(t), true
	}
	x, ok := d.number(n, p.name)
	if !ok {
		return 0, false
	}
	if x <= 0 {
		d.errorf(n, "%s must be positive, not %s", p.name, srcText(n))
		return 0, false
	}
	return x, true
}

// retryPolicy decodes one retry policy.
func (d *scenarioDecoder) retryPolicy(o *object) (sim.RetryPolicy, bool) {
	d.required(o, "exceptions")
	p := sim.RetryPolicy{Interval: pipelinedef.DefaultRetryInterval, Backoff: pipelinedef.DefaultRetryBackoff,
		MaxAttempts: pipelinedef.DefaultRetryAttempts, Pos: d.pos(o.n)}
	ok := true
	if v := o.get("exceptions"); v != nil {
		refs := d.refList(v, "exceptions", false)
		if pv := peek(v); pv != nil && pv.Kind == yaml.SequenceNode && len(pv.Content) == 0 {
			d.errorf(v, "exceptions must not be empty")
			ok = false
		}
		for _, r := range refs {
			if !slices.Contains(pipelinedef.ExceptionTypes, r.S) {
				d.errs.Add(r.Pos, "unknown exception "+strconv.Quote(r.S)+" (want "+orList(pipelinedef.ExceptionTypes)+")")
				ok = false
				continue
			}
			p.Exceptions = append(p.Exceptions, r.S)
		}
	} else {
		ok = false
	}
	if v := o.get("interval"); v != nil {
		if t, tok := d.duration(v, "interval"); tok {
			if t <= 0 {
				d.errorf(v, "interval must be positive")
			} else {
				p.Interval = t
			}
		}
	}
	if v := o.get("backoff"); v != nil {
		if b, bok := d.number(v, "backoff"); bok {
			if b < 1 {
				d.errorf(v, "backoff must be at least 1, not %s", srcText(v))
			} else {
				p.Backoff = b
			}
		}
	}
	if v := o.get("max_attempts"); v != nil {
		if c, cok := d.integer(v, "max_attempts", 0, pipelinedef.MaxRetryAttempts); cok {
			p.MaxAttempts = int(c)
		}
	}
	return p, ok
}

// priceComponentSchema is the keys of a per-component pricing entry.
var priceComponentSchema = func() *schema {
	keys := make([]string, len(sim.Components))
	for i, c := range sim.Components {
		keys[i] = c.String()
	}
	return &schema{keys: keys}
}()

// pricing decodes the top-level pricing table, in file order: instance
// type → USD per instance-hour for every component, or a mapping of
// components (training, processing, transform) to USD per instance-hour.
func (d *scenarioDecoder) pricing(n *yaml.Node) {
	o := d.mapping(n, "pricing", nil)
	if o == nil {
		return
	}
	for _, kv := range o.pairs {
		if !pipelinedef.ValidInstanceType(kv.name) {
			d.errorf(kv.key, "instance type %q must look like ml.m5.xlarge", kv.name)
			continue
		}
		v := peek(kv.val)
		if v == nil || v.Kind != yaml.MappingNode {
			if v != nil && v.Kind != yaml.ScalarNode {
				d.errorf(v, "price of %s must be a number or a mapping of %s to numbers, not %s",
					kv.name, strings.Join(priceComponentSchema.keys, ", "), kindName(v))
				continue
			}
			if x, ok := d.price(kv.val, "price of "+kv.name); ok {
				d.sc.Sim.Pricing = append(d.sc.Sim.Pricing, sim.Price{InstanceType: kv.name,
					Component: sim.AllComponents, USDPerHour: x, Pos: d.pos(kv.key)})
			}
			continue
		}
		co := d.mapping(kv.val, "pricing of "+kv.name, priceComponentSchema)
		if co == nil {
			continue
		}
		if len(co.n.Content) == 0 {
			d.errorf(co.n, "pricing of %s must give at least one of %s", kv.name, strings.Join(priceComponentSchema.keys, ", "))
			continue
		}
		for _, cv := range co.pairs {
			c, _ := sim.ParseComponent(cv.name) // the schema allows only components
			if x, ok := d.price(cv.val, cv.name+" price of "+kv.name); ok {
				d.sc.Sim.Pricing = append(d.sc.Sim.Pricing, sim.Price{InstanceType: kv.name,
					Component: c, USDPerHour: x, Pos: d.pos(cv.key)})
			}
		}
	}
}

// price decodes one price: a positive finite number.
func (d *scenarioDecoder) price(n *yaml.Node, what string) (float64, bool) {
	x, ok := d.number(n, what)
	if !ok {
		return 0, false
	}
	if x <= 0 {
		d.errorf(n, "%s must be positive, not %s", what, srcText(n))
		return 0, false
	}
	return x, true
}
