package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pipeshare/pipeshare/sim"
	"github.com/stretchr/testify/require"
)

// fuzzSeeds adds the sample files and a few hand-made inputs to f.
func fuzzSeeds(f *testing.F) {
	for _, name := range []string{"single-event.json", "records.json", "calls.jsonl"} {
		data, err := os.ReadFile(filepath.Join(ctDir, name))
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"Records":[{"eventTime":"2025-10-27T00:00:00Z"},`))
	f.Add([]byte("{\"a\":\"\\u00e9\\\"\"}\n{\"b\":[1,{\"c\":null}]}\n"))
	f.Add([]byte("{\"a\":\"" + strings.Repeat("x", 300) + "\"}\n{\"b\":1}\n\x00"))
}

// FuzzCloudTrail checks that the scanner and the record rule never panic
// or loop on any input.
func FuzzCloudTrail(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newCTScanner(bytes.NewReader(data))
		s.buf, s.maxRec = make([]byte, 64), 256 // exercise refills and long records
		// The rule as a replay and as Trace.Calls apply it.
		streams := []*stream{(&Trace{}).newStream(forPrepare), (&Trace{}).newStream(forCalls)}
		files := []*ctFile{{path: "fuzz", maxSeen: math.MinInt64}, {path: "fuzz", maxSeen: math.MinInt64}}
		var fl ctFields
		for i := 0; i < len(data)+2; i++ {
			res, _ := s.next(&fl)
			if res == scanEnd {
				return
			}
			if res == scanRecord {
				for k, st := range streams {
					files[k].rec++
					st.f = fl
					st.mapRecord(files[k], s.recLen)
				}
			}
		}
		t.Fatalf("no progress on %q", data)
	})
}

// FuzzCloudTrailCounts reads any input as a trace file, whole, by
// Trace.Calls and by a replay whose run ends after two calls: every record
// is a call or skipped for one reason, once (or the file is damaged).
func FuzzCloudTrailCounts(f *testing.F) {
	fuzzSeeds(f)
	c, _ := loadReplay(f, Options{})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "fuzz.jsonl")
		require.NoError(t, os.WriteFile(p, data, 0o644))
		tr, calls := readToEnd(t, Options{}, p)
		if calls.Err() == nil {
			assertEveryRecordCounted(t, calls.Stats())
		}
		src := tr.Source(c.World)
		pulled := int64(0)
		for pulled < 3 && src.Next(&sim.TraceCall{}) {
			pulled++
		}
		if err := src.Finish(min(pulled, 2)); err == nil {
			assertEveryRecordCounted(t, src.Stats())
		}
	})
}

// benchRecord is a ≈1.4 KB StartPipelineExecution record like a real one.
func benchRecord(i int, at time.Time, rng *rand.Rand) string {
	hex := func(n int) string {
		const digits = "0123456789abcdef"
		b := make([]byte, n)
		for k := range b {
			b[k] = digits[rng.IntN(16)]
		}
		return string(b)
	}
	return fmt.Sprintf(`{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE2222DATA:botocore-session-%[1]d","arn":"arn:aws:sts::222222222222:assumed-role/DataScientist/botocore-session-%[1]d","accountId":"222222222222","accessKeyId":"ASIAEXAMPLE%08[1]d","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE2222DATA","arn":"arn:aws:iam::222222222222:role/DataScientist","accountId":"222222222222","userName":"DataScientist"},"attributes":{"creationDate":"2025-10-27T00:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"%[2]s","eventSource":"sagemaker.amazonaws.com","eventName":"StartPipelineExecution","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.%[3]d","userAgent":"Boto3/1.40.55 md/Botocore#1.40.55 ua/2.1 os/linux#6.1 lang/python#3.12.11","requestParameters":{"pipelineName":"arn:aws:sagemaker:us-east-1:111111111111:pipeline/churn-training","clientRequestToken":"tok-%08[1]d","pipelineParameters":[{"name":"TrainInstanceType","value":"ml.m5.xlarge"}],"pipelineExecutionDescription":"%[5]s"},"responseElements":{"pipelineExecutionArn":"arn:aws:sagemaker:us-east-1:111111111111:pipeline/churn-training/execution/e%011[1]d"},"requestID":"%[6]s","eventID":"%[7]s","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"222222222222","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"api.sagemaker.us-east-1.amazonaws.com"}}`,
		i, at.UTC().Format(time.RFC3339), i%250, i%10000, hex(230), hex(32), hex(32))
}

// WriteBenchTrace writes n generated records as JSON Lines to path,
// gzipped when it ends in .gz, one every 30 ms of event time from start.
func writeBenchTrace(tb testing.TB, path string, n int, start time.Time) int64 {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := io.Writer(f)
	var zw *gzip.Writer
	if strings.HasSuffix(path, ".gz") {
		zw, _ = gzip.NewWriterLevel(f, gzip.DefaultCompression)
		w = zw
	}
	var raw int64
	var b strings.Builder
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n; i++ {
		b.Reset()
		b.WriteString(benchRecord(i, start.Add(time.Duration(i)*30*time.Millisecond), rng))
		b.WriteByte('\n')
		raw += int64(b.Len())
		if _, err := io.WriteString(w, b.String()); err != nil {
			tb.Fatal(err)
		}
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	return raw
}

// BenchmarkCloudTrailReplay reads generated records through the whole
// reader (decompression, scanning, mapping, window, merge, dedup, the
// spool written and read back) and reports records/s: from .jsonl.gz
// ("gz"), and from .jsonl ("jsonl"), which leaves out the decompression
// to time what the replay's own goroutine does.
func BenchmarkCloudTrailReplay(b *testing.B) {
	const n = 200_000
	for _, name := range []string{"bench.jsonl.gz", "bench.jsonl"} {
		b.Run(strings.TrimPrefix(filepath.Ext(name), "."), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), name)
			raw := writeBenchTrace(b, path, n, time.Date(2025, 10, 27, 0, 0, 1, 0, time.UTC))
			st, _ := os.Stat(path)
			b.Logf("%d records, %.0f B/record, %.1f:1 in the file", n, float64(raw)/n, float64(raw)/float64(st.Size()))
			c, tr := loadReplay(b, Options{}, path)
			tr.Close() // each Source below reads the trace, as Prepare does, then its spool
			b.ResetTimer()
			for range b.N {
				src := tr.Source(c.World)
				var call sim.TraceCall
				got := 0
				for src.Next(&call) {
					got++
				}
				src.Close()
				if got != n {
					b.Fatalf("got %d calls, want %d", got, n)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
