package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/pipeshare/pipeshare/internal/jsonpos"
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// A `run --replicas N --shard i/k` process runs one contiguous block of the
// N replicas and writes their [ReplicaSample]s to a part file; `merge`
// reads the k part files and reports them as one process would have. The
// samples carry every number the report is computed from, written so that
// they read back exactly (JSON numbers in Go's shortest round-trip form),
// so the merged report is byte-identical to the unsharded one.

// ReplicaPartFormat names a part file in its "format" key.
const ReplicaPartFormat = "pipeshare-replicas-part"

// ReplicaPartVersion is the part file's version; merge accepts only its own.
const ReplicaPartVersion = 1

// ShardRange returns the replicas [lo, hi) that shard i of k runs out of n:
// contiguous blocks in index order whose sizes differ by at most one (a
// shard may be empty when k > n).
func ShardRange(n, i, k int) (lo, hi int) { return i * n / k, (i + 1) * n / k }

// ReplicaPart is one shard's part of a replicated run.
type ReplicaPart struct {
	Meta
	Seed          uint64 // the master seed, replica 0's
	Replicas      int    // N, the whole run's replica count
	Shard, Shards int    // i of k, 0 ≤ i < k
	// Samples are replicas ShardRange(Replicas, Shard, Shards), in order.
	Samples []ReplicaSample
}

// The part file's JSON. Struct fields fix the key order.
type jsonPart struct {
	Format           string       `json:"format"`
	Version          int          `json:"version"`
	PipeshareVersion string       `json:"pipeshare_version"`
	Scenario         string       `json:"scenario"`
	ScenarioSHA256   string       `json:"scenario_sha256"`
	Seed             uint64       `json:"seed"`
	Replicas         int          `json:"replicas"`
	Shard            int          `json:"shard"`
	Shards           int          `json:"shards"`
	Samples          []jsonSample `json:"samples"`
}

type jsonSample struct {
	Index       int                  `json:"index"`
	Seed        uint64               `json:"seed"`
	DurationNs  int64                `json:"duration_ns"`
	Metrics     json.RawMessage      `json:"metrics"` // a sampleMetrics
	ByPipeline  []jsonSamplePipeline `json:"by_pipeline"`
	ByInitiator []jsonSampleInit     `json:"by_initiator"`
}

type jsonSamplePipeline struct {
	Pipeline string  `json:"pipeline"`
	Owner    string  `json:"owner"`
	USD      float64 `json:"usd"`
}

type jsonSampleInit struct {
	Payer        string  `json:"payer"`
	Account      string  `json:"account"`
	AccountName  string  `json:"account_name"`
	Principal    string  `json:"principal"`
	Pipeline     string  `json:"pipeline"`
	Share        *string `json:"share"` // null for the owner's own calls
	InstanceType string  `json:"instance_type"`
	USD          float64 `json:"usd"`
}

// sampleMetrics is the metrics object, keyed by replicaMetricDef.key in
// [replicaMetrics] order.
type sampleMetrics []float64

func (m sampleMetrics) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for k := range replicaMetrics {
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(replicaMetrics[k].key()))
		b.WriteByte(':')
		v, err := json.Marshal(m[k])
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// parseSampleMetrics reads a metrics object: every key of
// [replicaMetrics], no other, each a value its unit can take (see
// [checkSampleMetrics]). at places an error at the metrics object (no key)
// or at one key's value.
func parseSampleMetrics(data []byte, at func(msg string, key ...any) error) (sampleMetrics, error) {
	var byKey map[string]json.RawMessage
	if err := json.Unmarshal(data, &byKey); err != nil {
		return nil, at("metrics must be an object of numbers")
	}
	m := make(sampleMetrics, len(replicaMetrics))
	for k := range replicaMetrics {
		key := replicaMetrics[k].key()
		raw, ok := byKey[key]
		if !ok {
			return nil, at(fmt.Sprintf("metrics has no %q", key))
		}
		v, err := strconv.ParseFloat(string(raw), 64) // a JSON number, or an error (strings, null, 1e400)
		if err != nil {
			return nil, at(fmt.Sprintf("%s is %s: not a finite number", key, raw), key)
		}
		m[k] = v
	}
	if len(byKey) != len(replicaMetrics) {
		return nil, at("metrics has keys this pipeshare does not know")
	}
	return m, checkSampleMetrics(m, at)
}

// maxExactCount is the largest count a float64 holds exactly (2^53).
const maxExactCount = 1 << 53

// checkSampleMetrics checks what a replica can have produced: counts are
// integers in [0, 2^53], seconds and dollars finite and not negative, and
// the calls add up: allowed + denied + failed = total, the reasons sum to
// total, allowed and failed to theirs. A part file is input (merge runs in
// CI on files anyone can edit), so an edited number is an error at its key,
// not a negative confidence interval.
func checkSampleMetrics(m sampleMetrics, at func(msg string, key ...any) error) error {
	for k := range replicaMetrics {
		d := &replicaMetrics[k]
		v := m[k]
		switch {
		case d.unit == ReplicaCount && !(v >= 0 && v <= maxExactCount && v == math.Trunc(v)):
			return at(fmt.Sprintf("%s is %v: a count must be an integer from 0 to 2^53", d.key(), v), d.key())
		case !(v >= 0) || math.IsInf(v, 1):
			return at(fmt.Sprintf("%s is %v: it must be a finite number, 0 or more", d.key(), v), d.key())
		}
	}
	get := func(key string) float64 { return m[replicaMetricIndex[key]] }
	total := get("calls.total")
	var reasons, allowed, failed float64
	for code := model.ReasonNone + 1; code < model.NumReasons; code++ {
		v := get("by_reason." + code.String())
		reasons += v
		switch {
		case code.IsAllow():
			allowed += v
		case code.IsFailure():
			failed += v
		}
	}
	switch {
	case get("calls.allowed")+get("calls.denied")+get("calls.failed") != total:
		return at(fmt.Sprintf("calls.allowed + calls.denied + calls.failed is %v, calls.total %v: they must agree",
			get("calls.allowed")+get("calls.denied")+get("calls.failed"), total), "calls.total")
	case reasons != total:
		return at(fmt.Sprintf("the by_reason counts add up to %v, calls.total is %v: they must agree", reasons, total), "calls.total")
	case allowed != get("calls.allowed"):
		return at(fmt.Sprintf("the allowing reasons add up to %v, calls.allowed is %v: they must agree", allowed, get("calls.allowed")), "calls.allowed")
	case failed != get("calls.failed"):
		return at(fmt.Sprintf("the failure reasons add up to %v, calls.failed is %v: they must agree", failed, get("calls.failed")), "calls.failed")
	}
	return nil
}

// replicaMetricIndex maps a metric's part-file key to its index in
// [replicaMetrics].
var replicaMetricIndex = func() map[string]int {
	idx := make(map[string]int, len(replicaMetrics))
	for k := range replicaMetrics {
		idx[replicaMetrics[k].key()] = k
	}
	return idx
}()

// checkUSD checks one cost row's dollars: finite, not negative.
func checkUSD(v float64, at func(msg string, path ...any) error, path ...any) error {
	if !(v >= 0) || math.IsInf(v, 1) {
		return at(fmt.Sprintf("usd is %v: it must be a finite number, 0 or more", v), path...)
	}
	return nil
}

// sameUSD reports whether two sums of the same dollars agree up to the
// rounding of adding them in another order.
func sameUSD(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(a), math.Abs(b)) }

// WriteReplicaPart writes p as a part file (JSON, indented).
func WriteReplicaPart(w io.Writer, p *ReplicaPart) error {
	out := jsonPart{Format: ReplicaPartFormat, Version: ReplicaPartVersion, PipeshareVersion: p.Version,
		Scenario: p.Scenario, ScenarioSHA256: p.ScenarioSHA256, Seed: p.Seed, Replicas: p.Replicas,
		Shard: p.Shard, Shards: p.Shards, Samples: []jsonSample{}}
	for _, s := range p.Samples {
		metrics, err := sampleMetrics(s.Values).MarshalJSON()
		if err != nil {
			return err
		}
		js := jsonSample{Index: s.Index, Seed: s.Seed, DurationNs: int64(s.Duration), Metrics: metrics,
			ByPipeline: []jsonSamplePipeline{}, ByInitiator: []jsonSampleInit{}}
		for _, pc := range s.Pipelines {
			js.ByPipeline = append(js.ByPipeline, jsonSamplePipeline{pc.Pipeline, string(pc.Owner), pc.USD})
		}
		for _, ic := range s.Initiators {
			row := jsonSampleInit{Payer: string(ic.Payer), Account: string(ic.Account), AccountName: ic.AccountName,
				Principal: ic.Principal, Pipeline: ic.Pipeline, InstanceType: ic.InstanceType, USD: ic.USD}
			if !ic.Own {
				share := ic.Share
				row.Share = &share
			}
			js.ByInitiator = append(js.ByInitiator, row)
		}
		out.Samples = append(out.Samples, js)
	}
	return writeIndentedJSON(w, out)
}

// ReadReplicaPart parses part file file's data. Errors are
// *model.PosError at file:line:col.
func ReadReplicaPart(file string, data []byte) (*ReplicaPart, error) {
	var jp jsonPart
	if err := jsonpos.Decode(file, data, &jp); err != nil {
		return nil, err
	}
	at := func(msg string, path ...any) error {
		off, _ := jsonpos.Offset(data, path...)
		return jsonpos.At(file, data, off, msg)
	}
	if jp.Format != ReplicaPartFormat {
		return nil, at(fmt.Sprintf("not a pipeshare part file (format %q, want %q)", jp.Format, ReplicaPartFormat), "format")
	}
	if jp.Version != ReplicaPartVersion {
		return nil, at(fmt.Sprintf("part file version %d, this pipeshare reads version %d", jp.Version, ReplicaPartVersion), "version")
	}
	if jp.Replicas < 1 {
		return nil, at("replicas must be at least 1", "replicas")
	}
	if jp.Shards < 1 {
		return nil, at("shards must be at least 1", "shards")
	}
	if jp.Shard < 0 || jp.Shard >= jp.Shards {
		return nil, at(fmt.Sprintf("shard %d is not in 0..%d", jp.Shard, jp.Shards-1), "shard")
	}
	p := &ReplicaPart{Meta: Meta{Scenario: jp.Scenario, ScenarioSHA256: jp.ScenarioSHA256, Version: jp.PipeshareVersion},
		Seed: jp.Seed, Replicas: jp.Replicas, Shard: jp.Shard, Shards: jp.Shards}
	lo, hi := ShardRange(jp.Replicas, jp.Shard, jp.Shards)
	if len(jp.Samples) != hi-lo {
		return nil, at(fmt.Sprintf("shard %d of %d holds replicas %d..%d: want %d samples, have %d",
			jp.Shard, jp.Shards, lo, hi-1, hi-lo, len(jp.Samples)), "samples")
	}
	for j, js := range jp.Samples {
		i := lo + j
		if js.Index != i {
			return nil, at(fmt.Sprintf("sample %d of shard %d must be replica %d, not %d", j, jp.Shard, i, js.Index),
				"samples", j, "index")
		}
		if want := sim.ReplicaSeed(jp.Seed, i); js.Seed != want {
			return nil, at(fmt.Sprintf("replica %d's seed under master seed %d is %d, not %d", i, jp.Seed, want, js.Seed),
				"samples", j, "seed")
		}
		if js.Metrics == nil {
			return nil, at("sample has no metrics", "samples", j)
		}
		if js.DurationNs < 0 {
			return nil, at(fmt.Sprintf("duration_ns is %d: it must be 0 or more", js.DurationNs), "samples", j, "duration_ns")
		}
		values, err := parseSampleMetrics(js.Metrics, func(msg string, key ...any) error {
			return at(msg, append([]any{"samples", j, "metrics"}, key...)...)
		})
		if err != nil {
			return nil, err
		}
		s := ReplicaSample{Index: i, Seed: js.Seed, Duration: model.Time(js.DurationNs), Values: values}
		var pipelineUSD float64
		for k, pc := range js.ByPipeline {
			if err := checkUSD(pc.USD, at, "samples", j, "by_pipeline", k, "usd"); err != nil {
				return nil, err
			}
			pipelineUSD += pc.USD
			s.Pipelines = append(s.Pipelines, ReplicaPipelineUSD{pc.Pipeline, model.AccountID(pc.Owner), pc.USD})
		}
		if total := values[replicaMetricIndex["cost.total_usd"]]; !sameUSD(total, pipelineUSD) {
			return nil, at(fmt.Sprintf("cost.total_usd is %v, the by_pipeline rows add up to %v: they must agree", total, pipelineUSD),
				"samples", j, "metrics", "cost.total_usd")
		}
		var initiatorUSD float64
		for k, ji := range js.ByInitiator {
			if err := checkUSD(ji.USD, at, "samples", j, "by_initiator", k, "usd"); err != nil {
				return nil, err
			}
			initiatorUSD += ji.USD
			ic := InitiatorCost{Payer: model.AccountID(ji.Payer), Account: model.AccountID(ji.Account),
				AccountName: ji.AccountName, Principal: ji.Principal, Pipeline: ji.Pipeline, Own: ji.Share == nil,
				InstanceType: ji.InstanceType, Amount: Amount{USD: ji.USD}}
			if ji.Share != nil {
				ic.Share = *ji.Share
			}
			s.Initiators = append(s.Initiators, ic)
		}
		if !sameUSD(pipelineUSD, initiatorUSD) {
			return nil, at(fmt.Sprintf("the by_initiator rows add up to %v, the by_pipeline rows to %v: they must agree", initiatorUSD, pipelineUSD),
				"samples", j, "by_initiator")
		}
		p.Samples = append(p.Samples, s)
	}
	return p, nil
}

// MergeReplicaParts reports the parts of one replicated run as one
// process would have: parts[j] was read from files[j]. Every shard 0..k-1
// must be there once, and all parts must come from the same run (scenario,
// its hash, pipeshare version, master seed, N, k, horizon); otherwise the
// error names the file and key at fault.
func MergeReplicaParts(files []string, data [][]byte, parts []*ReplicaPart) (*Replicas, error) {
	set := shardParts{files: files, data: data, what: "run",
		shard: func(j int) (int, int) { return parts[j].Shard, parts[j].Shards },
		fields: append(runFields(func(j int) *Meta { return &parts[j].Meta }, func(j int) uint64 { return parts[j].Seed }),
			partField{"replicas", func(j int) any { return parts[j].Replicas }},
			partField{"shards", func(j int) any { return parts[j].Shards }}),
		missing: func(shard int) error {
			lo, hi := ShardRange(parts[0].Replicas, shard, parts[0].Shards)
			held := fmt.Sprintf("replicas %d..%d", lo, hi-1)
			if lo == hi {
				held = "no replicas"
			}
			return fmt.Errorf("merge: shard %d of %d (%s) is missing", shard, parts[0].Shards, held)
		}}
	byShard, err := set.order()
	if err != nil {
		return nil, err
	}
	var samples []ReplicaSample
	for _, j := range byShard {
		for k, s := range parts[j].Samples {
			if len(samples) > 0 && s.Duration != samples[0].Duration {
				off, _ := jsonpos.Offset(data[j], "samples", k, "duration_ns")
				return nil, jsonpos.At(files[j], data[j], off, fmt.Sprintf(
					"replica %d simulated %s, replica 0 %s: the parts are not of one run (same --until?)",
					s.Index, s.Duration, samples[0].Duration))
			}
			samples = append(samples, s)
		}
	}
	return SummarizeReplicas(parts[0].Meta, samples), nil
}
