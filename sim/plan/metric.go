package plan

import "strings"

// Metric is one quantity a replica of a point produces, an index into
// [Metrics]. A point's [Values] hold one value per Metric.
type Metric uint8

// The metrics, in report order. Their names, units and meanings are
// [Metrics]; docs/plan.md#metrics documents them for users.
const (
	OwnerCostUSD Metric = iota
	OwnerCostUSDMonth
	OtherAccountsCostUSDMonth
	BlockedCalls
	BlockedCallShare
	BlockedStarts
	BlockedStartShare
	CapacityFailedExecutions
	WaitMeanS
	WaitP95S
	GrantedUnused
	ExternalPrincipals
	FindingsNote
	FindingsWarning
	FindingsError
	BudgetRulesBroken
	NumMetrics
)

// Unit says what a metric counts, for printing.
type Unit uint8

const (
	UnitUSD      Unit = iota // dollars
	UnitUSDMonth             // dollars per 30 days
	UnitCount                // a count
	UnitShare                // a fraction from 0 to 1, printed as a percentage
	UnitSeconds              // seconds
)

// MetricInfo names and describes a metric.
type MetricInfo struct {
	Name string // its key in space files, JSON and CSV
	Unit Unit
	Doc  string // one line, for the schema and the docs
	// Words name it for people, with its unit: "owner cost ($/month)".
	Words string
	// Column heads it in tables for people, short, with its unit:
	// "owner $/month".
	Column string
}

// Metrics describes every metric, indexed by [Metric].
var Metrics = [NumMetrics]MetricInfo{
	OwnerCostUSD:              {"owner_cost_usd", UnitUSD, "the owner's instance cost over the run", "owner cost ($ over the run)", "owner $"},
	OwnerCostUSDMonth:         {"owner_cost_usd_month", UnitUSDMonth, "the owner's instance cost per 30 days (the run's cost scaled to 30 days)", "owner cost ($/month)", "owner $/month"},
	OtherAccountsCostUSDMonth: {"other_accounts_cost_usd_month", UnitUSDMonth, "the part of the owner's cost per 30 days that other accounts' Start and Retry calls triggered", "cost other accounts triggered ($/month)", "others' $/month"},
	BlockedCalls:              {"blocked_calls", UnitCount, "workload calls denied by a permission layer (steps 1-5)", "blocked calls (count)", "blocked calls"},
	BlockedCallShare:          {"blocked_call_share", UnitShare, "blocked_calls over all workload calls (0 with no calls)", "blocked calls (% of calls)", "blocked calls %"},
	BlockedStarts:             {"blocked_starts", UnitCount, "StartPipelineExecution calls denied by a permission layer", "blocked Starts (count)", "blocked Starts"},
	BlockedStartShare:         {"blocked_start_share", UnitShare, "blocked_starts over all StartPipelineExecution calls (0 with none)", "blocked Starts (% of Starts)", "blocked Starts %"},
	CapacityFailedExecutions:  {"capacity_failed_executions", UnitCount, "executions failed because a step hit the owner's instance quota (SageMaker.RESOURCE_LIMIT) with no retry left", "executions failed for capacity (count)", "capacity failures"},
	WaitMeanS:                 {"wait_mean_s", UnitSeconds, "the mean wait of a step for the owner's instances, in seconds", "mean wait for instances (time)", "mean wait"},
	WaitP95S:                  {"wait_p95_s", UnitSeconds, "the 95th percentile of a step's wait for instances, in seconds (the upper bound of its histogram bucket)", "p95 wait for instances (time)", "p95 wait"},
	GrantedUnused:             {"granted_unused", UnitCount, "(principal, pipeline, action) triples granted through a share and never called in the run (rule PS005)", "granted but unused (triples)", "unused grants"},
	ExternalPrincipals:        {"external_principals", UnitCount, "principals outside the organization with a live share association at the end of the run (rule PS001)", "external principals (count)", "external principals"},
	FindingsNote:              {"findings_note", UnitCount, "compliance findings at note severity or above (pipeshare check's rules)", "findings, note or above (count)", "findings ≥ note"},
	FindingsWarning:           {"findings_warning", UnitCount, "compliance findings at warning severity or above", "findings, warning or above (count)", "findings ≥ warning"},
	FindingsError:             {"findings_error", UnitCount, "compliance findings at error severity", "error findings (count)", "error findings"},
	BudgetRulesBroken:         {"budget_rules_broken", UnitCount, "budget rules of the scenario broken in the run (rule PS007)", "budget rules broken (count)", "budgets broken"},
}

// String returns the metric's name.
func (m Metric) String() string {
	if m < NumMetrics {
		return Metrics[m].Name
	}
	return "metric?"
}

// LookupMetric returns the metric named name.
func LookupMetric(name string) (Metric, bool) {
	for m := range NumMetrics {
		if Metrics[m].Name == name {
			return m, true
		}
	}
	return 0, false
}

// MetricNames lists the metrics' names in [Metric] order.
func MetricNames() []string {
	out := make([]string, NumMetrics)
	for m := range NumMetrics {
		out[m] = Metrics[m].Name
	}
	return out
}

// Values are one replica's metrics, indexed by [Metric].
type Values [NumMetrics]float64

// Stat is a statistic of a metric over a point's replicas.
type Stat uint8

const (
	StatMean   Stat = iota // the mean
	StatP5                 // the 5th percentile
	StatP50                // the median
	StatP95                // the 95th percentile
	StatCILow              // the lower end of the mean's 95 % confidence interval
	StatCIHigh             // its upper end
	NumStats
)

var statNames = [NumStats]string{"mean", "p5", "p50", "p95", "ci_low", "ci_high"}

// String returns the stat's name as space files write it.
func (s Stat) String() string {
	if s < NumStats {
		return statNames[s]
	}
	return "stat?"
}

// LookupStat returns the stat named name.
func LookupStat(name string) (Stat, bool) {
	for s := range NumStats {
		if statNames[s] == name {
			return s, true
		}
	}
	return 0, false
}

// StatNames lists the stats' names.
func StatNames() []string { return statNames[:] }

// Of returns the stat of e. Without an interval (one replica) ci_low and
// ci_high are the mean.
func (s Stat) Of(e *Estimate) float64 {
	switch s {
	case StatP5:
		return e.P5
	case StatP50:
		return e.P50
	case StatP95:
		return e.P95
	case StatCILow:
		if e.HasCI {
			return e.CILow
		}
	case StatCIHigh:
		if e.HasCI {
			return e.CIHigh
		}
	}
	return e.Mean
}

// Words names metric m's statistic s for people, with its unit:
// "owner cost ($/month), p95"; a mean is just the metric.
func Words(m Metric, s Stat) string {
	if s == StatMean {
		return Metrics[m].Words
	}
	return Metrics[m].Words + ", " + s.String()
}

// Column is the head of statistic s of metric m in tables for people:
// "owner $/month p95"; a mean is just the metric's.
func Column(m Metric, s Stat) string {
	if s == StatMean {
		return Metrics[m].Column
	}
	return Metrics[m].Column + " " + s.String()
}

// statLabel is "metric" for a mean, else "metric stat".
func statLabel(m Metric, s Stat) string {
	if s == StatMean {
		return m.String()
	}
	return strings.Join([]string{m.String(), s.String()}, " ")
}
