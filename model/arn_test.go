package model

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAccountID(t *testing.T) {
	id, err := ParseAccountID("012345678901")
	require.NoError(t, err)
	assert.Equal(t, AccountID("012345678901"), id)

	for _, tt := range []struct{ in, err string }{
		{"", `account ID "" must be 12 digits, not 0 characters`},
		{"12345678901", `account ID "12345678901" must be 12 digits, not 11 characters`},
		{"1234567890123", `account ID "1234567890123" must be 12 digits, not 13 characters`},
		{"12345678901a", `account ID "12345678901a" must be 12 digits: 'a' at offset 11 is not a digit`},
		{" 12345678901", `account ID " 12345678901" must be 12 digits: ' ' at offset 0 is not a digit`},
		{"-12345678901", `account ID "-12345678901" must be 12 digits: '-' at offset 0 is not a digit`},
		{"１２３４５６７８９０１２"[:12], "must be 12 digits"}, // full-width digits are not ASCII
	} {
		id, err := ParseAccountID(tt.in)
		require.Error(t, err, "ParseAccountID(%q)", tt.in)
		assert.Contains(t, err.Error(), tt.err, "ParseAccountID(%q)", tt.in)
		assert.Empty(t, id)
	}
}

func TestParseARN(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want ARN
	}{
		{"arn:aws:sagemaker:us-east-1:111111111111:pipeline/p1",
			ARN{"aws", "sagemaker", "us-east-1", "111111111111", "pipeline/p1"}},
		{"arn:aws:iam::111111111111:role/a/b/R",
			ARN{"aws", "iam", "", "111111111111", "role/a/b/R"}},
		{"arn:aws:s3:::bucket/key:with:colons",
			ARN{"aws", "s3", "", "", "bucket/key:with:colons"}},
		{"arn:aws-cn:sagemaker:*:*:*", ARN{"aws-cn", "sagemaker", "*", "*", "*"}},
	} {
		got, err := ParseARN(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		assert.Equal(t, tt.in, got.String())
	}

	for _, tt := range []struct{ in, err string }{
		{"", `malformed ARN "": want prefix "arn:"`},
		{"ARN:aws:iam::111111111111:root", `malformed ARN "ARN:aws:iam::111111111111:root": want prefix "arn:"`},
		{"aws:iam::111111111111:root", `want prefix "arn:"`},
		{"arn:", `malformed ARN "arn:": want 6 colon-separated parts`},
		{"arn:aws:iam:111111111111:root", `malformed ARN "arn:aws:iam:111111111111:root": want 6 colon-separated parts`},
		{"arn:aws:sagemaker:us-east-1:111111111111", `want 6 colon-separated parts`},
		{"arn::iam::111111111111:root", `malformed ARN "arn::iam::111111111111:root": empty partition`},
		{"arn:aws:::111111111111:root", `malformed ARN "arn:aws:::111111111111:root": empty service`},
		{"arn:aws:iam::111111111111:", `malformed ARN "arn:aws:iam::111111111111:": empty resource`},
	} {
		got, err := ParseARN(tt.in)
		require.Error(t, err, "ParseARN(%q)", tt.in)
		assert.Contains(t, err.Error(), tt.err)
		assert.Equal(t, ARN{}, got)
	}
}

func FuzzParseARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:sagemaker:us-east-1:111111111111:pipeline/p1/execution/abc",
		"arn:aws:iam::111111111111:root",
		"arn:aws:sts::111111111111:assumed-role/R/s",
		"arn:aws:s3:::b/k:x",
		"arn:::::",
		"arn:a:b:c:d",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseARN(s)
		if err != nil {
			require.Equal(t, ARN{}, a)
			require.True(t, strings.HasPrefix(err.Error(), "malformed ARN "), err.Error())
			return
		}
		require.Equal(t, s, a.String(), "round trip")
		require.NotEmpty(t, a.Partition)
		require.NotEmpty(t, a.Service)
		require.NotEmpty(t, a.Resource)
		for _, part := range []string{a.Partition, a.Service, a.Region, a.Account} {
			require.NotContains(t, part, ":")
		}
		again, err := ParseARN(a.String())
		require.NoError(t, err)
		require.Equal(t, a, again)

		// The stricter parsers must not panic either, and agree with ParseARN.
		if ref, err := ParsePipelineARN(s); err == nil {
			require.Equal(t, "sagemaker", a.Service)
			require.Equal(t, string(ref.Account), a.Account)
		}
		if acct, name, err := ParsePrincipalARN(s); err == nil {
			require.Equal(t, string(acct), a.Account)
			require.True(t, ValidPrincipalName(name), name)
		}
	})
}

func TestParsePipelineARN(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want PipelineRef
	}{
		{"arn:aws:sagemaker:us-east-1:111111111111:pipeline/abalonepipeline",
			PipelineRef{"us-east-1", "111111111111", "abalonepipeline", ""}},
		{"arn:aws:sagemaker:eu-west-2:012345678901:pipeline/AbalonePipeline",
			PipelineRef{"eu-west-2", "012345678901", "AbalonePipeline", ""}},
		{"arn:aws:sagemaker:us-east-1:111111111111:pipeline/my-pipe--1/execution/4wemqw2sucgh",
			PipelineRef{"us-east-1", "111111111111", "my-pipe--1", "4wemqw2sucgh"}},
		{"arn:aws:sagemaker:us-east-1:111111111111:pipeline/p/execution/*",
			PipelineRef{"us-east-1", "111111111111", "p", "*"}},
	} {
		got, err := ParsePipelineARN(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}

	const p = "arn:aws:sagemaker:us-east-1:111111111111:"
	for _, tt := range []struct{ in, err string }{
		{"pipeline/p", `malformed ARN "pipeline/p": want prefix "arn:"`},
		{"arn:aws:sagemaker:us-east-1:pipeline/p", `want 6 colon-separated parts`},
		{"arn:aws-cn:sagemaker:cn-north-1:111111111111:pipeline/p", `malformed pipeline ARN "arn:aws-cn:sagemaker:cn-north-1:111111111111:pipeline/p": partition must be "aws", not "aws-cn"`},
		{"arn:aws:SageMaker:us-east-1:111111111111:pipeline/p", `service must be "sagemaker", not "SageMaker"`},
		{"arn:aws:s3:us-east-1:111111111111:pipeline/p", `service must be "sagemaker", not "s3"`},
		{"arn:aws:sagemaker::111111111111:pipeline/p", `region "" must be non-empty lower-case letters, digits and '-'`},
		{"arn:aws:sagemaker:US-EAST-1:111111111111:pipeline/p", `region "US-EAST-1"`},
		{"arn:aws:sagemaker:us-east-1:aws:pipeline/p", `account ID "aws" must be 12 digits, not 3 characters`},
		{"arn:aws:sagemaker:us-east-1:*:pipeline/p", `account ID "*" must be 12 digits`},
		{p + "model/p", `resource must be pipeline/<name> or pipeline/<name>/execution/<id>`},
		{p + "Pipeline/p", `resource must be pipeline/<name>`},
		{p + "pipeline/p/executions/x", `resource must be pipeline/<name>`},
		{p + "pipeline/p/execution", `resource must be pipeline/<name>`},
		{p + "pipeline/", `pipeline name "" does not match [a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}`},
		{p + "pipeline/-p", `pipeline name "-p" does not match`},
		{p + "pipeline/p_1", `pipeline name "p_1" does not match`},
		{p + "pipeline/p*", `pipeline name "p*" does not match`},
		{p + "pipeline/p/execution/", `execution ID "" must be lower-case letters and digits, or *`},
		{p + "pipeline/p/execution/ABC", `execution ID "ABC" must be lower-case letters and digits, or *`},
		{p + "pipeline/p/execution/a*", `execution ID "a*"`},
		{p + "pipeline/p/execution/a/b", `execution ID "a/b"`},
	} {
		got, err := ParsePipelineARN(tt.in)
		require.Error(t, err, "ParsePipelineARN(%q)", tt.in)
		assert.Contains(t, err.Error(), tt.err)
		assert.Equal(t, PipelineRef{}, got)
	}
}

func TestPipelineAndExecutionARN(t *testing.T) {
	assert.Equal(t, "arn:aws:sagemaker:us-east-1:111111111111:pipeline/abalonepipeline",
		PipelineARN("us-east-1", "111111111111", "AbalonePipeline"))
	assert.Equal(t, "arn:aws:sagemaker:eu-west-1:222222222222:pipeline/my-pipe/execution/*",
		ExecutionARN("eu-west-1", "222222222222", "My-Pipe", "*"))
	assert.Equal(t, "arn:aws:sagemaker:eu-west-1:222222222222:pipeline/p/execution/4wemqw2sucgh",
		ExecutionARN("eu-west-1", "222222222222", "P", "4wemqw2sucgh"))

	// What PipelineARN and ExecutionARN format, ParsePipelineARN reads back.
	ref, err := ParsePipelineARN(ExecutionARN("us-west-2", "333333333333", "Train-Model", "abc9"))
	require.NoError(t, err)
	assert.Equal(t, PipelineRef{"us-west-2", "333333333333", "train-model", "abc9"}, ref)
	ref, err = ParsePipelineARN(PipelineARN("us-west-2", "333333333333", "X"))
	require.NoError(t, err)
	assert.Equal(t, PipelineRef{"us-west-2", "333333333333", "x", ""}, ref)
}

func TestPrincipalARN(t *testing.T) {
	for _, tt := range []struct {
		name, arn string
	}{
		{"root", "arn:aws:iam::111111111111:root"},
		{"role/Admin", "arn:aws:iam::111111111111:role/Admin"},
		{"role/team/ml/Trainer", "arn:aws:iam::111111111111:role/team/ml/Trainer"},
		{"user/alice@example.com", "arn:aws:iam::111111111111:user/alice@example.com"},
	} {
		assert.Equal(t, tt.arn, PrincipalARN("111111111111", tt.name))
		acct, name, err := ParsePrincipalARN(tt.arn)
		require.NoError(t, err, tt.arn)
		assert.Equal(t, AccountID("111111111111"), acct)
		assert.Equal(t, tt.name, name)
	}
}

func TestParsePrincipalARN(t *testing.T) {
	acct, name, err := ParsePrincipalARN("arn:aws:sts::222222222222:assumed-role/Trainer/botocore-session-1700000000")
	require.NoError(t, err)
	assert.Equal(t, AccountID("222222222222"), acct)
	assert.Equal(t, "role/Trainer", name)

	for _, tt := range []struct{ in, err string }{
		{"role/X", `malformed ARN "role/X": want prefix "arn:"`},
		{"arn:aws:iam::111111111111", `want 6 colon-separated parts`},
		{"arn:aws-us-gov:iam::111111111111:root", `malformed principal ARN "arn:aws-us-gov:iam::111111111111:root": partition must be "aws", not "aws-us-gov"`},
		{"arn:aws:iam:us-east-1:111111111111:root", `region must be empty for iam ARNs`},
		{"arn:aws:sagemaker::111111111111:root", `service must be "iam" or "sts", not "sagemaker"`},
		{"arn:aws:iam::11111111111:root", `account ID "11111111111" must be 12 digits, not 11 characters`},
		{"arn:aws:iam::111111111111:group/G", `resource must be root, role/[path/]Name or user/[path/]Name`},
		{"arn:aws:iam::111111111111:role/", `resource must be root, role/[path/]Name or user/[path/]Name`},
		{"arn:aws:iam::111111111111:role/a//X", `resource must be root`},
		{"arn:aws:iam::111111111111:role/*", `resource must be root`},
		{"arn:aws:iam::111111111111:Root", `resource must be root`},
		{"arn:aws:sts::111111111111:assumed-role/R", `an sts ARN must be assumed-role/RoleName/SessionName`},
		{"arn:aws:sts::111111111111:assumed-role/R/", `an sts ARN must be assumed-role/RoleName/SessionName`},
		{"arn:aws:sts::111111111111:assumed-role//s", `an sts ARN must be assumed-role/RoleName/SessionName`},
		{"arn:aws:sts::111111111111:assumed-role/R/s/x", `an sts ARN must be assumed-role/RoleName/SessionName`},
		{"arn:aws:sts::111111111111:federated-user/bob", `an sts ARN must be assumed-role/RoleName/SessionName`},
	} {
		acct, name, err := ParsePrincipalARN(tt.in)
		require.Error(t, err, "ParsePrincipalARN(%q)", tt.in)
		assert.Contains(t, err.Error(), tt.err)
		assert.Empty(t, acct)
		assert.Empty(t, name)
	}
}

func TestValidPrincipalName(t *testing.T) {
	long := strings.Repeat("a", 64)
	for _, s := range []string{
		"root", "role/X", "user/X", "role/p/X", "role/a/b/c/X", "user/a.b+c=d,e@f_g-h",
		"role/" + long, "role/" + strings.Repeat("p/", 255) + "X", // path "/p/…/p/" is 511 characters
	} {
		assert.True(t, ValidPrincipalName(s), s)
	}
	for _, s := range []string{
		"", "Root", "root/X", "role", "role/", "user/", "group/X", "role/X/", "role//X", "/role/X",
		"role/a b", "role/X*", "role/é", "role/" + long + "a",
		"role/" + strings.Repeat("p/", 256) + "X", // path of 513 characters
	} {
		assert.False(t, ValidPrincipalName(s), s)
	}
}

func TestValidPipelineName(t *testing.T) {
	re := regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$`)
	cases := []string{
		"", "a", "A", "0", "-", "a-", "-a", "a-b", "a--b", "Abalone-Pipeline-2",
		"a_b", "a.b", "a b", "é", "a\x00",
		strings.Repeat("a", 256), strings.Repeat("a", 257),
		strings.Repeat("a-", 255) + "a", strings.Repeat("a-", 256) + "a",
		strings.Repeat("a---", 100) + "b",
	}
	for _, s := range cases {
		assert.Equal(t, re.MatchString(s), ValidPipelineName(s), "%q", s)
	}
	// And the regexp verdicts are what we expect, so the comparison is not vacuous.
	assert.True(t, ValidPipelineName(strings.Repeat("a", 256)))
	assert.False(t, ValidPipelineName(strings.Repeat("a", 257)))
	assert.True(t, ValidPipelineName("a--b"))
	assert.False(t, ValidPipelineName("a-"))
}
