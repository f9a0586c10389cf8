package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pipeshare/pipeshare/internal/input"
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios/pipelinedef"
	"github.com/pipeshare/pipeshare/sim"
)

// This file reads a pipeline's definition: key (a SageMaker pipeline
// definition, decoded by package pipelinedef) and merges the definition's
// steps with the pipeline's steps: entries, by step name: definitions carry
// no durations, and the scenario may override what a definition says.

// definition reads a pipeline's definition: a file relative to the file
// that names it, or inline JSON (a string starting with '{'). It returns
// nil after reporting when there is nothing to merge.
func (d *scenarioDecoder) definition(n *yaml.Node, ctx *pipelineCtx) *pipelinedef.Definition {
	if pn := peek(n); pn != nil && (pn.Kind == yaml.MappingNode || pn.Kind == yaml.SequenceNode) {
		d.errorf(n, "definition must be a file name or a JSON string, not %s (quote inline JSON: definition: '{\"Version\": ...}')", kindName(pn))
		return nil
	}
	ref, ok := d.str(n, "definition")
	if !ok {
		return nil
	}
	at := d.pos(n)
	var src *pipelinedef.Source
	if strings.HasPrefix(strings.TrimSpace(ref), "{") {
		src = pipelinedef.InlineSource(at, []byte(ref))
	} else {
		if ref == "" {
			d.errorf(n, "definition must name a file or hold JSON")
			return nil
		}
		if d.readFile == nil {
			d.errorf(n, "definition: cannot read %s here (no file access); give the JSON inline", input.Cut(ref))
			return nil
		}
		p := inDir(filepath.Dir(at.File), ref)
		data, err := d.readFile(p)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			d.errorf(n, "definition: %s: %v", input.Cut(p), err)
			return nil
		}
		src = pipelinedef.FileSource(p, data)
	}
	values := map[string]pipelinedef.Value{}
	for _, p := range ctx.params {
		tag := p.val.ShortTag()
		if p.required() {
			values[p.name] = pipelinedef.Value{Required: true}
		} else {
			values[p.name] = pipelinedef.Value{Text: p.val.Value, Number: tag == "!!int" || tag == "!!float"}
		}
	}
	def, problems := pipelinedef.Decode(src, values, ctx.name)
	d.errs.AddPosErrors(problems)
	if def == nil {
		return nil
	}
	// The scenario's parameters override declared ones; the definition's
	// defaults serve {Get: Parameters.X} in the scenario's steps too, and
	// its parameters without one are the pipeline's required ones.
	for _, p := range ctx.params {
		if !slices.ContainsFunc(def.Params, func(q pipelinedef.Param) bool { return q.Name == p.name }) {
			d.warnf(p.val, "parameter %s is not declared in the definition of pipeline %s (it declares %s)",
				p.name, ctx.name, def.ParamNames())
		}
	}
	for _, q := range def.Params {
		if _, given := ctx.param(q.Name); given {
			continue
		}
		v, ok := q.Default()
		tag := "!!str"
		switch {
		case !ok:
			tag = "!!null"
		case v.Number:
			tag = "!!float"
			if q.Type == "Integer" {
				tag = "!!int"
			}
		}
		ctx.params = append(ctx.params, param{name: q.Name,
			val: &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.Text, Line: n.Line, Column: n.Column}})
	}
	return def
}

// mergeSteps puts def's steps into spec, merged with the scenario's steps:
// entries (steps, nil when absent) by step name, field by field.
func (d *scenarioDecoder) mergeSteps(spec *sim.PipelineSpec, def *pipelinedef.Definition, steps *yaml.Node, ctx *pipelineCtx) {
	given := map[string]*object{}
	scenarioData := false // the scenario's steps: give some data
	if steps != nil {
		seen := map[string]*yaml.Node{}
		d.eachMapping(steps, "steps", "step", stepSchema, func(so *object) {
			name, nameNode := d.overrideStep(so, ctx, def)
			if name == "" {
				return
			}
			if prev, dup := seen[name]; dup {
				d.errorf(nameNode, "duplicate step name %q in pipeline %s (first at %s)", name, ctx.name, d.pos(prev))
				return
			}
			seen[name] = nameNode
			given[name] = so
			scenarioData = scenarioData || givesData(so)
		})
	}
	// With the data plane on, the definition gives the steps' data unless
	// the scenario's steps: give some (then they give all of it).
	switch dataPlane := len(d.sc.Model.Buckets)+len(d.sc.Model.Keys) > 0; {
	case dataPlane && !scenarioData:
		for i := range def.Steps {
			d.definitionData(def, &def.Steps[i], given[def.Steps[i].Spec.Name], spec)
		}
	case dataPlane:
		d.scenarioDataOnly(def, given, spec)
	}
	for i := range def.Steps {
		ds := &def.Steps[i]
		st := &ds.Spec
		if given[st.Name] == nil {
			if e := def.Lacking(ds, "under the pipeline's steps"); e != nil {
				d.errs.AddPosError(e)
			}
			d.errs.AddPosError(def.Problem(ds, true, fmt.Sprintf("step %s of type %s has no duration; using the default %s",
				st.Name, st.Type, formatDuration(model.Time(DefaultStepDuration(st.Type))))))
			st.Duration = sim.Dist{Kind: sim.DistFixed, A: float64(DefaultStepDuration(st.Type))}
		}
		spec.Steps = append(spec.Steps, *st)
	}
}

// overrideStep merges one scenario steps: entry into the definition's step
// of the same name. It returns the name ("" when unusable) and its node.
func (d *scenarioDecoder) overrideStep(o *object, ctx *pipelineCtx, def *pipelinedef.Definition) (string, *yaml.Node) {
	d.required(o, "name")
	nameNode := o.get("name")
	if nameNode == nil {
		return "", nil
	}
	name, ok := d.str(nameNode, "step name")
	if !ok {
		return "", nil
	}
	ds := def.Step(name)
	if ds == nil {
		d.errorf(nameNode, "step %q is not in the definition of pipeline %s (its steps: %s)", name, ctx.name, def.StepNames())
		return "", nil
	}
	st := &ds.Spec
	if v := o.get("type"); v != nil {
		if s, ok := d.str(v, "step type"); ok && s != st.Type {
			d.errorf(v, "step %s is a %s step in the definition, not %s", name, st.Type, s)
		}
	}
	if v := o.get("depends_on"); v != nil {
		st.DependsOn = d.refList(v, "depends_on", false)
	}
	if v := o.get("instance_type"); v != nil {
		if it := d.instanceType(v, ctx); it != "" {
			st.InstanceType, st.InstanceTypePos = it, d.pos(v)
			st.InstanceCount = max(st.InstanceCount, 1)
			ds.NeedsInstanceType = false
		}
	}
	if v := o.get("instance_count"); v != nil {
		if c, ok := d.instanceCount(v, ctx); ok {
			if st.InstanceType == "" && !ds.NeedsInstanceType {
				d.errorf(o.key("instance_count"), "step %s of type %s has instance_count but no instance_type", name, st.Type)
			}
			st.InstanceCount = c
			ds.NeedsInstanceCount = false
		}
	}
	if field, why := ds.Lacks(); field != "" && !o.has(field) {
		d.errorf(o.n, "%s; give %s", why, field)
	}
	d.stepRun(o, st, name, true)
	d.stepData(o, st)
	if v := o.get("if_probability"); v != nil {
		switch r, ok := d.number(v, "if_probability"); {
		case !ok:
		case st.Type != "Condition":
			d.errorf(o.key("if_probability"), "step %s: if_probability applies to Condition steps, not %s steps", name, st.Type)
		case r < 0 || r > 1:
			d.errorf(v, "if_probability must be between 0 and 1, not %s", srcText(v))
		case st.Static != 0:
			branch := "if"
			if st.Static < 0 {
				branch = "else"
			}
			d.warnf(v, "step %s: the condition is decided when the scenario loads (the %s branch); if_probability is ignored", name, branch)
		default:
			st.IfProbability = r
		}
	}
	return name, nameNode
}

// definitionData puts what step ds's Arguments name of its data into its
// spec, as the import does (docs/importing.md#the-data-of-a-definition):
// the role it runs as (unless the pipeline's role: or its steps: entry,
// nil when none, gives one), its S3 inputs and outputs and its output KMS
// key. What the data plane cannot decide is a
// warning at its position in the definition, and left out: a value known
// only at run time, a URI that is not S3's, an AWS managed key, the data
// of a step that runs as no role. A role or a Std:Join taken from
// parameters keeps the values the scenario gives them, with a warning. A
// parameter without a default is decided per Start, with the value each
// passes.
func (d *scenarioDecoder) definitionData(def *pipelinedef.Definition, ds *pipelinedef.Step, entry *object, spec *sim.PipelineSpec) {
	st, data := &ds.Spec, &ds.Data
	warn := d.stepWarner(st.Name)
	for _, u := range data.Unmapped {
		if strings.Contains(u.Why, "data plane") {
			warn(u.Pos, u.Inline, "%s %s", u.Field, u.Why)
		} else {
			warn(u.Pos, u.Inline, "%s %s; the data plane does not decide it", u.Field, u.Why)
		}
	}
	if r := data.Role; !r.IsZero() && spec.Role.S == "" && (entry == nil || !entry.has("role")) {
		st.Role, st.RoleInline = definitionRole(r, spec.Account.S, warn), r.Inline
	}
	if st.Role.S == "" && spec.Role.S == "" {
		if len(data.Inputs)+len(data.Outputs) > 0 {
			d.errs.AddPosError(def.Problem(ds, true, "step "+st.Name+": its S3 data is not decided: the definition names no role it runs as (give the pipeline or the step a role:)"))
		}
		return
	}
	ref := func(x pipelinedef.Datum) sim.DataRef {
		if x.Param != "" {
			return sim.DataRef{Param: x.Param, Pos: x.Pos, Inline: x.Inline}
		}
		if len(x.Joined) > 0 {
			warn(x.Pos, x.Inline, "%s is a Std:Join of parameters (%s): decided as %q, with the values the scenario gives them, whatever a Start passes",
				x.Field, datumParams(x), x.Value)
		}
		return sim.DataRef{Value: x.Value, Pos: x.Pos, Inline: x.Inline}
	}
	uris := func(to *[]sim.DataRef, from []pipelinedef.Datum) {
		for _, x := range from {
			if _, _, err := model.ParseS3URI(x.Value); err != nil && !x.Required {
				warn(x.Pos, x.Inline, "%s: %v; the data plane does not decide it", x.Field, err)
				continue
			}
			*to = append(*to, ref(x))
		}
	}
	uris(&st.Inputs, data.Inputs)
	uris(&st.Outputs, data.Outputs)
	if k := data.KMSKey; !k.IsZero() {
		if model.IsAWSManagedKey(k.Value) {
			warn(k.Pos, k.Inline, "%s %q is an AWS managed key, whose key policy cannot be written; the data plane does not decide it", k.Field, k.Value)
		} else {
			st.KMSKey = ref(k)
		}
	}
}

// scenarioDataOnly handles a pipeline whose steps: entries give data, so
// that the definition's is not read: a step given data but no role still
// runs as the definition's role (unless the pipeline's role: gives one),
// and a warning lists the definition's data that no entry replaces.
func (d *scenarioDecoder) scenarioDataOnly(def *pipelinedef.Definition, given map[string]*object, spec *sim.PipelineSpec) {
	var dropped []string
	for i := range def.Steps {
		ds := &def.Steps[i]
		st, data, entry := &ds.Spec, &ds.Data, given[ds.Spec.Name]
		gives := entry != nil && givesData(entry)
		switch {
		case gives && !entry.has("role") && spec.Role.S == "" && !data.Role.IsZero():
			st.Role, st.RoleInline = definitionRole(data.Role, spec.Account.S, d.stepWarner(st.Name)), data.Role.Inline
		case !gives && len(data.Inputs)+len(data.Outputs) > 0 || !gives && !data.KMSKey.IsZero():
			dropped = append(dropped, st.Name)
		}
	}
	if len(dropped) > 0 {
		d.errs.Warn(spec.Pos, fmt.Sprintf("pipeline %s: its steps: give data, so its definition's is not read: the data of %s is not decided (give it under steps:, or give no data there to read the definition's)",
			spec.Name.S, strings.Join(dropped, ", ")))
	}
}

// definitionRole is the role a definition's role ARN r names: the ARN,
// or role/NAME of the owner account when the ARN is another account's (a
// definition written in one account and run in another); "" when r is no
// role ARN.
func definitionRole(r pipelinedef.Datum, owner string, warn dataWarner) model.Ref {
	acct, name, err := model.ParsePrincipalARN(r.Value)
	if err != nil || !strings.HasPrefix(name, "role/") || strings.HasPrefix(r.Value, "arn:aws:sts:") {
		warn(r.Pos, r.Inline, "%s %q is not an IAM role ARN", r.Field, r.Value)
		return model.Ref{}
	}
	if ps := datumParams(r); ps != "" {
		warn(r.Pos, r.Inline, "%s takes parameters (%s): the step runs as %s whatever a Start passes", r.Field, ps, r.Value)
	}
	if string(acct) != owner {
		warn(r.Pos, r.Inline, "%s %s is in account %s: an execution role is in the pipeline's account, so the step runs as %s of %s", r.Field, r.Value, acct, name, owner)
		return model.Ref{S: name, Pos: r.Pos}
	}
	return model.Ref{S: r.Value, Pos: r.Pos}
}

// givesData reports whether a steps: entry gives data: inputs, outputs or
// a KMS key.
func givesData(o *object) bool { return o.has("inputs") || o.has("outputs") || o.has("kms_key") }

// dataWarner warns about a value of a definition's data at its position
// (and its position inside an inline definition).
type dataWarner func(at model.Pos, in sim.InlinePos, format string, args ...any)

// stepWarner returns a dataWarner for the data of step, its messages
// starting "step NAME: ".
func (d *scenarioDecoder) stepWarner(step string) dataWarner {
	return func(at model.Pos, in sim.InlinePos, format string, args ...any) {
		d.errs.Warn(at, in.Msg("step "+step+": "+fmt.Sprintf(format, args...)))
	}
}

// datumParams lists the parameters x takes its value from, "" for a
// literal.
func datumParams(x pipelinedef.Datum) string {
	if x.Param != "" {
		return x.Param
	}
	return strings.Join(slices.Compact(slices.Clone(x.Joined)), ", ")
}
