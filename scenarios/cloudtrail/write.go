package cloudtrail

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// CallWriter is a [sim.CallSink] that writes every simulated call as one
// CloudTrail-shaped JSON record per line (run --calls), as the run goes:
// the caller's copy, and with OwnerCopies also the pipeline owner's copy of
// a cross-account call, both carrying one sharedEventID, as CloudTrail
// delivers a cross-account call to both accounts. The output depends only
// on the world, the seed and the calls: IDs, tokens and principal IDs are
// derived from the seed and the call's index, never from the clock, so a
// run's bytes are reproducible. Replaying the output with --trace
// reproduces the calls and their decisions.
type CallWriter struct {
	w           *bufio.Writer
	world       *model.World
	salt        uint64
	ownerCopies bool
	n           uint64 // calls written
	err         error
	buf         []byte
	idents      []ctIdentity // by PrincipalID, built when first needed
}

// ctIdentity is a caller's precomputed userIdentity object and the ARN its
// denials name.
type ctIdentity struct {
	json []byte
	arn  string
}

// CallWriterOptions configure a CallWriter.
type CallWriterOptions struct {
	// OwnerCopies adds the owner account's copy of every cross-account call
	// that names a pipeline or execution (not Search, which names none).
	OwnerCopies bool
}

// NewCallWriter returns a CallWriter writing to w for a run of world with
// seed. Call Flush at the end.
func NewCallWriter(w io.Writer, world *model.World, seed uint64, opts CallWriterOptions) *CallWriter {
	return &CallWriter{w: bufio.NewWriterSize(w, 64<<10), world: world, salt: sim.SplitMix64(seed ^ 0x7069706573686172),
		ownerCopies: opts.OwnerCopies, buf: make([]byte, 0, 2048)}
}

// Calls returns the number of calls written (owner copies not counted).
func (cw *CallWriter) Calls() uint64 { return cw.n }

// Flush writes what is buffered and returns the first error met.
func (cw *CallWriter) Flush() error {
	if cw.err == nil {
		cw.err = cw.w.Flush()
	}
	return cw.err
}

// Call writes one call (sim.CallSink).
func (cw *CallWriter) Call(r *sim.CallRecord) {
	if cw.err != nil {
		return
	}
	idx := cw.n
	cw.n++
	w := cw.world
	caller := w.PrincipalAccount(r.Caller)
	owner := w.PipelineOwner(r.Pipeline)
	cross := caller != owner && r.Action != model.Search
	copies := 1
	if cw.ownerCopies && cross {
		copies = 2
	}
	for c := 0; c < copies; c++ {
		recipient := caller
		if c == 1 {
			recipient = owner
		}
		cw.buf = cw.record(cw.buf[:0], r, idx, c, copies == 2, recipient)
		if _, err := cw.w.Write(cw.buf); err != nil {
			cw.err = err
			return
		}
	}
}

// record appends copy c of call idx.
func (cw *CallWriter) record(b []byte, r *sim.CallRecord, idx uint64, c int, shared bool, recipient model.AccountID) []byte {
	w := cw.world
	a := r.Action
	id := cw.identity(r.Caller)
	plARN := w.PipelineARN(r.Pipeline)
	execARN := ""
	if a.Resource() == model.ResourceExecution {
		execID := r.Execution
		if execID == "" {
			// A denied or not-found call acted on no execution: name a
			// deterministic one that no run created.
			execID = sim.ExecutionID(cw.hash(idx, 5))
		}
		execARN = plARN + "/execution/" + execID
	}
	token := ""
	if a == model.StartPipelineExecution || a == model.StopPipelineExecution || a == model.RetryPipelineExecution {
		token = r.Token
		if token == "" {
			token = "pipeshare-" + hex16(cw.salt) + "-" + pad12(idx)
		}
	}

	b = append(b, `{"eventVersion":"1.11","userIdentity":`...)
	b = append(b, id.json...)
	b = append(b, `,"eventTime":`...)
	b = appendJSONString(b, w.TimeToRFC3339(r.At))
	b = append(b, `,"eventSource":"sagemaker.amazonaws.com","eventName":"`...)
	b = append(b, a.Name()...)
	b = append(b, `","awsRegion":`...)
	b = appendJSONString(b, w.Region())
	if code, msg := cw.failure(r, id.arn, plARN, execARN); code != "" {
		b = append(b, `,"errorCode":"`...)
		b = append(b, code...)
		b = append(b, `","errorMessage":`...)
		b = appendJSONString(b, msg)
	}

	b = append(b, `,"requestParameters":{`...)
	switch {
	case a == model.Search:
		b = append(b, `"resource":"Pipeline","searchExpression":{"filters":[{"name":"PipelineArn","operator":"Equals","value":`...)
		b = appendJSONString(b, plARN)
		b = append(b, `}]}`...)
		if w.PrincipalAccount(r.Caller) != w.PipelineOwner(r.Pipeline) {
			b = append(b, `,"crossAccountFilterOption":"CrossAccount"`...)
		}
	case execARN != "":
		b = append(b, `"pipelineExecutionArn":`...)
		b = appendJSONString(b, execARN)
	default:
		b = append(b, `"pipelineName":`...)
		b = appendJSONString(b, plARN)
	}
	if token != "" {
		b = append(b, `,"clientRequestToken":`...)
		b = appendJSONString(b, token)
	}
	// A Start's parameters, as CloudTrail records them: a name/value
	// list, which run --trace replays.
	for i, p := range r.Params {
		if i == 0 {
			b = append(b, `,"pipelineParameters":[`...)
		} else {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = appendJSONString(b, p.Name)
		b = append(b, `,"value":`...)
		b = appendJSONString(b, p.Value)
		b = append(b, '}')
		if i == len(r.Params)-1 {
			b = append(b, ']')
		}
	}
	b = append(b, `},"responseElements":`...)
	if token != "" && r.Reason.IsAllow() && r.Execution != "" {
		b = append(b, `{"pipelineExecutionArn":`...)
		b = appendJSONString(b, plARN+"/execution/"+r.Execution)
		b = append(b, '}')
	} else {
		b = append(b, "null"...)
	}

	b = append(b, `,"additionalEventData":{"pipeshareDecision":"`...)
	if r.Reason.IsAllow() || r.Reason.IsFailure() {
		b = append(b, "allow"...)
	} else {
		b = append(b, "deny"...)
	}
	b = append(b, `","pipeshareReason":"`...)
	b = append(b, r.Reason.String()...)
	b = append(b, `","pipeshareShare":`...)
	if r.Share != model.NoShare {
		b = appendJSONString(b, w.ShareName(r.Share))
	} else {
		b = append(b, "null"...)
	}
	if r.Replayed {
		b = append(b, `,"pipeshareRecorded":"`...)
		b = append(b, r.Recorded.String()...)
		b = append(b, '"')
	}
	b = append(b, `},"requestID":"`...)
	b = appendUUID(b, cw.hash(idx, 0), cw.hash(idx, 1))
	b = append(b, `","eventID":"`...)
	b = appendUUID(b, cw.hash(idx, 2+uint64(c)*2), cw.hash(idx, 3+uint64(c)*2))
	b = append(b, `","readOnly":`...)
	b = strconv.AppendBool(b, token == "")
	b = append(b, `,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"`...)
	b = append(b, recipient...)
	b = append(b, '"')
	if shared {
		b = append(b, `,"sharedEventID":"`...)
		b = appendUUID(b, cw.hash(idx, 6), cw.hash(idx, 7))
		b = append(b, '"')
	}
	b = append(b, `,"eventCategory":"Management"}`+"\n"...)
	return b
}

// failure returns the errorCode and errorMessage of a denied or failed
// call ("" for a successful one).
func (cw *CallWriter) failure(r *sim.CallRecord, who, plARN, execARN string) (string, string) {
	switch r.Reason {
	case model.ReasonOwner, model.ReasonShared, model.ReasonNone:
		return "", ""
	case model.ReasonNotFound:
		if execARN != "" {
			return "ResourceNotFound", "Pipeline execution " + execARN + " does not exist."
		}
		return "ResourceNotFound", "Pipeline " + plARN + " does not exist."
	case model.ReasonConflict:
		verb := "stopped"
		if r.Action == model.RetryPipelineExecution {
			verb = "retried"
		}
		return "ConflictException", "Pipeline execution " + execARN + " cannot be " + verb + " in its current status."
	case model.ReasonLimitExceeded:
		return "ResourceLimitExceeded", "The account-level service limit for concurrent pipeline executions has been exceeded."
	case model.ReasonThrottled:
		return "ThrottlingException", "Rate exceeded"
	}
	return "AccessDeniedException", cw.denyMessage(r, who, plARN, execARN)
}

// denyMessage builds AWS's denial text ("User: ARN is not authorized to
// perform: ACTION on resource: R because ..."). The policy type that
// the reason alone leaves open (an SCP's explicit deny or missing allow, a
// permissions boundary) comes from the model's explanation.
func (cw *CallWriter) denyMessage(r *sim.CallRecord, who, plARN, execARN string) string {
	a := r.Action.String()
	res := plARN
	switch {
	case execARN != "":
		res = execARN
	case r.Action == model.Search:
		res = "*"
	}
	head := "User: " + who + " is not authorized to perform: " + a + " on resource: " + res
	switch r.Reason {
	case model.ReasonExplicitDeny, model.ReasonSCP, model.ReasonNoIdentityAllow:
		w := cw.world
		ex := w.Explain(r.Caller, r.Pipeline, r.Action, r.At)
		theirs := "User: " + w.PrincipalARN(r.Caller) + " is not authorized to perform: " + a + " on resource: " + ex.Resource
		if msg := ex.Message(); ex.Reason == r.Reason && strings.HasPrefix(msg, theirs) {
			return head + msg[len(theirs):]
		}
		switch r.Reason {
		case model.ReasonExplicitDeny:
			return head + " with an explicit deny in an identity-based policy"
		case model.ReasonSCP:
			return head + " because no service control policy allows the " + a + " action"
		}
		return head + " because no identity-based policy allows the " + a + " action"
	}
	return head + " because no resource-based policy allows the " + a + " action"
}

// identity returns p's userIdentity as CloudTrail writes it: Root,
// IAMUser, or an AssumedRole session "pipeshare" of a role with its
// sessionContext.sessionIssuer.
func (cw *CallWriter) identity(p model.PrincipalID) *ctIdentity {
	for int(p) >= len(cw.idents) {
		cw.idents = append(cw.idents, ctIdentity{})
	}
	id := &cw.idents[p]
	if id.json != nil {
		return id
	}
	w := cw.world
	acct := string(w.PrincipalAccount(p))
	name := w.PrincipalName(p)
	iamARN := w.PrincipalARN(p)
	var b []byte
	switch {
	case strings.HasPrefix(name, "role/"):
		role := name[strings.LastIndexByte(name, '/')+1:]
		pid := "AROA" + principalSuffix(iamARN)
		id.arn = "arn:aws:sts::" + acct + ":assumed-role/" + role + "/pipeshare"
		b = append(b, `{"type":"AssumedRole","principalId":`...)
		b = appendJSONString(b, pid+":pipeshare")
		b = append(b, `,"arn":`...)
		b = appendJSONString(b, id.arn)
		b = append(b, `,"accountId":"`...)
		b = append(b, acct...)
		b = append(b, `","sessionContext":{"sessionIssuer":{"type":"Role","principalId":`...)
		b = appendJSONString(b, pid)
		b = append(b, `,"arn":`...)
		b = appendJSONString(b, iamARN)
		b = append(b, `,"accountId":"`...)
		b = append(b, acct...)
		b = append(b, `","userName":`...)
		b = appendJSONString(b, role)
		b = append(b, `},"attributes":{"mfaAuthenticated":"false"}}}`...)
	case strings.HasPrefix(name, "user/"):
		id.arn = iamARN
		b = append(b, `{"type":"IAMUser","principalId":`...)
		b = appendJSONString(b, "AIDA"+principalSuffix(iamARN))
		b = append(b, `,"arn":`...)
		b = appendJSONString(b, iamARN)
		b = append(b, `,"accountId":"`...)
		b = append(b, acct...)
		b = append(b, `","userName":`...)
		b = appendJSONString(b, name[strings.LastIndexByte(name, '/')+1:])
		b = append(b, '}')
	default: // root
		id.arn = iamARN
		b = append(b, `{"type":"Root","principalId":"`...)
		b = append(b, acct...)
		b = append(b, `","arn":`...)
		b = appendJSONString(b, iamARN)
		b = append(b, `,"accountId":"`...)
		b = append(b, acct...)
		b = append(b, `"}`...)
	}
	id.json = b
	return id
}

// principalSuffix derives the 17 characters after an IAM unique ID's
// prefix from the principal's ARN: synthetic, stable across runs.
func principalSuffix(arn string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	h := sim.FNV64a(arn)
	var out [17]byte
	x := sim.SplitMix64(h)
	for i := range out {
		if i == 12 {
			x = sim.SplitMix64(x + h)
		}
		out[i] = alphabet[x&31]
		x >>= 5
	}
	return string(out[:])
}

// hash derives the k-th 64-bit value of call idx from the seed.
func (cw *CallWriter) hash(idx, k uint64) uint64 {
	return sim.SplitMix64(cw.salt ^ sim.SplitMix64(idx*8+k+1))
}

// appendUUID appends hi and lo as a version 4 UUID string.
func appendUUID(b []byte, hi, lo uint64) []byte {
	hi = hi&^0xf000 | 0x4000     // version 4
	lo = lo&^(0xc<<60) | 0x8<<60 // variant 10
	const hexd = "0123456789abcdef"
	var u [36]byte
	pos := 0
	put := func(v uint64, nibbles int) {
		for i := nibbles - 1; i >= 0; i-- {
			u[pos] = hexd[(v>>(uint(i)*4))&15]
			pos++
		}
	}
	put(hi>>32, 8)
	u[pos] = '-'
	pos++
	put(hi>>16, 4)
	u[pos] = '-'
	pos++
	put(hi, 4)
	u[pos] = '-'
	pos++
	put(lo>>48, 4)
	u[pos] = '-'
	pos++
	put(lo, 12)
	return append(b, u[:]...)
}

func hex16(x uint64) string {
	s := strconv.FormatUint(x, 16)
	return strings.Repeat("0", 16-len(s)) + s
}

func pad12(x uint64) string {
	s := strconv.FormatUint(x, 10)
	if len(s) >= 12 {
		return s
	}
	return strings.Repeat("0", 12-len(s)) + s
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
