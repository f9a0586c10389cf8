package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/pipeshare/pipeshare/model"
)

// DataExplainView is a step's data access explained request by request
// (pipeshare explain --access): the S3 and KMS requests its role makes to
// read or write one URI, each with its layers, in text or json.
type DataExplainView struct {
	World    *model.World
	Pipeline string
	Step     string
	Access   string // "read" or "write"
	URI      string
	Role     model.PrincipalID
	At       model.Time
	Requests []model.DataExplanation
}

var dataExplainFormats = formats[DataExplainView]{{"text", DataExplainView.writeText}, {"json", DataExplainView.writeJSON}}

// Formats returns the formats a DataExplainView renders: text, json.
func (DataExplainView) Formats() []string { return dataExplainFormats.names() }

// Render writes v in format.
func (v DataExplainView) Render(w io.Writer, format string) error {
	return dataExplainFormats.render(v, w, format)
}

// denied returns the first denied request, or nil when all are allowed.
func (v *DataExplainView) denied() *model.DataExplanation {
	for i := range v.Requests {
		if v.Requests[i].Decision == model.Deny {
			return &v.Requests[i]
		}
	}
	return nil
}

// jsonDataExplain is the explain JSON of a data access
// (docs/reports.md#explain-and-access-json).
type jsonDataExplain struct {
	Decision string            `json:"decision"`
	Reason   string            `json:"reason"`
	Pipeline string            `json:"pipeline"`
	Step     string            `json:"step"`
	Access   string            `json:"access"`
	URI      string            `json:"uri"`
	Role     string            `json:"role"`
	Session  string            `json:"session"`
	At       string            `json:"at"`
	Message  string            `json:"message"`
	Requests []jsonDataRequest `json:"requests"`
}

type jsonDataRequest struct {
	Decision string      `json:"decision"`
	Reason   string      `json:"reason"`
	Action   string      `json:"action"`
	Resource string      `json:"resource"`
	Message  string      `json:"message"`
	Layers   []jsonLayer `json:"layers"`
}

// writeJSON writes the decision of the whole access (deny when a request
// is denied, with the first denial's reason and message), then each
// request in the explain JSON's layer shape.
func (v DataExplainView) writeJSON(w io.Writer) error {
	out := jsonDataExplain{Decision: "allow", Reason: model.DataAllowed.String(), Pipeline: v.Pipeline, Step: v.Step,
		Access: v.Access, URI: v.URI, Role: v.World.CallerString(v.Role), Session: v.World.RoleSessionARN(v.Role),
		At: v.World.TimeToRFC3339(v.At), Requests: []jsonDataRequest{}}
	if d := v.denied(); d != nil {
		out.Decision, out.Reason, out.Message = d.Decision.String(), d.Reason.String(), d.Message()
	}
	for _, r := range v.Requests {
		out.Requests = append(out.Requests, jsonDataRequest{Decision: r.Decision.String(), Reason: r.Reason.String(),
			Action: r.Access.Action.String(), Resource: r.Resource, Message: r.Message(), Layers: layersJSON(r.Layers[:])})
	}
	return writeIndentedJSON(w, out)
}

// writeText writes the access for people: the decision of the whole
// access, the step, role session, time and the first denial's message,
// what the denial does to the step, then each request with its layers.
func (v DataExplainView) writeText(w io.Writer) error {
	ew := &errWriter{w: w}
	world := v.World
	d := v.denied()
	if d == nil {
		ew.printf("ALLOW (%s)\n", model.DataAllowed)
	} else {
		ew.printf("DENY (%s)\n", d.Reason)
	}
	ew.printf("step      %s of %s: %s %s\n", v.Step, v.Pipeline, v.Access, v.URI)
	ew.printf("role      %s (%s)\n", world.CallerString(v.Role), world.RoleSessionARN(v.Role))
	ew.printf("at        %s\n", world.TimeToRFC3339(v.At))
	if d != nil {
		ew.printf("message   %s\n", d.Message())
		ew.printf("effect    the step fails with ClientError: AccessDenied after its setup time (billed, not retried)\n")
	}
	for _, r := range v.Requests {
		ew.printf("\n%s on %s: %s (%s)\n", r.Access.Action, r.Resource, strings.ToUpper(r.Decision.String()), r.Reason)
		writeLayersText(ew, r.Layers[:])
	}
	if d != nil {
		ew.printf("\nfix: %s\n", DataHint(d))
	}
	return ew.err
}

// DataHint returns one line saying what would turn a denied data access
// into an allow ("" for an allow).
func DataHint(ex *model.DataExplanation) string {
	act := ex.Access.Action.String()
	kind := "bucket policy"
	if ex.Access.Action.IsKMS() {
		kind = "key policy"
	}
	switch ex.Reason {
	case model.DataExplicitDeny:
		return "remove or narrow the Deny of " + act + " in the role's identity policies or permissions boundary"
	case model.DataSCP:
		return "an SCP on the role account's path denies " + act + " (or a level without FullAWSAccess does not allow it)"
	case model.DataRCP:
		return "an RCP of the resource's account denies " + act + " to the role; add an exception for it (e.g. aws:PrincipalOrgID) or detach the RCP"
	case model.DataResourceDeny:
		return "a Deny in the " + kind + " applies to the role; narrow it"
	case model.DataNoIdentityAllow:
		return "the role's identity policies (within its boundary) must allow " + act + " on " + ex.Resource
	case model.DataNoResourceAllow:
		if ex.Access.Action.IsKMS() {
			return fmt.Sprintf("the key policy must allow %s to the role (or to its account, with an identity allow)", act)
		}
		return fmt.Sprintf("the bucket policy must allow %s on %s to the role or its account", act, ex.Resource)
	}
	return ""
}
