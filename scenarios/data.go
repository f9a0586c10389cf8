package scenarios

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// This file decodes the data plane (docs/scenario-format.md#data-plane):
// buckets, KMS keys, RCPs, the Principal element of resource policies,
// the execution roles and data of pipelines and steps, and the
// parameters Starts pass.

var (
	bucketSchema     = &schema{keys: []string{"name", "account", "region", "policy", "encryption", "object_ownership"}}
	encryptionSchema = &schema{keys: []string{"kms_key"}}
	keySchema        = &schema{keys: []string{"id", "alias", "account", "region", "policy"}}
	rcpSchema        = &schema{keys: []string{"target", "policies"}}
	paramRefSchema   = &schema{keys: []string{"param"}}
)

// keys decodes the KMS keys.
func (d *scenarioDecoder) keys(n *yaml.Node) {
	d.eachMapping(n, "keys", "key", keySchema, func(o *object) {
		d.required(o, "id", "account")
		k := model.KeyConfig{Pos: d.pos(o.n)}
		if v := o.get("id"); v != nil {
			k.ID = d.ref(v, "key id")
		}
		if v := o.get("alias"); v != nil {
			k.Alias = d.ref(v, "key alias")
		}
		if v := o.get("account"); v != nil {
			k.Account = d.accountRef(v, "key account")
		}
		if v := o.get("region"); v != nil {
			k.Region = d.ref(v, "key region")
		}
		if v := o.get("policy"); v != nil {
			if doc, ok := d.policyDoc(v, "key policy"); ok {
				k.Policy = &doc
			}
		}
		d.sc.Model.Keys = append(d.sc.Model.Keys, k)
	})
}

// buckets decodes the S3 buckets.
func (d *scenarioDecoder) buckets(n *yaml.Node) {
	d.eachMapping(n, "buckets", "bucket", bucketSchema, func(o *object) {
		d.required(o, "name", "account")
		b := model.BucketConfig{Pos: d.pos(o.n)}
		if v := o.get("name"); v != nil {
			b.Name = d.ref(v, "bucket name")
		}
		if v := o.get("account"); v != nil {
			b.Account = d.accountRef(v, "bucket account")
		}
		if v := o.get("region"); v != nil {
			b.Region = d.ref(v, "bucket region")
		}
		if v := o.get("policy"); v != nil {
			if doc, ok := d.policyDoc(v, "bucket policy"); ok {
				b.Policy = &doc
			}
		}
		if v := o.get("encryption"); v != nil {
			if eo := d.mapping(v, "encryption", encryptionSchema); eo != nil {
				d.required(eo, "kms_key")
				if kv := eo.get("kms_key"); kv != nil {
					b.KMSKey = d.ref(kv, "kms_key")
				}
			}
		}
		if v := o.get("object_ownership"); v != nil {
			if s, ok := d.enum(v, "object_ownership", model.ObjectOwnershipNames()...); ok {
				b.Ownership, _ = model.ParseObjectOwnership(s)
			}
		}
		d.sc.Model.Buckets = append(d.sc.Model.Buckets, b)
	})
}

// rcps decodes organization.rcps: [{target: / | /path | ACCOUNT, policies: [...]}].
func (d *scenarioDecoder) rcps(n *yaml.Node) []model.RCPConfig {
	var out []model.RCPConfig
	d.eachMapping(n, "rcps", "rcps entry", rcpSchema, func(o *object) {
		d.required(o, "target", "policies")
		r := model.RCPConfig{Pos: d.pos(o.n)}
		if v := o.get("target"); v != nil {
			if s := peek(v); s != nil && s.Kind == yaml.ScalarNode && !strings.HasPrefix(s.Value, "/") {
				r.Target = d.accountRef(v, "target")
			} else {
				r.Target = d.ref(v, "target")
			}
		}
		if v := o.get("policies"); v != nil {
			r.Policies = d.refList(v, "policies", false)
		}
		out = append(out, r)
	})
	return out
}

// principals decodes a statement's Principal: "*" or {AWS: …, Service: …},
// each a string or a list.
func (d *scenarioDecoder) principals(n *yaml.Node) []model.PrincipalDoc {
	v := d.deref(n)
	if v == nil {
		return nil
	}
	if v.Kind == yaml.ScalarNode {
		s, ok := d.str(v, "Principal")
		if ok && s != "*" {
			d.errorf(v, "Principal must be \"*\" or a mapping such as {AWS: ARN}, not %q", s)
		}
		return []model.PrincipalDoc{{Kind: "AWS", Value: model.Ref{S: s, Pos: d.pos(v)}}}
	}
	o := d.mapping(v, "Principal", nil)
	if o == nil {
		return nil
	}
	var out []model.PrincipalDoc
	for _, kv := range o.pairs {
		for _, r := range d.stringOrList(kv.val, "Principal "+kv.name) {
			out = append(out, model.PrincipalDoc{Kind: kv.name, Value: r})
		}
	}
	return out
}

// pipelineData decodes a pipeline's role, setup_time and the defaults of
// its parameters (a null one: required) into spec.
func (d *scenarioDecoder) pipelineData(o *object, spec *sim.PipelineSpec, ctx *pipelineCtx) {
	if v := o.get("role"); v != nil {
		spec.Role = d.ref(v, "role")
	}
	if v := o.get("setup_time"); v != nil {
		if t, ok := d.duration(v, "setup_time"); ok {
			if t <= 0 {
				d.errorf(v, "setup_time must be positive")
			} else {
				spec.SetupTime = sim.Time(t)
			}
		}
	}
	for _, p := range ctx.params {
		sp := sim.Param{Name: p.name, Value: p.val.Value, Pos: d.pos(p.val)}
		if p.required() {
			sp.Value, sp.Required = "", true
		}
		spec.Parameters = append(spec.Parameters, sp)
	}
}

// stepData decodes a step's role, inputs, outputs and kms_key.
func (d *scenarioDecoder) stepData(o *object, st *sim.StepSpec) {
	if v := o.get("role"); v != nil {
		st.Role = d.ref(v, "role")
	}
	for _, f := range []struct {
		key string
		dst *[]sim.DataRef
	}{{"inputs", &st.Inputs}, {"outputs", &st.Outputs}} {
		if v := o.get(f.key); v != nil {
			*f.dst = nil
			for _, it := range d.list(v, f.key) {
				if r, ok := d.dataRef(it, f.key+" entry"); ok {
					*f.dst = append(*f.dst, r)
				}
			}
		}
	}
	if v := o.get("kms_key"); v != nil {
		st.KMSKey, _ = d.dataRef(v, "kms_key")
	}
}

// dataRef decodes an S3 URI or KMS key: a string or {param: Name}.
func (d *scenarioDecoder) dataRef(n *yaml.Node, what string) (sim.DataRef, bool) {
	if pn := peek(n); pn != nil && pn.Kind == yaml.MappingNode {
		o := d.mapping(n, what, paramRefSchema)
		if o == nil {
			return sim.DataRef{}, false
		}
		d.required(o, "param")
		v := o.get("param")
		if v == nil {
			return sim.DataRef{}, false
		}
		r := d.ref(v, what+" param")
		return sim.DataRef{Param: r.S, Pos: r.Pos}, r.S != ""
	}
	r := d.ref(n, what)
	return sim.DataRef{Value: r.S, Pos: r.Pos}, r.S != ""
}

// startParameters decodes a workload entry's parameters: NAME: value for
// every caller, or CALLER: {NAME: value} for one of the entry's callers.
func (d *scenarioDecoder) startParameters(n *yaml.Node, w *sim.Workload) {
	o := d.mapping(n, "parameters", nil)
	if o == nil {
		return
	}
	params := func(o *object) []sim.Param {
		var out []sim.Param
		for _, kv := range o.pairs {
			if val, ok := d.text(kv.val, "parameter "+kv.name); ok {
				out = append(out, sim.Param{Name: kv.name, Value: val, Pos: d.pos(kv.val), NamePos: d.pos(kv.key)})
			}
		}
		return out
	}
	var all object
	for _, kv := range o.pairs {
		if pv := peek(kv.val); pv != nil && pv.Kind == yaml.MappingNode {
			if co := d.mapping(kv.val, "parameters of "+kv.name, nil); co != nil {
				w.CallerParameters = append(w.CallerParameters, sim.CallerParams{
					Caller: model.Ref{S: kv.name, Pos: d.pos(kv.key)}, Params: params(co), Pos: d.pos(kv.key)})
			}
			continue
		}
		all.pairs = append(all.pairs, kv)
	}
	w.Parameters = params(&all)
}
