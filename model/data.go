package model

import (
	"fmt"
	"strings"
)

// This file is the data plane's vocabulary: the S3 and KMS actions a
// step's data access needs, their reasons, and the buckets and keys of a
// World (docs/aws-semantics.md#data-plane).

// DataAction is an S3 or KMS action of a step's data access.
type DataAction uint8

const (
	S3GetObject DataAction = iota
	S3ListBucket
	S3PutObject
	KMSDecrypt
	KMSGenerateDataKey

	NumDataActions = 5
)

var dataActionNames = [NumDataActions]string{
	"s3:GetObject", "s3:ListBucket", "s3:PutObject", "kms:Decrypt", "kms:GenerateDataKey",
}

// String returns the IAM action name, e.g. "s3:GetObject".
func (a DataAction) String() string {
	if a >= NumDataActions {
		return "invalid"
	}
	return dataActionNames[a]
}

// IsKMS reports whether a is a KMS action (authorized against a key).
func (a DataAction) IsKMS() bool { return a == KMSDecrypt || a == KMSGenerateDataKey }

// DataActionSet is a set of data actions, one bit per [DataAction].
type DataActionSet uint8

// AllDataActions holds the five data actions.
const AllDataActions DataActionSet = 1<<NumDataActions - 1

// Has reports whether a is in s.
func (s DataActionSet) Has(a DataAction) bool { return s&(1<<a) != 0 }

// DataReason says why a data access was decided as it was.
type DataReason uint8

const (
	DataReasonNone DataReason = iota
	// DataAllowed: the policies allow the access.
	DataAllowed
	// DataExplicitDeny: an explicit Deny in the role's identity policies or
	// permissions boundary.
	DataExplicitDeny
	// DataSCP: the SCPs of the role's account deny (explicitly, or no
	// allow at a level without FullAWSAccess).
	DataSCP
	// DataRCP: an explicit Deny in an RCP of the resource's account.
	DataRCP
	// DataResourceDeny: an explicit Deny in the bucket or key policy.
	DataResourceDeny
	// DataNoIdentityAllow: the role's identity policies (within its
	// boundary) do not allow, and nothing else allows on their behalf.
	DataNoIdentityAllow
	// DataNoResourceAllow: the bucket or key policy neither allows the
	// role nor (for KMS in the same account) delegates to IAM.
	DataNoResourceAllow

	NumDataReasons
)

var dataReasonCodes = [NumDataReasons]string{"", "allowed", "explicit_deny", "scp", "rcp",
	"resource_deny", "no_identity_allow", "no_resource_allow"}

// String returns the reason code used in output, e.g. "no_resource_allow".
func (r DataReason) String() string {
	if r >= NumDataReasons {
		return "invalid"
	}
	return dataReasonCodes[r]
}

// BucketID indexes a World's buckets, in configuration order.
type BucketID int32

// KeyID indexes a World's KMS keys, in configuration order.
type KeyID int32

// NoKey marks a bucket without SSE-KMS default encryption.
const NoKey KeyID = -1

// DataAccess is one S3 or KMS request a step makes as its role: an S3
// action on Bucket (Object is the object key, or for s3:ListBucket the
// s3:prefix), or a KMS action on Key.
type DataAccess struct {
	Action DataAction
	Bucket BucketID
	Object string
	Key    KeyID
}

// DataAccessID indexes the accesses a World has interned.
type DataAccessID int32

type bucket struct {
	name      string
	account   int32
	region    string
	arn       string
	policy    PolicyID // noPolicy: none
	kmsKey    KeyID
	ownership ObjectOwnership
	pos       Pos
}

type kmsKey struct {
	id      string
	alias   string
	account int32
	region  string
	arn     string
	policy  PolicyID // the key policy (AWS's default when none is given)
	pos     Pos
}

// dataRow is a cached data-plane decision, valid for gen and [from, until).
type dataRow struct {
	reason DataReason
	gen    uint32
	from   Time
	until  Time
}

// dataState is the data plane of a World: buckets, keys, RCPs, the
// interned accesses and the decision cache.
type dataState struct {
	buckets     []bucket
	keys        []kmsKey
	bucketIndex map[string]BucketID
	ouRCPs      [][]PolicyID // per OU index
	acctRCPs    [][]PolicyID // per account index
	accesses    []DataAccess
	accessIndex map[DataAccess]DataAccessID
	cache       map[uint64]dataRow // (role, access) → decision
}

// IsAWSManagedKey reports whether ref (an alias or an alias ARN) names an
// AWS managed key, alias/aws/…: its key policy cannot be written, and it
// is usable only in its own account, through the service.
func IsAWSManagedKey(ref string) bool {
	return strings.HasPrefix(ref, "alias/aws/") || strings.Contains(ref, ":alias/aws/")
}

// ParseS3URI splits "s3://bucket/key" into the bucket name and the key (an
// object key or a prefix, not empty).
func ParseS3URI(s string) (bucketName, key string, err error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an S3 URI (want s3://bucket/key)", s)
	}
	bucketName, key, _ = strings.Cut(rest, "/")
	switch {
	case bucketName == "":
		return "", "", fmt.Errorf("S3 URI %q has no bucket (want s3://bucket/key)", s)
	case !validBucketName(bucketName):
		return "", "", fmt.Errorf("S3 URI %q: bucket name %q must be 3 to 63 lower-case letters, digits, '.' or '-'", s, bucketName)
	case key == "":
		return "", "", fmt.Errorf("S3 URI %q has no key or prefix (want s3://bucket/key)", s)
	}
	return bucketName, key, nil
}

// validBucketName reports whether s follows S3's bucket naming rules
// (lengths, characters, first and last characters).
func validBucketName(s string) bool {
	if len(s) < 3 || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '.' || c == '-') && i > 0 && i < len(s)-1:
		default:
			return false
		}
	}
	return true
}

// HasData reports whether the World declares buckets or keys.
func (w *World) HasData() bool { return len(w.data.buckets) > 0 || len(w.data.keys) > 0 }

// LookupBucket resolves a bucket name.
func (w *World) LookupBucket(name string) (BucketID, bool) {
	b, ok := w.data.bucketIndex[name]
	return b, ok
}

// LookupKey resolves a KMS key by its ID, alias ("alias/name"), key ARN or
// alias ARN.
func (w *World) LookupKey(s string) (KeyID, bool) {
	for i := range w.data.keys {
		k := &w.data.keys[i]
		if s == k.id || s == k.arn || k.alias != "" && (s == k.alias || s == k.aliasARN()) {
			return KeyID(i), true
		}
	}
	return NoKey, false
}

func (k *kmsKey) aliasARN() string {
	return strings.TrimSuffix(k.arn, "key/"+k.id) + k.alias
}

// BucketName returns bucket b's name.
func (w *World) BucketName(b BucketID) string { return w.data.buckets[b].name }

// BucketAccount returns the account that owns bucket b.
func (w *World) BucketAccount(b BucketID) AccountID { return w.accounts[w.data.buckets[b].account].id }

// BucketKey returns bucket b's default encryption key, or NoKey.
func (w *World) BucketKey(b BucketID) KeyID { return w.data.buckets[b].kmsKey }

// BucketOwnership returns bucket b's Object Ownership setting.
func (w *World) BucketOwnership(b BucketID) ObjectOwnership { return w.data.buckets[b].ownership }

// BucketPos returns where bucket b is declared.
func (w *World) BucketPos(b BucketID) Pos { return w.data.buckets[b].pos }

// NumBuckets returns the number of buckets.
func (w *World) NumBuckets() int { return len(w.data.buckets) }

// NumKeys returns the number of KMS keys.
func (w *World) NumKeys() int { return len(w.data.keys) }

// KeyName returns how reports name key k: its alias, else its ID.
func (w *World) KeyName(k KeyID) string {
	if a := w.data.keys[k].alias; a != "" {
		return a
	}
	return w.data.keys[k].id
}

// KeyARN returns key k's ARN.
func (w *World) KeyARN(k KeyID) string { return w.data.keys[k].arn }

// KeyAccount returns the account that owns key k.
func (w *World) KeyAccount(k KeyID) AccountID { return w.accounts[w.data.keys[k].account].id }

// KeyPos returns where key k is declared.
func (w *World) KeyPos(k KeyID) Pos { return w.data.keys[k].pos }

// DataResource returns the ARN access a is authorized against: the
// object's for s3:GetObject and s3:PutObject, the bucket's for
// s3:ListBucket, the key's for KMS actions.
func (w *World) DataResource(a DataAccess) string {
	switch {
	case a.Action.IsKMS():
		return w.data.keys[a.Key].arn
	case a.Action == S3ListBucket:
		return w.data.buckets[a.Bucket].arn
	}
	return w.data.buckets[a.Bucket].arn + "/" + a.Object
}

// DataSubject names what access a touches in reports: "s3://bucket" or
// the key's alias or ID.
func (w *World) DataSubject(a DataAccess) string {
	if a.Action.IsKMS() {
		return w.KeyName(a.Key)
	}
	return "s3://" + w.data.buckets[a.Bucket].name
}

// ReadAccesses returns the requests a read of s3://bucket/key makes:
// s3:ListBucket with the key as s3:prefix, s3:GetObject on the object and,
// when the bucket encrypts with a KMS key, kms:Decrypt on it (the objects
// are taken to be encrypted with the bucket's default key).
func (w *World) ReadAccesses(b BucketID, key string) []DataAccess {
	out := []DataAccess{
		{Action: S3ListBucket, Bucket: b, Object: key, Key: NoKey},
		{Action: S3GetObject, Bucket: b, Object: key, Key: NoKey},
	}
	if k := w.data.buckets[b].kmsKey; k != NoKey {
		out = append(out, DataAccess{Action: KMSDecrypt, Bucket: b, Key: k})
	}
	return out
}

// WriteAccesses returns the requests a write to s3://bucket/key makes:
// s3:PutObject on the object and, with SSE-KMS, kms:GenerateDataKey on
// key k (the step's key), else on the bucket's default key if it has one.
func (w *World) WriteAccesses(b BucketID, key string, k KeyID) []DataAccess {
	out := []DataAccess{{Action: S3PutObject, Bucket: b, Object: key, Key: NoKey}}
	if k == NoKey {
		k = w.data.buckets[b].kmsKey
	}
	if k != NoKey {
		out = append(out, DataAccess{Action: KMSGenerateDataKey, Bucket: b, Key: k})
	}
	return out
}

// InternDataAccess returns the ID of access a, adding it on first use, so
// decisions about it can be cached ([World.DecideData]).
func (w *World) InternDataAccess(a DataAccess) DataAccessID {
	if a.Action.IsKMS() {
		a.Object = "" // a KMS request does not depend on the object
	}
	if id, ok := w.data.accessIndex[a]; ok {
		return id
	}
	if w.data.accessIndex == nil {
		w.data.accessIndex = map[DataAccess]DataAccessID{}
	}
	id := DataAccessID(len(w.data.accesses))
	w.data.accesses = append(w.data.accesses, a)
	w.data.accessIndex[a] = id
	return id
}

// DataAccessOf returns the access interned as id.
func (w *World) DataAccessOf(id DataAccessID) DataAccess { return w.data.accesses[id] }

// RoleSessionARN returns the ARN of the session SageMaker opens for role
// p: arn:aws:sts::ACCOUNT:assumed-role/NAME/SageMaker (the session name
// SageMaker uses for the jobs of a pipeline's steps).
func (w *World) RoleSessionARN(p PrincipalID) string {
	pr := &w.principals[p]
	name := pr.name[strings.LastIndexByte(pr.name, '/')+1:]
	return "arn:aws:sts::" + string(w.accounts[pr.account].id) + ":assumed-role/" + name + "/" + sessionName
}

// sessionName is the role session name of the jobs SageMaker runs.
const sessionName = "SageMaker"

// IsRole reports whether p is an IAM role.
func (w *World) IsRole(p PrincipalID) bool { return strings.HasPrefix(w.principals[p].name, "role/") }
