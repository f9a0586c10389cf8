// Package pipelinedef reads SageMaker pipeline definitions: the JSON of
// CreatePipeline's PipelineDefinition (Version 2020-12-01), as a file or as
// the string DescribePipeline returns. [Decode] keeps what the simulator
// needs of each step, as a sim.StepSpec: its type, its dependencies
// (DependsOn and implicit {"Get": "Steps.X..."} references), its instance
// type and count (ProcessingResources.ClusterConfig, ResourceConfig,
// TransformResources, tuning resource configs), its retry policies and, for
// a Condition step, its branches, decided when the definition is read if
// the conditions use only parameters ({"Get": "Parameters.X"}, with the
// scenario's values or the DefaultValues), {"Std:Join": ...} and literals;
// a parameter with neither is known only when a Start passes it.
// Definitions carry no durations: package scenarios adds them from a
// scenario's steps: entries, merged by step name. Each step's [Data] holds
// what its Arguments name of S3 data for importers: the URIs its job reads
// and writes, the KMS key it writes with and the role it runs as, each a
// literal or a parameter at its position (Required when it has no value:
// each Start passes one), and the values known only at run time (step
// properties, execution variables), listed with why. An instance type or
// count known only at run time is not a problem of the definition: the
// scenario must give it ([Step.Lacks]).
//
// The JSON is parsed by a small parser of its own that keeps each value's
// byte offset, so that every problem is reported at file:line:col of the
// offending value (lines and columns as package internal/jsonpos counts
// them: a character is one column), or, for a definition written inline in
// a scenario, at the scenario value with the line and column inside the
// JSON in the message (the data's Datum.Inline and Unmapped.Inline carry
// that line and column for the simulator's messages). Problems come back as *model.PosError values,
// each an error or a warning by its Severity, never as a panic.
//
// The package also holds what SageMaker allows of steps, shared with the
// scenario format: [StepTypes], [InstanceStepTypes], [ExceptionTypes],
// [ValidName], [ValidInstanceType] and the retry defaults.
package pipelinedef
