package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ctSample = "testdata/cloudtrail-sample.jsonl"

// TestImportCloudTrail imports a realistic small trace: the YAML matches its
// golden file, parses and compiles, and validate accepts it; what could not
// be mapped is in the header and on stderr.
func TestImportCloudTrail(t *testing.T) {
	code, out, stderr := pipeshare(t, "", "import", "cloudtrail", ctSample)
	require.Equal(t, 0, code, stderr)
	golden(t, "import-cloudtrail-sample.yaml", out)
	golden(t, "import-cloudtrail-sample.stderr", stderr)

	sc, err := scenarios.Parse("imported.yaml", []byte(out), scenarios.LoadOptions{})
	require.NoError(t, err, out)
	c, err := scenarios.Compile(sc)
	require.NoError(t, err, out)
	assert.Empty(t, c.Warnings)
	assert.Equal(t, 2, c.World.NumPipelines())
	assert.Len(t, sc.Sim.Workload, 4)

	for _, want := range []string{"# could not map:", "s3.amazonaws.com GetObject: 1", "ram.amazonaws.com CreateResourceShare: 1",
		"sagemaker.amazonaws.com ListNotebookInstances: 1", `userIdentity type "AWSService"`,
		"shares are not recorded in CloudTrail", "3 duplicate copies counted once",
		"role/partners/PartnerAnalyst", "rate: 0.265/h", `start: "2025-10-27T02:00:00Z"`, "duration: 2d"} {
		assert.Contains(t, out, want)
	}
	assert.Contains(t, stderr, "import cloudtrail: could not map: s3.amazonaws.com GetObject: 1")

	path := filepath.Join(t.TempDir(), "imported.yaml")
	code, _, stderr = pipeshare(t, "", "import", "cloudtrail", ctSample, "--out", path, "--name", "from-trail")
	require.Equal(t, 0, code, stderr)
	code, vout, stderr := pipeshare(t, "", "validate", path)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, vout, "ok (3 accounts")
	code, js, stderr := pipeshare(t, "", "run", path, "--format", "json")
	require.Equal(t, 0, code, stderr)
	var sum struct {
		Scenario string `json:"scenario"`
		Calls    struct {
			ByReason map[string]int `json:"by_reason"`
		} `json:"calls"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &sum))
	assert.Equal(t, "from-trail", sum.Scenario)
	assert.Positive(t, sum.Calls.ByReason["not_shared"], "no shares: cross-account calls are not_shared")
	assert.Positive(t, sum.Calls.ByReason["owner"])
}

// TestImportCloudTrailFormats reads the same records as a Records file, a
// JSON array, gzip, and a folder in the S3 delivery layout: the same
// scenario comes out.
func TestImportCloudTrailFormats(t *testing.T) {
	data, err := os.ReadFile(ctSample)
	require.NoError(t, err)
	var recs []json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		recs = append(recs, json.RawMessage(append([]byte(nil), sc.Bytes()...)))
	}
	require.Len(t, recs, 23)
	records, err := json.Marshal(map[string]any{"Records": recs})
	require.NoError(t, err)
	array, err := json.Marshal(recs)
	require.NoError(t, err)
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		require.NoError(t, w.Close())
		return buf.Bytes()
	}
	dir := t.TempDir()
	s3 := filepath.Join(dir, "AWSLogs", "222222222222", "CloudTrail", "us-east-1", "2025", "10", "27")
	require.NoError(t, os.MkdirAll(s3, 0o755))
	half, err := json.Marshal(map[string]any{"Records": recs[:10]})
	require.NoError(t, err)
	rest, err := json.Marshal(map[string]any{"Records": recs[10:]})
	require.NoError(t, err)
	files := map[string][]byte{
		"records.json":    records,
		"array.json":      array,
		"trail.jsonl.gz":  gz(data),
		"records.json.gz": gz(records),
		filepath.Join(s3, "222222222222_CloudTrail_us-east-1_20251027T0000Z_a.json.gz"): gz(half),
		filepath.Join(s3, "222222222222_CloudTrail_us-east-1_20251027T0005Z_b.json.gz"): gz(rest),
	}
	for name, b := range files {
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		require.NoError(t, os.WriteFile(name, b, 0o644))
	}
	_, want, _ := pipeshare(t, "", "import", "cloudtrail", ctSample, "--name", "x")
	body := func(s string) string { return s[strings.Index(s, "\nversion: 1\n"):] }
	for _, in := range []string{"records.json", "array.json", "trail.jsonl.gz", "records.json.gz", "AWSLogs"} {
		code, got, stderr := pipeshare(t, "", "import", "cloudtrail", filepath.Join(dir, in), "--name", "x")
		require.Equal(t, 0, code, in+": "+stderr)
		assert.Equal(t, body(want), body(got), in)
	}
}

// TestImportCloudTrailErrors: bad input is exit 2 with a message naming the
// file; a malformed record is reported and skipped.
func TestImportCloudTrailErrors(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := pipeshare(t, "", "import", "cloudtrail", filepath.Join(dir, "missing.jsonl"))
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "missing.jsonl")

	other := filepath.Join(dir, "s3.jsonl")
	require.NoError(t, os.WriteFile(other, []byte(`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2025-10-27T00:00:00Z"}`+"\n"), 0o644))
	code, _, stderr = pipeshare(t, "", "import", "cloudtrail", other)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "no SageMaker pipeline calls found (1 records read: other_event 1)")

	data, err := os.ReadFile(ctSample)
	require.NoError(t, err)
	cut := filepath.Join(dir, "cut.jsonl")
	require.NoError(t, os.WriteFile(cut, data[:len(data)-200], 0o644))
	code, out, stderr := pipeshare(t, "", "import", "cloudtrail", cut)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "could not map: malformed: "+cut+":record 23: unexpected end of input inside a record")
	assert.Contains(t, out, "#   - malformed: "+cut+":record 23: ")

	code, _, stderr = pipeshare(t, "", "import", "cloudtrail")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "name one trace file or folder")
}
