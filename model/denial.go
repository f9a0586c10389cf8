package model

import "strings"

// denial says which of AWS's denial texts a denied call or data access
// takes (docs/aws-semantics.md#denial-messages). An explanation keeps it
// and builds the text only when asked ([Explanation.Message],
// [DataExplanation.Message]): most denials are explained for their
// reason and layers, and the text was the larger part of their cost.
type denial uint8

const (
	noDenial denial = iota // an allow: no text
	// An explicit deny, in the policy type named by denialTail.
	denyIdentity
	denyBoundary
	denySCP
	denyRCP
	denyResource
	// No policy of the type denialTail names allows the action.
	noIdentityAllow
	noBoundaryAllow
	noSCPAllow
	noResourceAllow
)

// denialTail is the end of each denial's text: the whole clause for an
// explicit deny, the policy type for a missing allow.
var denialTail = [...]string{
	denyIdentity:    " with an explicit deny in an identity-based policy",
	denyBoundary:    " with an explicit deny in a permissions boundary",
	denySCP:         " with an explicit deny in a service control policy",
	denyRCP:         " with an explicit deny in a resource control policy",
	denyResource:    " with an explicit deny in a resource-based policy",
	noIdentityAllow: "identity-based",
	noBoundaryAllow: "permissions boundary",
	noSCPAllow:      "service control",
	noResourceAllow: "resource-based",
}

// text writes d's denial for caller who performing service+act on res,
// quoted with quote, in one allocation: "User: who is not authorized to
// perform: service+act on resource: res" and d's clause.
func (d denial) text(who, service, act, quote, res string) string {
	if d == noDenial {
		return ""
	}
	var buf [15]string
	parts := append(buf[:0], "User: ", who, " is not authorized to perform: ", service, act,
		" on resource: ", quote, res, quote)
	if d < noIdentityAllow {
		parts = append(parts, denialTail[d])
	} else {
		parts = append(parts, " because no ", denialTail[d], " policy allows the ", service, act, " action")
	}
	return strings.Join(parts, "")
}
