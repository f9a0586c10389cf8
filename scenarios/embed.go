package scenarios

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Names returns the names of the embedded example scenarios, sorted
// ("extended-vs-read-only", "external-partner", "org-restructure",
// "quickstart", "scale", "w1", "w1-500", "w1-steady"). The w1 scenarios
// are the W1 benchmark workload (bench/W1.md, "W1 in pipeshare"); scale is
// 10,000 accounts, 2,000 pipelines and 5,000 shares written with count
// templates, about 1,000,000 calls per simulated day.
func Names() []string {
	entries, _ := fs.ReadDir(builtinFS, "builtin")
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Builtin returns the YAML of the embedded scenario name, and whether it
// exists. The returned slice is a fresh copy the caller may modify.
func Builtin(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, "/\\") {
		return nil, false
	}
	data, err := builtinFS.ReadFile(path.Join("builtin", name+".yaml"))
	if err != nil {
		return nil, false
	}
	return data, true
}
