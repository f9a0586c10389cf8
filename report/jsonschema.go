package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim/plan"
)

// The JSON Schemas (draft 2020-12) of every JSON output, generated from
// the structs that write it, so that a schema cannot drift from its
// output. They are closed: every object lists its keys, requires each key
// that is always written and allows no other (additionalProperties:
// false); a map lists its keys too when they come from a closed set.

// JSONSchemaKinds lists the outputs [JSONSchema] describes, sorted.
func JSONSchemaKinds() []string {
	out := make([]string, len(schemaKinds))
	for i := range schemaKinds {
		out[i] = schemaKinds[i].name
	}
	return out
}

// JSONSchema returns the closed JSON Schema of one JSON output, indented
// by two spaces with a trailing newline, and whether kind is one of
// [JSONSchemaKinds]: "run" (run --format json), "replicas" (run
// --replicas N and merge), "part" (a part file of run --replicas N --shard
// i/k), "check", "diff", "explain" (explain and explain --timeline) and
// "access" (access and access --changes).
func JSONSchema(kind string) ([]byte, bool) {
	for i := range schemaKinds {
		if k := &schemaKinds[i]; k.name == kind {
			var b bytes.Buffer
			if err := writeIndentedJSON(&b, k.schema(&schemaGen{})); err != nil {
				panic(err) // a schema holds strings, numbers and booleans only
			}
			return b.Bytes(), true
		}
	}
	return nil, false
}

// schemaKind is one output: its name, what it is, and the schema of its
// top-level value.
type schemaKind struct {
	name, version, title string
	root                 func(g *schemaGen) *jsonSchema
}

const schemaBase = "https://github.com/pipeshare/pipeshare/schema/"

// schemaPolicy ends every schema's description.
const schemaPolicy = " The schema is closed: it lists every key this pipeshare writes and allows no other. Keys are only ever added within a schema version, so a consumer should ignore keys it does not know; removing a key or changing its meaning bumps the version."

var schemaKinds = []schemaKind{
	{"access", "", "pipeshare access --format json: the access matrix at one instant, or its changes over time with --changes",
		func(g *schemaGen) *jsonSchema {
			return &jsonSchema{AnyOf: []*jsonSchema{g.of(reflect.TypeFor[[]jsonAccess]()), g.of(reflect.TypeFor[[]jsonChange]())}}
		}},
	{"check", fmt.Sprint(CheckSchemaVersion), "pipeshare check --format json", rootOf[jsonCheck]},
	{"diff", fmt.Sprint(DiffSchemaVersion), "pipeshare diff --format json", rootOf[jsonDiff]},
	{"explain", "", "pipeshare explain --format json: one decision layer by layer, with --timeline the intervals in which each answer holds, or with --access the requests of a step's data access",
		func(g *schemaGen) *jsonSchema {
			return &jsonSchema{AnyOf: []*jsonSchema{g.of(reflect.TypeFor[jsonExplain]()), g.of(reflect.TypeFor[[]TimelineEntry]()),
				g.of(reflect.TypeFor[jsonDataExplain]())}}
		}},
	{"part", fmt.Sprint(ReplicaPartVersion), "A part file of pipeshare run --replicas N --shard i/k, which pipeshare merge reads", rootOf[jsonPart]},
	{"plan", fmt.Sprint(PlanSchemaVersion), "pipeshare plan --format json, and pipeshare merge --format json of plan part files", rootOf[jsonPlan]},
	{"plan-part", fmt.Sprint(PlanPartVersion), "A part file of pipeshare plan --shard i/k, which pipeshare merge reads", rootOf[jsonPlanPart]},
	{"replicas", fmt.Sprint(ReplicasSchemaVersion), "pipeshare run --replicas N --format json, and pipeshare merge --format json", rootOf[jsonReplicasRun]},
	{"run", fmt.Sprint(SchemaVersion), "pipeshare run --format json", rootOf[jsonRun]},
}

// rootOf is the schema of the struct T, written out at the top.
func rootOf[T any](g *schemaGen) *jsonSchema { return g.object(reflect.TypeFor[T]()) }

// schema returns k's whole schema: the root with its header and the
// definitions it refers to.
func (k *schemaKind) schema(g *schemaGen) *jsonSchema {
	s := k.root(g)
	id, title := k.name, k.title
	if k.version != "" {
		id, title = id+"-v"+k.version, title+", version "+k.version
	}
	s.Schema = "https://json-schema.org/draft/2020-12/schema"
	s.ID, s.Title = schemaBase+id+".json", title
	s.Description = "The JSON of " + title + "." + schemaPolicy
	s.Defs = g.defs
	return s
}

// jsonSchema is a JSON Schema, its keywords in the order they print.
type jsonSchema struct {
	Schema               string        `json:"$schema,omitempty"`
	ID                   string        `json:"$id,omitempty"`
	Title                string        `json:"title,omitempty"`
	Description          string        `json:"description,omitempty"`
	Type                 any           `json:"type,omitempty"` // a type name, or [name, "null"]
	Const                any           `json:"const,omitempty"`
	Enum                 []string      `json:"enum,omitempty"`
	Minimum              *int          `json:"minimum,omitempty"`
	Items                *jsonSchema   `json:"items,omitempty"`
	Properties           schemaProps   `json:"properties,omitempty"`
	Required             []string      `json:"required,omitempty"`
	PropertyNames        *jsonSchema   `json:"propertyNames,omitempty"`
	AdditionalProperties any           `json:"additionalProperties,omitempty"` // false, or the schema of a map's values
	AnyOf                []*jsonSchema `json:"anyOf,omitempty"`
	Ref                  string        `json:"$ref,omitempty"`
	Defs                 schemaProps   `json:"$defs,omitempty"`
}

// schemaProps are an object's properties, in the order its JSON writes
// them.
type schemaProps []schemaProp

type schemaProp struct {
	name   string
	schema *jsonSchema
}

func (ps schemaProps) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p.name)
		v, err := json.Marshal(p.schema)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// schemaGen builds schemas from Go types. Each struct type but the root
// is defined once in defs, under its name without the "json" prefix, and
// referred to; used records the overrides applied (a test checks that
// each applies to a field).
type schemaGen struct {
	defs    schemaProps
	defined map[reflect.Type]string
	used    map[string]bool
}

// ref returns a reference to the definition of struct type t, defining it
// on first use.
func (g *schemaGen) ref(t reflect.Type) *jsonSchema {
	if g.defined == nil {
		g.defined = map[reflect.Type]string{}
	}
	name, ok := g.defined[t]
	if !ok {
		name = strings.TrimPrefix(t.Name(), "json")
		name = strings.ToLower(name[:1]) + name[1:]
		for _, d := range g.defs {
			if d.name == name {
				panic("report: two JSON Schema definitions named " + name)
			}
		}
		g.defined[t] = name
		i := len(g.defs)
		g.defs = append(g.defs, schemaProp{name: name}) // in order of first use
		g.defs[i].schema = g.object(t)
	}
	return &jsonSchema{Ref: "#/$defs/" + name}
}

// Go types with their own MarshalJSON that write a JSON number.
var schemaNumbers = map[reflect.Type]bool{
	reflect.TypeFor[usd]():        true,
	reflect.TypeFor[seconds]():    true,
	reflect.TypeFor[replicaNum](): true,
}

// of returns the schema of the JSON encoding/json writes for t: a struct
// is a closed object of its fields (a field is required unless omitempty;
// a pointer without omitempty may be null), defined once; a slice is an
// array, a map an object of its values, an integer at least 0;
// schemaOverrides refine single fields.
func (g *schemaGen) of(t reflect.Type) *jsonSchema {
	switch {
	case schemaNumbers[t]:
		return &jsonSchema{Type: "number"}
	case t == reflect.TypeFor[json.RawMessage]():
		return &jsonSchema{} // any JSON; its field's override says which
	case t.Kind() != reflect.Pointer && t.Implements(reflect.TypeFor[json.Marshaler]()):
		panic("report: no JSON Schema for " + t.String() + ", which marshals itself")
	}
	switch t.Kind() {
	case reflect.String:
		return &jsonSchema{Type: "string"}
	case reflect.Bool:
		return &jsonSchema{Type: "boolean"}
	case reflect.Int, reflect.Int64, reflect.Uint64:
		zero := 0
		return &jsonSchema{Type: "integer", Minimum: &zero}
	case reflect.Float64:
		return &jsonSchema{Type: "number"}
	case reflect.Pointer:
		s := g.of(t.Elem())
		if s.Ref != "" {
			return &jsonSchema{AnyOf: []*jsonSchema{s, {Type: "null"}}}
		}
		s.Type = []string{s.Type.(string), "null"}
		return s
	case reflect.Slice:
		return &jsonSchema{Type: "array", Items: g.of(t.Elem())}
	case reflect.Map:
		return &jsonSchema{Type: "object", AdditionalProperties: g.of(t.Elem())}
	case reflect.Struct:
		return g.ref(t)
	}
	panic("report: no JSON Schema for " + t.String())
}

func (g *schemaGen) object(t reflect.Type) *jsonSchema {
	s := &jsonSchema{Type: "object", Properties: schemaProps{}, Required: []string{}, AdditionalProperties: false}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		omit := opts == "omitempty"
		ft := f.Type
		if omit && ft.Kind() == reflect.Pointer {
			ft = ft.Elem() // absent rather than null
		}
		fs := g.of(ft)
		key := t.Name() + "." + name
		if o, ok := schemaOverrides[key]; ok {
			fs = o(fs)
			if g.used == nil {
				g.used = map[string]bool{}
			}
			g.used[key] = true
		}
		s.Properties = append(s.Properties, schemaProp{name, fs})
		if !omit {
			s.Required = append(s.Required, name)
		}
	}
	return s
}

// schemaOverrides refine the schema of single fields, keyed by struct type
// and JSON key: constants, enums, the key sets of maps, and the
// integers that may be negative.
var schemaOverrides = map[string]func(*jsonSchema) *jsonSchema{
	"jsonRun.schema_version":         constant(SchemaVersion),
	"jsonRunFinding.rule":            enum(ruleIDs()),
	"jsonRunFinding.severity":        enum(severities()),
	"jsonCalls.by_reason":            everyKey(reasonCodes()),
	"jsonCalls.by_action":            everyKey(actionNames()),
	"jsonCalls.by_action_reason":     everyKey(actionNames(), someKeys(reasonCodes())),
	"jsonCallerRow.action":           enum(actionNames()),
	"jsonCallerRow.by_reason":        someKeys(reasonCodes()),
	"jsonReplayRow.action":           enum(actionNames()),
	"jsonReplayRow.simulated":        someKeys(reasonCodes()),
	"jsonCheck.schema_version":       constant(CheckSchemaVersion),
	"jsonCheck.min_severity":         enum(severities()),
	"jsonRule.id":                    enum(ruleIDs()),
	"jsonRule.severity":              enum(severities()),
	"jsonFinding.rule":               enum(ruleIDs()),
	"jsonFinding.severity":           enum(severities()),
	"jsonDiff.schema_version":        constant(DiffSchemaVersion),
	"jsonDiff.calls":                 diffCallKeys,
	"jsonDiff.executions":            everyKey(diffExecutionKeys()),
	"jsonDecisionDelta.action":       enum(actionNames()),
	"jsonDecisionDelta.reason":       enum(reasonCodes()),
	"jsonDecisionDelta.delta":        mayBeNegative,
	"jsonDelta.delta":                mayBeNegative,
	"jsonExplain.decision":           enum(decisions()),
	"jsonExplain.reason":             enum(reasonCodes()),
	"TimelineEntry.decision":         enum(decisions()),
	"TimelineEntry.reason":           enum(reasonCodes()),
	"jsonAccess.allowed_actions":     items(enum(actionARNNames())),
	"jsonAccess.reason_by_action":    everyKey(actionARNNames(), enum(reasonCodes())),
	"jsonChange.allowed_actions":     items(enum(actionARNNames())),
	"jsonChange.reason_by_action":    everyKey(actionARNNames(), enum(reasonCodes())),
	"jsonReplicasRun.schema_version": constant(ReplicasSchemaVersion),
	"jsonReplicaCalls.by_reason":     everyKey(reasonCodes()),
	"jsonReplicas.executions":        everyKey(replicaMetricNames(groupExecutions)),
	"jsonReplicas.steps":             everyKey(replicaMetricNames(groupSteps)),
	"jsonPart.format":                constant(ReplicaPartFormat),
	"jsonPart.version":               constant(ReplicaPartVersion),
	"jsonSample.metrics":             sampleMetricsSchema,
	"jsonPlan.schema_version":        constant(PlanSchemaVersion),
	"jsonPlan.search":                enum([]string{"grid", "latin-hypercube"}),
	"jsonPlanPoint.metrics":          planMetrics,
	"jsonConstraint.metric":          enum(plan.MetricNames()),
	"jsonConstraint.stat":            enum(plan.StatNames()),
	"jsonObjective.metric":           enum(plan.MetricNames()),
	"jsonObjective.stat":             enum(plan.StatNames()),
	"jsonObjective.goal":             enum([]string{"minimize", "maximize"}),
	"jsonPlanPart.format":            constant(PlanPartFormat),
	"jsonPlanPart.version":           constant(PlanPartVersion),
	"jsonPlanPart.values":            items(planValuesSchema),
	"jsonPlanAxisPart.base":          planBase,
}

// planValuesSchema is one job's metrics in a plan part file.
func planValuesSchema(*jsonSchema) *jsonSchema {
	return planMetrics(&jsonSchema{AdditionalProperties: &jsonSchema{Type: "number"}, Type: "object"})
}

// planMetrics requires a map's keys to be every plan metric, each
// described by what it measures (plan.Metrics).
func planMetrics(s *jsonSchema) *jsonSchema {
	s = everyKey(plan.MetricNames())(s)
	for m, p := range s.Properties {
		p.schema.Description = plan.Metrics[m].Doc
	}
	return s
}

// planBase is an axis's base in a plan part file: a value's index, or -1.
func planBase(s *jsonSchema) *jsonSchema {
	lo := -1
	s.Minimum = &lo
	return s
}

func constant(v any) func(*jsonSchema) *jsonSchema {
	return func(s *jsonSchema) *jsonSchema {
		s.Const, s.Minimum = v, nil
		return s
	}
}

func mayBeNegative(s *jsonSchema) *jsonSchema {
	s.Minimum = nil
	return s
}

func enum(values []string) func(*jsonSchema) *jsonSchema {
	return func(s *jsonSchema) *jsonSchema {
		s.Enum = values
		return s
	}
}

// items refines the schema of an array's items.
func items(o func(*jsonSchema) *jsonSchema) func(*jsonSchema) *jsonSchema {
	return func(s *jsonSchema) *jsonSchema {
		s.Items = o(s.Items)
		return s
	}
}

// everyKey turns a map's schema into a closed object with exactly keys,
// each value refined by the optional overrides.
func everyKey(keys []string, value ...func(*jsonSchema) *jsonSchema) func(*jsonSchema) *jsonSchema {
	return func(s *jsonSchema) *jsonSchema {
		elem := s.AdditionalProperties.(*jsonSchema)
		s.Properties, s.Required, s.AdditionalProperties = schemaProps{}, keys, false
		for _, k := range keys {
			v := *elem
			vs := &v
			for _, o := range value {
				vs = o(vs)
			}
			s.Properties = append(s.Properties, schemaProp{k, vs})
		}
		return s
	}
}

// someKeys limits a map's keys to keys.
func someKeys(keys []string) func(*jsonSchema) *jsonSchema {
	return func(s *jsonSchema) *jsonSchema {
		s.PropertyNames = &jsonSchema{Enum: keys}
		return s
	}
}

// diffCallKeys: the diff's calls always have the totals, and the reason
// codes that A or B has calls with.
func diffCallKeys(s *jsonSchema) *jsonSchema {
	var always []string
	for _, c := range CompareSummaries(&Summary{}, &Summary{}).Calls {
		always = append(always, c.Name)
	}
	s = everyKey(append(slices.Clone(always), reasonCodes()...))(s)
	s.Required = always
	return s
}

// sampleMetricsSchema: a sample's metrics are every replica metric, each
// a number.
func sampleMetricsSchema(*jsonSchema) *jsonSchema {
	keys := make([]string, len(replicaMetrics))
	for k := range replicaMetrics {
		keys[k] = replicaMetrics[k].key()
	}
	return everyKey(keys)(&jsonSchema{AdditionalProperties: &jsonSchema{Type: "number"}, Type: "object"})
}

func reasonCodes() []string {
	var out []string
	for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
		out = append(out, r.String())
	}
	return out
}

// actionNames are the bare API names; actionARNNames the "sagemaker:"
// ones.
func actionNames() []string {
	var out []string
	for a := range model.Action(model.NumActions) {
		out = append(out, a.Name())
	}
	return out
}

func actionARNNames() []string {
	var out []string
	for a := range model.Action(model.NumActions) {
		out = append(out, a.String())
	}
	return out
}

func severities() []string {
	return []string{SeverityNote.String(), SeverityWarning.String(), SeverityError.String()}
}

func decisions() []string { return []string{decision(model.ReasonShared), decision(model.ReasonNone)} }

func diffExecutionKeys() []string {
	var out []string
	for _, c := range CompareSummaries(&Summary{}, &Summary{}).Executions {
		out = append(out, c.Name)
	}
	return out
}

func replicaMetricNames(g replicaGroup) []string {
	var out []string
	for _, d := range replicaMetrics {
		if d.group == g {
			out = append(out, d.name)
		}
	}
	return out
}
