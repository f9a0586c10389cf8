package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
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
func fixedJSON(v float64, prec int) ([]byte, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("report: %v is not a JSON number", v)
	}
	b := strconv.AppendFloat(nil, v, 'f', prec, 64)
	if b[0] == '-' && strings.Trim(string(b[1:]), "0.") == "" {
		b = b[1:]
	}
	return b, nil
}

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
// Identical summaries give identical bytes. It returns w's first error.
func (s *Summary) writeJSON(w io.Writer) error {
	out := jsonRun{
		SchemaVersion:    SchemaVersion,
		PipeshareVersion: s.Version,
		Scenario:         s.Scenario,
		ScenarioSHA256:   s.ScenarioSHA256,
		Seed:             s.Seed,
		DurationS:        s.DurationSeconds(),
		Calls: jsonCalls{
			Total:          s.Calls.Total,
			Allowed:        s.Calls.Allowed,
			Denied:         s.Calls.Denied,
			Failed:         s.Calls.Failed,
			ByReason:       reasonMap(&s.Calls.ByReason, true),
			ByAction:       map[string]int64{},
			ByActionReason: map[string]map[string]int64{},
		},
		CallsByCaller: []jsonCallerRow{},
		Findings:      []jsonRunFinding{},
		Executions:    executionsJSON(&s.Executions),
		Steps:         stepsJSON(&s.Steps),
		Cost:          costJSON(&s.Cost),
		Data:          dataJSON(s.Data),
	}
	for a := range model.Action(model.NumActions) {
		rc := &s.Calls.ByAction[a]
		out.Calls.ByAction[a.Name()] = rc.Total()
		out.Calls.ByActionReason[a.Name()] = reasonMap(rc, false)
	}
	if n := s.Calls.ByAction[model.Search].Allowed(); n > 0 {
		out.Calls.Search = &jsonSearch{Allowed: n, TargetReturned: s.Calls.SearchReturned, TargetNotReturned: n - s.Calls.SearchReturned}
	}
	for i := range s.Callers {
		c := &s.Callers[i]
		for _, a := range actionsByName {
			rc := &c.Calls.ByAction[a]
			if rc.Total() == 0 {
				continue
			}
			out.CallsByCaller = append(out.CallsByCaller, jsonCallerRow{
				Account:   string(c.Account),
				Principal: c.Principal,
				Action:    a.Name(),
				Allowed:   rc.Allowed(),
				Denied:    rc.Denied(),
				Failed:    rc.Failed(),
				ByReason:  reasonMap(rc, false),
			})
		}
	}
	for _, f := range s.Findings {
		out.Findings = append(out.Findings, jsonRunFinding{Rule: f.Rule, Severity: f.Severity.String(),
			Subject: f.Subject, Message: f.Message, Waived: f.Waived})
	}
	if s.Replay != nil {
		rp := replayJSON(s.Replay)
		out.Replay = &rp
	}
	return writeIndentedJSON(w, out)
}

func executionsJSON(e *Executions) jsonExecutions {
	return jsonExecutions{
		Started: e.Started, Succeeded: e.Succeeded, Failed: e.Failed, Stopped: e.Stopped,
		Retried: e.Retried, TimedOut: e.TimedOut, FailedAtEnd: e.FailedAtEnd,
		InFlightAtEnd: jsonInFlight{Waiting: e.WaitingAtEnd, Running: e.RunningAtEnd},
	}
}

func stepsJSON(st *Steps) jsonSteps {
	out := jsonSteps{
		Granted: st.Granted, Completed: st.Completed,
		MeanWaitS: seconds(st.MeanWait / 1e9), P95WaitS: seconds(st.P95Wait / 1e9),
		ResourceLimit: st.ResourceLimit, NeverStartable: st.NeverStartable,
		WaitsByInitiator: make([]jsonInitiatorWait, len(st.ByInitiator)),
	}
	for i := range st.ByInitiator {
		iw := &st.ByInitiator[i]
		out.WaitsByInitiator[i] = jsonInitiatorWait{Account: string(iw.Account), Principal: iw.Principal,
			Grants: iw.Grants, MeanWaitS: seconds(iw.MeanWait() / 1e9)}
	}
	return out
}

func costJSON(c *Cost) jsonCost {
	out := jsonCost{
		TotalUSD:        usd(c.USD),
		InFlightUSD:     usd(c.InFlightUSD),
		InstanceSeconds: seconds(c.InstanceSeconds()),
		ByPayer:         make([]jsonPayerCost, len(c.ByPayer)),
		ByPipeline:      make([]jsonPipelineCost, len(c.ByPipeline)),
		ByInitiator:     make([]jsonInitiator, len(c.ByInitiator)),
	}
	for i := range c.ByPayer {
		p := &c.ByPayer[i]
		out.ByPayer[i] = jsonPayerCost{Account: string(p.Account), USD: usd(p.USD),
			InstanceSeconds: seconds(p.InstanceSeconds())}
	}
	for i := range c.ByPipeline {
		p := &c.ByPipeline[i]
		out.ByPipeline[i] = jsonPipelineCost{Pipeline: p.Pipeline, USD: usd(p.USD), Owner: string(p.Owner),
			InstanceSeconds: seconds(p.InstanceSeconds())}
	}
	for i := range c.ByInitiator {
		ic := &c.ByInitiator[i]
		row := jsonInitiator{Payer: string(ic.Payer), Account: string(ic.Account), Principal: ic.Principal,
			Pipeline: ic.Pipeline, InstanceType: ic.InstanceType, USD: usd(ic.USD),
			InstanceSeconds: seconds(ic.InstanceSeconds())}
		if !ic.Own {
			row.Share = &ic.Share
		}
		out.ByInitiator[i] = row
	}
	return out
}

// writeIndentedJSON writes v with a two-space indent and a trailing newline,
// without escaping <, > and & (ARNs and messages stay readable).
func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(indenter{w})
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// indenter indents what a json.Encoder writes (one whole value a Write)
// into w.
type indenter struct{ w io.Writer }

func (in indenter) Write(b []byte) (int, error) {
	if err := writeIndented(in.w, b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// writeIndented writes src, JSON as encoding/json writes it (no space
// outside strings but a trailing newline), indented by two spaces byte for
// byte as json.Indent(dst, src, "", "  ") would, in one pass without the
// decoder's scanner and in 64 KiB writes (a run report is tens of MB).
func writeIndented(w io.Writer, src []byte) error {
	const chunk = 64 << 10
	out := make([]byte, 0, chunk+256)
	depth := 0
	opened := false // the last byte was { or [: indent unless the next closes it
	newline := func() {
		out = append(out, '\n')
		for range depth {
			out = append(out, ' ', ' ')
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if opened && c != '}' && c != ']' {
			opened = false
			depth++
			newline()
		}
		switch c {
		case '"':
			end := closingQuote(src, i+1)
			out = append(out, src[i:end+1]...)
			i = end
		case '{', '[':
			opened = true
			out = append(out, c)
		case ',':
			out = append(out, c)
			newline()
		case ':':
			out = append(out, c, ' ')
		case '}', ']':
			if opened {
				opened = false
			} else {
				depth--
				newline()
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
		if len(out) >= chunk {
			if _, err := w.Write(out); err != nil {
				return err
			}
			out = out[:0]
		}
	}
	_, err := w.Write(out)
	return err
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
