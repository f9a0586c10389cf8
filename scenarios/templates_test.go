package scenarios

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
)

// tmplHdr is hdr (4 lines) with an organization and accounts: two owners
// (group owners) and three teams with a role X (group teams); cases append
// from line 10.
const tmplHdr = hdr +
	"organization: {id: o-abcdefghij, management_account: \"100000000000\", ram_sharing: enabled}\n" +
	"accounts:\n" +
	"  - {id: \"100000000000\", ou: /}\n" +
	"  - {id_from: \"110000000001\", count: 2, group: owners, ou: /}\n" +
	"  - {id_from: \"200000000001\", count: 3, group: [teams, teams], ou: /, principals: [{name: role/X}]}\n"

func refStrings(refs []model.Ref) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.S
	}
	return out
}

// TestCountTemplates expands pipelines, shares and workload entries: names,
// round-robin owners, %d in lists, spreads; copies keep the template's
// positions.
func TestCountTemplates(t *testing.T) {
	in := tmplHdr +
		"pipelines:\n" +
		"  - {name: \"p-%d\", count: 3, account: \"group:owners\", steps: [{name: A, type: Lambda, duration: 1m}]}\n" +
		"  - {name: \"q-%d\", count: 1, account: \"110000000002\"}\n" +
		"shares:\n" +
		"  - {name: \"s-%d\", count: 3, owner: \"group:owners\", pipelines: [\"p-%d\"], principals: [\"200000000003\"],\n" +
		"     spread: {group: teams, per_copy: 2}, permission: extended}\n" +
		"workload:\n" +
		"  - {name: \"w-%d\", count: 3, spread: {group: teams, principal: role/X}, callers: [\"110000000001\"],\n" +
		"     targets: [\"p-%d\"], rate: 1/h, actions: {DescribePipeline: 1}}\n" +
		"  - {callers: [\"200000000001\"], targets: all, rate: 1/h, actions: {DescribePipeline: 1}}\n"
	sc, err := Parse("t.yaml", []byte(in), LoadOptions{})
	require.NoError(t, err)

	var pls []string
	for _, p := range sc.Model.Pipelines {
		pls = append(pls, p.Name.S+"@"+p.Account.S+" "+p.Pos.String())
	}
	assert.Equal(t, []string{"p-1@110000000001 t.yaml:11:5", "p-2@110000000002 t.yaml:11:5",
		"p-3@110000000001 t.yaml:11:5", "q-1@110000000002 t.yaml:12:5"}, pls)
	require.Len(t, sc.Sim.Pipelines, 3) // q-1 has no steps
	for i, ps := range sc.Sim.Pipelines {
		assert.Equal(t, sc.Model.Pipelines[i].Name, ps.Name)
		assert.Equal(t, sc.Model.Pipelines[i].Account, ps.Account)
		assert.Equal(t, "A", ps.Steps[0].Name)
	}

	var shares []string
	for _, s := range sc.Model.Shares {
		shares = append(shares, s.Name.S+"@"+s.Owner.S+" "+strings.Join(refStrings(s.Pipelines), ",")+
			" "+strings.Join(refStrings(s.Principals), ","))
		assert.Equal(t, model.PermissionExtended, s.Permission)
	}
	assert.Equal(t, []string{
		"s-1@110000000001 p-1 200000000003,200000000001,200000000002",
		"s-2@110000000002 p-2 200000000003,200000000003,200000000001",
		"s-3@110000000001 p-3 200000000003,200000000002,200000000003",
	}, shares)
	// The spread's principals point at the spread, the rest where written.
	assert.Equal(t, "t.yaml:14:87", sc.Model.Shares[0].Principals[0].Pos.String())
	assert.Equal(t, "t.yaml:15:14", sc.Model.Shares[0].Principals[1].Pos.String())
	assert.Equal(t, "t.yaml:14:65", sc.Model.Shares[2].Pipelines[0].Pos.String())

	var wls []string
	for _, w := range sc.Sim.Workload {
		wls = append(wls, w.Name+" "+strings.Join(refStrings(w.Callers), ",")+" "+strings.Join(refStrings(w.Targets), ","))
	}
	assert.Equal(t, []string{
		"w-1 110000000001,200000000001/role/X p-1",
		"w-2 110000000001,200000000002/role/X p-2",
		"w-3 110000000001,200000000003/role/X p-3",
		" 200000000001 all",
	}, wls)

	c, err := Compile(sc)
	require.NoError(t, err, "%v", err)
	assert.Equal(t, 4, c.World.NumPipelines())
}

// templateInputs are count templates that must fail, with every line
// Parse (or, with compile, Compile) reports.
var templateInputs = []struct {
	name    string
	in      string
	compile bool
	want    []string
}{
	{"pipeline count without %d", tmplHdr + "pipelines:\n  - {name: p, count: 2, account: \"110000000001\"}\n", false, []string{
		`t.yaml:11:12: pipeline name "p" needs %d (the copy's number) when count is more than 1`,
	}},
	{"%d without count", tmplHdr + "pipelines:\n  - {name: \"p-%d\", account: \"110000000001\"}\n" +
		"shares:\n  - {name: \"s-%d\", owner: \"110000000001\", pipelines: [\"p-%d\"], principals: [\"group:teams\", \"2%d\"]}\n" +
		"workload:\n  - {name: w, callers: [\"%d\"], targets: [\"p-%d\"], rate: 1/h, actions: {DescribePipeline: 1}}\n", false, []string{
		`t.yaml:11:12: pipeline name "p-%d" has %d but no count`,
		`t.yaml:13:12: share name "s-%d" has %d but no count`,
		`t.yaml:13:55: pipelines entry "p-%d" has %d but its entry has no count`,
		`t.yaml:13:92: principals entry "2%d" has %d but its entry has no count`,
		`t.yaml:15:25: callers entry "%d" has %d but its entry has no count`,
		`t.yaml:15:42: targets entry "p-%d" has %d but its entry has no count`,
	}},
	{"count out of range", tmplHdr + "pipelines:\n  - {name: \"p-%d\", count: 0, account: \"110000000001\"}\n" +
		"  - {name: \"q-%d\", count: 100001, account: \"110000000001\"}\n  - {name: \"r-%d\", count: two, account: \"110000000001\"}\n", false, []string{
		"t.yaml:11:27: count 0 is out of range (1 to 100000)",
		"t.yaml:12:27: count 100001 is out of range (1 to 100000)",
		"t.yaml:13:27: count must be an integer, not a string",
	}},
	{"group owners", tmplHdr + "pipelines:\n  - {name: p, account: \"group:owners\"}\n" +
		"  - {name: \"q-%d\", count: 2, account: \"group:nope\"}\n" +
		"  - {name: \"r-%d\", count: 2, account: \"group:teams/role/X\"}\n" +
		"  - {name: \"s-%d\", count: 2, account: 110000000001}\n" +
		"shares:\n  - {name: s, owner: \"group:owners\", pipelines: [p]}\n", false, []string{
		`t.yaml:11:24: pipeline account group:owners needs count (copy i goes to the group's i-th account, round-robin)`,
		`t.yaml:12:39: unknown group "nope"`,
		`t.yaml:13:39: pipeline account must be an account ID or group:G, not "group:teams/role/X"`,
		"t.yaml:14:39: account ID 110000000001 must be a quoted string (YAML drops leading zeros)",
		`t.yaml:16:22: owner group:owners needs count (copy i goes to the group's i-th account, round-robin)`,
	}},
	{"spreads", tmplHdr + "shares:\n" +
		"  - {name: a, owner: \"110000000001\", spread: {group: teams}}\n" +
		"  - {name: \"b-%d\", count: 2, owner: \"110000000001\", spread: {group: nope, per_copy: 0}}\n" +
		"  - {name: \"c-%d\", count: 2, owner: \"110000000001\", spread: {group: teams, per_copy: 4, principal: root, each: 1}}\n" +
		"  - {name: \"d-%d\", count: 2, owner: \"110000000001\", spread: [teams]}\n" +
		"  - {name: \"e-%d\", count: 2, owner: \"110000000001\", spread: {per_copy: 1}}\n", false, []string{
		"t.yaml:11:38: spread goes with count",
		`t.yaml:12:69: unknown group "nope"`,
		"t.yaml:12:85: per_copy 0 is out of range (1 to 2147483647)",
		`t.yaml:13:86: per_copy 4 is more than the 3 accounts of group teams`,
		`t.yaml:13:100: spread principal "root" must be role/[path/]Name or user/[path/]Name`,
		`t.yaml:13:106: unknown key "each" in spread (allowed: group, per_copy, principal)`,
		"t.yaml:14:61: spread must be a mapping, not a list",
		`t.yaml:15:61: missing required key "group" in spread`,
	}},
	{"workload templates", tmplHdr + "workload:\n" +
		"  - {count: 2, callers: [\"200000000001\"], targets: all, rate: 1/h, actions: {DescribePipeline: 1}}\n" +
		"  - {name: w, count: 2, callers: [\"200000000001\"], targets: all, rate: 1/h, actions: {DescribePipeline: 1}}\n" +
		"  - {name: \"v-%d\", count: 2, spread: {group: teams}, actions: {DescribePipeline: 1}}\n", false, []string{
		"t.yaml:11:6: a workload entry with count needs a name with %d (its random streams are named after it)",
		`t.yaml:12:12: workload name "w" needs %d (the copy's number) when count is more than 1`,
		`t.yaml:13:5: missing required key "targets" in workload entry`,
		"t.yaml:13:5: workload entry needs one of rate, every or at",
	}},
	{"copies that name what does not exist", tmplHdr + "pipelines:\n  - {name: \"p-%d\", count: 2, account: \"group:owners\"}\n" +
		"shares:\n  - {name: \"s-%d\", count: 7, owner: \"group:owners\", pipelines: [\"p-%d\"], principals: [\"200000000001\"]}\n", true, []string{
		`t.yaml:13:65: unknown pipeline "p-3"`,
		`t.yaml:13:65: unknown pipeline "p-4"`,
		`t.yaml:13:65: unknown pipeline "p-5"`,
		"t.yaml:13:65: and 2 more errors here (one per copy of a count template)",
	}},
	{"copies that collide", tmplHdr + "pipelines:\n  - {name: \"p-%d\", count: 2, account: \"110000000001\"}\n" +
		"  - {name: \"p-%d\", count: 3, account: \"110000000001\"}\n", true, []string{
		`t.yaml:12:12: duplicate pipeline "p-1" in account 110000000001 (names are unique after lower-casing; first defined at t.yaml:11:12)`,
		`t.yaml:12:12: duplicate pipeline "p-2" in account 110000000001 (names are unique after lower-casing; first defined at t.yaml:11:12)`,
	}},
}

func TestCountTemplateErrors(t *testing.T) {
	for _, tc := range templateInputs {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Parse("t.yaml", []byte(tc.in), LoadOptions{})
			if tc.compile {
				require.NoError(t, err, "%v", err)
				_, err = Compile(sc)
			}
			require.Error(t, err)
			assert.Equal(t, strings.Join(tc.want, "\n")+"\n", err.(ErrorList).String())
		})
	}
}

// TestCountTemplateLimit: copies count against the scenario's limit on
// generated entries, with the accounts'.
func TestCountTemplateLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(tmplHdr + "pipelines:\n")
	for range 10 {
		b.WriteString("  - {name: \"p-%d\", count: 100000, account: \"110000000001\"}\n")
	}
	_, err := Parse("t.yaml", []byte(b.String()), LoadOptions{})
	require.Error(t, err)
	assert.Equal(t, "t.yaml:20:27: too many generated entries (limit 1000000 per scenario: accounts, pipelines, shares and workload entries together)\n",
		err.(ErrorList).String())
}
