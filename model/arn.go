package model

import (
	"fmt"
	"strings"
)

// AccountID is a 12-digit AWS account ID.
type AccountID string

// ParseAccountID checks that s is exactly 12 ASCII digits.
func ParseAccountID(s string) (AccountID, error) {
	if len(s) != 12 {
		return "", fmt.Errorf("account ID %q must be 12 digits, not %d characters", s, len(s))
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			return "", fmt.Errorf("account ID %q must be 12 digits: %q at offset %d is not a digit", s, c, i)
		}
	}
	return AccountID(s), nil
}

// ARN is a parsed Amazon Resource Name.
type ARN struct{ Partition, Service, Region, Account, Resource string }

// ParseARN parses "arn:partition:service:region:account:resource". The
// partition, service and resource must be non-empty; region and account may
// be empty (IAM ARNs have no region). The resource may itself contain ':'
// and '/'. A successful parse round-trips: ParseARN(s).String() == s.
func ParseARN(s string) (ARN, error) {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return ARN{}, fmt.Errorf("malformed ARN %q: want prefix \"arn:\"", s)
	}
	var parts [5]string // partition, service, region, account, resource
	for i := range 4 {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return ARN{}, fmt.Errorf("malformed ARN %q: want 6 colon-separated parts", s)
		}
		parts[i], rest = rest[:j], rest[j+1:]
	}
	parts[4] = rest
	a := ARN{Partition: parts[0], Service: parts[1], Region: parts[2], Account: parts[3], Resource: parts[4]}
	switch {
	case a.Partition == "":
		return ARN{}, fmt.Errorf("malformed ARN %q: empty partition", s)
	case a.Service == "":
		return ARN{}, fmt.Errorf("malformed ARN %q: empty service", s)
	case a.Resource == "":
		return ARN{}, fmt.Errorf("malformed ARN %q: empty resource", s)
	}
	return a, nil
}

// String formats a.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// PipelineRef is what a SageMaker pipeline or execution ARN names.
type PipelineRef struct {
	Region    string
	Account   AccountID
	Pipeline  string // as written in the ARN (lower-case for real ARNs)
	Execution string // "" for a pipeline ARN
}

// ParsePipelineARN parses a pipeline ARN or an execution ARN.
//
// It accepts arn:aws:sagemaker:REGION:ACCOUNT:pipeline/NAME and
// …:pipeline/NAME/execution/ID, where the partition is "aws" (the only one
// the model formats), REGION is non-empty lower-case letters, digits and
// '-', ACCOUNT is 12 digits, NAME satisfies [ValidPipelineName] (in any case)
// and ID is lower-case letters and digits, or "*".
func ParsePipelineARN(s string) (PipelineRef, error) {
	a, err := ParseARN(s)
	if err != nil {
		return PipelineRef{}, err
	}
	bad := func(why string, args ...any) error {
		return fmt.Errorf("malformed pipeline ARN %q: "+why, append([]any{s}, args...)...)
	}
	if a.Partition != "aws" {
		return PipelineRef{}, bad("partition must be \"aws\", not %q", a.Partition)
	}
	if a.Service != "sagemaker" {
		return PipelineRef{}, bad("service must be \"sagemaker\", not %q", a.Service)
	}
	if !validRegion(a.Region) {
		return PipelineRef{}, bad("region %q must be non-empty lower-case letters, digits and '-'", a.Region)
	}
	acct, err := ParseAccountID(a.Account)
	if err != nil {
		return PipelineRef{}, bad("%v", err)
	}
	name, ok := strings.CutPrefix(a.Resource, "pipeline/")
	if !ok {
		return PipelineRef{}, bad("resource must be pipeline/<name> or pipeline/<name>/execution/<id>")
	}
	name, exec, isExec := strings.Cut(name, "/")
	if isExec {
		var ok bool
		exec, ok = strings.CutPrefix(exec, "execution/")
		if !ok {
			return PipelineRef{}, bad("resource must be pipeline/<name> or pipeline/<name>/execution/<id>")
		}
		if !validExecutionID(exec) {
			return PipelineRef{}, bad("execution ID %q must be lower-case letters and digits, or *", exec)
		}
	}
	if !ValidPipelineName(name) {
		return PipelineRef{}, bad("pipeline name %q does not match [a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}", name)
	}
	return PipelineRef{Region: a.Region, Account: acct, Pipeline: name, Execution: exec}, nil
}

func validRegion(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func validExecutionID(s string) bool {
	if s == "*" {
		return true
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// PipelineARN formats arn:aws:sagemaker:<region>:<owner>:pipeline/<lower-cased name>.
func PipelineARN(region string, owner AccountID, name string) string {
	return "arn:aws:sagemaker:" + region + ":" + string(owner) + ":pipeline/" + strings.ToLower(name)
}

// ExecutionARN formats the execution ARN of pipeline name's execution id;
// id "*" gives the literal ".../execution/*".
func ExecutionARN(region string, owner AccountID, name, id string) string {
	return PipelineARN(region, owner, name) + "/execution/" + id
}

// PrincipalARN formats an IAM principal's ARN: "root" gives
// arn:aws:iam::<acct>:root, "role/p/X" gives arn:aws:iam::<acct>:role/p/X.
func PrincipalARN(acct AccountID, name string) string {
	return "arn:aws:iam::" + string(acct) + ":" + name
}

// ParsePrincipalARN parses an IAM role/user/root ARN, or an STS
// assumed-role ARN (arn:aws:sts::A:assumed-role/X/session gives role/X),
// into the account and the principal name used in scenarios.
func ParsePrincipalARN(s string) (AccountID, string, error) {
	a, err := ParseARN(s)
	if err != nil {
		return "", "", err
	}
	bad := func(why string, args ...any) error {
		return fmt.Errorf("malformed principal ARN %q: "+why, append([]any{s}, args...)...)
	}
	if a.Partition != "aws" {
		return "", "", bad("partition must be \"aws\", not %q", a.Partition)
	}
	if a.Region != "" {
		return "", "", bad("region must be empty for %s ARNs", a.Service)
	}
	var name string
	switch a.Service {
	case "iam":
		if !ValidPrincipalName(a.Resource) {
			return "", "", bad("resource must be root, role/[path/]Name or user/[path/]Name")
		}
		name = a.Resource
	case "sts":
		rest, ok := strings.CutPrefix(a.Resource, "assumed-role/")
		if !ok {
			return "", "", bad("an sts ARN must be assumed-role/RoleName/SessionName")
		}
		role, session, ok := strings.Cut(rest, "/")
		if !ok || !validIAMName(role) || !validIAMName(session) {
			return "", "", bad("an sts ARN must be assumed-role/RoleName/SessionName")
		}
		name = "role/" + role
	default:
		return "", "", bad("service must be \"iam\" or \"sts\", not %q", a.Service)
	}
	acct, err := ParseAccountID(a.Account)
	if err != nil {
		return "", "", bad("%v", err)
	}
	return acct, name, nil
}

// ValidPrincipalName reports whether s is "root", "role/[path/]Name" or "user/[path/]Name".
//
// Name is 1–64 of IAM's name characters [A-Za-z0-9+=,.@_-]; each path
// segment is non-empty and uses the same characters, the whole path at most
// 512 characters.
func ValidPrincipalName(s string) bool {
	if s == "root" {
		return true
	}
	rest, ok := strings.CutPrefix(s, "role/")
	if !ok {
		if rest, ok = strings.CutPrefix(s, "user/"); !ok {
			return false
		}
	}
	slash := strings.LastIndexByte(rest, '/')
	if !validIAMName(rest[slash+1:]) {
		return false
	}
	if slash < 0 {
		return true
	}
	path := rest[:slash]
	if len(path)+2 > 512 { // with its leading and trailing '/'
		return false
	}
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "" || !iamNameChars(seg) {
			return false
		}
	}
	return true
}

// validIAMName reports whether s is a valid IAM role or user name.
func validIAMName(s string) bool {
	return len(s) >= 1 && len(s) <= 64 && iamNameChars(s)
}

func iamNameChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+=,.@_-", c) >= 0) {
			return false
		}
	}
	return true
}

// ValidPipelineName reports whether s matches [a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}.
// That is: letters, digits and '-', starting and ending with a letter or a
// digit, with at most 256 letters and digits (hyphens are not counted).
func ValidPipelineName(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	alnum := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			alnum++
		case c == '-':
		default:
			return false
		}
	}
	return alnum <= 256
}
