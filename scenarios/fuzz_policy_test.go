package scenarios

import (
	"bytes"
	"testing"

	"github.com/pipeshare/pipeshare/model"
)

// policyScenario wraps a policy document (YAML or JSON) as the identity
// policy of a consumer role, an SCP on its OU and a boundary of an owner
// role, so that one document exercises every layer.
const policyScenario = `version: 1
name: fuzz-policy
start: 2026-01-05T00:00:00Z
duration: 10d
organization:
  id: o-abcdefghij
  management_account: "111111111111"
  ram_sharing: enabled
  units:
    - path: /research
accounts:
  - id: "111111111111"
    ou: /
    principals:
      - {name: role/Owner, policies: [full], boundary: p}
  - id: "222222222222"
    ou: /research
    scps: [p]
    principals:
      - {name: role/R, policies: [p]}
  - id: "333333333333"
    principals:
      - {name: role/X, policies: [p]}
pipelines:
  - name: train
    account: "111111111111"
    steps: [{name: a, type: Processing, instance_type: ml.m5.xlarge, duration: 1m}]
shares:
  - name: s
    owner: "111111111111"
    pipelines: [train]
    principals: ["222222222222", "333333333333"]
    permission: extended
policies:
  full: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
  p:
`

// FuzzPolicy feeds a policy document through the scenario parser and, when
// the scenario is valid, requires the fast path to agree with Explain for
// every principal, pipeline and action, at the start and on every day.
func FuzzPolicy(f *testing.F) {
	for _, doc := range policySeeds {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if len(doc) > 4<<10 || bytes.ContainsAny(doc, "\r\t") {
			return
		}
		src := policyScenarioFor(doc)
		sc, err := Parse("p.yaml", src, LoadOptions{})
		if err != nil {
			return // FuzzParse holds the error contract
		}
		c, err := Compile(sc)
		if err != nil {
			return
		}
		w := c.World
		for day := range 11 {
			at := model.Time(day) * 24 * 3600e9
			w.AdvanceTo(at)
			for p := range model.PrincipalID(w.NumPrincipals()) {
				for pl := range model.PipelineID(w.NumPipelines()) {
					for a := range model.Action(model.NumActions) {
						fast, share := w.DecideShare(p, pl, a, at)
						ex := w.Explain(p, pl, a, at)
						if fast != ex.Reason || share != ex.Share {
							t.Fatalf("%s %s at day %d: Decide=%s (share %d), Explain=%s (share %d)\n%s",
								w.CallerString(p), a, day, fast, share, ex.Reason, ex.Share, src)
						}
					}
				}
			}
		}
	})
}

// policyScenarioFor returns policyScenario with doc as policy p.
func policyScenarioFor(doc []byte) []byte {
	var src bytes.Buffer
	src.WriteString(policyScenario)
	for line := range bytes.Lines(doc) {
		src.WriteString("    ")
		src.Write(line)
	}
	src.WriteByte('\n')
	return src.Bytes()
}

// TestPolicySeedsAreValid keeps FuzzPolicy's seeds meaningful: each is a
// valid policy, so the fuzzer starts from decisions, not parse errors.
func TestPolicySeedsAreValid(t *testing.T) {
	for _, doc := range policySeeds {
		sc, err := Parse("p.yaml", policyScenarioFor([]byte(doc)), LoadOptions{})
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if _, err := Compile(sc); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
	}
}

var policySeeds = []string{
	`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}]}`,
	`{"Statement": {"Effect": "Deny", "NotAction": ["sagemaker:Describe*", "sagemaker:List*"], "Resource": "*"}}`,
	`{"Statement": [{"Effect": "Allow", "Action": "sagemaker:StartPipelineExecution", "NotResource": "arn:aws:sagemaker:*:*:pipeline/train/execution/*"}]}`,
	`{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}}]}`,
	`{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-01-08T00:00:00Z"}}}]}`,
	`{"Statement": [{"Effect": "Allow", "Action": "sagemaker:*Pipeline*", "Resource": "arn:aws:sagemaker:us-east-1:111111111111:pipeline/train*", "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-abcdefghij/*/ou-*/"]}, "StringNotEquals": {"aws:PrincipalAccount": ["333333333333"]}}}]}`,
	"Version: \"2012-10-17\"\nStatement:\n  - Effect: Allow\n    Action: [sagemaker:Describe*]\n    Resource: \"*\"",
}
