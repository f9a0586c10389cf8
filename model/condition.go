package model

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// CondContext holds the condition-key values of one request.
type CondContext struct {
	PrincipalAccount  string
	PrincipalArn      string
	PrincipalOrgID    string   // "" when the caller is in no organization (key missing)
	PrincipalOrgPaths []string // nil when missing
	PrincipalType     string   // "Account" (root), "AssumedRole" (role), "User"
	PrincipalTags     []Tag    // sorted by Key
	ResourceAccount   string
	RequestedRegion   string
	CurrentTime       int64  // Unix nanoseconds
	PipelineVersionID string // "" = missing
	ViaAWSService     bool
	// Data-plane keys; "" (and HasS3Prefix false) = missing.
	ResourceOrgID    string
	SourceAccount    string
	S3Prefix         string
	HasS3Prefix      bool
	KMSViaService    string
	KMSCallerAccount string
}

// Tag is a principal tag.
type Tag struct{ Key, Value string }

// Condition is one compiled (operator, key, values) entry of a statement's
// Condition block.
type Condition struct {
	Pos Pos

	op       condOp
	neg      bool // StringNot*, ArnNot*, DateNotEquals
	ifExists bool
	set      setQualifier
	k        condKey
	tag      string // the tag key of aws:PrincipalTag/<tag>

	vals  []string // string, ARN and Bool (lower-cased "true"/"false") values
	times []int64  // Date values, Unix ns
	// Null: which of "true" (key missing) and "false" (key present) the
	// values list.
	nullMissing, nullPresent bool
}

type condOp uint8

const (
	opStringEquals condOp = iota + 1
	opStringEqualsIgnoreCase
	opStringLike
	opArnEquals
	opArnLike
	opDateEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opNull
)

func (o condOp) isDate() bool { return o >= opDateEquals && o <= opDateGreaterThanEquals }
func (o condOp) isString() bool {
	return o == opStringEquals || o == opStringEqualsIgnoreCase || o == opStringLike
}
func (o condOp) isArn() bool { return o == opArnEquals || o == opArnLike }

// condOps maps a base operator name (no qualifier, no IfExists) to its
// operation and whether it is negated.
var condOps = map[string]struct {
	op  condOp
	neg bool
}{
	"StringEquals":              {opStringEquals, false},
	"StringNotEquals":           {opStringEquals, true},
	"StringEqualsIgnoreCase":    {opStringEqualsIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {opStringEqualsIgnoreCase, true},
	"StringLike":                {opStringLike, false},
	"StringNotLike":             {opStringLike, true},
	"ArnEquals":                 {opArnEquals, false},
	"ArnNotEquals":              {opArnEquals, true},
	"ArnLike":                   {opArnLike, false},
	"ArnNotLike":                {opArnLike, true},
	"DateEquals":                {opDateEquals, false},
	"DateNotEquals":             {opDateEquals, true},
	"DateLessThan":              {opDateLessThan, false},
	"DateLessThanEquals":        {opDateLessThanEquals, false},
	"DateGreaterThan":           {opDateGreaterThan, false},
	"DateGreaterThanEquals":     {opDateGreaterThanEquals, false},
	"Bool":                      {opBool, false},
	"Null":                      {opNull, false},
}

type setQualifier uint8

const (
	setNone setQualifier = iota
	setForAnyValue
	setForAllValues
)

type condKey uint8

const (
	keyPrincipalAccount condKey = iota + 1
	keyPrincipalArn
	keyPrincipalOrgID
	keyPrincipalOrgPaths
	keyPrincipalType
	keyPrincipalTag
	keyResourceAccount
	keyRequestedRegion
	keyCurrentTime
	keySecureTransport
	keyViaAWSService
	keyPipelineVersionID
	keyResourceOrgID
	keySourceAccount
	keyS3Prefix
	keyKMSViaService
	keyKMSCallerAccount
)

// condKeys lists the supported keys (but aws:PrincipalTag/…) by their
// canonical spelling; keys match case-insensitively.
var condKeys = []struct {
	name string
	key  condKey
}{
	{"aws:PrincipalAccount", keyPrincipalAccount},
	{"aws:PrincipalArn", keyPrincipalArn},
	{"aws:PrincipalOrgID", keyPrincipalOrgID},
	{"aws:PrincipalOrgPaths", keyPrincipalOrgPaths},
	{"aws:PrincipalType", keyPrincipalType},
	{"aws:ResourceAccount", keyResourceAccount},
	{"aws:RequestedRegion", keyRequestedRegion},
	{"aws:CurrentTime", keyCurrentTime},
	{"aws:SecureTransport", keySecureTransport},
	{"aws:ViaAWSService", keyViaAWSService},
	{"sagemaker:PipelineVersionId", keyPipelineVersionID},
	{"aws:ResourceOrgID", keyResourceOrgID},
	{"aws:SourceAccount", keySourceAccount},
	{"s3:prefix", keyS3Prefix},
	{"kms:ViaService", keyKMSViaService},
	{"kms:CallerAccount", keyKMSCallerAccount},
}

const principalTagPrefix = "aws:PrincipalTag/"

// CompileCondition compiles operator (e.g. "ForAnyValue:StringLikeIfExists"),
// key (e.g. "aws:PrincipalTag/team") and its values. An unsupported operator
// or key, a policy variable, or a malformed value is a *PosError at pos.
//
// Operator names are case-sensitive, key names case-insensitive (as in IAM).
func CompileCondition(operator, key string, values []string, pos Pos) (Condition, error) {
	c := Condition{Pos: pos}

	// Operator: [ForAnyValue:|ForAllValues:]Base[IfExists].
	base := operator
	if rest, ok := strings.CutPrefix(base, "ForAnyValue:"); ok {
		base, c.set = rest, setForAnyValue
	} else if rest, ok := strings.CutPrefix(base, "ForAllValues:"); ok {
		base, c.set = rest, setForAllValues
	}
	if rest, ok := strings.CutSuffix(base, "IfExists"); ok {
		if rest == "Null" {
			return Condition{}, errorf(pos, "unsupported condition operator %q: Null takes no IfExists suffix", operator)
		}
		if _, known := condOps[rest]; known {
			base, c.ifExists = rest, true
		}
	}
	o, ok := condOps[base]
	if !ok {
		return Condition{}, errorf(pos, "unsupported condition operator %q%s", operator, operatorHint(operator))
	}
	c.op, c.neg = o.op, o.neg

	// Key.
	if strings.Contains(key, "${") {
		return Condition{}, errorf(pos, "policy variables are not supported")
	}
	for _, k := range condKeys {
		if strings.EqualFold(key, k.name) {
			c.k = k.key
			break
		}
	}
	if c.k == 0 && len(key) >= len(principalTagPrefix) && strings.EqualFold(key[:len(principalTagPrefix)], principalTagPrefix) {
		c.k, c.tag = keyPrincipalTag, key[len(principalTagPrefix):]
		if c.tag == "" {
			return Condition{}, errorf(pos, "condition key %q needs a tag key (aws:PrincipalTag/<tag-key>)", key)
		}
	}
	if c.k == 0 {
		return Condition{}, errorf(pos, "unsupported condition key %q", key)
	}

	// Operator and key types.
	isBoolKey := c.k == keySecureTransport || c.k == keyViaAWSService
	switch {
	case c.op.isDate() && c.k != keyCurrentTime:
		return Condition{}, errorf(pos, "condition operator %q needs a date key (aws:CurrentTime), not %q", operator, key)
	case c.op == opBool && !isBoolKey:
		return Condition{}, errorf(pos, "condition operator %q needs a boolean key (aws:SecureTransport or aws:ViaAWSService), not %q", operator, key)
	case c.op.isArn() && c.k != keyPrincipalArn:
		return Condition{}, errorf(pos, "condition operator %q needs an ARN key (aws:PrincipalArn), not %q", operator, key)
	case c.op.isString() && c.k == keyCurrentTime:
		return Condition{}, errorf(pos, "condition operator %q needs a string key, not %q (use a Date operator)", operator, key)
	case c.op.isString() && isBoolKey:
		return Condition{}, errorf(pos, "condition operator %q needs a string key, not %q (use Bool)", operator, key)
	}

	// Values.
	if len(values) == 0 {
		return Condition{}, errorf(pos, "condition %q on %q has no values", operator, key)
	}
	for _, v := range values {
		if strings.Contains(v, "${") {
			return Condition{}, errorf(pos, "policy variables are not supported")
		}
	}
	switch {
	case c.op == opNull:
		for _, v := range values {
			b, ok := parseBool(v)
			if !ok {
				return Condition{}, errorf(pos, "Null condition value %q must be \"true\" or \"false\"", v)
			}
			if b {
				c.nullMissing = true
			} else {
				c.nullPresent = true
			}
		}
	case c.op == opBool:
		c.vals = make([]string, len(values))
		for i, v := range values {
			b, ok := parseBool(v)
			if !ok {
				return Condition{}, errorf(pos, "Bool condition value %q must be \"true\" or \"false\"", v)
			}
			c.vals[i] = strconv.FormatBool(b)
		}
	case c.op.isDate():
		c.times = make([]int64, len(values))
		for i, v := range values {
			t, err := parseDate(v)
			if err != "" {
				return Condition{}, errorf(pos, "date condition value %q %s", v, err)
			}
			c.times[i] = t
		}
	default:
		c.vals = append([]string(nil), values...)
	}
	return c, nil
}

// operatorHint suggests the right spelling of an operator written in the
// wrong case.
func operatorHint(operator string) string {
	prefix, base := "", operator
	for _, q := range []string{"ForAnyValue:", "ForAllValues:"} {
		if len(base) >= len(q) && strings.EqualFold(base[:len(q)], q) {
			prefix, base = q, base[len(q):]
			break
		}
	}
	suffix := ""
	if len(base) > len("IfExists") && strings.EqualFold(base[len(base)-len("IfExists"):], "IfExists") {
		suffix, base = "IfExists", base[:len(base)-len("IfExists")]
	}
	for name := range condOps {
		if strings.EqualFold(name, base) && (suffix == "" || name != "Null") {
			if want := prefix + name + suffix; want != operator {
				return " (operator names are case-sensitive: did you mean \"" + want + "\"?)"
			}
		}
	}
	return ""
}

func parseBool(v string) (value, ok bool) {
	switch {
	case strings.EqualFold(v, "true"):
		return true, true
	case strings.EqualFold(v, "false"):
		return false, true
	}
	return false, false
}

// maxDateSeconds bounds date values so that v+1 nanoseconds fits in int64.
const maxDateSeconds = math.MaxInt64/int64(time.Second) - 1

// parseDate parses an IAM date value into Unix nanoseconds: RFC 3339 with
// any offset and optional fractional seconds, an ISO 8601 date-time without
// seconds ("2026-01-05T00:00Z"), a date ("2026-01-05", UTC midnight), or
// epoch seconds as an integer. It returns why v is not a date, or "".
func parseDate(v string) (int64, string) {
	if v != "" && strings.Trim(v, "0123456789") == "" || len(v) > 1 && v[0] == '-' && strings.Trim(v[1:], "0123456789") == "" {
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil || sec > maxDateSeconds || sec < -maxDateSeconds {
			return 0, "is out of range"
		}
		return sec * 1e9, ""
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", time.DateOnly} {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		if sec := t.Unix(); sec > maxDateSeconds || sec < -maxDateSeconds {
			return 0, "is out of range"
		}
		return t.UnixNano(), ""
	}
	return 0, "is not a date (want RFC 3339 like 2026-01-05T00:00:00Z, or epoch seconds)"
}

// Eval reports whether the condition holds in ctx.
//
// A missing key makes a positive operator false and a negated one
// (StringNot…, ArnNot…, DateNotEquals) true; with IfExists it is true, also
// under ForAnyValue (which is otherwise false on a missing or empty key) and
// ForAllValues (true anyway). Null tests only presence and ignores a set
// qualifier. A present value satisfies a positive operator if it matches any
// policy value, a negated one if it matches none; ForAnyValue needs one
// request value to satisfy the operator, ForAllValues all of them, and the
// multi-valued aws:PrincipalOrgPaths without a qualifier is treated as
// "some path matches" (positive) or "no path matches" (negated).
func (c *Condition) Eval(ctx *CondContext) bool {
	switch c.k {
	case keyCurrentTime: // always present, single-valued
		if c.op == opNull {
			return c.nullPresent
		}
		return c.holdsTime(ctx.CurrentTime)
	case keyPrincipalOrgPaths:
		return c.evalMulti(ctx.PrincipalOrgPaths)
	}
	v, present := c.lookup(ctx)
	if c.op == opNull {
		return present && c.nullPresent || !present && c.nullMissing
	}
	if !present {
		return c.missing()
	}
	// One present value: ForAnyValue and ForAllValues reduce to the
	// operator itself.
	return c.holds(v)
}

// missing is the result for a missing key (but for Null).
func (c *Condition) missing() bool {
	switch {
	case c.ifExists:
		return true
	case c.set == setForAnyValue:
		return false
	case c.set == setForAllValues:
		return true
	}
	return c.neg
}

// evalMulti evaluates the condition on a multi-valued key; nil is missing.
func (c *Condition) evalMulti(vals []string) bool {
	if c.op == opNull {
		return vals != nil && c.nullPresent || vals == nil && c.nullMissing
	}
	if vals == nil {
		return c.missing()
	}
	switch c.set {
	case setForAnyValue:
		for _, v := range vals {
			if c.holds(v) {
				return true
			}
		}
		return false
	case setForAllValues:
		for _, v := range vals {
			if !c.holds(v) {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if c.matchesAny(v) {
			return !c.neg
		}
	}
	return c.neg
}

// lookup returns the value of a single-valued key and whether it is present.
func (c *Condition) lookup(ctx *CondContext) (string, bool) {
	switch c.k {
	case keyPrincipalAccount:
		return ctx.PrincipalAccount, true
	case keyPrincipalArn:
		return ctx.PrincipalArn, true
	case keyPrincipalOrgID:
		return ctx.PrincipalOrgID, ctx.PrincipalOrgID != ""
	case keyPrincipalType:
		return ctx.PrincipalType, true
	case keyPrincipalTag:
		for i := range ctx.PrincipalTags {
			if t := &ctx.PrincipalTags[i]; strings.EqualFold(t.Key, c.tag) {
				return t.Value, true
			}
		}
		return "", false
	case keyResourceAccount:
		return ctx.ResourceAccount, true
	case keyRequestedRegion:
		return ctx.RequestedRegion, true
	case keySecureTransport:
		return "true", true
	case keyViaAWSService:
		return strconv.FormatBool(ctx.ViaAWSService), true
	case keyPipelineVersionID:
		return ctx.PipelineVersionID, ctx.PipelineVersionID != ""
	case keyResourceOrgID:
		return ctx.ResourceOrgID, ctx.ResourceOrgID != ""
	case keySourceAccount:
		return ctx.SourceAccount, ctx.SourceAccount != ""
	case keyS3Prefix:
		return ctx.S3Prefix, ctx.HasS3Prefix
	case keyKMSViaService:
		return ctx.KMSViaService, ctx.KMSViaService != ""
	case keyKMSCallerAccount:
		return ctx.KMSCallerAccount, ctx.KMSCallerAccount != ""
	}
	return "", false
}

// holds applies the operator to one present request value: a positive
// operator holds if v matches any value, a negated one if it matches none.
func (c *Condition) holds(v string) bool { return c.matchesAny(v) != c.neg }

// matchesAny reports whether v matches one of the values under the
// positive form of the operator.
func (c *Condition) matchesAny(v string) bool {
	for _, p := range c.vals {
		var m bool
		switch c.op {
		case opStringEquals, opArnEquals, opBool:
			m = v == p
		case opStringEqualsIgnoreCase:
			m = strings.EqualFold(v, p)
		case opStringLike:
			m = MatchWildcard(p, v, false, false)
		case opArnLike:
			m = MatchWildcard(p, v, false, true)
		}
		if m {
			return true
		}
	}
	return false
}

// holdsTime applies a Date operator to t: a positive operator holds if the
// comparison holds for any value, DateNotEquals if t equals none.
func (c *Condition) holdsTime(t int64) bool {
	for _, v := range c.times {
		var m bool
		switch c.op {
		case opDateEquals:
			m = t == v
		case opDateLessThan:
			m = t < v
		case opDateLessThanEquals:
			m = t <= v
		case opDateGreaterThan:
			m = t > v
		case opDateGreaterThanEquals:
			m = t >= v
		}
		if m {
			return !c.neg
		}
	}
	return c.neg
}

// AppendTimeThresholds appends to dst the aws:CurrentTime instants (Unix ns)
// at which the condition's result can change: for each date value v, v and v+1.
func (c *Condition) AppendTimeThresholds(dst []int64) []int64 {
	if c.k != keyCurrentTime || !c.op.isDate() {
		return dst
	}
	for _, v := range c.times {
		dst = append(dst, v, v+1)
	}
	return dst
}
