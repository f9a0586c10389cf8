package sim

import "github.com/pipeshare/pipeshare/model"

// Config is what the simulator runs besides the permission model: the seed,
// the horizon and the workload. The scenarios package fills it from YAML; it
// carries raw references that [New] resolves against the model.
type Config struct {
	Seed     uint64
	Duration Time // the horizon: events at t <= Duration run
	Workload []Workload
	// Quotas and set_quota events per account (issue 4 runs executions
	// against them; validated now so scenarios stay forward compatible).
	Quotas      []AccountQuota
	QuotaEvents []QuotaEvent
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
	Pos     model.Pos
}

// Unlimited marks a quota with no limit.
const Unlimited = -1

// AccountQuota is an account's quotas (DESIGN.md "Quotas").
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
