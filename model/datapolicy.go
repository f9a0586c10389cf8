package model

import (
	"slices"
	"strings"
)

// This file compiles the Principal element of bucket policies, key
// policies and RCPs, and matches it against a role session.

// principalSet is a compiled Principal element.
type principalSet struct {
	any      bool        // "*" or {AWS: "*"}
	accounts []AccountID // an account ID or arn:aws:iam::ACCOUNT:root
	arns     []string    // IAM role and user ARNs, STS assumed-role session ARNs
	services []string    // service principals, which no role session is
	pos      Pos         // the Principal element's
}

// compilePrincipals compiles sd's Principal element, or returns nil when
// the statement has none.
func compilePrincipals(sd *StatementDoc, errs *[]*PosError) *principalSet {
	if !sd.PrincipalPos.IsValid() {
		return nil
	}
	ps := &principalSet{pos: sd.PrincipalPos}
	if sd.NotPrincipal {
		*errs = append(*errs, errorf(sd.PrincipalPos, "NotPrincipal is not supported; write Principal with a Condition"))
		return ps
	}
	for _, p := range sd.Principals {
		v := p.Value.S
		switch {
		case p.Kind == "Service":
			if !strings.HasSuffix(v, ".amazonaws.com") {
				*errs = append(*errs, errorf(p.Value.Pos, "service principal %q must end in .amazonaws.com", v))
				continue
			}
			ps.services = append(ps.services, v)
		case p.Kind != "AWS":
			*errs = append(*errs, errorf(p.Value.Pos, "unsupported principal type %q (want AWS or Service)", p.Kind))
		case v == "*":
			ps.any = true
		case strings.ContainsAny(v, "*?"):
			*errs = append(*errs, errorf(p.Value.Pos, "principal %q: a Principal takes no wildcard but \"*\" (use a Condition on aws:PrincipalArn)", v))
		case !strings.HasPrefix(v, "arn:"):
			id, err := ParseAccountID(v)
			if err != nil {
				*errs = append(*errs, errorf(p.Value.Pos, "principal: %v", err))
				continue
			}
			ps.accounts = append(ps.accounts, id)
		default:
			acct, name, err := ParsePrincipalARN(v)
			switch {
			case err != nil:
				*errs = append(*errs, errorf(p.Value.Pos, "principal: %v", err))
			case name == "root":
				ps.accounts = append(ps.accounts, acct)
			default:
				ps.arns = append(ps.arns, v)
			}
		}
	}
	return ps
}

// isStar reports whether the set is exactly Principal "*".
func (ps *principalSet) isStar() bool {
	return ps.any && len(ps.accounts) == 0 && len(ps.arns) == 0 && len(ps.services) == 0
}

// roleMatch is how a resource policy statement names a role session.
type roleMatch uint8

const (
	roleNotNamed roleMatch = iota
	roleAccount            // the role's account: a delegation to its IAM policies
	roleARN                // the role's ARN: a grant its permissions boundary limits
	roleSession            // "*" or the session's ARN: a grant to the session itself
)

// matchRole returns how ps names role p, the strongest way first.
func (w *World) matchRole(ps *principalSet, p PrincipalID) roleMatch {
	pr := &w.principals[p]
	switch {
	case ps.any || slices.Contains(ps.arns, w.RoleSessionARN(p)):
		return roleSession
	case slices.Contains(ps.arns, pr.arn):
		return roleARN
	case slices.Contains(ps.accounts, w.accounts[pr.account].id):
		return roleAccount
	}
	return roleNotNamed
}
