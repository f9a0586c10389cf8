package report

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// Replay is the recorded-vs-simulated part of a run that replayed a trace
// (run --trace): for each caller and action, the recorded outcomes
// (CloudTrail's errorCode) against the simulated reasons.
type Replay struct {
	Files     int
	Records   int64 // records read
	Replayed  int64 // calls replayed
	Reordered int64 // replayed later than recorded (out of order beyond the window)
	Skipped   map[string]int64
	// Added lists the principals seen only in the trace, given an
	// allow-all identity; AddedAccounts the accounts added.
	Added         []string
	AddedAccounts []string
	Rows          []ReplayRow // sorted by account, principal, action name
	// StartsNowDenied counts recorded-allowed Start calls the simulation
	// denied: the what-if on real traffic.
	StartsNowDenied int64
	Err             string // why the trace ended early, if it did
}

// ReplayRow is one caller's calls of one action.
type ReplayRow struct {
	Account          model.AccountID
	Principal        string
	Synthetic        bool
	Action           model.Action
	Recorded         [sim.NumRecorded]int64
	Simulated        ReasonCounts
	RecordedOKDenied int64 // recorded ok, simulated denied
	DeniedNowAllowed int64 // recorded denied, simulated allowed
}

// ReplayInput is what the trace reader counted.
type ReplayInput struct {
	Files         int
	Records       int64
	Skipped       map[string]int64
	Added         []string
	AddedAccounts []string
}

// SummarizeReplay computes the recorded-vs-simulated report of r.
func SummarizeReplay(r *sim.Result, in ReplayInput) *Replay {
	w := r.World
	rp := &Replay{Files: in.Files, Records: in.Records, Replayed: r.Trace.Calls, Reordered: r.Trace.Reordered,
		Skipped: map[string]int64{}, Added: in.Added, AddedAccounts: in.AddedAccounts}
	for k, v := range in.Skipped {
		if v > 0 {
			rp.Skipped[k] = v
		}
	}
	if r.Trace.Err != nil {
		rp.Err = r.Trace.Err.Error()
	}
	type key struct {
		p model.PrincipalID
		a model.Action
	}
	rows := map[key]*ReplayRow{}
	for i, p := range r.Callers {
		if i >= len(r.Replay) {
			break
		}
		rc := &r.Replay[i]
		for a := range model.Action(model.NumActions) {
			var n int64
			for rec := range sim.NumRecorded {
				for _, c := range rc[a][rec] {
					n += c
				}
			}
			if n == 0 {
				continue
			}
			row := rows[key{p, a}]
			if row == nil {
				acct := w.PrincipalAccount(p)
				row = &ReplayRow{Account: acct, Principal: w.PrincipalName(p), Synthetic: w.PrincipalSynthetic(p), Action: a}
				rows[key{p, a}] = row
			}
			for rec := range sim.NumRecorded {
				for reason, c := range rc[a][rec] {
					if c == 0 {
						continue
					}
					row.Recorded[rec] += c
					row.Simulated[reason] += c
					rs := model.Reason(reason)
					denied := !rs.IsAllow() && !rs.IsFailure()
					if rec == sim.RecordedOK && denied {
						row.RecordedOKDenied += c
						if a == model.StartPipelineExecution {
							rp.StartsNowDenied += c
						}
					}
					if rec == sim.RecordedDenied && rs.IsAllow() {
						row.DeniedNowAllowed += c
					}
				}
			}
		}
	}
	for _, row := range rows {
		rp.Rows = append(rp.Rows, *row)
	}
	slices.SortFunc(rp.Rows, func(a, b ReplayRow) int {
		if c := strings.Compare(string(a.Account), string(b.Account)); c != 0 {
			return c
		}
		if c := strings.Compare(a.Principal, b.Principal); c != 0 {
			return c
		}
		return strings.Compare(a.Action.Name(), b.Action.Name())
	})
	return rp
}

func replaySkippedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// WriteReplayText writes the "Recorded vs simulated" section.
func WriteReplayText(w io.Writer, rp *Replay) error {
	ew := &errWriter{w: w}
	ew.printf("\nRecorded vs simulated (replayed trace)\n")
	var skipped int64
	var parts []string
	for _, k := range replaySkippedKeys(rp.Skipped) {
		skipped += rp.Skipped[k]
		parts = append(parts, fmt.Sprintf("%s %d", k, rp.Skipped[k]))
	}
	ew.printf("  %s in %s: %s replayed, %d skipped", digitsNoun(rp.Records, "record", "records"), digitsNoun(int64(rp.Files), "file", "files"),
		digitsNoun(rp.Replayed, "call", "calls"), skipped)
	if len(parts) > 0 {
		ew.printf(" (%s)", strings.Join(parts, ", "))
	}
	ew.printf("\n")
	if rp.Reordered > 0 {
		ew.printf("  %d calls out of order beyond the window, replayed at the previous call's time\n", rp.Reordered)
	}
	if rp.Err != "" {
		ew.printf("  the trace ended early: %s\n", rp.Err)
	}
	if len(rp.Rows) == 0 {
		ew.printf("  (no calls replayed)\n")
		return ew.err
	}
	t := newTable("ACCOUNT", "PRINCIPAL", "ACTION", "REC OK", "REC DENIED", "REC ERROR", "SIMULATED",
		"OK NOW DENIED", "DENIED NOW ALLOWED").num(3, 4, 5, 7, 8)
	synthetic := false
	for i := range rp.Rows {
		r := &rp.Rows[i]
		p := r.Principal
		if r.Synthetic {
			p += " *"
			synthetic = true
		}
		var sim []string
		for reason := model.ReasonNone + 1; reason < model.NumReasons; reason++ {
			if n := r.Simulated[reason]; n > 0 {
				sim = append(sim, fmt.Sprintf("%s %d", reason, n))
			}
		}
		t.add(string(r.Account), p, r.Action.Name(), itoa(r.Recorded[sim0OK]), itoa(r.Recorded[sim0Denied]),
			itoa(r.Recorded[sim0Error]), strings.Join(sim, ", "), itoa(r.RecordedOKDenied), itoa(r.DeniedNowAllowed))
	}
	t.write(ew, "  ")
	if synthetic {
		ew.printf("  * seen only in the trace; given an allow-all identity\n")
	}
	ew.printf("  what-if: %s would have been denied\n", digitsNoun(rp.StartsNowDenied, "recorded-allowed Start call", "recorded-allowed Start calls"))
	return ew.err
}

const (
	sim0OK     = sim.RecordedOK
	sim0Denied = sim.RecordedDenied
	sim0Error  = sim.RecordedError
)

type jsonReplay struct {
	Files           int              `json:"files"`
	Records         int64            `json:"records"`
	Replayed        int64            `json:"replayed"`
	Reordered       int64            `json:"reordered"`
	Skipped         map[string]int64 `json:"skipped"`
	AddedPrincipals []string         `json:"added_principals"`
	AddedAccounts   []string         `json:"added_accounts"`
	StartsNowDenied int64            `json:"recorded_ok_starts_now_denied"`
	Error           *string          `json:"error"`
	ByCallerAction  []jsonReplayRow  `json:"by_caller_action"`
}

type jsonReplayRow struct {
	Account          string           `json:"account"`
	Principal        string           `json:"principal"`
	Synthetic        bool             `json:"synthetic"`
	Action           string           `json:"action"`
	Recorded         jsonRecorded     `json:"recorded"`
	Simulated        map[string]int64 `json:"simulated"`
	RecordedOKDenied int64            `json:"recorded_ok_now_denied"`
	DeniedNowAllowed int64            `json:"recorded_denied_now_allowed"`
}

type jsonRecorded struct {
	OK     int64 `json:"ok"`
	Denied int64 `json:"denied"`
	Error  int64 `json:"error"`
}

func replayJSON(rp *Replay) jsonReplay {
	out := jsonReplay{Files: rp.Files, Records: rp.Records, Replayed: rp.Replayed, Reordered: rp.Reordered,
		Skipped: rp.Skipped, AddedPrincipals: rp.Added, AddedAccounts: rp.AddedAccounts,
		StartsNowDenied: rp.StartsNowDenied, ByCallerAction: []jsonReplayRow{}}
	if out.Skipped == nil {
		out.Skipped = map[string]int64{}
	}
	if out.AddedPrincipals == nil {
		out.AddedPrincipals = []string{}
	}
	if out.AddedAccounts == nil {
		out.AddedAccounts = []string{}
	}
	if rp.Err != "" {
		out.Error = &rp.Err
	}
	for i := range rp.Rows {
		r := &rp.Rows[i]
		out.ByCallerAction = append(out.ByCallerAction, jsonReplayRow{
			Account: string(r.Account), Principal: r.Principal, Synthetic: r.Synthetic, Action: r.Action.Name(),
			Recorded:  jsonRecorded{OK: r.Recorded[sim.RecordedOK], Denied: r.Recorded[sim.RecordedDenied], Error: r.Recorded[sim.RecordedError]},
			Simulated: reasonMap(&r.Simulated, false), RecordedOKDenied: r.RecordedOKDenied, DeniedNowAllowed: r.DeniedNowAllowed,
		})
	}
	return out
}
