package scenarios

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
)

func TestExtendsMerges(t *testing.T) {
	base := hdr + "seed: 3\nregion: eu-west-1\naccounts:\n  - {id: \"111111111111\", name: a}\n" +
		"shares: []\n"
	fsys := fstest.MapFS{
		"s/base.yaml":  {Data: []byte(base)},
		"s/child.yaml": {Data: []byte("extends: base.yaml\nname: child\nseed: 7\naccounts:\n  - {id: \"222222222222\", name: b}\n")},
	}
	sc, err := Load(fsys, "s/child.yaml", LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, "child", sc.Name)
	assert.Equal(t, uint64(7), sc.Sim.Seed)
	assert.Equal(t, "eu-west-1", sc.Model.Region) // kept from the base
	require.Len(t, sc.Model.Accounts, 1)          // lists replace whole
	assert.Equal(t, "222222222222", sc.Model.Accounts[0].ID.S)
	assert.Equal(t, model.Pos{File: "s/child.yaml", Line: 5, Col: 5}, sc.Model.Accounts[0].Pos)

	// The hash covers the base: changing it changes the child's hash.
	fsys["s/base.yaml"] = &fstest.MapFile{Data: []byte(base + "pricing: {ml.m5.xlarge: 1}\n")}
	sc2, err := Load(fsys, "s/child.yaml", LoadOptions{})
	require.NoError(t, err)
	assert.NotEqual(t, sc.SHA256, sc2.SHA256)
}

func TestExtendsErrorsPointAtTheirFile(t *testing.T) {
	fsys := fstest.MapFS{
		"s/base.yaml":   {Data: []byte(hdr + "region: nowhere\nseed: x\n")},
		"s/child.yaml":  {Data: []byte("extends: base.yaml\nseed: 2\nbogus: 1\n")},
		"s/a.yaml":      {Data: []byte("version: 1\nextends: b.yaml\n")},
		"s/b.yaml":      {Data: []byte("version: 1\nextends: a.yaml\n")},
		"s/bad.yaml":    {Data: []byte("extends: base.yaml\nname: [\n")},
		"s/none.yaml":   {Data: []byte("extends: nope.yaml\n")},
		"s/num.yaml":    {Data: []byte("extends: 3\n")},
		"s/brk.yaml":    {Data: []byte("extends: broken.yaml\nname: x\n")},
		"s/broken.yaml": {Data: []byte("version: 1\nname: [\n")},
	}
	_, err := Load(fsys, "s/child.yaml", LoadOptions{})
	require.Error(t, err)
	assert.Contains(t, err.(ErrorList).String(), "s/base.yaml:5:9: region \"nowhere\" does not look like an AWS region (e.g. us-east-1)\n"+
		"s/child.yaml:3:1: unknown key \"bogus\" in the top level (allowed: version, name, region, start, "+
		"duration, seed, organization, accounts, policies, buckets, keys, pipelines, shares, events, workload, pricing",
		err.(ErrorList).String())

	for file, want := range map[string]string{
		"s/a.yaml":    "s/b.yaml:2:10: extends: cycle s/a.yaml → s/b.yaml → s/a.yaml\n",
		"s/none.yaml": `s/none.yaml:1:10: extends: no file or embedded scenario named "nope.yaml" (embedded: `,
		"s/num.yaml":  "s/num.yaml:1:10: extends must be a file name or the name of an embedded scenario, not a number\n",
		"s/brk.yaml":  "s/broken.yaml:2:1: did not find expected node content\n",
		"s/bad.yaml":  "s/bad.yaml:2:1: did not find expected node content\n",
	} {
		_, err = Load(fsys, file, LoadOptions{})
		require.Error(t, err, file)
		got := err.(ErrorList).String()
		assert.Contains(t, got, want, file)
		assert.NotContains(t, got, "missing required key", file)
	}
}

func TestExtendsEmbedded(t *testing.T) {
	sc, err := Parse("w.yaml", []byte("extends: quickstart\nname: what-if\n"), LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, "what-if", sc.Name)
	q, err := Parse("quickstart.yaml", mustBuiltin(t, "quickstart"), LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, len(q.Model.Shares), len(sc.Model.Shares))
	// Positions of inherited values name the embedded file.
	assert.Equal(t, "quickstart.yaml", sc.Model.Shares[0].Pos.File)
}

func mustBuiltin(t *testing.T, name string) []byte {
	b, ok := Builtin(name)
	require.True(t, ok)
	return b
}

func TestSet(t *testing.T) {
	q := mustBuiltin(t, "quickstart")
	sc, err := Parse("q.yaml", q, LoadOptions{Sets: []string{
		"shares.churn-to-research.permission=read-only",
		"seed=2",
		"accounts.111111111111.quotas.concurrent_executions=5",
		"pricing.ml.g5.xlarge=2.5",
		`pricing."ml.m5.large"=0.1`,
	}})
	require.NoError(t, err)
	assert.Equal(t, uint64(2), sc.Sim.Seed)
	assert.Equal(t, model.PermissionReadOnly, sc.Model.Shares[0].Permission)
	base, err := Parse("q.yaml", q, LoadOptions{})
	require.NoError(t, err)
	assert.NotEqual(t, base.SHA256, sc.SHA256)

	for _, tc := range []struct{ set, want string }{
		{"shares.nope.permission=read-only", "--set:1:1: shares.nope.permission: no share named nope"},
		{"seed.x=1", "--set:1:1: seed.x: seed is a number, not a mapping or a list"},
		{"noequals", `--set:1:1: "noequals": want PATH=VALUE`},
		{"shares.churn-to-research.permission=bogus", `--set:1:37: unknown permission "bogus"`},
		{"nope=1", `--set:1:1: unknown key "nope" in the top level`},
		{"seed=[", "--set:1:6: seed: bad YAML value"},
	} {
		_, err := Parse("q.yaml", q, LoadOptions{Sets: []string{tc.set}})
		assert.ErrorContains(t, err, tc.want, tc.set)
	}
}
