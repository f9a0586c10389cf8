// Package model is pipeshare's domain and permission model: accounts, the
// organization and its OU tree, IAM principals and policies, SCPs and
// permissions boundaries, SageMaker pipelines, RAM resource shares with their
// two managed permissions, ARNs, and the authorizer.
//
// The package imports only the standard library. It does no I/O, reads no
// clock and draws no random numbers: time is passed in as [Time], an offset in
// nanoseconds from the scenario start.
//
// A [World] is compiled once from a [Config] and evaluated many times. It has
// two evaluation paths that must agree:
//
//   - [World.Explain] evaluates every layer of the permission steps of docs/aws-semantics.md#how-a-call-is-decided
//     1–5 and records which statements and shares matched;
//   - [World.Decide] answers from a table of per (principal, pipeline) rows,
//     rebuilt only at change points, in O(1) and without allocating.
//
// A World is not safe for concurrent use: Decide fills its row cache, and
// DecideData and InternDataAccess theirs. What only reads the model as
// built (the names, accounts, principals, pipelines and shares and how
// they relate) writes nothing, and may run beside one goroutine that
// decides: pipeshare run summarizes a run while it checks it.
package model
