package importer

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/scenarios/pipelinedef"
)

// This file maps the data a definition's steps name (pipelinedef.Data)
// onto the imported scenario's data plane (docs/importing.md#the-data-of-a-definition):
// each step's role, inputs, outputs and kms_key, the pipeline's role and
// the parameters they use, and the buckets, keys and accounts they name.

var (
	// regionRE is an AWS region such as us-east-1 or us-gov-west-1.
	regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	// defaultBucketRE is the SageMaker Python SDK's default bucket,
	// sagemaker-REGION-ACCOUNT, which it creates in the session's region
	// and account.
	defaultBucketRE = regexp.MustCompile(`^sagemaker-([a-z]{2}(?:-[a-z]+)+-[0-9]+)-([0-9]{12})$`)
)

// dataMapper collects what the steps' data names.
type dataMapper struct {
	owner        string
	regions      []string // named by ARNs and default bucket names, in the order named
	buckets      []*dataBucket
	keys         []*dataKey
	accounts     []string           // besides the owner, in the order named
	params       map[string]*string // the pipeline parameters the data uses → default (nil: none)
	roleNotes    map[string]bool    // role ARNs already noted
	unmapped     []posLine
	placeholders []string
}

// posLine is a line of the header's could-not-map list, at a position of
// the definition.
type posLine struct {
	pos  model.Pos
	text string
}

type dataBucket struct {
	name, account, region string
	assumed               bool // the owner account, for want of another
	at                    model.Pos
}

type dataKey struct {
	id, alias, account, region string
	assumed                    bool // the owner account, for want of another
	madeUpID                   bool
	at                         model.Pos
}

func (m *dataMapper) note(at model.Pos, format string, args ...any) {
	m.unmapped = append(m.unmapped, posLine{at, at.String() + ": " + fmt.Sprintf(format, args...)})
}

func (m *dataMapper) account(id string) {
	if id != m.owner && !slices.Contains(m.accounts, id) {
		m.accounts = append(m.accounts, id)
	}
}

func (m *dataMapper) region(r string) {
	if r != "" && !slices.Contains(m.regions, r) {
		m.regions = append(m.regions, r)
	}
}

// mapDefinitionData maps def's data into pipeline p (whose steps: entries
// are def's steps, in order) and file f: roles, inputs, outputs, keys,
// parameters, buckets, keys and accounts. It returns the header's lines:
// placeholders, and what could not be mapped, with positions.
func mapDefinitionData(def *pipelinedef.Definition, f *scenarios.File, p *scenarios.FilePipeline) (placeholders, unmapped []string) {
	m := &dataMapper{owner: p.Account, params: map[string]*string{}, roleNotes: map[string]bool{}}
	roles := make([]string, len(def.Steps))
	var distinct []string
	for i := range def.Steps {
		st := &def.Steps[i]
		for _, u := range st.Data.Unmapped {
			m.note(u.Pos, "step %s: %s %s", st.Spec.Name, u.Field, u.Why)
		}
		if r := st.Data.Role; !r.IsZero() {
			roles[i] = m.role(st.Spec.Name, r)
			if roles[i] != "" && !slices.Contains(distinct, roles[i]) {
				distinct = append(distinct, roles[i])
			}
		}
	}
	if len(distinct) == 1 {
		p.Role = distinct[0]
	}
	for i := range def.Steps {
		st, fs := &def.Steps[i], &p.Steps[i]
		d := &st.Data
		if p.Role == "" {
			fs.Role = roles[i]
		}
		if fs.Role == "" && p.Role == "" {
			if len(d.Inputs)+len(d.Outputs) > 0 {
				m.note(st.Spec.Pos, "step %s: its S3 data is not mapped: the definition names no role it runs as", st.Spec.Name)
			}
			continue
		}
		for _, in := range d.Inputs {
			if r, ok := m.uri(st.Spec.Name, in); ok {
				fs.Inputs = append(fs.Inputs, r)
			}
		}
		for _, out := range d.Outputs {
			if r, ok := m.uri(st.Spec.Name, out); ok {
				fs.Outputs = append(fs.Outputs, r)
			}
		}
		if !d.KMSKey.IsZero() {
			fs.KMSKey, _ = m.key(st.Spec.Name, d.KMSKey)
		}
	}
	m.declare(f, p)
	slices.SortStableFunc(m.unmapped, func(a, b posLine) int {
		switch {
		case a.pos.Before(b.pos):
			return -1
		case b.pos.Before(a.pos):
			return 1
		}
		return 0
	})
	for _, l := range m.unmapped {
		unmapped = append(unmapped, l.text)
	}
	return m.placeholders, unmapped
}

// ref is d as a scenario reference: {param: X} (the pipeline's parameters
// then give X its default, or none), else the literal; a Std:Join of
// parameters is its value with theirs, noted.
func (m *dataMapper) ref(step string, d pipelinedef.Datum) scenarios.FileDataRef {
	if d.Param != "" {
		m.params[d.Param] = nil
		if !d.Required {
			m.params[d.Param] = &d.Value
		}
		return scenarios.FileDataRef{Param: d.Param}
	}
	if len(d.Joined) > 0 {
		m.note(d.Pos, "step %s: %s is a Std:Join of parameters (%s): mapped as %q, with their defaults; a Start that passes other values is not followed",
			step, d.Field, strings.Join(slices.Compact(slices.Clone(d.Joined)), ", "), d.Value)
	}
	return scenarios.FileDataRef{Value: d.Value}
}

// what says where a datum's value comes from, for notes.
func what(d pipelinedef.Datum) string {
	if d.Param != "" {
		return fmt.Sprintf("%s (parameter %s's value %q)", d.Field, d.Param, d.Value)
	}
	return fmt.Sprintf("%s %q", d.Field, d.Value)
}

// role maps an execution role ARN to role/NAME in the owner account; "" when
// it is not a role ARN.
func (m *dataMapper) role(step string, d pipelinedef.Datum) string {
	acct, name, err := model.ParsePrincipalARN(d.Value)
	if err != nil || !strings.HasPrefix(name, "role/") || strings.HasPrefix(d.Value, "arn:aws:sts:") {
		m.note(d.Pos, "step %s: %s is not an IAM role ARN", step, what(d))
		return ""
	}
	if m.roleNotes[d.Value] {
		return name
	}
	m.roleNotes[d.Value] = true
	if d.Param != "" {
		m.note(d.Pos, "step %s: %s: role: takes no parameter: mapped as the parameter's value", step, what(d))
	}
	if string(acct) != m.owner {
		m.note(d.Pos, "step %s: %s is in account %s: an execution role is in the pipeline's account, so the scenario declares %s in %s",
			step, what(d), acct, name, m.owner)
	}
	return name
}

// uri maps an S3 URI and declares its bucket (a parameter without a
// default names none: each Start's value does).
func (m *dataMapper) uri(step string, d pipelinedef.Datum) (scenarios.FileDataRef, bool) {
	if d.Required {
		return m.ref(step, d), true
	}
	name, _, err := model.ParseS3URI(d.Value)
	if err != nil {
		m.note(d.Pos, "step %s: %s: %v", step, d.Field, err)
		return scenarios.FileDataRef{}, false
	}
	if !slices.ContainsFunc(m.buckets, func(b *dataBucket) bool { return b.name == name }) {
		b := &dataBucket{name: name, account: m.owner, assumed: true, at: d.Pos}
		if sm := defaultBucketRE.FindStringSubmatch(name); sm != nil {
			b.region, b.account, b.assumed = sm[1], sm[2], false
			m.region(b.region)
		}
		m.account(b.account)
		m.buckets = append(m.buckets, b)
	}
	return m.ref(step, d), true
}

// key maps a KMS key (a key ID, key ARN, alias or alias ARN) and declares
// it (a parameter without a default names none).
func (m *dataMapper) key(step string, d pipelinedef.Datum) (scenarios.FileDataRef, bool) {
	if d.Required {
		return m.ref(step, d), true
	}
	k, why := parseKey(d.Value)
	if why != "" {
		m.note(d.Pos, "step %s: %s %s", step, what(d), why)
		return scenarios.FileDataRef{}, false
	}
	k.at = d.Pos
	if k.account == "" {
		k.account, k.assumed = m.owner, true
	}
	i := slices.IndexFunc(m.keys, func(o *dataKey) bool {
		return k.id != "" && o.id == k.id || k.alias != "" && o.alias == k.alias
	})
	switch {
	case i < 0:
		if k.id == "" {
			made := 1 + len(slices.DeleteFunc(slices.Clone(m.keys), func(o *dataKey) bool { return !o.madeUpID }))
			k.id, k.madeUpID = fmt.Sprintf("00000000-0000-0000-0000-%012d", made), true
		}
		m.keys = append(m.keys, &k)
	case m.keys[i].assumed && !k.assumed:
		m.keys[i].account, m.keys[i].region, m.keys[i].assumed = k.account, k.region, false
	case !k.assumed && (k.account != m.keys[i].account || k.region != m.keys[i].region):
		o := m.keys[i]
		m.note(d.Pos, "step %s: %s is another key than the one of the same ID or alias in account %s (at %s): the scenario declares each ID and alias once",
			step, what(d), o.account, o.at)
		return scenarios.FileDataRef{}, false
	}
	m.region(k.region)
	m.account(k.account)
	return m.ref(step, d), true
}

// parseKey reads a KMS key reference; why says why it cannot be declared.
func parseKey(v string) (dataKey, string) {
	var k dataKey
	switch {
	case strings.HasPrefix(v, "arn:"):
		a, err := model.ParseARN(v)
		if err != nil || a.Service != "kms" || !regionRE.MatchString(a.Region) {
			return k, "is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID or alias/NAME)"
		}
		if _, err := model.ParseAccountID(a.Account); err != nil {
			return k, "is not a KMS key ARN: " + err.Error()
		}
		k.account, k.region = a.Account, a.Region
		if id, ok := strings.CutPrefix(a.Resource, "key/"); ok {
			k.id = id
		} else {
			k.alias = a.Resource
		}
	case strings.HasPrefix(v, "alias/"):
		k.alias = v
	default:
		k.id = v
	}
	switch {
	case k.alias != "" && (len(k.alias) == len("alias/") || !strings.HasPrefix(k.alias, "alias/")):
		return k, "is not a KMS key or alias"
	case model.IsAWSManagedKey(k.alias):
		return k, "is an AWS managed key, whose key policy cannot be written (it lets only its own account use the key, through the service)"
	case k.alias == "" && (k.id == "" || strings.ContainsAny(k.id, "/: ")):
		return k, "is not a KMS key ID, ARN or alias"
	}
	return k, ""
}

// declare writes the scenario's region, accounts, the owner's roles,
// keys, buckets and the pipeline's parameters, and the placeholders.
func (m *dataMapper) declare(f *scenarios.File, p *scenarios.FilePipeline) {
	if len(m.regions) > 0 {
		f.Region = m.regions[0]
	}
	region := f.Region
	if region == "" {
		region = scenarios.DefaultRegion
	}
	other := func(r string) string {
		if r == region {
			return ""
		}
		return r
	}
	var roles []string
	if p.Role != "" {
		roles = append(roles, p.Role)
	}
	for _, s := range p.Steps {
		if s.Role != "" && !slices.Contains(roles, s.Role) {
			roles = append(roles, s.Role)
		}
	}
	for _, r := range roles {
		f.Accounts[0].Principals = append(f.Accounts[0].Principals, scenarios.FilePrincipal{Name: r})
	}
	for _, a := range m.accounts {
		f.Accounts = append(f.Accounts, scenarios.FileAccount{ID: a})
	}
	for _, k := range m.keys {
		name := k.alias
		if name == "" {
			name = k.id
		}
		switch {
		case k.madeUpID && k.assumed:
			m.placeholders = append(m.placeholders, fmt.Sprintf("key %s (at %s): ID %s made up and account %s assumed: the definition names the key by its alias only", name, k.at, k.id, k.account))
		case k.madeUpID:
			m.placeholders = append(m.placeholders, fmt.Sprintf("key %s (at %s): ID %s made up: the definition names the key by its alias", name, k.at, k.id))
		case k.assumed:
			m.placeholders = append(m.placeholders, fmt.Sprintf("key %s (at %s): account %s assumed: a key ID names no account", name, k.at, k.account))
		}
		f.Keys = append(f.Keys, scenarios.FileKey{ID: k.id, Alias: k.alias, Account: k.account, Region: other(k.region)})
	}
	for _, b := range m.buckets {
		if b.assumed {
			m.placeholders = append(m.placeholders, fmt.Sprintf("bucket %s (at %s): account %s assumed: an S3 URI names no account", b.name, b.at, b.account))
		}
		f.Buckets = append(f.Buckets, scenarios.FileBucket{Name: b.name, Account: b.account, Region: other(b.region)})
	}
	if len(m.params) > 0 {
		p.Parameters = m.params
	}
}
