// Package sim is pipeshare's discrete-event engine and the simulated domain
// that runs on it: share lifecycle, timeline events, the workload generators
// and trace replay, executions and their steps, capacity and quotas, and the
// cost ledger.
//
// # Engine
//
// The engine core ([Time], [Event], [Queue], [Engine], [Stream]) knows
// nothing about the domain. Simulated time is an int64 count of nanoseconds
// since the scenario's start ([Time] is an alias of model.Time). Events are
// small value structs kept in one binary min-heap; the domain gives each a
// [EventKind] and interprets its payload fields. A run is a single loop:
//
//	for e, ok := eng.Next(); ok; e, ok = eng.Next() {
//		switch e.Kind {
//		// ...
//		}
//	}
//
// [Engine.Next] returns events in (At, Prio, Seq) order and stops at the
// horizon, which is inclusive: an event at exactly the horizon runs.
//
// # Phase order at one instant
//
// Events at the same At run in order of their Prio, lower first, then in
// the order they were scheduled (Seq):
//
//  1. [PrioLifecycle] (0): state changes — share lifecycle (associations
//     coming into force, invitations answered or expiring), timeline events
//     (set_permission, move_account, attach_policy, …) and the domain's
//     other transitions.
//  2. [PrioCall] (1): API calls from the workload or a replayed trace.
//
// So a call at time t sees every change that takes effect at t: intervals
// are half-open [from, to), and the lifecycle and timeline events at an
// instant apply before its calls.
//
// # Determinism
//
// A run is a pure function of the scenario and its seed. The package reads
// no wall clock, uses no global random generator and starts no goroutines;
// nothing it does depends on map iteration order. Every random draw comes
// from a [Stream] seeded from the master seed and a stream key (see
// [StreamSeed]), and the arrival helpers in arrivals.go consume a fixed
// number of draws per call, so runs that differ only in one workload entry
// or one outcome keep their other random numbers aligned (common random
// numbers). Independent replicas may run in parallel, each with its own
// Engine; an Engine and its Streams are not safe for concurrent use.
//
// # Random streams
//
// Each stream is named by a key and seeded from the master seed and the
// key alone ([StreamSeed]); the keys are:
//
//	workload/<entry>/<caller>   one per expanded caller of a workload entry;
//	                            <entry> is the entry's name, or its 0-based
//	                            index when it has none; <caller> is the
//	                            caller as written in output ("ACCT/role/X",
//	                            "ACCT/root"). A fixed number of draws per
//	                            call (arrival, target, action, execution
//	                            pick) whatever the outcome.
//	exec/<execution id>         an execution's step durations and failures.
//	ids                         execution IDs.
//
// Because a stream depends only on the master seed and its key, adding a
// workload entry or a caller shifts no other stream, and two scenarios run
// with the same seed share their random numbers. The helpers [Exponential],
// [ExponentialRate], [UniformIndex] and [WeightedIndex] and every [Stream]
// method consume exactly one draw each.
//
// # Compliance rules
//
// [Rule] (a [BudgetRule] or a [DeniedRateRule]) and [Waiver] are the user's
// compliance rules and waivers. They live here, not in scenarios or report,
// because both of those need them and must not import each other: scenarios
// decodes them from YAML and report evaluates them. Of the domain packages
// both import, sim is their home rather than model because a rule speaks of
// a run's outcome — the cost ledger and the call counters of a [Result] —
// which the permission model knows nothing about. This package only holds
// them; it never evaluates them.
//
// # Panics
//
// Broken engine invariants are programmer errors and panic with a message
// starting "sim: ": scheduling an event in the past or with Kind 0, popping
// or peeking an empty [Queue]. Anything that can come from user input is
// validated before it reaches this package.
package sim
