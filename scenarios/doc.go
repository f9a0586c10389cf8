// Package scenarios is pipeshare's scenario format v1, and only that. It
//
//   - decodes a scenario file: [Parse] and [Load] turn one file into a
//     [Scenario], a model.Config (the organization, accounts, policies,
//     pipelines, shares and timeline) and a sim.Config (seed, horizon,
//     workload, quotas, pipeline step specs and pricing), walking yaml.v3
//     node trees rather than decoding into structs, so that every key is
//     checked and every value keeps its position (decode.go);
//   - validates with positions: every problem is reported at
//     file:line:col, all of them, in an [ErrorList] (below);
//   - applies overlays before decoding: `extends: BASE` (a base scenario
//     the file overrides) and --set PATH=VALUE ([LoadOptions].Sets), on the
//     YAML tree, so that positions stay those of the file (or --set) each
//     value comes from (overlay.go);
//   - expands templates: id_from/count on accounts, count on pipelines,
//     shares and workload entries (templates.go);
//   - holds the embedded example scenarios ([Names], [Builtin]);
//   - is the one resolver of a scenario named by a file or an embedded name
//     ([Resolve]), for `extends:` and for every command that reads one;
//   - compiles: [Compile] resolves the references through model.NewWorld
//     and sim.New;
//   - writes scenario files for importers ([File], [WriteFile]).
//
// It is the package that reads and writes YAML. Foreign formats live in
// its sibling packages: scenarios/pipelinedef reads SageMaker pipeline
// definitions (a pipeline's definition: key; scenarios imports it),
// scenarios/importer turns AWS CLI snapshots, Terraform plans, pipeline
// definitions and CloudTrail traces into a scenario (it imports
// scenarios), and scenarios/cloudtrail reads CloudTrail traces for
// `run --trace`.
//
// # What is checked here, and what is not
//
// This package checks the shape of the YAML and the syntax of every value:
// types, required keys (reported at their parent mapping), unknown keys
// (reported with the allowed ones), durations, times, rates, counts,
// account IDs, permission, action and event names, "exactly one of rate,
// every, at" and the order of between. Problems are collected, never
// stopping at the first, into an [ErrorList] sorted by position whose
// entries print as "file:line:col: message" (warnings as
// "file:line:col: warning: message"; they do not make a load fail).
//
// References (account, policy, pipeline and share names, OU paths,
// principals, callers) are passed on as model.Ref values holding the
// position of the value that was written; model.NewWorld and sim.New
// resolve them and report what is wrong with them, as do the policy
// grammar rules (Action with NotAction, Principal, condition operators and
// keys). [ErrorList.AddPosErrors] merges their reports into the same list.
//
// # Values
//
//   - Durations: Go's syntax plus the unit d (24h) wherever a unit may
//     appear: 90s, 1d12h, 1.5d, 30d, or 0 ([ParseDuration]).
//   - Times: RFC 3339 with any offset, normalised to UTC, or a duration
//     offset from start ([ParseTime]). A date-only timestamp is an error
//     with a hint; a time before start is an error, one after
//     start+duration a warning.
//   - Rates: <number>/<unit> (s, m, h, d) or <number>/<duration> (3/15m)
//     ([ParseRate]).
//   - Account IDs: quoted strings of 12 digits; an unquoted number is an
//     error because YAML drops leading zeros.
//
// # Pipelines, steps and pricing
//
// A pipeline entry may carry parameters (name → string, number or boolean;
// null for one without a default, which every Start must pass),
// steps, max_parallel_steps, stop_latency and execution_timeout (a duration
// or none); each pipeline with at least one step becomes one
// sim.PipelineSpec whose Name and Account are the refs of its
// model.PipelineConfig. definition names a SageMaker pipeline definition
// (a file, or inline JSON), read by package pipelinedef, whose steps the
// steps entries override by name (definition_merge.go).
//
// A step has a name (AWS's pattern ^[A-Za-z0-9\-_]{1,64}$, unique in its
// pipeline), a type (Processing, Training, Tuning, Transform, CreateModel,
// Model, RegisterModel, Condition, Fail, Callback, Lambda, ClarifyCheck,
// QualityCheck, EMR, EMRServerless or AutoML; any other type is a warning
// and the step is kept), depends_on (step names, checked by sim.New),
// instance_type (ml.<family>.<size>, or {Get: Parameters.X} resolved from
// the pipeline's parameters), instance_count (an integer >= 1 or a
// parameter holding one), duration, failure_rate (0 to 1),
// failure_exception and retry policies ({exceptions, interval, backoff,
// max_attempts}; exception names are Step.SERVICE_FAULT, Step.THROTTLING,
// SageMaker.JOB_INTERNAL_ERROR, SageMaker.CAPACITY_ERROR and
// SageMaker.RESOURCE_LIMIT, which are also the values failure_exception
// takes). Steps of type Processing, Training, Tuning and Transform, and any
// step given an instance_type, run on instances and need instance_type;
// other steps have no instances (InstanceType "" and InstanceCount 0), and
// instance_count on them is an error.
//
// A duration is fixed (45m, positive) or a distribution:
// {dist: exponential, mean}, {dist: lognormal, median, sigma},
// {dist: normal, mean, stddev}, {dist: uniform, min, max} or
// {dist: gamma, shape, scale}. mean, median, stddev, min, max and scale are
// durations (stored in sim.Dist as float64 nanoseconds); sigma and shape are
// plain numbers. Every parameter is required and must be positive and
// finite; min must be less than max; other keys are errors.
//
// A step with no duration gets its type's default ([DefaultStepDuration])
// and a warning:
//
//	Processing, Callback, ClarifyCheck, QualityCheck   10m
//	Training, EMR, EMRServerless                       30m
//	Tuning, AutoML                                     1h
//	Transform                                          15m
//	Lambda                                             1m
//	Condition, Fail, RegisterModel, CreateModel,
//	Model and unknown types                            1s
//
// The top-level pricing mapping (instance type → USD per instance-hour,
// positive and finite, for every component; or → a mapping of training,
// processing and transform to such prices) becomes sim.Config.Pricing in
// file order, one sim.Price per number; sim prices each step at its
// component's price (sim.StepComponent) from it, else from the embedded
// table of the scenario's region (docs/pricing.md).
//
// # Defaults and choices
//
// region us-east-1; seed 1; full_access true on units and accounts;
// organization.ram_sharing disabled (AWS's default) unless "enabled"; share
// at 0, permission read-only, association_delay 2m,
// allow_external_principals true, invitation_ttl 12h, retain_on_leave
// false; between [0, duration]; concurrent_executions 20; api_rate.burst
// defaults to the rate per second rounded up (at least 1); a zero quota is
// valid. Pipelines: max_parallel_steps 50, stop_latency 0,
// execution_timeout 672h (AWS's limit). Steps: instance_count 1 on instance
// steps, failure_rate 0, failure_exception SageMaker.JOB_INTERNAL_ERROR;
// retry interval 1s, backoff 2.0, max_attempts 5 (at most 20, 0 = never
// retry), as AWS's RetryPolicies. An account entry
// with id_from and count expands to count accounts with consecutive
// zero-padded IDs; "%d" in its name is the 1-based index ("-%d" is appended
// when the name has none). A mapping may use YAML anchors, aliases and merge
// keys (<<).
//
// # Limits
//
// Input over 64 MiB (LoadOptions.MaxInput, internal/input's one bounded
// reader) is refused. A file that extends names must be a scenario
// (version: 1 at its top) or it is refused without quoting it. Quoted user
// text in messages is cut to 120 characters. One id_from entry
// expands to at most 100,000 accounts and a scenario to at most 1,000,000
// generated accounts; a pipeline holds at most 10,000 steps; aliases may
// expand to at most max(100,000, 4 × the document's nodes) nodes. yaml.v3
// reports syntax errors with a line only (sometimes the line where the
// enclosing block starts): they are reported at column 1 of that line, or at
// 1:1 when yaml.v3 gives none. Tabs in indentation, characters YAML forbids
// and duplicate keys are found by this package with exact positions.
package scenarios
