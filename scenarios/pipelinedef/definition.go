package pipelinedef

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pipeshare/pipeshare/internal/jsonpos"
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// This file parses a definition's JSON with a small parser that keeps each
// value's byte offset, and decodes the tree into steps, so that every
// problem is reported at file:line:col of the offending value.

// Version is the only Version of the definition schema.
const Version = "2020-12-01"

// maxJSONDepth bounds the nesting of a definition's JSON.
const maxJSONDepth = 200

// jkind is the kind of a JSON value.
type jkind uint8

const (
	jNull jkind = iota + 1
	jBool
	jNum
	jStr
	jArr
	jObj
)

// jnode is a parsed JSON value with the byte offset where it starts.
type jnode struct {
	kind jkind
	off  int
	s    string // a string's value, a number's text
	b    bool
	arr  []*jnode
	obj  []jfield
}

// jfield is one member of a JSON object.
type jfield struct {
	name string
	off  int // the key's offset
	val  *jnode
}

// get returns the value of member key of an object, or nil.
func (n *jnode) get(key string) *jnode {
	if n == nil || n.kind != jObj {
		return nil
	}
	for _, f := range n.obj {
		if f.name == key {
			return f.val
		}
	}
	return nil
}

// path follows keys through nested objects.
func (n *jnode) path(keys ...string) *jnode {
	for _, k := range keys {
		n = n.get(k)
	}
	return n
}

func (k jkind) String() string {
	switch k {
	case jNull:
		return "null"
	case jBool:
		return "a boolean"
	case jNum:
		return "a number"
	case jStr:
		return "a string"
	case jArr:
		return "an array"
	case jObj:
		return "an object"
	}
	return "nothing"
}

// jsonError is a JSON syntax error at a byte offset.
type jsonError struct {
	off int
	msg string
}

// jparser parses JSON text into jnodes.
type jparser struct {
	data  []byte
	i     int
	depth int
	err   *jsonError
}

// parseJSON parses one JSON value (with only white space around it).
func parseJSON(data []byte) (*jnode, *jsonError) {
	p := &jparser{data: data}
	p.ws()
	n := p.value()
	if p.err == nil {
		p.ws()
		if p.i < len(p.data) {
			p.fail(p.i, "unexpected %s after the JSON value", p.what())
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	return n, nil
}

func (p *jparser) fail(off int, format string, args ...any) {
	if p.err == nil {
		p.err = &jsonError{off: off, msg: fmt.Sprintf(format, args...)}
	}
}

// what names the byte at p.i for messages.
func (p *jparser) what() string {
	if p.i >= len(p.data) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(p.data[p.i:])
	return strconv.QuoteRune(r)
}

func (p *jparser) ws() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jparser) value() *jnode {
	if p.err != nil {
		return nil
	}
	if p.i >= len(p.data) {
		p.fail(p.i, "unexpected end of input, want a value")
		return nil
	}
	start := p.i
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, ok := p.str()
		if !ok {
			return nil
		}
		return &jnode{kind: jStr, off: start, s: s}
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if strings.HasPrefix(string(p.data[p.i:min(len(p.data), p.i+5)]), lit) {
				p.i += len(lit)
				if lit == "null" {
					return &jnode{kind: jNull, off: start}
				}
				return &jnode{kind: jBool, off: start, b: lit == "true"}
			}
		}
	}
	p.fail(p.i, "unexpected %s, want a value", p.what())
	return nil
}

func (p *jparser) enter() bool {
	p.depth++
	if p.depth > maxJSONDepth {
		p.fail(p.i, "JSON nested deeper than %d levels", maxJSONDepth)
		return false
	}
	return true
}

func (p *jparser) object() *jnode {
	n := &jnode{kind: jObj, off: p.i}
	if !p.enter() {
		return nil
	}
	defer func() { p.depth-- }()
	p.i++ // {
	p.ws()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return n
	}
	for p.err == nil {
		p.ws()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			p.fail(p.i, "unexpected %s, want a member name (a string)", p.what())
			return nil
		}
		koff := p.i
		name, ok := p.str()
		if !ok {
			return nil
		}
		for _, f := range n.obj {
			if f.name == name {
				p.fail(koff, "duplicate key %q", name)
				return nil
			}
		}
		p.ws()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			p.fail(p.i, "unexpected %s, want ':' after member name %q", p.what(), name)
			return nil
		}
		p.i++
		p.ws()
		v := p.value()
		if p.err != nil {
			return nil
		}
		n.obj = append(n.obj, jfield{name: name, off: koff, val: v})
		p.ws()
		if p.i < len(p.data) && p.data[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.data) && p.data[p.i] == '}' {
			p.i++
			return n
		}
		p.fail(p.i, "unexpected %s, want ',' or '}'", p.what())
	}
	return nil
}

func (p *jparser) array() *jnode {
	n := &jnode{kind: jArr, off: p.i}
	if !p.enter() {
		return nil
	}
	defer func() { p.depth-- }()
	p.i++ // [
	p.ws()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return n
	}
	for p.err == nil {
		p.ws()
		v := p.value()
		if p.err != nil {
			return nil
		}
		n.arr = append(n.arr, v)
		p.ws()
		if p.i < len(p.data) && p.data[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.data) && p.data[p.i] == ']' {
			p.i++
			return n
		}
		p.fail(p.i, "unexpected %s, want ',' or ']'", p.what())
	}
	return nil
}

// str scans a string at p.i and decodes it with encoding/json (which
// handles escapes and surrogate pairs).
func (p *jparser) str() (string, bool) {
	start := p.i
	p.i++ // "
	for p.i < len(p.data) {
		switch c := p.data[p.i]; {
		case c == '\\':
			p.i += 2
			continue
		case c == '"':
			p.i++
			var s string
			if err := json.Unmarshal(p.data[start:p.i], &s); err != nil {
				p.fail(start, "invalid string: %v", strings.TrimPrefix(err.Error(), "json: "))
				return "", false
			}
			return s, true
		case c < 0x20:
			p.fail(p.i, "control character %q in a string", rune(c))
			return "", false
		}
		p.i++
	}
	p.fail(start, "unterminated string")
	return "", false
}

// number scans a JSON number: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
func (p *jparser) number() *jnode {
	start := p.i
	digits := func() bool {
		s := p.i
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
		}
		return p.i > s
	}
	if p.data[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.data) && p.data[p.i] == '0':
		p.i++
	case !digits():
		p.fail(p.i, "unexpected %s in a number", p.what())
		return nil
	}
	if p.i < len(p.data) && p.data[p.i] == '.' {
		p.i++
		if !digits() {
			p.fail(p.i, "unexpected %s in a number, want a digit", p.what())
			return nil
		}
	}
	if p.i < len(p.data) && (p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		p.i++
		if p.i < len(p.data) && (p.data[p.i] == '+' || p.data[p.i] == '-') {
			p.i++
		}
		if !digits() {
			p.fail(p.i, "unexpected %s in a number's exponent", p.what())
			return nil
		}
	}
	return &jnode{kind: jNum, off: start, s: string(p.data[start:p.i])}
}

// Source is a definition's JSON and where it comes from, for positions: a
// file (positions are file:line:col of the JSON) or a string inside a
// scenario (positions are the scenario value's, and messages give the line
// and column inside the JSON).
type Source struct {
	file   string
	data   []byte
	lines  *jsonpos.Lines
	inline bool
	at     model.Pos // the scenario value holding inline JSON
}

// FileSource is the definition data read from file, the name used in
// positions.
func FileSource(file string, data []byte) *Source {
	return &Source{file: file, data: data, lines: jsonpos.NewLines(data)}
}

// InlineSource is the definition data written as a string at position at
// of a scenario.
func InlineSource(at model.Pos, data []byte) *Source {
	return &Source{file: at.File, data: data, lines: jsonpos.NewLines(data), inline: true, at: at}
}

// problem is an error (or a warning) at offset off.
func (s *Source) problem(off int, warn bool, msg string) *model.PosError {
	e := &model.PosError{Pos: s.pos(off), Msg: s.inlinePos(off).Msg(msg)}
	if warn {
		e.Severity = model.SeverityWarning
	}
	return e
}

// inlinePos is offset off inside inline JSON; zero for a file.
func (s *Source) inlinePos(off int) sim.InlinePos {
	if !s.inline {
		return sim.InlinePos{}
	}
	line, col := s.lines.LineCol(off)
	return sim.InlinePos{Line: line, Col: col}
}

// pos is offset off as a position for sim's messages.
func (s *Source) pos(off int) model.Pos {
	if s.inline {
		return s.at
	}
	line, col := s.lines.LineCol(off)
	return model.Pos{File: s.file, Line: line, Col: col}
}

// Value is a scenario's value for a pipeline parameter, or a parameter's
// DefaultValue.
type Value struct {
	Text   string
	Number bool // written as a number; else a string or a boolean
	// Required is a scenario's parameter given no value (X: null): as a
	// parameter without a DefaultValue, each Start passes its value.
	Required bool
}

// Param is one parameter a definition declares.
type Param struct {
	Name string
	Type string // String, Integer, Float or Boolean
	def  *jnode // DefaultValue, or nil
}

// Default returns the parameter's DefaultValue converted to its Type, and
// whether it has one.
func (p Param) Default() (Value, bool) {
	if p.def == nil {
		return Value{}, false
	}
	v, _ := typedValue(p.Type, literal(p.def))
	return Value{Text: v.s, Number: v.kind == jNum}, true
}

// Step is one step of a definition.
type Step struct {
	// Spec is the step as the simulator runs it, without a Duration
	// (definitions carry none).
	Spec sim.StepSpec
	// NeedsInstanceType is set for an instance step whose Arguments give
	// no instance type, or one known only at run time, NeedsInstanceCount
	// for an instance count known only at run time: the scenario must give
	// them ([Step.Lacks], [Definition.Lacking]).
	NeedsInstanceType, NeedsInstanceCount bool
	runTime                               string // why the instance type or count is known only at run time
	runTimeOff                            int    // where
	// Data is what the step's Arguments name of its data (data.go).
	Data  Data
	off   int // the step object's offset
	deps  []defRef
	model defRef // a Transform step's model step (Get Steps.M.ModelName)
}

// defRef is a step named by a DependsOn entry or a Get Steps.X reference.
type defRef struct {
	name string
	off  int
	get  bool // a Get reference (an implicit dependency)
}

// Definition is a decoded pipeline definition.
type Definition struct {
	Params []Param
	Steps  []Step // in the order the definition writes them, branches after their Condition step
	src    *Source
}

// Step returns the step called name, or nil.
func (def *Definition) Step(name string) *Step {
	for i := range def.Steps {
		if def.Steps[i].Spec.Name == name {
			return &def.Steps[i]
		}
	}
	return nil
}

// StepNames lists the definition's steps for messages: "A, B, C".
func (def *Definition) StepNames() string {
	names := make([]string, len(def.Steps))
	for i := range def.Steps {
		names[i] = def.Steps[i].Spec.Name
	}
	return strings.Join(names, ", ")
}

// ParamNames lists the declared parameters for messages: "A, B", or "no
// parameters".
func (def *Definition) ParamNames() string {
	if len(def.Params) == 0 {
		return "no parameters"
	}
	names := make([]string, len(def.Params))
	for i, p := range def.Params {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// Lacks returns the field of step st's scenario entry, instance_type or
// instance_count, that must give what the definition does not, and why;
// "" when it lacks neither.
func (st *Step) Lacks() (field, why string) {
	switch {
	case st.NeedsInstanceType:
		field = "instance_type"
	case st.NeedsInstanceCount:
		field = "instance_count"
	default:
		return "", ""
	}
	if st.runTime != "" {
		return field, "step " + st.Spec.Name + ": " + st.runTime
	}
	return field, fmt.Sprintf("step %s of type %s has no instance type in the definition", st.Spec.Name, st.Spec.Type)
}

// Lacking returns the error that step st lacks what [Step.Lacks] says, at
// the definition's value known only at run time (else at the step), with
// "; give FIELD where" when where is set; nil when it lacks nothing.
func (def *Definition) Lacking(st *Step, where string) *model.PosError {
	field, msg := st.Lacks()
	if field == "" {
		return nil
	}
	off := st.off
	if st.runTime != "" {
		off = st.runTimeOff
	}
	if where != "" {
		msg += "; give " + field + " " + where
	}
	return def.src.problem(off, false, msg)
}

// Problem returns an error, or a warning, about step st at the step's
// position in the definition.
func (def *Definition) Problem(st *Step, warning bool, msg string) *model.PosError {
	return def.src.problem(st.off, warning, msg)
}

// defDecoder decodes a definition's JSON tree.
type defDecoder struct {
	src      *Source
	problems []*model.PosError
	pipeline string
	values   map[string]Value // the scenario's parameters
	def      *Definition
	seen     map[string]int // step name → offset of its first step
}

func (dd *defDecoder) errorf(off int, format string, args ...any) {
	dd.problems = append(dd.problems, dd.src.problem(off, false, fmt.Sprintf(format, args...)))
}

func (dd *defDecoder) warnf(off int, format string, args ...any) {
	dd.problems = append(dd.problems, dd.src.problem(off, true, fmt.Sprintf(format, args...)))
}

// Decode decodes the definition in src: its parameters, and its steps with
// dependencies (DependsOn and Get Steps.X references), instance types and
// counts, retry policies, condition branches and the data each step names
// (Step.Data). values are the scenario's
// parameter values by name (nil: none; a parameter without one takes its
// DefaultValue); pipeline names the pipeline in messages.
//
// It returns every problem found, in the order found, as *model.PosError
// values, each with its severity.
// The definition is nil when the JSON or its top level is unusable; after
// other problems the steps are kept as far as possible. Decode never
// panics and does not retain src's data beyond the returned definition.
func Decode(src *Source, values map[string]Value, pipeline string) (*Definition, []*model.PosError) {
	dd := &defDecoder{src: src, pipeline: pipeline, values: values,
		def: &Definition{src: src}, seen: map[string]int{}}
	root, jerr := parseJSON(src.data)
	if jerr != nil {
		dd.errorf(jerr.off, "invalid JSON: %s", jerr.msg)
		return nil, dd.problems
	}
	if root.kind != jObj {
		dd.errorf(root.off, "a pipeline definition must be a JSON object, not %s", root.kind)
		return nil, dd.problems
	}
	switch v := root.get("Version"); {
	case v == nil:
		dd.errorf(root.off, "pipeline definition has no Version (want %q)", Version)
	case v.kind != jStr || v.s != Version:
		dd.errorf(v.off, "unsupported definition Version %s (want %q)", dd.text(v), Version)
	}
	if v := root.get("Parameters"); v != nil {
		dd.parameters(v)
	}
	steps := root.get("Steps")
	switch {
	case steps == nil:
		dd.errorf(root.off, "pipeline definition has no Steps")
		return dd.def, dd.problems
	case steps.kind != jArr:
		dd.errorf(steps.off, "Steps must be an array, not %s", steps.kind)
		return dd.def, dd.problems
	}
	dd.stepList(steps, "Steps")
	dd.resolveDeps()
	dd.resolveModelRoles()
	dd.dropReported()
	return dd.def, dd.problems
}

// text shows a value in messages.
func (dd *defDecoder) text(n *jnode) string {
	switch n.kind {
	case jStr:
		return strconv.Quote(n.s)
	case jNum:
		return n.s
	case jBool:
		return strconv.FormatBool(n.b)
	}
	return n.kind.String()
}

var paramTypes = []string{"String", "Integer", "Float", "Boolean"}

func (dd *defDecoder) parameters(n *jnode) {
	if n.kind != jArr {
		dd.errorf(n.off, "Parameters must be an array, not %s", n.kind)
		return
	}
	for _, pn := range n.arr {
		if pn.kind != jObj {
			dd.errorf(pn.off, "a parameter must be an object, not %s", pn.kind)
			continue
		}
		name := pn.get("Name")
		if name == nil || name.kind != jStr || !ValidName(name.s) {
			dd.errorf(pn.off, "a parameter needs a Name of 1 to 64 letters, digits, '-' or '_'")
			continue
		}
		p := Param{Name: name.s, Type: "String", def: pn.get("DefaultValue")}
		if t := pn.get("Type"); t != nil {
			if t.kind != jStr || !slices.Contains(paramTypes, t.s) {
				dd.errorf(t.off, "parameter %s: Type must be %s, not %s", p.Name, orList(paramTypes), dd.text(t))
				continue
			}
			p.Type = t.s
		}
		if p.def != nil {
			if _, ok := typedValue(p.Type, literal(p.def)); !ok {
				dd.errorf(p.def.off, "parameter %s: DefaultValue %s is not a %s", p.Name, dd.text(p.def), p.Type)
				p.def = nil
			}
		}
		if slices.ContainsFunc(dd.def.Params, func(q Param) bool { return q.Name == p.Name }) {
			dd.errorf(name.off, "duplicate parameter %q", p.Name)
			continue
		}
		dd.def.Params = append(dd.def.Params, p)
	}
}

// jval is an evaluated value: a literal, or dynamic (known only when the
// pipeline runs: step properties, execution variables, JsonGet, a
// parameter without a value).
type jval struct {
	kind jkind  // 0: dynamic
	s    string // dynamic: the parameter without a value it is, if it is one
	f    float64
	b    bool
}

// runTime says that what (e.g. "the instance type") of dynamic value v is
// known only at run time.
func runTime(what string, v jval) string {
	if v.s != "" {
		return fmt.Sprintf("%s is parameter %s, which has no default: known only at run time, when a Start passes it", what, v.s)
	}
	return what + " is known only at run time"
}

func literal(n *jnode) jval {
	switch n.kind {
	case jStr:
		return jval{kind: jStr, s: n.s}
	case jNum:
		f, _ := strconv.ParseFloat(n.s, 64)
		return jval{kind: jNum, s: n.s, f: f}
	case jBool:
		return jval{kind: jBool, b: n.b, s: strconv.FormatBool(n.b)}
	case jNull:
		return jval{kind: jNull}
	}
	return jval{}
}

// typedValue converts v to a parameter type; ok is false when it does not
// fit.
func typedValue(typ string, v jval) (jval, bool) {
	switch typ {
	case "String":
		if v.kind == jStr {
			return v, true
		}
		return jval{kind: jStr, s: v.s}, v.kind == jNum || v.kind == jBool
	case "Integer", "Float":
		f, err := strconv.ParseFloat(v.s, 64)
		if v.kind == jBool || v.kind == jNull || err != nil || math.IsInf(f, 0) ||
			typ == "Integer" && f != math.Trunc(f) {
			return jval{}, false
		}
		return jval{kind: jNum, s: v.s, f: f}, true
	case "Boolean":
		b, err := strconv.ParseBool(v.s)
		if v.kind == jNull || v.kind == jNum || err != nil {
			return jval{}, false
		}
		return jval{kind: jBool, b: b, s: strconv.FormatBool(b)}, true
	}
	return jval{}, false
}

// declared returns the index of parameter name in the definition's
// Parameters, or -1.
func (dd *defDecoder) declared(name string) int {
	return slices.IndexFunc(dd.def.Params, func(p Param) bool { return p.Name == name })
}

// required reports whether parameter i has no value when the definition
// is read: no DefaultValue and no scenario value, or a scenario value of
// none.
func (dd *defDecoder) required(i int) bool {
	v, given := dd.values[dd.def.Params[i].Name]
	return given && v.Required || !given && dd.def.Params[i].def == nil
}

// param resolves Parameters.name: the scenario's value, else the
// definition's DefaultValue; without either it is dynamic. ok is false
// after an error (an unknown parameter is reported by refs, not here).
func (dd *defDecoder) param(name string, off int) (jval, bool) {
	i := dd.declared(name)
	if i < 0 {
		return jval{}, false
	}
	p := dd.def.Params[i]
	if dd.required(i) {
		return jval{s: name}, true
	}
	if v, given := dd.values[name]; given {
		lv := jval{kind: jStr, s: v.Text}
		if v.Number {
			lv.kind = jNum
		}
		tv, ok := typedValue(p.Type, lv)
		if !ok {
			dd.errorf(off, "parameter %s is a %s but the scenario's parameters give %q", name, p.Type, v.Text)
		}
		return tv, ok
	}
	v, _ := typedValue(p.Type, literal(p.def))
	return v, true
}

// eval evaluates a value of Arguments: literals, Get Parameters.X and
// Std:Join of those; anything else is dynamic. ok is false after an error.
func (dd *defDecoder) eval(n *jnode) (jval, bool) {
	switch n.kind {
	case jStr, jNum, jBool, jNull:
		return literal(n), true
	case jObj:
		if g := n.get("Get"); g != nil && len(n.obj) == 1 {
			if g.kind == jStr {
				if name, ok := strings.CutPrefix(g.s, "Parameters."); ok {
					return dd.param(name, g.off)
				}
			}
			return jval{}, true
		}
		if j := n.get("Std:Join"); j != nil && len(n.obj) == 1 {
			return dd.join(j)
		}
	}
	return jval{}, true
}

// join evaluates {"Std:Join": {"On": sep, "Values": [...]}}.
func (dd *defDecoder) join(j *jnode) (jval, bool) {
	on, vals := j.get("On"), j.get("Values")
	if j.kind != jObj || vals == nil || vals.kind != jArr || on != nil && on.kind != jStr {
		dd.errorf(j.off, `Std:Join takes {"On": a string, "Values": an array}`)
		return jval{}, false
	}
	sep := ""
	if on != nil {
		sep = on.s
	}
	parts := make([]string, 0, len(vals.arr))
	dynamic := false
	for _, v := range vals.arr {
		x, ok := dd.eval(v)
		if !ok {
			return jval{}, false
		}
		if x.kind == 0 {
			dynamic = true
		}
		parts = append(parts, x.s)
	}
	if dynamic {
		return jval{}, true
	}
	return jval{kind: jStr, s: strings.Join(parts, sep)}, true
}

// refs walks n for Get references: Parameters.X must be declared, and
// Steps.S adds S to the step's dependencies.
func (dd *defDecoder) refs(n *jnode, st *Step) {
	switch n.kind {
	case jArr:
		for _, c := range n.arr {
			dd.refs(c, st)
		}
	case jObj:
		if g := n.get("Get"); g != nil && g.kind == jStr && len(n.obj) == 1 {
			if name, ok := strings.CutPrefix(g.s, "Parameters."); ok {
				if dd.declared(name) < 0 {
					dd.errorf(g.off, "unknown parameter %q (the definition declares %s)", name, dd.def.ParamNames())
				}
			} else if rest, ok := strings.CutPrefix(g.s, "Steps."); ok {
				if name := stepOf(rest); name != st.Spec.Name {
					st.deps = append(st.deps, defRef{name: name, off: g.off, get: true})
				}
			}
			return
		}
		for _, f := range n.obj {
			dd.refs(f.val, st)
		}
	}
}

// stepOf is the step a Get Steps.REST reference names.
func stepOf(rest string) string {
	if i := strings.IndexAny(rest, ".["); i >= 0 {
		return rest[:i]
	}
	return rest
}

// stepList decodes an array of steps (Steps, IfSteps, ElseSteps) and
// returns their names with positions.
func (dd *defDecoder) stepList(n *jnode, what string) []model.Ref {
	if n.kind != jArr {
		dd.errorf(n.off, "%s must be an array, not %s", what, n.kind)
		return nil
	}
	var names []model.Ref
	for _, sn := range n.arr {
		if name, ok := dd.step(sn); ok {
			names = append(names, model.Ref{S: name, Pos: dd.src.pos(sn.off)})
		}
	}
	return names
}

// step decodes one step (and, for a Condition step, its branch steps) and
// appends it to the definition's steps.
func (dd *defDecoder) step(n *jnode) (string, bool) {
	if n.kind != jObj {
		dd.errorf(n.off, "a step must be an object, not %s", n.kind)
		return "", false
	}
	if len(dd.def.Steps) >= MaxSteps {
		dd.errorf(n.off, "pipeline %s has more than %d steps", dd.pipeline, MaxSteps)
		return "", false
	}
	name, typ := n.get("Name"), n.get("Type")
	if name == nil || name.kind != jStr || !ValidName(name.s) {
		at := n.off
		if name != nil {
			at = name.off
		}
		dd.errorf(at, "a step needs a Name of 1 to 64 letters, digits, '-' or '_'")
		return "", false
	}
	if first, dup := dd.seen[name.s]; dup {
		line, col := dd.src.lines.LineCol(first)
		dd.errorf(name.off, "duplicate step name %q (first at line %d, column %d)", name.s, line, col)
		return "", false
	}
	dd.seen[name.s] = n.off
	if typ == nil || typ.kind != jStr {
		dd.errorf(n.off, "step %s needs a Type (a string)", name.s)
		return "", false
	}
	st := Step{off: n.off, Spec: sim.StepSpec{Name: name.s, Type: typ.s, Pos: dd.src.pos(n.off),
		FailureException: DefaultFailureException}}
	if !slices.Contains(StepTypes, typ.s) {
		dd.warnf(typ.off, "unknown step type %q: step %s runs without instances (known types: %s)",
			typ.s, name.s, strings.Join(StepTypes, ", "))
	}
	if d := n.get("DependsOn"); d != nil {
		if d.kind != jArr {
			dd.errorf(d.off, "DependsOn must be an array of step names, not %s", d.kind)
		}
		for _, e := range d.arr {
			if e.kind != jStr {
				dd.errorf(e.off, "DependsOn entries must be step names (strings), not %s", e.kind)
				continue
			}
			st.deps = append(st.deps, defRef{name: e.s, off: e.off})
		}
	}
	args := n.get("Arguments")
	if args != nil && args.kind != jObj {
		dd.errorf(args.off, "Arguments must be an object, not %s", args.kind)
		args = nil
	}
	if r := n.get("RetryPolicies"); r != nil {
		st.Spec.Retry = dd.retryPolicies(r)
	}
	var branches [2]*jnode
	if typ.s == "Condition" {
		if args != nil {
			if c := args.get("Conditions"); c != nil {
				dd.refs(c, &st)
			}
			branches = [2]*jnode{args.get("IfSteps"), args.get("ElseSteps")}
		}
		st.Spec.Static = dd.conditions(args.get("Conditions"))
		st.Spec.IfProbability = 0.5
	} else if args != nil {
		dd.refs(args, &st)
		dd.resources(&st, args, typ)
		dd.stepData(&st, args, typ.s)
	} else if slices.Contains(InstanceStepTypes, typ.s) {
		st.NeedsInstanceType = true
	}
	idx := len(dd.def.Steps)
	dd.def.Steps = append(dd.def.Steps, st)
	for side, b := range branches {
		if b == nil {
			continue
		}
		names := dd.stepList(b, [2]string{"IfSteps", "ElseSteps"}[side])
		if side == 0 {
			dd.def.Steps[idx].Spec.IfSteps = names
		} else {
			dd.def.Steps[idx].Spec.ElseSteps = names
		}
	}
	return name.s, true
}

// resources reads an instance step's instance type and count.
func (dd *defDecoder) resources(st *Step, args, typ *jnode) {
	var rc *jnode
	var parallel *jnode
	switch typ.s {
	case "Processing":
		rc = args.path("ProcessingResources", "ClusterConfig")
	case "Training":
		rc = args.get("ResourceConfig")
	case "Transform":
		rc = args.get("TransformResources")
	case "Tuning":
		rc = args.path("TrainingJobDefinition", "ResourceConfig")
		if defs := args.get("TrainingJobDefinitions"); rc == nil && defs != nil && defs.kind == jArr && len(defs.arr) > 0 {
			rc = defs.arr[0].get("ResourceConfig")
		}
		parallel = args.path("HyperParameterTuningJobConfig", "ResourceLimits", "MaxParallelTrainingJobs")
	default:
		return
	}
	it := rc.get("InstanceType")
	if it == nil {
		st.NeedsInstanceType = true
		return
	}
	st.Spec.InstanceTypePos = dd.src.pos(it.off)
	v, ok := dd.eval(it)
	switch {
	case !ok:
		return
	case v.kind == 0:
		st.NeedsInstanceType = true
		st.runTime, st.runTimeOff = runTime("the instance type", v), it.off
		return
	case v.kind != jStr || !ValidInstanceType(v.s):
		dd.errorf(it.off, "step %s: instance type %q must look like ml.m5.xlarge", st.Spec.Name, v.s)
		return
	}
	st.Spec.InstanceType = v.s
	st.Spec.InstanceCount = 1
	if c := rc.get("InstanceCount"); c != nil {
		if n, ok := dd.count(c, st, "InstanceCount"); ok {
			st.Spec.InstanceCount = n
		}
	}
	if parallel != nil {
		if n, ok := dd.count(parallel, st, "MaxParallelTrainingJobs"); ok {
			if int64(st.Spec.InstanceCount)*int64(n) > math.MaxInt32 {
				dd.errorf(parallel.off, "step %s: %d instances × %d parallel jobs is too many", st.Spec.Name, st.Spec.InstanceCount, n)
			} else {
				st.Spec.InstanceCount *= n
			}
		}
	}
}

// count evaluates a positive integer (an instance count, what) of step
// st; one known only at run time is for the scenario to give.
func (dd *defDecoder) count(n *jnode, st *Step, what string) (int, bool) {
	step := st.Spec.Name
	v, ok := dd.eval(n)
	if !ok {
		return 0, false
	}
	if v.kind == 0 {
		if !st.NeedsInstanceCount {
			st.NeedsInstanceCount = true
			st.runTime, st.runTimeOff = runTime(what, v), n.off
		}
		return 0, false
	}
	c, err := strconv.ParseInt(v.s, 10, 64)
	if v.kind != jNum && v.kind != jStr || err != nil || c < 1 || c > math.MaxInt32 {
		dd.errorf(n.off, "step %s: %s must be an integer from 1 to %d, not %s", step, what, math.MaxInt32, strconv.Quote(v.s))
		return 0, false
	}
	return int(c), true
}

// exceptionAliases maps older exception names to current ones.
var exceptionAliases = map[string]string{"SageMaker.JOB_CAPACITY_ERROR": "SageMaker.CAPACITY_ERROR"}

func (dd *defDecoder) retryPolicies(n *jnode) []sim.RetryPolicy {
	if n.kind != jArr {
		dd.errorf(n.off, "RetryPolicies must be an array, not %s", n.kind)
		return nil
	}
	var out []sim.RetryPolicy
	for _, rn := range n.arr {
		if rn.kind != jObj {
			dd.errorf(rn.off, "a retry policy must be an object, not %s", rn.kind)
			continue
		}
		p := sim.RetryPolicy{Interval: DefaultRetryInterval, Backoff: DefaultRetryBackoff,
			MaxAttempts: DefaultRetryAttempts, Pos: dd.src.pos(rn.off)}
		ok := true
		ex := rn.get("ExceptionType")
		if ex == nil || ex.kind != jArr || len(ex.arr) == 0 {
			dd.errorf(rn.off, "a retry policy needs ExceptionType, a non-empty array of exception names")
			ok = false
		} else {
			for _, e := range ex.arr {
				name := e.s
				if a, alias := exceptionAliases[name]; alias {
					name = a
				}
				if e.kind != jStr || !slices.Contains(ExceptionTypes, name) {
					dd.errorf(e.off, "unknown exception %s (want %s)", dd.text(e), orList(ExceptionTypes))
					ok = false
					continue
				}
				p.Exceptions = append(p.Exceptions, name)
			}
		}
		num := func(key string, lo, hi float64) (float64, bool) {
			v := rn.get(key)
			if v == nil {
				return 0, false
			}
			f, err := strconv.ParseFloat(v.s, 64)
			if v.kind != jNum || err != nil || f < lo || f > hi {
				dd.errorf(v.off, "%s must be a number from %g to %g, not %s", key, lo, hi, dd.text(v))
				ok = false
				return 0, false
			}
			return f, true
		}
		if f, given := num("IntervalSeconds", 1, 43200); given {
			p.Interval = sim.Time(f * 1e9)
		}
		if f, given := num("BackoffRate", 1, 1e6); given {
			p.Backoff = f
		}
		attempts, hasAttempts := num("MaxAttempts", 0, MaxRetryAttempts)
		expire, hasExpire := num("ExpireAfterMin", 0, 14400)
		switch {
		case hasAttempts && hasExpire:
			dd.errorf(rn.off, "a retry policy cannot set both MaxAttempts and ExpireAfterMin")
			ok = false
		case hasAttempts:
			if attempts != math.Trunc(attempts) {
				dd.errorf(rn.get("MaxAttempts").off, "MaxAttempts must be an integer, not %s", rn.get("MaxAttempts").s)
				ok = false
			}
			p.MaxAttempts = int(attempts)
		case hasExpire:
			p.MaxAttempts = retriesWithin(p, sim.Time(expire*60e9))
		}
		if ok {
			out = append(out, p)
		}
	}
	return out
}

// retriesWithin is how many retries of policy p start within d (an
// ExpireAfterMin), at most MaxRetryAttempts.
func retriesWithin(p sim.RetryPolicy, d sim.Time) int {
	t, wait := 0.0, float64(p.Interval)
	for n := range MaxRetryAttempts {
		t += wait
		if t > float64(d) {
			return n
		}
		wait *= p.Backoff
	}
	return MaxRetryAttempts
}

// Condition types (the SageMaker SDK's ConditionTypeEnum).
var comparisons = []string{"Equals", "NotEquals", "GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo"}

// conditions evaluates a condition step's Conditions (all must hold):
// +1 true, -1 false, 0 when it depends on run-time values.
func (dd *defDecoder) conditions(n *jnode) int8 {
	if n == nil {
		return 1 // no conditions: the if branch
	}
	if n.kind != jArr {
		dd.errorf(n.off, "Conditions must be an array, not %s", n.kind)
		return 0
	}
	res := int8(1)
	for _, c := range n.arr {
		switch dd.condition(c) {
		case -1:
			res = -1
		case 0:
			if res > 0 {
				res = 0
			}
		}
	}
	return res
}

func (dd *defDecoder) condition(n *jnode) int8 {
	if n.kind != jObj {
		dd.errorf(n.off, "a condition must be an object, not %s", n.kind)
		return 0
	}
	t := n.get("Type")
	if t == nil || t.kind != jStr {
		dd.errorf(n.off, "a condition needs a Type (a string)")
		return 0
	}
	neg := func(x int8) int8 { return -x }
	switch {
	case slices.Contains(comparisons, t.s):
		l, r := n.get("LeftValue"), n.get("RightValue")
		if l == nil || r == nil {
			dd.errorf(n.off, "condition %s needs LeftValue and RightValue", t.s)
			return 0
		}
		lv, lok := dd.eval(l)
		rv, rok := dd.eval(r)
		if !lok || !rok || lv.kind == 0 || rv.kind == 0 {
			return 0
		}
		return compare(t.s, lv, rv)
	case t.s == "In" || t.s == "NotIn":
		q := n.get("QueryValue")
		if q == nil {
			q = n.get("Value")
		}
		list := n.get("Values")
		if list == nil {
			list = n.get("In")
		}
		if q == nil || list == nil || list.kind != jArr {
			dd.errorf(n.off, "condition %s needs QueryValue and Values (an array)", t.s)
			return 0
		}
		qv, ok := dd.eval(q)
		if !ok || qv.kind == 0 {
			return 0
		}
		res := int8(-1)
		for _, e := range list.arr {
			ev, ok := dd.eval(e)
			if !ok || ev.kind == 0 {
				if res < 0 {
					res = 0
				}
				continue
			}
			if compare("Equals", qv, ev) > 0 {
				res = 1
			}
		}
		if t.s == "NotIn" {
			return neg(res)
		}
		return res
	case t.s == "Not":
		c := n.get("Condition")
		if c == nil {
			c = n.get("Expression")
		}
		if c == nil {
			dd.errorf(n.off, "condition Not needs a Condition")
			return 0
		}
		return neg(dd.condition(c))
	case t.s == "Or":
		cs := n.get("Conditions")
		if cs == nil || cs.kind != jArr {
			dd.errorf(n.off, "condition Or needs Conditions (an array)")
			return 0
		}
		res := int8(-1)
		for _, c := range cs.arr {
			switch dd.condition(c) {
			case 1:
				res = 1
			case 0:
				if res < 0 {
					res = 0
				}
			}
		}
		return res
	}
	dd.errorf(t.off, "unknown condition type %q (want %s, In, NotIn, Not or Or)", t.s, strings.Join(comparisons, ", "))
	return 0
}

// compare applies a comparison to two known values: numbers (or numeric
// strings) compare as numbers, other values as strings; an ordering of
// non-numbers is undecided (0).
func compare(op string, l, r jval) int8 {
	truth := func(b bool) int8 {
		if b {
			return 1
		}
		return -1
	}
	lf, lerr := strconv.ParseFloat(l.s, 64)
	rf, rerr := strconv.ParseFloat(r.s, 64)
	numeric := lerr == nil && rerr == nil && l.kind != jBool && r.kind != jBool
	switch op {
	case "Equals", "NotEquals":
		eq := l.s == r.s && l.kind == r.kind
		if numeric {
			eq = lf == rf
		}
		if op == "NotEquals" {
			return truth(!eq)
		}
		return truth(eq)
	}
	if !numeric {
		return 0
	}
	switch op {
	case "GreaterThan":
		return truth(lf > rf)
	case "GreaterThanOrEqualTo":
		return truth(lf >= rf)
	case "LessThan":
		return truth(lf < rf)
	}
	return truth(lf <= rf)
}

// resolveDeps checks the steps each step names and sets DependsOn.
func (dd *defDecoder) resolveDeps() {
	for i := range dd.def.Steps {
		st := &dd.def.Steps[i]
		seen := map[string]bool{}
		for _, r := range st.deps {
			if _, ok := dd.seen[r.name]; !ok {
				if r.get {
					dd.errorf(r.off, "step %s refers to unknown step %q (steps: %s)", st.Spec.Name, r.name, dd.def.StepNames())
				} else {
					dd.errorf(r.off, "step %s depends on unknown step %q (steps: %s)", st.Spec.Name, r.name, dd.def.StepNames())
				}
				continue
			}
			if r.name == st.Spec.Name {
				dd.errorf(r.off, "step %s depends on itself", r.name)
				continue
			}
			if !seen[r.name] {
				seen[r.name] = true
				st.Spec.DependsOn = append(st.Spec.DependsOn, model.Ref{S: r.name, Pos: dd.src.pos(r.off)})
			}
		}
	}
}
