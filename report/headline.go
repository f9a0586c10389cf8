package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/internal/words"
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// Event is one change of a scenario's timeline, in words, for the
// headline's sentence on what changed the picture.
type Event struct {
	At   model.Time // from the scenario start
	What string     // "share churn-to-research became read-only"
}

// Events describes a scenario's timeline (its model events and its
// set_quota events) in words, sorted by time (ties in file order).
func Events(evs []model.EventConfig, quotas []sim.QuotaEvent) []Event {
	out := make([]Event, 0, len(evs)+len(quotas))
	for i := range evs {
		out = append(out, Event{At: evs[i].At, What: eventWords(&evs[i])})
	}
	for _, q := range quotas {
		out = append(out, Event{At: q.At, What: "account " + q.Quota.Account.S + "'s quotas changed"})
	}
	slices.SortStableFunc(out, func(a, b Event) int { return cmp.Compare(a.At, b.At) })
	return out
}

func eventWords(e *model.EventConfig) string {
	share := "share " + e.Share.S
	switch e.Kind {
	case model.EventSetPermission:
		return share + " became " + e.Permission.String()
	case model.EventAssociate:
		if len(e.Principals) == 0 {
			return share + " added " + list(refNames(e.Pipelines))
		}
		return share + " started naming " + list(refNames(e.Principals))
	case model.EventDisassociate:
		switch {
		case len(e.Principals) > 0:
			return share + " stopped naming " + list(refNames(e.Principals))
		case len(e.Pipelines) > 0:
			return share + " dropped " + list(refNames(e.Pipelines))
		}
		return share + " was disassociated"
	case model.EventDeleteShare:
		return share + " was deleted"
	case model.EventMoveAccount:
		return "account " + e.Account.S + " moved to " + e.OU.S
	case model.EventLeaveOrganization:
		return "account " + e.Account.S + " left the organization"
	case model.EventAttachPolicy:
		return "policy " + e.Policy.S + " was attached to " + e.Target.S
	case model.EventDetachPolicy:
		return "policy " + e.Policy.S + " was detached from " + e.Target.S
	case model.EventAttachRCP:
		return "RCP " + e.Policy.S + " was attached to " + e.Target.S
	case model.EventDetachRCP:
		return "RCP " + e.Policy.S + " was detached from " + e.Target.S
	}
	return e.Kind.String()
}

func refNames(rs []model.Ref) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.S
	}
	return out
}

// storyThreshold is the least change that makes a timeline event the
// headline's story: 5 points of the denied share of calls, or a change of
// the owner's cost rate by 5 % of its mean over the run.
const storyThreshold = 0.05

// window is the run between two bucket indexes of its series: its calls,
// denied calls, owner cost and length.
type window struct {
	calls, denied int64
	usd           float64
	span          model.Time
}

func (s *Summary) window(lo, hi int) window {
	se := &s.Series
	var w window
	for b := lo; b < hi; b++ {
		c := se.Calls[b]
		w.calls += c[0] + c[1] + c[2]
		w.denied += c[1]
		for g := range se.Cost {
			w.usd += se.Cost[g][b]
		}
	}
	end := model.Time(hi) * se.Bucket
	if hi == len(se.Calls) { // the last bucket ends at the horizon
		end = s.Duration
	}
	w.span = end - model.Time(lo)*se.Bucket
	return w
}

func (w window) deniedShare() float64 { return float64(w.denied) / float64(w.calls) }

// rate is the window's owner cost per unit of time.
func (w window) rate(unit model.Time) float64 { return w.usd / float64(w.span) * float64(unit) }

// rateUnit is the unit of the cost rates of the story: a day, or an hour
// for runs under two days.
func (s *Summary) rateUnit() (model.Time, string) {
	if s.Duration < 2*day {
		return hourNs, "an hour"
	}
	return day, "a day"
}

// change is what one timeline instant did to the denied share of calls
// and to the owner's cost rate, comparing the run between the previous
// change point and it with the run between it and the next.
type change struct {
	at               model.Time
	what             []string
	from, to         model.Time // the windows compared: [from, at) and [at, to)
	deniedA, deniedB float64
	denied           float64 // |deniedB − deniedA|, 0 when a side made no call
	costA, costB     float64 // cost rates, a rateUnit
	cost             float64 // |costB − costA| over the run's mean cost rate
}

func (c *change) score() float64 { return max(c.denied, c.cost) }

// story is the headline's one sentence: the timeline event after which the
// denied share of calls or the owner's cost rate changed most, in words;
// when none changed either by storyThreshold, what dominates the cost.
func (s *Summary) story() string {
	se := &s.Series
	n := len(se.Calls)
	var times []model.Time
	var whats [][]string
	for _, e := range s.Events {
		if e.At <= 0 || e.At >= s.Duration {
			continue
		}
		if k := len(times); k > 0 && times[k-1] == e.At {
			whats[k-1] = append(whats[k-1], e.What)
			continue
		}
		times = append(times, e.At)
		whats = append(whats, []string{e.What})
	}
	var best *change
	if n > 0 && se.Bucket > 0 {
		floor := func(t model.Time) int { return int(min(t/se.Bucket, model.Time(n))) }
		ceil := func(t model.Time) int { return int(min((t+se.Bucket-1)/se.Bucket, model.Time(n))) }
		unit, _ := s.rateUnit()
		mean := s.window(0, n).rate(unit)
		for i, t := range times {
			lo, hi := 0, n
			if i > 0 {
				lo = ceil(times[i-1])
			}
			if i+1 < len(times) {
				hi = floor(times[i+1])
			}
			if floor(t) <= lo || ceil(t) >= hi {
				continue // no whole bucket on one side
			}
			a, b := s.window(lo, floor(t)), s.window(ceil(t), hi)
			c := &change{at: t, what: whats[i], to: s.Duration}
			if i > 0 {
				c.from = times[i-1]
			}
			if i+1 < len(times) {
				c.to = times[i+1]
			}
			if a.calls > 0 && b.calls > 0 {
				c.deniedA, c.deniedB = a.deniedShare(), b.deniedShare()
				c.denied = math.Abs(c.deniedB - c.deniedA)
			}
			c.costA, c.costB = a.rate(unit), b.rate(unit)
			if mean > 0 {
				c.cost = math.Abs(c.costB-c.costA) / mean
			}
			if c.score() >= storyThreshold && (best == nil || c.score() > best.score()) {
				best = c
			}
		}
	}
	if best == nil {
		return s.costStory(len(times) > 0)
	}
	_, unitWords := s.rateUnit()
	deniedPart := fmt.Sprintf("denied calls %s from %s to %s of calls", moves(best.deniedB-best.deniedA, "rise", "fall"),
		pctf(best.deniedA), pctf(best.deniedB))
	costPart := fmt.Sprintf("the owner's cost %s from %s to %s %s", moves(best.costB-best.costA, "rises", "falls"),
		dollars(best.costA), dollars(best.costB), unitWords)
	parts := []string{deniedPart, costPart}
	if best.cost > best.denied {
		parts[0], parts[1] = costPart, deniedPart
	}
	if min(best.cost, best.denied) < storyThreshold {
		parts = parts[:1]
	}
	windows := ""
	if best.from > 0 || best.to < s.Duration { // say which stretches of the run were compared
		windows = fmt.Sprintf(" (%s, against %s)", span(best.at, best.to), span(best.from, best.at))
	}
	return fmt.Sprintf("From %s, when %s, %s%s.", when(best.at), list(best.what), strings.Join(parts, " and "), windows)
}

// span names the stretch of the run from a to b: "days 10–20", "hours
// 2–5", else "1h30m0s to hour 5" (the sentence's "against" reads on:
// "against 1h30m0s to hour 5", not "against from …").
func span(a, b model.Time) string {
	switch {
	case a%day == 0 && b%day == 0:
		return fmt.Sprintf("days %d–%d", a/day, b/day)
	case a%hourNs == 0 && b%hourNs == 0:
		return fmt.Sprintf("hours %d–%d", a/hourNs, b/hourNs)
	}
	return when(a) + " to " + when(b)
}

// moves returns up when d ≥ 0, else down.
func moves(d float64, up, down string) string {
	if d < 0 {
		return down
	}
	return up
}

// pctf formats a fraction as a percentage with one decimal: "20.3%".
func pctf(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// costStory is the sentence when no timeline event changed the picture:
// who triggers the most owner cost, or that nothing ran.
func (s *Summary) costStory(hadEvents bool) string {
	lead := "No timeline event changed the denied share of calls or the owner's cost rate"
	if !hadEvents {
		lead = "Nothing changes during the run"
	}
	if s.Cost.USD <= 0 {
		if rs := topReasons(&s.Calls.ByReason, isDeny, 1); len(rs) > 0 {
			return fmt.Sprintf("%s; no execution ran in an owner account, and most denials are %s.", lead, rs[0].r)
		}
		return lead + "; no execution ran in an owner account."
	}
	by := map[string]float64{}
	for _, ic := range s.Cost.ByInitiator {
		by[string(ic.Account)+"/"+ic.Principal] += ic.USD
	}
	top := ""
	for k, v := range by {
		if top == "" || v > by[top] || v == by[top] && k < top {
			top = k
		}
	}
	return fmt.Sprintf("%s; %s triggers the most owner cost, %s (%s of %s, from %s).", lead, top,
		dollars(by[top]), pctf(by[top]/s.Cost.USD), dollars(s.Cost.USD), nouns(len(by), "initiator", "initiators"))
}

// headline is the opening block of a report for people: what the run cost
// the owner, who was denied, what ran, what check found and who outside
// the organization has access, then one sentence on what changed the
// picture. It is computed only when a report for people is rendered.
type headline struct {
	s *Summary
	// findings are check's, at or above minSev; known is false when the
	// run's findings were not evaluated.
	findings []Finding
	minSev   Severity
	known    bool
}

// runHeadline is the headline of the run report: its findings are check's
// defaults (warning and above).
func runHeadline(s *Summary) headline {
	return headline{s: s, findings: s.Findings, minSev: SeverityWarning, known: s.Findings != nil}
}

// lines returns the headline as (label, text) pairs, the sentence last.
func (h headline) lines() [][2]string {
	s := h.s
	out := [][2]string{
		{"owner cost", costLine(s)},
		{"calls", callsLine(&s.Calls)},
		{"executions", execLine(&s.Executions)},
	}
	if s.Data != nil {
		out = append(out, [2]string{"data plane", dataLine(s.Data)})
	}
	if h.known {
		out = append(out, [2]string{"findings", findingsLine(h.findings, h.minSev)})
	}
	if s.accessWorld != nil {
		out = append(out, [2]string{"external access", externalLine(ExternalAccess(s.accessWorld, s.Duration))})
	}
	return append(out, [2]string{"what changed", s.story()})
}

// monthly is the owner cost at the run's rate over 30 days.
func (s *Summary) monthly() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return s.Cost.USD / float64(s.Duration) * float64(30*day)
}

// others is the owner cost triggered by principals of other accounts
// than the payer.
func (s *Summary) others() float64 {
	var usd float64
	for _, ic := range s.Cost.ByInitiator {
		if ic.Account != ic.Payer {
			usd += ic.USD
		}
	}
	return usd
}

func costLine(s *Summary) string {
	if len(s.Cost.ByInitiator) == 0 {
		return fmt.Sprintf("$0.00 over %s: no instance use", days(s.Duration))
	}
	rate := ""
	if s.Duration != 30*day {
		rate = ", " + dollars(s.monthly()) + " per 30 days at this rate"
	}
	return fmt.Sprintf("%s over %s%s; %s (%s) triggered by other accounts", dollars(s.Cost.USD), days(s.Duration),
		rate, dollars(s.others()), share(s.others(), s.Cost.USD))
}

// share formats part/total as a percentage, "-" when total is 0.
func share(part, total float64) string {
	if total == 0 {
		return "-"
	}
	return pctf(part / total)
}

func callsLine(c *Calls) string {
	line := fmt.Sprintf("%s: %s allowed, %s denied (%s), %s failed", count(c.Total), count(c.Allowed),
		count(c.Denied), pct(c.Denied, c.Total), count(c.Failed))
	if rs := topReasons(&c.ByReason, isDeny, 1); len(rs) > 0 {
		line += fmt.Sprintf("; top deny reason %s (%s)", rs[0].r, count(rs[0].n))
	}
	return line
}

func execLine(e *Executions) string {
	return fmt.Sprintf("%s started: %s succeeded, %s failed, %s stopped, %s timed out; at the end %s waiting, %s running",
		count(e.Started), count(e.Succeeded), count(e.Failed), count(e.Stopped), count(e.TimedOut),
		count(e.WaitingAtEnd), count(e.RunningAtEnd))
}

// dataLine is the headline's data plane: the steps that failed on a
// denied S3 or KMS request, the request that failed most (by owner
// money, then steps) and the owner money their setup burned.
func dataLine(d *DataPlane) string {
	if d.FailedSteps == 0 {
		return fmt.Sprintf("%s data accesses decided, none denied", count(d.Decisions))
	}
	type kind struct{ action, subject string }
	type agg struct {
		steps int64
		usd   float64
	}
	by := map[kind]*agg{}
	for _, f := range d.Failures {
		k := kind{f.Action, f.Subject}
		if by[k] == nil {
			by[k] = &agg{}
		}
		by[k].steps += f.Steps
		by[k].usd += f.USD
	}
	var top kind
	var best *agg
	for k, a := range by {
		if best == nil || a.usd > best.usd || a.usd == best.usd && (a.steps > best.steps ||
			a.steps == best.steps && k.action+" "+k.subject < top.action+" "+top.subject) {
			top, best = k, a
		}
	}
	what := top.subject
	if strings.HasPrefix(top.action, "kms:") {
		what = "key " + what
	}
	more := ""
	if len(by) > 1 {
		more = fmt.Sprintf("; %s on %s other %s", count(d.FailedSteps-best.steps), count(int64(len(by)-1)), words.Plural(len(by)-1, "request", "requests"))
	}
	return fmt.Sprintf("%s failed on AccessDenied (%s on %s: %s%s), %s of owner money burned in their setup",
		nouns(int(d.FailedSteps), "step", "steps"), top.action, what, count(best.steps), more, dollars(d.USD))
}

// findingsLine counts findings by severity, from error down to minSev,
// and the waived ones.
func findingsLine(fs []Finding, minSev Severity) string {
	by := map[Severity]int{}
	waived := 0
	for _, f := range fs {
		if f.Waived {
			waived++
		} else {
			by[f.Severity]++
		}
	}
	parts := []string{nouns(by[SeverityError], "error", "errors")}
	if minSev <= SeverityWarning {
		parts = append(parts, nouns(by[SeverityWarning], "warning", "warnings"))
	}
	if minSev <= SeverityNote {
		parts = append(parts, nouns(by[SeverityNote], "note", "notes"))
	}
	if waived > 0 {
		parts = append(parts, count(int64(waived))+" waived")
	}
	return strings.Join(parts, ", ")
}

func externalLine(ps []string) string {
	if len(ps) == 0 {
		return "no principal outside the organization has access"
	}
	return fmt.Sprintf("%s outside the organization %s access: %s", nouns(len(ps), "principal", "principals"),
		words.Plural(len(ps), "has", "have"), list(ps))
}

// writeHeadlineText writes a headline's lines for a terminal under the
// title "Headline", labels aligned, and a blank line after.
func writeHeadlineText(ew *errWriter, title string, lines [][2]string) {
	width := 0
	for _, l := range lines {
		width = max(width, len(l[0]))
	}
	ew.printf("%s\n", title)
	for _, l := range lines {
		ew.printf("  %-*s  %s\n", width, l[0], l[1])
	}
	ew.printf("\n")
}

// writeHeadlineMD writes a headline's lines as a Markdown list after a
// blank line, the sentence last as a paragraph.
func writeHeadlineMD(ew *errWriter, lines [][2]string) {
	ew.printf("\n")
	for i, l := range lines {
		if i == len(lines)-1 {
			ew.printf("\n**%s:** %s\n", mdEscape(capitalize(l[0])), mdEscape(l[1]))
			break
		}
		ew.printf("- **%s**: %s\n", mdEscape(l[0]), mdEscape(l[1]))
	}
}
