package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pipeshare/pipeshare/internal/jsonpos"
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/sim"
)

// This file imports a Terraform plan as JSON (`terraform show -json PLAN`)
// into a scenario. It reads the planned state
// (planned_values, with data sources from prior_state) and, for values only
// known after apply, the references in the configuration's expressions,
// resolved by resource address.

// TerraformOptions control [Terraform].
type TerraformOptions struct {
	Options // Name defaults to the plan file's base name
	// Owner is the account that owns the plan's pipelines (the account of
	// the provider that creates them); default: the organization's
	// management account. A pipeline whose ARN is known uses its ARN's.
	Owner string
}

// Permission ARNs of the two AWS managed permissions for sagemaker:Pipeline
// (docs/aws-semantics.md#managed-permissions).
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

// Terraform imports `terraform show -json` output read from file ("-":
// stdin) and returns a scenario that passes validate, with what could not
// be mapped and the placeholder IDs it made up. Malformed JSON is an error
// at file:line:col; a reference to a resource that is not in the plan is
// an error at the reference, naming the referring resource's address.
func Terraform(file string, data []byte, opts TerraformOptions) (*Result, error) {
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
	return &Result{File: im.out, Command: "pipeshare import terraform " + file, From: "a Terraform plan",
		About:    []string{"Pricing: the embedded us-east-1 prices apply; add pricing: for other types or discounts."},
		Unmapped: im.unmapped, Placeholders: im.placeholders}, nil
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
	out          *scenarios.File

	// built entities
	org        *tfOrg
	ous        map[*tfResource]*tfOU
	accounts   map[*tfResource]string // aws_organizations_account → ID
	knownIDs   map[string]bool
	policies   map[*tfResource]string // aws_organizations_policy → scenario policy name
	pipelines  map[*tfResource]*scenarios.FilePipeline
	shares     map[*tfResource]*tfShare
	extraPipes []*scenarios.FilePipeline // shared by ARN, not in the plan
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
	fs         scenarios.FileShare
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

var arnRE = regexp.MustCompile(`^arn:aws[a-z-]*:([a-z0-9-]*):([a-z0-9-]*):([0-9]{12}|aws)?:(.*)$`)

// isAccountID reports whether s is a 12-digit account ID.
func isAccountID(s string) bool {
	_, err := model.ParseAccountID(s)
	return err == nil
}

// build maps the indexed plan to a File.
func (im *tfImporter) build() error {
	im.ous = map[*tfResource]*tfOU{}
	im.accounts = map[*tfResource]string{}
	im.knownIDs = map[string]bool{}
	im.policies = map[*tfResource]string{}
	im.pipelines = map[*tfResource]*scenarios.FilePipeline{}
	im.shares = map[*tfResource]*tfShare{}

	im.out = im.opts.newFile(strings.TrimSuffix(filepath.Base(im.file), filepath.Ext(im.file)))
	im.out.Region = im.region()
	for _, r := range im.resources {
		if r.Mode != "managed" {
			continue
		}
		for _, v := range r.Values {
			if s, ok := v.(string); ok && isAccountID(s) {
				im.knownIDs[s] = true
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
				if s, ok := e.ConstantValue.(string); ok && scenarios.ValidRegion(s) {
					return s
				}
				for _, ref := range e.References {
					if v, ok := im.plan.Variables[strings.TrimPrefix(ref, "var.")]; ok && strings.HasPrefix(ref, "var.") {
						if s, ok := v.Value.(string); ok && scenarios.ValidRegion(s) {
							return s
						}
					}
				}
			}
		}
	}
	for _, r := range im.resources {
		if s, ok := r.str("arn"); ok {
			if m := arnRE.FindStringSubmatch(s); m != nil && scenarios.ValidRegion(m[2]) {
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
	if id, ok := r.str("master_account_id"); ok && isAccountID(id) {
		o.management = id
	} else if isAccountID(im.opts.Owner) {
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
			if id, ok := r.str("account_id"); ok && isAccountID(id) {
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
		if !ok || !isAccountID(id) {
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
		if msg := scpProblem(name, map[string]any{"Statement": []any{st}}); msg != "" {
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

func (im *tfImporter) defaultOwner() string {
	if isAccountID(im.opts.Owner) {
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
		if !model.ValidPipelineName(name) {
			im.unmap(r.Address, "pipeline_name %q is not a valid SageMaker pipeline name; pipeline left out", name)
			continue
		}
		acct := ""
		if arn, ok := r.str("arn"); ok {
			if m := arnRE.FindStringSubmatch(arn); m != nil && isAccountID(m[3]) {
				acct = m[3]
			}
		}
		if acct == "" && isAccountID(im.opts.Owner) {
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
		p := &scenarios.FilePipeline{Name: name, Account: acct}
		if def, ok := r.str("pipeline_definition"); ok {
			p.Definition = def
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
	if m := arnRE.FindStringSubmatch(s); m != nil && m[1] == "iam" && isAccountID(m[3]) {
		return m[3]
	}
	return ""
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
		s := &tfShare{res: r, fs: scenarios.FileShare{Name: name}}
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
		var p *scenarios.FilePipeline
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
		if id, ok := r.str("receiver_account_id"); ok && isAccountID(id) {
			s.accepted = append(s.accepted, id)
		} else {
			s.accepted = append(s.accepted, "*")
		}
	}
	return nil
}

// pipelineByARN finds the pipeline a known resource ARN names, adding a
// pipeline without steps when it is not in the plan.
func (im *tfImporter) pipelineByARN(addr, arn string) *scenarios.FilePipeline {
	m := arnRE.FindStringSubmatch(arn)
	if m == nil || m[1] != "sagemaker" || !strings.HasPrefix(m[4], "pipeline/") || !isAccountID(m[3]) {
		im.unmap(addr, "resource %s is not a SageMaker pipeline; not modelled", arn)
		return nil
	}
	name := strings.TrimPrefix(m[4], "pipeline/")
	if !model.ValidPipelineName(name) {
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
	p := &scenarios.FilePipeline{Name: name, Account: m[3]}
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
	if isAccountID(s) {
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
	case m[1] == "iam" && isAccountID(m[3]) && model.ValidPrincipalName(m[4]) && m[4] != "root":
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

// assembly is the scenario being assembled from the entities that build
// made, with indexes of the accounts and OUs it holds.
type assembly struct {
	im         *tfImporter
	f          *scenarios.File
	accountIdx map[string]int  // account ID → index in f.Accounts
	unitIdx    map[string]int  // OU path → index in f.Organization.Units
	inOrg      map[string]bool // the accounts in the organization
}

// assemble writes the entities into im.out in the scenario's order,
// leaving out (and listing) what would not validate.
func (im *tfImporter) assemble() error {
	a := &assembly{im: im, f: im.out, accountIdx: map[string]int{}, unitIdx: map[string]int{}, inOrg: map[string]bool{}}
	a.organization()
	if err := a.orgAccounts(); err != nil {
		return err
	}
	if err := a.scpAttachments(); err != nil {
		return err
	}
	a.pipelines()
	a.shares()
	return nil
}

// account returns the index of the account with acc's ID, adding acc when
// the scenario does not have it yet.
func (a *assembly) account(acc scenarios.FileAccount) int {
	if i, ok := a.accountIdx[acc.ID]; ok {
		return i
	}
	a.f.Accounts = append(a.f.Accounts, acc)
	a.accountIdx[acc.ID] = len(a.f.Accounts) - 1
	return len(a.f.Accounts) - 1
}

// unit returns the index of the OU at path, adding it when the
// organization does not have it yet.
func (a *assembly) unit(path string) int {
	if i, ok := a.unitIdx[path]; ok {
		return i
	}
	org := a.f.Organization
	org.Units = append(org.Units, scenarios.FileUnit{Path: path})
	a.unitIdx[path] = len(org.Units) - 1
	return len(org.Units) - 1
}

// organization writes the organization, its OUs (sorted by path) and its
// management account.
func (a *assembly) organization() {
	o := a.im.org
	if o == nil {
		return
	}
	a.f.Organization = &scenarios.FileOrg{ID: o.id, ManagementAccount: o.management, RAMSharing: "disabled"}
	if o.ramSharing {
		a.f.Organization.RAMSharing = "enabled"
	}
	ous := slices.SortedFunc(maps.Values(a.im.ous), func(x, y *tfOU) int { return strings.Compare(x.path, y.path) })
	for _, ou := range ous {
		i := a.unit(ou.path)
		if strings.HasPrefix(ou.id, "ou-") {
			a.f.Organization.Units[i].ID = ou.id
		}
	}
	mgmtName := "management"
	if n, ok := o.res.str("master_account_name"); ok {
		mgmtName = n
	}
	a.account(scenarios.FileAccount{ID: o.management, Name: mgmtName, OU: "/"})
	a.inOrg[o.management] = true
}

// orgAccounts writes the aws_organizations_account resources, in their
// OUs, or outside any organization when the plan has none.
func (a *assembly) orgAccounts() error {
	for _, r := range a.im.ofType("aws_organizations_account") {
		id := a.im.accounts[r]
		name, _ := r.str("name")
		if a.im.org == nil {
			a.account(scenarios.FileAccount{ID: id, Name: name})
			a.im.unmap(r.Address, "an organization account, but the plan has no aws_organizations_organization; placed outside any organization")
			continue
		}
		ou, err := a.im.accountOU(r)
		if err != nil {
			return err
		}
		if i, ok := a.accountIdx[id]; ok {
			a.f.Accounts[i].Name, a.f.Accounts[i].OU = name, ou
			continue
		}
		a.account(scenarios.FileAccount{ID: id, Name: name, OU: ou})
		a.inOrg[id] = true
	}
	return nil
}

// scpAttachments attaches the SCPs of the aws_organizations_policy_attachment
// resources to their accounts and OUs.
func (a *assembly) scpAttachments() error {
	for _, r := range a.im.ofType("aws_organizations_policy_attachment") {
		if err := a.scpAttachment(r); err != nil {
			return err
		}
	}
	if org := a.f.Organization; org != nil {
		sort.SliceStable(org.Units, func(i, j int) bool { return org.Units[i].Path < org.Units[j].Path })
	}
	return nil
}

func (a *assembly) scpAttachment(r *tfResource) error {
	pv, err := a.im.value(r, "policy_id")
	if err != nil {
		return err
	}
	tv, err := a.im.value(r, "target_id")
	if err != nil {
		return err
	}
	if pv.target == nil && pv.known && pv.s == "p-FullAWSAccess" {
		return nil // attached everywhere by default
	}
	policy := a.im.policyNamed(pv)
	switch {
	case policy == "":
		a.im.unmap(r.Address, "policy_id %s is not an SCP mapped from the plan", describe(pv))
		return nil
	case a.f.Organization == nil:
		a.im.unmap(r.Address, "the plan has no organization")
		return nil
	}
	if t := tv.target; t != nil && t.Type == "aws_organizations_account" {
		i := a.accountIdx[a.im.accounts[t]]
		a.f.Accounts[i].SCPs = append(a.f.Accounts[i].SCPs, policy)
		return nil
	}
	if i, ok := a.accountIdx[tv.s]; tv.known && isAccountID(tv.s) && ok {
		a.f.Accounts[i].SCPs = append(a.f.Accounts[i].SCPs, policy)
		return nil
	}
	path, ok := a.im.parentPath(tv)
	if !ok {
		a.im.unmap(r.Address, "target_id %s is not the root, an OU or an account of the plan", describe(tv))
		return nil
	}
	u := &a.f.Organization.Units[a.unit(path)]
	u.SCPs = append(u.SCPs, policy)
	return nil
}

// policyNamed returns the scenario name of the SCP a policy_id refers to
// or holds the ID of, or "".
func (im *tfImporter) policyNamed(pv tfValue) string {
	if pv.target != nil {
		return im.policies[pv.target]
	}
	name := ""
	if pv.known {
		for _, r := range im.ofType("aws_organizations_policy") {
			if id, _ := r.str("id"); id == pv.s && im.policies[r] != "" {
				name = im.policies[r]
			}
		}
	}
	return name
}

// pipelines writes the plan's pipelines in plan order, then those shared by
// ARN only, with their owners' accounts.
func (a *assembly) pipelines() {
	seen := map[string]bool{}
	add := func(p *scenarios.FilePipeline) {
		key := p.Account + "/" + strings.ToLower(p.Name)
		if seen[key] {
			return
		}
		seen[key] = true
		a.f.Pipelines = append(a.f.Pipelines, *p)
		a.account(scenarios.FileAccount{ID: p.Account})
	}
	for _, r := range a.im.ofType("aws_sagemaker_pipeline") {
		if p := a.im.pipelines[r]; p != nil {
			add(p)
		}
	}
	for _, p := range a.im.extraPipes {
		add(p)
	}
}

// shares writes the shares that have a pipeline and a principal that can
// be mapped.
func (a *assembly) shares() {
	sharing := a.f.Organization != nil && a.f.Organization.RAMSharing == "enabled"
	for _, r := range a.im.ofType("aws_ram_resource_share") {
		s := a.im.shares[r]
		if len(s.fs.Pipelines) == 0 {
			a.im.unmap(r.Address, "share %s has no SageMaker pipeline associated; left out", s.fs.Name)
			continue
		}
		a.sharePrincipals(r, s, sharing)
		if len(s.fs.Principals) == 0 {
			a.im.unmap(r.Address, "share %s has no principal that could be mapped; left out", s.fs.Name)
			continue
		}
		a.invitations(r, s, sharing)
		a.f.Shares = append(a.f.Shares, s.fs)
	}
}

// sharePrincipals keeps the principals of share s that validate, adding
// their accounts and roles to the scenario.
func (a *assembly) sharePrincipals(r *tfResource, s *tfShare, sharing bool) {
	for _, pr := range s.principals {
		acct, _, _ := strings.Cut(pr, "/")
		switch {
		case pr == "org" || strings.HasPrefix(pr, "ou:"):
			if !sharing || !a.inOrg[s.fs.Owner] {
				a.im.unmap(r.Address, "principal %s needs organization sharing (aws_ram_sharing_with_organization) and an owner in the organization; left out", pr)
				continue
			}
		case acct == s.fs.Owner:
			a.im.unmap(r.Address, "principal %s is the share's own owner account; left out", pr)
			continue
		}
		if isAccountID(acct) {
			acc := &a.f.Accounts[a.account(scenarios.FileAccount{ID: acct})]
			if name, ok := strings.CutPrefix(pr, acct+"/"); ok &&
				!slices.ContainsFunc(acc.Principals, func(p scenarios.FilePrincipal) bool { return p.Name == name }) {
				acc.Principals = append(acc.Principals, scenarios.FilePrincipal{Name: name})
			}
		}
		s.fs.Principals = append(s.fs.Principals, pr)
	}
}

// invitations accepts at once the invitation of each account principal of
// share s that needs one and that an aws_ram_resource_share_accepter
// accepts; the others are listed (pipeshare's default accepts them too).
func (a *assembly) invitations(r *tfResource, s *tfShare, sharing bool) {
	for _, pr := range s.fs.Principals {
		acct, _, _ := strings.Cut(pr, "/")
		if !isAccountID(acct) || (sharing && a.inOrg[acct] && a.inOrg[s.fs.Owner]) {
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
		a.im.unmap(r.Address, "no aws_ram_resource_share_accepter for %s in the plan: its invitation is taken as accepted at once (pipeshare's default); set invitations: {%q: ignore} to model one left pending", acct, acct)
	}
}
