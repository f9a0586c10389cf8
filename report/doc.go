// Package report turns pipeshare's results into output for people and
// machines.
//
// Each report is computed once into a plain model, then printed by a
// [View] in the format asked for: a run by [Summarize] into a [Summary]
// ([RunView]), the compliance rules by [Check] into a [CheckReport], two
// runs by [CompareSummaries] into a [Diff], replicas by [SummarizeReplicas]
// into [Replicas]; the permission views print the model directly:
// [AccessView] (the access matrix at one instant, [NewAccessView]),
// [ChangesView] ([NewChangesView]), [ExplainView] (a [model.Explanation] layer by
// layer) and [TimelineView] ([Timeline]). A view lists its formats
// (View.Formats) and renders one (View.Render); the model knows nothing of
// formats, and a command checks --format against the view before it
// computes anything. Every JSON a view writes has a closed JSON Schema,
// generated from the structs that write it ([JSONSchema]).
//
// The reports for people (text, md and html, see [ForPeople]) open with a
// headline: the owner's cost, the calls denied, the executions, the
// findings, who outside the organization has access, and one sentence on
// the timeline event that changed the picture ([Events]). It is computed
// when such a report is rendered, never for JSON or CSV. Their money is
// "$1,128.12"; JSON and CSV keep exact numbers. Markdown, for pull
// requests, stays under [MaxMarkdown]. [CheckReport.ApplyPolicies] and
// [Diff.ApplyPolicies] evaluate the --fail-on policies ([ParsePolicy]).
//
// Output is deterministic: every list that comes from a map is sorted, JSON
// maps are written with sorted keys, floats are printed at a fixed precision,
// and the same input renders to the same bytes. Nothing here reads the
// clock, the environment or the file system: renderers write to an
// [io.Writer] they are given, return its first error, and never exit.
package report
