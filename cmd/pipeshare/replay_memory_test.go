//go:build linux

package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestReplayMemoryIsFlat replays 500,000 records of W1's mix into w1 and
// compares the peak RSS with the same run without a trace: what the
// replay adds is its spool reader, the 24-hour token window and the
// executions some later record still names, not every execution the trace
// started (docs/performance.md: about 8 MiB by /usr/bin/time, 4-6 MiB
// here). The peaks are the kernel's (getrusage's maxrss once a run has
// ended: polling would miss the last milliseconds of the short run without
// a trace); each run is taken twice and the smaller peak kept, as where the
// garbage collector's last cycle falls moves a peak by a MiB or two. It
// fails at 12 MiB, well below the 17 MiB the 672-hour window of execution
// IDs added, and twice what it measures. It runs with -long.
func TestReplayMemoryIsFlat(t *testing.T) {
	if !*long {
		t.Skip("writing and replaying 500,000 records twice takes about fifteen seconds; -long runs it")
	}
	bin := builtPipeshare(t)
	path := filepath.Join(t.TempDir(), "w1mix.jsonl.gz")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, w1MixTrace(f, 500_000))
	require.NoError(t, f.Close())
	peak := func(args ...string) int64 {
		cmd := exec.Command(bin, append([]string{"run", "w1", "--set", "duration=7d", "--format", "json"}, args...)...)
		cmd.Dir = filepath.Dir(path)
		cmd.Stdout = io.Discard
		require.NoError(t, cmd.Run())
		ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		require.True(t, ok)
		return ru.Maxrss * 1024 // KiB on Linux
	}
	without := min(peak(), peak())
	with := min(peak("--trace", filepath.Base(path)), peak("--trace", filepath.Base(path)))
	t.Logf("peak RSS %.1f MiB without the trace, %.1f MiB with it", float64(without)/mib, float64(with)/mib)
	require.Less(t, with-without, int64(12*mib), "the replay adds %d MiB", (with-without)/mib)
}

// w1MixTrace writes n CloudTrail records of W1's calls (bench/README.md):
// the 50 consumer accounts of the embedded w1 each call once a minute on
// average (one record every 1.2 s) on one of its 20 pipelines, 70 %
// DescribePipeline, 20 % Start (with a token and the returned execution
// ARN), 5 % Stop and 5 % Retry of an execution started before on that
// pipeline, gzipped JSON Lines.
func w1MixTrace(w io.Writer, n int) error {
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	bw := bufio.NewWriterSize(zw, 1<<20)
	r := rand.New(rand.NewPCG(16, 1))
	const alnum = "0123456789abcdefghijklmnopqrstuvwxyz"
	var started [20][]string // recent execution IDs per pipeline
	t0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for i := range n {
		at := t0.Add(time.Duration(i) * 1200 * time.Millisecond).Format(time.RFC3339)
		acct := fmt.Sprintf("2000000000%02d", 1+r.IntN(50))
		pl := r.IntN(20)
		arn := fmt.Sprintf("arn:aws:sagemaker:us-east-1:111111111111:pipeline/pipeline-%02d", pl+1)
		head := fmt.Sprintf(`{"eventVersion":"1.11","userIdentity":{"type":"Root","principalId":"%[1]s","arn":"arn:aws:iam::%[1]s:root","accountId":"%[1]s"},"eventTime":"%[2]s","eventSource":"sagemaker.amazonaws.com","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.%[3]d","userAgent":"Boto3/1.40.55 md/Botocore#1.40.55 ua/2.1 os/linux#6.1 lang/python#3.12.11","requestID":"%016[4]x-%08[5]x","eventID":"%08[5]x-%016[4]x","eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"%[1]s","eventCategory":"Management",`,
			acct, at, i%250, r.Uint64(), i)
		var body string
		switch k := r.IntN(100); {
		case k < 70:
			body = fmt.Sprintf(`"eventName":"DescribePipeline","readOnly":true,"requestParameters":{"pipelineName":"%s"},"responseElements":null}`, arn)
		case k < 90:
			id := make([]byte, 12)
			for j := range id {
				id[j] = alnum[r.IntN(len(alnum))]
			}
			if len(started[pl]) == 1000 {
				started[pl] = started[pl][1:]
			}
			started[pl] = append(started[pl], string(id))
			body = fmt.Sprintf(`"eventName":"StartPipelineExecution","readOnly":false,"requestParameters":{"pipelineName":"%s","clientRequestToken":"tok-%016x"},"responseElements":{"pipelineExecutionArn":"%s/execution/%s"}}`, arn, r.Uint64(), arn, id)
		default:
			name := "StopPipelineExecution"
			if k >= 95 {
				name = "RetryPipelineExecution"
			}
			id := "000000000000"
			if s := started[pl]; len(s) > 0 {
				id = s[r.IntN(len(s))]
			}
			body = fmt.Sprintf(`"eventName":"%s","readOnly":false,"requestParameters":{"pipelineExecutionArn":"%s/execution/%s","clientRequestToken":"tok-%016x"},"responseElements":{"pipelineExecutionArn":"%s/execution/%s"}}`, name, arn, id, r.Uint64(), arn, id)
		}
		bw.WriteString(head)
		bw.WriteString(body)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}
