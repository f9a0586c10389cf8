package model

// Decision is the outcome of authorization.
type Decision uint8

const (
	Deny Decision = iota
	Allow
)

func (d Decision) String() string {
	if d == Allow {
		return "allow"
	}
	return "deny"
}

// Reason says why a call was decided as it was. Reasons 1–12 come from the
// permission steps 1–5; the last four are step 6 outcomes that only simulated
// calls get (authorization allowed them, the service then rejected them).
type Reason uint8

const (
	ReasonNone Reason = iota
	// Allows.
	ReasonOwner  // same account, identity policy allows
	ReasonShared // a RAM share grants the action
	// Denies, steps 1–5.
	ReasonExplicitDeny       // step 1
	ReasonSCP                // step 2
	ReasonNoIdentityAllow    // steps 3 and 4
	ReasonExternalNotAllowed // step 5, in order of increasing strength
	ReasonInvitationExpired
	ReasonInvitationRejected
	ReasonInvitationPending
	ReasonAssociationPending
	ReasonActionNotPermitted
	ReasonNotShared
	// Step 6: allowed, then rejected by the service.
	ReasonNotFound
	ReasonConflict
	ReasonLimitExceeded
	ReasonThrottled

	NumReasons
)

var reasonCodes = [NumReasons]string{
	"", "owner", "shared", "explicit_deny", "scp", "no_identity_allow",
	"external_not_allowed", "invitation_expired", "invitation_rejected",
	"invitation_pending", "association_pending", "action_not_permitted",
	"not_shared", "not_found", "conflict", "limit_exceeded", "throttled",
}

// String returns the reason code used in output, e.g. "not_shared".
func (r Reason) String() string {
	if r >= NumReasons {
		return "invalid"
	}
	return reasonCodes[r]
}

// ParseReason parses a reason code.
func ParseReason(s string) (Reason, bool) {
	for r, c := range reasonCodes {
		if r > 0 && c == s {
			return Reason(r), true
		}
	}
	return 0, false
}

// IsAllow reports whether r is an allow reason (owner or shared).
func (r Reason) IsAllow() bool { return r == ReasonOwner || r == ReasonShared }

// IsFailure reports whether r is a step 6 outcome: allowed by authorization,
// rejected by the service.
func (r Reason) IsFailure() bool { return r >= ReasonNotFound && r < NumReasons }

// shareRank orders step 5 outcomes across shares: the best wins
// (docs/aws-semantics.md#how-a-call-is-decided: shared > action_not_permitted > association_pending >
// invitation_pending > invitation_rejected > invitation_expired >
// external_not_allowed > not_shared).
func shareRank(r Reason) int {
	switch r {
	case ReasonShared:
		return 8
	case ReasonActionNotPermitted:
		return 7
	case ReasonAssociationPending:
		return 6
	case ReasonInvitationPending:
		return 5
	case ReasonInvitationRejected:
		return 4
	case ReasonInvitationExpired:
		return 3
	case ReasonExternalNotAllowed:
		return 2
	default:
		return 1
	}
}

// Permission is a RAM managed permission for sagemaker:Pipeline.
type Permission uint8

const (
	// PermissionReadOnly is AWSRAMDefaultPermissionSageMakerPipeline.
	PermissionReadOnly Permission = iota + 1
	// PermissionExtended is AWSRAMPermissionSageMakerPipelineAllowExecution.
	PermissionExtended
)

const (
	readOnlyName = "AWSRAMDefaultPermissionSageMakerPipeline"
	extendedName = "AWSRAMPermissionSageMakerPipelineAllowExecution"
)

// Actions returns the actions the permission grants.
func (p Permission) Actions() ActionSet {
	switch p {
	case PermissionReadOnly:
		return 1<<StartPipelineExecution - 1 // the first seven
	case PermissionExtended:
		return AllActions
	}
	return 0
}

// String returns the short name used in scenarios: "read-only" or "extended".
func (p Permission) String() string {
	switch p {
	case PermissionReadOnly:
		return "read-only"
	case PermissionExtended:
		return "extended"
	}
	return "invalid"
}

// ManagedName returns the AWS managed permission name.
func (p Permission) ManagedName() string {
	if p == PermissionExtended {
		return extendedName
	}
	return readOnlyName
}

// ARN returns the managed permission's ARN (inferred; docs/aws-semantics.md#managed-permissions).
func (p Permission) ARN() string { return "arn:aws:ram::aws:permission/" + p.ManagedName() }

// ParsePermission accepts "read-only", "extended", the managed permission
// names and their ARNs.
func ParsePermission(s string) (Permission, bool) {
	switch s {
	case "read-only", readOnlyName, PermissionReadOnly.ARN():
		return PermissionReadOnly, true
	case "extended", extendedName, PermissionExtended.ARN():
		return PermissionExtended, true
	}
	return 0, false
}
