package cloudtrail

import (
	"fmt"
	"math"
	"time"

	"github.com/pipeshare/pipeshare/model"
)

// The record rule (see doc.go): which records are calls, who made them
// and what they name. Everything here depends on the record alone, never
// on a scenario, so every reader of a trace takes the same calls.

// Skip reasons: the keys of Stats.Skipped. The first five are the record
// rule's and every reader counts them alike; the others are a replay's,
// for calls its scenario cannot place or its run did not reach. Every
// record read is a call or skipped for one reason.
const (
	SkipOtherEvent = "other_event"          // not a SageMaker pipeline event
	SkipMalformed  = "malformed"            // not valid JSON, or no valid eventTime, identity or ARN
	SkipIdentity   = "unsupported_identity" // an AWS service, a federated user, ...
	SkipNoTarget   = "no_target"            // no pipeline or execution named
	SkipDuplicate  = "duplicate"            // another copy of a call already read

	SkipUnknownAccount = "unknown_account"   // the caller's account is not in the scenario
	SkipUnknownCaller  = "unknown_principal" // the caller is not in the scenario
	SkipUnknownTarget  = "unknown_pipeline"  // the pipeline is not in the scenario
	SkipBeforeStart    = "before_start"      // before the scenario start (without Align)
	SkipPastEnd        = "past_end"          // after the run's end, not replayed
)

// Principal is the caller of a call: an account and the principal's name
// in a scenario ("root", "role/[path/]X", "user/[path/]Y").
type Principal struct {
	Account model.AccountID
	Name    string
}

// String returns p as a scenario names a caller: "ACCT" for the root
// user, else "ACCT/NAME".
func (p Principal) String() string {
	if p.Name == "root" {
		return string(p.Account)
	}
	return string(p.Account) + "/" + p.Name
}

// Pipeline is the pipeline a call names: its owner account and its name
// in lower case (SageMaker pipeline names are case-insensitive).
type Pipeline struct {
	Account model.AccountID
	Name    string
}

// maxEventTime is the latest eventTime a call may have: the last instant
// int64 nanoseconds since 1970 hold (2262-04-11).
var maxEventTime = time.Unix(0, math.MaxInt64)

// parseEventTime parses an eventTime, RFC 3339 (usually
// "2025-10-27T00:00:52Z"), to Unix nanoseconds. A time before 1970 or
// after maxEventTime is not valid.
func parseEventTime(b []byte) (int64, bool) {
	if len(b) == 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' && b[19] == 'Z' {
		n := func(i, j int) int {
			v := 0
			for _, c := range b[i:j] {
				if c < '0' || c > '9' {
					return -1
				}
				v = v*10 + int(c-'0')
			}
			return v
		}
		y, mo, d, h, mi, s := n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19)
		if y >= 1970 && y < 2262 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 61 {
			days := daysFromCivil(y, mo, d)
			return ((days*24+int64(h))*60+int64(mi))*60*1e9 + int64(s)*1e9, true
		}
	}
	tm, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil || tm.Unix() < 0 || tm.After(maxEventTime) {
		return 0, false
	}
	return tm.UnixNano(), true
}

// daysFromCivil returns the days since 1970-01-01 (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097 + doe - 719468)
}

const sagemakerSource = "sagemaker.amazonaws.com"

// pipelineAction returns the action of a SageMaker pipeline event.
func pipelineAction(f *ctFields) (model.Action, bool) {
	if string(f.eventSource) != sagemakerSource {
		return 0, false
	}
	switch string(f.eventName) {
	case "DescribePipeline":
		return model.DescribePipeline, true
	case "DescribePipelineDefinitionForExecution":
		return model.DescribePipelineDefinitionForExecution, true
	case "DescribePipelineExecution":
		return model.DescribePipelineExecution, true
	case "ListPipelineExecutions":
		return model.ListPipelineExecutions, true
	case "ListPipelineExecutionSteps":
		return model.ListPipelineExecutionSteps, true
	case "ListPipelineParametersForExecution":
		return model.ListPipelineParametersForExecution, true
	case "Search":
		return model.Search, true
	case "StartPipelineExecution":
		return model.StartPipelineExecution, true
	case "StopPipelineExecution":
		return model.StopPipelineExecution, true
	case "RetryPipelineExecution":
		return model.RetryPipelineExecution, true
	}
	return 0, false
}

// maxInterned caps each table of distinct callers and pipelines a read
// keeps, and maxInternedKey the bytes of a key kept (an IAM or pipeline
// ARN is well under 1 KiB); past them, each record's caller or pipeline is
// mapped on its own.
const (
	maxInterned    = 1 << 16
	maxInternedKey = 1 << 10
)

// caller is a mapped userIdentity, shared by the records that carry it.
type caller struct {
	p   Principal
	id  int32  // its index in the read's table, -1 when not kept there
	why string // "" for a caller, else SkipMalformed (msg says why) or SkipIdentity
	msg string
}

// target is a mapped pipeline reference, shared by the records that carry it.
type target struct {
	pl  Pipeline
	arn string // the pipeline ARN when the record named one, "" for a bare name
	id  int32  // its index in the read's table, -1 when not kept there
	bad bool   // not a valid pipeline ARN or name
}

// unsupported is the caller of every record whose userIdentity type is
// none of Root, IAMUser and AssumedRole.
var unsupported = &caller{id: -1, why: SkipIdentity}

// tables map the callers and pipelines of a read, each distinct one once.
type tables struct {
	callers  map[string]*caller // by userIdentity type and the identifier mapped
	arns     map[string]*target // by the ARN as written
	names    map[string]*target // by "ACCOUNT/lower-case name"
	regions  map[string]string
	ncallers int32
	ntargets int32
	scratch  []byte
}

func newTables() tables {
	return tables{callers: map[string]*caller{}, arns: map[string]*target{}, names: map[string]*target{},
		regions: map[string]string{}}
}

// callerOf maps the record's userIdentity: Root to the account's root
// user (accountId, else the ARN's account), IAMUser to its ARN, and
// AssumedRole to the role that issued the session
// (sessionContext.sessionIssuer.arn, which keeps the role's path; else the
// assumed-role ARN). Any other type is unsupported.
func (t *tables) callerOf(f *ctFields) *caller {
	var id, account []byte // account: a Root's accountId
	switch string(f.uType) {
	case "AssumedRole":
		id = f.issuerARN
		if len(id) == 0 {
			id = f.uARN
		}
	case "IAMUser":
		id = f.uARN
	case "Root":
		id, account = f.uARN, f.uAccount
	default:
		return unsupported
	}
	t.scratch = append(append(append(append(append(t.scratch[:0], f.uType...), 0), account...), 0), id...)
	if c, ok := t.callers[string(t.scratch)]; ok {
		return c
	}
	c := &caller{id: -1}
	if acct, err := model.ParseAccountID(string(account)); err == nil {
		c.p = Principal{Account: acct, Name: "root"}
	} else if acct, name, err := model.ParsePrincipalARN(string(id)); err != nil {
		c.why, c.msg = SkipMalformed, fmt.Sprintf("userIdentity %q of type %q names no IAM principal", shown(id), shown(f.uType))
	} else {
		if string(f.uType) == "Root" {
			name = "root"
		}
		c.p = Principal{Account: acct, Name: name}
	}
	if t.ncallers < maxInterned && len(t.scratch) <= maxInternedKey {
		c.id = t.ncallers
		t.ncallers++
		t.callers[string(t.scratch)] = c
	}
	return c
}

// arnTarget maps a pipeline ARN, in any case.
func (t *tables) arnTarget(b []byte) *target {
	if tg, ok := t.arns[string(b)]; ok {
		return tg
	}
	tg := &target{id: -1}
	t.scratch = lowerASCII(append(t.scratch[:0], b...))
	ref, err := model.ParsePipelineARN(string(t.scratch))
	if err != nil || ref.Execution != "" {
		tg.bad = true
	} else {
		tg.pl = Pipeline{Account: ref.Account, Name: ref.Pipeline}
		tg.arn = model.PipelineARN(ref.Region, ref.Account, ref.Pipeline)
	}
	t.keep(tg, t.arns, b)
	return tg
}

// nameTarget maps a bare pipeline name in account acct.
func (t *tables) nameTarget(acct, name []byte) *target {
	t.scratch = append(append(append(t.scratch[:0], acct...), '/'), name...)
	lowerASCII(t.scratch[len(acct)+1:])
	if tg, ok := t.names[string(t.scratch)]; ok {
		return tg
	}
	tg := &target{id: -1}
	lower := string(t.scratch[len(acct)+1:])
	if owner, err := model.ParseAccountID(string(acct)); err != nil || !model.ValidPipelineName(lower) {
		tg.bad = true
	} else {
		tg.pl = Pipeline{Account: owner, Name: lower}
	}
	t.keep(tg, t.names, t.scratch)
	return tg
}

// keep adds tg to m under key while the tables have room.
func (t *tables) keep(tg *target, m map[string]*target, key []byte) {
	if t.ntargets < maxInterned && len(key) <= maxInternedKey {
		tg.id = t.ntargets
		t.ntargets++
		m[string(key)] = tg
	}
}

// region returns b as a string, shared by the records that carry it.
func (t *tables) region(b []byte) string {
	if r, ok := t.regions[string(b)]; ok {
		return r
	}
	r := string(b)
	if len(t.regions) < maxInterned && len(b) <= maxInternedKey {
		t.regions[r] = r
	}
	return r
}

func lastIndex(b []byte, sep string) int {
	n := len(sep)
	for i := len(b) - n; i >= 0; i-- {
		if string(b[i:i+n]) == sep {
			return i
		}
	}
	return -1
}

// lowerASCII lower-cases b in place and returns it.
func lowerASCII(b []byte) []byte {
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return b
}
