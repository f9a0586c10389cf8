package scenarios

import (
	"errors"
	"fmt"
	"github.com/pipeshare/pipeshare/model"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParse checks that Parse never panics, returns a nil *Scenario with an
// ErrorList holding at least one error when it fails, and a scenario with
// warnings only when it succeeds; every position is in the file.
func FuzzParse(f *testing.F) {
	for _, name := range Names() {
		data, _ := Builtin(name)
		f.Add(data)
	}
	for _, tc := range badInputs {
		f.Add([]byte(tc.in))
	}
	for _, tc := range pipelineInputs {
		if len(tc.in) < 64<<10 { // not "too many steps": big seeds slow the fuzzer
			f.Add([]byte(tc.in))
		}
	}
	for _, tc := range templateInputs {
		f.Add([]byte(tc.in))
	}
	f.Add([]byte(fullPipelines))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("f.yaml", data, LoadOptions{MaxInput: 1 << 20})
		var list ErrorList
		if err != nil {
			if sc != nil {
				t.Fatalf("non-nil scenario with error %v", err)
			}
			if !errors.As(err, &list) || !list.HasErrors() {
				t.Fatalf("error %T %v is not an ErrorList with errors", err, err)
			}
		} else {
			if sc == nil {
				t.Fatal("nil scenario and nil error")
			}
			list = sc.Warnings
			for _, d := range list {
				if !d.Warning() {
					t.Fatalf("error %v among the warnings", d)
				}
			}
		}
		if !sort.IsSorted(list) {
			t.Fatalf("not sorted:\n%s", list)
		}
		lines := 1 // line breaks + 1, as YAML counts them
		for rest := data; ; lines++ {
			if _, rest = nextLine(rest); rest == nil {
				break
			}
		}
		for _, d := range list {
			if d.Pos.File != "f.yaml" || d.Pos.Line < 1 || d.Pos.Col < 1 || d.Pos.Line > lines {
				t.Fatalf("bad position in %v (%d lines)", d, lines)
			}
			if d.Msg == "" {
				t.Fatalf("empty message at %v", d.Pos)
			}
		}
	})
}

// benchScenario generates a scenario with accounts accounts (explicit
// entries) and shares shares.
func benchScenario(accounts, shares int) []byte {
	var b strings.Builder
	b.WriteString(hdr)
	b.WriteString("organization:\n  id: o-benchbench1\n  management_account: \"100000000000\"\n  ram_sharing: enabled\n  units:\n")
	for u := range 20 {
		fmt.Fprintf(&b, "    - {path: /u%d, scps: [scp]}\n", u)
	}
	b.WriteString("accounts:\n")
	for i := range accounts {
		ou := fmt.Sprintf("\n    ou: /u%d", i%20)
		if i%10 == 9 {
			ou = "" // a tenth of the accounts are outside the organization
		}
		fmt.Fprintf(&b, "  - id: \"%012d\"\n    name: acct-%d%s\n    group: [g%d]\n", 100000000000+i, i, ou, i%50)
		fmt.Fprintf(&b, "    principals:\n      - {name: role/R%d, policies: [consumer], tags: {team: t%d}}\n", i%7, i%13)
	}
	b.WriteString("policies:\n")
	b.WriteString("  consumer:\n    Statement:\n      - {Effect: Allow, Action: [\"sagemaker:Describe*\", \"sagemaker:List*\"], Resource: \"*\",\n         Condition: {StringEquals: {aws:PrincipalTag/team: [t1, t2]}}}\n")
	b.WriteString("  scp: {Statement: {Effect: Deny, Action: sagemaker:StopPipelineExecution, Resource: \"*\"}}\n")
	b.WriteString("pipelines:\n")
	for s := range shares {
		fmt.Fprintf(&b, "  - {name: p%d, account: \"%012d\"}\n", s, 100000000000+(10*s)%accounts)
	}
	b.WriteString("shares:\n")
	for s := range shares {
		owner := 100000000000 + (10*s)%accounts
		fmt.Fprintf(&b, "  - name: share-%d\n    owner: \"%012d\"\n    pipelines: [p%d]\n", s, owner, s)
		partner := 100000000000 + (10*s+19)%accounts // outside the organization: invited
		fmt.Fprintf(&b, "    principals: [\"%012d\", \"ou:/u%d\", \"group:g%d\"]\n", partner, s%20, s%50)
		fmt.Fprintf(&b, "    permission: extended\n    at: %dh\n    invitations: {\"%012d\": {accept_after: 3h}}\n", s%48, partner)
	}
	b.WriteString("events:\n")
	for s := range shares / 10 {
		fmt.Fprintf(&b, "  - {at: %dd, action: set_permission, share: share-%d, permission: read-only}\n", 1+s%29, s)
	}
	b.WriteString("workload:\n  - {callers: [\"group:g1\"], targets: all, rate: 4/h, actions: {DescribePipeline: 1, StartPipelineExecution: 0.5}}\n")
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	data := benchScenario(10_000, 1_000)
	sc, err := Parse("bench.yaml", data, LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if len(sc.Model.Accounts) != 10_000 || len(sc.Model.Shares) != 1_000 {
		b.Fatalf("%d accounts, %d shares", len(sc.Model.Accounts), len(sc.Model.Shares))
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("bench.yaml", data, LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkYAMLOnly measures yaml.v3's share of BenchmarkParse: parsing the
// same input into a node tree.
func BenchmarkYAMLOnly(b *testing.B) {
	data := benchScenario(10_000, 1_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadAndFirstDecision is what `pipeshare explain` pays on a large
// organization: parse, compile the model and the simulation, and answer the
// first decision (a cold row).
func BenchmarkLoadAndFirstDecision(b *testing.B) {
	data := benchScenario(10_000, 1_000)
	b.ReportAllocs()
	for b.Loop() {
		sc, err := Parse("bench.yaml", data, LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		c, err := Compile(sc)
		if err != nil {
			b.Fatal(err)
		}
		c.World.Decide(model.PrincipalID(c.World.NumPrincipals()-1), 999, model.StartPipelineExecution, 0)
	}
}
