package model

// Temporary stubs fixing the API of arn.go, match.go and condition.go while
// they are written. Delete this file when those files exist.

// AccountID is a 12-digit AWS account ID.
type AccountID string

// ParseAccountID checks that s is exactly 12 ASCII digits.
func ParseAccountID(s string) (AccountID, error) { return AccountID(s), nil }

// ARN is a parsed Amazon Resource Name.
type ARN struct{ Partition, Service, Region, Account, Resource string }

// ParseARN parses "arn:partition:service:region:account:resource".
func ParseARN(s string) (ARN, error) { return ARN{}, nil }

// String formats a.
func (a ARN) String() string { return "" }

// PipelineRef is what a SageMaker pipeline or execution ARN names.
type PipelineRef struct {
	Region    string
	Account   AccountID
	Pipeline  string // as written in the ARN (lower-case for real ARNs)
	Execution string // "" for a pipeline ARN
}

// ParsePipelineARN parses a pipeline ARN or an execution ARN.
func ParsePipelineARN(s string) (PipelineRef, error) { return PipelineRef{}, nil }

// PipelineARN formats arn:aws:sagemaker:<region>:<owner>:pipeline/<lower-cased name>.
func PipelineARN(region string, owner AccountID, name string) string { return "" }

// ExecutionARN formats the execution ARN of pipeline name's execution id;
// id "*" gives the literal ".../execution/*".
func ExecutionARN(region string, owner AccountID, name, id string) string { return "" }

// PrincipalARN formats an IAM principal's ARN: "root" gives
// arn:aws:iam::<acct>:root, "role/p/X" gives arn:aws:iam::<acct>:role/p/X.
func PrincipalARN(acct AccountID, name string) string { return "" }

// ParsePrincipalARN parses an IAM role/user/root ARN, or an STS
// assumed-role ARN (arn:aws:sts::A:assumed-role/X/session gives role/X),
// into the account and the principal name used in scenarios.
func ParsePrincipalARN(s string) (AccountID, string, error) { return "", "", nil }

// ValidPrincipalName reports whether s is "root", "role/[path/]Name" or "user/[path/]Name".
func ValidPrincipalName(s string) bool { return true }

// ValidPipelineName reports whether s matches [a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}.
func ValidPipelineName(s string) bool { return true }

// MatchWildcard reports whether s matches pattern, in which '*' matches any
// run of characters and '?' any one character. With fold, ASCII case is
// ignored. With arn, '*' and '?' do not match ':', except that a '*' at the
// very end of pattern matches the rest of s. It does not allocate.
func MatchWildcard(pattern, s string, fold, arn bool) bool { return false }

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
}

// Tag is a principal tag.
type Tag struct{ Key, Value string }

// Condition is one compiled (operator, key, values) entry of a statement's
// Condition block.
type Condition struct{ Pos Pos }

// CompileCondition compiles operator (e.g. "ForAnyValue:StringLikeIfExists"),
// key (e.g. "aws:PrincipalTag/team") and its values. An unsupported operator
// or key, a policy variable, or a malformed value is a *PosError at pos.
func CompileCondition(operator, key string, values []string, pos Pos) (Condition, error) {
	return Condition{Pos: pos}, nil
}

// Eval reports whether the condition holds in ctx.
func (c *Condition) Eval(ctx *CondContext) bool { return true }

// AppendTimeThresholds appends to dst the aws:CurrentTime instants (Unix ns)
// at which the condition's result can change: for each date value v, v and v+1.
func (c *Condition) AppendTimeThresholds(dst []int64) []int64 { return dst }
