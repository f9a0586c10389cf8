package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
)

// SARIF 2.1.0 (OASIS), the subset GitHub code scanning reads, within the
// limits it accepts.

// SARIFSchema is the $schema written into SARIF output.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// SARIFMaxResults is the most results GitHub code scanning accepts in one
// run; a report with more findings keeps the most severe.
const SARIFMaxResults = 25_000

// SARIFFingerprint is the key of a result's partial fingerprint.
const SARIFFingerprint = "pipeshareFinding/v1"

// sarifRuleHelp is where each rule is documented: the anchor rule-ps001 and
// so on in docs/reports.md.
const sarifRuleHelp = "https://github.com/pipeshare/pipeshare/blob/main/docs/reports.md#rule-"

// sarifRuleTags are each rule's code scanning tags: "security" (GitHub
// shows security-severity only for these), "cost" or "compliance", then
// the rule's family.
var sarifRuleTags = map[string][]string{
	RuleExternalShare:        {"security", "sharing"},
	RuleExternalExtended:     {"security", "sharing"},
	RuleOrgWideShare:         {"security", "sharing"},
	RuleInvitationOpen:       {"security", "sharing"},
	RuleGrantedUnused:        {"security", "least-privilege"},
	RuleDeniedRate:           {"security", "denials"},
	RuleBudgetExceeded:       {"cost", "budget"},
	RuleNoBudget:             {"cost", "budget"},
	RuleSCPBlocksShare:       {"security", "scp"},
	RuleExecutionResource:    {"security", "identity-policy"},
	RuleExpiredWaiver:        {"compliance", "waivers"},
	RuleStartDataUnreachable: {"cost", "data-plane"},
	RuleCrossAccountRead:     {"security", "data-plane"},
	RuleOutputOwnership:      {"security", "data-plane"},
	RuleKeyTrustsRoot:        {"security", "key-policy"},
}

// sarifSecuritySeverity is a severity as GitHub's security-severity, which
// it ranks critical from 9.0, high from 7.0, medium from 4.0 and low
// below: an error is high, a warning medium and a note low, each inside
// its band so that its rank never depends on rounding. None is critical: a
// finding is a risky configuration of a simulated organization, not a
// confirmed exposure.
func sarifSecuritySeverity(s Severity) string {
	switch s {
	case SeverityError:
		return "8.0"
	case SeverityWarning:
		return "5.0"
	}
	return "2.0"
}

// SARIFRoot places the report's files in a repository: URIs are relative
// to Dir, the repository root, under uriBaseId %SRCROOT%, as GitHub code
// scanning wants them. Relative files in positions start from WorkDir.
// Both are absolute. The zero value places nothing: URIs are the files as
// the positions name them, without a base.
type SARIFRoot struct {
	Dir, WorkDir string
}

// sarifSrcRoot is the uriBaseId of files under SARIFRoot.Dir.
const sarifSrcRoot = "%SRCROOT%"

// locate returns file's URI and its uriBaseId: relative to the root when
// the root holds it, else an absolute file URI, or without a root the
// file as a relative reference (or a file URI when it is absolute).
func (r SARIFRoot) locate(file string) (uri, base string) {
	switch {
	case r.Dir == "" && filepath.IsAbs(file):
		return fileURI(file), ""
	case r.Dir == "":
		return uriPath(strings.TrimPrefix(filepath.ToSlash(file), "./")), ""
	}
	abs := file
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(r.WorkDir, file)
	}
	rel, err := filepath.Rel(r.Dir, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fileURI(abs), ""
	}
	return uriPath(filepath.ToSlash(rel)), sarifSrcRoot
}

// uriPath escapes a slash-separated relative path as a URI reference.
func uriPath(p string) string {
	return (&url.URL{Path: p}).String()
}

// fileURI returns the file URI of an absolute path.
func fileURI(abs string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations,omitempty"`
	Results     []sarifResult     `json:"results"`
	Properties  *sarifRunProps    `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	HelpURI              string         `json:"helpUri"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           sarifRuleProps `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags             []string `json:"tags"`
	SecuritySeverity string   `json:"security-severity"`
}

// sarifInvocation reports, when results were left out, why.
type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

// sarifRunProps counts the findings left out of a run over the limit.
type sarifRunProps struct {
	Findings       int `json:"findings"`
	ResultLimit    int `json:"resultLimit"`
	OmittedResults int `json:"omittedResults"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints sarifFingerprints  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifFingerprints struct {
	Finding string `json:"pipeshareFinding/v1"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

// sarifFingerprintOf identifies a finding across runs: the SHA-256 of its
// rule and subject, which names what the finding is about (the share and
// the account or principal it reaches, the caller, the pipeline and
// action) and is what a waiver matches. Positions and numbers stay out, so
// the alert outlives edits that move lines or change counts. The nth
// repeat (n > 0) of a rule and subject in one report hashes n too.
func sarifFingerprintOf(rule, subject string, n int) string {
	key := rule + "\x00" + subject
	if n > 0 {
		key += fmt.Sprintf("\x00%d", n)
	}
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// sarifKept returns the indexes of the findings a run of at most limit
// results keeps, in report order: those not waived before waived ones,
// then the most severe, then report order.
func sarifKept(fs []Finding, limit int) []int {
	idx := make([]int, len(fs))
	for i := range idx {
		idx[i] = i
	}
	if len(idx) <= limit {
		return idx
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		fa, fb := &fs[a], &fs[b]
		if fa.Waived != fb.Waived {
			if fa.Waived {
				return 1
			}
			return -1
		}
		return cmp.Compare(fb.Severity, fa.Severity)
	})
	idx = idx[:limit]
	slices.Sort(idx)
	return idx
}

// sarif builds the report as a SARIF log of at most limit results.
func (r *CheckReport) sarif(limit int) sarifLog {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "pipeshare", Version: r.Version,
		InformationURI: "https://github.com/pipeshare/pipeshare", Rules: []sarifRule{}}},
		Results: []sarifResult{}}
	index := map[string]int{}
	for i, rule := range r.Rules {
		index[rule.ID] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID: rule.ID, Name: rule.Name,
			ShortDescription:     sarifText{rule.Title},
			FullDescription:      sarifText{rule.Title + ". " + rule.Remediation},
			Help:                 sarifText{rule.Remediation},
			HelpURI:              sarifRuleHelp + strings.ToLower(rule.ID),
			DefaultConfiguration: sarifConfig{Level: rule.Severity.String()},
			Properties: sarifRuleProps{Tags: sarifRuleTags[rule.ID],
				SecuritySeverity: sarifSecuritySeverity(rule.Severity)},
		})
	}
	repeats := map[[2]string]int{}
	fingerprints := make([]string, len(r.Findings))
	for i, f := range r.Findings {
		k := [2]string{f.Rule, f.Subject}
		fingerprints[i] = sarifFingerprintOf(f.Rule, f.Subject, repeats[k])
		repeats[k]++
	}
	kept := sarifKept(r.Findings, limit)
	for _, i := range kept {
		f := &r.Findings[i]
		uri, base := r.SARIFRoot.locate(f.Pos.File)
		res := sarifResult{RuleID: f.Rule, RuleIndex: index[f.Rule], Level: f.Severity.String(),
			Message: sarifText{f.Subject + ": " + f.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: uri, URIBaseID: base},
				Region:           sarifRegion{StartLine: max(f.Pos.Line, 1), StartColumn: max(f.Pos.Col, 1)},
			}}},
			PartialFingerprints: sarifFingerprints{Finding: fingerprints[i]},
		}
		if f.Waived {
			res.Suppressions = []sarifSuppression{{Kind: "external", Justification: f.Waiver.Reason}}
		}
		run.Results = append(run.Results, res)
	}
	if omitted := len(r.Findings) - len(kept); omitted > 0 {
		run.Invocations = []sarifInvocation{{ExecutionSuccessful: true, Notifications: []sarifNotification{{
			Level: "warning",
			Message: sarifText{fmt.Sprintf("%d of %d findings are left out: code scanning accepts at most %d results in a run, so waived and less severe findings are left out first; pipeshare check --format json lists them all",
				omitted, len(r.Findings), limit)},
		}}}}
		run.Properties = &sarifRunProps{Findings: len(r.Findings), ResultLimit: limit, OmittedResults: omitted}
	}
	return sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}}
}

// writeSARIF writes the report as SARIF 2.1.0 for GitHub code scanning:
// one run whose driver lists the evaluated rules (each with its help link,
// tags and security-severity) and whose results are the findings, one
// result each, located at the scenario (or waivers) file's line and column
// ([SARIFRoot]) and identified across runs by a partial fingerprint
// ([SARIFFingerprint]). Waived findings carry an external suppression with
// the waiver's reason. Over [SARIFMaxResults] findings, the run keeps that
// many and says in a notification and its properties how many it left
// out.
func (r *CheckReport) writeSARIF(w io.Writer) error {
	return writeIndentedJSON(w, r.sarif(SARIFMaxResults))
}
