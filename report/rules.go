package report

import (
	"fmt"
	"strings"
)

// Severity is a compliance finding's severity.
type Severity uint8

const (
	SeverityNote Severity = iota + 1
	SeverityWarning
	SeverityError
)

// String returns "note", "warning" or "error" (SARIF's level names).
func (s Severity) String() string {
	switch s {
	case SeverityNote:
		return "note"
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return "invalid"
}

// ParseSeverity parses "note", "warning" or "error".
func ParseSeverity(s string) (Severity, bool) {
	for _, v := range []Severity{SeverityNote, SeverityWarning, SeverityError} {
		if v.String() == s {
			return v, true
		}
	}
	return 0, false
}

// Rule is a built-in compliance rule. IDs are stable: a rule's ID never
// changes meaning, and retired IDs are not reused.
type Rule struct {
	ID          string
	Name        string // short kebab-case name
	Severity    Severity
	Title       string // one line: what the finding means
	Remediation string // how to fix it
}

// Rule IDs.
const (
	RuleExternalShare     = "PS001"
	RuleExternalExtended  = "PS002"
	RuleOrgWideShare      = "PS003"
	RuleInvitationOpen    = "PS004"
	RuleGrantedUnused     = "PS005"
	RuleDeniedRate        = "PS006"
	RuleBudgetExceeded    = "PS007"
	RuleNoBudget          = "PS008"
	RuleSCPBlocksShare    = "PS009"
	RuleExecutionResource = "PS010"
	RuleExpiredWaiver     = "PS011"
	// The data plane (checkdata.go).
	RuleStartDataUnreachable = "PS012"
	RuleCrossAccountRead     = "PS013"
	RuleOutputOwnership      = "PS014"
	RuleKeyTrustsRoot        = "PS015"
)

// Rules lists the built-in rules, sorted by ID.
var Rules = []Rule{
	{RuleExternalShare, "external-share", SeverityWarning,
		"A share names an account outside the organization",
		"Share only with accounts in the organization, or set allow_external_principals: false; if the partner is intended, waive the finding with an owner and an expiry."},
	{RuleExternalExtended, "external-extended-permission", SeverityError,
		"The extended permission (Start/Stop/Retry) is granted to an account outside the organization",
		"Use permission: read-only for outside accounts; executions they start run and are billed in the owner account."},
	{RuleOrgWideShare, "org-wide-share", SeverityWarning,
		"A share names the whole organization",
		"Name the OUs or accounts that need the pipeline instead of org; every current and future member account gets access."},
	{RuleInvitationOpen, "invitation-not-accepted", SeverityWarning,
		"A RAM invitation is pending, expired or rejected at the end of the run",
		"Ask the invitee to accept, or disassociate it; an expired invitation needs the owner to share again."},
	{RuleGrantedUnused, "granted-but-unused", SeverityNote,
		"A principal is granted extended actions (Start/Stop/Retry) it never called in the run",
		"Least privilege: use the read-only permission for this consumer, or narrow its identity policy to the actions it uses."},
	{RuleDeniedRate, "denied-call-rate", SeverityWarning,
		"A caller's share of denied calls is above the threshold (20 %, or a denied_rate rule)",
		"Run pipeshare explain on the denied calls' reasons; fix the identity policy, SCP or share, or stop the caller from making the calls."},
	{RuleBudgetExceeded, "budget-exceeded", SeverityError,
		"An initiator's owner-side spend exceeds its budget rule in a period or in the forecast",
		"Lower the initiator's Start/Retry rate, downgrade its share to read-only, or raise max_usd after review."},
	{RuleNoBudget, "cross-account-spend-without-budget", SeverityNote,
		"Cross-account executions bill the owner with no budget rule covering their initiator",
		"Add a rule {id: ..., budget: {initiator: ACCT, max_usd: N, period: month}} for the consumer account."},
	{RuleSCPBlocksShare, "scp-blocks-share", SeverityWarning,
		"RAM grants an action but an SCP denies it to the consumer, so the share is partly unusable",
		"Allow the action in the consumer's SCPs, or remove it from the share by using the read-only permission."},
	{RuleExecutionResource, "identity-omits-execution-resource", SeverityWarning,
		"An identity policy allows Start on a shared pipeline but Stop/Retry only on the pipeline ARN, not on .../execution/*",
		"Add the execution ARN pattern (arn:aws:sagemaker:REGION:OWNER:pipeline/NAME/execution/*) to the statement's Resource."},
	{RuleExpiredWaiver, "expired-waiver", SeverityWarning,
		"A waiver expired before the end of the simulated period; the finding it waived is reported again",
		"Review the waived finding: fix it, or renew the waiver with a new expiry date and owner."},
	{RuleStartDataUnreachable, "start-data-unreachable", SeverityError,
		"An extended share lets a consumer start a pipeline whose execution role cannot reach the data of its Starts, so each fails after owner-billed setup",
		"Grant the role the access the finding names (the bucket or key policy, RCP, SCP or identity policy it cites), or stop granting Start: use the read-only permission for this consumer."},
	{RuleCrossAccountRead, "cross-account-data-read", SeverityWarning,
		"A pipeline's execution role reads data in another account: a cross-account data flow to review",
		"Confirm the owner account is meant to read this data and narrow the bucket and key policy grants to the role and the prefixes it reads; waive the finding once reviewed."},
	{RuleOutputOwnership, "output-object-ownership", SeverityWarning,
		"Steps write outputs to another account's bucket whose Object Ownership is not BucketOwnerEnforced, so the objects belong to the writer",
		"Set the bucket's object_ownership to BucketOwnerEnforced (ACLs disabled): the bucket owner then owns every object, and its bucket policy and keys govern them."},
	{RuleKeyTrustsRoot, "key-trusts-account-root", SeverityWarning,
		"A key policy trusts another account as a whole (its root) where naming a role would do",
		"Name the role ARNs that need the key in the statement's Principal (or add a condition on aws:PrincipalArn): the account root lets any principal there whose IAM policies allow it use the key."},
}

// LookupRule returns the built-in rule with the given ID.
func LookupRule(id string) (Rule, bool) {
	for _, r := range Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// ParseRuleIDs parses a comma-separated list of rule IDs (--rules); it is an
// error to name an unknown one.
func ParseRuleIDs(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if _, ok := LookupRule(f); !ok {
			return nil, fmt.Errorf("unknown rule %q (rules: %s)", f, ruleIDList())
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no rule IDs given (rules: %s)", ruleIDList())
	}
	return out, nil
}

func ruleIDList() string { return strings.Join(ruleIDs(), ", ") }

// ruleIDs returns the IDs of [Rules], in order.
func ruleIDs() []string {
	ids := make([]string, len(Rules))
	for i, r := range Rules {
		ids[i] = r.ID
	}
	return ids
}
