package scenarios

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pipeshare/pipeshare/internal/input"
)

// This file applies overlays to a scenario's YAML tree before it is decoded:
// `extends: BASE` (a base scenario the file overrides) and --set PATH=VALUE
// (LoadOptions.Sets). Both work on yaml.Node trees, so validation and
// positions work as for a single file: every node keeps its line and column,
// and decoder.files names the file of nodes that come from a base scenario
// or from a --set ("--set", line = the --set's 1-based index, column = the
// column within its PATH=VALUE text).
//
// Merge rules (a child overrides its base):
//   - mappings merge key by key, recursively: a key the child writes
//     replaces the base's value, unless both values are mappings, which
//     merge; keys only the base has are kept, in the base's order;
//   - lists and scalars replace the base's value whole: a child that writes
//     `shares:` restates every share (use --set to change one value of one
//     entry);
//   - aliases are not followed when merging: an alias replaces whole.

// maxExtends bounds the depth of extends chains.
const maxExtends = 16

// setFile is the file name of positions inside --set values.
const setFile = "--set"

// overlay resolves root's extends chain and applies opts.Sets. It returns
// the tree to decode (nil when there is none) and the bytes of the base
// files and sets to hash with the file (nil when there are none).
func (d *decoder) overlay(root *yaml.Node, opts LoadOptions) (*yaml.Node, []byte) {
	var extra []byte
	root = d.extends(root, d.file, opts, []string{identity(d.file, false)}, &extra)
	for i, spec := range opts.Sets {
		extra = append(extra, "\x00--set "+spec...)
		if root == nil {
			break
		}
		d.applySet(root, i+1, spec)
	}
	return root, extra
}

func identity(name string, embedded bool) string {
	if embedded {
		return "embedded:" + name
	}
	return filepath.Clean(name)
}

func (d *decoder) markFile(n *yaml.Node, file string) {
	if d.files == nil {
		d.files = map[*yaml.Node]string{}
	}
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		d.files[n] = file
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
}

// extends returns root merged over its base when root has an extends key
// (which it removes), else root; nil (after reporting) when the base cannot
// be read, so that no consequences of a missing base are reported. file is the file root comes from; chain
// the identities of the files on the way, for cycles.
func (d *decoder) extends(root *yaml.Node, file string, opts LoadOptions, chain []string, extra *[]byte) *yaml.Node {
	if root == nil || root.Kind != yaml.MappingNode {
		return root
	}
	i := -1
	for j := 0; j+1 < len(root.Content); j += 2 {
		if k := root.Content[j]; k.Kind == yaml.ScalarNode && k.Value == "extends" && k.ShortTag() != "!!merge" {
			i = j
			break
		}
	}
	if i < 0 {
		return root
	}
	v := root.Content[i+1]
	child := *root
	child.Content = append(append([]*yaml.Node{}, root.Content[:i]...), root.Content[i+2:]...)
	if f, ok := d.files[root]; ok {
		d.files[&child] = f
	}
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" || v.Value == "" {
		d.errorf(v, "extends must be a file name or the name of an embedded scenario, not %s", kindName(v))
		return nil
	}
	if len(chain) > maxExtends {
		d.errorf(v, "extends: more than %d levels", maxExtends)
		return nil
	}
	name, data, embedded, err := Resolve(v.Value, filepath.Dir(file), opts.ReadFile)
	var nf *NotFoundError
	switch {
	case errors.As(err, &nf):
		d.errorf(v, "extends: %v", err)
		return nil
	case err != nil:
		d.errorf(v, "extends: %s: %v", input.Cut(name), err)
		return nil
	}
	id := identity(name, embedded)
	for _, c := range chain {
		if c == id {
			d.errorf(v, "extends: cycle %s → %s", strings.Join(chain, " → "), id)
			return nil
		}
	}
	*extra = append(*extra, "\x00extends "+name+"\x00"...)
	*extra = append(*extra, data...)

	// The base is parsed on its own first: a file that is not a scenario
	// (a pull request may name any file) is reported as such, and nothing
	// of it is quoted.
	sub := &decoder{file: name, files: d.files}
	base := sub.parseYAML(data)
	if !isScenario(base, data) {
		d.errorf(v, "extends: %s: not a pipeshare scenario (no version: 1)", input.Cut(name))
		return nil
	}
	if base != nil {
		checkDuplicates(sub, base)
		d.markFile(base, name)
		sub.files = d.files
	}
	d.errs = append(d.errs, sub.errs...)
	if base == nil {
		return nil
	}
	if base = d.extends(base, name, opts, append(chain, id), extra); base == nil {
		return nil
	}
	return d.mergeNodes(base, &child)
}

// versionLineRE matches a top-level "version: 1" line.
var versionLineRE = regexp.MustCompile(`(?m)^version:[ \t]*1[ \t]*(#.*)?\r?$`)

// isScenario reports whether a file that extends names is a scenario: its
// root (nil when it did not parse) is a mapping with version: 1, or, when
// it did not parse, its text has a line "version: 1", so that the errors
// of a scenario with a mistake are reported.
func isScenario(root *yaml.Node, data []byte) bool {
	if root == nil {
		return versionLineRE.Match(data)
	}
	if root.Kind != yaml.MappingNode {
		return false
	}
	for j := 0; j+1 < len(root.Content); j += 2 {
		if k, v := root.Content[j], root.Content[j+1]; k.Kind == yaml.ScalarNode && k.Value == "version" {
			return v.Kind == yaml.ScalarNode && v.ShortTag() == "!!int" && v.Value == "1"
		}
	}
	return false
}

// mergeNodes merges child over base (see the rules at the top).
func (d *decoder) mergeNodes(base, child *yaml.Node) *yaml.Node {
	if base.Kind != yaml.MappingNode || child.Kind != yaml.MappingNode {
		return child
	}
	out := *child
	if f, ok := d.files[child]; ok {
		d.files[&out] = f
	}
	childAt := map[string]int{}
	for j := 0; j+1 < len(child.Content); j += 2 {
		if k := child.Content[j]; k.Kind == yaml.ScalarNode && k.ShortTag() != "!!merge" {
			if _, dup := childAt[k.Value]; !dup {
				childAt[k.Value] = j
			}
		}
	}
	used := make([]bool, len(child.Content))
	content := make([]*yaml.Node, 0, len(base.Content)+len(child.Content))
	for j := 0; j+1 < len(base.Content); j += 2 {
		k, v := base.Content[j], base.Content[j+1]
		c, over := -1, false
		if k.Kind == yaml.ScalarNode && k.ShortTag() != "!!merge" {
			c, over = childAt[k.Value]
		}
		if !over {
			content = append(content, k, v)
			continue
		}
		used[c] = true
		content = append(content, child.Content[c], d.mergeNodes(v, child.Content[c+1]))
	}
	for j := 0; j+1 < len(child.Content); j += 2 {
		if !used[j] {
			content = append(content, child.Content[j], child.Content[j+1])
		}
	}
	out.Content = content
	return &out
}

// singular names an entry of a list key in messages.
var singular = map[string]string{
	"shares": "share", "pipelines": "pipeline", "accounts": "account", "workload": "workload entry",
	"units": "unit", "principals": "principal", "steps": "step", "events": "event", "rules": "rule",
}

// applySet applies the i-th (1-based) --set, "PATH=VALUE", to root.
func (d *decoder) applySet(root *yaml.Node, i int, spec string) {
	site := setSite{file: setFile, line: i, col: 1}
	path, value, ok := strings.Cut(spec, "=")
	if !ok || path == "" {
		d.errorf(site.at(d, 0), "%q: want PATH=VALUE, e.g. shares.NAME.permission=read-only", spec)
		return
	}
	segs, err := splitSetPath(path)
	if err != nil {
		d.errorf(site.at(d, 0), "%s: %v", path, err)
		return
	}
	val, err := setValue(value, i, len(path)+2)
	if err != nil {
		d.errorf(site.at(d, len(path)+1), "%s: bad YAML value: %v", path, err)
		return
	}
	d.markFile(val, setFile)
	d.setPath(root, segs, path, val, site, false)
}

// setSite is where the PATH of a set is written: the line of a --set
// (file "--set", line its index) or a place in a plan's space file.
type setSite struct {
	file      string
	line, col int
}

// at returns a null node off columns to the right of s, marked as s's
// file, to place an error or a new key.
func (s setSite) at(d *decoder, off int) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: s.line, Column: s.col + off}
	d.markFile(n, s.file)
	return n
}

// setPath sets the value at segs (path, split) under root to val, creating
// the mapping keys it lacks; errors go to site. With cow (copy on write)
// each node on the way is copied before it changes, so that a tree shared
// by several variants is left as it was ([Base.With]); root must then be a
// copy already.
func (d *decoder) setPath(root *yaml.Node, segs []string, path string, val *yaml.Node, site setSite, cow bool) {
	fail := func(format string, args ...any) {
		d.errorf(site.at(d, 0), "%s: %s", path, fmt.Sprintf(format, args...))
	}
	// descend returns cur.Content[i], copied first under cow.
	descend := func(cur *yaml.Node, i int) *yaml.Node {
		next := cur.Content[i]
		if !cow {
			return next
		}
		cp := *next
		cp.Content = slices.Clone(next.Content)
		if f, ok := d.files[next]; ok {
			d.files[&cp] = f
		}
		cur.Content[i] = &cp
		return &cp
	}
	cur, parentKey := root, ""
	for j := 0; j < len(segs); {
		if cur.Kind == yaml.AliasNode {
			fail("%s is an alias; --set cannot change a value through it", strings.Join(segs[:j], "."))
			return
		}
		switch cur.Kind {
		case yaml.MappingNode:
			// The longest run of segments that names a key wins, so keys
			// with dots (pricing.ml.g5.xlarge) need no quoting.
			found, m := -1, 0
			for m = len(segs); m > j && found < 0; m-- {
				key := strings.Join(segs[j:m], ".")
				for c := 0; c+1 < len(cur.Content); c += 2 {
					if k := cur.Content[c]; k.Kind == yaml.ScalarNode && k.Value == key && k.ShortTag() != "!!merge" {
						found = c
						break
					}
				}
			}
			m++ // the loop decremented once past the match
			if found < 0 {
				// A new key: nested mappings for all but the last segment.
				key := site.at(d, 0)
				key.Tag, key.Value = "!!str", segs[j]
				if j == len(segs)-1 {
					cur.Content = append(cur.Content, key, val)
					return
				}
				next := site.at(d, 0)
				next.Kind, next.Tag = yaml.MappingNode, "!!map"
				cur.Content = append(cur.Content, key, next)
				cur, parentKey, j = next, segs[j], j+1
				continue
			}
			if m == len(segs) {
				cur.Content[found+1] = val
				return
			}
			cur, parentKey, j = descend(cur, found+1), strings.Join(segs[j:m], "."), m
		case yaml.SequenceNode:
			e := findEntry(cur, segs[j])
			if e < 0 {
				what := singular[parentKey]
				if what == "" {
					what = parentKey + " entry"
				}
				fail("no %s named %s", what, segs[j])
				return
			}
			if j == len(segs)-1 {
				cur.Content[e] = val
				return
			}
			cur, parentKey, j = descend(cur, e), "", j+1
		default:
			fail("%s is %s, not a mapping or a list", strings.Join(segs[:j], "."), kindName(cur))
			return
		}
	}
}

// findEntry returns the index of the list entry whose name, id or path is
// s, else the entry at index s, else -1.
func findEntry(list *yaml.Node, s string) int {
	for e, n := range list.Content {
		n = peek(n)
		if n == nil || n.Kind != yaml.MappingNode {
			continue
		}
		for c := 0; c+1 < len(n.Content); c += 2 {
			k, v := n.Content[c], peek(n.Content[c+1])
			if (k.Value == "name" || k.Value == "id" || k.Value == "path") && v != nil &&
				v.Kind == yaml.ScalarNode && v.Value == s {
				return e
			}
		}
	}
	if k, err := strconv.Atoi(s); err == nil && k >= 0 && k < len(list.Content) {
		return k
	}
	return -1
}

// splitSetPath splits a dotted path; a segment in double quotes may hold
// dots ("pricing.\"ml.m5.large\"").
func splitSetPath(p string) ([]string, error) {
	var segs []string
	for p != "" {
		var seg string
		if p[0] == '"' {
			end := strings.IndexByte(p[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("unterminated quote")
			}
			seg, p = p[1:end+1], p[end+2:]
			if p != "" && p[0] != '.' {
				return nil, fmt.Errorf("want . after a quoted segment")
			}
		} else {
			end := strings.IndexByte(p, '.')
			if end < 0 {
				end = len(p)
			}
			seg, p = p[:end], p[end:]
		}
		if seg == "" {
			return nil, fmt.Errorf("empty segment")
		}
		segs = append(segs, seg)
		p = strings.TrimPrefix(p, ".")
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("empty path")
	}
	return segs, nil
}

// setValue parses a --set VALUE as YAML (a scalar, or a flow list or
// mapping) and places it at line line, column col.
func setValue(value string, line, col int) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil {
		msg, _ := strings.CutPrefix(err.Error(), "yaml: ")
		return nil, errors.New(msg)
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: line, Column: col}, nil
	}
	n := doc.Content[0]
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		n.Column += col - 1
		n.Line += line - 1
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return n, nil
}
