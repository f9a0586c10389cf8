package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pipeshare/pipeshare/model"
)

// This file expands count templates of pipelines, shares and workload
// entries, as id_from/count does for accounts: an entry with count: N
// stands for N entries, copy i (1 to N) with every %d in its name and in
// the fields each section lists replaced by i. An owner written group:G
// gives copy i the group's ((i-1) mod n)-th account (n members, in file
// order, as group:G lists them everywhere else), and spread: {group: G,
// per_copy: K, principal: role/X} adds to copy i the group's accounts
// (i-1)K … (i-1)K+K-1, mod n. So copy i of a pipeline, of a share and of a
// workload entry written with the same group line up.

var spreadSchema = &schema{keys: []string{"group", "per_copy", "principal"}}

// template is an entry's count: how many copies it stands for.
type template struct {
	n   int
	has bool // count was written
}

// subst returns s with %d replaced by copy i's index.
func (t template) subst(s string, i int) string {
	if !t.has || !strings.Contains(s, "%d") {
		return s
	}
	return strings.ReplaceAll(s, "%d", strconv.Itoa(i))
}

// substRefs returns refs with %d replaced by copy i's index (refs itself
// when there is nothing to replace).
func (t template) substRefs(refs []model.Ref, i int) []model.Ref {
	if !t.has {
		return refs
	}
	var out []model.Ref
	for j, r := range refs {
		if strings.Contains(r.S, "%d") {
			if out == nil {
				out = slices.Clone(refs)
			}
			out[j].S = t.subst(r.S, i)
		}
	}
	if out == nil {
		return refs
	}
	return out
}

// template decodes o's count (what names the entry: "pipeline", "share",
// "workload entry"); name is the entry's name value, or nil. It reports a
// count over the limits, a count above 1 whose name has no %d, and a %d
// in the name without count. ok is false when the entry must be dropped.
func (d *scenarioDecoder) template(o *object, what string, name *yaml.Node) (template, bool) {
	hasPct := false
	if s := peek(name); s != nil && s.Kind == yaml.ScalarNode {
		hasPct = strings.Contains(s.Value, "%d")
	}
	cn := o.get("count")
	if cn == nil {
		if hasPct {
			d.errorf(name, "%s name %q has %%d but no count", what, peek(name).Value)
			return template{}, false
		}
		return template{n: 1}, true
	}
	c, ok := d.integer(cn, "count", 1, maxCountPerEntry)
	if !ok {
		return template{}, false
	}
	if d.generated+int(c) > maxTotalGenerated {
		d.errorf(cn, "too many generated entries (limit %d per scenario: accounts, pipelines, shares and workload entries together)", maxTotalGenerated)
		return template{}, false
	}
	d.generated += int(c)
	if c > 1 && name != nil && !hasPct {
		if s := peek(name); s != nil && s.Kind == yaml.ScalarNode {
			d.errorf(name, "%s name %q needs %%d (the copy's number) when count is more than 1", what, s.Value)
			return template{}, false
		}
	}
	return template{n: int(c), has: true}, true
}

// noPercent reports every ref of refs holding %d when t has no count.
func (d *scenarioDecoder) noPercent(t template, refs []model.Ref, what string) {
	if t.has {
		return
	}
	for _, r := range refs {
		if strings.Contains(r.S, "%d") {
			d.errs.Add(r.Pos, fmt.Sprintf("%s %q has %%d but its entry has no count", what, r.S))
		}
	}
}

// groupMembers returns the IDs of the accounts in group g, in file order.
func (d *scenarioDecoder) groupMembers(g string) []string {
	if d.groups == nil {
		d.groups = map[string][]string{}
		seen := map[string]bool{}
		for _, a := range d.sc.Model.Accounts {
			if a.ID.S == "" || seen[a.ID.S] {
				continue // a duplicate is the model's error
			}
			seen[a.ID.S] = true
			for j, gr := range a.Groups {
				if !slices.Contains(a.Groups[:j], gr) {
					d.groups[gr] = append(d.groups[gr], a.ID.S)
				}
			}
		}
	}
	return d.groups[g]
}

// owner is a pipeline's account or a share's owner: an account ID, or a
// group whose accounts take the copies round-robin.
type owner struct {
	ref     model.Ref
	members []string // the group's accounts, nil for an account ID
}

// at returns the owner of copy i.
func (o owner) at(i int) model.Ref {
	if o.members == nil {
		return o.ref
	}
	return model.Ref{S: o.members[(i-1)%len(o.members)], Pos: o.ref.Pos}
}

// owner decodes an account ID or, in an entry with count, group:G. ok is
// false for a group that cannot be used (the entry is dropped); a bad
// account ID is reported and gives an empty ref, as everywhere else.
func (d *scenarioDecoder) owner(n *yaml.Node, what string, t template) (owner, bool) {
	s := peek(n)
	if s == nil || s.Kind != yaml.ScalarNode || s.ShortTag() != "!!str" || !strings.HasPrefix(s.Value, "group:") {
		return owner{ref: d.accountRef(n, what)}, true
	}
	g := strings.TrimPrefix(s.Value, "group:")
	switch {
	case !t.has:
		d.errorf(n, "%s %s needs count (copy i goes to the group's i-th account, round-robin)", what, s.Value)
	case g == "" || strings.Contains(g, "/"):
		d.errorf(n, "%s must be an account ID or group:G, not %q", what, s.Value)
	default:
		m := d.groupMembers(g)
		if m == nil {
			d.errorf(n, "unknown group %q", g)
			return owner{}, false
		}
		return owner{ref: model.Ref{S: s.Value, Pos: d.pos(n)}, members: m}, true
	}
	return owner{}, false
}

// spread is a decoded spread: {group, per_copy, principal}.
type spread struct {
	members   []string
	perCopy   int
	principal string // "" for the accounts themselves
	pos       model.Pos
}

// spread decodes o's spread, if any; it needs count.
func (d *scenarioDecoder) spread(o *object, t template) (*spread, bool) {
	n := o.get("spread")
	if n == nil {
		return nil, true
	}
	if !t.has {
		d.errorf(o.key("spread"), "spread goes with count")
		return nil, false
	}
	so := d.mapping(n, "spread", spreadSchema)
	if so == nil {
		return nil, false
	}
	d.required(so, "group")
	sp := &spread{perCopy: 1, pos: d.pos(so.n)}
	ok := so.has("group")
	var groupNode *yaml.Node
	if v := so.get("group"); v != nil {
		g, gok := d.str(v, "spread group")
		ok = ok && gok
		groupNode = v
		if gok {
			if sp.members = d.groupMembers(g); sp.members == nil {
				d.errorf(v, "unknown group %q", g)
				ok = false
			}
		}
	}
	if v := so.get("per_copy"); v != nil {
		c, cok := d.integer(v, "per_copy", 1, math.MaxInt32)
		switch {
		case !cok:
			ok = false
		case sp.members != nil && int(c) > len(sp.members):
			d.errorf(v, "per_copy %d is more than the %d accounts of group %s", c, len(sp.members), srcText(groupNode))
			ok = false
		case c*int64(t.n) > maxTotalGenerated:
			d.errorf(v, "count × per_copy is more than %d principals", maxTotalGenerated)
			ok = false
		default:
			sp.perCopy = int(c)
		}
	}
	if v := so.get("principal"); v != nil {
		if p, pok := d.str(v, "spread principal"); pok {
			if !model.ValidPrincipalName(p) || p == "root" {
				d.errorf(v, "spread principal %q must be role/[path/]Name or user/[path/]Name", p)
				ok = false
			}
			sp.principal = p
		} else {
			ok = false
		}
	}
	return sp, ok
}

// refs returns copy i's principals: "ACCT" or "ACCT/principal".
func (sp *spread) refs(i int) []model.Ref {
	out := make([]model.Ref, sp.perCopy)
	for j := range out {
		s := sp.members[((i-1)*sp.perCopy+j)%len(sp.members)]
		if sp.principal != "" {
			s += "/" + sp.principal
		}
		out[j] = model.Ref{S: s, Pos: sp.pos}
	}
	return out
}

// withSpread returns copy i's list: refs with %d replaced, then the
// spread's principals.
func withSpread(t template, refs []model.Ref, sp *spread, i int) []model.Ref {
	out := t.substRefs(refs, i)
	if sp == nil {
		return out
	}
	return append(slices.Clip(out), sp.refs(i)...)
}
