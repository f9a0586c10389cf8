package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pipeshare/pipeshare/model"
)

// decoder walks a yaml.Node tree and collects diagnostics. Every method
// reports its own problems and returns a usable zero value, so decoding
// always continues.
type decoder struct {
	file  string
	errs  ErrorList
	sizes map[*yaml.Node]int // subtree sizes of alias targets
	// aliasBudget is how many nodes aliases may still expand to; it stops
	// "billion laughs" documents.
	aliasBudget int
	aliasFailed bool
	// files names the file of nodes that come from another file than
	// file: a base scenario (extends:) or a --set value (overlay.go).
	files map[*yaml.Node]string
}

func (d *decoder) pos(n *yaml.Node) model.Pos {
	if n == nil {
		return model.Pos{File: d.file, Line: 1, Col: 1}
	}
	if f, ok := d.files[n]; ok {
		return model.Pos{File: f, Line: n.Line, Col: n.Column}
	}
	return model.Pos{File: d.file, Line: n.Line, Col: n.Column}
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errs.Add(d.pos(n), fmt.Sprintf(format, args...))
}

func (d *decoder) warnf(n *yaml.Node, format string, args ...any) {
	d.errs.Warn(d.pos(n), fmt.Sprintf(format, args...))
}

// deref follows an alias, charging its size to the alias budget, and
// returns a shallow copy of its target at the alias's position. It returns
// nil (after reporting) when the budget is spent.
func (d *decoder) deref(n *yaml.Node) *yaml.Node {
	if n == nil || n.Kind != yaml.AliasNode {
		return n
	}
	t := n.Alias
	if t == nil {
		return nil
	}
	d.aliasBudget -= d.size(t)
	if d.aliasBudget < 0 {
		if !d.aliasFailed {
			d.errorf(n, "aliases expand to too many nodes")
			d.aliasFailed = true
		}
		return nil
	}
	// The copy carries the alias's position: problems with the value are
	// reported where it is used (its contents keep the anchor's positions).
	c := *t
	c.Line, c.Column = n.Line, n.Column
	if f, ok := d.files[n]; ok {
		d.files[&c] = f
	}
	return &c
}

// peek returns what n stands for, through an alias, for a look at its kind
// (it charges nothing; errors go to n, which carries the alias's position).
func peek(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode {
		return n.Alias
	}
	return n
}

// size returns the number of nodes in n's subtree, not following aliases,
// remembered for alias targets.
func (d *decoder) size(n *yaml.Node) int {
	if s, ok := d.sizes[n]; ok {
		return s
	}
	s := countNodes(n)
	if d.sizes == nil {
		d.sizes = map[*yaml.Node]int{}
	}
	d.sizes[n] = s
	return s
}

// countNodes returns the number of nodes in n's subtree, aliases counting 1.
func countNodes(n *yaml.Node) int {
	s := 1
	for _, c := range n.Content {
		if c.Kind == yaml.AliasNode || len(c.Content) == 0 {
			s++
		} else {
			s += countNodes(c)
		}
	}
	return s
}

// kindName describes n's type for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!null":
			return "null"
		case "!!timestamp":
			return "a timestamp"
		case "!!binary":
			return "binary data"
		}
		return "a string"
	}
	return "an alias"
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// pair is one key/value of a mapping.
type pair struct {
	name     string
	key, val *yaml.Node
}

// object is a decoded mapping: its keys in order, merge keys applied.
// Lookups scan the pairs: scenario mappings with named keys are small.
type object struct {
	n     *yaml.Node
	what  string // for messages: "share", "accounts entry", …
	pairs []pair
	// names holds every key met, allowed or not; large mappings use
	// seenMap instead.
	names   []string
	seenMap map[string]bool
	// merged holds the alias targets already merged with <<.
	merged map[*yaml.Node]bool
}

// markSeen records name and reports whether it was new.
func (o *object) markSeen(name string) bool {
	if o.seenMap != nil {
		if o.seenMap[name] {
			return false
		}
		o.seenMap[name] = true
		return true
	}
	for _, n := range o.names {
		if n == name {
			return false
		}
	}
	o.names = append(o.names, name)
	if len(o.names) > 16 {
		o.seenMap = make(map[string]bool, 2*len(o.names))
		for _, n := range o.names {
			o.seenMap[n] = true
		}
		o.names = nil
	}
	return true
}

func (o *object) find(key string) int {
	if o == nil {
		return -1
	}
	for i := range o.pairs {
		if o.pairs[i].name == key {
			return i
		}
	}
	return -1
}

// get returns the value of key, or nil when it is absent.
func (o *object) get(key string) *yaml.Node {
	if i := o.find(key); i >= 0 {
		return o.pairs[i].val
	}
	return nil
}

// key returns the key node of key, or nil.
func (o *object) key(key string) *yaml.Node {
	if i := o.find(key); i >= 0 {
		return o.pairs[i].key
	}
	return nil
}

// has reports whether key is present.
func (o *object) has(key string) bool { return o.find(key) >= 0 }

// schema lists a mapping's allowed keys.
type schema struct {
	keys []string
}

// mapping checks that n is a mapping whose keys are strings in s, and
// returns it as an object. Unknown keys and keys of later issues are
// reported and left out. It returns nil when n is not a mapping.
func (d *decoder) mapping(n *yaml.Node, what string, s *schema) *object {
	n = d.deref(n)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping, not %s", what, kindName(n))
		return nil
	}
	o := &object{n: n, what: what, pairs: make([]pair, 0, len(n.Content)/2)}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		name, ok := d.keyName(k)
		if !ok || !o.markSeen(name) {
			continue // a duplicate is reported by checkDuplicates
		}
		if s != nil && !d.allowed(k, name, what, s) {
			continue
		}
		o.pairs = append(o.pairs, pair{name, k, v})
	}
	// Merge keys ("<<: *base"): explicit keys win, then earlier merges.
	for _, m := range merges {
		d.merge(o, m, s)
	}
	return o
}

func (d *decoder) merge(o *object, m *yaml.Node, s *schema) {
	if m.Kind == yaml.AliasNode {
		// Merging a mapping twice changes nothing: skip it, which also
		// keeps nested merges linear.
		if o.merged[m.Alias] {
			return
		}
		if o.merged == nil {
			o.merged = map[*yaml.Node]bool{}
		}
		o.merged[m.Alias] = true
	}
	m = d.deref(m)
	if m == nil {
		return
	}
	switch m.Kind {
	case yaml.SequenceNode:
		for _, c := range m.Content {
			if c.Kind == yaml.AliasNode || c.Kind == yaml.MappingNode {
				d.merge(o, c, s)
			} else {
				d.errorf(c, "a merge key (<<) takes a mapping or a list of mappings, not %s", kindName(c))
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
				d.merge(o, v, s)
				continue
			}
			name, ok := d.keyName(k)
			if !ok || !o.markSeen(name) {
				continue
			}
			if s != nil && !d.allowed(k, name, o.what, s) {
				continue
			}
			o.pairs = append(o.pairs, pair{name, k, v})
		}
	default:
		d.errorf(m, "a merge key (<<) takes a mapping or a list of mappings, not %s", kindName(m))
	}
}

// keyName returns a mapping key's text; keys must be scalars.
func (d *decoder) keyName(k *yaml.Node) (string, bool) {
	if k.Kind == yaml.AliasNode {
		k = d.deref(k)
		if k == nil {
			return "", false
		}
	}
	if k.Kind != yaml.ScalarNode {
		d.errorf(k, "a mapping key must be a string, not %s", kindName(k))
		return "", false
	}
	return k.Value, true
}

func (d *decoder) allowed(k *yaml.Node, name, what string, s *schema) bool {
	for _, a := range s.keys {
		if a == name {
			return true
		}
	}
	msg := fmt.Sprintf("unknown key %q in %s", name, what)
	if near := nearest(name, s.keys); near != "" {
		msg += fmt.Sprintf(", did you mean %q?", near)
	}
	d.errorf(k, "%s (allowed: %s)", msg, strings.Join(s.keys, ", "))
	return false
}

// required reports each key of keys that o lacks, at o's position.
func (d *decoder) required(o *object, keys ...string) {
	if o == nil {
		return
	}
	for _, k := range keys {
		if !o.has(k) {
			if o.what == topWhat {
				d.errorf(o.n, "missing required key %q", k)
			} else {
				d.errorf(o.n, "missing required key %q in %s", k, o.what)
			}
		}
	}
}

// nearest returns the key in keys closest to s by edit distance, if close.
func nearest(s string, keys []string) string {
	best, bestD := "", 3
	for _, k := range keys {
		if dist := editDistance(strings.ToLower(s), k); dist < bestD && dist < len(k) {
			best, bestD = k, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// scalar returns n as a scalar node, or reports that it must be want.
func (d *decoder) scalar(n *yaml.Node, what, want string) (*yaml.Node, bool) {
	n = d.deref(n)
	if n == nil {
		return nil, false
	}
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errorf(n, "%s must be %s, not %s", what, want, kindName(n))
		return nil, false
	}
	return n, true
}

// str decodes a string. A number, boolean or timestamp is an error with a
// hint to quote it.
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	s, ok := d.scalar(n, what, "a string")
	if !ok {
		return "", false
	}
	switch s.ShortTag() {
	case "!!str":
		return s.Value, true
	case "!!binary":
		d.errorf(s, "%s must be a string, not binary data", what)
		return "", false
	}
	d.errorf(s, "%s must be a string, not %s (quote it: %q)", what, kindName(s), s.Value)
	return "", false
}

// text decodes any scalar as its text (strings, numbers, booleans and
// timestamps as written).
func (d *decoder) text(n *yaml.Node, what string) (string, bool) {
	s, ok := d.scalar(n, what, "a string")
	if !ok {
		return "", false
	}
	return s.Value, true
}

// ref decodes a string into a model.Ref at the value's position.
func (d *decoder) ref(n *yaml.Node, what string) model.Ref {
	s, ok := d.str(n, what)
	if !ok {
		return model.Ref{}
	}
	return model.Ref{S: s, Pos: d.pos(n)} // an alias carries its own position
}

// refList decodes a list of strings. A list is required; a single string
// gets a hint. The result is non-nil when n is a list, even an empty one.
func (d *decoder) refList(n *yaml.Node, what string, accounts bool) []model.Ref {
	n = d.deref(n)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		if n.Kind == yaml.ScalarNode && !isNull(n) {
			d.errorf(n, "%s must be a list, not %s (write [%s])", what, kindName(n), n.Value)
		} else {
			d.errorf(n, "%s must be a list, not %s", what, kindName(n))
		}
		return nil
	}
	out := make([]model.Ref, 0, len(n.Content))
	for _, c := range n.Content {
		var r model.Ref
		if accounts {
			r = d.principalRef(c, what+" entry")
		} else {
			r = d.ref(c, what+" entry")
		}
		if r.Pos.IsValid() {
			out = append(out, r)
		}
	}
	return out
}

// stringOrList decodes a string or a list of strings (Action, Resource,
// group, …). The result is non-nil when n is present and well-typed.
func (d *decoder) stringOrList(n *yaml.Node, what string) []model.Ref {
	n = d.deref(n)
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		r := d.ref(n, what)
		if !r.Pos.IsValid() {
			return nil
		}
		return []model.Ref{r}
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a string or a list of strings, not %s", what, kindName(n))
		return nil
	}
	out := make([]model.Ref, 0, len(n.Content))
	for _, c := range n.Content {
		if r := d.ref(c, what+" entry"); r.Pos.IsValid() {
			out = append(out, r)
		}
	}
	return out
}

// accountRef decodes an account ID reference: a quoted string of 12
// digits (checked with model.ParseAccountID).
func (d *decoder) accountRef(n *yaml.Node, what string) model.Ref {
	s, ok := d.scalar(n, what, "a quoted account ID")
	if !ok {
		return model.Ref{}
	}
	if tag := s.ShortTag(); tag == "!!int" || tag == "!!float" {
		d.errorf(s, "account ID %s must be a quoted string (YAML drops leading zeros)", s.Value)
		return model.Ref{}
	}
	if s.ShortTag() != "!!str" {
		d.errorf(s, "%s must be a quoted account ID, not %s", what, kindName(s))
		return model.Ref{}
	}
	if err := checkAccountID(s.Value); err != nil {
		d.errorf(s, "%v", err)
		return model.Ref{}
	}
	return model.Ref{S: s.Value, Pos: d.pos(s)}
}

// checkAccountID checks a 12-digit account ID with model.ParseAccountID.
func checkAccountID(s string) error {
	_, err := model.ParseAccountID(s)
	return err
}

// principalRef decodes a caller or share principal ("ACCT", "ACCT/role/X",
// "group:G", "ou:/p", "org", an ARN): a string, with the account-ID hint
// for an unquoted number.
func (d *decoder) principalRef(n *yaml.Node, what string) model.Ref {
	s, ok := d.scalar(n, what, "a string")
	if !ok {
		return model.Ref{}
	}
	if tag := s.ShortTag(); tag == "!!int" || tag == "!!float" {
		d.errorf(s, "account ID %s must be a quoted string (YAML drops leading zeros)", s.Value)
		return model.Ref{}
	}
	return d.ref(s, what)
}

// boolean decodes true or false.
func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	s, ok := d.scalar(n, what, "true or false")
	if !ok {
		return false, false
	}
	if s.ShortTag() != "!!bool" {
		d.errorf(s, "%s must be true or false, not %s", what, kindName(s))
		return false, false
	}
	v, err := strconv.ParseBool(strings.ToLower(s.Value))
	if err != nil {
		d.errorf(s, "%s must be true or false, not %q", what, s.Value)
		return false, false
	}
	return v, true
}

// integer decodes an integer in [lo, hi].
func (d *decoder) integer(n *yaml.Node, what string, lo, hi int64) (int64, bool) {
	s, ok := d.scalar(n, what, "an integer")
	if !ok {
		return 0, false
	}
	if s.ShortTag() != "!!int" {
		d.errorf(s, "%s must be an integer, not %s", what, kindName(s))
		return 0, false
	}
	v, err := strconv.ParseInt(s.Value, 0, 64)
	if err != nil || v < lo || v > hi {
		d.errorf(s, "%s %s is out of range (%d to %d)", what, s.Value, lo, hi)
		return 0, false
	}
	return v, true
}

// number decodes a finite number (integer or float).
func (d *decoder) number(n *yaml.Node, what string) (float64, bool) {
	s, ok := d.scalar(n, what, "a number")
	if !ok {
		return 0, false
	}
	tag := s.ShortTag()
	if tag != "!!int" && tag != "!!float" {
		d.errorf(s, "%s must be a number, not %s", what, kindName(s))
		return 0, false
	}
	var v float64
	var err error
	if tag == "!!int" {
		var i int64
		i, err = strconv.ParseInt(s.Value, 0, 64)
		v = float64(i)
	} else {
		v, err = parseYAMLFloat(s.Value)
	}
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		d.errorf(s, "%s must be a finite number, not %s", what, s.Value)
		return 0, false
	}
	return v, true
}

// parseYAMLFloat parses a YAML float (with .inf/.nan spellings and
// underscores).
func parseYAMLFloat(s string) (float64, error) {
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case ".inf":
		return math.Inf(1), nil
	case ".nan":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
}

// duration decodes a duration (see ParseDuration).
func (d *decoder) duration(n *yaml.Node, what string) (model.Time, bool) {
	s, ok := d.scalar(n, what, "a duration")
	if !ok {
		return 0, false
	}
	switch s.ShortTag() {
	case "!!str", "!!int", "!!float":
	default:
		d.errorf(s, "%s must be a duration (90s, 12h, 1d12h), not %s", what, kindName(s))
		return 0, false
	}
	v, err := ParseDuration(s.Value)
	if err != nil {
		d.errorf(s, "%s: %v", what, err)
		return 0, false
	}
	return model.Time(v), true
}

// enum decodes a string that must be one of values.
func (d *decoder) enum(n *yaml.Node, what string, values ...string) (string, bool) {
	s, ok := d.text(n, what)
	if !ok {
		return "", false
	}
	for _, v := range values {
		if s == v {
			return s, true
		}
	}
	d.errorf(n, "%s must be %s, not %q", what, orList(values), s)
	return "", false
}

// orList formats "a, b or c".
func orList(values []string) string {
	switch len(values) {
	case 0:
		return ""
	case 1:
		return values[0]
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// list returns n's items when it is a list, or reports it.
func (d *decoder) list(n *yaml.Node, what string) []*yaml.Node {
	n = d.deref(n)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list, not %s", what, kindName(n))
		return nil
	}
	return n.Content
}

// eachMapping calls fn, in order, with each item of list n that is a
// mapping of schema s, reporting n if it is not a list and each item that is
// not a mapping.
func (d *decoder) eachMapping(n *yaml.Node, field, what string, s *schema, fn func(*object)) {
	for _, item := range d.list(n, field) {
		if o := d.mapping(item, what, s); o != nil {
			fn(o)
		}
	}
}
