package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pipeshare/pipeshare/internal/jsonpos"
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// This file imports a Terraform plan as JSON (`terraform show -json PLAN`)
// into a scenario (DESIGN.md "Real inputs"). It reads the planned state
// (planned_values, with data sources from prior_state) and, for values only
// known after apply, the references in the configuration's expressions,
// resolved by resource address.

// TerraformOptions control [ImportTerraform].
type TerraformOptions struct {
	Name     string // scenario name; default: the plan file's base name
	Start    string // RFC 3339; default 2026-01-05T00:00:00Z
	Duration string // default 30d
	// Owner is the account that owns the plan's pipelines (the account of
	// the provider that creates them); default: the organization's
	// management account. A pipeline whose ARN is known uses its ARN's.
	Owner string
	// MaxInput caps the plan's size; 0 means 16 MiB.
	MaxInput int64
}

// TerraformImport is the result of [ImportTerraform].
type TerraformImport struct {
	File *File
	// Unmapped lists what could not be mapped, each "ADDRESS: reason".
	Unmapped []string
	// Placeholders lists the account IDs made up for accounts whose ID is
	// known only after apply, each "ADDRESS: ID".
	Placeholders []string
}

// Default scenario start and duration of an import.
const (
	DefaultImportStart    = "2026-01-05T00:00:00Z"
	DefaultImportDuration = "30d"
)

// Permission ARNs of the two AWS managed permissions for sagemaker:Pipeline
// (AWS.md §1.7).
const (
	permReadOnlyARN = "arn:aws:ram::aws:permission/AWSRAMDefaultPermissionSageMakerPipeline"
	permExtendedARN = "arn:aws:ram::aws:permission/AWSRAMPermissionSageMakerPipelineAllowExecution"
)

// tfPlan is the part of the plan representation pipeshare reads.
type tfPlan struct {
	FormatVersion string                `json:"format_version"`
	Variables     map[string]tfVariable `json:"variables"`
	PlannedValues *struct {
		RootModule tfModule `json:"root_module"`
	} `json:"planned_values"`
	PriorState *struct {
		Values *struct {
			RootModule tfModule `json:"root_module"`
		} `json:"values"`
	} `json:"prior_state"`
	Configuration *struct {
		ProviderConfig map[string]tfProvider `json:"provider_config"`
		RootModule     tfConfigModule        `json:"root_module"`
	} `json:"configuration"`
}

type tfVariable struct {
	Value any `json:"value"`
}

type tfModule struct {
	Address      string       `json:"address"`
	Resources    []tfResource `json:"resources"`
	ChildModules []tfModule   `json:"child_modules"`
}

type tfResource struct {
	Address      string         `json:"address"`
	Mode         string         `json:"mode"`
	Type         string         `json:"type"`
	Name         string         `json:"name"`
	Index        any            `json:"index"`
	ProviderName string         `json:"provider_name"`
	Values       map[string]any `json:"values"`

	module string // "" or "module.a.module.b"
	conf   *tfConfigResource
}

type tfProvider struct {
	Name        string                     `json:"name"`
	Alias       string                     `json:"alias"`
	Expressions map[string]json.RawMessage `json:"expressions"`
}

type tfConfigModule struct {
	Resources   []tfConfigResource      `json:"resources"`
	ModuleCalls map[string]tfModuleCall `json:"module_calls"`
}

type tfConfigResource struct {
	Address           string                     `json:"address"`
	Mode              string                     `json:"mode"`
	Type              string                     `json:"type"`
	Name              string                     `json:"name"`
	ProviderConfigKey string                     `json:"provider_config_key"`
	Expressions       map[string]json.RawMessage `json:"expressions"`

	module string
}

type tfModuleCall struct {
	Source      string                     `json:"source"`
	Expressions map[string]json.RawMessage `json:"expressions"`
	Module      tfConfigModule             `json:"module"`
}

type tfExpr struct {
	ConstantValue any      `json:"constant_value"`
	References    []string `json:"references"`
}

// tfUnknownRefError is a reference to a resource that is not in the plan.
type tfUnknownRefError struct {
	Pos       model.Pos
	Address   string // the referring resource
	Attribute string
	Ref       string
}

func (e *tfUnknownRefError) Error() string {
	return fmt.Sprintf("%s: %s: %s refers to %s, which is not in the plan", e.Pos, e.Address, e.Attribute, e.Ref)
}

// ImportTerraform reads `terraform show -json` output and returns a scenario
// that passes validate, with what could not be mapped. Malformed JSON is an
// error at file:line:col; a reference to a resource that is not in the plan
// is an error naming the referring resource's address.
func ImportTerraform(file string, data []byte, opts TerraformOptions) (*TerraformImport, error) {
	limit := opts.MaxInput
	if limit <= 0 {
		limit = 16 << 20
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s:1:1: file too large (limit %s, --max-input)", file, formatSize(limit))
	}
	var plan tfPlan
	if err := jsonpos.Decode(file, data, &plan); err != nil {
		return nil, err
	}
	if plan.FormatVersion == "" || plan.PlannedValues == nil {
		return nil, fmt.Errorf("%s:1:1: not a Terraform plan: expected format_version and planned_values (the output of terraform show -json PLANFILE)", file)
	}
	if major, _, _ := strings.Cut(plan.FormatVersion, "."); major != "0" && major != "1" {
		return nil, fmt.Errorf("%s:1:1: unsupported plan format_version %q (pipeshare reads 0.x and 1.x)", file, plan.FormatVersion)
	}
	im := &tfImporter{file: file, data: data, plan: &plan, opts: opts,
		byAddr: map[string][]*tfResource{}, confByAddr: map[string]*tfConfigResource{},
		calls: map[string]*tfModuleCall{}}
	im.index()
	if err := im.build(); err != nil {
		return nil, err
	}
	return &TerraformImport{File: im.out, Unmapped: im.unmapped, Placeholders: im.placeholders}, nil
}

type tfImporter struct {
	file string
	data []byte
	plan *tfPlan
	opts TerraformOptions

	resources  []*tfResource            // planned managed resources and read data sources, in plan order
	byAddr     map[string][]*tfResource // by address without instance key
	confByAddr map[string]*tfConfigResource
	calls      map[string]*tfModuleCall // by module address ("module.a")

	unmapped     []string
	placeholders []string
	out          *File

	// built entities
	org        *tfOrg
	ous        map[*tfResource]*tfOU
	accounts   map[*tfResource]string // aws_organizations_account → ID
	knownIDs   map[string]bool
	policies   map[*tfResource]string // aws_organizations_policy → scenario policy name
	pipelines  map[*tfResource]*FilePipeline
	shares     map[*tfResource]*tfShare
	extraPipes []*FilePipeline // shared by ARN, not in the plan
}

type tfOrg struct {
	res        *tfResource
	id         string
	management string
	rootID     string
	ramSharing bool
}

type tfOU struct {
	res      *tfResource
	path     string
	id       string
	arn      string
	resolved bool
}

type tfShare struct {
	res        *tfResource
	fs         FileShare
	arn        string
	accepted   []string // accounts that accept (from accepters); "*" = every external one
	hasAccept  bool
	principals []string
}

// index walks the planned values, the data sources of the prior state and
// the configuration.
func (im *tfImporter) index() {
	var walk func(m *tfModule, data bool)
	walk = func(m *tfModule, data bool) {
		for i := range m.Resources {
			r := &m.Resources[i]
			if (r.Mode == "data") != data {
				continue
			}
			r.module = m.Address
			im.resources = append(im.resources, r)
			key := r.baseAddress()
			im.byAddr[key] = append(im.byAddr[key], r)
		}
		for i := range m.ChildModules {
			walk(&m.ChildModules[i], data)
		}
	}
	walk(&im.plan.PlannedValues.RootModule, false)
	if ps := im.plan.PriorState; ps != nil && ps.Values != nil {
		walk(&ps.Values.RootModule, true)
	}
	if im.plan.Configuration == nil {
		return
	}
	var walkConf func(m *tfConfigModule, prefix string)
	walkConf = func(m *tfConfigModule, prefix string) {
		for i := range m.Resources {
			c := &m.Resources[i]
			c.module = prefix
			im.confByAddr[joinAddr(prefix, c.Address)] = c
		}
		names := make([]string, 0, len(m.ModuleCalls))
		for n := range m.ModuleCalls {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			call := m.ModuleCalls[n]
			addr := joinAddr(prefix, "module."+n)
			im.calls[addr] = &call
			walkConf(&call.Module, addr)
		}
	}
	walkConf(&im.plan.Configuration.RootModule, "")
	for _, r := range im.resources {
		r.conf = im.confByAddr[r.baseAddress()]
	}
}

func joinAddr(prefix, addr string) string {
	if prefix == "" {
		return addr
	}
	return prefix + "." + addr
}

// baseAddress is the address without the resource's own instance key.
func (r *tfResource) baseAddress() string {
	local := r.Type + "." + r.Name
	if r.Mode == "data" {
		local = "data." + local
	}
	return joinAddr(r.module, local)
}

// str returns a known string value of attribute attr.
func (r *tfResource) str(attr string) (string, bool) {
	switch v := r.Values[attr].(type) {
	case string:
		return v, v != ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

// tfValue is an attribute's value: known, or a reference to a resource.
type tfValue struct {
	s      string      // the known value, or ""
	known  bool        // s is known
	target *tfResource // the resource the configuration refers to, if any
	attr   string      // the referenced attribute path, e.g. "arn", "roots[0].id"
	ref    string      // the reference as written
}

// value resolves attribute attr of r: its planned value when known, else
// the first resource its configuration expression refers to. A reference
// to a resource that is not in the plan is a *tfUnknownRefError.
func (im *tfImporter) value(r *tfResource, attr string) (tfValue, error) {
	v := tfValue{}
	if s, ok := r.str(attr); ok {
		v.s, v.known = s, true
	}
	if r.conf == nil {
		return v, nil
	}
	raw, ok := r.conf.Expressions[attr]
	if !ok {
		return v, nil
	}
	var e tfExpr
	if json.Unmarshal(raw, &e) != nil {
		return v, nil
	}
	tv, err := im.resolveRefs(r, attr, r.module, e.References, 0)
	if err != nil {
		return v, err
	}
	if v.known {
		tv.s, tv.known = v.s, true
	}
	return tv, nil
}

var tfRefRE = regexp.MustCompile(`^((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)(\[[^\]]*\])?(?:\.(.*))?$`)

// resolveRefs resolves the references of an expression written in module
// mod; depth bounds variable chains through module calls.
func (im *tfImporter) resolveRefs(r *tfResource, attr, mod string, refs []string, depth int) (tfValue, error) {
	for _, ref := range refs {
		switch {
		case strings.HasPrefix(ref, "var."):
			call := im.calls[mod]
			if call == nil || depth > 16 {
				if vv, ok := im.plan.Variables[strings.TrimPrefix(ref, "var.")]; ok && mod == "" {
					if s, ok := vv.Value.(string); ok {
						return tfValue{s: s, known: true, ref: ref}, nil
					}
				}
				continue
			}
			name, _, _ := strings.Cut(strings.TrimPrefix(ref, "var."), ".")
			raw, ok := call.Expressions[name]
			if !ok {
				continue
			}
			var e tfExpr
			if json.Unmarshal(raw, &e) != nil {
				continue
			}
			if s, ok := e.ConstantValue.(string); ok {
				return tfValue{s: s, known: true, ref: ref}, nil
			}
			parent := mod[:max(0, strings.LastIndex(mod, ".module."))]
			if !strings.Contains(mod, ".module.") {
				parent = ""
			}
			tv, err := im.resolveRefs(r, attr, parent, e.References, depth+1)
			if err != nil || tv.target != nil || tv.known {
				return tv, err
			}
		case strings.HasPrefix(ref, "local."), strings.HasPrefix(ref, "each."), strings.HasPrefix(ref, "count."),
			strings.HasPrefix(ref, "path."), strings.HasPrefix(ref, "terraform."), strings.HasPrefix(ref, "module."),
			strings.HasPrefix(ref, "self."):
			continue
		default:
			m := tfRefRE.FindStringSubmatch(ref)
			if m == nil {
				continue
			}
			base := joinAddr(mod, m[1])
			insts := im.byAddr[base]
			if len(insts) == 0 {
				if _, inConf := im.confByAddr[base]; inConf {
					// Configured but with no instances (count = 0): nothing to map.
					continue
				}
				return tfValue{}, &tfUnknownRefError{Pos: im.refPos(ref), Address: r.Address, Attribute: attr, Ref: base}
			}
			t := insts[0]
			if m[2] != "" {
				want := joinAddr(mod, m[1]+m[2])
				t = nil
				for _, in := range insts {
					if in.Address == want {
						t = in
					}
				}
				if t == nil {
					return tfValue{}, &tfUnknownRefError{Pos: im.refPos(ref), Address: r.Address, Attribute: attr, Ref: want}
				}
			} else if len(insts) > 1 {
				continue
			}
			tv := tfValue{target: t, attr: m[3], ref: ref}
			if m[3] != "" && !strings.ContainsAny(m[3], ".[") {
				if s, ok := t.str(m[3]); ok {
					tv.s, tv.known = s, true
				}
			}
			return tv, nil
		}
	}
	return tfValue{}, nil
}

// refPos is the position of the first occurrence of ref as a JSON string.
func (im *tfImporter) refPos(ref string) model.Pos {
	q, _ := json.Marshal(ref)
	off := bytes.Index(im.data, q)
	if off < 0 {
		return model.Pos{File: im.file, Line: 1, Col: 1}
	}
	line, col := jsonpos.LineCol(im.data, off)
	return model.Pos{File: im.file, Line: line, Col: col}
}

func (im *tfImporter) unmap(addr, format string, args ...any) {
	im.unmapped = append(im.unmapped, addr+": "+fmt.Sprintf(format, args...))
}

func (im *tfImporter) ofType(types ...string) []*tfResource {
	var out []*tfResource
	for _, r := range im.resources {
		if r.Mode == "managed" && slices.Contains(types, r.Type) {
			out = append(out, r)
		}
	}
	return out
}

var (
	accountIDRE = regexp.MustCompile(`^[0-9]{12}$`)
	// AWS's pattern for pipeline names.
	pipelineNameRE = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$`)
	arnRE          = regexp.MustCompile(`^arn:aws[a-z-]*:([a-z0-9-]*):([a-z0-9-]*):([0-9]{12}|aws)?:(.*)$`)
)

// build maps the indexed plan to a File.
func (im *tfImporter) build() error {
	im.ous = map[*tfResource]*tfOU{}
	im.accounts = map[*tfResource]string{}
	im.knownIDs = map[string]bool{}
	im.policies = map[*tfResource]string{}
	im.pipelines = map[*tfResource]*FilePipeline{}
	im.shares = map[*tfResource]*tfShare{}

	name := im.opts.Name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(im.file), filepath.Ext(im.file))
	}
	im.out = &File{Name: name, Start: im.opts.Start, Duration: im.opts.Duration, Region: im.region()}
	if im.out.Start == "" {
		im.out.Start = DefaultImportStart
	}
	if im.out.Duration == "" {
		im.out.Duration = DefaultImportDuration
	}
	for _, r := range im.resources {
		if r.Mode != "managed" {
			continue
		}
		for _, v := range r.Values {
			if _, ok := v.(string); ok {
				if s := v.(string); accountIDRE.MatchString(s) {
					im.knownIDs[s] = true
				}
			}
		}
	}
	steps := []func() error{im.buildOrg, im.buildOUs, im.buildAccounts, im.buildPolicies,
		im.buildPipelines, im.buildShares}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	im.ignored()
	return im.assemble()
}

// region is the default provider's region when it is a constant, else
// the region of the first ARN in the plan, else us-east-1.
func (im *tfImporter) region() string {
	if c := im.plan.Configuration; c != nil {
		if p, ok := c.ProviderConfig["aws"]; ok {
			var e tfExpr
			if raw, ok := p.Expressions["region"]; ok && json.Unmarshal(raw, &e) == nil {
				if s, ok := e.ConstantValue.(string); ok && regionRE.MatchString(s) {
					return s
				}
				for _, ref := range e.References {
					if v, ok := im.plan.Variables[strings.TrimPrefix(ref, "var.")]; ok && strings.HasPrefix(ref, "var.") {
						if s, ok := v.Value.(string); ok && regionRE.MatchString(s) {
							return s
						}
					}
				}
			}
		}
	}
	for _, r := range im.resources {
		if s, ok := r.str("arn"); ok {
			if m := arnRE.FindStringSubmatch(s); m != nil && regionRE.MatchString(m[2]) {
				return m[2]
			}
		}
	}
	return "us-east-1"
}

func (im *tfImporter) buildOrg() error {
	orgs := im.ofType("aws_organizations_organization")
	sharing := im.ofType("aws_ram_sharing_with_organization")
	if len(orgs) == 0 {
		for _, r := range sharing {
			im.unmap(r.Address, "organization sharing is turned on, but the plan has no aws_organizations_organization; no organization in the scenario")
		}
		return nil
	}
	r := orgs[0]
	for _, extra := range orgs[1:] {
		im.unmap(extra.Address, "a second organization; only %s is mapped", r.Address)
	}
	o := &tfOrg{res: r}
	if id, ok := r.str("id"); ok && strings.HasPrefix(id, "o-") && len(id) >= 4 {
		o.id = id
	} else {
		// Known after apply, or not an organization ID at all.
		o.id = "o-" + hashLower(r.Address, 10)
		im.placeholders = append(im.placeholders, r.Address+": organization ID "+o.id+" (known after apply, or not of the form o-…)")
	}
	if roots, ok := r.Values["roots"].([]any); ok && len(roots) > 0 {
		if m, ok := roots[0].(map[string]any); ok {
			o.rootID, _ = m["id"].(string)
		}
	}
	if id, ok := r.str("master_account_id"); ok && accountIDRE.MatchString(id) {
		o.management = id
	} else if accountIDRE.MatchString(im.opts.Owner) {
		o.management = im.opts.Owner
	} else if id := im.callerAccount(); id != "" {
		o.management = id
	} else {
		o.management = im.placeholder(r.Address + "#master_account_id")
		im.placeholders = append(im.placeholders, r.Address+": management account "+o.management+" (master_account_id known after apply; give --owner)")
	}
	im.knownIDs[o.management] = true
	if fs, ok := r.Values["feature_set"].(string); ok && fs != "" && fs != "ALL" {
		im.unmap(r.Address, "feature_set %s: SCPs and organization sharing need ALL features", fs)
	}
	if ps, ok := r.Values["aws_service_access_principals"].([]any); ok {
		for _, p := range ps {
			if p == "ram.amazonaws.com" {
				o.ramSharing = true
			}
		}
	}
	if len(sharing) > 0 {
		o.ramSharing = true
	}
	im.org = o
	return nil
}

// callerAccount is the account_id of a data.aws_caller_identity read with
// the default provider, or "".
func (im *tfImporter) callerAccount() string {
	for _, r := range im.resources {
		if r.Mode == "data" && r.Type == "aws_caller_identity" && r.module == "" {
			if r.conf != nil && r.conf.ProviderConfigKey != "" && r.conf.ProviderConfigKey != "aws" {
				continue
			}
			if id, ok := r.str("account_id"); ok && accountIDRE.MatchString(id) {
				return id
			}
		}
	}
	return ""
}

// parentPath resolves a parent_id (or target_id) to an OU path: "/" for the
// root; ok is false when it resolves to nothing known.
func (im *tfImporter) parentPath(v tfValue) (string, bool) {
	if t := v.target; t != nil {
		switch t.Type {
		case "aws_organizations_organization":
			return "/", true
		case "aws_organizations_organizational_unit":
			if ou := im.ous[t]; ou != nil && ou.resolved {
				return ou.path, true
			}
			return "", false
		}
	}
	if !v.known {
		return "", false
	}
	if im.org != nil && v.s == im.org.rootID {
		return "/", true
	}
	if strings.HasPrefix(v.s, "r-") {
		return "/", true
	}
	for _, ou := range im.ous {
		if ou.resolved && ou.id != "" && ou.id == v.s {
			return ou.path, true
		}
	}
	return "", false
}

func (im *tfImporter) buildOUs() error {
	rs := im.ofType("aws_organizations_organizational_unit")
	if len(rs) == 0 {
		return nil
	}
	if im.org == nil {
		for _, r := range rs {
			im.unmap(r.Address, "an OU, but the plan has no aws_organizations_organization")
		}
		return nil
	}
	parents := map[*tfResource]tfValue{}
	for _, r := range rs {
		ou := &tfOU{res: r}
		ou.id, _ = r.str("id")
		ou.arn, _ = r.str("arn")
		im.ous[r] = ou
		pv, err := im.value(r, "parent_id")
		if err != nil {
			return err
		}
		parents[r] = pv
	}
	// Resolve paths parent first, as far as they go (OUs nest at most 5 deep).
	for changed := true; changed; {
		changed = false
		for _, r := range rs {
			ou := im.ous[r]
			if ou.resolved {
				continue
			}
			pp, ok := im.parentPath(parents[r])
			if !ok {
				continue
			}
			name, _ := r.str("name")
			seg := strings.Trim(strings.ReplaceAll(name, "/", "-"), " ")
			if seg == "" {
				seg = r.Name
			}
			ou.path = strings.TrimSuffix(pp, "/") + "/" + seg
			ou.resolved, changed = true, true
		}
	}
	seen := map[string]string{}
	for _, r := range rs {
		ou := im.ous[r]
		if !ou.resolved {
			im.unmap(r.Address, "parent_id %s is neither the root nor an OU of the plan; OU left out", describe(parents[r]))
			delete(im.ous, r)
			continue
		}
		if prev, dup := seen[ou.path]; dup {
			im.unmap(r.Address, "OU path %s is also %s; OU left out", ou.path, prev)
			delete(im.ous, r)
			continue
		}
		seen[ou.path] = r.Address
	}
	return nil
}

func describe(v tfValue) string {
	switch {
	case v.known:
		return strconv.Quote(v.s)
	case v.ref != "":
		return v.ref
	}
	return "(known after apply)"
}

// placeholder derives a 12-digit account ID starting with 9 from key,
// unique among the IDs already known.
func (im *tfImporter) placeholder(key string) string {
	v := sim.FNV64a(key)
	for {
		id := fmt.Sprintf("9%011d", v%100_000_000_000)
		if !im.knownIDs[id] {
			im.knownIDs[id] = true
			return id
		}
		v++
	}
}

func hashLower(s string, n int) string {
	sum := sim.FNV64a(s)
	v := sum
	const digits = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[v%36]
		v /= 36
		if v == 0 {
			v = sum + uint64(i)*0x9e3779b97f4a7c15
		}
	}
	return string(b)
}

func (im *tfImporter) buildAccounts() error {
	for _, r := range im.ofType("aws_organizations_account") {
		id, ok := r.str("id")
		if !ok || !accountIDRE.MatchString(id) {
			id = im.placeholder(r.Address)
			im.placeholders = append(im.placeholders, r.Address+": account "+id+" (ID known after apply)")
		}
		im.accounts[r] = id
	}
	return nil
}

// accountOU returns the OU path of an aws_organizations_account.
func (im *tfImporter) accountOU(r *tfResource) (string, error) {
	pv, err := im.value(r, "parent_id")
	if err != nil {
		return "", err
	}
	if !pv.known && pv.target == nil {
		return "/", nil // parent_id defaults to the root
	}
	if p, ok := im.parentPath(pv); ok {
		return p, nil
	}
	im.unmap(r.Address, "parent_id %s is not an OU of the plan; account placed at the root", describe(pv))
	return "/", nil
}

func (im *tfImporter) buildPolicies() error {
	used := map[string]bool{}
	for _, r := range im.ofType("aws_organizations_policy") {
		typ, _ := r.str("type")
		if typ == "" {
			typ = "SERVICE_CONTROL_POLICY"
		}
		if typ != "SERVICE_CONTROL_POLICY" {
			im.unmap(r.Address, "policy type %s is not modelled (only SERVICE_CONTROL_POLICY)", typ)
			continue
		}
		content, ok := r.str("content")
		if !ok {
			im.unmap(r.Address, "content is known only after apply; SCP left out")
			continue
		}
		name, _ := r.str("name")
		if strings.TrimSpace(name) == "" {
			name = r.Name
		}
		if name == "" {
			name = "scp"
		}
		for base, i := name, 2; used[name]; i++ {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		doc, ok := im.policyDoc(r.Address, name, content)
		if !ok {
			continue
		}
		used[name] = true
		if im.out.Policies == nil {
			im.out.Policies = map[string]any{}
		}
		im.out.Policies[name] = doc
		im.policies[r] = name
	}
	return nil
}

// policyDoc parses an SCP's JSON content and keeps the statements that
// validate, listing the others.
func (im *tfImporter) policyDoc(addr, name, content string) (map[string]any, bool) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		im.unmap(addr, "content is not a JSON policy document (%v); SCP left out", err)
		return nil, false
	}
	var stmts []any
	switch s := doc["Statement"].(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	default:
		im.unmap(addr, "content has no Statement; SCP left out")
		return nil, false
	}
	var kept []any
	for i, st := range stmts {
		if msg := checkPolicy(map[string]any{"Statement": []any{st}}); msg != "" {
			sid := fmt.Sprintf("#%d", i+1)
			if m, ok := st.(map[string]any); ok {
				if s, ok := m["Sid"].(string); ok && s != "" {
					sid = s
				}
			}
			im.unmap(addr, "statement %s of SCP %s left out: %s", sid, name, msg)
			continue
		}
		kept = append(kept, st)
	}
	if len(kept) == 0 {
		im.unmap(addr, "no statement of SCP %s could be mapped; SCP left out", name)
		return nil, false
	}
	out := map[string]any{"Statement": kept}
	if v, ok := doc["Version"].(string); ok {
		out["Version"] = v
	}
	return out, true
}

// checkPolicy validates a policy document alone, returning the first error
// message without its position, or "".
func checkPolicy(doc map[string]any) string {
	f := &File{Name: "check", Start: DefaultImportStart, Duration: "1d", Policies: map[string]any{"p": doc}}
	var b bytes.Buffer
	if err := WriteFile(&b, f); err != nil {
		return err.Error()
	}
	sc, err := Parse("policy", b.Bytes(), LoadOptions{})
	if err == nil {
		_, err = Compile(sc)
	}
	if err == nil {
		return ""
	}
	var l ErrorList
	if errors.As(err, &l) {
		for _, d := range l {
			if !d.Warning {
				return d.Msg
			}
		}
	}
	var d Diagnostic
	if errors.As(err, &d) {
		return d.Msg
	}
	var pe *model.PosError
	if errors.As(err, &pe) {
		return pe.Msg
	}
	return err.Error()
}

func (im *tfImporter) defaultOwner() string {
	if accountIDRE.MatchString(im.opts.Owner) {
		return im.opts.Owner
	}
	if im.org != nil {
		return im.org.management
	}
	if id := im.callerAccount(); id != "" {
		return id
	}
	return ""
}

func (im *tfImporter) buildPipelines() error {
	for _, r := range im.ofType("aws_sagemaker_pipeline") {
		name, ok := r.str("pipeline_name")
		if !ok {
			im.unmap(r.Address, "pipeline_name is known only after apply; pipeline left out")
			continue
		}
		if !pipelineNameRE.MatchString(name) {
			im.unmap(r.Address, "pipeline_name %q is not a valid SageMaker pipeline name; pipeline left out", name)
			continue
		}
		acct := ""
		if arn, ok := r.str("arn"); ok {
			if m := arnRE.FindStringSubmatch(arn); m != nil && accountIDRE.MatchString(m[3]) {
				acct = m[3]
			}
		}
		if acct == "" && accountIDRE.MatchString(im.opts.Owner) {
			acct = im.opts.Owner
		}
		if acct == "" {
			acct = im.providerAccount(r)
		}
		if acct == "" {
			acct = im.defaultOwner()
		}
		if acct == "" {
			acct = im.placeholder(r.Address + "#owner")
			im.placeholders = append(im.placeholders, r.Address+": owner account "+acct+" (no organization and no --owner)")
		}
		im.knownIDs[acct] = true
		p := &FilePipeline{Name: name, Account: acct}
		if def, ok := r.str("pipeline_definition"); ok {
			if definitionSupported() {
				p.Definition = def
			} else {
				im.unmap(r.Address, "pipeline_definition not imported: this build does not read pipeline definitions yet (the pipeline has no steps)")
			}
		} else if loc, ok := r.Values["pipeline_definition_s3_location"].([]any); ok && len(loc) > 0 {
			im.unmap(r.Address, "pipeline_definition_s3_location: the definition is in S3; download it and set definition: FILE")
		} else {
			im.unmap(r.Address, "pipeline_definition is known only after apply; the pipeline has no steps")
		}
		if pc, ok := r.Values["parallelism_configuration"].([]any); ok && len(pc) > 0 {
			im.unmap(r.Address, "parallelism_configuration (parallel executions) is not modelled")
		}
		im.pipelines[r] = p
	}
	return nil
}

// providerAccount is the account of the role r's provider assumes
// (provider "aws" { assume_role { role_arn = "arn:aws:iam::ACCT:role/…" } }),
// when that ARN is a constant, else "".
func (im *tfImporter) providerAccount(r *tfResource) string {
	c := im.plan.Configuration
	if c == nil || r.conf == nil {
		return ""
	}
	key := r.conf.ProviderConfigKey
	if key == "" {
		key = "aws"
	}
	p, ok := c.ProviderConfig[key]
	if !ok {
		// Inside a module the key is "module.x:aws"; its provider is passed
		// in from the root under the same name.
		_, key, _ = strings.Cut(key, ":")
		if p, ok = c.ProviderConfig[key]; !ok {
			return ""
		}
	}
	var blocks []map[string]json.RawMessage
	if raw, ok := p.Expressions["assume_role"]; !ok || json.Unmarshal(raw, &blocks) != nil || len(blocks) == 0 {
		return ""
	}
	var e tfExpr
	if raw, ok := blocks[0]["role_arn"]; !ok || json.Unmarshal(raw, &e) != nil {
		return ""
	}
	s, _ := e.ConstantValue.(string)
	if m := arnRE.FindStringSubmatch(s); m != nil && m[1] == "iam" && accountIDRE.MatchString(m[3]) {
		return m[3]
	}
	return ""
}

// definitionSupported reports whether pipelines may carry a definition.
func definitionSupported() bool {
	_, notYet := pipelineSchema.notYet["definition"]
	return !notYet && slices.Contains(pipelineSchema.keys, "definition")
}

// ouByARN finds a planned OU by its ARN or ID.
func (im *tfImporter) ouByARN(s string) *tfOU {
	for _, ou := range im.ous {
		if (ou.arn != "" && ou.arn == s) || (ou.id != "" && strings.HasSuffix(s, "/"+ou.id)) {
			return ou
		}
	}
	return nil
}

func (im *tfImporter) buildShares() error {
	shareNames := map[string]bool{}
	for _, r := range im.ofType("aws_ram_resource_share") {
		name, ok := r.str("name")
		if !ok || strings.TrimSpace(name) == "" {
			name = r.Name
		}
		if name == "" {
			name = "share"
		}
		for base, i := name, 2; shareNames[name]; i++ {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		shareNames[name] = true
		s := &tfShare{res: r, fs: FileShare{Name: name}}
		s.arn, _ = r.str("arn")
		allow := false // the provider's default
		if b, ok := r.Values["allow_external_principals"].(bool); ok {
			allow = b
		}
		s.fs.AllowExternalPrincipals = &allow
		if perms, ok := r.Values["permission_arns"].([]any); ok {
			for _, p := range perms {
				ps, _ := p.(string)
				switch {
				case ps == permReadOnlyARN || strings.HasSuffix(ps, "/AWSRAMDefaultPermissionSageMakerPipeline"):
					s.fs.Permission = "read-only"
				case ps == permExtendedARN || strings.HasSuffix(ps, "/AWSRAMPermissionSageMakerPipelineAllowExecution"):
					s.fs.Permission = "extended"
				default:
					im.unmap(r.Address, "permission %q is not one of the two sagemaker:Pipeline managed permissions; the share keeps read-only", ps)
				}
			}
		}
		im.shares[r] = s
	}
	var shareOrder []*tfResource
	for _, r := range im.ofType("aws_ram_resource_share") {
		shareOrder = append(shareOrder, r)
	}
	// Resource associations decide each share's pipelines and owner.
	for _, r := range im.ofType("aws_ram_resource_association") {
		s, err := im.shareOf(r, "resource_share_arn")
		if err != nil || s == nil {
			if err != nil {
				return err
			}
			continue
		}
		v, err := im.value(r, "resource_arn")
		if err != nil {
			return err
		}
		var p *FilePipeline
		switch {
		case v.target != nil && v.target.Type == "aws_sagemaker_pipeline":
			p = im.pipelines[v.target]
			if p == nil {
				im.unmap(r.Address, "resource_arn refers to %s, which was left out", v.target.Address)
				continue
			}
		case v.known:
			p = im.pipelineByARN(r.Address, v.s)
			if p == nil {
				continue
			}
		default:
			im.unmap(r.Address, "resource_arn %s is not a SageMaker pipeline of the plan", describe(v))
			continue
		}
		if s.fs.Owner != "" && s.fs.Owner != p.Account {
			im.unmap(r.Address, "pipeline %s belongs to %s, not to the share's owner %s", p.Name, p.Account, s.fs.Owner)
			continue
		}
		s.fs.Owner = p.Account
		if !slices.Contains(s.fs.Pipelines, p.Name) {
			s.fs.Pipelines = append(s.fs.Pipelines, p.Name)
		}
	}
	for _, r := range im.ofType("aws_ram_principal_association") {
		s, err := im.shareOf(r, "resource_share_arn")
		if err != nil || s == nil {
			if err != nil {
				return err
			}
			continue
		}
		v, err := im.value(r, "principal")
		if err != nil {
			return err
		}
		pr, ok := im.principal(r, v)
		if !ok {
			continue
		}
		if !slices.Contains(s.principals, pr) {
			s.principals = append(s.principals, pr)
		}
	}
	for _, r := range im.ofType("aws_ram_resource_share_accepter") {
		s, err := im.shareOf(r, "share_arn")
		if err != nil || s == nil {
			if err != nil {
				return err
			}
			continue
		}
		s.hasAccept = true
		if id, ok := r.str("receiver_account_id"); ok && accountIDRE.MatchString(id) {
			s.accepted = append(s.accepted, id)
		} else {
			s.accepted = append(s.accepted, "*")
		}
	}
	return nil
}

// pipelineByARN finds the pipeline a known resource ARN names, adding a
// pipeline without steps when it is not in the plan.
func (im *tfImporter) pipelineByARN(addr, arn string) *FilePipeline {
	m := arnRE.FindStringSubmatch(arn)
	if m == nil || m[1] != "sagemaker" || !strings.HasPrefix(m[4], "pipeline/") || !accountIDRE.MatchString(m[3]) {
		im.unmap(addr, "resource %s is not a SageMaker pipeline; not modelled", arn)
		return nil
	}
	name := strings.TrimPrefix(m[4], "pipeline/")
	if !pipelineNameRE.MatchString(name) {
		im.unmap(addr, "resource %s does not name a valid pipeline; not modelled", arn)
		return nil
	}
	for _, p := range im.pipelines {
		if p.Account == m[3] && strings.EqualFold(p.Name, name) {
			return p
		}
	}
	for _, p := range im.extraPipes {
		if p.Account == m[3] && strings.EqualFold(p.Name, name) {
			return p
		}
	}
	p := &FilePipeline{Name: name, Account: m[3]}
	im.knownIDs[m[3]] = true
	im.extraPipes = append(im.extraPipes, p)
	im.unmap(addr, "pipeline %s is not created by the plan; added without steps", arn)
	return p
}

// shareOf resolves a share ARN attribute to a share of the plan.
func (im *tfImporter) shareOf(r *tfResource, attr string) (*tfShare, error) {
	return im.shareOfDepth(r, attr, 0)
}

func (im *tfImporter) shareOfDepth(r *tfResource, attr string, depth int) (*tfShare, error) {
	v, err := im.value(r, attr)
	if err != nil {
		return nil, err
	}
	if v.target != nil {
		if s := im.shares[v.target]; s != nil {
			return s, nil
		}
		// The share ARN taken from another RAM resource (the provider's own
		// accepter example uses aws_ram_principal_association.x.resource_share_arn).
		// depth bounds reference cycles, which Terraform rejects but a
		// hand-edited plan may hold.
		switch t := v.target.Type; {
		case depth >= 4:
		case t == "aws_ram_resource_share_accepter":
			return im.shareOfDepth(v.target, "share_arn", depth+1)
		case t == "aws_ram_principal_association", t == "aws_ram_resource_association":
			return im.shareOfDepth(v.target, "resource_share_arn", depth+1)
		}
	}
	if v.known {
		for _, s := range im.shares {
			if s.arn != "" && s.arn == v.s {
				return s, nil
			}
		}
	}
	im.unmap(r.Address, "%s %s is not a resource share of the plan", attr, describe(v))
	return nil, nil
}

// principal maps a principal association's principal.
func (im *tfImporter) principal(r *tfResource, v tfValue) (string, bool) {
	if t := v.target; t != nil && !v.known {
		switch t.Type {
		case "aws_organizations_account":
			if id, ok := im.accounts[t]; ok {
				return id, true
			}
		case "aws_organizations_organizational_unit":
			if ou := im.ous[t]; ou != nil {
				return "ou:" + ou.path, true
			}
		case "aws_organizations_organization":
			return "org", true
		}
		im.unmap(r.Address, "principal %s (known after apply) cannot be mapped", describe(v))
		return "", false
	}
	if !v.known {
		im.unmap(r.Address, "principal is known only after apply and refers to no resource of the plan")
		return "", false
	}
	s := v.s
	if accountIDRE.MatchString(s) {
		return s, true
	}
	m := arnRE.FindStringSubmatch(s)
	if m == nil {
		im.unmap(r.Address, "principal %q is not an account ID or ARN", s)
		return "", false
	}
	switch {
	case m[1] == "organizations" && strings.HasPrefix(m[4], "organization/"):
		if im.org == nil || !strings.HasSuffix(m[4], "/"+im.org.id) {
			im.unmap(r.Address, "principal %s is not the plan's organization", s)
			return "", false
		}
		return "org", true
	case m[1] == "organizations" && strings.HasPrefix(m[4], "ou/"):
		if ou := im.ouByARN(s); ou != nil {
			return "ou:" + ou.path, true
		}
		im.unmap(r.Address, "principal %s is not an OU of the plan", s)
		return "", false
	case m[1] == "iam" && accountIDRE.MatchString(m[3]) && model.ValidPrincipalName(m[4]) && m[4] != "root":
		return m[3] + "/" + m[4], true
	}
	im.unmap(r.Address, "principal %s is not modelled (service principals and other ARNs)", s)
	return "", false
}

// ignored lists the managed resources of types the importer does not read.
func (im *tfImporter) ignored() {
	known := []string{"aws_organizations_organization", "aws_organizations_organizational_unit",
		"aws_organizations_account", "aws_organizations_policy", "aws_organizations_policy_attachment",
		"aws_ram_resource_share", "aws_ram_principal_association", "aws_ram_resource_association",
		"aws_ram_resource_share_accepter", "aws_ram_sharing_with_organization", "aws_sagemaker_pipeline"}
	byType := map[string][]string{}
	var types []string
	for _, r := range im.resources {
		if r.Mode != "managed" || slices.Contains(known, r.Type) {
			continue
		}
		if byType[r.Type] == nil {
			types = append(types, r.Type)
		}
		byType[r.Type] = append(byType[r.Type], r.Address)
	}
	sort.Strings(types)
	for _, t := range types {
		what := "not modelled"
		if strings.HasPrefix(t, "aws_organizations_") {
			what = "not modelled (Organizations resources other than the organization, OUs, accounts, SCPs and their attachments)"
		} else if strings.HasPrefix(t, "aws_iam_") {
			what = "not modelled (IAM: add principals and their policies by hand)"
		}
		im.unmapped = append(im.unmapped, strings.Join(byType[t], ", ")+": "+what)
	}
}

// assemble writes the entities into im.out, dropping what would not
// validate.
func (im *tfImporter) assemble() error {
	f := im.out
	inOrg := map[string]bool{}
	accountIdx := map[string]int{}
	addAccount := func(a FileAccount) int {
		if i, ok := accountIdx[a.ID]; ok {
			return i
		}
		f.Accounts = append(f.Accounts, a)
		accountIdx[a.ID] = len(f.Accounts) - 1
		return len(f.Accounts) - 1
	}
	unitIdx := map[string]int{}
	if o := im.org; o != nil {
		f.Organization = &FileOrg{ID: o.id, ManagementAccount: o.management, RAMSharing: "disabled"}
		if o.ramSharing {
			f.Organization.RAMSharing = "enabled"
		}
		var ous []*tfOU
		for _, ou := range im.ous {
			ous = append(ous, ou)
		}
		sort.Slice(ous, func(i, j int) bool { return ous[i].path < ous[j].path })
		for _, ou := range ous {
			u := FileUnit{Path: ou.path}
			if strings.HasPrefix(ou.id, "ou-") {
				u.ID = ou.id
			}
			f.Organization.Units = append(f.Organization.Units, u)
			unitIdx[ou.path] = len(f.Organization.Units) - 1
		}
		mgmtName := "management"
		if n, ok := o.res.str("master_account_name"); ok {
			mgmtName = n
		}
		addAccount(FileAccount{ID: o.management, Name: mgmtName, OU: "/"})
		inOrg[o.management] = true
	}
	for _, r := range im.ofType("aws_organizations_account") {
		id := im.accounts[r]
		name, _ := r.str("name")
		if im.org == nil {
			addAccount(FileAccount{ID: id, Name: name})
			im.unmap(r.Address, "an organization account, but the plan has no aws_organizations_organization; placed outside any organization")
			continue
		}
		ou, err := im.accountOU(r)
		if err != nil {
			return err
		}
		if i, ok := accountIdx[id]; ok {
			f.Accounts[i].Name, f.Accounts[i].OU = name, ou
			continue
		}
		addAccount(FileAccount{ID: id, Name: name, OU: ou})
		inOrg[id] = true
	}
	// SCP attachments.
	for _, r := range im.ofType("aws_organizations_policy_attachment") {
		pv, err := im.value(r, "policy_id")
		if err != nil {
			return err
		}
		tv, err := im.value(r, "target_id")
		if err != nil {
			return err
		}
		policy := ""
		if pv.target != nil {
			policy = im.policies[pv.target]
		} else if pv.known {
			if pv.s == "p-FullAWSAccess" {
				continue // attached everywhere by default
			}
			for pr, n := range im.policies {
				if id, _ := pr.str("id"); id == pv.s {
					policy = n
				}
			}
		}
		if policy == "" {
			im.unmap(r.Address, "policy_id %s is not an SCP mapped from the plan", describe(pv))
			continue
		}
		if f.Organization == nil {
			im.unmap(r.Address, "the plan has no organization")
			continue
		}
		if t := tv.target; t != nil && t.Type == "aws_organizations_account" {
			i := accountIdx[im.accounts[t]]
			f.Accounts[i].SCPs = append(f.Accounts[i].SCPs, policy)
			continue
		}
		if tv.known && accountIDRE.MatchString(tv.s) {
			if i, ok := accountIdx[tv.s]; ok {
				f.Accounts[i].SCPs = append(f.Accounts[i].SCPs, policy)
				continue
			}
		}
		path, ok := im.parentPath(tv)
		if !ok {
			im.unmap(r.Address, "target_id %s is not the root, an OU or an account of the plan", describe(tv))
			continue
		}
		i, ok := unitIdx[path]
		if !ok {
			f.Organization.Units = append(f.Organization.Units, FileUnit{Path: path})
			i = len(f.Organization.Units) - 1
			unitIdx[path] = i
		}
		f.Organization.Units[i].SCPs = append(f.Organization.Units[i].SCPs, policy)
	}
	if f.Organization != nil {
		sort.SliceStable(f.Organization.Units, func(i, j int) bool {
			return f.Organization.Units[i].Path < f.Organization.Units[j].Path
		})
	}
	// Pipelines, in plan order, then those shared by ARN only.
	pipeNames := map[string]bool{}
	addPipe := func(p *FilePipeline) {
		key := p.Account + "/" + strings.ToLower(p.Name)
		if pipeNames[key] {
			return
		}
		pipeNames[key] = true
		f.Pipelines = append(f.Pipelines, *p)
		if _, ok := accountIdx[p.Account]; !ok {
			addAccount(FileAccount{ID: p.Account})
		}
	}
	for _, r := range im.ofType("aws_sagemaker_pipeline") {
		if p := im.pipelines[r]; p != nil {
			addPipe(p)
		}
	}
	for _, p := range im.extraPipes {
		addPipe(p)
	}
	// Shares.
	sharing := f.Organization != nil && f.Organization.RAMSharing == "enabled"
	for _, r := range im.ofType("aws_ram_resource_share") {
		s := im.shares[r]
		if len(s.fs.Pipelines) == 0 {
			im.unmap(r.Address, "share %s has no SageMaker pipeline associated; left out", s.fs.Name)
			continue
		}
		for _, pr := range s.principals {
			acct, _, _ := strings.Cut(pr, "/")
			switch {
			case pr == "org" || strings.HasPrefix(pr, "ou:"):
				if !sharing || !inOrg[s.fs.Owner] {
					im.unmap(r.Address, "principal %s needs organization sharing (aws_ram_sharing_with_organization) and an owner in the organization; left out", pr)
					continue
				}
			case acct == s.fs.Owner:
				im.unmap(r.Address, "principal %s is the share's own owner account; left out", pr)
				continue
			}
			if accountIDRE.MatchString(acct) {
				if _, ok := accountIdx[acct]; !ok {
					addAccount(FileAccount{ID: acct})
				}
				if name, ok := strings.CutPrefix(pr, acct+"/"); ok {
					a := &f.Accounts[accountIdx[acct]]
					if !slices.ContainsFunc(a.Principals, func(p FilePrincipal) bool { return p.Name == name }) {
						a.Principals = append(a.Principals, FilePrincipal{Name: name})
					}
				}
			}
			s.fs.Principals = append(s.fs.Principals, pr)
		}
		if len(s.fs.Principals) == 0 {
			im.unmap(r.Address, "share %s has no principal that could be mapped; left out", s.fs.Name)
			continue
		}
		// Invitations: every account principal that needs one.
		for _, pr := range s.fs.Principals {
			acct, _, _ := strings.Cut(pr, "/")
			if !accountIDRE.MatchString(acct) || (sharing && inOrg[acct] && inOrg[s.fs.Owner]) {
				continue
			}
			if _, dup := s.fs.Invitations[acct]; dup {
				continue
			}
			if s.hasAccept && (slices.Contains(s.accepted, "*") || slices.Contains(s.accepted, acct)) {
				if s.fs.Invitations == nil {
					s.fs.Invitations = map[string]any{}
				}
				s.fs.Invitations[acct] = map[string]any{"accept_after": "0s"}
				continue
			}
			im.unmap(r.Address, "no aws_ram_resource_share_accepter for %s in the plan: its invitation is taken as accepted at once (pipeshare's default); set invitations: {%q: ignore} to model one left pending", acct, acct)
		}
		f.Shares = append(f.Shares, s.fs)
	}
	f.Header = im.header()
	return nil
}

func (im *tfImporter) header() string {
	var b strings.Builder
	fmt.Fprintf(&b, "imported by pipeshare import terraform from %s", filepath.Base(im.file))
	b.WriteString("\npricing: the embedded us-east-1 prices apply; add pricing: for other types or discounts")
	if len(im.placeholders) > 0 {
		b.WriteString("\nplaceholders (replace with the real IDs after apply):")
		for _, p := range im.placeholders {
			b.WriteString("\n  - " + p)
		}
	}
	if len(im.unmapped) > 0 {
		b.WriteString("\ncould not map:")
		for _, u := range im.unmapped {
			b.WriteString("\n  - " + u)
		}
	} else {
		b.WriteString("\ncould not map: nothing")
	}
	return b.String()
}
