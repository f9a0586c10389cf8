package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/model"
)

// reasonCount is one reason and its calls.
type reasonCount struct {
	r model.Reason
	n int64
}

// topReasons returns up to n reasons of c accepted by keep, with calls,
// most calls first; ties in reason order.
func topReasons(c *ReasonCounts, keep func(model.Reason) bool, n int) []reasonCount {
	var out []reasonCount
	for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
		if c[r] > 0 && keep(r) {
			out = append(out, reasonCount{r, c[r]})
		}
	}
	slices.SortStableFunc(out, func(a, b reasonCount) int { return cmp.Compare(b.n, a.n) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func isDeny(r model.Reason) bool { return !r.IsAllow() && !r.IsFailure() }

func anyReason(model.Reason) bool { return true }

// reasonKind names the outcome class of r: allowed, denied or failed.
func reasonKind(r model.Reason) string {
	switch {
	case r.IsAllow():
		return "allowed"
	case r.IsFailure():
		return "failed"
	}
	return "denied"
}

// formatReasons formats reasons as "not_shared 80, scp 20".
func formatReasons(rs []reasonCount) string {
	parts := make([]string, len(rs))
	for i, rc := range rs {
		parts[i] = fmt.Sprintf("%s %d", rc.r, rc.n)
	}
	return strings.Join(parts, ", ")
}

// shortHash returns the first 12 characters of a hex digest.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// WriteText writes s as a terminal report: a header (scenario, seed,
// simulated duration), the totals, calls by action with the top deny
// reasons, calls by reason with their share of the total, and calls by
// caller with each caller's most frequent reason. Columns are aligned with
// text/tabwriter and percentages have one decimal. It returns w's first
// error.
func WriteText(w io.Writer, s *Summary) error {
	ew := &errWriter{w: w}
	c := &s.Calls

	scenario := orDash(s.Scenario)
	if s.ScenarioSHA256 != "" {
		scenario += " (sha256 " + shortHash(s.ScenarioSHA256) + ")"
	}
	ew.printf("scenario   %s\n", scenario)
	ew.printf("seed       %d\n", s.Seed)
	ew.printf("simulated  %s (%.3f s)\n", s.Duration, s.DurationSeconds())
	ew.printf("calls      %d total: %d allowed (%s), %d denied (%s), %d failed (%s)\n",
		c.Total, c.Allowed, pct(c.Allowed, c.Total), c.Denied, pct(c.Denied, c.Total),
		c.Failed, pct(c.Failed, c.Total))

	ew.printf("\nCalls by action\n")
	t := newTable("ACTION", "CALLS", "ALLOWED", "DENIED", "FAILED", "TOP DENY REASONS").num(1, 2, 3, 4)
	for a := range model.Action(model.NumActions) {
		rc := &c.ByAction[a]
		t.add(a.Name(), itoa(rc.Total()), itoa(rc.Allowed()), itoa(rc.Denied()), itoa(rc.Failed()),
			formatReasons(topReasons(rc, isDeny, 3)))
	}
	t.add("total", itoa(c.Total), itoa(c.Allowed), itoa(c.Denied), itoa(c.Failed),
		formatReasons(topReasons(&c.ByReason, isDeny, 3)))
	t.write(ew, "  ")

	ew.printf("\nCalls by reason\n")
	if c.Total == 0 {
		ew.printf("  (no calls)\n")
	} else {
		t = newTable("REASON", "OUTCOME", "CALLS", "SHARE").num(2, 3)
		for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
			if n := c.ByReason[r]; n > 0 {
				t.add(r.String(), reasonKind(r), itoa(n), pct(n, c.Total))
			}
		}
		t.write(ew, "  ")
	}

	ew.printf("\nCalls by caller\n")
	if len(s.Callers) == 0 {
		ew.printf("  (no calls)\n")
	} else {
		synthetic := false
		t = newTable("ACCOUNT", "NAME", "PRINCIPAL", "CALLS", "ALLOWED", "DENIED", "FAILED", "TOP REASON").num(3, 4, 5, 6)
		for i := range s.Callers {
			cl := &s.Callers[i]
			p := cl.Principal
			if cl.Synthetic {
				p += " *"
				synthetic = true
			}
			top := ""
			if rs := topReasons(&cl.Calls.ByReason, anyReason, 1); len(rs) > 0 {
				top = fmt.Sprintf("%s (%s)", rs[0].r, pct(rs[0].n, cl.Calls.Total))
			}
			t.add(string(cl.Account), orDash(cl.AccountName), p, itoa(cl.Calls.Total),
				itoa(cl.Calls.Allowed), itoa(cl.Calls.Denied), itoa(cl.Calls.Failed), top)
		}
		t.write(ew, "  ")
		if synthetic {
			ew.printf("  * seen only in the trace; given an allow-all identity\n")
		}
	}
	return ew.err
}
