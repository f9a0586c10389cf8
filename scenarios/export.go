package scenarios

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/pipeshare/pipeshare/sim"
)

// Default scenario start and duration of an import.
const (
	DefaultImportStart    = "2026-01-05T00:00:00Z"
	DefaultImportDuration = "30d"
)

// File is a scenario file as written: importers (AWS CLI snapshots,
// Terraform plans, CloudTrail summaries) fill it and [WriteFile] emits it
// as scenario v1 YAML, which [Parse] reads back. Empty fields are left out.
type File struct {
	Header       string               `yaml:"-"` // comment lines written above the document
	Version      int                  `yaml:"version"`
	Name         string               `yaml:"name"`
	Region       string               `yaml:"region,omitempty"`
	Start        string               `yaml:"start"`    // RFC 3339
	Duration     string               `yaml:"duration"` // e.g. "30d"
	Seed         uint64               `yaml:"seed,omitempty"`
	Organization *FileOrg             `yaml:"organization,omitempty"`
	Accounts     []FileAccount        `yaml:"accounts,omitempty"`
	Policies     map[string]any       `yaml:"policies,omitempty"` // name → policy document as JSON-like values
	Keys         []FileKey            `yaml:"keys,omitempty"`
	Buckets      []FileBucket         `yaml:"buckets,omitempty"`
	Pipelines    []FilePipeline       `yaml:"pipelines,omitempty"`
	Shares       []FileShare          `yaml:"shares,omitempty"`
	Events       []FileEvent          `yaml:"events,omitempty"`
	Workload     []FileWorkload       `yaml:"workload,omitempty"`
	Pricing      map[string]FilePrice `yaml:"pricing,omitempty"` // by instance type
}

// FilePrice is a pricing: entry in USD per instance-hour: All for every
// component (written as a number), else a price per component (written
// as a flow mapping in the order of sim.Components).
type FilePrice struct {
	All         float64
	ByComponent map[sim.Component]float64
}

// MarshalYAML writes p as a number or a mapping of components.
func (p FilePrice) MarshalYAML() (any, error) {
	if p.All != 0 {
		return p.All, nil
	}
	n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	for _, c := range sim.Components {
		usd, ok := p.ByComponent[c]
		if !ok {
			continue
		}
		var v yaml.Node
		if err := v.Encode(usd); err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: c.String()}, &v)
	}
	return n, nil
}

// FileOrg is the organization block.
type FileOrg struct {
	ID                string     `yaml:"id"`
	ManagementAccount string     `yaml:"management_account"`
	RAMSharing        string     `yaml:"ram_sharing,omitempty"` // enabled | disabled
	Units             []FileUnit `yaml:"units,omitempty"`
}

// FileUnit is an OU (or the root, path "/").
type FileUnit struct {
	Path       string   `yaml:"path"`
	ID         string   `yaml:"id,omitempty"`
	SCPs       []string `yaml:"scps,omitempty"`
	FullAccess *bool    `yaml:"full_access,omitempty"`
}

// FileAccount is one account.
type FileAccount struct {
	ID         string          `yaml:"id"`
	Name       string          `yaml:"name,omitempty"`
	OU         string          `yaml:"ou,omitempty"`
	Group      []string        `yaml:"group,omitempty"`
	SCPs       []string        `yaml:"scps,omitempty"`
	FullAccess *bool           `yaml:"full_access,omitempty"`
	Principals []FilePrincipal `yaml:"principals,omitempty"`
}

// FilePrincipal is a role or user.
type FilePrincipal struct {
	Name     string            `yaml:"name"`
	Policies []string          `yaml:"policies,omitempty"`
	Boundary string            `yaml:"boundary,omitempty"`
	Tags     map[string]string `yaml:"tags,omitempty"`
}

// FileKey is a KMS key of the data plane.
type FileKey struct {
	ID      string `yaml:"id"`
	Alias   string `yaml:"alias,omitempty"`
	Account string `yaml:"account"`
	Region  string `yaml:"region,omitempty"`
}

// FileBucket is an S3 bucket of the data plane.
type FileBucket struct {
	Name    string `yaml:"name"`
	Account string `yaml:"account"`
	Region  string `yaml:"region,omitempty"`
}

// FilePipeline is a pipeline; Definition is a file path or inline JSON.
// Parameters holds each parameter's default, nil (written null) for one
// without a default, which every Start passes.
type FilePipeline struct {
	Name       string             `yaml:"name"`
	Account    string             `yaml:"account"`
	Role       string             `yaml:"role,omitempty"`
	Definition string             `yaml:"definition,omitempty"`
	Parameters map[string]*string `yaml:"parameters,omitempty"`
	Steps      []FileStep         `yaml:"steps,omitempty"`
}

// FileStep is a steps: entry; with a definition, entries override the
// definition's steps of the same name.
type FileStep struct {
	Name          string        `yaml:"name"`
	Type          string        `yaml:"type,omitempty"`
	DependsOn     []string      `yaml:"depends_on,omitempty"`
	InstanceType  string        `yaml:"instance_type,omitempty"`
	InstanceCount int           `yaml:"instance_count,omitempty"`
	Duration      string        `yaml:"duration,omitempty"`
	Role          string        `yaml:"role,omitempty"`
	Inputs        []FileDataRef `yaml:"inputs,omitempty"`
	Outputs       []FileDataRef `yaml:"outputs,omitempty"`
	KMSKey        FileDataRef   `yaml:"kms_key,omitempty"`
}

// FileDataRef is a step's S3 URI or KMS key: a literal Value, or the
// pipeline parameter Param (written {param: Name}).
type FileDataRef struct {
	Value string
	Param string
}

// IsZero reports whether r names nothing (omitempty leaves it out).
func (r FileDataRef) IsZero() bool { return r.Value == "" && r.Param == "" }

// MarshalYAML writes r as a string or as {param: Name}.
func (r FileDataRef) MarshalYAML() (any, error) {
	if r.Param == "" {
		return r.Value, nil
	}
	return &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "param"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: r.Param}}}, nil
}

// FileShare is a RAM share.
type FileShare struct {
	Name                    string         `yaml:"name"`
	Owner                   string         `yaml:"owner"`
	Pipelines               []string       `yaml:"pipelines"`
	Principals              []string       `yaml:"principals"`
	Permission              string         `yaml:"permission,omitempty"`
	At                      string         `yaml:"at,omitempty"`
	AllowExternalPrincipals *bool          `yaml:"allow_external_principals,omitempty"`
	Invitations             map[string]any `yaml:"invitations,omitempty"` // ACCT → {accept_after: D} | {reject_after: D} | "ignore"
}

// FileEvent is a timeline event; only the fields of its action are set.
type FileEvent struct {
	At         string   `yaml:"at"`
	Action     string   `yaml:"action"`
	Share      string   `yaml:"share,omitempty"`
	Permission string   `yaml:"permission,omitempty"`
	Principals []string `yaml:"principals,omitempty"`
	Pipelines  []string `yaml:"pipelines,omitempty"`
	Account    string   `yaml:"account,omitempty"`
	OU         string   `yaml:"ou,omitempty"`
	Target     string   `yaml:"target,omitempty"`
	Policy     string   `yaml:"policy,omitempty"`
}

// FileWorkload is a generated workload entry; Actions keeps its order;
// Parameters are what its Starts pass, for every caller.
type FileWorkload struct {
	Name       string            `yaml:"name,omitempty"`
	Callers    []string          `yaml:"callers"`
	Targets    []string          `yaml:"targets"`
	Rate       string            `yaml:"rate,omitempty"`
	Every      string            `yaml:"every,omitempty"`
	Actions    yaml.Node         `yaml:"actions"` // use ActionWeights to build it in order
	Between    []string          `yaml:"between,omitempty"`
	Parameters map[string]string `yaml:"parameters,omitempty"`
}

// ActionWeights builds a workload's ordered actions mapping.
func ActionWeights(names []string, weights []float64) yaml.Node {
	n := yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	for i, name := range names {
		var v yaml.Node
		v.Encode(weights[i])
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name}, &v)
	}
	return n
}

// WriteFile writes f as scenario YAML: the header as comments, then the
// document. Account IDs and other numeric-looking strings are quoted, so the
// output parses back as written.
func WriteFile(w io.Writer, f *File) error {
	if f.Version == 0 {
		f.Version = 1
	}
	for _, line := range splitLines(f.Header) {
		if _, err := io.WriteString(w, "# "+printableComment(line)+"\n"); err != nil {
			return err
		}
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return err
	}
	return enc.Close()
}

// printableComment escapes what YAML does not allow even in a comment
// (control characters, DEL, C1 controls, invalid UTF-8) as a \u escape (four hex digits), so text
// taken from an imported file cannot break the scenario.
func printableComment(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r >= 0x20 && r < 0x7F || r == 0x85 || r >= 0xA0 && r != utf8.RuneError && r != 0xFEFF && r != 0xFFFE && r != 0xFFFF:
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "\\u%04X", r)
		}
	}
	return b.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
