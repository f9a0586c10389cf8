package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/pipeshare/pipeshare/internal/input"
	"github.com/pipeshare/pipeshare/internal/jsonpos"
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios"
)

// This file imports a folder of AWS CLI JSON outputs (an "AWS snapshot",
// written by docs/snapshot.sh) into a scenario.
// Each file holds the output of one CLI call, named after the call; files
// for one parent, policy, share or pipeline carry its ID or name:
//
//	describe-organization.json                          aws organizations describe-organization
//	list-roots.json                                     aws organizations list-roots
//	list-accounts.json                                  aws organizations list-accounts
//	list-organizational-units-for-parent-PARENT.json    ... list-organizational-units-for-parent --parent-id PARENT
//	list-accounts-for-parent-PARENT.json                ... list-accounts-for-parent --parent-id PARENT
//	list-policies.json                                  ... list-policies --filter SERVICE_CONTROL_POLICY
//	describe-policy-POLICY.json                         ... describe-policy --policy-id POLICY
//	list-targets-for-policy-POLICY.json                 ... list-targets-for-policy --policy-id POLICY
//	get-resource-shares.json                            aws ram get-resource-shares --resource-owner SELF
//	get-resource-share-associations-principal.json      ... get-resource-share-associations --association-type PRINCIPAL
//	get-resource-share-associations-resource.json       ... get-resource-share-associations --association-type RESOURCE
//	get-resource-share-invitations.json                 aws ram get-resource-share-invitations
//	list-resource-share-permissions-SHAREID.json        ... list-resource-share-permissions --resource-share-arn ARN
//	                                                    (SHAREID: the last segment of the share's ARN)
//	list-pipelines.json                                 aws sagemaker list-pipelines
//	describe-pipeline-NAME.json                         ... describe-pipeline --pipeline-name NAME
//
// Every file is optional; what is missing is listed among what could not
// be mapped. A folder with neither an organization nor pipelines nor
// shares is an error.

// JSON shapes of the CLI outputs (only the fields pipeshare reads).
type (
	awsOrgOut struct {
		Organization struct {
			ID              string `json:"Id"`
			Arn             string
			FeatureSet      string
			MasterAccountID string `json:"MasterAccountId"`
		}
	}
	awsRootsOut struct {
		Roots []struct {
			ID   string `json:"Id"`
			Name string
		}
	}
	awsAccount struct {
		ID     string `json:"Id"`
		Name   string
		Status string
	}
	awsAccountsOut struct{ Accounts []awsAccount }
	awsOUsOut      struct {
		OrganizationalUnits []struct {
			ID   string `json:"Id"`
			Name string
		}
	}
	awsPolicySummary struct {
		ID         string `json:"Id"`
		Name       string
		Type       string
		AwsManaged bool
	}
	awsPoliciesOut    struct{ Policies []awsPolicySummary }
	awsDescribePolicy struct {
		Policy struct {
			PolicySummary awsPolicySummary
			Content       string
		}
	}
	awsTargetsOut struct {
		Targets []struct {
			TargetID string `json:"TargetId"`
			Name     string
			Type     string
		}
	}
	awsSharesOut struct {
		ResourceShares []struct {
			ResourceShareArn        string `json:"resourceShareArn"`
			Name                    string `json:"name"`
			OwningAccountID         string `json:"owningAccountId"`
			AllowExternalPrincipals *bool  `json:"allowExternalPrincipals"`
			Status                  string `json:"status"`
		} `json:"resourceShares"`
	}
	awsAssociationsOut struct {
		ResourceShareAssociations []struct {
			ResourceShareArn string `json:"resourceShareArn"`
			AssociatedEntity string `json:"associatedEntity"`
			AssociationType  string `json:"associationType"`
			Status           string `json:"status"`
			External         bool   `json:"external"`
		} `json:"resourceShareAssociations"`
	}
	awsInvitationsOut struct {
		ResourceShareInvitations []struct {
			ResourceShareArn  string `json:"resourceShareArn"`
			SenderAccountID   string `json:"senderAccountId"`
			ReceiverAccountID string `json:"receiverAccountId"`
			ReceiverArn       string `json:"receiverArn"`
			Status            string `json:"status"`
		} `json:"resourceShareInvitations"`
	}
	awsPermissionsOut struct {
		Permissions []struct {
			Arn          string `json:"arn"`
			Name         string `json:"name"`
			ResourceType string `json:"resourceType"`
		} `json:"permissions"`
	}
	awsPipelineSummary struct {
		PipelineArn  string
		PipelineName string
	}
	awsPipelinesOut     struct{ PipelineSummaries []awsPipelineSummary }
	awsDescribePipeline struct {
		PipelineArn              string
		PipelineName             string
		PipelineDefinition       string
		PipelineStatus           string
		ParallelismConfiguration *struct{ MaxParallelExecutionSteps int }
	}
)

// awsImporter holds the state of one import.
type awsImporter struct {
	dir      string
	fsys     fs.FS
	unmapped []string
	region   string

	org        *scenarios.FileOrg
	orgARN     string
	accounts   map[string]*scenarios.FileAccount // by ID
	order      []string                          // account IDs in output order
	inOrg      map[string]bool
	ouPath     map[string]string // OU or root ID → path
	unitByPath map[string]*scenarios.FileUnit
	units      []*scenarios.FileUnit
	policies   map[string]any
	pipelines  []scenarios.FilePipeline
	pipeByARN  map[string]int // lower-cased pipeline ARN → index
	shares     []scenarios.FileShare
}

// AWS imports the AWS CLI snapshot in fsys, the folder dir (its name in
// messages, positions and the header; the scenario's default name is its
// base name). It reads fsys's files with fs.ReadFile: pipeshare gives it
// an input.FS, so that each file is bounded. A file that is not valid JSON
// or holds a pipeline definition with a problem is an error naming
// file:line:col; missing files are listed in Unmapped.
func AWS(fsys fs.FS, dir string, opts Options) (*Result, error) {
	im := &awsImporter{dir: dir, fsys: fsys, accounts: map[string]*scenarios.FileAccount{},
		inOrg: map[string]bool{}, ouPath: map[string]string{}, unitByPath: map[string]*scenarios.FileUnit{},
		policies: map[string]any{}, pipeByARN: map[string]int{}}
	if err := im.run(); err != nil {
		return nil, err
	}
	f := opts.newFile(filepath.Base(filepath.Clean(dir)))
	f.Organization, f.Pipelines, f.Shares = im.org, im.pipelines, im.shares
	if len(im.policies) > 0 {
		f.Policies = im.policies
	}
	if im.region != "" && im.region != "us-east-1" {
		f.Region = im.region
	}
	if im.org != nil {
		for _, u := range im.units {
			im.org.Units = append(im.org.Units, *u)
		}
	}
	for _, id := range im.order {
		f.Accounts = append(f.Accounts, *im.accounts[id])
	}
	return &Result{File: f, Command: "pipeshare import aws " + filepath.ToSlash(dir),
		From: "an AWS CLI snapshot (docs/snapshot.sh)", About: awsAbout, Unmapped: im.unmapped}, nil
}

// awsAbout is what the header says of every AWS import.
var awsAbout = []string{
	"Workload: none. Add a `workload:` section (see `pipeshare scenarios show quickstart`),",
	"or replay recorded calls with `pipeshare run --trace` / `pipeshare import cloudtrail`.",
	"Invitations PENDING at snapshot time are `ignore` (they expire); edit to {accept_after: D}.",
	"IAM identity policies are not in the snapshot: imported roles have none.",
	"Step durations are not in a definition: defaults apply until `steps:` set them.",
}

func (im *awsImporter) notef(format string, args ...any) {
	im.unmapped = append(im.unmapped, fmt.Sprintf(format, input.CutArgs(args...)...))
}

// read decodes file name into v; ok is false when the file does not exist
// (noted in unmapped with why, unless why is "").
func (im *awsImporter) read(name, why string, v any) (bool, error) {
	data, err := im.readData(name, why, v)
	return data != nil, err
}

// readData is read, returning the file's data (nil when it does not
// exist).
func (im *awsImporter) readData(name, why string, v any) ([]byte, error) {
	data, err := fs.ReadFile(im.fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		if why != "" {
			im.notef("%s: missing (%s)", name, why)
		}
		return nil, nil
	}
	path := filepath.Join(im.dir, name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s:1:1: %v", input.Cut(path), err)
	}
	if err := jsonpos.Decode(path, data, v); err != nil {
		return nil, err
	}
	return data, nil
}

func (im *awsImporter) run() error {
	if err := im.readOrganization(); err != nil {
		return err
	}
	if err := im.readPolicies(); err != nil {
		return err
	}
	if err := im.readPipelines(); err != nil {
		return err
	}
	if err := im.readShares(); err != nil {
		return err
	}
	if im.org == nil && len(im.pipelines) == 0 && len(im.shares) == 0 {
		return fmt.Errorf("%s: nothing to import: no describe-organization.json, list-pipelines.json, describe-pipeline-*.json or get-resource-shares.json (see docs/snapshot.sh)", im.dir)
	}
	if im.org != nil {
		// The management account must be a listed account inside the
		// organization.
		if a := im.account(im.org.ManagementAccount, ""); a.OU == "" && im.inOrg[a.ID] {
			a.OU = "/"
		}
	}
	return nil
}

// account returns the account with ID id, adding it (outside the
// organization) when it is new.
func (im *awsImporter) account(id, name string) *scenarios.FileAccount {
	if a, ok := im.accounts[id]; ok {
		if a.Name == "" {
			a.Name = name
		}
		return a
	}
	a := &scenarios.FileAccount{ID: id, Name: name}
	im.accounts[id] = a
	im.order = append(im.order, id)
	return a
}

// --- Organizations ---

func (im *awsImporter) readOrganization() error {
	var org awsOrgOut
	ok, err := im.read("describe-organization.json", "", &org)
	if err != nil || !ok {
		if err == nil {
			im.notef("describe-organization.json: missing: imported as accounts outside any organization")
		}
		return err
	}
	o := org.Organization
	if _, err := model.ParseAccountID(o.MasterAccountID); err != nil || o.ID == "" {
		im.notef("describe-organization.json: no organization Id or MasterAccountId: imported without an organization")
		return nil
	}
	im.org = &scenarios.FileOrg{ID: o.ID, ManagementAccount: o.MasterAccountID}
	im.orgARN = o.Arn
	if o.FeatureSet != "" && o.FeatureSet != "ALL" {
		im.notef("describe-organization.json: FeatureSet %s: SCPs need ALL features; SCPs imported anyway", o.FeatureSet)
	}

	var accts awsAccountsOut
	if _, err := im.read("list-accounts.json", "account names and the full account list", &accts); err != nil {
		return err
	}
	for _, a := range accts.Accounts {
		if _, err := model.ParseAccountID(a.ID); err != nil {
			im.notef("list-accounts.json: account %q: %v", a.ID, err)
			continue
		}
		im.account(a.ID, a.Name)
		im.inOrg[a.ID] = true
		if a.Status != "" && a.Status != "ACTIVE" {
			im.notef("account %s: status %s imported as active", a.ID, a.Status)
		}
	}
	im.inOrg[o.MasterAccountID] = true
	im.account(o.MasterAccountID, "")

	var roots awsRootsOut
	ok, err = im.read("list-roots.json", "the OU tree and OU placement of accounts", &roots)
	if err != nil {
		return err
	}
	if ok {
		if len(roots.Roots) != 1 {
			im.notef("list-roots.json: %d roots (an organization has one): the OU tree is not imported", len(roots.Roots))
		} else {
			if err := im.walkOUs(roots.Roots[0].ID, "/"); err != nil {
				return err
			}
		}
	}
	// Accounts of the organization never placed by list-accounts-for-parent.
	var unplaced []string
	for _, id := range im.order {
		if a := im.accounts[id]; im.inOrg[id] && a.OU == "" {
			a.OU = "/"
			unplaced = append(unplaced, id)
		}
	}
	if len(unplaced) > 0 && ok {
		im.notef("accounts %s: not in any list-accounts-for-parent-*.json: placed at the root /", strings.Join(unplaced, ", "))
	}
	return nil
}

// walkOUs records parent (a root or OU with path) and its descendants.
func (im *awsImporter) walkOUs(parent, path string) error {
	im.ouPath[parent] = path
	if path == "/" {
		im.unit(path, "")
	}
	var accts awsAccountsOut
	file := "list-accounts-for-parent-" + parent + ".json"
	ok, err := im.read(file, "which accounts are in "+path, &accts)
	if err != nil {
		return err
	}
	if ok {
		for _, a := range accts.Accounts {
			if _, err := model.ParseAccountID(a.ID); err != nil {
				im.notef("%s: account %q: %v", file, a.ID, err)
				continue
			}
			acct := im.account(a.ID, a.Name)
			im.inOrg[a.ID] = true
			acct.OU = path
		}
	}
	var ous awsOUsOut
	file = "list-organizational-units-for-parent-" + parent + ".json"
	ok, err = im.read(file, "the OUs under "+path, &ous)
	if err != nil || !ok {
		return err
	}
	children := ous.OrganizationalUnits
	sort.SliceStable(children, func(i, j int) bool { return children[i].ID < children[j].ID })
	used := map[string]bool{}
	type child struct{ id, path string }
	var kids []child
	for _, c := range children {
		seg := awsOUSegment(c.Name)
		if seg == "" {
			seg = c.ID
		}
		p := strings.TrimSuffix(path, "/") + "/" + seg
		for n := 2; used[p] || im.unitByPath[p] != nil; n++ {
			p = strings.TrimSuffix(path, "/") + "/" + seg + "-" + strconv.Itoa(n)
		}
		if seg != c.Name {
			im.notef("OU %s %q: path segment %q (names with / or leading/trailing spaces are rewritten)", c.ID, c.Name, p[strings.LastIndexByte(p, '/')+1:])
		} else if !strings.HasSuffix(p, "/"+seg) {
			im.notef("OU %s %q: same path as a sibling, imported as %s", c.ID, c.Name, p)
		}
		used[p] = true
		im.unit(p, c.ID)
		kids = append(kids, child{c.ID, p})
	}
	for _, k := range kids {
		if err := im.walkOUs(k.id, k.path); err != nil {
			return err
		}
	}
	return nil
}

// awsOUSegment turns an OU name into a path segment.
func awsOUSegment(name string) string {
	return strings.TrimSpace(strings.ReplaceAll(name, "/", "-"))
}

func (im *awsImporter) unit(path, id string) *scenarios.FileUnit {
	if u := im.unitByPath[path]; u != nil {
		return u
	}
	u := &scenarios.FileUnit{Path: path, ID: id}
	im.unitByPath[path] = u
	im.units = append(im.units, u)
	return u
}

// --- Service control policies ---

func (im *awsImporter) readPolicies() error {
	if im.org == nil {
		return nil
	}
	var list awsPoliciesOut
	ok, err := im.read("list-policies.json", "service control policies", &list)
	if err != nil || !ok {
		return err
	}
	// Targets of FullAWSAccess: when its target list is known, every root,
	// OU and account without it gets full_access: false.
	fullTargets := map[string]bool(nil)
	names := map[string]bool{}
	for _, p := range list.Policies {
		if p.Type != "" && p.Type != "SERVICE_CONTROL_POLICY" {
			im.notef("policy %s (%s): type %s is not an SCP", p.Name, p.ID, p.Type)
			continue
		}
		var targets awsTargetsOut
		tfile := "list-targets-for-policy-" + p.ID + ".json"
		ok, err := im.read(tfile, "where policy "+p.Name+" is attached", &targets)
		if err != nil {
			return err
		}
		if p.ID == "p-FullAWSAccess" || (p.AwsManaged && p.Name == "FullAWSAccess") {
			if ok {
				fullTargets = map[string]bool{}
				for _, t := range targets.Targets {
					fullTargets[t.TargetID] = true
				}
			}
			continue // implicit: full_access
		}
		if !ok {
			continue
		}
		if len(targets.Targets) == 0 {
			im.notef("policy %s (%s): attached nowhere: not imported", p.Name, p.ID)
			continue
		}
		var desc awsDescribePolicy
		dfile := "describe-policy-" + p.ID + ".json"
		ok, err = im.read(dfile, "the document of policy "+p.Name, &desc)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		var doc any
		if err := json.Unmarshal([]byte(desc.Policy.Content), &doc); err != nil {
			im.notef("%s: Content is not a JSON policy document (%v): policy %s not imported", dfile, err, p.Name)
			continue
		}
		name := awsPolicyName(p.Name, p.ID, names)
		if why := scpProblem(name, doc); why != "" {
			im.notef("policy %s (%s): %s: not imported", p.Name, p.ID, why)
			continue
		}
		names[name] = true
		im.policies[name] = doc
		for _, t := range targets.Targets {
			im.attach(tfile, t.TargetID, t.Type, name)
		}
	}
	if fullTargets == nil {
		return nil
	}
	no := false
	for _, u := range im.units {
		id := u.ID
		if u.Path == "/" {
			id = im.rootID()
		}
		if !fullTargets[id] {
			u.FullAccess = &no
		}
	}
	for _, id := range im.order {
		if a := im.accounts[id]; im.inOrg[id] && !fullTargets[id] {
			a.FullAccess = &no
		}
	}
	return nil
}

func (im *awsImporter) rootID() string {
	for id, p := range im.ouPath {
		if p == "/" {
			return id
		}
	}
	return ""
}

// attach attaches policy name to the target with id.
func (im *awsImporter) attach(file, id, typ, name string) {
	switch {
	case typ == "ACCOUNT" || (typ == "" && len(id) == 12):
		if !im.inOrg[id] {
			im.notef("%s: account %s is not in the organization: %s not attached", file, id, name)
			return
		}
		a := im.account(id, "")
		a.SCPs = append(a.SCPs, name)
	default:
		p, ok := im.ouPath[id]
		if !ok {
			im.notef("%s: target %s (%s) is not in the OU tree: %s not attached", file, id, typ, name)
			return
		}
		u := im.unit(p, "")
		u.SCPs = append(u.SCPs, name)
	}
}

// awsPolicyName makes a unique scenario policy name.
func awsPolicyName(name, id string, used map[string]bool) string {
	if name == "" {
		name = id
	}
	n := name
	for i := 2; used[n]; i++ {
		n = name + "-" + strconv.Itoa(i)
	}
	return n
}

// --- SageMaker pipelines ---

func (im *awsImporter) readPipelines() error {
	var list awsPipelinesOut
	ok, err := im.read("list-pipelines.json", "", &list)
	if err != nil {
		return err
	}
	summaries := list.PipelineSummaries
	if !ok {
		// Fall back to the describe-pipeline files present.
		matches, _ := fs.Glob(im.fsys, "describe-pipeline-*.json")
		if len(matches) == 0 {
			im.notef("list-pipelines.json: missing (the pipelines)")
			return nil
		}
		im.notef("list-pipelines.json: missing: pipelines taken from %d describe-pipeline-*.json files", len(matches))
		for _, m := range matches {
			summaries = append(summaries, awsPipelineSummary{PipelineName: strings.TrimSuffix(strings.TrimPrefix(m, "describe-pipeline-"), ".json")})
		}
	}
	sort.SliceStable(summaries, func(i, j int) bool { return summaries[i].PipelineName < summaries[j].PipelineName })
	for _, s := range summaries {
		var d awsDescribePipeline
		file := "describe-pipeline-" + s.PipelineName + ".json"
		data, err := im.readData(file, "the definition of pipeline "+s.PipelineName, &d)
		if err != nil {
			return err
		}
		ok := data != nil
		arn := s.PipelineArn
		if arn == "" {
			arn = d.PipelineArn
		}
		ref, err := model.ParsePipelineARN(arn)
		if err != nil {
			im.notef("pipeline %s: %v: not imported", s.PipelineName, err)
			continue
		}
		name := s.PipelineName
		if name == "" {
			name = d.PipelineName
		}
		if !model.ValidPipelineName(name) {
			im.notef("pipeline %q: not a valid pipeline name: not imported", name)
			continue
		}
		key := strings.ToLower(model.PipelineARN(ref.Region, ref.Account, name))
		if _, dup := im.pipeByARN[key]; dup {
			continue
		}
		im.useRegion(ref.Region)
		im.account(string(ref.Account), "")
		p := scenarios.FilePipeline{Name: name, Account: string(ref.Account)}
		if ok {
			switch {
			case d.PipelineDefinition == "":
				im.notef("%s: no PipelineDefinition", file)
			default:
				path := filepath.Join(im.dir, file)
				off, _ := jsonpos.Offset(data, "PipelineDefinition")
				line, col := jsonpos.LineCol(data, off)
				if err := checkDefinition(model.Pos{File: path, Line: line, Col: col}, "PipelineDefinition",
					name, string(ref.Account), d.PipelineDefinition); err != nil {
					return err
				}
				// Indented, so the YAML holds it as a readable block.
				var ind bytes.Buffer
				if json.Indent(&ind, []byte(d.PipelineDefinition), "", "  ") == nil {
					p.Definition = ind.String() + "\n"
				} else {
					p.Definition = d.PipelineDefinition
				}
			}
			if d.PipelineStatus != "" && d.PipelineStatus != "Active" {
				im.notef("pipeline %s: status %s imported as active", name, d.PipelineStatus)
			}
			if pc := d.ParallelismConfiguration; pc != nil && pc.MaxParallelExecutionSteps != 0 && pc.MaxParallelExecutionSteps != 50 {
				im.notef("pipeline %s: ParallelismConfiguration.MaxParallelExecutionSteps %d (set max_parallel_steps by hand)", name, pc.MaxParallelExecutionSteps)
			}
		}
		im.pipeByARN[key] = len(im.pipelines)
		im.pipelines = append(im.pipelines, p)
	}
	return nil
}

func (im *awsImporter) useRegion(r string) {
	if im.region == "" {
		im.region = r
	} else if r != im.region {
		im.notef("region %s: resources in a second region (scenario region %s)", r, im.region)
	}
}

// --- RAM ---

func (im *awsImporter) readShares() error {
	var shares awsSharesOut
	ok, err := im.read("get-resource-shares.json", "the RAM shares", &shares)
	if err != nil || !ok {
		return err
	}
	var principals, resources awsAssociationsOut
	if _, err := im.read("get-resource-share-associations-principal.json", "who the shares are shared with", &principals); err != nil {
		return err
	}
	if _, err := im.read("get-resource-share-associations-resource.json", "which pipelines are shared", &resources); err != nil {
		return err
	}
	var invitations awsInvitationsOut
	if _, err := im.read("get-resource-share-invitations.json", "invitations", &invitations); err != nil {
		return err
	}
	// A share (of any resource type) naming the organization or an OU
	// means organization sharing is enabled.
	orgPrincipals := false
	for _, a := range principals.ResourceShareAssociations {
		if strings.HasPrefix(a.AssociatedEntity, "arn:aws:organizations::") && a.Status == "ASSOCIATED" {
			orgPrincipals = true
		}
	}
	inOrgInvited := false // an invitation went to an account of the organization
	names := map[string]bool{}
	for _, s := range shares.ResourceShares {
		label := "share " + s.Name
		if s.Status != "" && s.Status != "ACTIVE" {
			im.notef("%s: status %s: not imported", label, s.Status)
			continue
		}
		if _, err := model.ParseAccountID(s.OwningAccountID); err != nil {
			im.notef("%s: owningAccountId: %v: not imported", label, err)
			continue
		}
		owner := s.OwningAccountID
		var pipes, others []string
		for _, a := range resources.ResourceShareAssociations {
			if a.ResourceShareArn != s.ResourceShareArn || (a.AssociationType != "" && a.AssociationType != "RESOURCE") {
				continue
			}
			if a.Status != "ASSOCIATED" && a.Status != "ASSOCIATING" {
				im.notef("%s: resource %s is %s: left out", label, a.AssociatedEntity, a.Status)
				continue
			}
			ref, err := model.ParsePipelineARN(a.AssociatedEntity)
			if err != nil || ref.Execution != "" {
				others = append(others, a.AssociatedEntity)
				continue
			}
			if string(ref.Account) != owner {
				im.notef("%s: pipeline %s is not the owner's", label, a.AssociatedEntity)
				continue
			}
			pipes = append(pipes, im.pipelineFor(ref))
		}
		if len(pipes) == 0 {
			im.notef("%s: shares no SageMaker pipeline (%s): not imported", label, strings.Join(others, ", "))
			continue
		}
		for _, o := range others {
			im.notef("%s: resource %s is not a SageMaker pipeline: left out", label, o)
		}
		var prins []string
		seen := map[string]bool{}
		for _, a := range principals.ResourceShareAssociations {
			if a.ResourceShareArn != s.ResourceShareArn || (a.AssociationType != "" && a.AssociationType != "PRINCIPAL") {
				continue
			}
			if a.Status != "ASSOCIATED" && a.Status != "ASSOCIATING" {
				im.notef("%s: principal %s is %s: left out", label, a.AssociatedEntity, a.Status)
				continue
			}
			p, why := im.sharePrincipal(a.AssociatedEntity, owner)
			if why != "" {
				im.notef("%s: principal %s: %s", label, a.AssociatedEntity, why)
				continue
			}
			if !seen[p] {
				seen[p] = true
				prins = append(prins, p)
			}
		}
		if len(prins) == 0 {
			im.notef("%s: no principal could be mapped: not imported", label)
			continue
		}
		sh := scenarios.FileShare{Name: awsShareName(s.Name, names), Owner: owner, Pipelines: pipes, Principals: prins}
		names[sh.Name] = true
		if sh.Name != s.Name {
			im.notef("%s: imported as %s (share names must be unique)", label, sh.Name)
		}
		im.account(owner, "")
		if s.AllowExternalPrincipals != nil && !*s.AllowExternalPrincipals {
			no := false
			sh.AllowExternalPrincipals = &no
		}
		sh.Permission = im.sharePermission(s.ResourceShareArn, label)
		for _, inv := range invitations.ResourceShareInvitations {
			if inv.ResourceShareArn != s.ResourceShareArn {
				continue
			}
			recv := inv.ReceiverAccountID
			if im.inOrg[recv] {
				inOrgInvited = true
			}
			var ans any
			switch inv.Status {
			case "PENDING":
				ans = "ignore"
			case "ACCEPTED":
				ans = map[string]any{"accept_after": "0s"}
			default: // REJECTED, EXPIRED: the association is gone
				im.notef("%s: invitation to %s is %s: left out", label, recv, inv.Status)
				continue
			}
			if !seen[recv] && !awsHasRoleOf(prins, recv) {
				im.notef("%s: invitation to %s has no principal association: left out", label, recv)
				continue
			}
			if sh.Invitations == nil {
				sh.Invitations = map[string]any{}
			}
			sh.Invitations[recv] = ans
		}
		im.shares = append(im.shares, sh)
	}
	if im.org != nil {
		switch {
		case orgPrincipals:
			im.org.RAMSharing = "enabled"
		case inOrgInvited:
			im.org.RAMSharing = "disabled"
		default:
			im.notef("RAM sharing with the organization: unknown (no share names the organization or an OU, no invitation went to a member account): left disabled, AWS's default")
		}
	}
	// Invitations to members only exist when sharing is disabled: drop the
	// entries the scenario would reject when it is enabled.
	if im.org != nil && im.org.RAMSharing == "enabled" {
		for i := range im.shares {
			for recv := range im.shares[i].Invitations {
				if im.inOrg[recv] && im.shares[i].Owner != "" && im.inOrg[im.shares[i].Owner] {
					im.notef("share %s: invitation to member account %s left out (organization sharing is enabled)", im.shares[i].Name, recv)
					delete(im.shares[i].Invitations, recv)
				}
			}
			if len(im.shares[i].Invitations) == 0 {
				im.shares[i].Invitations = nil
			}
		}
	}
	return nil
}

func awsHasRoleOf(prins []string, acct string) bool {
	for _, p := range prins {
		if strings.HasPrefix(p, acct+"/") {
			return true
		}
	}
	return false
}

// pipelineFor returns the scenario name of the pipeline ref names, adding
// the pipeline when list-pipelines did not have it.
func (im *awsImporter) pipelineFor(ref model.PipelineRef) string {
	key := strings.ToLower(model.PipelineARN(ref.Region, ref.Account, ref.Pipeline))
	if i, ok := im.pipeByARN[key]; ok {
		return im.pipelines[i].Name
	}
	im.useRegion(ref.Region)
	im.account(string(ref.Account), "")
	im.notef("pipeline %s: shared but not in list-pipelines.json: imported with its ARN's lower-case name and no definition", key)
	im.pipeByARN[key] = len(im.pipelines)
	im.pipelines = append(im.pipelines, scenarios.FilePipeline{Name: ref.Pipeline, Account: string(ref.Account)})
	return ref.Pipeline
}

// sharePrincipal maps an associated principal to a scenario share
// principal, or says why it cannot.
func (im *awsImporter) sharePrincipal(ent, owner string) (string, string) {
	if _, err := model.ParseAccountID(ent); err == nil {
		if ent == owner {
			return "", "the owner's own account"
		}
		im.account(ent, "")
		return ent, ""
	}
	a, err := model.ParseARN(ent)
	if err != nil {
		return "", "not an account ID or ARN"
	}
	switch a.Service {
	case "organizations":
		if im.org == nil {
			return "", "an organization principal, but describe-organization.json is missing"
		}
		if strings.HasPrefix(a.Resource, "organization/") {
			if strings.TrimPrefix(a.Resource, "organization/") != im.org.ID {
				return "", "another organization"
			}
			return "org", ""
		}
		if strings.HasPrefix(a.Resource, "ou/") {
			id := a.Resource[strings.LastIndexByte(a.Resource, '/')+1:]
			p, ok := im.ouPath[id]
			if !ok {
				return "", "an OU not in the OU tree (list-organizational-units-for-parent-*.json)"
			}
			if p == "/" {
				return "org", ""
			}
			return "ou:" + p, ""
		}
		return "", "an organizations principal other than the organization or an OU"
	case "iam":
		acct, name, err := model.ParsePrincipalARN(ent)
		if err != nil {
			return "", err.Error()
		}
		if name == "root" {
			return string(acct), ""
		}
		ac := im.account(string(acct), "")
		found := false
		for _, p := range ac.Principals {
			found = found || p.Name == name
		}
		if !found {
			ac.Principals = append(ac.Principals, scenarios.FilePrincipal{Name: name})
		}
		return string(acct) + "/" + name, ""
	}
	return "", "a service principal or another kind of principal"
}

// sharePermission maps the share's sagemaker:Pipeline permission; "" is
// the default (read-only).
func (im *awsImporter) sharePermission(shareARN, label string) string {
	id := shareARN[strings.LastIndexByte(shareARN, '/')+1:]
	var out awsPermissionsOut
	file := "list-resource-share-permissions-" + id + ".json"
	ok, err := im.read(file, "", &out)
	if err != nil {
		im.notef("%s: %v: permission left at read-only", label, err)
		return ""
	}
	if !ok {
		im.notef("%s: missing (the share's permission): left at read-only, AWS's default", file)
		return ""
	}
	for _, p := range out.Permissions {
		if p.ResourceType != "" && !strings.EqualFold(p.ResourceType, "sagemaker:Pipeline") {
			continue
		}
		for _, s := range []string{p.Arn, p.Name} {
			if perm, ok := model.ParsePermission(s); ok {
				if perm == model.PermissionExtended {
					return "extended"
				}
				return "read-only"
			}
		}
		im.notef("%s: permission %s is not one of the two AWS managed permissions for sagemaker:Pipeline: left at read-only", label, p.Arn)
		return ""
	}
	im.notef("%s: no sagemaker:Pipeline permission in %s: left at read-only", label, file)
	return ""
}

// awsShareName makes a unique scenario share name.
func awsShareName(name string, used map[string]bool) string {
	if name == "" {
		name = "share"
	}
	n := name
	for i := 2; used[n]; i++ {
		n = name + "-" + strconv.Itoa(i)
	}
	return n
}
