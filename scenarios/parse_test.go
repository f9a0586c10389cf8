package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// hdr is a valid top level of four lines; cases append from line 5.
const hdr = "version: 1\nname: t\nstart: 2026-01-05T00:00:00Z\nduration: 30d\n"

// badInputs are scenarios that must fail, with every line Parse reports.
var badInputs = []struct {
	name string
	in   string
	want []string
}{
	// The file itself.
	{"empty", "", []string{"t.yaml:1:1: empty scenario"}},
	{"over the size limit", hdr, []string{"t.yaml:1:1: file too large (limit 32 bytes, raise with --max-input)"}},
	{"blank", "\n  \n", []string{"t.yaml:1:1: empty scenario"}},
	{"comments only", "# nothing\n", []string{"t.yaml:1:1: empty scenario"}},
	{"empty document", "---", []string{"t.yaml:1:1: empty scenario"}},
	{"null document", "--- ~\n", []string{"t.yaml:1:5: the top level must be a mapping, not null"}},
	{"NUL byte", "version: 1\x00\n", []string{"t.yaml:1:11: not a text file (a NUL byte)"}},
	{"invalid UTF-8", "name: \xff\xfe\n", []string{"t.yaml:1:7: not a text file (byte 0xFF is not UTF-8)"}},
	// Lines count YAML's line breaks; columns count characters.
	{"invalid UTF-8 later", hdr + "# héllo wörld\r\nname: \"é\xc3\"\n",
		[]string{"t.yaml:6:9: not a text file (byte 0xC3 is not UTF-8)"}},
	{"invalid UTF-8 after a BOM", "\uFEFFname: ab\x80\n", []string{"t.yaml:1:9: not a text file (byte 0x80 is not UTF-8)"}},
	{"binary file", "\x7fELF\x02\x01\x01\x00\x00\x00\xff\xff\n\x00\x00",
		[]string{"t.yaml:1:8: not a text file (a NUL byte)"}},
	{"control character", hdr + "region: \"a\x01\"\n",
		[]string{"t.yaml:5:11: character U+0001 is not allowed in YAML"}},
	{"tab in indentation", hdr + "accounts:\n  - id: \"111111111111\"\n\tname: x\n",
		[]string{"t.yaml:7:1: tab character in indentation; YAML needs spaces"}},
	{"tab after spaces", hdr + "organization:\n  id: o-abcdefghij\n  \tmanagement_account: \"111111111111\"\n",
		[]string{"t.yaml:7:3: tab character in indentation; YAML needs spaces"}},
	{"YAML syntax, unclosed flow", hdr + "accounts: [\n",
		[]string{"t.yaml:5:1: did not find expected node content"}},
	{"YAML syntax, no line", "a: b: c\n",
		[]string{"t.yaml:1:1: mapping values are not allowed in this context"}},
	{"YAML syntax, unterminated quote", hdr + "name: 'abc\n",
		[]string{"t.yaml:5:1: found unexpected end of stream"}},
	{"two documents", hdr + "---\nname: u\n",
		[]string{"t.yaml:5:1: a scenario file holds one YAML document; found another"}},
	{"top level is a list", "- 1\n- 2\n", []string{"t.yaml:1:1: the top level must be a mapping, not a list"}},
	{"duplicate top-level key", hdr + "name: u\n",
		[]string{`t.yaml:5:1: duplicate key "name" (first defined at t.yaml:2:1)`}},
	{"duplicate nested key", hdr + "shares:\n  - name: s\n    owner: \"111111111111\"\n    name: u\n",
		[]string{`t.yaml:8:5: duplicate key "name" (first defined at t.yaml:6:5)`}},

	// Top level.
	{"missing required keys at the parent", "# a scenario\nname: t\nregion: us-east-1\n", []string{
		`t.yaml:2:1: missing required key "version"`,
		`t.yaml:2:1: missing required key "start"`,
		`t.yaml:2:1: missing required key "duration"`,
	}},
	{"unknown top-level key", hdr + "nmae: x\n", []string{
		`t.yaml:5:1: unknown key "nmae" in the top level, did you mean "name"? (allowed: version, name, region, start, duration, seed, organization, accounts, policies, buckets, keys, pipelines, shares, events, workload, pricing, rules)`,
	}},
	{"wrong types", "version: 2\nname: [x]\nstart: 5d\nduration: -1h\nseed: -1\nregion: Mars\n", []string{
		"t.yaml:1:10: unsupported version 2 (this pipeshare reads version 1)",
		"t.yaml:2:7: name must be a string, not a list",
		`t.yaml:3:8: start must be an RFC 3339 time (2026-01-05T00:00:00Z), not "5d"`,
		`t.yaml:4:11: duration: duration "-1h" is negative`,
		"t.yaml:5:7: seed must be an integer from 0 to 18446744073709551615, not -1",
		`t.yaml:6:9: region "Mars" does not look like an AWS region (e.g. us-east-1)`,
	}},
	{"date-only start", "version: 1\nname: t\nstart: 2026-01-05\nduration: 30d\n", []string{
		"t.yaml:3:8: start: date-only time 2026-01-05: write 2026-01-05T00:00:00Z",
	}},
	{"start + duration overflows", "version: 1\nname: t\nstart: 2262-01-05T00:00:00Z\nduration: 1000d\n", []string{
		"t.yaml:4:11: start + duration is after the year 2262 (int64 nanoseconds overflow)",
	}},
	{"duration overflows", "version: 1\nname: t\nstart: 2026-01-05T00:00:00Z\nduration: 200000d\n", []string{
		`t.yaml:4:11: duration: duration "200000d" overflows (the limit is about 106751d)`,
	}},
	{"extends of a missing base", hdr + "extends: base.yaml\n",
		[]string{`t.yaml:5:10: extends: no file or embedded scenario named "base.yaml" (embedded: data-plane, extended-vs-read-only, external-partner, org-restructure, quickstart, scale, w1, w1-500, w1-steady)`}},
	{"rules must be a list", hdr + "rules: {}\n",
		[]string{"t.yaml:5:8: rules must be a list, not a mapping"}},
	{"section of the wrong type", hdr + "accounts: {}\npolicies: []\n", []string{
		"t.yaml:5:11: accounts must be a list, not a mapping",
		"t.yaml:6:11: policies must be a mapping, not a list",
	}},

	// Organization and accounts.
	{"organization missing keys", hdr + "organization:\n  ram_sharing: yes\n  units:\n    - {scps: [a], colour: red}\n", []string{
		`t.yaml:6:3: missing required key "id" in organization`,
		`t.yaml:6:3: missing required key "management_account" in organization`,
		`t.yaml:6:16: ram_sharing must be enabled or disabled, not "yes"`,
		`t.yaml:8:7: missing required key "path" in units entry`,
		`t.yaml:8:19: unknown key "colour" in units entry (allowed: path, id, scps, full_access)`,
	}},
	{"13-digit and unquoted account IDs", hdr + "accounts:\n  - {id: \"1234567890123\"}\n  - {id: 222222222222}\n  - {id: \"12345678901a\"}\n", []string{
		`t.yaml:6:10: account ID "1234567890123" must be 12 digits, not 13 characters`, // model.ParseAccountID
		"t.yaml:7:10: account ID 222222222222 must be a quoted string (YAML drops leading zeros)",
		`t.yaml:8:10: account ID "12345678901a" must be 12 digits: 'a' at offset 11 is not a digit`,
	}},
	{"unquoted account references", hdr + "organization: {id: o-abcdefghij, management_account: 111111111111}\n" +
		"pipelines: [{name: p, account: 111111111111}]\n" +
		"shares: [{name: s, owner: 111111111111, principals: [222222222222]}]\n" +
		"events: [{at: 1d, action: move_account, account: 222222222222, ou: /x}]\n", []string{
		"t.yaml:5:54: account ID 111111111111 must be a quoted string (YAML drops leading zeros)",
		"t.yaml:6:32: account ID 111111111111 must be a quoted string (YAML drops leading zeros)",
		"t.yaml:7:27: account ID 111111111111 must be a quoted string (YAML drops leading zeros)",
		"t.yaml:7:54: account ID 222222222222 must be a quoted string (YAML drops leading zeros)",
		"t.yaml:8:50: account ID 222222222222 must be a quoted string (YAML drops leading zeros)",
	}},
	{"account keys", hdr + "accounts:\n  - {name: x}\n  - {id: \"111111111111\", id_from: \"222222222222\", count: 2}\n  - {id_from: \"333333333333\", nmae: x}\n", []string{
		"t.yaml:6:5: account needs id (or id_from and count)",
		"t.yaml:7:26: an account has id or id_from, not both",
		`t.yaml:8:5: missing required key "count" in account (id_from needs count)`,
		`t.yaml:8:31: unknown key "nmae" in account, did you mean "name"? (allowed: id, id_from, count, name, ou, principals, scps, full_access, group, quotas, on_capacity)`,
	}},
	{"id_from overflows 12 digits", hdr + "accounts:\n  - {id_from: \"999999999998\", count: 5}\n", []string{
		"t.yaml:6:38: id_from 999999999998 + count 5 goes past 999999999999 (account IDs have 12 digits)",
	}},
	{"count out of range", hdr + "accounts:\n  - {id_from: \"300000000000\", count: 0}\n  - {id_from: \"400000000000\", count: 1000000}\n  - {id_from: \"500000000000\", count: two}\n", []string{
		"t.yaml:6:38: count 0 is out of range (1 to 100000)",
		"t.yaml:7:38: count 1000000 is out of range (1 to 100000)",
		"t.yaml:8:38: count must be an integer, not a string",
	}},
	{"principals and quotas", hdr + "accounts:\n  - id: \"111111111111\"\n    principals: [{policies: p}]\n" +
		"    quotas: {concurrent_executions: lots, instances: {m5: 1, ml.m5.xlarge: -1}, api_rate: {rate: 10, burst: 0}}\n" +
		"    on_capacity: wait\n", []string{
		`t.yaml:7:18: missing required key "name" in principal`,
		"t.yaml:7:29: policies must be a list, not a string (write [p])",
		`t.yaml:8:37: concurrent_executions must be an integer or unlimited, not "lots"`,
		`t.yaml:8:55: instance type "m5" must look like ml.m5.xlarge`,
		"t.yaml:8:76: instances.ml.m5.xlarge -1 is out of range (0 to 2147483647)",
		"t.yaml:8:98: api_rate.rate: rate 10 needs a unit: write 10/s, 10/m, 10/h or 10/d",
		"t.yaml:8:109: api_rate.burst 0 is out of range (1 to 2147483647)",
		`t.yaml:9:18: on_capacity must be fail or queue, not "wait"`,
	}},

	// Policies.
	{"policy shapes", hdr + "policies:\n  p:\n    Version: 2012-10-18\n    Statement: {Effect: Allow, Action: 5, Resource: [[x]], Condition: {StringEquals: {a: [1, true], b: {c: d}}}, Foo: 1}\n  q: {Statement: x}\n  r: {}\n", []string{
		`t.yaml:7:14: Version must be "2012-10-17", not "2012-10-18"`,
		`t.yaml:8:40: Action must be a string, not a number (quote it: "5")`,
		"t.yaml:8:54: Resource entry must be a string, not a list",
		"t.yaml:8:104: a condition value must be a string, number or boolean, not a mapping",
		`t.yaml:8:114: unknown key "Foo" in statement (allowed: Sid, Effect, Action, NotAction, Resource, NotResource, Principal, NotPrincipal, Condition)`,
		"t.yaml:9:18: statement must be a mapping, not a string",
		`t.yaml:10:6: missing required key "Statement" in policy "r"`,
	}},

	// Pipelines.
	{"definition without file access", hdr + "pipelines:\n  - name: p\n    account: \"111111111111\"\n    steps: []\n    definition: p.json\n    execution_timeout: none\n  - {account: \"111111111111\"}\n", []string{
		"t.yaml:9:17: definition: cannot read p.json here (no file access); give the JSON inline",
		`t.yaml:11:5: missing required key "name" in pipeline`,
	}},

	// Shares.
	{"bad durations", hdr + "shares:\n  - {name: s, owner: \"111111111111\", association_delay: 5x, invitation_ttl: 90}\n", []string{
		`t.yaml:6:57: association_delay: invalid duration "5x": unknown unit "x" (use ns, us, ms, s, m, h or d)`,
		`t.yaml:6:77: invitation_ttl: duration "90" needs a unit (ns, us, ms, s, m, h or d)`,
	}},
	{"share values", hdr + "shares:\n  - name: s\n    permission: admin\n    allow_external_principals: \"no\"\n    principals: \"222222222222\"\n", []string{
		`t.yaml:6:5: missing required key "owner" in share`,
		`t.yaml:7:17: unknown permission "admin" (want read-only, extended, or an AWS managed permission name or ARN)`,
		"t.yaml:8:32: allow_external_principals must be true or false, not a string",
		"t.yaml:9:17: principals must be a list, not a string (write [222222222222])",
	}},
	{"invitations", hdr + "shares:\n  - {name: s, owner: \"111111111111\", invitations: {\"222222222222\": maybe, \"333333333333\": {accept_after: 1h, reject_after: 2h}, 444444444444: ignore, \"x\": ignore, \"555555555555\": {}}}\n", []string{
		`t.yaml:6:68: invitation for 222222222222 must be {accept_after: D}, {reject_after: D} or ignore, not "maybe"`,
		"t.yaml:6:110: invitation for 333333333333 has both accept_after and reject_after; give one",
		"t.yaml:6:129: account ID 444444444444 must be a quoted string (YAML drops leading zeros)",
		`t.yaml:6:151: invitations key: account ID "x" must be 12 digits, not 1 characters (want an account ID or group:G)`,
		"t.yaml:6:180: invitation for 555555555555 needs accept_after or reject_after (or write ignore)",
	}},

	// Events.
	{"event times", hdr + "events:\n  - {at: 2026-01-04T00:00:00Z, action: delete_share, share: s}\n  - {at: 2026-01-06, action: delete_share, share: s}\n  - {at: 3, action: delete_share, share: s}\n", []string{
		"t.yaml:6:10: at: time 2026-01-04T00:00:00Z is before start 2026-01-05T00:00:00Z",
		"t.yaml:7:10: at: date-only time 2026-01-06: write 2026-01-06T00:00:00Z",
		`t.yaml:8:10: at: duration "3" needs a unit (ns, us, ms, s, m, h or d)`,
	}},
	{"event actions and keys", hdr + "events:\n  - {at: 1d, action: move, account: \"111111111111\"}\n  - {at: 1d, action: move_account, account: \"111111111111\", share: x}\n  - {action: set_permission, share: s, permission: none}\n  - {at: 1d}\n", []string{
		`t.yaml:6:22: unknown event action "move" (want set_permission, associate, disassociate, delete_share, move_account, leave_organization, attach_policy, detach_policy, attach_rcp, detach_rcp or set_quota)`,
		`t.yaml:7:5: missing required key "ou" in move_account event`,
		`t.yaml:7:61: unknown key "share" in move_account event (allowed: at, action, account, ou)`,
		`t.yaml:8:5: missing required key "at" in set_permission event`,
		`t.yaml:8:52: unknown permission "none" (want read-only, extended, or an AWS managed permission name or ARN)`,
		`t.yaml:9:5: missing required key "action" in event`,
	}},
	{"set_quota", hdr + "events:\n  - {at: 1d, action: set_quota, account: \"111111111111\", concurrent_executions: -2, api_rate: {burst: 3}}\n", []string{
		"t.yaml:6:81: concurrent_executions -2 is out of range (0 to 2147483647)",
		`t.yaml:6:95: missing required key "rate" in api_rate`,
	}},

	// Workload.
	{"bad rates", hdr + "workload:\n  - {callers: [a], targets: all, rate: 4, actions: {DescribePipeline: 1}}\n  - {callers: [a], targets: all, rate: 4/x, actions: {DescribePipeline: 1}}\n  - {callers: [a], targets: all, rate: 0/h, actions: {DescribePipeline: 1}}\n", []string{
		"t.yaml:6:40: rate: rate 4 needs a unit: write 4/s, 4/m, 4/h or 4/d",
		`t.yaml:7:40: rate: invalid rate "4/x": invalid duration "1x": unknown unit "x" (use ns, us, ms, s, m, h or d)`,
		"t.yaml:8:40: rate: 0/h is not a positive rate",
	}},
	{"two of rate, every and at", hdr + "workload:\n  - {callers: [a], targets: all, rate: 4/h, every: 1h, at: [1h], actions: {DescribePipeline: 1}}\n  - {callers: [a], targets: all, actions: {DescribePipeline: 1}}\n", []string{
		"t.yaml:6:45: workload entry has both rate and every; give exactly one of rate, every or at",
		"t.yaml:6:56: workload entry has both rate and at; give exactly one of rate, every or at",
		"t.yaml:7:5: workload entry needs one of rate, every or at",
	}},
	{"unknown action", hdr + "workload:\n  - {callers: [a], targets: all, rate: 4/h, actions: {Describe: 1, describepipeline: 1, sagemaker:DescribePipeline: 2, Search: x}}\n", []string{
		`t.yaml:6:55: unknown action "Describe" (want one of DescribePipeline, DescribePipelineDefinitionForExecution, DescribePipelineExecution, ListPipelineExecutions, ListPipelineExecutionSteps, ListPipelineParametersForExecution, Search, StartPipelineExecution, StopPipelineExecution, RetryPipelineExecution)`,
		"t.yaml:6:89: action DescribePipeline is listed twice (first at t.yaml:6:68)",
		"t.yaml:6:128: weight of Search must be a number, not a string",
	}},
	{"weights, between, every", hdr + "workload:\n  - {callers: [], targets: [], every: 0s, actions: {DescribePipeline: 0, Search: -1}, between: [5d, 2d]}\n  - {callers: [a], targets: some, every: 1h, actions: {}, between: [1d]}\n", []string{
		"t.yaml:6:15: callers must not be empty",
		"t.yaml:6:28: targets must not be empty (write all for every pipeline)",
		"t.yaml:6:39: every must be positive",
		"t.yaml:6:82: weight of Search must not be negative",
		"t.yaml:6:101: between: to (2d) is before from (5d)",
		`t.yaml:7:29: targets must be a list of pipelines or all, not "some" (write [some])`,
		"t.yaml:7:55: actions must list at least one action",
		"t.yaml:7:68: between must be [from, to], not a list of 1",
	}},
	{"trace with other keys", hdr + "workload:\n  - {trace: traces/ct.jsonl.gz, rate: 1/h}\n",
		[]string{"t.yaml:6:33: unknown key \"rate\" in workload entry, did you mean \"trace\"? (allowed: trace)"}},
	{"at times", hdr + "workload:\n  - {callers: [a], targets: all, at: [1h, 2026-01-01T00:00:00Z], actions: {Search: 1}}\n", []string{
		"t.yaml:6:43: at: time 2026-01-01T00:00:00Z is before start 2026-01-05T00:00:00Z",
	}},

	// YAML features.
	{"nested merges stay linear", hdr + "x:\n" +
		"  - &a0 {k: v}\n" +
		"  - &a1 {<<: [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]}\n" +
		"  - &a2 {<<: [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]}\n" +
		"  - &a3 {<<: [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]}\n" +
		"  - &a4 {<<: [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]}\n" +
		"  - &a5 {<<: [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]}\n" +
		"  - &a6 {<<: [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]}\n" +
		"  - &a7 {<<: [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]}\n" +
		"  - &a8 {<<: [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]}\n" +
		"organization: {<<: *a8, id: o-abcdefghij, management_account: \"111111111111\"}\n", []string{
		`t.yaml:5:1: unknown key "x" in the top level (allowed: version, name, region, start, duration, seed, organization, accounts, policies, buckets, keys, pipelines, shares, events, workload, pricing, rules)`,
		`t.yaml:6:10: unknown key "k" in organization (allowed: id, management_account, ram_sharing, units, rcps)`,
	}},
	{"aliases expanding too far", hdr + "x:\n" +
		"  - &pol [" + strings.Repeat("a, ", 49) + "a]\n" +
		"  - &p {name: role/x, policies: *pol}\n" +
		"  - &pl [" + strings.Repeat("*p, ", 49) + "*p]\n" +
		"  - &acct {id: \"111111111111\", principals: *pl}\n" +
		"accounts: [" + strings.Repeat("*acct, ", 49) + "*acct]\n", []string{
		`t.yaml:5:1: unknown key "x" in the top level (allowed: version, name, region, start, duration, seed, organization, accounts, policies, buckets, keys, pipelines, shares, events, workload, pricing, rules)`,
		"t.yaml:9:44: aliases expand to too many nodes",
	}},
	{"aliases are reported where they are used", hdr + "x: [&n 5, &l [a]]\nname: *n\naccounts: [*l]\n", []string{
		`t.yaml:5:1: unknown key "x" in the top level (allowed: version, name, region, start, duration, seed, organization, accounts, policies, buckets, keys, pipelines, shares, events, workload, pricing, rules)`,
		`t.yaml:6:1: duplicate key "name" (first defined at t.yaml:2:1)`,
		"t.yaml:7:12: account must be a mapping, not a list",
	}},
}

// badInputLimits holds the LoadOptions.MaxInput of the bad inputs that need one.
var badInputLimits = map[string]int64{"over the size limit": 32}

func TestParseBadInputs(t *testing.T) {
	for _, tc := range badInputs {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Parse("t.yaml", []byte(tc.in), LoadOptions{MaxInput: badInputLimits[tc.name]})
			require.Error(t, err)
			assert.Nil(t, sc)
			var list ErrorList
			require.True(t, errors.As(err, &list), "error is %T", err)
			assert.Equal(t, strings.Join(tc.want, "\n")+"\n", list.String())
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	for _, tc := range []struct {
		max  int64
		want string
	}{
		{10, "big.yaml:1:1: file too large (limit 10 bytes, raise with --max-input)\n"},
		{2 << 10, "big.yaml:1:1: file too large (limit 2 KiB, raise with --max-input)\n"},
	} {
		in := hdr + "# " + strings.Repeat("x", 3000) + "\n"
		sc, err := Parse("big.yaml", []byte(in), LoadOptions{MaxInput: tc.max})
		require.Error(t, err)
		assert.Nil(t, sc)
		assert.Equal(t, tc.want, err.(ErrorList).String())
	}
	// The default is 64 MiB; a negative limit is no limit.
	big := []byte(hdr + "# " + strings.Repeat("x", DefaultMaxInput) + "\n")
	_, err := Parse("big.yaml", big, LoadOptions{})
	assert.EqualError(t, err, "big.yaml:1:1: file too large (limit 64 MiB, raise with --max-input)")
	_, err = Parse("big.yaml", big, LoadOptions{MaxInput: -1})
	assert.NoError(t, err)
}

func TestParseWarnings(t *testing.T) {
	in := hdr + "events:\n  - {at: 2026-03-04T00:00:00Z, action: delete_share, share: s}\n" +
		"policies:\n  p: {Statement: {Effect: Allow, Action: '*', Resource: '*', Condition: {Bool: {}}}}\n"
	sc, err := Parse("t.yaml", []byte(in), LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, "t.yaml:6:10: warning: at 2026-03-04T00:00:00Z is after the end of the run (duration 30d)\n"+
		"t.yaml:8:74: warning: Condition operator Bool has no keys\n", sc.Warnings.String())
	assert.Equal(t, model.Time(58*24*time.Hour), sc.Model.Events[0].At)

	// With an error, the list holds the warnings too.
	_, err = Parse("t.yaml", []byte(in+"seed: x\n"), LoadOptions{})
	assert.Equal(t, "t.yaml:6:10: warning: at 2026-03-04T00:00:00Z is after the end of the run (duration 30d)\n"+
		"t.yaml:8:74: warning: Condition operator Bool has no keys\n"+
		"t.yaml:9:7: seed must be an integer from 0 to 18446744073709551615, not x\n", err.(ErrorList).String())
	assert.EqualError(t, err, "t.yaml:9:7: seed must be an integer from 0 to 18446744073709551615, not x")
}

func TestParseFull(t *testing.T) {
	in := `version: 1
name: full
region: eu-central-1
start: 2026-01-05T02:00:00+02:00
duration: 1d12h
seed: 0x10
organization:
  id: o-abcdefghij
  management_account: "111111111111"
  ram_sharing: enabled
  units:
    - {path: /, scps: [root-scp]}
    - {path: /a, id: ou-x-y, full_access: false}
accounts:
  - id: "111111111111"
    name: mgmt
    ou: /
    scps: [acct-scp]
    full_access: false
    principals:
      - {name: role/Admin, policies: [admin], boundary: bound, tags: {team: ml, cost: 1234, on: true}}
  - {id_from: "000000000098", count: 3, name: gen, group: g1, quotas: {api_rate: {rate: 2.5/s}}}
  - {id_from: "200000000001", count: 2, name: "t%d-%d", group: [g1, g2], on_capacity: queue}
policies:
  admin:
    Version: 2012-10-17
    Id: x
    Statement:
      Sid: s1
      Effect: Allow
      Action: "*"
      NotResource: ["arn:aws:s3:::b", "arn:aws:s3:::c"]
      Principal: "*"
      Condition:
        StringEquals: {aws:PrincipalTag/team: [ml, 5, true]}
        DateLessThan: {aws:CurrentTime: 2026-02-01T00:00:00Z}
  bound: {Statement: [{Effect: Allow, NotAction: [], Resource: "*"}]}
  deny-stop: {Statement: &base {Effect: Deny, Action: "sagemaker:Stop*", Resource: "*"}}
  root-scp: {Statement: {<<: *base, Resource: "arn:aws:sagemaker:*:*:pipeline/*"}}
  acct-scp: {Statement: [{<<: [*base], Effect: Allow}]}
pipelines:
  - {name: p1, account: "111111111111"}
shares:
  - name: s
    owner: "111111111111"
    pipelines: [p1]
    principals: ["000000000098", org, "ou:/a"]
    permission: AWSRAMPermissionSageMakerPipelineAllowExecution
    at: 2026-01-05T08:00:00+08:00
    association_delay: 0
    allow_external_principals: false
    invitation_ttl: 1d
    retain_on_leave: true
    invitations: {"000000000099": {reject_after: 1.5h}, "group:g2": ignore}
  - {name: s2, owner: "111111111111"}
events:
  - {at: 1h, action: associate, share: s, principals: ["222222222222/role/X"]}
  - {at: 2h, action: disassociate, share: s, pipelines: [p1]}
  - {at: 3h, action: leave_organization, account: "000000000100"}
  - {at: 4h, action: detach_policy, target: "111111111111/role/Admin", policy: admin}
  - {at: 5h, action: set_quota, account: "000000000098", instances: {ml.m5.large: 2}, on_capacity: fail}
workload:
  - {callers: ["111111111111"], targets: all, every: 90m, actions: {search: 1, "sagemaker:describepipeline": 3}}
  - name: w
    callers: [group:g1]
    targets: [p1, "arn:aws:sagemaker:eu-central-1:111111111111:pipeline/p1"]
    at: [1d, 2h, 2026-01-05T00:30:00Z]
    actions: {StartPipelineExecution: 1}
    between: [1h, 2026-01-05T12:00:00Z]
`
	sc, err := Parse("full.yaml", []byte(in), LoadOptions{})
	require.NoError(t, err)
	assert.Empty(t, sc.Warnings)
	assert.Equal(t, "full", sc.Name)
	assert.Equal(t, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), sc.Start)
	assert.Equal(t, time.UTC, sc.Start.Location())
	assert.Equal(t, sc.Start.UnixNano(), sc.Model.StartUnixNano)
	assert.Equal(t, "eu-central-1", sc.Model.Region)
	assert.Equal(t, uint64(16), sc.Sim.Seed)
	assert.Equal(t, sim.Time(36*time.Hour), sc.Sim.Duration)
	assert.Len(t, sc.SHA256, 64)
	pos := func(line, col int) model.Pos { return model.Pos{File: "full.yaml", Line: line, Col: col} }
	ref := func(s string, line, col int) model.Ref { return model.Ref{S: s, Pos: pos(line, col)} }

	m := sc.Model
	require.NotNil(t, m.Org)
	assert.Equal(t, &model.OrgConfig{ID: "o-abcdefghij", Management: ref("111111111111", 9, 23), RAMSharing: true,
		Units: []model.UnitConfig{
			{Path: ref("/", 12, 14), SCPs: []model.Ref{ref("root-scp", 12, 24)}, FullAccess: true, Pos: pos(12, 7)},
			{Path: ref("/a", 13, 14), ID: "ou-x-y", SCPs: nil, FullAccess: false, Pos: pos(13, 7)},
		}, Pos: pos(8, 3)}, m.Org)

	require.Len(t, m.Accounts, 6)
	assert.Equal(t, model.AccountConfig{ID: ref("111111111111", 15, 9), Name: "mgmt", OU: ref("/", 17, 9),
		SCPs: []model.Ref{ref("acct-scp", 18, 12)}, FullAccess: false, Pos: pos(15, 5),
		Principals: []model.PrincipalConfig{{Name: ref("role/Admin", 21, 16), Policies: []model.Ref{ref("admin", 21, 39)},
			Boundary: ref("bound", 21, 57), Tags: []model.Tag{{Key: "team", Value: "ml"}, {Key: "cost", Value: "1234"}, {Key: "on", Value: "true"}},
			Pos: pos(21, 9)}}}, m.Accounts[0])
	var ids, names []string
	for _, a := range m.Accounts[1:] {
		ids = append(ids, a.ID.S)
		names = append(names, a.Name)
		assert.True(t, a.FullAccess)
	}
	assert.Equal(t, []string{"000000000098", "000000000099", "000000000100", "200000000001", "200000000002"}, ids)
	assert.Equal(t, []string{"gen-1", "gen-2", "gen-3", "t1-1", "t2-2"}, names)
	assert.Equal(t, pos(22, 5), m.Accounts[2].Pos)
	assert.Equal(t, pos(22, 15), m.Accounts[2].ID.Pos)
	assert.Equal(t, []string{"g1"}, m.Accounts[1].Groups)
	assert.Equal(t, []string{"g1", "g2"}, m.Accounts[5].Groups)

	require.Len(t, m.Policies, 5)
	assert.Equal(t, "admin", m.Policies[0].Name)
	assert.Equal(t, pos(25, 3), m.Policies[0].Pos)
	st := m.Policies[0].Statements[0]
	assert.Equal(t, "s1", st.Sid)
	assert.Equal(t, ref("Allow", 30, 15), st.Effect)
	assert.Equal(t, []model.Ref{ref("*", 31, 15)}, st.Action)
	assert.Nil(t, st.NotAction)
	assert.Nil(t, st.Resource)
	assert.Equal(t, []model.Ref{ref("arn:aws:s3:::b", 32, 21), ref("arn:aws:s3:::c", 32, 39)}, st.NotResource)
	assert.Equal(t, pos(33, 7), st.PrincipalPos)
	assert.Equal(t, []model.ConditionDoc{
		{Operator: "StringEquals", Key: "aws:PrincipalTag/team", Values: []string{"ml", "5", "true"}, Pos: pos(35, 24)},
		{Operator: "DateLessThan", Key: "aws:CurrentTime", Values: []string{"2026-02-01T00:00:00Z"}, Pos: pos(36, 24)},
	}, st.Conditions)
	assert.NotNil(t, m.Policies[1].Statements[0].NotAction) // present but empty
	assert.Empty(t, m.Policies[1].Statements[0].NotAction)
	// Anchors and merge keys: merged values keep the anchor's positions.
	base := m.Policies[2].Statements[0]
	assert.Equal(t, pos(38, 26), base.Pos) // the anchor
	assert.Equal(t, ref("Deny", 38, 41), base.Effect)
	root := m.Policies[3].Statements[0]
	assert.Equal(t, pos(39, 25), root.Pos)
	assert.Equal(t, ref("Deny", 38, 41), root.Effect)
	assert.Equal(t, []model.Ref{ref("sagemaker:Stop*", 38, 55)}, root.Action)
	assert.Equal(t, []model.Ref{ref("arn:aws:sagemaker:*:*:pipeline/*", 39, 47)}, root.Resource)
	acct := m.Policies[4].Statements[0]
	assert.Equal(t, "Allow", acct.Effect.S)
	assert.Equal(t, "sagemaker:Stop*", acct.Action[0].S)
	assert.Equal(t, []model.Ref{ref("*", 38, 84)}, acct.Resource)

	assert.Equal(t, []model.PipelineConfig{{Name: ref("p1", 42, 12), Account: ref("111111111111", 42, 25), Pos: pos(42, 5)}}, m.Pipelines)

	require.Len(t, m.Shares, 2)
	assert.Equal(t, model.ShareConfig{
		Name: ref("s", 44, 11), Owner: ref("111111111111", 45, 12),
		Pipelines:  []model.Ref{ref("p1", 46, 17)},
		Principals: []model.Ref{ref("000000000098", 47, 18), ref("org", 47, 34), ref("ou:/a", 47, 39)},
		Permission: model.PermissionExtended, At: model.Time(0), AssociationDelay: 0, AllowExternal: false,
		InvitationTTL: model.Time(24 * time.Hour), RetainOnLeave: true,
		Invitations: []model.InvitationConfig{
			{Key: ref("000000000099", 54, 19), Answer: model.AnswerReject, After: model.Time(90 * time.Minute), Pos: pos(54, 19)},
			{Key: ref("group:g2", 54, 57), Answer: model.AnswerIgnore, Pos: pos(54, 57)},
		},
		Pos: pos(44, 5)}, m.Shares[0])
	assert.Equal(t, model.ShareConfig{Name: ref("s2", 55, 12), Owner: ref("111111111111", 55, 23),
		Permission: model.PermissionReadOnly, AssociationDelay: model.Time(2 * time.Minute), AllowExternal: true,
		InvitationTTL: model.Time(12 * time.Hour), Pos: pos(55, 5)}, m.Shares[1])

	require.Len(t, m.Events, 4)
	assert.Equal(t, model.EventConfig{At: model.Time(time.Hour), Kind: model.EventAssociate, Share: ref("s", 57, 40),
		Principals: []model.Ref{ref("222222222222/role/X", 57, 56)}, Pos: pos(57, 5)}, m.Events[0])
	assert.Equal(t, model.EventDisassociate, m.Events[1].Kind)
	assert.Nil(t, m.Events[1].Principals)
	assert.Equal(t, []model.Ref{ref("p1", 58, 58)}, m.Events[1].Pipelines)
	assert.Equal(t, model.EventLeaveOrganization, m.Events[2].Kind)
	assert.Equal(t, ref("000000000100", 59, 51), m.Events[2].Account)
	assert.Equal(t, model.EventDetachPolicy, m.Events[3].Kind)
	assert.Equal(t, ref("111111111111/role/Admin", 60, 45), m.Events[3].Target)
	assert.Equal(t, ref("admin", 60, 80), m.Events[3].Policy)

	s := sc.Sim
	require.Len(t, s.Quotas, 5)
	for i, id := range []string{"000000000098", "000000000099", "000000000100"} {
		q := s.Quotas[i]
		assert.Equal(t, id, q.Account.S)
		assert.Equal(t, 2.5, q.APIRate)
		assert.Equal(t, 3, q.APIBurst)
		assert.True(t, q.HasAPIRate)
		assert.False(t, q.HasConcurrent)
		assert.Equal(t, 20, q.ConcurrentExecutions)
	}
	assert.True(t, s.Quotas[3].OnCapacityQueue)
	assert.True(t, s.Quotas[4].HasOnCapacity)
	assert.Equal(t, []sim.QuotaEvent{{At: sim.Time(5 * time.Hour), Pos: pos(61, 5), Quota: sim.AccountQuota{
		Account: ref("000000000098", 61, 42), Instances: map[string]int{"ml.m5.large": 2},
		HasOnCapacity: true, Pos: pos(61, 5)}}}, s.QuotaEvents)

	require.Len(t, s.Workload, 2)
	w0 := s.Workload[0]
	assert.Equal(t, "", w0.Name)
	assert.Equal(t, pos(63, 5), w0.Pos)
	assert.Equal(t, []model.Ref{ref("111111111111", 63, 16)}, w0.Callers)
	assert.Equal(t, []model.Ref{ref("all", 63, 42)}, w0.Targets)
	assert.Equal(t, sim.Arrival{Kind: sim.ArrivalEvery, Every: sim.Time(90 * time.Minute)}, w0.Arrival)
	assert.Equal(t, []sim.ActionWeight{{Action: model.Search, Weight: 1}, {Action: model.DescribePipeline, Weight: 3}}, w0.Actions)
	assert.Equal(t, sim.Time(0), w0.From)
	assert.Equal(t, sim.Time(36*time.Hour), w0.To)
	w1 := s.Workload[1]
	assert.Equal(t, "w", w1.Name)
	assert.Equal(t, []model.Ref{ref("group:g1", 65, 15)}, w1.Callers)
	assert.Len(t, w1.Targets, 2)
	assert.Equal(t, sim.Arrival{Kind: sim.ArrivalAt, At: []sim.Time{sim.Time(30 * time.Minute), sim.Time(2 * time.Hour), sim.Time(24 * time.Hour)}}, w1.Arrival)
	assert.Equal(t, sim.Time(time.Hour), w1.From)
	assert.Equal(t, sim.Time(12*time.Hour), w1.To)
}

// TestParseBlockScalar: tabs inside a block scalar's text are not
// indentation.
func TestParseBlockScalar(t *testing.T) {
	in := "version: 1\nname: |\n  two\n  \tlines # not a comment\nstart: 2026-01-05T00:00:00Z\nduration: 30d\n"
	sc, err := Parse("t.yaml", []byte(in), LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, "two\n\tlines # not a comment\n", sc.Name)
}

func TestParseIDFromName(t *testing.T) {
	in := hdr + "accounts:\n  - {id_from: \"000000000001\", count: 2}\n  - {id_from: \"000000000010\", count: 2, name: team}\n"
	sc, err := Parse("t.yaml", []byte(in), LoadOptions{})
	require.NoError(t, err)
	var names []string
	for _, a := range sc.Model.Accounts {
		names = append(names, a.ID.S+"="+a.Name)
	}
	assert.Equal(t, []string{"000000000001=", "000000000002=", "000000000010=team-1", "000000000011=team-2"}, names)
}

func TestErrorList(t *testing.T) {
	var l ErrorList
	assert.NoError(t, l.Err())
	assert.Equal(t, "no errors", l.Error())
	p := func(f string, line, col int) model.Pos { return model.Pos{File: f, Line: line, Col: col} }
	l.Warn(p("b.yaml", 1, 1), "w")
	assert.NoError(t, l.Err())
	l.Add(p("b.yaml", 3, 2), "second")
	l.Add(p("a.yaml", 9, 9), "first")
	l.AddPosError(&model.PosError{Pos: p("b.yaml", 3, 1), Msg: "from the model", Severity: model.SeverityWarning})
	l.AddPosErrors([]*model.PosError{{Pos: p("b.yaml", 2, 0), Msg: "model error"}, nil,
		{Pos: p("b.yaml", 2, 5), Msg: "unused", Severity: model.SeverityWarning}})
	l.AddPosError(nil)
	l.Sort()
	assert.Equal(t, "a.yaml:9:9: first\n"+
		"b.yaml:1:1: warning: w\n"+
		"b.yaml:2:1: model error\n"+
		"b.yaml:2:5: warning: unused\n"+
		"b.yaml:3:1: warning: from the model\n"+
		"b.yaml:3:2: second\n", l.String())
	assert.Equal(t, "a.yaml:9:9: first (and 2 more errors)", l.Error())
	assert.True(t, l.HasErrors())
	assert.Len(t, l.Warnings(), 3)
	var sb strings.Builder
	PrintError(&sb, l.Err())
	assert.Equal(t, l.String(), sb.String())
}
