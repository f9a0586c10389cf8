package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/pipeshare/pipeshare/internal/words"
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

// writeText writes s as a terminal report: the headline (see
// [headline]), a header (scenario, seed, simulated duration), the totals, calls by action with the top deny
// reasons, calls by reason with their share of the total, calls by caller
// with each caller's most frequent reason, the executions (transitions and
// the states at the end), the steps (grants, waits for instances and
// quota failures) and the owner's cost: the total and its in-flight part,
// then by payer, by pipeline and by initiator, each with a total line.
// Columns are aligned with text/tabwriter, percentages have one decimal,
// money is "$1,128.12" and instance-hours have 3 decimals. It returns w's first error.
func (s *Summary) writeText(w io.Writer) error {
	ew := &errWriter{w: w}
	c := &s.Calls
	writeHeadlineText(ew, "Headline", runHeadline(s).lines())

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
	if n := c.ByAction[model.Search].Allowed(); n > 0 {
		ew.printf("  Search is decided in the caller's own account; its target pipeline was in the results of %d of %d allowed Search %s\n",
			c.SearchReturned, n, words.Plural(int(n), "call", "calls"))
	}

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
		idx, more := humanRows(len(s.Callers), func(i int) float64 { return float64(s.Callers[i].Calls.Total) })
		for _, i := range idx {
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
		if more > 0 {
			ew.printf("  %s\n", moreRows(more, "callers", "calls"))
		}
		if synthetic {
			ew.printf("  * seen only in the trace; given an allow-all identity\n")
		}
	}

	writeExecutionsText(ew, s)
	if s.Data != nil {
		writeDataText(ew, s.Data)
	}
	writeCostText(ew, &s.Cost)
	if s.Findings != nil {
		ew.printf("\nFindings (warning and above; pipeshare check explains each and how to fix it)\n")
		t := newTable("RULE", "SEVERITY", "SUBJECT")
		for _, f := range s.Findings[:min(len(s.Findings), maxHumanRows)] {
			t.add(f.Rule, f.Severity.String(), f.Subject)
		}
		if len(s.Findings) == 0 {
			ew.printf("  (none)\n")
		} else {
			t.write(ew, "  ")
		}
		if more := len(s.Findings) - maxHumanRows; more > 0 {
			ew.printf("  the first %d findings are shown; %d more are in pipeshare check (or --format json)\n", maxHumanRows, more)
		}
	}
	return ew.err
}

// writeExecutionsText writes the Executions block, the Steps block and
// the quota hits.
func writeExecutionsText(ew *errWriter, s *Summary) {
	e, st := &s.Executions, &s.Steps
	ew.printf("\nExecutions\n")
	t := newTable("STARTED", "SUCCEEDED", "FAILED", "STOPPED", "RETRIED", "TIMED OUT").num(0, 1, 2, 3, 4, 5)
	t.add(itoa(e.Started), itoa(e.Succeeded), itoa(e.Failed), itoa(e.Stopped), itoa(e.Retried), itoa(e.TimedOut))
	t.write(ew, "  ")
	ew.printf("  at the end: %d waiting for instances, %d running, %d failed\n",
		e.WaitingAtEnd, e.RunningAtEnd, e.FailedAtEnd)

	ew.printf("\nSteps\n")
	ew.printf("  %s granted, %s completed\n", digitsNoun(st.Granted, "instance request", "instance requests"), digitsNoun(st.Completed, "step", "steps"))
	ew.printf("  wait for instances: mean %s, p95 %s\n", humanDuration(st.MeanWait), humanDuration(st.P95Wait))
	ew.printf("  quota hits: %d RESOURCE_LIMIT step failures (%d never startable), %d limit_exceeded calls\n",
		st.ResourceLimit, st.NeverStartable, s.Calls.ByReason[model.ReasonLimitExceeded])
	if len(st.ByInitiator) > 0 {
		ew.printf("  wait for instances by initiator\n")
		t := newTable("ACCOUNT", "NAME", "PRINCIPAL", "GRANTS", "MEAN WAIT").num(3, 4)
		idx, more := humanRows(len(st.ByInitiator), func(i int) float64 { return float64(st.ByInitiator[i].Grants) })
		for _, i := range idx {
			iw := &st.ByInitiator[i]
			t.add(string(iw.Account), orDash(iw.AccountName), iw.Principal, itoa(iw.Grants), humanDuration(iw.MeanWait()))
		}
		t.write(ew, "    ")
		if more > 0 {
			ew.printf("    %s\n", moreRows(more, "initiators", "grants"))
		}
	}
}

// writeCostText writes the owner cost: the total, then tables by payer, by
// pipeline and by initiator, each with a total line.
func writeCostText(ew *errWriter, c *Cost) {
	ew.printf("\nOwner cost\n")
	if len(c.ByInitiator) == 0 {
		ew.printf("  (no instance use)\n")
		return
	}
	ew.printf("  total %s (in flight at the end %s), %s instance-hours\n",
		dollars(c.USD), dollars(c.InFlightUSD), hours(&c.Amount))

	ew.printf("\n  By payer\n")
	t := newTable("ACCOUNT", "NAME", "INSTANCE-HOURS", "USD").num(2, 3)
	idx, more := humanRows(len(c.ByPayer), func(i int) float64 { return c.ByPayer[i].USD })
	for _, i := range idx {
		p := &c.ByPayer[i]
		t.add(string(p.Account), orDash(p.AccountName), hours(&p.Amount), dollars(p.USD))
	}
	t.add("total", "", hours(&c.Amount), dollars(c.USD))
	t.write(ew, "    ")
	if more > 0 {
		ew.printf("    %s\n", moreRows(more, "payers", "USD"))
	}

	ew.printf("\n  By pipeline\n")
	t = newTable("PIPELINE", "OWNER", "INSTANCE-HOURS", "USD").num(2, 3)
	idx, more = humanRows(len(c.ByPipeline), func(i int) float64 { return c.ByPipeline[i].USD })
	for _, i := range idx {
		p := &c.ByPipeline[i]
		t.add(p.Pipeline, string(p.Owner), hours(&p.Amount), dollars(p.USD))
	}
	t.add("total", "", hours(&c.Amount), dollars(c.USD))
	t.write(ew, "    ")
	if more > 0 {
		ew.printf("    %s\n", moreRows(more, "pipelines", "USD"))
	}

	ew.printf("\n  By initiator\n")
	t = newTable("PAYER", "ACCOUNT", "NAME", "PRINCIPAL", "PIPELINE", "SHARE", "INSTANCE TYPE",
		"INSTANCE-HOURS", "USD").num(7, 8)
	idx, more = humanRows(len(c.ByInitiator), func(i int) float64 { return c.ByInitiator[i].USD })
	for _, i := range idx {
		ic := &c.ByInitiator[i]
		share := ic.Share
		if ic.Own {
			share = "(owner)"
		}
		t.add(string(ic.Payer), string(ic.Account), orDash(ic.AccountName), ic.Principal, ic.Pipeline,
			share, ic.InstanceType, hours(&ic.Amount), dollars(ic.USD))
	}
	t.add("total", "", "", "", "", "", "", hours(&c.Amount), dollars(c.USD))
	t.write(ew, "    ")
	if more > 0 {
		ew.printf("    %s\n", moreRows(more, "rows", "USD"))
	}
}

// money formats a USD amount with 4 decimals, for JSON and CSV (the
// reports for people print dollars).
func money(v float64) string { return fixed(v, 4) }

// hours formats a's instance-hours with 3 decimals.
func hours(a *Amount) string { return fixed(a.InstanceHours(), 3) }

// fixed formats v with prec decimals, never as "-0.000".
func fixed(v float64, prec int) string {
	b, err := fixedJSON(v, prec)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// humanDuration formats ns as a Go duration to 3 significant digits below
// a minute ("1.23s", "1.5ms"), to the second from a minute ("4m16s").
func humanDuration(ns float64) string {
	d := time.Duration(math.Round(ns))
	if d < time.Minute {
		if d < 1000 {
			return d.String()
		}
		unit := time.Duration(math.Pow10(int(math.Floor(math.Log10(float64(d)))) - 2))
		return d.Round(unit).String()
	}
	return d.Round(time.Second).String()
}
