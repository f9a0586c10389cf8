package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios"
)

func init() {
	registerImporter(importer{
		name:    "cloudtrail",
		usage:   "import cloudtrail FILE|DIR [--out FILE] [--name N]",
		summary: "a CloudTrail trace → accounts, principals, pipelines and a workload (callers, action mix, rates)",
		run:     cmdImportCloudTrail,
	})
}

const importCloudTrailAbout = `Reads a CloudTrail trace (one event, {"Records": [...]}, JSON Lines, a JSON
array, .gz of each, or a folder of them such as CloudTrail's S3 delivery
layout) and writes a workload summary as scenario YAML: the accounts and
principals seen, the pipelines called (by owner), and one workload entry per
caller principal with its observed action mix and rate. start is the first
eventTime, duration the trace's span rounded up to a day. Copies of one call
(same sharedEventID, else requestID) count once.

CloudTrail records neither RAM shares nor identity policies: the output has
no shares (cross-account calls are not_shared until you add them, or use
pipeshare import aws) and gives every principal seen the policy
cloudtrail-observed (the pipeline actions on "*"). What could not be mapped
(non-pipeline events by eventSource and eventName, other identity types,
malformed records) is listed in the header comment and on stderr.`

func cmdImportCloudTrail(e *env, args []string) error {
	fs := newFlagSet(e, "import cloudtrail", "import cloudtrail FILE|DIR [flags]", importCloudTrailAbout)
	out := fs.String("out", "", "write the scenario to `FILE` (atomically) instead of stdout")
	name := fs.String("name", "", "the scenario's `NAME` (default: the trace's file name)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("pipeshare import cloudtrail: name one trace file or folder (got %d)", fs.NArg())
	}
	path := fs.Arg(0)
	sum := newTraceSummary()
	if err := sum.readPath(path); err != nil {
		return inputError(err)
	}
	if sum.calls == 0 {
		return inputError(fmt.Errorf("%s: no SageMaker pipeline calls found (%d records read)", path, sum.records))
	}
	if *name == "" {
		*name = traceName(path)
	}
	f := sum.file(*name, path)
	for _, line := range sum.unmapped() {
		fmt.Fprintln(e.stderr, "import cloudtrail: not mapped: "+line)
	}
	if err := e.files.input("an input file", path); err != nil {
		return err
	}
	return writeOutput(e, *out, func(w io.Writer) error { return scenarios.WriteFile(w, f) })
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

// ctRecord is the part of a CloudTrail record the summary reads.
type ctRecord struct {
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	RecipientAccountID string          `json:"recipientAccountId"`
	SharedEventID      string          `json:"sharedEventID"`
	RequestID          string          `json:"requestID"`
	UserIdentity       *ctIdentity     `json:"userIdentity"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
}

type ctIdentity struct {
	Type           string `json:"type"`
	ARN            string `json:"arn"`
	AccountID      string `json:"accountId"`
	SessionContext *struct {
		SessionIssuer *struct {
			Type string `json:"type"`
			ARN  string `json:"arn"`
		} `json:"sessionIssuer"`
	} `json:"sessionContext"`
}

// ctTop is one top-level JSON value: a record or a {"Records": [...]} file.
type ctTop struct {
	Records []ctRecord `json:"Records"`
	ctRecord
}

type ctParams struct {
	PipelineName         string `json:"pipelineName"`
	PipelineArn          string `json:"pipelineArn"`
	PipelineExecutionArn string `json:"pipelineExecutionArn"`
	SearchExpression     *struct {
		Filters []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
		} `json:"filters"`
	} `json:"searchExpression"`
}

type pipelineKey struct{ account, name string }

// callerStats is one caller principal's observed calls.
type callerStats struct {
	account, principal string // "222222222222", "role/X" or "root"
	actions            [model.NumActions]int
	targets            map[pipelineKey]bool
	calls              int
}

// traceSummary accumulates a trace.
type traceSummary struct {
	records, calls, duplicates int
	first, last                time.Time
	seen                       map[string]bool // dedup keys
	regions                    map[string]int
	accounts                   map[string]map[string]bool // account → principals (not root)
	pipelines                  map[pipelineKey]bool
	callers                    map[string]*callerStats // "ACCT/name"
	skipped                    map[string]int          // what could not be mapped → count
	malformed                  []string
}

func newTraceSummary() *traceSummary {
	return &traceSummary{seen: map[string]bool{}, regions: map[string]int{},
		accounts: map[string]map[string]bool{}, pipelines: map[pipelineKey]bool{},
		callers: map[string]*callerStats{}, skipped: map[string]int{}}
}

// readPath reads a trace file or every trace file under a folder, in
// name order.
func (s *traceSummary) readPath(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s:1:1: %v", path, unwrapPathError(err))
	}
	if !st.IsDir() {
		return s.readFile(path)
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n := d.Name()
		if !d.IsDir() && (strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".jsonl") || strings.HasSuffix(n, ".gz")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if files == nil {
		return fmt.Errorf("%s: no .json, .jsonl or .gz files in the folder", path)
	}
	sort.Strings(files)
	for _, f := range files {
		if err := s.readFile(f); err != nil {
			return err
		}
	}
	return nil
}

// readFile reads one file: gzip-compressed or not, holding one record,
// a {"Records": [...]} object, a JSON array or JSON Lines.
func (s *traceSummary) readFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s:1:1: %v", path, unwrapPathError(err))
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 256<<10)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		defer gz.Close()
		r = gz
	}
	dec := json.NewDecoder(r)
	n := 0 // top-level values or array elements
	malformed := func(err error) {
		s.malformed = append(s.malformed, fmt.Sprintf("%s: record %d: %v", path, n, err))
	}
	inArray := false
	for {
		if !inArray {
			tok, err := peekDelim(dec)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				n++
				malformed(err)
				return nil // the rest of the file cannot be read
			}
			if tok == '[' {
				dec.Token()
				inArray = true
				continue
			}
		} else if !dec.More() {
			dec.Token() // ']'
			inArray = false
			continue
		}
		n++
		var top ctTop
		if err := dec.Decode(&top); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
				malformed(err)
				return nil
			}
			malformed(err) // a type mismatch: this value only
			continue
		}
		if top.Records != nil {
			for i := range top.Records {
				s.add(&top.Records[i])
			}
			continue
		}
		s.add(&top.ctRecord)
	}
}

// peekDelim returns the first byte of the next top-level value ('[' for an
// array, else 0), or io.EOF at the end of the input.
func peekDelim(dec *json.Decoder) (byte, error) {
	if !dec.More() {
		// More is false at EOF and before a closing delimiter.
		if _, err := dec.Token(); err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("unexpected closing bracket")
	}
	// Buffered holds what the decoder read ahead; the next non-space byte
	// is the value's first.
	b, _ := io.ReadAll(io.LimitReader(dec.Buffered(), 64))
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '[':
			return '[', nil
		}
		return 0, nil
	}
	return 0, nil
}

// add counts one record.
func (s *traceSummary) add(r *ctRecord) {
	s.records++
	if r.EventSource != "sagemaker.amazonaws.com" {
		src := r.EventSource
		if src == "" {
			src = "(no eventSource)"
		}
		s.skipped[src+" "+r.EventName]++
		return
	}
	a, ok := model.ParseAction(r.EventName)
	if !ok {
		s.skipped[r.EventSource+" "+r.EventName]++
		return
	}
	if key := dedupKey(r); key != "" {
		if s.seen[key] {
			s.duplicates++
			return
		}
		s.seen[key] = true
	}
	at, err := time.Parse(time.RFC3339, r.EventTime)
	if err != nil {
		s.skipped["sagemaker.amazonaws.com "+r.EventName+" with a bad eventTime"]++
		return
	}
	acct, principal, why := callerOf(r.UserIdentity)
	if why != "" {
		s.skipped["sagemaker.amazonaws.com "+r.EventName+" by "+why]++
		return
	}
	pl, hasTarget, why := targetOf(r, a)
	if why != "" {
		s.skipped["sagemaker.amazonaws.com "+r.EventName+" "+why]++
		return
	}
	s.calls++
	if s.first.IsZero() || at.Before(s.first) {
		s.first = at
	}
	if at.After(s.last) {
		s.last = at
	}
	if r.AWSRegion != "" {
		s.regions[r.AWSRegion]++
	}
	s.principal(acct, principal)
	key := acct + "/" + principal
	c := s.callers[key]
	if c == nil {
		c = &callerStats{account: acct, principal: principal, targets: map[pipelineKey]bool{}}
		s.callers[key] = c
	}
	c.calls++
	c.actions[a]++
	if hasTarget {
		s.principal(pl.account, "root")
		s.pipelines[pl] = true
		c.targets[pl] = true
	}
}

func (s *traceSummary) principal(acct, name string) {
	m := s.accounts[acct]
	if m == nil {
		m = map[string]bool{}
		s.accounts[acct] = m
	}
	if name != "root" {
		m[name] = true
	}
}

// dedupKey identifies the copies of one call: sharedEventID, else requestID.
func dedupKey(r *ctRecord) string {
	if r.SharedEventID != "" {
		return "s:" + r.SharedEventID
	}
	if r.RequestID != "" {
		return "r:" + r.RequestID
	}
	return ""
}

// callerOf maps a userIdentity to an account and a scenario principal
// name, or says why it cannot.
func callerOf(u *ctIdentity) (acct, name, why string) {
	if u == nil {
		return "", "", "no userIdentity"
	}
	arn := u.ARN
	switch u.Type {
	case "Root", "IAMUser":
	case "AssumedRole":
		if u.SessionContext != nil && u.SessionContext.SessionIssuer != nil && u.SessionContext.SessionIssuer.ARN != "" {
			arn = u.SessionContext.SessionIssuer.ARN // keeps the role's path
		}
	default:
		return "", "", "userIdentity type " + strconv.Quote(u.Type)
	}
	a, n, err := model.ParsePrincipalARN(arn)
	if err != nil {
		return "", "", "an unreadable userIdentity ARN"
	}
	return string(a), n, ""
}

// targetOf returns the pipeline a call names (hasTarget false for a Search
// that names none), or says why it cannot be read.
func targetOf(r *ctRecord, a model.Action) (pl pipelineKey, hasTarget bool, why string) {
	var p ctParams
	if len(r.RequestParameters) > 0 && string(r.RequestParameters) != "null" {
		if err := json.Unmarshal(r.RequestParameters, &p); err != nil {
			return pl, false, "with unreadable requestParameters"
		}
	}
	ref := p.PipelineExecutionArn
	if ref == "" {
		ref = p.PipelineArn
	}
	if ref == "" {
		ref = p.PipelineName
	}
	if ref == "" && a == model.Search && p.SearchExpression != nil {
		for _, f := range p.SearchExpression.Filters {
			if v, ok := f.Value.(string); ok && strings.EqualFold(f.Name, "PipelineArn") {
				ref = v
			}
		}
	}
	if ref == "" {
		if a == model.Search {
			return pl, false, ""
		}
		return pl, false, "naming no pipeline"
	}
	if !strings.HasPrefix(ref, "arn:") {
		if r.RecipientAccountID == "" {
			return pl, false, "naming a pipeline by name with no recipientAccountId"
		}
		return pipelineKey{r.RecipientAccountID, strings.ToLower(ref)}, true, ""
	}
	arn, err := model.ParseARN(ref)
	if err != nil || arn.Service != "sagemaker" {
		return pl, false, "naming an unreadable pipeline ARN"
	}
	name, ok := strings.CutPrefix(arn.Resource, "pipeline/")
	if !ok || name == "" {
		return pl, false, "naming an unreadable pipeline ARN"
	}
	name, _, _ = strings.Cut(name, "/")
	if _, err := model.ParseAccountID(arn.Account); err != nil {
		return pl, false, "naming a pipeline ARN with no account"
	}
	return pipelineKey{arn.Account, name}, true, ""
}

// unmapped lists what the summary could not map, sorted.
func (s *traceSummary) unmapped() []string {
	var out []string
	for k, n := range s.skipped {
		out = append(out, fmt.Sprintf("%s: %d", k, n))
	}
	sort.Strings(out)
	for _, c := range s.sortedCallers() {
		if len(c.targets) == 0 {
			out = append(out, fmt.Sprintf("caller %s/%s: %d Search calls naming no pipeline (no workload entry)",
				c.account, c.principal, c.calls))
		}
	}
	const maxMalformed = 20
	for i, m := range s.malformed {
		if i == maxMalformed {
			out = append(out, fmt.Sprintf("... and %d more malformed records", len(s.malformed)-maxMalformed))
			break
		}
		out = append(out, "malformed: "+m)
	}
	return out
}

func (s *traceSummary) sortedCallers() []*callerStats {
	keys := make([]string, 0, len(s.callers))
	for k := range s.callers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*callerStats, len(keys))
	for i, k := range keys {
		out[i] = s.callers[k]
	}
	return out
}

// observedPolicy is the identity policy every imported principal gets.
const observedPolicy = "cloudtrail-observed"

// file builds the scenario.
func (s *traceSummary) file(name, path string) *scenarios.File {
	span := s.last.Sub(s.first)
	days := max(1, int(math.Ceil(span.Hours()/24)))
	region, regionN := "us-east-1", -1
	var regions []string
	for r, n := range s.regions {
		regions = append(regions, r)
		if n > regionN || n == regionN && r < region {
			region, regionN = r, n
		}
	}
	sort.Strings(regions)

	var h strings.Builder
	fmt.Fprintf(&h, "Imported by pipeshare import cloudtrail from %s:\n", path)
	fmt.Fprintf(&h, "%d records, %d SageMaker pipeline calls (%d duplicate copies counted once),\n",
		s.records, s.calls, s.duplicates)
	fmt.Fprintf(&h, "from %s to %s.\n", s.first.UTC().Format(time.RFC3339), s.last.UTC().Format(time.RFC3339))
	h.WriteString("\nTODO: shares are not recorded in CloudTrail. Add them under shares: (or use\n")
	h.WriteString("pipeshare import aws); until then cross-account calls are not_shared.\n")
	h.WriteString("Identity policies are not recorded either: every principal seen gets the\n")
	h.WriteString("policy " + observedPolicy + " (the pipeline actions on \"*\"); replace it with the real ones.\n")
	h.WriteString("Pipelines have no steps: add steps or a definition for executions and cost.\n")
	h.WriteString("Rates are each caller's calls over the trace's span; the action weights are call counts.\n")
	if len(regions) > 1 {
		fmt.Fprintf(&h, "Regions seen: %s; the scenario uses %s.\n", strings.Join(regions, ", "), region)
	}
	if un := s.unmapped(); un != nil {
		h.WriteString("\nNot mapped:\n")
		for _, line := range un {
			h.WriteString("  " + line + "\n")
		}
	}

	f := &scenarios.File{Header: strings.TrimRight(h.String(), "\n"), Name: name, Region: region,
		Start: s.first.UTC().Truncate(time.Second).Format(time.RFC3339), Duration: strconv.Itoa(days) + "d"}
	acctIDs := make([]string, 0, len(s.accounts))
	for a := range s.accounts {
		acctIDs = append(acctIDs, a)
	}
	sort.Strings(acctIDs)
	for _, a := range acctIDs {
		fa := scenarios.FileAccount{ID: a}
		var names []string
		for p := range s.accounts[a] {
			names = append(names, p)
		}
		sort.Strings(names)
		for _, p := range names {
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

	pls := make([]pipelineKey, 0, len(s.pipelines))
	byName := map[string]int{}
	for p := range s.pipelines {
		pls = append(pls, p)
		byName[p.name]++
	}
	sort.Slice(pls, func(i, j int) bool {
		if pls[i].account != pls[j].account {
			return pls[i].account < pls[j].account
		}
		return pls[i].name < pls[j].name
	})
	for _, p := range pls {
		f.Pipelines = append(f.Pipelines, scenarios.FilePipeline{Name: p.name, Account: p.account})
	}
	target := func(p pipelineKey) string {
		if byName[p.name] == 1 {
			return p.name
		}
		return model.PipelineARN(region, model.AccountID(p.account), p.name)
	}

	hours := max(span.Hours(), 1) // a trace of one instant counts as one hour
	for _, c := range s.sortedCallers() {
		if len(c.targets) == 0 {
			continue
		}
		caller := c.account
		if c.principal != "root" {
			caller += "/" + c.principal
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
		f.Workload = append(f.Workload, scenarios.FileWorkload{Name: caller, Callers: []string{caller},
			Targets: targets, Rate: formatRate(float64(c.calls) / hours), Actions: scenarios.ActionWeights(names, weights)})
	}
	return f
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
