package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/internal/words"
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// This file holds the data-plane rules of check, PS012–PS015: what the
// pipelines' execution roles read and write for the Starts the shares
// allow, decided at the end of the run (docs/reports.md#rule-ps012).

// dataCheck is the state of the data-plane rules of one check.
type dataCheck struct {
	c  *checker
	ex map[dataKey]*model.DataExplanation
	// flows are the (pipeline, caller) Starts whose data the rules look
	// at: each pipeline with its defaults (caller -1), and each consumer
	// an extended share lets start it with the parameters it passes; one
	// per (pipeline, parameters), keyed in seen.
	flows []flow
	seen  map[flowKey]bool
}

type flowKey struct {
	pl     model.PipelineID
	params string
}

type dataKey struct {
	role model.PrincipalID
	a    model.DataAccess
}

type flow struct {
	pl     model.PipelineID
	caller model.PrincipalID
}

// explain explains role making access a at the end of the run, once.
func (d *dataCheck) explain(role model.PrincipalID, a model.DataAccess) *model.DataExplanation {
	k := dataKey{role, a}
	if ex, ok := d.ex[k]; ok {
		return ex
	}
	ex := d.c.w.ExplainData(role, a, d.c.t)
	d.ex[k] = &ex
	return &ex
}

// dataPlane evaluates PS012–PS015; a scenario without buckets or keys has
// no data plane and none of their findings.
func (c *checker) dataPlane() {
	w := c.w
	if !w.HasData() {
		return
	}
	d := &dataCheck{c: c, ex: map[dataKey]*model.DataExplanation{}, seen: map[flowKey]bool{}}
	for pl := range model.PipelineID(w.NumPipelines()) {
		d.addFlow(pl, -1, "")
	}
	for s := range model.ShareID(w.NumShares()) {
		if w.SharePermission(s) == model.PermissionExtended {
			d.startUnreachable(s)
		}
	}
	d.crossAccountReads()
	d.outputOwnership()
	d.keyTrusts()
}

// deniedGroup is the consumers of one account whose Starts of one
// pipeline fail on the same request of the same step.
type deniedGroup struct {
	pl         model.PipelineID
	account    model.AccountID
	step       string
	ex         *model.DataExplanation
	params     string // "InputData=s3://…", "" for the defaults
	principals []model.PrincipalID
}

// startUnreachable evaluates PS012 for extended share s: each principal
// it lets start a pipeline whose Starts, with the parameters it passes,
// fail on a denied data access. An account's root counts only when it
// called Start in the run: it stands for the account, not a consumer.
func (d *dataCheck) startUnreachable(s model.ShareID) {
	c, w, t := d.c, d.c.w, d.c.t
	used := c.callsByPrincipal()
	var groups []*deniedGroup
	for _, p := range w.SharePrincipals(s, t) {
		if w.PrincipalName(p) == "root" && used[p][model.StartPipelineExecution] == 0 {
			continue
		}
		for _, pl := range w.SharePipelines(s, t) {
			if w.Decide(p, pl, model.StartPipelineExecution, t) != model.ReasonShared {
				continue
			}
			steps, params := c.res.Data.StartData(pl, p)
			d.addFlow(pl, p, paramText(params))
			step, ex := d.firstDenied(steps)
			if ex == nil {
				continue
			}
			g := &deniedGroup{pl: pl, account: w.PrincipalAccount(p), step: step, ex: ex, params: paramText(params)}
			// ex is the one explanation of its (role, request): compared by pointer.
			if i := slices.IndexFunc(groups, func(o *deniedGroup) bool {
				return o.pl == g.pl && o.account == g.account && o.step == g.step && o.ex == g.ex && o.params == g.params
			}); i >= 0 {
				g = groups[i]
			} else {
				groups = append(groups, g)
			}
			g.principals = append(g.principals, p)
		}
	}
	name := w.ShareName(s)
	for _, g := range groups {
		var callers []string
		for _, p := range g.principals {
			callers = append(callers, w.CallerString(p))
		}
		with := "the pipeline's default parameters"
		if g.params != "" {
			with = "the parameters it passes (" + g.params + ")"
		}
		steps, usd := d.burned(g)
		burned := "no Start of it ran in the run"
		if steps > 0 {
			burned = fmt.Sprintf("in the run %s failed so, burning %s of owner money", nouns(int(steps), "step", "steps"), dollars(usd))
		}
		ex := g.ex
		c.add(RuleStartDataUnreachable, "share "+name+" → "+string(g.account)+" on "+w.PipelineName(g.pl), w.SharePos(s),
			"share %s lets %s start %s, but with %s step %s's role %s is denied %s on %s: %s (%s). Every such Start fails with ClientError: AccessDenied after its billed setup; %s. Fix: %s",
			name, list(callers), w.PipelineName(g.pl), with, g.step, w.CallerString(ex.Role), ex.Access.Action,
			dataNoun(w, ex.Access), dataDenier(w, ex), ex.Reason, burned, DataHint(ex))
	}
}

// addFlow adds caller's Starts of pl, with parameters params, to the
// flows unless a flow of pl with the same parameters is there.
func (d *dataCheck) addFlow(pl model.PipelineID, caller model.PrincipalID, params string) {
	if k := (flowKey{pl, params}); !d.seen[k] {
		d.seen[k] = true
		d.flows = append(d.flows, flow{pl, caller})
	}
}

// firstDenied returns the first step (in the pipeline's order) with a
// denied request, and that request's explanation; nil when every
// request is allowed.
func (d *dataCheck) firstDenied(steps []sim.StepData) (string, *model.DataExplanation) {
	for _, st := range steps {
		for _, a := range st.Accesses {
			if ex := d.explain(st.Role, a); ex.Decision == model.Deny {
				return st.Step, ex
			}
		}
	}
	return "", nil
}

// burned returns the steps the run failed on g's denial (its principals,
// pipeline, step and request) and the owner money they burned.
func (d *dataCheck) burned(g *deniedGroup) (int64, float64) {
	var n int64
	var usd float64
	for _, f := range d.c.res.Data.Failures {
		if f.Pipeline == g.pl && f.Step == g.step && f.Access == g.ex.Access && f.Reason == g.ex.Reason &&
			slices.Contains(g.principals, f.Initiator) {
			n += f.Count
			usd += f.USD
		}
	}
	return n, usd
}

// paramText writes Start parameters as "A=x, B=y".
func paramText(ps []sim.Param) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Name + "=" + p.Value
	}
	return strings.Join(parts, ", ")
}

// dataNoun names what access a touches: "key alias/name" or
// "s3://bucket".
func dataNoun(w *model.World, a model.DataAccess) string {
	if a.Action.IsKMS() {
		return "key " + w.DataSubject(a)
	}
	return w.DataSubject(a)
}

// dataDenier says which layer denies ex, in words.
func dataDenier(w *model.World, ex *model.DataExplanation) string {
	kind, resAcct := "bucket policy", w.BucketAccount(ex.Access.Bucket)
	if ex.Access.Action.IsKMS() {
		kind, resAcct = "key policy", w.KeyAccount(ex.Access.Key)
	}
	switch ex.Reason {
	case model.DataExplicitDeny:
		return "a Deny in the role's identity policies or permissions boundary denies it"
	case model.DataSCP:
		return "the SCPs of " + string(w.PrincipalAccount(ex.Role)) + " deny it"
	case model.DataRCP:
		return "an RCP of " + string(resAcct) + " denies it"
	case model.DataResourceDeny:
		return "a Deny in its " + kind + " denies it"
	case model.DataNoIdentityAllow:
		return "the role's identity policies do not allow it"
	}
	return "its " + kind + " does not allow the role"
}

// stepAccess is one request of a step of a flow.
type stepAccess struct {
	pl   model.PipelineID
	step string
	role model.PrincipalID
	a    model.DataAccess
}

// accesses calls fn with every request of every flow's steps.
func (d *dataCheck) accesses(fn func(sa stepAccess)) {
	for _, f := range d.flows {
		steps, _ := d.c.res.Data.StartData(f.pl, f.caller)
		for _, st := range steps {
			for _, a := range st.Accesses {
				fn(stepAccess{f.pl, st.Step, st.Role, a})
			}
		}
	}
}

// readGroup is what one role can read of one bucket in another account.
type readGroup struct {
	bucket    model.BucketID
	role      model.PrincipalID
	prefixes  map[string]bool
	pipelines map[string]bool
	grants    []model.Match // the bucket and key policy statements that allow it
}

// crossAccountReads evaluates PS013: the reads of the flows that an
// execution role makes, allowed, in a bucket of another account.
func (d *dataCheck) crossAccountReads() {
	c, w := d.c, d.c.w
	var groups []*readGroup
	d.accesses(func(sa stepAccess) {
		a := sa.a
		if a.Action != model.S3GetObject || w.BucketAccount(a.Bucket) == w.PrincipalAccount(sa.role) {
			return
		}
		var grants []model.Match
		for _, r := range w.ReadAccesses(a.Bucket, a.Object) {
			ex := d.explain(sa.role, r)
			if ex.Decision != model.Allow {
				return
			}
			if r.Action != model.S3ListBucket {
				grants = append(grants, resourceAllows(ex)...)
			}
		}
		i := slices.IndexFunc(groups, func(g *readGroup) bool { return g.bucket == a.Bucket && g.role == sa.role })
		if i < 0 {
			i = len(groups)
			groups = append(groups, &readGroup{bucket: a.Bucket, role: sa.role, prefixes: map[string]bool{},
				pipelines: map[string]bool{}, grants: grants})
		}
		groups[i].prefixes["s3://"+w.BucketName(a.Bucket)+"/"+a.Object] = true
		groups[i].pipelines[w.PipelineName(sa.pl)] = true
	})
	for _, g := range groups {
		acct := w.BucketAccount(g.bucket)
		pos, by := w.BucketPos(g.bucket), ""
		var grants []string
		for i, m := range g.grants {
			if i == 0 && m.Source.IsValid() {
				pos = m.Source // the bucket policy statement that allows s3:GetObject
			}
			grants = append(grants, "statement "+stmtName(m)+" of the "+m.Policy)
		}
		if len(grants) > 0 {
			by = ", granted by " + strings.Join(grants, " and ")
		}
		c.add(RuleCrossAccountRead, "s3://"+w.BucketName(g.bucket)+" → "+w.CallerString(g.role), pos,
			"%s (%s), the execution role of %s, reads %s of %s (%s)%s: a cross-account data flow; confirm the owner account is meant to read this data, and narrow the grants to the prefixes it needs",
			w.CallerString(g.role), acctLabel(w, w.PrincipalAccount(g.role)), list(sortedKeys(g.pipelines)),
			list(sortedKeys(g.prefixes)), acct, acctLabel(w, acct), by)
	}
}

// resourceAllows returns the bucket or key policy statements that allow
// ex (its resource layer's allows).
func resourceAllows(ex *model.DataExplanation) []model.Match {
	var out []model.Match
	for _, l := range ex.Layers {
		if l.Name != "resource" {
			continue
		}
		for _, m := range l.Matched {
			if m.Effect == model.EffectAllow {
				out = append(out, *m)
			}
		}
	}
	return out
}

// stmtName names a matched statement by its Sid, else its 1-based index.
func stmtName(m model.Match) string {
	if m.Sid != "" {
		return m.Sid
	}
	return fmt.Sprintf("#%d", m.Statement+1)
}

// writeGroup is what the steps of the flows write to one bucket of
// another account.
type writeGroup struct {
	bucket  model.BucketID
	steps   map[string]bool // "pipeline/step"
	writers map[string]bool // the roles' accounts
}

// outputOwnership evaluates PS014: allowed writes of the flows to a
// bucket of another account whose Object Ownership is not
// BucketOwnerEnforced.
func (d *dataCheck) outputOwnership() {
	c, w := d.c, d.c.w
	var groups []*writeGroup
	d.accesses(func(sa stepAccess) {
		a := sa.a
		if a.Action != model.S3PutObject || w.BucketAccount(a.Bucket) == w.PrincipalAccount(sa.role) ||
			w.BucketOwnership(a.Bucket) == model.OwnershipBucketOwnerEnforced || d.explain(sa.role, a).Decision != model.Allow {
			return
		}
		i := slices.IndexFunc(groups, func(g *writeGroup) bool { return g.bucket == a.Bucket })
		if i < 0 {
			i = len(groups)
			groups = append(groups, &writeGroup{bucket: a.Bucket, steps: map[string]bool{}, writers: map[string]bool{}})
		}
		groups[i].steps[w.PipelineName(sa.pl)+"/"+sa.step] = true
		groups[i].writers[string(w.PrincipalAccount(sa.role))] = true
	})
	for _, g := range groups {
		name, acct, own := w.BucketName(g.bucket), w.BucketAccount(g.bucket), w.BucketOwnership(g.bucket)
		why := "the objects belong to the account that writes them"
		if own == model.OwnershipBucketOwnerPreferred {
			why = "SageMaker writes without the bucket-owner-full-control ACL, so the objects belong to the account that writes them"
		}
		c.add(RuleOutputOwnership, "s3://"+name, w.BucketPos(g.bucket),
			"%s %s %s outputs to s3://%s of %s (%s), whose Object Ownership is %s: %s (%s), and the bucket's owner cannot read or manage them through its bucket policy unless an object ACL grants it",
			words.Plural(len(g.steps), "step", "steps"), list(sortedKeys(g.steps)), words.Plural(len(g.steps), "writes", "write"),
			name, acct, acctLabel(w, acct), own, why, list(sortedKeys(g.writers)))
	}
}

// keyTrusts evaluates PS015: an Allow statement of a key policy naming
// another account as a whole, without a condition on aws:PrincipalArn;
// the roles of that account the flows use the key as would do.
func (d *dataCheck) keyTrusts() {
	c, w := d.c, d.c.w
	users := map[model.KeyID]map[model.PrincipalID]bool{}
	d.accesses(func(sa stepAccess) {
		if sa.a.Action.IsKMS() {
			if users[sa.a.Key] == nil {
				users[sa.a.Key] = map[model.PrincipalID]bool{}
			}
			users[sa.a.Key][sa.role] = true
		}
	})
	for k := range model.KeyID(w.NumKeys()) {
		for _, tr := range w.KeyAccountTrusts(k) {
			if tr.Account == w.KeyAccount(k) || tr.ByARN {
				continue
			}
			var roles []string
			for p := range users[k] {
				if w.PrincipalAccount(p) == tr.Account {
					roles = append(roles, model.PrincipalARN(tr.Account, w.PrincipalName(p)))
				}
			}
			slices.Sort(roles)
			fix := "name the roles that need the key instead, or add a condition on aws:PrincipalArn"
			if len(roles) > 0 {
				fix = "name " + list(roles) + " instead, the " + words.Plural(len(roles), "role", "roles") + " the pipelines use it as"
			}
			st := stmtName(model.Match{Sid: tr.Sid, Statement: tr.Statement})
			c.add(RuleKeyTrustsRoot, "key "+w.KeyName(k)+" → "+string(tr.Account), tr.Pos,
				"statement %s of the key policy of %s (%s) trusts account %s (%s) as a whole (%s): any principal there whose IAM policies allow it may use the key; %s",
				st, w.KeyName(k), w.KeyAccount(k), tr.Account, acctLabel(w, tr.Account), model.PrincipalARN(tr.Account, "root"), fix)
		}
	}
}
