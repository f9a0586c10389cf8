//go:build oracle

package model

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	oracleCases = flag.Int("oracle.cases", 10000, "number of random calls, and of random data accesses, TestOracle compares with @cloud-copilot/iam-simulate")
	oracleSeed  = flag.Uint64("oracle.seed", 1, "seed of TestOracle's case generator")
)

const (
	// oracleCasesPerConfig calls are drawn from each random scenario.
	oracleCasesPerConfig = 16
	// oracleMaxFailures distinct disagreements are shrunk and printed.
	oracleMaxFailures = 3
	// oracleFrom is when every association of an oracleConfig is in
	// force: randomConfig's shares start by 9h with a delay of at most 2h,
	// and oracleConfig makes every invitee accept within 11h.
	oracleFrom = 20 * Time(time.Hour)
)

// oracleCase is one call in one scenario, or with data set one S3 or KMS
// request of a role session.
type oracleCase struct {
	cfg       *Config
	caller    string // "ACCT" (its root) or "ACCT/role/X"
	pipeOwner string
	pipeName  string
	action    Action
	data      *oracleDataAccess // a data-plane case: the request (pipeline and action unused)
	at        Time
}

// oracleConfig is randomConfig with what the oracle cannot know settled.
// The oracle evaluates policies, not RAM's lifecycle: it only sees the
// resource policy RAM writes for the associations in force. So there is no
// timeline, every invitation is accepted before it expires (and calls are
// made from oracleFrom on, when every association is in force), and the
// units get explicit IDs so that the test derives aws:PrincipalOrgPaths
// itself. Some account principals of shares become a role of the account,
// to cover IAM-principal associations.
func oracleConfig(r *rand.Rand) *Config {
	cfg := randomConfig(r)
	settleOracleConfig(cfg)
	hasRole := map[string]bool{}
	for _, a := range cfg.Accounts {
		for _, p := range a.Principals {
			if p.Name.S == "role/r0" {
				hasRole[a.ID.S] = true
			}
		}
	}
	for i := range cfg.Shares {
		s := &cfg.Shares[i]
		for j := range s.Invitations {
			s.Invitations[j].Answer = AnswerAccept
			s.Invitations[j].After %= s.InvitationTTL
		}
		for j := range s.Principals {
			if p := &s.Principals[j]; hasRole[p.S] && r.IntN(4) == 0 {
				p.S += "/role/r0"
			}
		}
	}
	return cfg
}

// settleOracleConfig removes cfg's timeline and gives its units IDs.
func settleOracleConfig(cfg *Config) {
	cfg.Events = nil
	for i := range cfg.Org.Units {
		u := &cfg.Org.Units[i]
		u.ID = fmt.Sprintf("ou-prop-%08d", i)
		if u.Path.S == "/" {
			u.ID = "r-prop"
		}
	}
}

// oracleCasesFor draws n calls in cfg.
func oracleCasesFor(r *rand.Rand, cfg *Config, n int) []*oracleCase {
	const hour = Time(time.Hour)
	var out []*oracleCase
	for range n {
		a := &cfg.Accounts[r.IntN(len(cfg.Accounts))]
		caller := a.ID.S
		if k := r.IntN(len(a.Principals) + 1); k > 0 {
			caller += "/" + a.Principals[k-1].Name.S
		}
		pl := &cfg.Pipelines[r.IntN(len(cfg.Pipelines))]
		// Times on and next to randomConfig's aws:CurrentTime values
		// (20h and 40h), else anywhere in [20h, 60h), in whole seconds.
		sec := Time(time.Second)
		at := oracleFrom + Time(r.IntN(40*3600))*sec
		if k := r.IntN(10); k < 5 {
			at = []Time{oracleFrom, oracleFrom + sec, 40*hour - sec, 40 * hour, 40*hour + sec}[k]
		}
		out = append(out, &oracleCase{cfg: cfg, caller: caller, pipeOwner: pl.Account.S, pipeName: pl.Name.S,
			action: Action(r.IntN(NumActions)), at: at})
	}
	return out
}

// cloneConfig deep-copies cfg (every field is plain data).
func cloneConfig(cfg *Config) *Config {
	b, err := json.Marshal(cfg)
	if err != nil {
		panic(err)
	}
	out := new(Config)
	if err := json.Unmarshal(b, out); err != nil {
		panic(err)
	}
	return out
}

// pipeshare's side.

// psAnswer is pipeshare's answer to a case; class is "" when the case is
// not valid (the scenario does not build, or shrinking removed the caller).
type psAnswer struct {
	class   string
	reason  string
	message string
	layers  string
	err     string // Explain and the fast path disagree
}

// pipeshareAnswer asks w (built from c.cfg; nil if it did not build).
func pipeshareAnswer(w *World, c *oracleCase) psAnswer {
	if c.data != nil {
		return pipeshareDataAnswer(w, c)
	}
	if w == nil {
		return psAnswer{}
	}
	ps, err := w.LookupCallers(c.caller)
	if err != nil {
		return psAnswer{}
	}
	pl, err := w.LookupPipeline(oraclePipelineARN(c.cfg, c.pipeOwner, c.pipeName))
	if err != nil {
		return psAnswer{}
	}
	ex := w.Explain(ps[0], pl, c.action, c.at)
	fast, share := w.DecideShare(ps[0], pl, c.action, c.at)
	ans := psAnswer{reason: ex.Reason.String(), message: ex.Message(), class: pipeshareClass(&ex), layers: layersString(ex.Layers[:])}
	if fast != ex.Reason || share != ex.Share {
		ans.err = fmt.Sprintf("fast path says %s (share %d), Explain %s (share %d)", fast, share, ex.Reason, ex.Share)
	}
	return ans
}

// layersString writes an explanation's layers for a failure message,
// " 1:identity_deny=pass …", the decisive one starred.
func layersString(layers []Layer) string {
	var b strings.Builder
	for _, l := range layers {
		fmt.Fprintf(&b, " %d:%s=%s", l.Step, l.Name, l.Result)
		if l.Decisive {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// pipeshareClass reduces an explanation to what the oracle can tell apart.
func pipeshareClass(ex *Explanation) string {
	switch ex.Reason {
	case ReasonOwner:
		return "allow:owner"
	case ReasonShared:
		return "allow:shared"
	case ReasonExplicitDeny:
		return "explicit_deny"
	case ReasonSCP:
		for _, m := range ex.Layers[1].Matched {
			if m.Effect == EffectDeny {
				return "scp:explicit"
			}
		}
		return "scp:implicit"
	case ReasonNoIdentityAllow:
		return "implicit:identity"
	case ReasonNotShared, ReasonActionNotPermitted, ReasonExternalNotAllowed:
		// external_not_allowed: RAM does not associate an outside
		// principal with such a share, so its policy does not name it.
		return "implicit:resource"
	}
	// Pending, rejected and expired states cannot occur in an oracleConfig
	// from oracleFrom on.
	return "unexpected:" + ex.Reason.String()
}

// The oracle's side.

type policyJSON struct {
	Version   string     `json:"Version"`
	Statement []stmtJSON `json:"Statement"`
}

type stmtJSON struct {
	Sid         string                         `json:"Sid,omitempty"`
	Effect      string                         `json:"Effect"`
	Principal   any                            `json:"Principal,omitempty"`
	Action      []string                       `json:"Action,omitempty"`
	NotAction   []string                       `json:"NotAction,omitempty"`
	Resource    []string                       `json:"Resource,omitempty"`
	NotResource []string                       `json:"NotResource,omitempty"`
	Condition   map[string]map[string][]string `json:"Condition,omitempty"`
}

type namedPolicy struct {
	Name   string     `json:"name"`
	Policy policyJSON `json:"policy"`
}

type orgLevel struct {
	OrgIdentifier string        `json:"orgIdentifier"`
	Policies      []namedPolicy `json:"policies"`
}

type simRequest struct {
	Principal string `json:"principal"`
	Action    string `json:"action"`
	Resource  struct {
		Resource  string `json:"resource"`
		AccountID string `json:"accountId"`
	} `json:"resource"`
	ContextVariables map[string]any `json:"contextVariables"`
}

// simulation is the library's Simulation input.
type simulation struct {
	Request                    simRequest    `json:"request"`
	IdentityPolicies           []namedPolicy `json:"identityPolicies"`
	PermissionBoundaryPolicies []namedPolicy `json:"permissionBoundaryPolicies,omitempty"`
	ServiceControlPolicies     []orgLevel    `json:"serviceControlPolicies"`
	ResourceControlPolicies    []orgLevel    `json:"resourceControlPolicies"`
	ResourcePolicy             *policyJSON   `json:"resourcePolicy,omitempty"`
}

// oracleAnswer is one line of oracle.mjs's output.
type oracleAnswer struct {
	ID          int             `json:"id"`
	Error       json.RawMessage `json:"error"`
	Result      string          `json:"result"`
	SameAccount bool            `json:"sameAccount"`
	Identity    string          `json:"identity"`
	Boundary    string          `json:"boundary"`
	SCP         string          `json:"scp"`
	RCP         string          `json:"rcp"`
	Resource    string          `json:"resource"`
	BlockedBy   []string        `json:"blockedBy"`
	Ignored     []string        `json:"ignored"`
}

// class reduces the oracle's answer as pipeshareClass does pipeshare's:
// The step order of docs/aws-semantics.md#how-a-call-is-decided (identity or boundary deny, then SCPs, then the
// identity side, then the resource side) applied to the per-policy-type
// results.
func (o *oracleAnswer) class() string {
	boundaryOK := o.Boundary == "" || o.Boundary == "Allowed"
	switch o.Result {
	case "Allowed":
		if o.SameAccount && o.Identity == "Allowed" && boundaryOK {
			return "allow:owner"
		}
		return "allow:shared"
	case "ExplicitlyDenied":
		switch {
		case o.Identity == "ExplicitlyDenied" || o.Boundary == "ExplicitlyDenied":
			return "explicit_deny"
		case o.SCP == "ExplicitlyDenied":
			return "scp:explicit"
		}
		return "explicit:resource" // RAM writes Allow statements only
	case "ImplicitlyDenied":
		switch {
		case o.SCP != "Allowed":
			return "scp:implicit"
		case o.SameAccount || o.Identity != "Allowed" || !boundaryOK:
			return "implicit:identity"
		}
		return "implicit:resource"
	}
	return "invalid:" + o.Result
}

func (o *oracleAnswer) String() string {
	if len(o.Error) > 0 {
		return "error " + string(o.Error)
	}
	return fmt.Sprintf("%s (identity=%s boundary=%s scp=%s rcp=%s resource=%s blockedBy=%v sameAccount=%t)",
		o.Result, o.Identity, orNone(o.Boundary), o.SCP, o.RCP, o.Resource, o.BlockedBy, o.SameAccount)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func oraclePipelineARN(cfg *Config, owner, name string) string {
	return "arn:aws:sagemaker:" + cfg.Region + ":" + owner + ":pipeline/" + strings.ToLower(name)
}

// oracleExecutionID is the execution of execution-level calls: the oracle
// needs a concrete ARN where pipeshare decides per pipeline on the literal
// ".../execution/*" (policies cannot name an execution ID in pipeshare).
const oracleExecutionID = "4wemqw2sucgh"

var allowAllPolicy = policyJSON{Version: "2012-10-17", Statement: []stmtJSON{{Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}}}}

func policyDocJSON(d *PolicyDoc) policyJSON {
	refs := func(rs []Ref) []string {
		if rs == nil {
			return nil
		}
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.S
		}
		return out
	}
	p := policyJSON{Version: "2012-10-17"}
	for _, s := range d.Statements {
		st := stmtJSON{Sid: s.Sid, Effect: s.Effect.S, Action: refs(s.Action), NotAction: refs(s.NotAction),
			Resource: refs(s.Resource), NotResource: refs(s.NotResource)}
		if s.PrincipalPos.IsValid() {
			st.Principal = principalJSON(s.Principals)
		}
		for _, c := range s.Conditions {
			if st.Condition == nil {
				st.Condition = map[string]map[string][]string{}
			}
			if st.Condition[c.Operator] == nil {
				st.Condition[c.Operator] = map[string][]string{}
			}
			if _, dup := st.Condition[c.Operator][c.Key]; dup {
				panic("oracle: a statement repeats a condition operator and key")
			}
			st.Condition[c.Operator][c.Key] = c.Values
		}
		p.Statement = append(p.Statement, st)
	}
	return p
}

// principalJSON writes a Principal element as AWS's JSON does: "*" alone,
// else a list per kind (AWS, Service).
func principalJSON(ps []PrincipalDoc) any {
	if len(ps) == 1 && ps[0].Kind == "AWS" && ps[0].Value.S == "*" {
		return "*"
	}
	out := map[string][]string{}
	for _, p := range ps {
		out[p.Kind] = append(out[p.Kind], p.Value.S)
	}
	return out
}

// oracleOrg answers questions about a Config as the oracle's input needs
// them: policy documents by name, accounts, units and their paths.
type oracleOrg struct {
	cfg      *Config
	docs     map[string]*PolicyDoc
	accounts map[string]*AccountConfig
	units    map[string]*UnitConfig
}

func newOracleOrg(cfg *Config) *oracleOrg {
	o := &oracleOrg{cfg: cfg, docs: map[string]*PolicyDoc{}, accounts: map[string]*AccountConfig{}, units: map[string]*UnitConfig{}}
	for i := range cfg.Policies {
		o.docs[cfg.Policies[i].Name] = &cfg.Policies[i]
	}
	for i := range cfg.Accounts {
		o.accounts[cfg.Accounts[i].ID.S] = &cfg.Accounts[i]
	}
	if cfg.Org != nil {
		for i := range cfg.Org.Units {
			o.units[cfg.Org.Units[i].Path.S] = &cfg.Org.Units[i]
		}
	}
	return o
}

func (o *oracleOrg) named(refs []Ref) []namedPolicy {
	out := []namedPolicy{}
	for _, r := range refs {
		out = append(out, namedPolicy{Name: r.S, Policy: policyDocJSON(o.docs[r.S])})
	}
	return out
}

func (o *oracleOrg) inOrg(acct string) bool { return o.cfg.Org != nil && o.accounts[acct].OU.S != "" }

// levels returns the units from the root to path.
func (o *oracleOrg) levels(path string) []*UnitConfig {
	out := []*UnitConfig{o.units["/"]}
	for i := 1; i < len(path); i++ {
		if i == len(path)-1 || path[i+1] == '/' {
			out = append(out, o.units[path[:i+1]])
		}
	}
	return out
}

func (o *oracleOrg) orgPath(path string) string {
	s := o.cfg.Org.ID + "/"
	for _, u := range o.levels(path) {
		s += u.ID + "/"
	}
	return s
}

// caller starts the oracle's input for a request of caller ("ACCT" for its
// root, or "ACCT/role/X") at t: its identity policies, boundary, the SCPs
// of its account per level, and the context keys of the caller.
func (o *oracleOrg) caller(caller string, t Time) (*simulation, map[string]any) {
	cfg := o.cfg
	acctID, pname, _ := strings.Cut(caller, "/")
	acct := o.accounts[acctID]
	sim := &simulation{IdentityPolicies: []namedPolicy{}, ServiceControlPolicies: []orgLevel{}, ResourceControlPolicies: []orgLevel{}}
	ctx := map[string]any{
		"aws:PrincipalAccount": acctID,
		"aws:RequestedRegion":  cfg.Region,
		"aws:CurrentTime":      time.Unix(0, cfg.StartUnixNano+int64(t)).UTC().Format(time.RFC3339),
		"aws:SecureTransport":  "true",
		"aws:ViaAWSService":    "false",
		"aws:PrincipalType":    "Account",
		"aws:PrincipalArn":     "arn:aws:iam::" + acctID + ":root",
	}
	if pname == "" {
		// The root user: allowed everything by its identity.
		sim.IdentityPolicies = append(sim.IdentityPolicies, namedPolicy{Name: "RootUser", Policy: allowAllPolicy})
	} else {
		ctx["aws:PrincipalArn"] = "arn:aws:iam::" + acctID + ":" + pname
		ctx["aws:PrincipalType"] = "AssumedRole"
		if strings.HasPrefix(pname, "user/") {
			ctx["aws:PrincipalType"] = "User"
		}
		for i := range acct.Principals {
			p := &acct.Principals[i]
			if p.Name.S != pname {
				continue
			}
			sim.IdentityPolicies = o.named(p.Policies)
			if p.AllowAll {
				sim.IdentityPolicies = append(sim.IdentityPolicies, namedPolicy{Name: "AllowAll", Policy: allowAllPolicy})
			}
			if p.Boundary.S != "" {
				sim.PermissionBoundaryPolicies = o.named([]Ref{p.Boundary})
			}
			for _, tag := range p.Tags {
				ctx["aws:PrincipalTag/"+tag.Key] = tag.Value
			}
		}
	}
	sim.Request.Principal = ctx["aws:PrincipalArn"].(string)
	if o.inOrg(acctID) {
		ctx["aws:PrincipalOrgID"] = cfg.Org.ID
		ctx["aws:PrincipalOrgPaths"] = []string{o.orgPath(acct.OU.S)}
		// SCPs apply to member accounts, not to the management account.
		if acctID != cfg.Org.Management.S {
			level := func(id string, full bool, scps []Ref) {
				l := orgLevel{OrgIdentifier: id, Policies: o.named(scps)}
				if full {
					l.Policies = append([]namedPolicy{{Name: "FullAWSAccess", Policy: allowAllPolicy}}, l.Policies...)
				}
				sim.ServiceControlPolicies = append(sim.ServiceControlPolicies, l)
			}
			for _, u := range o.levels(acct.OU.S) {
				level(u.ID, u.FullAccess, u.SCPs)
			}
			level(acctID, acct.FullAccess, acct.SCPs)
		}
	}
	sim.Request.ContextVariables = ctx
	return sim, ctx
}

// oracleSimulation writes case c as the oracle's input, from c.cfg alone:
// the AWS rules of docs/aws-semantics.md#policy-evaluation-across-accounts, nothing of pipeshare's evaluation.
func oracleSimulation(c *oracleCase) *simulation {
	if c.data != nil {
		return oracleDataSimulation(c)
	}
	cfg := c.cfg
	o := newOracleOrg(cfg)
	inOrg, orgPath := o.inOrg, o.orgPath
	sim, ctx := o.caller(c.caller, c.at)
	acctID, _, _ := strings.Cut(c.caller, "/")
	// Search is authorized on "*" in the caller's own account
	// (docs/aws-semantics.md#read-actions-and-search): no share applies.
	resAcct := c.pipeOwner
	if c.action == Search {
		resAcct = acctID
	}
	ctx["aws:ResourceAccount"] = resAcct

	pipeARN := oraclePipelineARN(cfg, c.pipeOwner, c.pipeName)
	sim.Request.Action = c.action.String()
	sim.Request.Resource.AccountID = resAcct
	switch c.action.Resource() {
	case ResourcePipeline:
		sim.Request.Resource.Resource = pipeARN
	case ResourceExecution:
		sim.Request.Resource.Resource = pipeARN + "/execution/" + oracleExecutionID
	default:
		sim.Request.Resource.Resource = "*"
	}

	// The resource policy: a statement per association of every share of
	// the pipeline (docs/aws-semantics.md#one-pipeline-in-several-shares: each share adds its own), with the
	// managed permission's actions on the pipeline and its executions
	// (§1.7). Org and OU associations are Principal "*" (§1.5), restricted
	// here to the organization or the OU by a condition, which is how the
	// association limits them; that "*" is what also grants the owner's
	// own principals.
	rp := &policyJSON{Version: "2012-10-17"}
	for _, s := range cfg.Shares {
		if s.Owner.S != c.pipeOwner || !slices.ContainsFunc(s.Pipelines, func(r Ref) bool { return r.S == c.pipeName || r.S == pipeARN }) {
			continue
		}
		perm := s.Permission
		if perm == 0 {
			perm = PermissionReadOnly
		}
		var actions []string
		for _, a := range perm.Actions().Actions() {
			actions = append(actions, a.String())
		}
		for _, p := range s.Principals {
			st := stmtJSON{Sid: s.Name.S, Effect: "Allow", Action: actions, Resource: []string{pipeARN, pipeARN + "/execution/*"}}
			switch {
			case p.S == "org":
				st.Principal = "*"
				st.Condition = map[string]map[string][]string{"StringEquals": {"aws:PrincipalOrgID": {cfg.Org.ID}}}
			case strings.HasPrefix(p.S, "ou:"):
				st.Principal = "*"
				st.Condition = map[string]map[string][]string{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": {orgPath(strings.TrimPrefix(p.S, "ou:")) + "*"}}}
			case strings.HasPrefix(p.S, "group:"):
				panic("oracle: group share principals are not generated")
			default:
				a, name, _ := strings.Cut(p.S, "/")
				// allow_external_principals: false keeps outside
				// accounts out of a share of an organization member
				// (docs/aws-semantics.md#resource-shares): RAM never associates them.
				if !s.AllowExternal && inOrg(s.Owner.S) && !inOrg(a) {
					continue
				}
				arn := "arn:aws:iam::" + a + ":root"
				if name != "" {
					arn = "arn:aws:iam::" + a + ":" + name
				}
				st.Principal = map[string]any{"AWS": arn}
			}
			rp.Statement = append(rp.Statement, st)
		}
	}
	if len(rp.Statement) > 0 && c.action != Search {
		sim.ResourcePolicy = rp
	}
	return sim
}

// oracle runs oracle.mjs in an installed directory.
type oracle struct {
	dir  string
	runs int
}

// setupOracle installs the pinned library into a temporary directory.
func setupOracle(t *testing.T) *oracle {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("TestOracle needs node and npm on PATH: %v", err)
		}
	}
	dir := t.TempDir()
	for _, f := range []string{"package.json", "package-lock.json", "oracle.mjs"} {
		b, err := os.ReadFile(filepath.Join("testdata", "oracle", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A registry that stalls must not hang CI: each attempt gets three
	// minutes, and a second attempt follows a failed one.
	var out []byte
	var err error
	for attempt := 1; attempt <= 2; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline")
		cmd.Dir = dir
		cmd.WaitDelay = 5 * time.Second
		out, err = cmd.CombinedOutput()
		cancel()
		if err == nil {
			return &oracle{dir: dir}
		}
		t.Logf("npm ci attempt %d: %v", attempt, err)
	}
	t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	return nil
}

// run asks the oracle about every simulation in one Node process.
func (o *oracle) run(t *testing.T, sims []*simulation) []oracleAnswer {
	t.Helper()
	o.runs++
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for i, s := range sims {
		if err := enc.Encode(struct {
			ID         int         `json:"id"`
			Simulation *simulation `json:"simulation"`
		}{i, s}); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("node", "oracle.mjs")
	cmd.Dir = o.dir
	cmd.Stdin = &in
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node oracle.mjs: %v\n%s", err, stderr.Bytes())
	}
	answers := make([]oracleAnswer, 0, len(sims))
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var a oracleAnswer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("oracle output %q: %v", sc.Bytes(), err)
		}
		if a.ID != len(answers) {
			t.Fatalf("oracle answered case %d, want %d", a.ID, len(answers))
		}
		answers = append(answers, a)
	}
	if len(answers) != len(sims) {
		t.Fatalf("oracle answered %d of %d cases\n%s", len(answers), len(sims), stderr.Bytes())
	}
	return answers
}

// oracleVerdict compares the two answers to case c: "" when they agree.
func oracleVerdict(c *oracleCase, ps psAnswer, o *oracleAnswer) string {
	class := o.class()
	if c.data != nil {
		class = o.dataClass(c.data.action.IsKMS())
	}
	switch {
	case ps.err != "":
		return "pipeshare's fast path and Explain disagree: " + ps.err
	case len(o.Error) > 0:
		return "the oracle rejected the case: " + string(o.Error)
	case len(o.Ignored) > 0:
		return fmt.Sprintf("the oracle ignored context keys %v", o.Ignored)
	case ps.class != class:
		return ps.class + " ≠ " + class
	}
	return ""
}

// TestOracle is a differential test against an independent IAM evaluator,
// the npm package @cloud-copilot/iam-simulate, run as an external Node
// program (testdata/oracle/oracle.mjs; the package is AGPL and is never
// vendored: `npm ci` installs the version pinned by
// testdata/oracle/package-lock.json into a temporary directory).
//
//	go test -tags oracle -run TestOracle -count=1 ./model -oracle.cases=10000
//
// A control-plane case is a random scenario (randomConfig, with the RAM
// lifecycle settled, see oracleConfig) and one call: a principal, an
// action, a pipeline, a time. pipeshare answers with Explain and the fast
// path; the oracle gets the caller's identity policies, permissions
// boundary, SCPs per level and the resource policy RAM writes for the
// pipeline's shares. A data-plane case (oracle_data_test.go) is a random
// scenario with buckets and keys (randomDataConfig) and one S3 or KMS
// request of a role session; pipeshare answers with ExplainData and
// DecideData; the oracle gets the role's policies, boundary and SCPs, the
// RCPs of the resource's account per level and the bucket or key policy.
// The oracle answers Allowed / ExplicitlyDenied / ImplicitlyDenied with a
// result per policy type. Both answers are reduced to a class
// (pipeshareClass and oracleAnswer.class, pipeshareDataClass and
// oracleAnswer.dataClass) and compared. -oracle.cases=N draws N of each.
// A disagreement is shrunk greedily and printed.
func TestOracle(t *testing.T) {
	start := time.Now()
	orc := setupOracle(t)
	setup := time.Since(start)

	r := rand.New(rand.NewPCG(*oracleSeed, 11))
	var cases []*oracleCase
	var answers []psAnswer
	for len(cases) < *oracleCases {
		cfg := oracleConfig(r)
		w, _ := NewWorld(cfg)
		if w == nil {
			continue // an invalid draw (randomConfig may make some)
		}
		for _, c := range oracleCasesFor(r, cfg, min(oracleCasesPerConfig, *oracleCases-len(cases))) {
			ps := pipeshareAnswer(w, c)
			if ps.class == "" {
				t.Fatalf("case %d: the generator made an invalid call %s %s", len(cases), c.caller, c.action)
			}
			cases, answers = append(cases, c), append(answers, ps)
		}
	}
	for len(cases) < 2**oracleCases {
		cfg := oracleDataConfig(r)
		w, _ := NewWorld(cfg)
		if w == nil {
			continue
		}
		for _, c := range oracleDataCasesFor(r, w, cfg, min(oracleCasesPerConfig, 2**oracleCases-len(cases))) {
			ps := pipeshareAnswer(w, c)
			if ps.class == "" {
				t.Fatalf("case %d: the generator made an invalid data access %s %s", len(cases), c.caller, c.data.action)
			}
			cases, answers = append(cases, c), append(answers, ps)
		}
	}
	sims := make([]*simulation, len(cases))
	for i, c := range cases {
		sims[i] = oracleSimulation(c)
	}
	generated := time.Since(start) - setup
	oas := orc.run(t, sims)
	ran := time.Since(start) - setup - generated

	classes := map[string]int{}
	reasons := map[string]int{}
	failures := map[string]int{}
	var order []string
	first := map[string]int{}
	for i := range cases {
		classes[answers[i].class]++
		reasons[answers[i].reason]++
		c := cases[i]
		v := oracleVerdict(c, answers[i], &oas[i])
		if v == "" {
			continue
		}
		key := v
		switch {
		case !strings.Contains(v, "≠"):
			key = v[:strings.IndexByte(v, ':')]
		case c.data != nil:
			key += " on " + c.data.action.String()
			if oas[i].SameAccount {
				key += " in the same account"
			}
		default:
			key += " on " + [...]string{ResourceAny: "Search", ResourcePipeline: "a pipeline", ResourceExecution: "an execution"}[c.action.Resource()]
		}
		if failures[key] == 0 {
			order = append(order, key)
			first[key] = i
		}
		failures[key]++
	}
	t.Logf("%d cases: npm ci %v, generate %v, oracle %v", len(cases), setup.Round(time.Millisecond),
		generated.Round(time.Millisecond), ran.Round(time.Millisecond))
	for _, c := range slices.Sorted(maps.Keys(classes)) {
		t.Logf("  %-22s %6d", c, classes[c])
	}
	var rs []string
	for _, rr := range slices.Sorted(maps.Keys(reasons)) {
		rs = append(rs, fmt.Sprintf("%s %d", rr, reasons[rr]))
	}
	t.Logf("  pipeshare reasons: %s", strings.Join(rs, ", "))

	for n, key := range order {
		if n == oracleMaxFailures {
			t.Errorf("… and %d more kinds of disagreement", len(order)-n)
			break
		}
		i := first[key]
		c, ps, oa := shrinkOracleCase(t, orc, cases[i], answers[i], oas[i])
		t.Errorf("disagreement %q in %d of %d cases; first at case %d, shrunk:\n%s", key, failures[key], len(cases), i, describeOracleCase(c, ps, &oa))
	}

	// A case space that misses a class could not catch its bugs.
	if *oracleCases >= 1000 && len(order) == 0 {
		for _, c := range []string{"allow:owner", "allow:shared", "explicit_deny", "scp:explicit", "scp:implicit", "implicit:identity", "implicit:resource",
			"data:allowed", "data:explicit_deny", "data:scp:explicit", "data:scp:implicit", "data:rcp", "data:resource_deny",
			"data:implicit:identity", "data:implicit:resource"} {
			if classes[c] == 0 {
				t.Errorf("no case of class %s in %d cases: the generator no longer covers it", c, len(cases))
			}
		}
	}
}

// shrinkOracleCase greedily simplifies a disagreeing case while pipeshare
// and the oracle keep giving the same two (different) answers, asking the
// oracle about every candidate of a round in one batch.
func shrinkOracleCase(t *testing.T, orc *oracle, c *oracleCase, ps psAnswer, oa oracleAnswer) (*oracleCase, psAnswer, oracleAnswer) {
	want := oracleVerdict(c, ps, &oa)
	for round := 0; round < 200; round++ {
		var cands []*oracleCase
		var pss []psAnswer
		var sims []*simulation
		for _, cand := range shrinkCandidates(c) {
			w, _ := NewWorld(cand.cfg)
			a := pipeshareAnswer(w, cand)
			if a.class == "" {
				continue
			}
			cands, pss, sims = append(cands, cand), append(pss, a), append(sims, oracleSimulation(cand))
		}
		if len(cands) == 0 {
			break
		}
		oas := orc.run(t, sims)
		i := slices.IndexFunc(oas, func(o oracleAnswer) bool { return oracleVerdict(cands[o.ID], pss[o.ID], &o) == want })
		if i < 0 {
			break
		}
		c, ps, oa = cands[i], pss[i], oas[i]
	}
	return c, ps, oa
}

// shrinkCandidates returns c with one thing removed or simplified, in every
// way that keeps its caller and pipeline.
func shrinkCandidates(c *oracleCase) []*oracleCase {
	var out []*oracleCase
	try := func(mut func(cfg *Config)) {
		d := *c
		d.cfg = cloneConfig(c.cfg)
		mut(d.cfg)
		out = append(out, &d)
	}
	cfg := c.cfg
	callerAcct, callerName, _ := strings.Cut(c.caller, "/")
	names := func(p, acct string) bool { return p == acct || strings.HasPrefix(p, acct+"/") }
	dropPipelineRefs := func(cfg *Config, owner, name string) {
		cfg.Shares = slices.DeleteFunc(cfg.Shares, func(s ShareConfig) bool {
			if s.Owner.S != owner {
				return false
			}
			s.Pipelines = slices.DeleteFunc(s.Pipelines, func(r Ref) bool { return r.S == name })
			return len(s.Pipelines) == 0
		})
		for i := range cfg.Shares {
			if cfg.Shares[i].Owner.S == owner {
				cfg.Shares[i].Pipelines = slices.DeleteFunc(cfg.Shares[i].Pipelines, func(r Ref) bool { return r.S == name })
			}
		}
	}
	dropPrincipalRefs := func(cfg *Config, match func(string) bool) {
		for i := range cfg.Shares {
			s := &cfg.Shares[i]
			s.Principals = slices.DeleteFunc(s.Principals, func(r Ref) bool { return match(r.S) })
			s.Invitations = slices.DeleteFunc(s.Invitations, func(inv InvitationConfig) bool {
				return !slices.ContainsFunc(s.Principals, func(r Ref) bool { return names(r.S, inv.Key.S) })
			})
		}
		cfg.Shares = slices.DeleteFunc(cfg.Shares, func(s ShareConfig) bool { return len(s.Principals) == 0 })
	}

	for i := range cfg.Shares {
		try(func(cfg *Config) { cfg.Shares = slices.Delete(cfg.Shares, i, i+1) })
		s := &cfg.Shares[i]
		if len(s.Principals) > 1 {
			for j := range s.Principals {
				try(func(cfg *Config) {
					p := cfg.Shares[i].Principals[j].S
					dropPrincipalRefs(cfg, func(q string) bool { return q == p })
				})
			}
		}
		if len(s.Pipelines) > 1 {
			for j := range s.Pipelines {
				try(func(cfg *Config) { cfg.Shares[i].Pipelines = slices.Delete(cfg.Shares[i].Pipelines, j, j+1) })
			}
		}
		if s.Permission == PermissionExtended {
			try(func(cfg *Config) { cfg.Shares[i].Permission = PermissionReadOnly })
		}
		if !s.AllowExternal {
			try(func(cfg *Config) { cfg.Shares[i].AllowExternal = true })
		}
	}
	for i, p := range cfg.Pipelines {
		if p.Account.S == c.pipeOwner && p.Name.S == c.pipeName {
			continue
		}
		try(func(cfg *Config) {
			cfg.Pipelines = slices.Delete(cfg.Pipelines, i, i+1)
			dropPipelineRefs(cfg, p.Account.S, p.Name.S)
		})
	}
	for i := range cfg.Accounts {
		a := &cfg.Accounts[i]
		id := a.ID.S
		if id != callerAcct && id != c.pipeOwner && id != cfg.Org.Management.S {
			try(func(cfg *Config) {
				cfg.Accounts = slices.Delete(cfg.Accounts, i, i+1)
				cfg.Pipelines = slices.DeleteFunc(cfg.Pipelines, func(p PipelineConfig) bool { return p.Account.S == id })
				cfg.Shares = slices.DeleteFunc(cfg.Shares, func(s ShareConfig) bool { return s.Owner.S == id })
				dropPrincipalRefs(cfg, func(q string) bool { return names(q, id) })
			})
		}
		for j, p := range a.Principals {
			if id == callerAcct && p.Name.S == callerName {
				for k := range p.Policies {
					try(func(cfg *Config) {
						pp := &cfg.Accounts[i].Principals[j]
						pp.Policies = slices.Delete(pp.Policies, k, k+1)
					})
				}
				if p.Boundary.S != "" {
					try(func(cfg *Config) { cfg.Accounts[i].Principals[j].Boundary = Ref{} })
				}
				if p.Tags != nil {
					try(func(cfg *Config) { cfg.Accounts[i].Principals[j].Tags = nil })
				}
				continue
			}
			try(func(cfg *Config) {
				cfg.Accounts[i].Principals = slices.Delete(cfg.Accounts[i].Principals, j, j+1)
				dropPrincipalRefs(cfg, func(q string) bool { return q == id+"/"+p.Name.S })
			})
		}
		for k := range a.SCPs {
			try(func(cfg *Config) { cfg.Accounts[i].SCPs = slices.Delete(cfg.Accounts[i].SCPs, k, k+1) })
		}
		if !a.FullAccess {
			try(func(cfg *Config) { cfg.Accounts[i].FullAccess = true })
		}
	}
	for i := range cfg.Org.Units {
		u := &cfg.Org.Units[i]
		for k := range u.SCPs {
			try(func(cfg *Config) { cfg.Org.Units[i].SCPs = slices.Delete(cfg.Org.Units[i].SCPs, k, k+1) })
		}
		if !u.FullAccess {
			try(func(cfg *Config) { cfg.Org.Units[i].FullAccess = true })
		}
	}
	for i := range cfg.Policies {
		shrinkStatements(&cfg.Policies[i], func(mut func(d *PolicyDoc)) { try(func(cfg *Config) { mut(&cfg.Policies[i]) }) })
	}
	if c.data != nil {
		shrinkDataCandidates(c, try)
	}
	return out
}

// shrinkStatements calls try with each way of simplifying d by one step:
// dropping a statement (one is kept), a condition, or one entry of a list
// of actions or resources with more than one.
func shrinkStatements(d *PolicyDoc, try func(mut func(d *PolicyDoc))) {
	for j := range d.Statements {
		if len(d.Statements) > 1 {
			try(func(d *PolicyDoc) { d.Statements = slices.Delete(d.Statements, j, j+1) })
		}
		s := &d.Statements[j]
		for k := range s.Conditions {
			try(func(d *PolicyDoc) {
				st := &d.Statements[j]
				st.Conditions = slices.Delete(st.Conditions, k, k+1)
			})
		}
		if len(s.Principals) > 1 {
			for k := range s.Principals {
				try(func(d *PolicyDoc) {
					st := &d.Statements[j]
					st.Principals = slices.Delete(st.Principals, k, k+1)
				})
			}
		}
		for _, list := range []func(*StatementDoc) *[]Ref{
			func(s *StatementDoc) *[]Ref { return &s.Action },
			func(s *StatementDoc) *[]Ref { return &s.NotAction },
			func(s *StatementDoc) *[]Ref { return &s.Resource },
			func(s *StatementDoc) *[]Ref { return &s.NotResource },
		} {
			if l := *list(s); len(l) > 1 {
				for k := range l {
					try(func(d *PolicyDoc) {
						l := list(&d.Statements[j])
						*l = slices.Delete(*l, k, k+1)
					})
				}
			}
		}
	}
}

// describeOracleCase prints a case for a failure message: the call, the
// organization around the caller, both answers and the oracle's input,
// which holds every policy that takes part.
func describeOracleCase(c *oracleCase, ps psAnswer, oa *oracleAnswer) string {
	sim := oracleSimulation(c)
	var b strings.Builder
	fmt.Fprintf(&b, "  call       %s %s on %s at %s (t=%s)\n", sim.Request.Principal, sim.Request.Action, sim.Request.Resource.Resource,
		sim.Request.ContextVariables["aws:CurrentTime"], c.at)
	acct, _, _ := strings.Cut(c.caller, "/")
	for _, a := range c.cfg.Accounts {
		if a.ID.S == acct {
			where := "outside the organization"
			if a.OU.S != "" {
				where = "in OU " + a.OU.S
			}
			if a.ID.S == c.cfg.Org.Management.S {
				where += " (management account)"
			}
			fmt.Fprintf(&b, "  caller     account %s\n", where)
		}
	}
	for _, s := range c.cfg.Shares {
		if s.Owner.S == c.pipeOwner && slices.ContainsFunc(s.Pipelines, func(r Ref) bool { return r.S == c.pipeName }) {
			var ps []string
			for _, p := range s.Principals {
				ps = append(ps, p.S)
			}
			fmt.Fprintf(&b, "  share      %s: %s with %s (allow_external %t)\n", s.Name.S, s.Permission, strings.Join(ps, ", "), s.AllowExternal)
		}
	}
	fmt.Fprintf(&b, "  pipeshare  %s (%s):%s\n", ps.reason, ps.class, ps.layers)
	if ps.message != "" {
		fmt.Fprintf(&b, "             %s\n", ps.message)
	}
	fmt.Fprintf(&b, "  oracle     %s\n", oa)
	js, _ := json.MarshalIndent(sim, "  ", "  ")
	fmt.Fprintf(&b, "  oracle input:\n  %s\n", js)
	return b.String()
}
