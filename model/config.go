package model

// Config is the input the permission model is built from. The scenarios
// package fills it from YAML, importers from outside formats. It carries raw
// references ([Ref]) with their positions; [NewWorld] resolves them and reports
// every semantic error (unknown names, duplicates, shares to the owner, …) at
// the reference's position.
type Config struct {
	Region        string // e.g. "us-east-1"
	StartUnixNano int64  // the scenario start, for aws:CurrentTime
	Org           *OrgConfig
	Accounts      []AccountConfig // groups and id_from/count already expanded
	Policies      []PolicyDoc     // one namespace: identity policies, boundaries, SCPs
	Pipelines     []PipelineConfig
	Shares        []ShareConfig
	Events        []EventConfig // the timeline, in file order
	// The data plane (dataconfig.go): S3 buckets and KMS keys.
	Buckets []BucketConfig
	Keys    []KeyConfig
}

// Ref is a reference written in the scenario (an account ID, a principal, a
// policy or share name, an OU path, …) and where it was written.
type Ref struct {
	S   string
	Pos Pos
}

// OrgConfig describes the organization. A nil *OrgConfig means there is none:
// every account is standalone.
type OrgConfig struct {
	ID         string // "o-…"
	Management Ref    // must be a listed account inside the organization
	RAMSharing bool   // RAM sharing with AWS Organizations enabled
	Units      []UnitConfig
	RCPs       []RCPConfig // resource control policies (S3 and KMS)
	Pos        Pos
}

// UnitConfig is an organizational unit, or the root when Path is "/".
type UnitConfig struct {
	Path       Ref    // "/a/b"; parents must be declared (the root is implicit)
	ID         string // "" derives ou-<root>-<hash> from the path
	SCPs       []Ref
	FullAccess bool // AWS's FullAWSAccess is attached (scenario default true)
	Pos        Pos
}

// AccountConfig is one account. OU "" is outside the organization, "/" its root.
type AccountConfig struct {
	ID         Ref
	Name       string
	OU         Ref
	Groups     []string
	SCPs       []Ref
	FullAccess bool // FullAWSAccess attached to the account (default true)
	Principals []PrincipalConfig
	Pos        Pos
}

// PrincipalConfig is an IAM role or user ("role/[path/]Name", "user/[path/]Name").
// The root principal is implicit in every account and is never configured.
type PrincipalConfig struct {
	Name     Ref
	Policies []Ref
	Boundary Ref // S == "" for none
	Tags     []Tag
	// AllowAll gives the principal an identity that allows everything
	// (principals seen only in a replayed trace).
	AllowAll bool
	Pos      Pos
}

// PolicyDoc is a policy document as written: identity policy, boundary or SCP.
type PolicyDoc struct {
	Name       string
	Statements []StatementDoc
	Pos        Pos
}

// StatementDoc is one statement as written. A nil list means the element is
// absent; the Pos fields point at the elements for error messages.
type StatementDoc struct {
	Sid         string
	Effect      Ref // "Allow" or "Deny"
	Action      []Ref
	NotAction   []Ref
	Resource    []Ref
	NotResource []Ref
	// PrincipalPos is valid when the statement has a Principal element
	// (an error in identity policies, boundaries and SCPs); Principals
	// holds its entries (bucket and key policies, RCPs), and NotPrincipal
	// says the element was NotPrincipal (not supported).
	PrincipalPos Pos
	Principals   []PrincipalDoc
	NotPrincipal bool
	Conditions   []ConditionDoc
	Pos          Pos
}

// ConditionDoc is one operator/key entry of a Condition block.
type ConditionDoc struct {
	Operator string
	Key      string
	Values   []string
	Pos      Pos
}

// PipelineConfig is a pipeline's identity; its steps belong to the simulator.
type PipelineConfig struct {
	Name    Ref
	Account Ref
	Pos     Pos
}

// Answer is how an invitee answers a RAM invitation.
type Answer uint8

const (
	// AnswerAccept accepts After the invitation is sent (the default, with After 0).
	AnswerAccept Answer = iota + 1
	// AnswerReject rejects After the invitation is sent.
	AnswerReject
	// AnswerIgnore never answers: the invitation expires after the TTL.
	AnswerIgnore
)

// InvitationConfig says how the invitee(s) named by Key (an account ID or
// "group:G") answer.
type InvitationConfig struct {
	Key    Ref
	Answer Answer
	After  Time
	Pos    Pos
}

// ShareConfig is a RAM resource share of pipelines.
type ShareConfig struct {
	Name  Ref
	Owner Ref
	// Pipelines are names of the owner's pipelines, or pipeline ARNs.
	Pipelines []Ref
	// Principals: "ACCT", "ACCT/role/X", an IAM ARN, "group:G",
	// "group:G/role/X", "ou:/path" or "org".
	Principals       []Ref
	Permission       Permission
	At               Time
	AssociationDelay Time
	AllowExternal    bool
	InvitationTTL    Time
	Invitations      []InvitationConfig
	RetainOnLeave    bool
	Pos              Pos
}

// EventKind is a timeline change.
type EventKind uint8

const (
	EventSetPermission     EventKind = iota + 1 // Share, Permission
	EventAssociate                              // Share, Principals?, Pipelines?
	EventDisassociate                           // Share, Principals?, Pipelines?
	EventDeleteShare                            // Share
	EventMoveAccount                            // Account, OU
	EventLeaveOrganization                      // Account
	EventAttachPolicy                           // Target, Policy
	EventDetachPolicy                           // Target, Policy
	EventAttachRCP                              // Target (an OU or account), Policy
	EventDetachRCP                              // Target (an OU or account), Policy
)

var eventKindNames = [...]string{"", "set_permission", "associate", "disassociate",
	"delete_share", "move_account", "leave_organization", "attach_policy", "detach_policy",
	"attach_rcp", "detach_rcp"}

func (k EventKind) String() string {
	if int(k) < len(eventKindNames) {
		return eventKindNames[k]
	}
	return "invalid"
}

// ParseEventKind parses an event action name; set_quota is the simulator's
// and not a model event.
func ParseEventKind(s string) (EventKind, bool) {
	for k, n := range eventKindNames {
		if k > 0 && n == s {
			return EventKind(k), true
		}
	}
	return 0, false
}

// EventConfig is one timeline change. Which fields are used depends on Kind.
type EventConfig struct {
	At         Time
	Kind       EventKind
	Share      Ref
	Permission Permission
	// Principals and Pipelines of associate/disassociate; nil means all of
	// the share's (disassociate) or none (associate).
	Principals []Ref
	Pipelines  []Ref
	Account    Ref
	OU         Ref
	Target     Ref // "ACCT", "ACCT/role/X" or "ou:/path" ("ACCT" or "ou:/path" for an RCP)
	Policy     Ref
	Pos        Pos
}
