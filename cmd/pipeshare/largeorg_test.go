package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// largeOrgScenario writes a scenario shaped like the embedded scale (about
// `accounts` accounts, most in ten team OUs, and `shares` shares: a third
// each to ten team accounts, to the audit OU of accounts/1000 accounts and
// to a partner outside the organization) with count templates, and a
// workload of a few calls, so that what `check` pays is compiling the model
// and evaluating the rules, not simulating.
func largeOrgScenario(accounts, shares int) string {
	owners, partners, auditors := accounts/100, accounts/100, max(accounts/1000, 1)
	teams := (accounts - owners - partners - auditors - 1) / 10
	pipes := (shares + 2) / 3
	var b strings.Builder
	b.WriteString("version: 1\nname: large-org\nstart: 2026-01-05T00:00:00Z\nduration: 1h\nseed: 1\n")
	b.WriteString("organization:\n  id: o-large00001\n  management_account: \"100000000000\"\n  ram_sharing: enabled\n  units:\n    - path: /platform\n    - path: /audit\n")
	for u := 1; u <= 10; u++ {
		fmt.Fprintf(&b, "    - path: /bu-%d\n", u)
	}
	b.WriteString("accounts:\n  - {id: \"100000000000\", name: management, ou: /}\n")
	fmt.Fprintf(&b, "  - {id_from: \"110000000001\", count: %d, name: \"platform-%%d\", ou: /platform, group: owners,\n", owners)
	b.WriteString("     principals: [{name: role/PlatformEngineer, policies: [consumer]}]}\n")
	fmt.Fprintf(&b, "  - {id_from: \"120000000001\", count: %d, name: \"audit-%%d\", ou: /audit,\n", auditors)
	b.WriteString("     principals: [{name: role/Auditor, policies: [consumer]}]}\n")
	fmt.Fprintf(&b, "  - {id_from: \"130000000001\", count: %d, name: \"partner-%%d\", group: partners}\n", partners)
	for u := 1; u <= 10; u++ {
		fmt.Fprintf(&b, "  - {id_from: \"2%02d000000001\", count: %d, name: \"bu%d-team-%%d\", ou: /bu-%d, group: [teams],\n", u, teams, u, u)
		b.WriteString("     principals: [{name: role/MLEngineer, policies: [consumer]}]}\n")
	}
	b.WriteString("policies:\n  consumer:\n    Statement: [{Effect: Allow, Action: [\"sagemaker:Describe*\", \"sagemaker:StartPipelineExecution\"], Resource: \"*\"}]\n")
	fmt.Fprintf(&b, "pipelines:\n  - {name: \"train-%%d\", count: %d, account: \"group:owners\", steps: [{name: A, type: Processing, instance_type: ml.m5.xlarge, duration: 1m}]}\n", pipes)
	b.WriteString("shares:\n")
	fmt.Fprintf(&b, "  - {name: \"train-%%d-teams\", count: %d, owner: \"group:owners\", pipelines: [\"train-%%d\"], spread: {group: teams, per_copy: 10}, permission: extended}\n", pipes)
	fmt.Fprintf(&b, "  - {name: \"train-%%d-audit\", count: %d, owner: \"group:owners\", pipelines: [\"train-%%d\"], principals: [\"ou:/audit\"]}\n", pipes)
	fmt.Fprintf(&b, "  - {name: \"train-%%d-partner\", count: %d, owner: \"group:owners\", pipelines: [\"train-%%d\"], spread: {group: partners}, permission: extended}\n", shares-2*pipes)
	b.WriteString("workload:\n  - {callers: [\"110000000001/role/PlatformEngineer\"], targets: [train-1], rate: 1/m, actions: {DescribePipeline: 1}}\n")
	return b.String()
}

func TestLargeOrgScenarioIsValid(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "large.yaml")
	require.NoError(t, os.WriteFile(path, []byte(largeOrgScenario(1_000, 300)), 0o644))
	var out strings.Builder
	code := run(context.Background(), []string{"check", path, "--format", "json", "--root", dir}, strings.NewReader(""), &out, io.Discard)
	require.Contains(t, []int{0, 1}, code, out.String())
	require.Contains(t, out.String(), `"findings"`)
}

// BenchmarkCheckLargeOrg measures `pipeshare check` (parse, compile, a
// one-hour run of 60 calls, the compliance rules, the JSON report) on a
// 100,000-account, 20,000-share organization; the goal is under 5 s.
func BenchmarkCheckLargeOrg(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "large.yaml")
	require.NoError(b, os.WriteFile(path, []byte(largeOrgScenario(100_000, 20_000)), 0o644))
	for b.Loop() {
		code := run(context.Background(), []string{"check", path, "--format", "json", "--root", dir}, strings.NewReader(""), io.Discard, io.Discard)
		if code > 1 { // 1: findings
			b.Fatalf("exit %d", code)
		}
	}
}
