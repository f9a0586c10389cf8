package sim

import (
	"time"

	"github.com/pipeshare/pipeshare/model"
)

// Rule is one user compliance rule (an entry of a scenario's `rules:`):
// a statement about a run's outcome. Exactly one of Budget and DeniedRate
// is set. The scenarios package decodes rules; report evaluates them.
type Rule struct {
	ID         string
	Budget     *BudgetRule
	DeniedRate *DeniedRateRule
	Pos        model.Pos
}

// BudgetRule caps the owner-side cost (the [Result] ledger) an initiator
// triggers per period.
type BudgetRule struct {
	// Initiator is "ACCT" (every principal of the account) or
	// "ACCT/role/X" (one principal).
	Initiator model.Ref
	MaxUSD    float64
	Period    string // one of BudgetPeriods
	Pos       model.Pos
}

// BudgetPeriods lists the periods of a [BudgetRule]: calendar months,
// ISO weeks and days (UTC), or the whole run.
var BudgetPeriods = []string{"month", "week", "day", "run"}

// DeniedRateRule replaces the default threshold of denied calls (a share
// of a caller's calls in the [Result] counters) for one caller ("ACCT" or
// "ACCT/role/X") or, when Caller is the zero Ref, for all.
type DeniedRateRule struct {
	Caller     model.Ref
	MaxPercent float64
	Pos        model.Pos
}

// Waiver accepts findings: a finding of Rule (a rule ID such as PS001)
// whose subject matches Subject ('*' matches any run of characters) is
// reported as waived until Expires (inclusive; zero: never).
type Waiver struct {
	Rule    string
	Subject string
	Reason  string
	Owner   string
	Expires time.Time // midnight UTC of the expiry date; zero if none
	Pos     model.Pos
}
