package model

// This file lets reports inspect the key policies of a World
// (docs/reports.md#rule-ps015).

// AccountTrust is an Allow statement of a key policy whose Principal
// names an account as a whole: an account ID or arn:aws:iam::ACCOUNT:root.
type AccountTrust struct {
	Sid       string
	Statement int // 0-based index in the key policy
	Account   AccountID
	// ByARN is true when a condition on aws:PrincipalArn narrows the
	// statement to some principals of the account.
	ByARN bool
	Pos   Pos // the statement's
}

// KeyAccountTrusts returns the Allow statements of key k's policy that
// name an account as a whole, one per (statement, account), in statement
// order.
func (w *World) KeyAccountTrusts(k KeyID) []AccountTrust {
	var out []AccountTrust
	pol := &w.policies[w.data.keys[k].policy]
	for i := range pol.Statements {
		s := &pol.Statements[i]
		if s.Effect != EffectAllow || s.Principal == nil {
			continue
		}
		byARN := false
		for j := range s.Conditions {
			byARN = byARN || s.Conditions[j].k == keyPrincipalArn
		}
		for _, a := range s.Principal.accounts {
			out = append(out, AccountTrust{Sid: s.Sid, Statement: s.Index, Account: a, ByARN: byARN, Pos: s.Pos})
		}
	}
	return out
}
