// Package report turns pipeshare's results into output for people and
// machines.
//
// A run report is computed once, by [Summarize], from a [sim.Result] into a
// plain [Summary]; renderers ([WriteText], [WriteJSON]) only format it. The
// permission views render the model directly: [WriteExplainJSON] and
// [WriteExplainText] print a [model.Explanation] layer by layer, and
// [Access] computes the access matrix at one instant, which
// [WriteAccessJSON], [WriteAccessCSV] and [WriteAccessText] print.
//
// Output is deterministic: every list that comes from a map is sorted, JSON
// maps are written with sorted keys, floats are printed at a fixed precision,
// and the same input renders to the same bytes. Nothing here reads the
// clock, the environment or the file system: renderers write to an
// [io.Writer] they are given, return its first error, and never exit.
package report
