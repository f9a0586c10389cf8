package pipelinedef

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// This file reads what a step's Arguments say of its data: the S3 URIs its
// job reads and writes, the KMS key it writes them with, and the execution
// role it runs as, each with its position, for importers. It reports no
// problems: a value that is neither a literal nor a parameter is listed in
// Data.Unmapped with why, unless it names an undeclared parameter or an
// unknown step, which are errors of their own (refs, resolveDeps).

// Datum is one value of a step's data: a literal or a parameter.
type Datum struct {
	// Field is where the value is in the step's Arguments, e.g.
	// ProcessingInputs[0].S3Input.S3Uri.
	Field string
	// Value is the literal; for a parameter, its value (the scenario's,
	// else its DefaultValue); for a Std:Join, the joined value.
	Value string
	// Param is X for {"Get": "Parameters.X"}.
	Param string
	// Required is set for a parameter without a value (no DefaultValue,
	// nor one in the scenario): Value is empty, each Start passes one.
	Required bool
	// Joined lists the parameters a Std:Join took its value from (their
	// values as Value says), in the order it names them.
	Joined []string
	Pos    model.Pos
	// Inline is where the value is inside an inline definition (whose
	// scenario value Pos is).
	Inline sim.InlinePos
}

// IsZero reports whether d names nothing.
func (d Datum) IsZero() bool { return d.Field == "" }

// Unmapped is a value of a step's data known only at run time, or not an
// S3 request.
type Unmapped struct {
	Field  string // as Datum.Field
	Pos    model.Pos
	Inline sim.InlinePos // as Datum.Inline
	Why    string        // e.g. "is a property of step Prep (…), known only at run time"
	// node is the value, until the definition is decoded (dropReported).
	node *jnode
}

// Data is what a step's Arguments name of its data.
type Data struct {
	// Role is the execution role's ARN: RoleArn (Processing, Training),
	// TrainingJobDefinition(s).RoleArn (Tuning), ExecutionRoleArn (Model,
	// CreateModel); a Transform step runs as the role of the model step
	// its ModelName gets ({"Get": "Steps.M.ModelName"}).
	Role Datum
	// Inputs are ProcessingInputs[].S3Input.S3Uri,
	// InputDataConfig[].DataSource.S3DataSource.S3Uri and
	// TransformInput.DataSource.S3DataSource.S3Uri.
	Inputs []Datum
	// Outputs are ProcessingOutputConfig.Outputs[].S3Output.S3Uri,
	// OutputDataConfig.S3OutputPath and TransformOutput.S3OutputPath.
	Outputs []Datum
	// KMSKey is the key outputs are written with: the KmsKeyId of
	// ProcessingOutputConfig, OutputDataConfig or TransformOutput.
	KMSKey Datum
	// Unmapped lists the values above known only at run time, and the
	// VolumeKmsKeyId of the instances' storage volumes (not an S3 request).
	Unmapped []Unmapped
}

// dataReader reads one step's data.
type dataReader struct {
	dd *defDecoder
	d  *Data
}

// stepData reads the data of step st, of type typ, from its Arguments.
func (dd *defDecoder) stepData(st *Step, args *jnode, typ string) {
	r := &dataReader{dd: dd, d: &st.Data}
	switch typ {
	case "Processing":
		r.role(args, "", "RoleArn")
		r.each(&r.d.Inputs, args.get("ProcessingInputs"), "ProcessingInputs", []string{"S3Input", "S3Uri"},
			"DatasetDefinition", "is an Athena or Redshift query, not an S3 URI")
		oc := args.get("ProcessingOutputConfig")
		r.each(&r.d.Outputs, oc.get("Outputs"), "ProcessingOutputConfig.Outputs", []string{"S3Output", "S3Uri"},
			"FeatureStoreOutput", "is a Feature Store feature group, not an S3 URI")
		r.key(oc.get("KmsKeyId"), "ProcessingOutputConfig.KmsKeyId")
		r.volumeKey(args.path("ProcessingResources", "ClusterConfig", "VolumeKmsKeyId"), "ProcessingResources.ClusterConfig.VolumeKmsKeyId")
	case "Training":
		r.training(args, "")
	case "Tuning":
		if tjd := args.get("TrainingJobDefinition"); tjd != nil {
			r.training(tjd, "TrainingJobDefinition.")
		}
		for i, tjd := range elems(args.get("TrainingJobDefinitions")) {
			r.training(tjd, fmt.Sprintf("TrainingJobDefinitions[%d].", i))
		}
	case "Transform":
		r.add(&r.d.Inputs, args.path("TransformInput", "DataSource", "S3DataSource", "S3Uri"), "TransformInput.DataSource.S3DataSource.S3Uri")
		out := args.get("TransformOutput")
		r.add(&r.d.Outputs, out.get("S3OutputPath"), "TransformOutput.S3OutputPath")
		r.key(out.get("KmsKeyId"), "TransformOutput.KmsKeyId")
		r.volumeKey(args.path("TransformResources", "VolumeKmsKeyId"), "TransformResources.VolumeKmsKeyId")
		r.modelRole(st, args.get("ModelName"))
	case "Model", "CreateModel":
		r.role(args, "", "ExecutionRoleArn")
	}
}

// training reads a CreateTrainingJob request (a Training step's Arguments,
// or a tuning job's training job definition), its fields under prefix.
func (r *dataReader) training(n *jnode, prefix string) {
	r.role(n, prefix, "RoleArn")
	r.each(&r.d.Inputs, n.get("InputDataConfig"), prefix+"InputDataConfig", []string{"DataSource", "S3DataSource", "S3Uri"},
		"DataSource.FileSystemDataSource", "is an EFS or FSx for Lustre file system, not an S3 URI")
	oc := n.get("OutputDataConfig")
	r.add(&r.d.Outputs, oc.get("S3OutputPath"), prefix+"OutputDataConfig.S3OutputPath")
	r.key(oc.get("KmsKeyId"), prefix+"OutputDataConfig.KmsKeyId")
	r.volumeKey(n.path("ResourceConfig", "VolumeKmsKeyId"), prefix+"ResourceConfig.VolumeKmsKeyId")
}

// each reads the S3 URI at uri (a path of keys) of each element of the
// array list (named field in fields) into to; an element that has other
// (a dotted path) instead is unmapped with why.
func (r *dataReader) each(to *[]Datum, list *jnode, field string, uri []string, other, why string) {
	for i, e := range elems(list) {
		f := fmt.Sprintf("%s[%d].", field, i)
		if e.path(uri[:len(uri)-1]...) != nil {
			r.add(to, e.path(uri...), f+strings.Join(uri, "."))
		} else if o := e.path(strings.Split(other, ".")...); o != nil {
			r.unmapped(o, f+other, why)
		}
	}
}

// elems returns the elements of an array, or nothing.
func elems(n *jnode) []*jnode {
	if n == nil || n.kind != jArr {
		return nil
	}
	return n.arr
}

func (r *dataReader) unmapped(n *jnode, field, why string) {
	r.d.Unmapped = append(r.d.Unmapped, Unmapped{Field: field, Pos: r.dd.src.pos(n.off), Inline: r.dd.src.inlinePos(n.off), Why: why, node: n})
}

// datum evaluates n (nil: absent) as field; false when it is absent or
// unmapped.
func (r *dataReader) datum(n *jnode, field string) (Datum, bool) {
	if n == nil {
		return Datum{}, false
	}
	d := Datum{Field: field, Pos: r.dd.src.pos(n.off), Inline: r.dd.src.inlinePos(n.off)}
	if g := getRef(n); g != nil {
		if name, ok := strings.CutPrefix(g.s, "Parameters."); ok {
			d.Param = name
			if i := r.dd.declared(name); i >= 0 && r.dd.required(i) {
				d.Required = true
				return d, true
			}
		}
	}
	v, joined, why := r.dd.dataValue(n)
	if why != "" {
		r.unmapped(n, field, why)
		return Datum{}, false
	}
	d.Value = v
	if d.Param == "" {
		d.Joined = joined
	}
	return d, true
}

func (r *dataReader) add(to *[]Datum, n *jnode, field string) {
	if d, ok := r.datum(n, field); ok {
		*to = append(*to, d)
	}
}

func (r *dataReader) key(n *jnode, field string) {
	if d, ok := r.datum(n, field); ok && r.d.KMSKey.IsZero() {
		r.d.KMSKey = d
	}
}

// role reads the role ARN at n.key (a step has one role: a later one of
// another tuning training job definition is unmapped; so is a parameter
// without a default, as a role is read from the definition).
func (r *dataReader) role(n *jnode, prefix, key string) {
	d, ok := r.datum(n.get(key), prefix+key)
	switch {
	case !ok:
	case d.Required:
		r.unmapped(n.get(key), d.Field, noDefault(d.Param))
	case r.d.Role.IsZero():
		r.d.Role = d
	case d.Value != r.d.Role.Value:
		r.unmapped(n.get(key), d.Field, fmt.Sprintf("is another role than %s's (%s): a step runs as one role", r.d.Role.Field, r.d.Role.Value))
	}
}

func (r *dataReader) volumeKey(n *jnode, field string) {
	if n != nil {
		r.unmapped(n, field, "encrypts the instances' storage volumes: not an S3 request, not decided by the data plane")
	}
}

// modelRole notes the model step whose role a Transform step runs as; a
// model from outside the pipeline is unmapped.
func (r *dataReader) modelRole(st *Step, n *jnode) {
	if n == nil {
		return
	}
	if g := getRef(n); g != nil {
		if rest, ok := strings.CutPrefix(g.s, "Steps."); ok {
			if name, prop, ok := strings.Cut(rest, "."); ok && prop == "ModelName" {
				st.model = defRef{name: name, off: n.off}
				return
			}
		}
	}
	r.unmapped(n, "ModelName", "names a model created outside the pipeline: the role its transform job runs as is not in the definition")
}

// getRef returns the string of {"Get": "..."}, or nil.
func getRef(n *jnode) *jnode {
	if n.kind != jObj || len(n.obj) != 1 {
		return nil
	}
	if g := n.get("Get"); g != nil && g.kind == jStr {
		return g
	}
	return nil
}

// dataValue evaluates a data value: a string, a parameter with a value or
// a Std:Join of those (joined lists the parameters it took); why says why
// it has no value when the definition is read.
func (dd *defDecoder) dataValue(n *jnode) (v string, joined []string, why string) {
	switch n.kind {
	case jStr:
		return n.s, nil, ""
	case jObj:
		if g := getRef(n); g != nil {
			return dd.getValue(g.s)
		}
		if j := n.get("Std:Join"); j != nil && len(n.obj) == 1 {
			return dd.joinValue(j)
		}
		if len(n.obj) > 0 {
			return "", nil, fmt.Sprintf("is a run-time value (%s)", n.obj[0].name)
		}
	}
	return "", nil, "is " + n.kind.String() + ", not a string"
}

// getValue evaluates {"Get": ref}.
func (dd *defDecoder) getValue(ref string) (string, []string, string) {
	if name, ok := strings.CutPrefix(ref, "Parameters."); ok {
		i := dd.declared(name)
		switch {
		case i < 0:
			return "", nil, "names no declared parameter (Get " + ref + ")"
		case dd.required(i):
			return "", nil, noDefault(name)
		}
		if v, given := dd.values[name]; given {
			return v.Text, []string{name}, ""
		}
		v, _ := dd.def.Params[i].Default()
		return v.Text, []string{name}, ""
	}
	if rest, ok := strings.CutPrefix(ref, "Steps."); ok {
		return "", nil, fmt.Sprintf("is a property of step %s (Get %s), known only at run time", stepOf(rest), ref)
	}
	if strings.HasPrefix(ref, "Execution.") {
		return "", nil, fmt.Sprintf("is an execution variable (Get %s), known only at run time", ref)
	}
	return "", nil, fmt.Sprintf("is a run-time value (Get %s)", ref)
}

// noDefault says why parameter name has no value when the definition is
// read.
func noDefault(name string) string {
	return "is parameter " + name + ", which has no default: known only when a Start passes it"
}

// joinValue evaluates {"Std:Join": {"On": sep, "Values": [...]}}.
func (dd *defDecoder) joinValue(j *jnode) (string, []string, string) {
	on, vals := j.get("On"), j.get("Values")
	if j.kind != jObj || vals == nil || vals.kind != jArr || on != nil && on.kind != jStr {
		return "", nil, "is a malformed Std:Join"
	}
	sep := ""
	if on != nil {
		sep = on.s
	}
	var parts, joined []string
	for _, v := range vals.arr {
		var s, why string
		var params []string
		if v.kind == jNum || v.kind == jBool {
			s = literal(v).s
		} else {
			s, params, why = dd.dataValue(v)
		}
		if why != "" {
			return "", nil, "is a Std:Join of a value that " + why
		}
		parts = append(parts, s)
		joined = append(joined, params...)
	}
	return strings.Join(parts, sep), joined, ""
}

// dropReported drops the unmapped values that name an undeclared
// parameter or an unknown step: one mistake, one problem (the error refs
// or resolveDeps reported).
func (dd *defDecoder) dropReported() {
	for i := range dd.def.Steps {
		d := &dd.def.Steps[i].Data
		d.Unmapped = slices.DeleteFunc(d.Unmapped, func(u Unmapped) bool { return dd.badRef(u.node) })
		for j := range d.Unmapped {
			d.Unmapped[j].node = nil
		}
	}
}

// badRef reports whether n (nil: nothing) holds a Get of an undeclared
// parameter or of an unknown step.
func (dd *defDecoder) badRef(n *jnode) bool {
	if n == nil {
		return false
	}
	if g := getRef(n); g != nil {
		if name, ok := strings.CutPrefix(g.s, "Parameters."); ok {
			return dd.declared(name) < 0
		}
		if rest, ok := strings.CutPrefix(g.s, "Steps."); ok {
			_, known := dd.seen[stepOf(rest)]
			return !known
		}
		return false
	}
	for _, c := range n.arr {
		if dd.badRef(c) {
			return true
		}
	}
	for _, f := range n.obj {
		if dd.badRef(f.val) {
			return true
		}
	}
	return false
}

// resolveModelRoles gives each Transform step the role of the model step
// its ModelName names.
func (dd *defDecoder) resolveModelRoles() {
	for i := range dd.def.Steps {
		st := &dd.def.Steps[i]
		if st.model.name == "" {
			continue
		}
		m := dd.def.Step(st.model.name)
		switch {
		case m == nil:
			// An unknown step: reported by resolveDeps.
		case m.Data.Role.IsZero():
			st.Data.Unmapped = append(st.Data.Unmapped, Unmapped{Field: "ModelName", Pos: dd.src.pos(st.model.off),
				Why: "names the model of step " + m.Spec.Name + ", whose execution role is not in the definition"})
		default:
			st.Data.Role = m.Data.Role
		}
	}
}
