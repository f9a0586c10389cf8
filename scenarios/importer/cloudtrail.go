package importer

import (
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/scenarios/cloudtrail"
)

// observedPolicy is the identity policy every principal a CloudTrail
// import finds gets: the pipeline actions on "*".
const observedPolicy = "cloudtrail-observed"

// CloudTrailOptions tune a CloudTrail import.
type CloudTrailOptions struct {
	Options // Name defaults to the trace's base name; Start and Duration do not apply
	// Progress, when set, receives the records and bytes read so far, as
	// [cloudtrail.Options].Progress does: for a progress line.
	Progress func(records, bytes int64)
}

// CloudTrail summarizes the CloudTrail trace at path (a file or a folder,
// as [cloudtrail.Open] reads them) as a scenario: the accounts and
// principals that called, the pipelines they called (by owner), and one
// workload entry per caller with its observed action mix and rate. It
// takes the calls of the trace by the record rule of package cloudtrail,
// the same calls `run --trace` replays. Start is the first call's
// eventTime and Duration the trace's span rounded up to a day (a trace
// has its own span).
//
// CloudTrail records neither RAM shares nor identity policies: the
// scenario has no shares and gives every principal the policy
// cloudtrail-observed (the pipeline actions on "*").
func CloudTrail(path string, opts CloudTrailOptions) (*Result, error) {
	t, err := cloudtrail.Open([]string{path}, cloudtrail.Options{Progress: opts.Progress})
	if err != nil {
		return nil, err
	}
	calls := t.Calls()
	sum := newTraceSummary()
	var c cloudtrail.Call
	for calls.Next(&c) {
		sum.add(&c)
	}
	calls.Close()
	if err := calls.Err(); err != nil {
		return nil, err
	}
	st := calls.Stats()
	if st.Calls == 0 {
		why := ""
		if line := st.SkippedLine(); line != "" {
			why = ": " + line
		}
		return nil, fmt.Errorf("%s: no SageMaker pipeline calls found (%d records read%s)", path, st.Records, why)
	}
	name := opts.Name
	if name == "" {
		name = traceName(path)
	}
	res := &Result{Command: "pipeshare import cloudtrail " + path, Unmapped: sum.unmapped(st)}
	res.File, res.About = sum.file(name, st)
	return res, nil
}

// traceName derives a scenario name from a trace path: its base name
// without extensions.
func traceName(path string) string {
	base := filepath.Base(filepath.Clean(path))
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	if base == "" || base == "." || base == string(filepath.Separator) {
		return "cloudtrail"
	}
	return base
}

// callerStats is one caller's calls.
type callerStats struct {
	p       cloudtrail.Principal
	actions [model.NumActions]int
	targets map[cloudtrail.Pipeline]bool
	calls   int
}

// maxRegions caps the distinct awsRegion values an import counts (AWS has
// a few dozen regions); the calls of others still count.
const maxRegions = 100

// traceSummary accumulates the calls of a trace.
type traceSummary struct {
	first, last time.Time
	regions     map[string]int
	accounts    map[model.AccountID]map[string]bool // account → principals (not root)
	pipelines   map[cloudtrail.Pipeline]bool
	callers     map[cloudtrail.Principal]*callerStats
}

func newTraceSummary() *traceSummary {
	return &traceSummary{regions: map[string]int{}, accounts: map[model.AccountID]map[string]bool{},
		pipelines: map[cloudtrail.Pipeline]bool{}, callers: map[cloudtrail.Principal]*callerStats{}}
}

// add counts one call.
func (s *traceSummary) add(c *cloudtrail.Call) {
	if s.first.IsZero() || c.At.Before(s.first) {
		s.first = c.At
	}
	if c.At.After(s.last) {
		s.last = c.At
	}
	if _, ok := s.regions[c.Region]; c.Region != "" && (ok || len(s.regions) < maxRegions) {
		s.regions[c.Region]++
	}
	s.principal(c.Caller)
	cs := s.callers[c.Caller]
	if cs == nil {
		cs = &callerStats{p: c.Caller, targets: map[cloudtrail.Pipeline]bool{}}
		s.callers[c.Caller] = cs
	}
	cs.calls++
	cs.actions[c.Action]++
	if c.Pipeline.Account != "" {
		s.principal(cloudtrail.Principal{Account: c.Pipeline.Account, Name: "root"})
		s.pipelines[c.Pipeline] = true
		cs.targets[c.Pipeline] = true
	}
}

func (s *traceSummary) principal(p cloudtrail.Principal) {
	m := s.accounts[p.Account]
	if m == nil {
		m = map[string]bool{}
		s.accounts[p.Account] = m
	}
	if p.Name != "root" {
		m[p.Name] = true
	}
}

func (s *traceSummary) sortedCallers() []*callerStats {
	out := slices.Collect(maps.Values(s.callers))
	slices.SortFunc(out, func(a, b *callerStats) int {
		return strings.Compare(string(a.p.Account)+"/"+a.p.Name, string(b.p.Account)+"/"+b.p.Name)
	})
	return out
}

// unmapped lists what the import could not map, sorted.
func (s *traceSummary) unmapped(st *cloudtrail.Stats) []string {
	var out []string
	for k, n := range st.OtherEvents {
		out = append(out, fmt.Sprintf("%s: %d (not a SageMaker pipeline call)", k, n))
	}
	for k, n := range st.Identities {
		out = append(out, fmt.Sprintf("pipeline calls by userIdentity type %s: %d (not an IAM principal)", k, n))
	}
	if n := st.Skipped[cloudtrail.SkipNoTarget]; n > 0 {
		out = append(out, fmt.Sprintf("pipeline calls naming no pipeline or execution: %d", n))
	}
	for _, c := range s.sortedCallers() {
		if len(c.targets) == 0 {
			out = append(out, fmt.Sprintf("caller %s: %d Search calls naming no pipeline (no workload entry)", c.p, c.calls))
		}
	}
	slices.Sort(out)
	for _, m := range st.Malformed {
		out = append(out, "malformed: "+m)
	}
	if n := st.Skipped[cloudtrail.SkipMalformed] - int64(len(st.Malformed)); n > 0 {
		out = append(out, fmt.Sprintf("... and %d more malformed records", n))
	}
	return out
}

// file builds the scenario and the header lines that describe it.
func (s *traceSummary) file(name string, st *cloudtrail.Stats) (*scenarios.File, []string) {
	span := s.last.Sub(s.first)
	region, regionN := "us-east-1", -1
	for _, r := range slices.Sorted(maps.Keys(s.regions)) {
		if n := s.regions[r]; n > regionN {
			region, regionN = r, n
		}
	}
	start := s.first.Truncate(time.Second)
	f := &scenarios.File{Name: name, Region: region, Start: start.Format(time.RFC3339)}
	about := []string{
		fmt.Sprintf("%d records, %d SageMaker pipeline calls (%d duplicate copies counted once),",
			st.Records, st.Calls, st.Skipped[cloudtrail.SkipDuplicate]),
		fmt.Sprintf("from %s to %s.", s.first.Format(time.RFC3339), s.last.Format(time.RFC3339)),
	}
	f.Duration, about = spanDuration(start, span, about)
	about = append(about, "",
		"TODO: shares are not recorded in CloudTrail. Add them under shares: (or use",
		"pipeshare import aws); until then cross-account calls are not_shared.",
		"Identity policies are not recorded either: every principal seen gets the",
		"policy "+observedPolicy+` (the pipeline actions on "*"); replace it with the real ones.`,
		"Pipelines have no steps: add steps or a definition for executions and cost.",
		"Rates are each caller's calls over the trace's span; the action weights are call counts.")
	if len(s.regions) > 1 {
		about = append(about, fmt.Sprintf("Regions seen: %s; the scenario uses %s.",
			strings.Join(slices.Sorted(maps.Keys(s.regions)), ", "), region))
	}

	for _, a := range slices.Sorted(maps.Keys(s.accounts)) {
		fa := scenarios.FileAccount{ID: string(a)}
		for _, p := range slices.Sorted(maps.Keys(s.accounts[a])) {
			fa.Principals = append(fa.Principals, scenarios.FilePrincipal{Name: p, Policies: []string{observedPolicy}})
		}
		f.Accounts = append(f.Accounts, fa)
	}
	actions := make([]any, model.NumActions)
	for a := range actions {
		actions[a] = model.Action(a).String()
	}
	f.Policies = map[string]any{observedPolicy: map[string]any{"Statement": []any{map[string]any{
		"Effect": "Allow", "Action": actions, "Resource": "*"}}}}

	pls := slices.SortedFunc(maps.Keys(s.pipelines), func(a, b cloudtrail.Pipeline) int {
		return strings.Compare(string(a.Account)+"/"+a.Name, string(b.Account)+"/"+b.Name)
	})
	byName := map[string]int{}
	for _, p := range pls {
		byName[p.Name]++
		f.Pipelines = append(f.Pipelines, scenarios.FilePipeline{Name: p.Name, Account: string(p.Account)})
	}
	target := func(p cloudtrail.Pipeline) string {
		if byName[p.Name] == 1 {
			return p.Name
		}
		return model.PipelineARN(region, p.Account, p.Name)
	}

	hours := max(span.Hours(), 1) // a trace of one instant counts as one hour
	for _, c := range s.sortedCallers() {
		if len(c.targets) == 0 {
			continue
		}
		var targets []string
		for _, p := range pls {
			if c.targets[p] {
				targets = append(targets, target(p))
			}
		}
		var names []string
		var weights []float64
		for a, n := range c.actions {
			if n > 0 {
				names = append(names, model.Action(a).Name())
				weights = append(weights, float64(n))
			}
		}
		caller := c.p.String()
		f.Workload = append(f.Workload, scenarios.FileWorkload{Name: caller, Callers: []string{caller},
			Targets: targets, Rate: formatRate(float64(c.calls) / hours), Actions: scenarios.ActionWeights(names, weights)})
	}
	return f, about
}

// spanDuration returns the scenario duration for a trace that starts at
// start and spans span: whole days, at least one, clamped to end at the
// latest time a scenario can hold (int64 nanoseconds, 2262-04-11), which
// the header then says.
func spanDuration(start time.Time, span time.Duration, about []string) (string, []string) {
	days := max(1, int64(math.Ceil(span.Hours()/24)))
	if room := math.MaxInt64 - start.UnixNano(); room/int64(24*time.Hour) < days {
		d := time.Duration(room)
		return d.String(), append(about, fmt.Sprintf("The duration is clamped to %s: a scenario cannot run past %s.",
			d, time.Unix(0, math.MaxInt64).UTC().Format(time.RFC3339Nano)))
	}
	return strconv.FormatInt(days, 10) + "d", about
}

// formatRate writes calls per hour as "12.5/h", or per day when under
// 0.1/h, with at most three decimals (never rounding to zero).
func formatRate(perHour float64) string {
	unit := "/h"
	v := perHour
	if v < 0.1 {
		v, unit = v*24, "/d"
	}
	r := math.Round(v*1000) / 1000
	if r == 0 {
		r = 0.001
	}
	return strconv.FormatFloat(r, 'f', -1, 64) + unit
}
