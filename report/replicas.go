package report

import (
	"io"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim/plan"
)

// ReplicasSchemaVersion is the version of the replicas JSON (a [Replicas]
// in json). It changes only when a promised key changes meaning
// or goes.
const ReplicasSchemaVersion = 1

// ReplicaConfidence is the level of the confidence intervals of [ReplicaStat].
const ReplicaConfidence = plan.Confidence

// ReplicaStat describes one quantity over N replicas: its mean, 5th, 50th
// and 95th percentiles and the 95 % confidence interval of the mean, as
// plan.Estimate documents (the one statistic of replicas, shared with
// pipeshare plan).
type ReplicaStat = plan.Estimate

// NewReplicaStat computes the ReplicaStat of xs (one value per replica). It panics when
// xs is empty. xs is not modified.
func NewReplicaStat(xs []float64) ReplicaStat { return plan.NewEstimate(xs) }

// ReplicaUnit says how a metric is printed.
type ReplicaUnit uint8

const (
	ReplicaCount   ReplicaUnit = iota // calls, executions: 1 decimal in text, 3 in JSON
	ReplicaUSD                        // 4 decimals
	ReplicaSeconds                    // 3 decimals
)

// ReplicaMetric is one named quantity over the replicas. Name is its JSON key.
type ReplicaMetric struct {
	Name string
	Unit ReplicaUnit
	ReplicaStat
}

// ReplicaPipelineCost is one pipeline's cost over the replicas.
type ReplicaPipelineCost struct {
	Pipeline string
	Owner    model.AccountID
	USD      ReplicaStat
}

// ReplicaInitiatorCost is one initiator cost row (the keys of
// [InitiatorCost]; its Amount is unused) over the replicas.
type ReplicaInitiatorCost struct {
	Key InitiatorCost
	USD ReplicaStat
}

// Replicas is the report of N independent replicas of one scenario, each
// run with its own seed: every count and cost of [Summary] as a [ReplicaStat] over
// the replicas. A quantity missing from a replica (a reason nobody got, an
// initiator who started nothing) counts as 0 in it. It is a [View] in text,
// json, md, html and csv.
type Replicas struct {
	Meta
	Seeds    []uint64   // replica i's seed; Seeds[0] is the master seed
	Duration model.Time // replica 0's simulated horizon
	// Calls: total, allowed, denied, failed.
	Calls []ReplicaMetric
	// ByReason: every reason code, in code order.
	ByReason []ReplicaMetric
	// Executions: started, succeeded, failed, stopped, retried, timed_out,
	// failed_at_end, waiting_at_end, running_at_end.
	Executions []ReplicaMetric
	// Steps: granted, completed, resource_limit, mean_wait_s.
	Steps []ReplicaMetric
	// CostTotal is the owner cost total (total_usd).
	CostTotal ReplicaMetric
	// ByPipeline and ByInitiator are sorted like [Cost]'s lists; nil when
	// no replica used any instance.
	ByPipeline  []ReplicaPipelineCost
	ByInitiator []ReplicaInitiatorCost
}

// N returns the number of replicas.
func (r *Replicas) N() int { return len(r.Seeds) }

// ReplicaSample is what one replica contributes to a [Replicas] report: its
// index, seed and horizon, every scalar metric and its owner-cost rows. It
// is a small extract of the replica's [Summary] (which need not be kept)
// and goes through a shard's part file unchanged (see [WriteReplicaPart]),
// so a merged report is the report of one process.
type ReplicaSample struct {
	Index    int
	Seed     uint64
	Duration model.Time
	// Values holds the scalar metrics in [replicaMetrics] order.
	Values []float64
	// Pipelines and Initiators are the cost rows, keys and USD only.
	Pipelines  []ReplicaPipelineUSD
	Initiators []InitiatorCost // Amount holds USD only
}

// ReplicaPipelineUSD is one pipeline's owner cost in one replica.
type ReplicaPipelineUSD struct {
	Pipeline string
	Owner    model.AccountID
	USD      float64
}

// replicaGroup is where a scalar metric goes in a [Replicas].
type replicaGroup uint8

const (
	groupCalls replicaGroup = iota
	groupReason
	groupExecutions
	groupSteps
	groupCost
)

var replicaGroupNames = [...]string{"calls", "by_reason", "executions", "steps", "cost"}

// replicaMetricDef is one scalar a replica contributes.
type replicaMetricDef struct {
	group replicaGroup
	name  string
	unit  ReplicaUnit
	get   func(s *Summary) float64
}

// key is the metric's name in a part file: "calls.total", "by_reason.scp", …
func (d *replicaMetricDef) key() string { return replicaGroupNames[d.group] + "." + d.name }

// replicaMetrics lists every scalar metric of a replica, in report order.
var replicaMetrics = func() []replicaMetricDef {
	var defs []replicaMetricDef
	count := func(g replicaGroup, name string, f func(s *Summary) int64) {
		defs = append(defs, replicaMetricDef{g, name, ReplicaCount, func(s *Summary) float64 { return float64(f(s)) }})
	}
	count(groupCalls, "total", func(s *Summary) int64 { return s.Calls.Total })
	count(groupCalls, "allowed", func(s *Summary) int64 { return s.Calls.Allowed })
	count(groupCalls, "denied", func(s *Summary) int64 { return s.Calls.Denied })
	count(groupCalls, "failed", func(s *Summary) int64 { return s.Calls.Failed })
	for code := model.ReasonNone + 1; code < model.NumReasons; code++ {
		count(groupReason, code.String(), func(s *Summary) int64 { return s.Calls.ByReason[code] })
	}
	count(groupExecutions, "started", func(s *Summary) int64 { return s.Executions.Started })
	count(groupExecutions, "succeeded", func(s *Summary) int64 { return s.Executions.Succeeded })
	count(groupExecutions, "failed", func(s *Summary) int64 { return s.Executions.Failed })
	count(groupExecutions, "stopped", func(s *Summary) int64 { return s.Executions.Stopped })
	count(groupExecutions, "retried", func(s *Summary) int64 { return s.Executions.Retried })
	count(groupExecutions, "timed_out", func(s *Summary) int64 { return s.Executions.TimedOut })
	count(groupExecutions, "failed_at_end", func(s *Summary) int64 { return s.Executions.FailedAtEnd })
	count(groupExecutions, "waiting_at_end", func(s *Summary) int64 { return s.Executions.WaitingAtEnd })
	count(groupExecutions, "running_at_end", func(s *Summary) int64 { return s.Executions.RunningAtEnd })
	count(groupSteps, "granted", func(s *Summary) int64 { return s.Steps.Granted })
	count(groupSteps, "completed", func(s *Summary) int64 { return s.Steps.Completed })
	count(groupSteps, "resource_limit", func(s *Summary) int64 { return s.Steps.ResourceLimit })
	defs = append(defs,
		replicaMetricDef{groupSteps, "mean_wait_s", ReplicaSeconds, func(s *Summary) float64 { return s.Steps.MeanWait / 1e9 }},
		replicaMetricDef{groupCost, "total_usd", ReplicaUSD, func(s *Summary) float64 { return s.Cost.USD }})
	return defs
}()

// NewReplicaSample extracts replica index's sample from its summary s.
func NewReplicaSample(index int, s *Summary) ReplicaSample {
	r := ReplicaSample{Index: index, Seed: s.Seed, Duration: s.Duration, Values: make([]float64, len(replicaMetrics))}
	for k := range replicaMetrics {
		r.Values[k] = replicaMetrics[k].get(s)
	}
	for _, p := range s.Cost.ByPipeline {
		r.Pipelines = append(r.Pipelines, ReplicaPipelineUSD{Pipeline: p.Pipeline, Owner: p.Owner, USD: p.USD})
	}
	for _, ic := range s.Cost.ByInitiator {
		ic.Amount = Amount{USD: ic.USD}
		r.Initiators = append(r.Initiators, ic)
	}
	return r
}

// SummarizeReplicas computes the report of replicas samples[0..N), sample
// i being replica i's; meta names the run. It keeps no reference to
// samples. (A [ReplicaFold] does the same one replica at a time.)
func SummarizeReplicas(meta Meta, samples []ReplicaSample) *Replicas {
	f := NewReplicaFold(meta)
	for i := range samples {
		f.Add(&samples[i])
	}
	return f.Replicas()
}

// format formats v in unit u for text.
func (u ReplicaUnit) text(v float64) string {
	switch u {
	case ReplicaUSD:
		return fixed(v, 4)
	case ReplicaSeconds:
		return fixed(v, 3)
	}
	return fixed(v, 1)
}

// replicaCIText formats the interval as "[lo, hi]", or "n/a" with one replica.
func replicaCIText(s *ReplicaStat, u ReplicaUnit) string {
	if !s.HasCI {
		return "n/a"
	}
	return "[" + u.text(s.CILow) + ", " + u.text(s.CIHigh) + "]"
}

// reasonsSeen are the reasons some replica counted, named "reason CODE".
func (r *Replicas) reasonsSeen() []ReplicaMetric {
	var reasons []ReplicaMetric
	for _, m := range r.ByReason {
		if m.P95 > 0 || m.Mean > 0 {
			reasons = append(reasons, ReplicaMetric{Name: "reason " + m.Name, Unit: m.Unit, ReplicaStat: m.ReplicaStat})
		}
	}
	return reasons
}

func replicaCells(s *ReplicaStat, u ReplicaUnit) []string {
	return []string{u.text(s.Mean), u.text(s.P5), u.text(s.P50), u.text(s.P95), replicaCIText(s, u)}
}

// writeText writes r for a terminal: a header (scenario, master
// seed, replicas, simulated horizon, the interval used), then tables of
// calls (totals, then the reasons some replica counted), executions,
// steps and the owner cost (total, by pipeline, by initiator), each row
// with the mean, p5, p50, p95 and the 95 % confidence interval of the mean
// ("n/a" with one replica). Counts have 1 decimal, USD 4, seconds 3.
func (r *Replicas) writeText(w io.Writer) error {
	ew := &errWriter{w: w}
	scenario := orDash(r.Scenario)
	if r.ScenarioSHA256 != "" {
		scenario += " (sha256 " + shortHash(r.ScenarioSHA256) + ")"
	}
	ew.printf("scenario   %s\n", scenario)
	ew.printf("seed       %d (replica 0; replica i runs with a seed derived from it and i)\n", r.Seeds[0])
	ew.printf("replicas   %d\n", r.N())
	ew.printf("simulated  %s (%.3f s)\n", r.Duration, float64(r.Duration)/1e9)
	if r.N() > 1 {
		ew.printf("interval   95%% confidence interval of the mean (Student's t, %d degrees of freedom)\n", r.N()-1)
	} else {
		ew.printf("interval   n/a (one replica)\n")
	}
	head := []string{"MEAN", "P5", "P50", "P95", "95% CI"}
	section := func(title, first string, ms ...[]ReplicaMetric) {
		ew.printf("\n%s\n", title)
		t := newTable(append([]string{first}, head...)...).num(1, 2, 3, 4)
		for _, list := range ms {
			for _, m := range list {
				t.add(append([]string{m.Name}, replicaCells(&m.ReplicaStat, m.Unit)...)...)
			}
		}
		t.write(ew, "  ")
	}
	section("Calls", "CALLS", r.Calls, r.reasonsSeen())
	section("Executions", "EXECUTIONS", r.Executions)
	section("Steps", "STEPS", r.Steps)

	ew.printf("\nOwner cost (USD)\n")
	t := newTable(append([]string{""}, head...)...).num(1, 2, 3, 4)
	t.add(append([]string{"total"}, replicaCells(&r.CostTotal.ReplicaStat, ReplicaUSD)...)...)
	t.write(ew, "  ")
	if len(r.ByPipeline) > 0 {
		ew.printf("\n  By pipeline\n")
		t = newTable(append([]string{"PIPELINE", "OWNER"}, head...)...).num(2, 3, 4, 5)
		for _, p := range r.ByPipeline {
			t.add(append([]string{p.Pipeline, string(p.Owner)}, replicaCells(&p.USD, ReplicaUSD)...)...)
		}
		t.write(ew, "    ")
	}
	if len(r.ByInitiator) > 0 {
		ew.printf("\n  By initiator\n")
		t = newTable(append([]string{"PAYER", "ACCOUNT", "NAME", "PRINCIPAL", "PIPELINE", "SHARE",
			"INSTANCE TYPE"}, head...)...).num(7, 8, 9, 10)
		for _, ic := range r.ByInitiator {
			k := &ic.Key
			share := k.Share
			if k.Own {
				share = "(owner)"
			}
			t.add(append([]string{string(k.Payer), string(k.Account), orDash(k.AccountName), k.Principal,
				k.Pipeline, share, k.InstanceType}, replicaCells(&ic.USD, ReplicaUSD)...)...)
		}
		t.write(ew, "    ")
	}
	return ew.err
}

// The replicas JSON. Struct fields fix the key order.
type jsonReplicasRun struct {
	SchemaVersion    int          `json:"schema_version"`
	PipeshareVersion string       `json:"pipeshare_version"`
	Scenario         string       `json:"scenario"`
	ScenarioSHA256   string       `json:"scenario_sha256"`
	Seed             uint64       `json:"seed"`
	DurationS        float64      `json:"duration_s"`
	Replicas         jsonReplicas `json:"replicas"`
}

type jsonReplicas struct {
	N                 int                        `json:"n"`
	Seeds             []uint64                   `json:"seeds"`
	ReplicaConfidence float64                    `json:"confidence"`
	Calls             jsonReplicaCalls           `json:"calls"`
	Executions        map[string]jsonReplicaStat `json:"executions"`
	Steps             map[string]jsonReplicaStat `json:"steps"`
	Cost              jsonReplicaCost            `json:"cost"`
}

type jsonReplicaCalls struct {
	Total    jsonReplicaStat            `json:"total"`
	Allowed  jsonReplicaStat            `json:"allowed"`
	Denied   jsonReplicaStat            `json:"denied"`
	Failed   jsonReplicaStat            `json:"failed"`
	ByReason map[string]jsonReplicaStat `json:"by_reason"`
}

type jsonReplicaCost struct {
	TotalUSD    jsonReplicaStat        `json:"total_usd"`
	ByPipeline  []jsonReplicaPipeline  `json:"by_pipeline"`
	ByInitiator []jsonReplicaInitiator `json:"by_initiator"`
}

type jsonReplicaPipeline struct {
	Pipeline string          `json:"pipeline"`
	Owner    string          `json:"owner"`
	USD      jsonReplicaStat `json:"usd"`
}

type jsonReplicaInitiator struct {
	Payer        string          `json:"payer"`
	Account      string          `json:"account"`
	Principal    string          `json:"principal"`
	Pipeline     string          `json:"pipeline"`
	Share        *string         `json:"share"` // null for the owner's own calls
	InstanceType string          `json:"instance_type"`
	USD          jsonReplicaStat `json:"usd"`
}

// jsonReplicaStat is a ReplicaStat at a fixed precision; the interval is null with one
// replica.
type jsonReplicaStat struct {
	Mean   replicaNum  `json:"mean"`
	P5     replicaNum  `json:"p5"`
	P50    replicaNum  `json:"p50"`
	P95    replicaNum  `json:"p95"`
	CILow  *replicaNum `json:"ci_low"`
	CIHigh *replicaNum `json:"ci_high"`
}

// replicaNum is a number written with prec decimals.
type replicaNum struct {
	v    float64
	prec int
}

func (f replicaNum) MarshalJSON() ([]byte, error) { return fixedJSON(f.v, f.prec) }

func replicaStatJSON(s *ReplicaStat, u ReplicaUnit) jsonReplicaStat {
	prec := 3
	if u == ReplicaUSD {
		prec = 4
	}
	out := jsonReplicaStat{Mean: replicaNum{s.Mean, prec}, P5: replicaNum{s.P5, prec}, P50: replicaNum{s.P50, prec},
		P95: replicaNum{s.P95, prec}}
	if s.HasCI {
		lo, hi := replicaNum{s.CILow, prec}, replicaNum{s.CIHigh, prec}
		out.CILow, out.CIHigh = &lo, &hi
	}
	return out
}

func replicaMetricsJSON(ms []ReplicaMetric) map[string]jsonReplicaStat {
	out := make(map[string]jsonReplicaStat, len(ms))
	for i := range ms {
		out[ms[i].Name] = replicaStatJSON(&ms[i].ReplicaStat, ms[i].Unit)
	}
	return out
}

// writeJSON writes r as JSON: schema_version
// ([ReplicasSchemaVersion]), pipeshare_version, scenario, scenario_sha256,
// seed (the master seed, replica 0's), duration_s, and replicas {n, seeds
// (replica i's seed at index i), confidence (0.95), calls {total, allowed,
// denied, failed, by_reason {CODE}}, executions {started, succeeded,
// failed, stopped, retried, timed_out, failed_at_end, waiting_at_end,
// running_at_end}, steps {granted, completed, resource_limit,
// mean_wait_s}, cost {total_usd, by_pipeline [{pipeline, owner, usd}],
// by_initiator [{payer, account, principal, pipeline, share, instance_type,
// usd}]}}, where every quantity is a stat {mean, p5, p50, p95, ci_low,
// ci_high}: ci_low and ci_high bound the 95 % confidence interval of the
// mean and are null with one replica. by_reason lists every reason code.
// Counts and seconds have 3 decimals, USD 4. Lists are sorted as [Cost]'s
// and [] when empty; a by_initiator row's share is null for the owner's
// own calls. Identical reports give identical bytes.
func (r *Replicas) writeJSON(w io.Writer) error {
	calls := replicaMetricsJSON(r.Calls)
	out := jsonReplicasRun{
		SchemaVersion:    ReplicasSchemaVersion,
		PipeshareVersion: r.Version,
		Scenario:         r.Scenario,
		ScenarioSHA256:   r.ScenarioSHA256,
		Seed:             r.Seeds[0],
		DurationS:        float64(r.Duration) / 1e9,
		Replicas: jsonReplicas{
			N:                 r.N(),
			Seeds:             r.Seeds,
			ReplicaConfidence: ReplicaConfidence,
			Calls: jsonReplicaCalls{Total: calls["total"], Allowed: calls["allowed"], Denied: calls["denied"],
				Failed: calls["failed"], ByReason: replicaMetricsJSON(r.ByReason)},
			Executions: replicaMetricsJSON(r.Executions),
			Steps:      replicaMetricsJSON(r.Steps),
			Cost: jsonReplicaCost{
				TotalUSD:    replicaStatJSON(&r.CostTotal.ReplicaStat, ReplicaUSD),
				ByPipeline:  []jsonReplicaPipeline{},
				ByInitiator: []jsonReplicaInitiator{},
			},
		},
	}
	for _, p := range r.ByPipeline {
		out.Replicas.Cost.ByPipeline = append(out.Replicas.Cost.ByPipeline,
			jsonReplicaPipeline{Pipeline: p.Pipeline, Owner: string(p.Owner), USD: replicaStatJSON(&p.USD, ReplicaUSD)})
	}
	for _, ic := range r.ByInitiator {
		k := ic.Key
		row := jsonReplicaInitiator{Payer: string(k.Payer), Account: string(k.Account), Principal: k.Principal,
			Pipeline: k.Pipeline, InstanceType: k.InstanceType, USD: replicaStatJSON(&ic.USD, ReplicaUSD)}
		if !k.Own {
			share := k.Share
			row.Share = &share
		}
		out.Replicas.Cost.ByInitiator = append(out.Replicas.Cost.ByInitiator, row)
	}
	return writeIndentedJSON(w, out)
}
