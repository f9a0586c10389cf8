package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/pipeshare/pipeshare/model"
)

// Base is a scenario read once and varied many times (pipeshare plan): the
// YAML tree of its file after `extends:` and LoadOptions.Sets, from which
// [Base.With] decodes variants with more overrides without reading or
// parsing any file again. It is safe for concurrent use.
type Base struct {
	sc       *Scenario
	file     string
	root     *yaml.Node
	files    map[*yaml.Node]string // as decoder.files; read only
	hashed   []byte                // the bytes the base's SHA256 covers
	readFile func(string) ([]byte, error)
}

// ParseBase parses a scenario as [Parse] does and keeps its tree for
// variants. The files the scenario names are read once: variants reuse
// what the first read returned.
func ParseBase(file string, data []byte, opts LoadOptions) (*Base, error) {
	d := &scenarioDecoder{decoder: decoder{file: file}, readFile: memoize(opts.ReadFile)}
	d.sc = &Scenario{File: file}
	if limit := opts.maxInput(); limit >= 0 && int64(len(data)) > limit {
		return nil, tooLarge(file, limit)
	}
	var extra []byte
	root := d.parseYAML(data)
	if root != nil {
		checkDuplicates(&d.decoder, root)
		if root, extra = d.overlay(root, opts); root != nil {
			d.aliasBudget = max(100_000, 4*countNodes(root))
			d.top(root)
		}
	}
	d.errs.Sort()
	if err := d.errs.Err(); err != nil {
		return nil, err
	}
	// With overlays the hash covers the base files and the sets too.
	hashed := append(data[:len(data):len(data)], extra...)
	sum := sha256.Sum256(hashed)
	d.sc.SHA256 = hex.EncodeToString(sum[:])
	d.sc.Warnings = d.errs
	return &Base{sc: d.sc, file: file, root: root, files: d.files, hashed: hashed, readFile: d.readFile}, nil
}

// memoize returns read with each file's first answer kept.
func memoize(read func(string) ([]byte, error)) func(string) ([]byte, error) {
	if read == nil {
		return nil
	}
	type answer struct {
		data []byte
		err  error
	}
	var mu sync.Mutex
	seen := map[string]answer{}
	return func(name string) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		a, ok := seen[name]
		if !ok {
			a.data, a.err = read(name)
			seen[name] = a
		}
		return a.data, a.err
	}
}

// Scenario returns the base scenario itself. The caller must not modify it.
func (b *Base) Scenario() *Scenario { return b.sc }

// Set is one override of [Base.With]: the value at Path, as --set
// PATH=VALUE writes it. File, Line and Col place Path in the file that
// wrote it (a plan's space file), where errors about the path go; Value's
// nodes carry their own places in that file. A Set is only read, so one
// may serve many variants at once.
type Set struct {
	Path      string
	Value     *yaml.Node
	File      string
	Line, Col int
}

// ParseSet reads "PATH=VALUE" (the text of a --set) written at
// file:line:col (its first character). Errors are an [ErrorList].
func ParseSet(spec, file string, line, col int) (Set, error) {
	var errs ErrorList
	at := func(off int) model.Pos { return model.Pos{File: file, Line: line, Col: col + off} }
	path, value, ok := strings.Cut(spec, "=")
	if !ok || path == "" {
		errs.Add(at(0), "want PATH=VALUE, e.g. shares.NAME.permission=read-only")
		return Set{}, errs
	}
	if _, err := splitSetPath(path); err != nil {
		errs.Add(at(0), path+": "+err.Error())
		return Set{}, errs
	}
	val, err := setValue(value, line, col+len(path)+1)
	if err != nil {
		errs.Add(at(len(path)+1), path+": bad YAML value: "+err.Error())
		return Set{}, errs
	}
	return Set{Path: path, Value: val, File: file, Line: line, Col: col}, nil
}

// With decodes the base with sets applied in order, as a scenario file that
// extends the base and sets only those values would be. Errors (a path
// that names no entry, a value the format refuses) are an [ErrorList]
// placed where each set was written. The base is left as it was.
func (b *Base) With(sets []Set) (*Scenario, error) {
	d := &scenarioDecoder{decoder: decoder{file: b.file, files: maps.Clone(b.files)}, readFile: b.readFile}
	d.sc = &Scenario{File: b.file}
	root := b.apply(&d.decoder, sets)
	d.aliasBudget = max(100_000, 4*countNodes(root))
	d.top(root)
	d.errs.Sort()
	if err := d.errs.Err(); err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write(b.hashed)
	for _, s := range sets {
		out, _ := yaml.Marshal(s.Value)
		h.Write([]byte("\x00--set " + s.Path + "=" + string(out)))
	}
	d.sc.SHA256 = hex.EncodeToString(h.Sum(nil))
	d.sc.Warnings = d.errs
	return d.sc, nil
}

// apply returns a copy of the base's tree with sets applied, copying only
// the nodes on the sets' paths; errors go to d.
func (b *Base) apply(d *decoder, sets []Set) *yaml.Node {
	root := *b.root
	root.Content = slices.Clone(b.root.Content)
	if f, ok := d.files[b.root]; ok {
		d.files[&root] = f
	}
	for _, s := range sets {
		site := setSite{file: s.File, line: s.Line, col: s.Col}
		segs, err := splitSetPath(s.Path)
		if err != nil {
			d.errorf(site.at(d, 0), "%s: %v", s.Path, err)
			continue
		}
		d.markFile(s.Value, s.File)
		d.setPath(&root, segs, s.Path, s.Value, site, true)
	}
	return &root
}

// Written reports whether value is what the base has at path: the same
// data once decoded (4 and "4" differ; key order in a mapping does not).
// A path the base does not have holds no value.
func (b *Base) Written(path string, value *yaml.Node) bool {
	// Setting the value on a copy and comparing the trees finds the node
	// exactly as --set would, with no second walker of paths.
	d := &decoder{file: b.file, files: maps.Clone(b.files)}
	probe := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "\x00probe"}
	root := b.apply(d, []Set{{Path: path, Value: probe}})
	if len(d.errs) > 0 {
		return false
	}
	old := lookupReplaced(b.root, root, probe)
	return old != nil && sameData(old, value)
}

// lookupReplaced returns the node of old that probe replaced in new (a
// copy of old with one value set), or nil when probe was added as a new
// key.
func lookupReplaced(old, new, probe *yaml.Node) *yaml.Node {
	if len(old.Content) != len(new.Content) {
		return nil
	}
	for i, c := range new.Content {
		if c == probe {
			return old.Content[i]
		}
		if c != old.Content[i] { // copied on the way to the probe
			return lookupReplaced(old.Content[i], c, probe)
		}
	}
	return nil
}

// sameData reports whether two nodes decode to the same data.
func sameData(a, b *yaml.Node) bool {
	var va, vb any
	if a.Decode(&va) != nil || b.Decode(&vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// Emit returns a scenario file that extends ref (the base's file, or its
// embedded name, as the emitted file's folder sees it) and writes only
// the values that sets change: a changed mapping key is written on its
// own, a changed list or scalar whole (extends replaces lists whole). The
// header comment is written at its top. Aliases in what is written are
// expanded, since their anchors stay in the base.
func (b *Base) Emit(ref, header string, sets []Set) ([]byte, error) {
	d := &decoder{file: b.file, files: maps.Clone(b.files)}
	root := b.apply(d, sets)
	d.errs.Sort()
	if err := d.errs.Err(); err != nil {
		return nil, err
	}
	child := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: header}
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	child.Content = append(child.Content, str("version"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"},
		str("extends"), str(ref))
	if diff := changed(b.root, root); diff != nil {
		child.Content = append(child.Content, diff.Content...)
	}
	return yaml.Marshal(child)
}

// changed returns what of new differs from old (nil when nothing does):
// for two mappings, a mapping of the keys whose values differ, recursively;
// else new itself, aliases expanded and comments dropped.
func changed(old, new *yaml.Node) *yaml.Node {
	if old == new {
		return nil
	}
	if old.Kind == yaml.MappingNode && new.Kind == yaml.MappingNode {
		out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for i := 0; i+1 < len(new.Content); i += 2 {
			k, v := new.Content[i], new.Content[i+1]
			var before *yaml.Node
			for j := 0; j+1 < len(old.Content); j += 2 {
				if ok := old.Content[j]; ok.Kind == yaml.ScalarNode && ok.Value == k.Value && k.Kind == yaml.ScalarNode {
					before = old.Content[j+1]
					break
				}
			}
			if before == nil {
				out.Content = append(out.Content, plain(k), plain(v))
			} else if c := changed(before, v); c != nil {
				out.Content = append(out.Content, plain(k), c)
			}
		}
		if len(out.Content) == 0 {
			return nil
		}
		return out
	}
	if sameData(old, new) {
		return nil
	}
	return plain(new)
}

// plain returns a deep copy of n with aliases expanded and no anchors,
// comments or merge keys left unresolved.
func plain(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return plain(n.Alias)
	}
	c := *n
	c.Anchor, c.HeadComment, c.LineComment, c.FootComment = "", "", "", ""
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = plain(x)
	}
	return &c
}
