package model

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	condNow = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC).UnixNano()

	// inOrg is a role in an organization, with tags and a pipeline version.
	inOrg = CondContext{
		PrincipalAccount:  "222222222222",
		PrincipalArn:      "arn:aws:iam::222222222222:role/team/Trainer",
		PrincipalOrgID:    "o-abc123",
		PrincipalOrgPaths: []string{"o-abc123/r-root/ou-ml/ou-train/", "o-abc123/r-root/ou-shared/"},
		PrincipalType:     "AssumedRole",
		PrincipalTags:     []Tag{{"CostCenter", "1234"}, {"team", "ml"}},
		ResourceAccount:   "111111111111",
		RequestedRegion:   "us-east-1",
		CurrentTime:       condNow,
		PipelineVersionID: "3",
	}
	// outside is an account root outside any organization: the org keys,
	// the tags and the pipeline version are missing.
	outside = CondContext{
		PrincipalAccount: "333333333333",
		PrincipalArn:     "arn:aws:iam::333333333333:root",
		PrincipalType:    "Account",
		ResourceAccount:  "111111111111",
		RequestedRegion:  "us-east-1",
		CurrentTime:      condNow,
	}
	// emptyPaths is in an organization but has an empty (not missing) list
	// of OU paths.
	emptyPaths = CondContext{PrincipalOrgID: "o-abc123", PrincipalOrgPaths: []string{}, CurrentTime: condNow}
)

func mustCompile(t testing.TB, op, key string, values ...string) Condition {
	t.Helper()
	c, err := CompileCondition(op, key, values, Pos{File: "p.yaml", Line: 3, Col: 7})
	require.NoError(t, err, "%s %s %q", op, key, values)
	return c
}

type condCase struct {
	op, key         string
	values          []string
	inOrg, outside  bool // results in those contexts
	emptyPathsValue *bool
}

func TestConditionEval(t *testing.T) {
	tru, fal := true, false
	v := func(vs ...string) []string { return vs }
	tests := []condCase{
		// String operators on always-present keys.
		{"StringEquals", "aws:PrincipalAccount", v("222222222222"), true, false, nil},
		{"StringEquals", "aws:PrincipalAccount", v("444444444444", "222222222222"), true, false, nil},
		{"StringEquals", "AWS:principalaccount", v("222222222222"), true, false, nil}, // key names fold
		{"StringNotEquals", "aws:PrincipalAccount", v("222222222222"), false, true, nil},
		{"StringNotEquals", "aws:PrincipalAccount", v("444444444444", "222222222222"), false, true, nil},
		{"StringEquals", "aws:ResourceAccount", v("111111111111"), true, true, nil},
		{"StringEquals", "aws:RequestedRegion", v("US-EAST-1"), false, false, nil},
		{"StringEqualsIgnoreCase", "aws:RequestedRegion", v("US-EAST-1"), true, true, nil},
		{"StringNotEqualsIgnoreCase", "aws:RequestedRegion", v("US-East-1"), false, false, nil},
		{"StringNotEqualsIgnoreCase", "aws:RequestedRegion", v("eu-west-1"), true, true, nil},
		{"StringEquals", "aws:PrincipalType", v("AssumedRole"), true, false, nil},
		{"StringLike", "aws:PrincipalType", v("*Role"), true, false, nil},
		{"StringLike", "aws:PrincipalType", v("*role"), false, false, nil}, // StringLike is case-sensitive
		{"StringNotLike", "aws:PrincipalType", v("User", "Acc?unt"), true, false, nil},
		// StringLike's '*' crosses ':' (it is not ARN matching).
		{"StringLike", "aws:PrincipalArn", v("arn:aws:iam::*Trainer"), true, false, nil},
		{"StringEquals", "aws:PrincipalArn", v("arn:aws:iam::222222222222:role/team/Trainer"), true, false, nil},

		// ARN operators.
		{"ArnEquals", "aws:PrincipalArn", v("arn:aws:iam::222222222222:role/team/Trainer"), true, false, nil},
		{"ArnEquals", "aws:PrincipalArn", v("arn:aws:iam::222222222222:role/team/*"), false, false, nil},
		{"ArnLike", "aws:PrincipalArn", v("arn:aws:iam::222222222222:role/team/*"), true, false, nil},
		{"ArnLike", "aws:PrincipalArn", v("arn:aws:iam::*:root"), false, true, nil},
		{"ArnLike", "aws:PrincipalArn", v("arn:aws:iam::*Trainer"), false, false, nil}, // '*' stays within a segment
		{"ArnLike", "aws:PrincipalArn", v("arn:aws:iam::2*"), true, false, nil},        // ...but a trailing one does not
		{"ArnNotEquals", "aws:PrincipalArn", v("arn:aws:iam::333333333333:root"), true, false, nil},
		{"ArnNotLike", "aws:PrincipalArn", v("arn:aws:iam::*:role/*"), false, true, nil},

		// Keys that can be missing: non-negated false, negated true, IfExists true.
		{"StringEquals", "aws:PrincipalOrgID", v("o-abc123"), true, false, nil},
		{"StringNotEquals", "aws:PrincipalOrgID", v("o-abc123"), false, true, nil},
		{"StringEqualsIfExists", "aws:PrincipalOrgID", v("o-abc123"), true, true, nil},
		{"StringNotEqualsIfExists", "aws:PrincipalOrgID", v("o-abc123"), false, true, nil},
		{"StringEqualsIfExists", "aws:PrincipalOrgID", v("o-other"), false, true, nil},
		{"StringLike", "sagemaker:PipelineVersionId", v("*"), true, false, nil},
		{"StringNotLike", "sagemaker:PipelineVersionId", v("*"), false, true, nil},
		{"StringEquals", "sagemaker:pipelineversionid", v("3"), true, false, nil},

		// Principal tags: the tag key matches case-insensitively, the value does not.
		{"StringEquals", "aws:PrincipalTag/team", v("ml"), true, false, nil},
		{"StringEquals", "aws:PrincipalTag/TEAM", v("ml"), true, false, nil},
		{"StringEquals", "aws:principaltag/costcenter", v("1234"), true, false, nil},
		{"StringEquals", "aws:PrincipalTag/team", v("ML"), false, false, nil},
		{"StringEqualsIgnoreCase", "aws:PrincipalTag/team", v("ML"), true, false, nil},
		{"StringNotEquals", "aws:PrincipalTag/team", v("ml"), false, true, nil},
		{"StringNotEquals", "aws:PrincipalTag/project", v("x"), true, true, nil},
		{"StringEquals", "aws:PrincipalTag/project", v("x"), false, false, nil},
		{"StringLikeIfExists", "aws:PrincipalTag/team", v("m*"), true, true, nil},
		{"StringLikeIfExists", "aws:PrincipalTag/team", v("x*"), false, true, nil},

		// Null.
		{"Null", "aws:PrincipalOrgID", v("true"), false, true, nil},
		{"Null", "aws:PrincipalOrgID", v("false"), true, false, nil},
		{"Null", "aws:PrincipalOrgID", v("TRUE"), false, true, nil},
		{"Null", "aws:PrincipalOrgID", v("true", "false"), true, true, nil},
		{"Null", "aws:PrincipalTag/Team", v("false"), true, false, nil},
		{"Null", "aws:PrincipalOrgPaths", v("true"), false, true, &fal},
		{"Null", "aws:PrincipalOrgPaths", v("false"), true, false, &tru},
		{"Null", "sagemaker:PipelineVersionId", v("true"), false, true, nil},
		{"Null", "aws:PrincipalAccount", v("true"), false, false, nil},
		{"Null", "aws:CurrentTime", v("false"), true, true, nil},
		{"Null", "aws:SecureTransport", v("true"), false, false, nil},

		// Bool keys are constants: SecureTransport true, ViaAWSService false.
		{"Bool", "aws:SecureTransport", v("true"), true, true, nil},
		{"Bool", "aws:SecureTransport", v("False"), false, false, nil},
		{"Bool", "aws:ViaAWSService", v("false"), true, true, nil},
		{"Bool", "aws:ViaAWSService", v("TRUE"), false, false, nil},
		{"BoolIfExists", "aws:SecureTransport", v("true"), true, true, nil},
		{"Bool", "aws:SecureTransport", v("false", "true"), true, true, nil},

		// Dates against aws:CurrentTime = 2026-01-05T12:00:00Z.
		{"DateGreaterThan", "aws:CurrentTime", v("2026-01-05T00:00:00Z"), true, true, nil},
		{"DateGreaterThan", "aws:CurrentTime", v("2026-01-05T12:00:00Z"), false, false, nil},
		{"DateGreaterThanEquals", "aws:CurrentTime", v("2026-01-05T12:00:00Z"), true, true, nil},
		{"DateLessThan", "aws:CurrentTime", v("2026-01-05T12:00:00Z"), false, false, nil},
		{"DateLessThan", "aws:CurrentTime", v("2026-01-05T12:00:00.000000001Z"), true, true, nil},
		{"DateLessThanEquals", "aws:CurrentTime", v("2026-01-05T12:00:00Z"), true, true, nil},
		{"DateEquals", "aws:CurrentTime", v("2026-01-05T13:00:00+01:00"), true, true, nil}, // any offset
		{"DateEquals", "aws:CurrentTime", v("2026-01-05T12:00Z"), true, true, nil},         // no seconds
		{"DateEquals", "aws:CurrentTime", v("1767614400"), true, true, nil},                // epoch seconds
		{"DateEquals", "aws:CurrentTime", v("2026-01-05"), false, false, nil},              // midnight UTC
		{"DateLessThan", "aws:CurrentTime", v("2026-01-06"), true, true, nil},
		{"DateNotEquals", "aws:CurrentTime", v("2026-01-05T12:00:00Z"), false, false, nil},
		{"DateNotEquals", "aws:CurrentTime", v("2026-01-05T11:00:00Z"), true, true, nil},
		{"DateNotEquals", "aws:CurrentTime", v("2026-01-05T11:00:00Z", "2026-01-05T12:00:00Z"), false, false, nil},
		{"DateLessThan", "aws:CurrentTime", v("2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z"), true, true, nil},
		{"DateLessThanIfExists", "aws:CurrentTime", v("2020-01-01T00:00:00Z"), false, false, nil},

		// aws:PrincipalOrgPaths without a qualifier: a positive operator holds
		// if some path matches, a negated one if none does.
		{"StringLike", "aws:PrincipalOrgPaths", v("o-abc123/r-root/ou-ml/*"), true, false, &fal},
		{"StringLike", "aws:PrincipalOrgPaths", v("o-abc123/r-root/ou-x/*"), false, false, &fal},
		{"StringNotLike", "aws:PrincipalOrgPaths", v("o-abc123/r-root/ou-ml/*"), false, true, &tru},
		{"StringNotLike", "aws:PrincipalOrgPaths", v("o-abc123/r-root/ou-x/*"), true, true, &tru},
		{"StringEquals", "aws:PrincipalOrgPaths", v("o-abc123/r-root/ou-shared/"), true, false, &fal},
		{"StringLikeIfExists", "aws:PrincipalOrgPaths", v("o-abc123/r-root/ou-x/*"), false, true, &fal},

		// ForAnyValue: some request value satisfies the operator; missing or empty is false.
		{"ForAnyValue:StringLike", "aws:PrincipalOrgPaths", v("o-abc123/r-root/ou-ml/*"), true, false, &fal},
		{"ForAnyValue:StringLike", "aws:PrincipalOrgPaths", v("nope/*"), false, false, &fal},
		// ...per value, a negated operator: one path (ou-shared) matches no value.
		{"ForAnyValue:StringNotLike", "aws:PrincipalOrgPaths", v("o-abc123/r-root/ou-ml/*"), true, false, &fal},
		{"ForAnyValue:StringNotLike", "aws:PrincipalOrgPaths", v("o-abc123/r-root/*"), false, false, &fal},
		{"ForAnyValue:StringEquals", "aws:PrincipalAccount", v("222222222222"), true, false, nil},
		{"ForAnyValue:StringEquals", "aws:PrincipalOrgID", v("o-abc123"), true, false, nil},
		{"ForAnyValue:StringEqualsIfExists", "aws:PrincipalOrgID", v("o-abc123"), true, true, nil},

		// ForAllValues: every request value satisfies the operator; missing or empty is true.
		{"ForAllValues:StringLike", "aws:PrincipalOrgPaths", v("o-abc123/r-root/*"), true, true, &tru},
		{"ForAllValues:StringLike", "aws:PrincipalOrgPaths", v("o-abc123/r-root/ou-ml/*"), false, true, &tru},
		{"ForAllValues:StringLike", "aws:PrincipalOrgPaths", v("o-abc123/r-root/ou-ml/*", "o-abc123/r-root/ou-shared/"), true, true, &tru},
		{"ForAllValues:StringNotLike", "aws:PrincipalOrgPaths", v("o-x/*"), true, true, &tru},
		{"ForAllValues:StringNotLike", "aws:PrincipalOrgPaths", v("*/ou-shared/"), false, true, &tru},
		{"ForAllValues:StringEquals", "aws:PrincipalTag/team", v("ml"), true, true, nil},
		{"ForAllValues:StringEquals", "aws:PrincipalTag/team", v("ops"), false, true, nil},
		{"ForAllValues:StringNotEquals", "aws:PrincipalOrgID", v("o-abc123"), false, true, nil},
		{"ForAllValues:DateLessThan", "aws:CurrentTime", v("2030-01-01T00:00:00Z"), true, true, nil},
		{"ForAllValues:ArnLike", "aws:PrincipalArn", v("arn:aws:iam::*:root"), false, true, nil},
	}
	for _, tt := range tests {
		c := mustCompile(t, tt.op, tt.key, tt.values...)
		assert.Equal(t, tt.inOrg, c.Eval(&inOrg), "%s %s %q in org", tt.op, tt.key, tt.values)
		assert.Equal(t, tt.outside, c.Eval(&outside), "%s %s %q outside", tt.op, tt.key, tt.values)
		if tt.emptyPathsValue != nil {
			assert.Equal(t, *tt.emptyPathsValue, c.Eval(&emptyPaths), "%s %s %q with empty OU paths", tt.op, tt.key, tt.values)
		}
	}
}

func TestCompileConditionErrors(t *testing.T) {
	pos := Pos{File: "p.yaml", Line: 12, Col: 9}
	tests := []struct {
		op, key string
		values  []string
		msg     string
	}{
		{"NumericEquals", "aws:PrincipalAccount", []string{"1"}, `unsupported condition operator "NumericEquals"`},
		{"IpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, `unsupported condition operator "IpAddress"`},
		{"BinaryEquals", "aws:PrincipalAccount", []string{"AA=="}, `unsupported condition operator "BinaryEquals"`},
		{"ForAnyValue:NumericLessThan", "aws:PrincipalAccount", []string{"1"}, `unsupported condition operator "ForAnyValue:NumericLessThan"`},
		{"stringequals", "aws:PrincipalAccount", []string{"1"}, `unsupported condition operator "stringequals" (operator names are case-sensitive: did you mean "StringEquals"?)`},
		{"forAnyValue:StringLikeifexists", "aws:PrincipalAccount", []string{"1"}, `unsupported condition operator "forAnyValue:StringLikeifexists" (operator names are case-sensitive: did you mean "ForAnyValue:StringLikeIfExists"?)`},
		{"ForAnyValue:", "aws:PrincipalAccount", []string{"1"}, `unsupported condition operator "ForAnyValue:"`},
		{"IfExists", "aws:PrincipalAccount", []string{"1"}, `unsupported condition operator "IfExists"`},
		{"StringEqualsIfExistsIfExists", "aws:PrincipalAccount", []string{"1"}, `unsupported condition operator "StringEqualsIfExistsIfExists"`},
		{"ForAllValues:ForAnyValue:StringEquals", "aws:PrincipalAccount", []string{"1"}, `unsupported condition operator "ForAllValues:ForAnyValue:StringEquals"`},
		{"NullIfExists", "aws:PrincipalOrgID", []string{"true"}, `unsupported condition operator "NullIfExists": Null takes no IfExists suffix`},

		{"StringEquals", "aws:SourceIp", []string{"x"}, `unsupported condition key "aws:SourceIp"`},
		{"StringEquals", "aws:PrincipalOrgId2", []string{"x"}, `unsupported condition key "aws:PrincipalOrgId2"`},
		{"StringEquals", "sagemaker:ResourceTag/team", []string{"x"}, `unsupported condition key "sagemaker:ResourceTag/team"`},
		{"StringEquals", "aws:PrincipalTag/", []string{"x"}, `condition key "aws:PrincipalTag/" needs a tag key (aws:PrincipalTag/<tag-key>)`},
		{"StringEquals", "aws:PrincipalTag/${aws:username}", []string{"x"}, `policy variables are not supported`},

		{"DateLessThan", "aws:PrincipalAccount", []string{"2026-01-01T00:00:00Z"}, `condition operator "DateLessThan" needs a date key (aws:CurrentTime), not "aws:PrincipalAccount"`},
		{"Bool", "aws:PrincipalOrgID", []string{"true"}, `condition operator "Bool" needs a boolean key (aws:SecureTransport or aws:ViaAWSService), not "aws:PrincipalOrgID"`},
		{"ArnLike", "aws:PrincipalAccount", []string{"*"}, `condition operator "ArnLike" needs an ARN key (aws:PrincipalArn), not "aws:PrincipalAccount"`},
		{"ArnNotEqualsIfExists", "aws:PrincipalTag/arn", []string{"*"}, `condition operator "ArnNotEqualsIfExists" needs an ARN key`},
		{"StringEquals", "aws:CurrentTime", []string{"x"}, `condition operator "StringEquals" needs a string key, not "aws:CurrentTime" (use a Date operator)`},
		{"StringLike", "aws:SecureTransport", []string{"true"}, `condition operator "StringLike" needs a string key, not "aws:SecureTransport" (use Bool)`},

		{"StringEquals", "aws:PrincipalAccount", nil, `condition "StringEquals" on "aws:PrincipalAccount" has no values`},
		{"StringEquals", "aws:PrincipalAccount", []string{}, `has no values`},
		{"StringEquals", "aws:PrincipalArn", []string{"ok", "arn:aws:iam::${aws:PrincipalAccount}:root"}, `policy variables are not supported`},
		{"Bool", "aws:SecureTransport", []string{"yes"}, `Bool condition value "yes" must be "true" or "false"`},
		{"Bool", "aws:SecureTransport", []string{"1"}, `Bool condition value "1" must be "true" or "false"`},
		{"Null", "aws:PrincipalOrgID", []string{"true", "maybe"}, `Null condition value "maybe" must be "true" or "false"`},
		{"DateLessThan", "aws:CurrentTime", []string{"tomorrow"}, `date condition value "tomorrow" is not a date (want RFC 3339 like 2026-01-05T00:00:00Z, or epoch seconds)`},
		{"DateLessThan", "aws:CurrentTime", []string{"2026-01-05 00:00:00"}, `is not a date`},
		{"DateLessThan", "aws:CurrentTime", []string{"2026-13-05T00:00:00Z"}, `is not a date`},
		{"DateLessThan", "aws:CurrentTime", []string{"1.5"}, `is not a date`},
		{"DateLessThan", "aws:CurrentTime", []string{""}, `is not a date`},
		{"DateLessThan", "aws:CurrentTime", []string{"99999999999999999999"}, `date condition value "99999999999999999999" is out of range`},
		{"DateLessThan", "aws:CurrentTime", []string{"9223372036"}, `is out of range`},
		{"DateLessThan", "aws:CurrentTime", []string{"3000-01-01T00:00:00Z"}, `date condition value "3000-01-01T00:00:00Z" is out of range`},
		{"DateLessThan", "aws:CurrentTime", []string{"1000-01-01T00:00:00Z"}, `is out of range`},
	}
	for _, tt := range tests {
		c, err := CompileCondition(tt.op, tt.key, tt.values, pos)
		require.Error(t, err, "%s %s %q", tt.op, tt.key, tt.values)
		var pe *PosError
		require.True(t, errors.As(err, &pe), "%T is not a *PosError", err)
		assert.Equal(t, pos, pe.Pos)
		assert.Contains(t, pe.Msg, tt.msg, "%s %s %q", tt.op, tt.key, tt.values)
		assert.Equal(t, "p.yaml:12:9: "+pe.Msg, err.Error())
		assert.Equal(t, Condition{}, c)
	}
}

func TestCompileConditionKeepsPos(t *testing.T) {
	pos := Pos{File: "s.yaml", Line: 40, Col: 11}
	c, err := CompileCondition("Bool", "aws:SecureTransport", []string{"true"}, pos)
	require.NoError(t, err)
	assert.Equal(t, pos, c.Pos)
}

func TestCompileConditionCopiesValues(t *testing.T) {
	vals := []string{"222222222222"}
	c := mustCompile(t, "StringEquals", "aws:PrincipalAccount", vals...)
	vals[0] = "999999999999"
	assert.True(t, c.Eval(&inOrg), "the compiled condition must not alias the caller's slice")
}

func TestDateValues(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"2026-01-05T00:00:00Z", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)},
		{"2026-01-05T02:30:00+02:30", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)},
		{"2026-01-04T19:00:00-05:00", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)},
		{"2026-01-05T00:00:00.25Z", time.Date(2026, 1, 5, 0, 0, 0, 250_000_000, time.UTC)},
		{"2026-01-05T00:00Z", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)},
		{"2026-01-05", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)},
		{"1767571200", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)},
		{"0", time.Unix(0, 0)},
		{"-86400", time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)},
	} {
		c := mustCompile(t, "DateEquals", "aws:CurrentTime", tt.in)
		th := c.AppendTimeThresholds(nil)
		assert.Equal(t, []int64{tt.want.UnixNano(), tt.want.UnixNano() + 1}, th, tt.in)
	}
}

func TestAppendTimeThresholds(t *testing.T) {
	t1 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC).UnixNano()
	t2 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC).UnixNano()

	c := mustCompile(t, "DateLessThan", "aws:CurrentTime", "2026-01-05T00:00:00Z", "2026-02-01T00:00:00Z")
	dst := []int64{42}
	assert.Equal(t, []int64{42, t1, t1 + 1, t2, t2 + 1}, c.AppendTimeThresholds(dst))

	for _, c := range []Condition{
		mustCompile(t, "StringEquals", "aws:PrincipalAccount", "1"),
		mustCompile(t, "Null", "aws:CurrentTime", "true"),
		mustCompile(t, "Bool", "aws:SecureTransport", "true"),
	} {
		assert.Equal(t, []int64{42}, c.AppendTimeThresholds([]int64{42}))
	}

	// The thresholds are where the result changes: constant between them.
	for _, op := range []string{"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"} {
		c := mustCompile(t, op, "aws:CurrentTime", "2026-01-05T00:00:00Z")
		th := c.AppendTimeThresholds(nil)
		require.Len(t, th, 2)
		at := func(ns int64) bool { ctx := CondContext{CurrentTime: ns}; return c.Eval(&ctx) }
		before, on, after := at(th[0]-1), at(th[0]), at(th[1])
		assert.Equal(t, before, at(th[0]-int64(time.Hour)), op)
		assert.Equal(t, after, at(th[1]+int64(time.Hour)), op)
		assert.True(t, before != on || on != after, "%s: the result must change at a threshold", op)
	}
}

func TestConditionEvalDoesNotAllocate(t *testing.T) {
	conds := []Condition{
		mustCompile(t, "StringEquals", "aws:PrincipalAccount", "111111111111", "222222222222"),
		mustCompile(t, "StringEqualsIgnoreCase", "aws:PrincipalTag/Team", "ML"),
		mustCompile(t, "StringNotLike", "aws:PrincipalTag/project", "x*"),
		mustCompile(t, "ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/team/*"),
		mustCompile(t, "ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "o-abc123/r-root/ou-ml/*"),
		mustCompile(t, "ForAllValues:StringLike", "aws:PrincipalOrgPaths", "o-abc123/*"),
		mustCompile(t, "StringNotEqualsIfExists", "aws:PrincipalOrgID", "o-x"),
		mustCompile(t, "DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z"),
		mustCompile(t, "Bool", "aws:SecureTransport", "true"),
		mustCompile(t, "Null", "sagemaker:PipelineVersionId", "false"),
	}
	n := 0
	allocs := testing.AllocsPerRun(100, func() {
		for i := range conds {
			if conds[i].Eval(&inOrg) {
				n++
			}
			if conds[i].Eval(&outside) {
				n++
			}
		}
	})
	require.Zero(t, allocs)
	require.NotZero(t, n)
}

func BenchmarkConditionEval(b *testing.B) {
	cases := []struct{ name, op, key, value string }{
		{"StringEquals", "StringEquals", "aws:PrincipalAccount", "222222222222"},
		{"StringLike-tag", "StringLike", "aws:PrincipalTag/team", "m*"},
		{"ArnLike", "ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/team/*"},
		{"ForAnyValue-OrgPaths", "ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "o-abc123/r-root/ou-shared/*"},
		{"DateLessThan", "DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z"},
	}
	for _, c := range cases {
		cond := mustCompile(b, c.op, c.key, c.value)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cond.Eval(&inOrg)
			}
		})
	}
}
