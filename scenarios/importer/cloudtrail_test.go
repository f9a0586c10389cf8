package importer_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/scenarios/cloudtrail"
	"github.com/pipeshare/pipeshare/scenarios/importer"
	"github.com/pipeshare/pipeshare/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pairTrace is the two-record trace on which the old import and replay
// disagreed: one call's copies (one requestID) by an IAM user, first in
// the file, and by the root user a minute earlier. Both now take the
// root user's, the first by eventTime.
const pairTrace = `{"eventTime":"2025-10-27T00:31:00Z","eventSource":"sagemaker.amazonaws.com","eventName":"DescribePipeline","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/ci","accountId":"111111111111"},"requestParameters":{"pipelineName":"arn:aws:sagemaker:us-east-1:111111111111:pipeline/churn-training"},"recipientAccountId":"111111111111","requestID":"pair"}
{"eventTime":"2025-10-27T00:30:00Z","eventSource":"sagemaker.amazonaws.com","eventName":"DescribePipeline","awsRegion":"us-east-1","userIdentity":{"type":"Root","arn":"arn:aws:iam::111111111111:root","accountId":"111111111111"},"requestParameters":{"pipelineName":"arn:aws:sagemaker:us-east-1:111111111111:pipeline/churn-training"},"recipientAccountId":"111111111111","requestID":"pair"}
`

// corpus copies the real-format samples and the pair into one folder.
func corpus(t *testing.T) string {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pair.jsonl"), []byte(pairTrace), 0o644))
	copyFile := func(from, to string) {
		b, err := os.ReadFile(from)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(to), 0o755))
		require.NoError(t, os.WriteFile(to, b, 0o644))
	}
	copyFile("../../cmd/pipeshare/testdata/cloudtrail-sample.jsonl", filepath.Join(dir, "sample.jsonl"))
	real := "../testdata/real/cloudtrail"
	require.NoError(t, filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(real, p)
		copyFile(p, filepath.Join(dir, "real", rel))
		return nil
	}))
	return dir
}

// TestCloudTrailTakesTheReplaysCalls imports one corpus, then replays the
// same corpus into the imported scenario (run --trace): the replay finds
// every caller and pipeline there and replays, caller by caller and
// action by action, exactly the calls the import counted.
func TestCloudTrailTakesTheReplaysCalls(t *testing.T) {
	dir := corpus(t)
	res, err := importer.CloudTrail(dir, importer.CloudTrailOptions{Options: importer.Options{Name: "corpus"}})
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, res.Write(&out), "the import validates")

	imported := map[string]int64{} // "CALLER ACTION" → calls
	var total int64
	for _, wl := range res.File.Workload {
		require.Len(t, wl.Callers, 1)
		for i := 0; i+1 < len(wl.Actions.Content); i += 2 {
			n, err := strconv.ParseInt(wl.Actions.Content[i+1].Value, 10, 64)
			require.NoError(t, err)
			imported[wl.Callers[0]+" "+wl.Actions.Content[i].Value] += n
			total += n
		}
	}
	assert.Equal(t, int64(2), imported["111111111111 DescribePipeline"], "the sample's root call and the root user's copy of the pair")
	assert.Zero(t, imported["111111111111/user/ci DescribePipeline"], "not the IAM user's copy")
	assert.Contains(t, out.String(), fmt.Sprintf(" %d SageMaker pipeline calls", total), "every call is in the workload")

	sc, err := scenarios.Parse("corpus.yaml", out.Bytes(), scenarios.LoadOptions{})
	require.NoError(t, err)
	tr, err := cloudtrail.Open([]string{dir}, cloudtrail.Options{})
	require.NoError(t, err)
	require.NoError(t, tr.Prepare(&sc.Model))
	assert.Empty(t, tr.Added, "the import holds every caller the replay sees")
	c, err := scenarios.Compile(sc)
	require.NoError(t, err)
	w := c.World
	src := tr.Source(w)
	replayed := map[string]int64{}
	var call sim.TraceCall
	for src.Next(&call) {
		caller := string(w.PrincipalAccount(call.Caller))
		if name := w.PrincipalName(call.Caller); name != "root" {
			caller += "/" + name
		}
		replayed[caller+" "+call.Action.Name()]++
	}
	src.Close()
	require.NoError(t, src.Err())
	assert.Equal(t, imported, replayed)
	for _, why := range []string{cloudtrail.SkipUnknownAccount, cloudtrail.SkipUnknownCaller, cloudtrail.SkipUnknownTarget, cloudtrail.SkipBeforeStart} {
		assert.Zero(t, src.Stats().Skipped[why], why)
	}
}

// TestCloudTrailEventTimes: a trace at the end of the time a scenario can
// hold is clamped, not refused by validate; an eventTime past it is a
// malformed record, listed as could not map.
func TestCloudTrailEventTimes(t *testing.T) {
	late := strings.ReplaceAll(pairTrace, "2025-10-27T00:3", "2262-04-11T20:3")
	bad := strings.Replace(late, "2262-04-11T20:31:00Z", "9999-12-31T23:59:59Z", 1)
	p := filepath.Join(t.TempDir(), "late.jsonl")
	require.NoError(t, os.WriteFile(p, []byte(late+bad), 0o644))
	res, err := importer.CloudTrail(p, importer.CloudTrailOptions{})
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, res.Write(&out))
	assert.Equal(t, "2262-04-11T20:30:00Z", res.File.Start)
	assert.Equal(t, "3h17m16.854775807s", res.File.Duration)
	assert.Contains(t, out.String(), "# The duration is clamped to 3h17m16.854775807s")
	assert.Contains(t, res.Unmapped, "malformed: "+p+`:record 3: eventTime "9999-12-31T23:59:59Z" is not an RFC 3339 time from 1970 to 2262`)
	assert.Equal(t, "late", res.File.Name)
}

// TestCloudTrailNoCalls: a trace without pipeline calls is an error that
// says how much was read.
func TestCloudTrailNoCalls(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s3.jsonl")
	require.NoError(t, os.WriteFile(p, []byte(`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2025-10-27T00:00:00Z"}`+"\n"), 0o644))
	_, err := importer.CloudTrail(p, importer.CloudTrailOptions{})
	require.Error(t, err)
	assert.Equal(t, p+": no SageMaker pipeline calls found (1 records read: other_event 1)", err.Error())
	_, err = importer.CloudTrail(filepath.Join(t.TempDir(), "missing"), importer.CloudTrailOptions{})
	assert.Error(t, err)
}
