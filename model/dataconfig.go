package model

// This file holds the configuration of the data plane: S3 buckets, KMS
// keys and resource control policies (docs/aws-semantics.md#data-plane).

// ObjectOwnership is an S3 bucket's Object Ownership setting.
type ObjectOwnership uint8

const (
	// OwnershipBucketOwnerEnforced disables ACLs: the bucket owner owns
	// every object (S3's default for new buckets).
	OwnershipBucketOwnerEnforced ObjectOwnership = iota
	// OwnershipBucketOwnerPreferred makes the bucket owner own objects
	// written with the bucket-owner-full-control ACL.
	OwnershipBucketOwnerPreferred
	// OwnershipObjectWriter makes the writing account own the objects it
	// writes.
	OwnershipObjectWriter
)

var ownershipNames = [...]string{"BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"}

// String returns the S3 name, e.g. "BucketOwnerEnforced".
func (o ObjectOwnership) String() string {
	if int(o) < len(ownershipNames) {
		return ownershipNames[o]
	}
	return "invalid"
}

// ParseObjectOwnership parses an S3 Object Ownership name.
func ParseObjectOwnership(s string) (ObjectOwnership, bool) {
	for i, n := range ownershipNames {
		if n == s {
			return ObjectOwnership(i), true
		}
	}
	return 0, false
}

// ObjectOwnershipNames lists the Object Ownership settings, S3's default first.
func ObjectOwnershipNames() []string { return ownershipNames[:] }

// BucketConfig is an S3 bucket.
type BucketConfig struct {
	Name    Ref
	Account Ref
	Region  Ref        // S == "": the scenario's region
	Policy  *PolicyDoc // the bucket policy; nil for none
	// KMSKey is the default encryption key (SSE-KMS): a key ID, alias
	// or ARN of Config.Keys; S == "" for SSE-S3.
	KMSKey    Ref
	Ownership ObjectOwnership
	Pos       Pos
}

// KeyConfig is a KMS key.
type KeyConfig struct {
	ID      Ref // the key ID, e.g. "1234abcd-12ab-34cd-56ef-1234567890ab"
	Alias   Ref // "alias/name", S == "" for none
	Account Ref
	Region  Ref        // S == "": the scenario's region
	Policy  *PolicyDoc // the key policy; nil for AWS's default key policy
	Pos     Pos
}

// RCPConfig attaches resource control policies to the organization's
// root ("/"), an OU ("/path") or a member account (its ID), as units
// and accounts attach SCPs. AWS's RCPFullAWSAccess is attached everywhere
// and cannot be detached, so RCPs only deny.
type RCPConfig struct {
	Target   Ref
	Policies []Ref
	Pos      Pos
}

// PrincipalDoc is one entry of a statement's Principal element:
// Kind "AWS" ("*", an account ID or an IAM or STS ARN) or "Service"
// (a service principal such as sagemaker.amazonaws.com).
type PrincipalDoc struct {
	Kind  string
	Value Ref
}
