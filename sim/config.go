package sim

import (
	"fmt"

	"github.com/pipeshare/pipeshare/model"
)

// Config is what the simulator runs besides the permission model: the seed,
// the horizon and the workload. The scenarios package fills it from YAML; it
// carries raw references that [New] resolves against the model.
type Config struct {
	Seed     uint64
	Duration Time // the horizon: events at t <= Duration run
	Workload []Workload
	// Quotas and set_quota events per account.
	Quotas      []AccountQuota
	QuotaEvents []QuotaEvent
	// Pipelines holds the step DAG of each pipeline that has steps; a
	// pipeline without a spec has no steps (a Start succeeds at once).
	Pipelines []PipelineSpec
	// Pricing overrides the embedded price table of the world's region
	// (USD per instance-hour), by instance type and component; a later
	// entry for the same type and component wins.
	Pricing []Price
}

// Price is one pricing entry: the price of an instance type for one
// component, or for AllComponents.
type Price struct {
	InstanceType string
	Component    Component
	USDPerHour   float64
	Pos          model.Pos
}

// PipelineSpec is what an execution of a pipeline runs.
type PipelineSpec struct {
	Name    model.Ref // the pipeline's name as configured in model.Config
	Account model.Ref // its owner
	Steps   []StepSpec
	// MaxParallelSteps bounds the steps of one execution running at once
	// (default 50).
	MaxParallelSteps int
	// StopLatency is the time from Stop to the cut of running steps.
	StopLatency Time
	// ExecutionTimeout fails an execution that has been Executing this
	// long since its Start or Retry; Never means none (default 672h).
	ExecutionTimeout Time
	// The data plane (data.go): the execution role (role/NAME or an IAM
	// role ARN in the owner account), the parameters with their defaults
	// (or Required), and the billed time a step runs before it fails on a denied data
	// access (0: DefaultSetupTime).
	Role       model.Ref
	Parameters []Param
	SetupTime  Time
	Pos        model.Pos
}

// DistKind is a duration distribution.
type DistKind uint8

const (
	DistFixed       DistKind = iota + 1 // A: the duration (ns)
	DistExponential                     // A: mean (ns)
	DistLogNormal                       // A: median (ns), B: sigma
	DistNormal                          // A: mean (ns), B: stddev (ns); resampled while <= 0, at most 100 tries
	DistUniform                         // A: min (ns), B: max (ns)
	DistGamma                           // A: shape, B: scale (ns)
)

// Dist is a step duration: fixed or drawn from a distribution. Parameters
// are validated by the decoder (positive, finite, min < max).
type Dist struct {
	Kind DistKind
	A, B float64
}

// RetryPolicy is a step's retry policy (docs/aws-semantics.md#retry-policies).
type RetryPolicy struct {
	Exceptions  []string // e.g. SageMaker.RESOURCE_LIMIT, SageMaker.JOB_INTERNAL_ERROR
	Interval    Time     // default 1s
	Backoff     float64  // default 2.0
	MaxAttempts int      // retries after the first attempt; default 5
	Pos         model.Pos
}

// InlinePos is a position inside JSON written as one scenario value (a
// pipeline definition given inline): the line and column inside the JSON,
// which messages at the value's position give. Zero for none.
type InlinePos struct{ Line, Col int }

// Msg returns msg about a value at p: as is for none, else as a problem of
// the inline definition at its line and column.
func (p InlinePos) Msg(msg string) string {
	if p.Line == 0 {
		return msg
	}
	return fmt.Sprintf("definition: %s (JSON line %d, column %d)", msg, p.Line, p.Col)
}

// StepSpec is one step of a pipeline.
type StepSpec struct {
	Name string
	Type string // Processing, Training, Tuning, Transform, Lambda, Callback, Condition, Fail, …
	// DependsOn names steps of the same pipeline.
	DependsOn []model.Ref
	// InstanceType is "" for a step without instances; parameters are
	// already resolved. InstanceCount defaults to 1.
	InstanceType     string
	InstanceCount    int
	Duration         Dist
	FailureRate      float64 // drawn at the step's end
	FailureException string  // default SageMaker.JOB_INTERNAL_ERROR
	Retry            []RetryPolicy
	Pos              model.Pos
	InstanceTypePos  model.Pos
	// Condition steps (Type "Condition", sim/branch.go): when the step
	// ends, IfSteps run if the condition holds and ElseSteps otherwise; the
	// other side is skipped (never requested, never billed, done for its
	// dependents), and so is every step all of whose dependencies are
	// skipped. Branch steps depend on their condition step implicitly.
	IfSteps, ElseSteps []model.Ref
	// Static is the branch decided at load time (the conditions use only
	// parameters and literals): +1 the if branch, -1 the else branch, 0
	// drawn per execution from its stream with IfProbability (0..1; the
	// scenarios decoder defaults it to 0.5).
	Static        int8
	IfProbability float64
	// The data plane (data.go): the step's own role (S == "": the
	// pipeline's), the S3 URIs it reads and writes, and the KMS key of its
	// outputs (zero: the buckets' default encryption); RoleInline is where
	// the role is inside an inline definition.
	Role       model.Ref
	RoleInline InlinePos
	Inputs     []DataRef
	Outputs    []DataRef
	KMSKey     DataRef
}

// ArrivalKind is how a workload entry's calls arrive.
type ArrivalKind uint8

const (
	// ArrivalRate is a Poisson process per expanded caller.
	ArrivalRate ArrivalKind = iota + 1
	// ArrivalEvery fires at From, From+Every, … for each caller.
	ArrivalEvery
	// ArrivalAt fires at the listed times for each caller.
	ArrivalAt
)

// Arrival is a workload entry's arrival process.
type Arrival struct {
	Kind ArrivalKind
	// PerNs is the Poisson rate per caller in calls per nanosecond (ArrivalRate).
	PerNs float64
	Every Time   // ArrivalEvery
	At    []Time // ArrivalAt, sorted
}

// ActionWeight is one entry of a workload's action mix.
type ActionWeight struct {
	Action model.Action
	Weight float64
}

// Workload is one generated workload entry.
type Workload struct {
	Name    string // "" uses the entry's index
	Callers []model.Ref
	// Targets are pipeline names or ARNs; a single "all" means every
	// pipeline, sorted by ARN.
	Targets []model.Ref
	Arrival Arrival
	Actions []ActionWeight // in file order; weights are normalised
	From    Time           // between[0]
	To      Time           // between[1], inclusive
	// Parameters are the pipeline parameters its Starts pass, for every
	// caller; CallerParameters add to them per caller (data.go).
	Parameters       []Param
	CallerParameters []CallerParams
	Pos              model.Pos
}

// Unlimited marks a quota with no limit.
const Unlimited = -1

// AccountQuota is an account's quotas (docs/scenario-format.md#account-quotas).
type AccountQuota struct {
	Account              model.Ref
	ConcurrentExecutions int            // Unlimited or >= 0; default 20
	Instances            map[string]int // instance type → count; absent types unlimited
	APIRate              float64        // calls per second; 0 = no throttling
	APIBurst             int
	OnCapacityQueue      bool // on_capacity: queue (else fail)
	// Which fields were given (set_quota replaces only those).
	HasConcurrent, HasAPIRate, HasOnCapacity bool
	Pos                                      model.Pos
}

// QuotaEvent is a set_quota timeline event.
type QuotaEvent struct {
	At    Time
	Quota AccountQuota // fields given replace the account's
	Pos   model.Pos
}
