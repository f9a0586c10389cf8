package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

var kubeVar = regexp.MustCompile(`\$\([A-Za-z_][A-Za-z0-9_]*\)`)

// kubeJob is the part of a batch/v1 Job the test reads.
type kubeJob struct {
	Kind     string
	Metadata struct{ Name string }
	Spec     struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int
		Template       struct {
			Spec struct {
				Containers []struct {
					Command []string
					Args    []string
				}
			}
		}
	}
}

// TestKubernetesJobArgs runs docs/kubernetes-job.yaml's shard command line
// for every index, as the Indexed Job's pods would (JOB_COMPLETION_INDEX
// set, $(VAR) expanded), then its merge command, and requires the
// unsharded report. Only the scenario, the replica count (for speed) and
// the volume's path are swapped.
func TestKubernetesJobArgs(t *testing.T) {
	data, err := os.ReadFile("../../docs/kubernetes-job.yaml")
	require.NoError(t, err)
	jobs := map[string]kubeJob{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var j kubeJob
		if dec.Decode(&j) != nil {
			break
		}
		if j.Kind == "Job" {
			jobs[j.Metadata.Name] = j
		}
	}
	shards, merge := jobs["pipeshare-shards"], jobs["pipeshare-merge"]
	require.Equal(t, "Indexed", shards.Spec.CompletionMode)
	k := shards.Spec.Completions
	require.Greater(t, k, 1)
	args := shards.Spec.Template.Spec.Containers[0].Args
	assert.Contains(t, args, "--shards="+strconv.Itoa(k), "--shards must equal completions")
	assert.Contains(t, args, "--shard=auto")

	dir := t.TempDir()
	swap := func(a string) string {
		switch {
		case strings.HasPrefix(a, "/scenario/"):
			return "quickstart"
		case strings.HasPrefix(a, "--replicas="):
			return "--replicas=11"
		}
		return strings.ReplaceAll(a, "/parts/", dir+"/")
	}
	for i := range k {
		t.Setenv("JOB_COMPLETION_INDEX", strconv.Itoa(i))
		var run []string
		for _, a := range args {
			// Kubernetes expands $(VAR) in args from the container's environment.
			a = kubeVar.ReplaceAllStringFunc(a, func(ref string) string { return os.Getenv(ref[2 : len(ref)-1]) })
			run = append(run, swap(a))
		}
		code, _, stderr := pipeshare(t, "", run...)
		require.Equal(t, 0, code, "%v: %s", run, stderr)
	}

	c := merge.Spec.Template.Spec.Containers[0]
	require.Equal(t, []string{"sh", "-c"}, c.Command)
	first, _, _ := strings.Cut(c.Args[0], "&&")
	fields := strings.Fields(first)
	require.Equal(t, "pipeshare", fields[0])
	var margs []string
	for _, f := range fields[1:] {
		f = swap(f)
		if strings.Contains(f, "*") {
			matches, err := filepath.Glob(f)
			require.NoError(t, err)
			require.Len(t, matches, k)
			margs = append(margs, matches...)
			continue
		}
		margs = append(margs, f)
	}
	code, _, stderr := pipeshare(t, "", margs...)
	require.Equal(t, 0, code, "%v: %s", margs, stderr)
	got, err := os.ReadFile(filepath.Join(dir, "replicas.json"))
	require.NoError(t, err)
	_, want, _ := pipeshare(t, "", "run", "quickstart", "--replicas", "11", "--format", "json")
	assert.Equal(t, want, string(got))
}
