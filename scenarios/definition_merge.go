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
		values[p.name] = pipelinedef.Value{Text: p.val.Value, Number: tag == "!!int" || tag == "!!float"}
	}
	def, problems := pipelinedef.Decode(src, values, ctx.name)
	d.errs.AddPosErrors(problems)
	if def == nil {
		return nil
	}
	// The scenario's parameters override declared ones; the definition's
	// defaults serve {Get: Parameters.X} in the scenario's steps too.
	for _, p := range ctx.params {
		if !slices.ContainsFunc(def.Params, func(q pipelinedef.Param) bool { return q.Name == p.name }) {
			d.warnf(p.val, "parameter %s is not declared in the definition of pipeline %s (it declares %s)",
				p.name, ctx.name, def.ParamNames())
		}
	}
	for _, q := range def.Params {
		v, ok := q.Default()
		if _, given := ctx.param(q.Name); given || !ok {
			continue
		}
		tag := "!!str"
		if v.Number {
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
	given := map[string]bool{}
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
			given[name] = true
		})
	}
	for i := range def.Steps {
		ds := &def.Steps[i]
		st := &ds.Spec
		if !given[st.Name] {
			if ds.NeedsInstanceType {
				d.errs.AddPosError(def.Problem(ds, false, fmt.Sprintf("step %s of type %s has no instance type in the definition; give instance_type under the pipeline's steps", st.Name, st.Type)))
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
	if ds.NeedsInstanceType {
		d.errorf(o.n, "step %s of type %s has no instance type in the definition; give instance_type", name, st.Type)
	}
	if v := o.get("instance_count"); v != nil {
		if c, ok := d.instanceCount(v, ctx); ok {
			if st.InstanceType == "" && !ds.NeedsInstanceType {
				d.errorf(o.key("instance_count"), "step %s of type %s has instance_count but no instance_type", name, st.Type)
			}
			st.InstanceCount = c
		}
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
