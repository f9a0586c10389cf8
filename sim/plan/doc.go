// Package plan is the search of `pipeshare plan`: which point of a space of
// scenario variants to recommend. It nests under sim because it is a
// design of simulation experiments over the engine's replicas (replica i
// of every point runs with the seed sim.ReplicaSeed gives replica i, so
// points share their random numbers); it knows nothing of YAML, files or
// goroutines, and is deterministic.
//
//   - A [Space] is axes (each a list of value labels, one of which may be
//     the scenario as written), constraints on statistics of [Metrics] and
//     lexicographic objectives. Which scenario change a value stands for
//     is the caller's business (package scenarios reads space files).
//   - [New] chooses the points: the baseline (the scenario as written)
//     first, then the whole grid when it has at most Options.Budget
//     points, else a seeded Latin-hypercube sample.
//   - [Plan.Run] spends replicas by successive halving: every point at
//     R/4 replicas, then the better half at twice as many, until R; a
//     point whose 95 % interval on the first objective overlaps the best
//     point's, and the baseline, are never dropped. It hands each rung's
//     jobs to the caller's [Evaluator], which may run them in parallel and
//     record their metrics in any order.
//   - The [Result] ranks the points (feasible first, by the objectives,
//     ties by fewer changes from the baseline), marks which constraints
//     each breaks, and gives the Pareto frontier, the recommended point,
//     or, when nothing is feasible, the constraint that blocks most points
//     and the closest point.
//
// [Estimate] (mean, percentiles and the mean's 95 % interval over the
// replicas) is the one statistic of replicas in pipeshare; report's
// run --replicas uses it too.
package plan
