package report

import (
	"bytes"
	"io"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/model"
)

// The run report's JSON (docs/reports.md#json-output). Struct fields fix the key
// order; encoding/json writes map keys sorted.
type jsonRun struct {
	SchemaVersion    int              `json:"schema_version"`
	PipeshareVersion string           `json:"pipeshare_version"`
	Scenario         string           `json:"scenario"`
	ScenarioSHA256   string           `json:"scenario_sha256"`
	Seed             uint64           `json:"seed"`
	DurationS        float64          `json:"duration_s"`
	Calls            jsonCalls        `json:"calls"`
	CallsByCaller    []jsonCallerRow  `json:"calls_by_caller"`
	Executions       jsonExecutions   `json:"executions"`
	Steps            jsonSteps        `json:"steps"`
	Cost             jsonCost         `json:"cost"`
	Findings         []jsonRunFinding `json:"findings"`
	Replay           *jsonReplay      `json:"replay,omitempty"`
	Data             *jsonData        `json:"data,omitempty"` // only when the scenario declares data
}

// jsonRunFinding is a finding in the run report (docs/reports.md#json-output);
// `check --format json` gives the full form with locations and waivers.
type jsonRunFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Subject  string `json:"subject"`
	Message  string `json:"message"`
	Waived   bool   `json:"waived"`
}

type jsonCalls struct {
	Total          int64                       `json:"total"`
	Allowed        int64                       `json:"allowed"`
	Denied         int64                       `json:"denied"`
	Failed         int64                       `json:"failed"`
	ByReason       map[string]int64            `json:"by_reason"`
	ByAction       map[string]int64            `json:"by_action"`
	ByActionReason map[string]map[string]int64 `json:"by_action_reason"`
	// Search is there when some Search call was allowed: what they
	// returned, which shares decide (the decision does not depend on
	// them).
	Search *jsonSearch `json:"search,omitempty"`
}

type jsonSearch struct {
	Allowed           int64 `json:"allowed"`
	TargetReturned    int64 `json:"target_returned"`
	TargetNotReturned int64 `json:"target_not_returned"`
}

type jsonCallerRow struct {
	Account   string           `json:"account"`
	Principal string           `json:"principal"`
	Action    string           `json:"action"`
	Allowed   int64            `json:"allowed"`
	Denied    int64            `json:"denied"`
	Failed    int64            `json:"failed"`
	ByReason  map[string]int64 `json:"by_reason"`
}

type jsonExecutions struct {
	Started       int64        `json:"started"`
	Succeeded     int64        `json:"succeeded"`
	Failed        int64        `json:"failed"`
	Stopped       int64        `json:"stopped"`
	Retried       int64        `json:"retried"`
	TimedOut      int64        `json:"timed_out"`
	FailedAtEnd   int64        `json:"failed_at_end"`
	InFlightAtEnd jsonInFlight `json:"in_flight_at_end"`
}

type jsonInFlight struct {
	Waiting int64 `json:"waiting"`
	Running int64 `json:"running"`
}

type jsonSteps struct {
	Granted        int64   `json:"granted"`
	Completed      int64   `json:"completed"`
	MeanWaitS      seconds `json:"mean_wait_s"`
	P95WaitS       seconds `json:"p95_wait_s"`
	ResourceLimit  int64   `json:"resource_limit"`
	NeverStartable int64   `json:"never_startable"`
	// Who waited for the owner's pool.
	WaitsByInitiator []jsonInitiatorWait `json:"waits_by_initiator"`
}

type jsonInitiatorWait struct {
	Account   string  `json:"account"`
	Principal string  `json:"principal"`
	Grants    int64   `json:"grants"`
	MeanWaitS seconds `json:"mean_wait_s"`
}

type jsonCost struct {
	TotalUSD        usd                `json:"total_usd"`
	InFlightUSD     usd                `json:"in_flight_usd"`
	InstanceSeconds seconds            `json:"instance_seconds"`
	ByPayer         []jsonPayerCost    `json:"by_payer"`
	ByPipeline      []jsonPipelineCost `json:"by_pipeline"`
	ByInitiator     []jsonInitiator    `json:"by_initiator"`
}

// Promised keys first (docs/reports.md#json-output), then the added ones.
type jsonPayerCost struct {
	Account         string  `json:"account"`
	USD             usd     `json:"usd"`
	InstanceSeconds seconds `json:"instance_seconds"`
}

type jsonPipelineCost struct {
	Pipeline        string  `json:"pipeline"`
	USD             usd     `json:"usd"`
	Owner           string  `json:"owner"`
	InstanceSeconds seconds `json:"instance_seconds"`
}

type jsonInitiator struct {
	Payer           string  `json:"payer"`
	Account         string  `json:"account"`
	Principal       string  `json:"principal"`
	Pipeline        string  `json:"pipeline"`
	Share           *string `json:"share"` // null for the owner's own calls
	InstanceType    string  `json:"instance_type"`
	USD             usd     `json:"usd"`
	InstanceSeconds seconds `json:"instance_seconds"`
}

// usd is an amount of money, written with exactly 4 decimals.
type usd float64

func (v usd) MarshalJSON() ([]byte, error) { return fixedJSON(float64(v), 4) }

// seconds is a duration in seconds, written with exactly 3 decimals.
type seconds float64

func (v seconds) MarshalJSON() ([]byte, error) { return fixedJSON(float64(v), 3) }

// fixedJSON formats v as a JSON number with prec decimals ("-0.000" is
// written "0.000"). NaN and infinities are an error, as in encoding/json.
func fixedJSON(v float64, prec int) ([]byte, error) { return appendFixed(nil, v, prec) }

// reasonMap returns c as {code: n}. With all, every reason code is present
// (zeros included); otherwise only codes with calls.
func reasonMap(c *ReasonCounts, all bool) map[string]int64 {
	m := map[string]int64{}
	for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
		if all || c[r] != 0 {
			m[r.String()] = c[r]
		}
	}
	return m
}

// reasonsByCode lists the reasons but ReasonNone sorted by code, the order
// of a reasonMap's keys in JSON.
var reasonsByCode = func() []model.Reason {
	var out []model.Reason
	for r := model.ReasonNone + 1; r < model.NumReasons; r++ {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b model.Reason) int { return strings.Compare(a.String(), b.String()) })
	return out
}()

// reasons writes c as the object reasonMap(c, all) gives.
func (o *jsonOut) reasons(c *ReasonCounts, all bool) {
	o.open('{')
	for _, r := range reasonsByCode {
		if all || c[r] != 0 {
			o.key(r.String())
			o.int(c[r])
		}
	}
	o.close('}')
}

// writeJSON writes s as the versioned run JSON of docs/reports.md#json-output:
// schema_version, pipeshare_version, scenario, scenario_sha256, seed,
// duration_s, calls {total, allowed, denied, failed, by_reason, by_action,
// by_action_reason}, calls_by_caller, executions {started, succeeded,
// failed, stopped, retried, timed_out, failed_at_end, in_flight_at_end
// {waiting, running}}, steps {granted, completed, mean_wait_s, p95_wait_s,
// resource_limit, never_startable, waits_by_initiator [{account,
// principal, grants, mean_wait_s}]} and cost {total_usd, in_flight_usd,
// instance_seconds, by_payer [{account, usd, instance_seconds}],
// by_pipeline [{pipeline, usd, owner, instance_seconds}], by_initiator
// [{payer, account, principal, pipeline, share, instance_type, usd,
// instance_seconds}]}, indented by two spaces, with a trailing newline.
// Keys beyond the promised ones (docs/reports.md#json-output) come after the promised ones.
//
// calls.by_reason and calls.by_action list every reason code and every
// action (bare API name), zeros included, so their key sets are stable;
// by_action_reason has every action too, each listing only the codes with
// calls (an action without calls maps to {}), as does each row's by_reason.
// calls_by_caller has one row per (caller, action) with at least one call,
// sorted by account, principal and action name.
//
// Money (usd keys) is written with exactly 4 decimals and seconds (_s and
// instance_seconds keys) with exactly 3, rounded only here. The cost lists
// are sorted as [Cost] says and are [] when empty; a by_initiator row's
// share is the share's name, or null for the owner's own calls.
//
// The bytes are those of the [jsonRun] struct (whose fields give the JSON
// Schema) through encoding/json, but the report is appended key by key
// with [jsonOut]: at scale its rows are tens of MB. Identical summaries
// give identical bytes. It returns w's first error.
func (s *Summary) writeJSON(w io.Writer) error {
	o := newJSONOut(w)
	o.open('{')
	o.intKey("schema_version", SchemaVersion)
	o.strKey("pipeshare_version", s.Version)
	o.strKey("scenario", s.Scenario)
	o.strKey("scenario_sha256", s.ScenarioSHA256)
	o.key("seed")
	o.uint(s.Seed)
	o.key("duration_s")
	o.value(s.DurationSeconds())
	o.key("calls")
	s.Calls.writeJSON(o)
	o.key("calls_by_caller")
	o.open('[')
	for c, a := range s.callerRows() {
		rc := &c.Calls.ByAction[a]
		o.item()
		o.open('{')
		o.strKey("account", string(c.Account))
		o.strKey("principal", c.Principal)
		o.strKey("action", a.Name())
		o.intKey("allowed", rc.Allowed())
		o.intKey("denied", rc.Denied())
		o.intKey("failed", rc.Failed())
		o.key("by_reason")
		o.reasons(rc, false)
		o.close('}')
	}
	o.close(']')
	o.key("executions")
	o.value(executionsJSON(&s.Executions))
	o.key("steps")
	s.Steps.writeJSON(o)
	o.key("cost")
	s.Cost.writeJSON(o)
	o.key("findings")
	o.open('[')
	for _, f := range s.Findings {
		o.item()
		o.open('{')
		o.strKey("rule", f.Rule)
		o.strKey("severity", f.Severity.String())
		o.strKey("subject", f.Subject)
		o.strKey("message", f.Message)
		o.key("waived")
		o.bool(f.Waived)
		o.close('}')
	}
	o.close(']')
	if s.Replay != nil {
		o.key("replay")
		o.value(replayJSON(s.Replay))
	}
	if d := dataJSON(s.Data); d != nil {
		o.key("data")
		o.value(d)
	}
	o.close('}')
	o.b = append(o.b, '\n')
	return o.flush()
}

// writeJSON writes the run's calls as [jsonCalls].
func (c *Calls) writeJSON(o *jsonOut) {
	o.open('{')
	o.intKey("total", c.Total)
	o.intKey("allowed", c.Allowed)
	o.intKey("denied", c.Denied)
	o.intKey("failed", c.Failed)
	o.key("by_reason")
	o.reasons(&c.ByReason, true)
	o.key("by_action")
	o.open('{')
	for _, a := range actionsByName {
		o.key(a.Name())
		o.int(c.ByAction[a].Total())
	}
	o.close('}')
	o.key("by_action_reason")
	o.open('{')
	for _, a := range actionsByName {
		o.key(a.Name())
		o.reasons(&c.ByAction[a], false)
	}
	o.close('}')
	if n := c.ByAction[model.Search].Allowed(); n > 0 {
		o.key("search")
		o.value(jsonSearch{Allowed: n, TargetReturned: c.SearchReturned, TargetNotReturned: n - c.SearchReturned})
	}
	o.close('}')
}

func executionsJSON(e *Executions) jsonExecutions {
	return jsonExecutions{
		Started: e.Started, Succeeded: e.Succeeded, Failed: e.Failed, Stopped: e.Stopped,
		Retried: e.Retried, TimedOut: e.TimedOut, FailedAtEnd: e.FailedAtEnd,
		InFlightAtEnd: jsonInFlight{Waiting: e.WaitingAtEnd, Running: e.RunningAtEnd},
	}
}

// writeJSON writes st as [jsonSteps].
func (st *Steps) writeJSON(o *jsonOut) {
	o.open('{')
	o.intKey("granted", st.Granted)
	o.intKey("completed", st.Completed)
	o.fixedKey("mean_wait_s", st.MeanWait/1e9, 3)
	o.fixedKey("p95_wait_s", st.P95Wait/1e9, 3)
	o.intKey("resource_limit", st.ResourceLimit)
	o.intKey("never_startable", st.NeverStartable)
	o.key("waits_by_initiator")
	o.open('[')
	for i := range st.ByInitiator {
		iw := &st.ByInitiator[i]
		o.item()
		o.open('{')
		o.strKey("account", string(iw.Account))
		o.strKey("principal", iw.Principal)
		o.intKey("grants", iw.Grants)
		o.fixedKey("mean_wait_s", iw.MeanWait()/1e9, 3)
		o.close('}')
	}
	o.close(']')
	o.close('}')
}

// writeJSON writes c as [jsonCost].
func (c *Cost) writeJSON(o *jsonOut) {
	o.open('{')
	o.fixedKey("total_usd", c.USD, 4)
	o.fixedKey("in_flight_usd", c.InFlightUSD, 4)
	o.fixedKey("instance_seconds", c.InstanceSeconds(), 3)
	o.key("by_payer")
	o.open('[')
	for i := range c.ByPayer {
		p := &c.ByPayer[i]
		o.item()
		o.open('{')
		o.strKey("account", string(p.Account))
		o.fixedKey("usd", p.USD, 4)
		o.fixedKey("instance_seconds", p.InstanceSeconds(), 3)
		o.close('}')
	}
	o.close(']')
	o.key("by_pipeline")
	o.open('[')
	for i := range c.ByPipeline {
		p := &c.ByPipeline[i]
		o.item()
		o.open('{')
		o.strKey("pipeline", p.Pipeline)
		o.fixedKey("usd", p.USD, 4)
		o.strKey("owner", string(p.Owner))
		o.fixedKey("instance_seconds", p.InstanceSeconds(), 3)
		o.close('}')
	}
	o.close(']')
	o.key("by_initiator")
	o.open('[')
	for i := range c.ByInitiator {
		ic := &c.ByInitiator[i]
		o.item()
		o.open('{')
		o.strKey("payer", string(ic.Payer))
		o.strKey("account", string(ic.Account))
		o.strKey("principal", ic.Principal)
		o.strKey("pipeline", ic.Pipeline)
		o.key("share")
		if ic.Own {
			o.null()
		} else {
			o.str(ic.Share)
		}
		o.strKey("instance_type", ic.InstanceType)
		o.fixedKey("usd", ic.USD, 4)
		o.fixedKey("instance_seconds", ic.InstanceSeconds(), 3)
		o.close('}')
	}
	o.close(']')
	o.close('}')
}

// writeIndentedJSON writes v with a two-space indent and a trailing newline,
// without escaping <, > and & (ARNs and messages stay readable), byte for
// byte as encoding/json's indenting encoder would, without its scanner and
// in 64 KiB writes (a report is tens of MB).
func writeIndentedJSON(w io.Writer, v any) error {
	o := newJSONOut(w)
	o.value(v)
	o.b = append(o.b, '\n')
	return o.flush()
}

// closingQuote returns the index of the quote that closes the JSON string
// whose contents start at src[from].
func closingQuote(src []byte, from int) int {
	for j := from; ; {
		k := j + bytes.IndexByte(src[j:], '"')
		backslashes := 0
		for b := k - 1; b >= from && src[b] == '\\'; b-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return k
		}
		j = k + 1
	}
}
