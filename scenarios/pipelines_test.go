package scenarios

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios/pipelinedef"
	"github.com/pipeshare/pipeshare/sim"
)

// pl is hdr and a pipeline whose keys start at line 8, column 5; st opens its
// steps, so a case's first step is on line 9 (a flow mapping at column 9).
const (
	pl = hdr + "pipelines:\n  - name: p\n    account: \"111111111111\"\n"
	st = pl + "    steps:\n"
)

// knownTypes is the list the unknown step type warning prints.
const knownTypes = "Processing, Training, Tuning, Transform, CreateModel, Model, RegisterModel, Condition, Fail, " +
	"Callback, Lambda, ClarifyCheck, QualityCheck, EMR, EMRServerless, AutoML"

const exceptionList = "Step.SERVICE_FAULT, Step.THROTTLING, SageMaker.JOB_INTERNAL_ERROR, SageMaker.CAPACITY_ERROR or SageMaker.RESOURCE_LIMIT"

// pipelineInputs are scenarios with pipelines, steps and pricing, with every
// diagnostic Parse reports (errors and warnings).
var pipelineInputs = []struct {
	name string
	in   string
	want []string
}{
	// Steps: names and types.
	{"bad step names", st + "      - {name: \"a b\", type: Lambda, duration: 1m}\n" +
		"      - {name: " + strings.Repeat("x", 65) + ", type: Lambda, duration: 1m}\n" +
		"      - {name: " + strings.Repeat("y", 64) + ", type: Lambda, duration: 1m}\n" +
		"      - {name: 5, type: Lambda, duration: 1m}\n", []string{
		`t.yaml:9:16: step name "a b" must be 1 to 64 letters, digits, '-' or '_'`,
		`t.yaml:10:16: step name "` + strings.Repeat("x", 65) + `" must be 1 to 64 letters, digits, '-' or '_'`,
		`t.yaml:12:16: step name must be a string, not a number (quote it: "5")`,
	}},
	{"duplicate step", st + "      - {name: A, type: Lambda, duration: 1m}\n      - {name: B, type: Lambda, duration: 1m}\n" +
		"      - {name: A, type: Fail, duration: 1m}\n", []string{
		`t.yaml:11:16: duplicate step name "A" in pipeline p (first at t.yaml:9:16)`,
	}},
	{"same step name in two pipelines", st + "      - {name: A, type: Lambda, duration: 1m}\n" +
		"  - {name: q, account: \"111111111111\", steps: [{name: A, type: Lambda, duration: 1m}]}\n", nil},
	{"missing name and type", st + "      - {duration: 1m}\n", []string{
		`t.yaml:9:9: missing required key "name" in step`,
		`t.yaml:9:9: missing required key "type" in step`,
	}},
	{"unknown step type", st + "      - {name: A, type: Notebook, duration: 1m}\n" +
		"      - {name: B, type: Notebook, instance_type: ml.m5.large, duration: 1m}\n" +
		"      - {name: C, type: processing, duration: 1m}\n", []string{
		`t.yaml:9:25: warning: unknown step type "Notebook": it runs without instances (known types: ` + knownTypes + `)`,
		`t.yaml:10:25: warning: unknown step type "Notebook": it runs on its instance_type (known types: ` + knownTypes + `)`,
		`t.yaml:11:25: warning: unknown step type "processing": it runs without instances (known types: ` + knownTypes + `)`,
	}},
	{"unknown step key", st + "      - {name: A, type: Lambda, duration: 1m, retries: 3}\n", []string{
		`t.yaml:9:47: unknown key "retries" in step (allowed: name, type, depends_on, instance_type, instance_count, duration, failure_rate, failure_exception, retry, if_probability, role, inputs, outputs, kms_key)`,
	}},
	{"depends_on must be a list", st + "      - {name: A, type: Lambda, duration: 1m, depends_on: B}\n", []string{
		"t.yaml:9:59: depends_on must be a list, not a string (write [B])",
	}},

	// Instances.
	{"missing instance_type", st + "      - {name: T, type: Training, duration: 1m}\n" +
		"      - name: P\n        type: Processing\n        duration: 1m\n" +
		"      - {name: U, type: Tuning, duration: 1m}\n      - {name: X, type: Transform, duration: 1m}\n", []string{
		"t.yaml:9:9: step T of type Training needs instance_type",
		"t.yaml:10:9: step P of type Processing needs instance_type",
		"t.yaml:13:9: step U of type Tuning needs instance_type",
		"t.yaml:14:9: step X of type Transform needs instance_type",
	}},
	{"bad instance type shape", st + "      - {name: A, type: Training, duration: 1m, instance_type: m5.large}\n" +
		"      - {name: B, type: Training, duration: 1m, instance_type: ml.M5.large}\n" +
		"      - {name: C, type: Training, duration: 1m, instance_type: ml.m5}\n" +
		"      - {name: D, type: Training, duration: 1m, instance_type: [ml.m5.large]}\n", []string{
		`t.yaml:9:64: instance type "m5.large" must look like ml.m5.xlarge`,
		`t.yaml:10:64: instance type "ml.M5.large" must look like ml.m5.xlarge`,
		`t.yaml:11:64: instance type "ml.m5" must look like ml.m5.xlarge`,
		"t.yaml:12:64: instance_type must be a string, not a list",
	}},
	{"instance_count", st + "      - {name: A, type: Training, duration: 1m, instance_type: ml.m5.large, instance_count: 0}\n" +
		"      - {name: B, type: Training, duration: 1m, instance_type: ml.m5.large, instance_count: 1.5}\n" +
		"      - {name: C, type: Lambda, duration: 1m, instance_count: 2}\n", []string{
		"t.yaml:9:93: instance_count 0 is out of range (1 to 2147483647)",
		"t.yaml:10:93: instance_count must be an integer, not a number",
		"t.yaml:11:47: step C of type Lambda has instance_count but no instance_type",
	}},

	// Parameters and Get.
	{"unknown parameter in Get", pl + "    parameters: {Type: ml.m5.large}\n    steps:\n" +
		"      - {name: A, type: Training, duration: 1m, instance_type: {Get: Parameters.Typ}}\n" +
		"  - name: q\n    account: \"111111111111\"\n    steps:\n" +
		"      - {name: A, type: Training, duration: 1m, instance_type: {Get: Parameters.Type}}\n", []string{
		`t.yaml:10:70: unknown parameter "Typ" (pipeline p has Type)`,
		`t.yaml:14:70: unknown parameter "Type" (pipeline q has no parameters)`,
	}},
	{"Get shapes", pl + "    parameters: {Type: ml.m5.large, Count: \"two\", Big: 3000000000, Bad: 5, \"a b\": x, L: [1], N: ~}\n    steps:\n" +
		"      - {name: A, type: Training, duration: 1m, instance_type: {Get: Steps.X.Properties}}\n" +
		"      - {name: B, type: Training, duration: 1m, instance_type: {Get: Parameters.Type, Std:Join: x}}\n" +
		"      - {name: C, type: Training, duration: 1m, instance_type: {get: Parameters.Type}}\n" +
		"      - {name: D, type: Training, duration: 1m, instance_type: {Get: Parameters.Bad}}\n" +
		"      - {name: E, type: Training, duration: 1m, instance_type: {Get: Parameters.Type}, instance_count: {Get: Parameters.Count}}\n" +
		"      - {name: F, type: Training, duration: 1m, instance_type: {Get: Parameters.Type}, instance_count: {Get: Parameters.Big}}\n" +
		"      - {name: G, type: Training, duration: 1m, instance_type: {Get: Parameters.N}}\n" +
		"      - {name: H, type: Training, duration: 1m, instance_type: {Get: Parameters.Type}, instance_count: {Get: Parameters.N}}\n", []string{
		`t.yaml:8:76: parameter name "a b" must be 1 to 64 letters, digits, '-' or '_'`,
		"t.yaml:8:89: parameter L must be a string, number or boolean (or null: no default), not a list",
		`t.yaml:10:70: instance_type: Get must name a pipeline parameter (Parameters.X), not "Steps.X.Properties"`,
		`t.yaml:11:87: unknown key "Std:Join" in instance_type (allowed: Get)`,
		`t.yaml:12:64: missing required key "Get" in instance_type`,
		`t.yaml:12:65: unknown key "get" in instance_type, did you mean "Get"? (allowed: Get)`,
		`t.yaml:13:70: instance type "5" (from Parameters.Bad) must look like ml.m5.xlarge`,
		`t.yaml:14:110: instance_count from Parameters.Count is "two", not an integer from 1 to 2147483647`,
		`t.yaml:15:110: instance_count from Parameters.Big is "3000000000", not an integer from 1 to 2147483647`,
		"t.yaml:16:70: instance_type is parameter N, which has no default: known only at run time, when a Start passes it; give instance_type a value, or N a default under the pipeline's parameters",
		"t.yaml:17:110: instance_count is parameter N, which has no default: known only at run time, when a Start passes it; give instance_count a value, or N a default under the pipeline's parameters",
	}},

	// Durations and distributions.
	{"missing duration gets the type's default", st + "      - {name: T, type: Training, instance_type: ml.m5.large}\n" +
		"      - {name: C, type: Condition}\n      - {name: L, type: Lambda}\n      - {name: N, type: Notebook}\n", []string{
		"t.yaml:9:9: warning: step T of type Training has no duration; using the default 30m",
		"t.yaml:10:9: warning: step C of type Condition has no duration; using the default 1s",
		"t.yaml:11:9: warning: step L of type Lambda has no duration; using the default 1m",
		"t.yaml:12:9: warning: step N of type Notebook has no duration; using the default 1s",
		`t.yaml:12:25: warning: unknown step type "Notebook": it runs without instances (known types: ` + knownTypes + `)`,
	}},
	{"fixed durations", st + "      - {name: A, type: Lambda, duration: 0s}\n      - {name: B, type: Lambda, duration: 5}\n" +
		"      - {name: C, type: Lambda, duration: -1m}\n      - {name: D, type: Lambda, duration: [1m]}\n", []string{
		"t.yaml:9:43: duration must be positive",
		`t.yaml:10:43: duration: duration "5" needs a unit (ns, us, ms, s, m, h or d)`,
		`t.yaml:11:43: duration: duration "-1m" is negative`,
		"t.yaml:12:43: duration must be a duration, not a list",
	}},
	{"distribution kind", st + "      - {name: A, type: Lambda, duration: {dist: weibull, k: 1}}\n" +
		"      - {name: B, type: Lambda, duration: {mean: 1m}}\n" +
		"      - {name: C, type: Lambda, duration: {dist: [exponential], mean: 1m}}\n", []string{
		`t.yaml:9:50: dist must be exponential, lognormal, normal, uniform or gamma, not "weibull"`,
		`t.yaml:10:43: missing required key "dist" in duration`,
		"t.yaml:11:50: dist must be a string, not a list",
	}},
	{"distribution parameters", st +
		"      - {name: A, type: Lambda, duration: {dist: exponential, mean: 0s}}\n" +
		"      - {name: B, type: Lambda, duration: {dist: exponential, mean: -5m}}\n" +
		"      - {name: C, type: Lambda, duration: {dist: exponential, mean: .nan}}\n" +
		"      - {name: D, type: Lambda, duration: {dist: lognormal, median: 12m, sigma: .nan}}\n" +
		"      - {name: E, type: Lambda, duration: {dist: lognormal, median: 12m, sigma: -0.4}}\n" +
		"      - {name: F, type: Lambda, duration: {dist: lognormal, median: 12m, sigma: .inf}}\n" +
		"      - {name: G, type: Lambda, duration: {dist: lognormal, median: 12m, sigma: 0}}\n" +
		"      - {name: H, type: Lambda, duration: {dist: lognormal, median: 12m}}\n" +
		"      - {name: I, type: Lambda, duration: {dist: lognormal, median: 12m, sigma: 0.4, mean: 5m}}\n" +
		"      - {name: J, type: Lambda, duration: {dist: normal, mean: 10m, stdev: 1m}}\n" +
		"      - {name: K, type: Lambda, duration: {dist: normal, mean: 10m, stddev: 0s}}\n" +
		"      - {name: L, type: Lambda, duration: {dist: uniform, min: 10m, max: 5m}}\n" +
		"      - {name: M, type: Lambda, duration: {dist: uniform, min: 5m, max: 5m}}\n" +
		"      - {name: N, type: Lambda, duration: {dist: uniform, min: 0s, max: 5m}}\n" +
		"      - {name: O, type: Lambda, duration: {dist: gamma, shape: x, scale: 5}}\n" +
		"      - {name: P, type: Lambda, duration: {dist: gamma, shape: -2, scale: 5m}}\n" +
		"      - {name: Q, type: Lambda, duration: {dist: gamma}}\n", []string{
		"t.yaml:9:69: mean must be positive, not 0s",
		`t.yaml:10:69: mean: duration "-5m" is negative`,
		`t.yaml:11:69: mean: invalid duration ".nan"`,
		"t.yaml:12:81: sigma must be a finite number, not .nan",
		"t.yaml:13:81: sigma must be positive, not -0.4",
		"t.yaml:14:81: sigma must be a finite number, not .inf",
		"t.yaml:15:81: sigma must be positive, not 0",
		`t.yaml:16:43: missing required key "sigma" in lognormal duration`,
		`t.yaml:17:86: unknown key "mean" in lognormal duration, did you mean "median"? (allowed: dist, median, sigma)`,
		`t.yaml:18:43: missing required key "stddev" in normal duration`,
		`t.yaml:18:69: unknown key "stdev" in normal duration, did you mean "stddev"? (allowed: dist, mean, stddev)`,
		"t.yaml:19:77: stddev must be positive, not 0s",
		"t.yaml:20:74: uniform max (5m) must be greater than min (10m)",
		"t.yaml:21:73: uniform max (5m) must be greater than min (5m)",
		"t.yaml:22:64: min must be positive, not 0s",
		"t.yaml:23:64: shape must be a number, not a string",
		`t.yaml:23:74: scale: duration "5" needs a unit (ns, us, ms, s, m, h or d)`,
		"t.yaml:24:64: shape must be positive, not -2",
		`t.yaml:25:43: missing required key "shape" in gamma duration`,
		`t.yaml:25:43: missing required key "scale" in gamma duration`,
	}},

	// Failures and retries.
	{"failure_rate and failure_exception", st +
		"      - {name: A, type: Lambda, duration: 1m, failure_rate: 1.5}\n" +
		"      - {name: B, type: Lambda, duration: 1m, failure_rate: -0.1}\n" +
		"      - {name: C, type: Lambda, duration: 1m, failure_rate: 5%}\n" +
		"      - {name: D, type: Lambda, duration: 1m, failure_rate: 1, failure_exception: SageMaker.OOPS}\n", []string{
		"t.yaml:9:61: failure_rate must be between 0 and 1, not 1.5",
		"t.yaml:10:61: failure_rate must be between 0 and 1, not -0.1",
		"t.yaml:11:61: failure_rate must be a number, not a string",
		`t.yaml:12:83: failure_exception must be ` + exceptionList + `, not "SageMaker.OOPS"`,
	}},
	{"retry policies", st + "      - name: A\n        type: Lambda\n        duration: 1m\n        retry:\n" +
		"          - {interval: 1m}\n" +
		"          - {exceptions: []}\n" +
		"          - {exceptions: [SageMaker.OOPS, Step.THROTTLING]}\n" +
		"          - {exceptions: SageMaker.RESOURCE_LIMIT}\n" +
		"          - {exceptions: [Step.THROTTLING], interval: 0s, backoff: 0.5, max_attempts: 21}\n" +
		"          - {exceptions: [Step.THROTTLING], interval: 1, backoff: x, max_attempts: -1, expire_after_min: 5}\n" +
		"          - {exceptions: [Step.THROTTLING], backoff: .nan, max_attempts: 1.0}\n" +
		"          - x\n", []string{
		`t.yaml:13:13: missing required key "exceptions" in retry policy`,
		"t.yaml:14:26: exceptions must not be empty",
		`t.yaml:15:27: unknown exception "SageMaker.OOPS" (want ` + exceptionList + `)`,
		"t.yaml:16:26: exceptions must be a list, not a string (write [SageMaker.RESOURCE_LIMIT])",
		"t.yaml:17:55: interval must be positive",
		"t.yaml:17:68: backoff must be at least 1, not 0.5",
		"t.yaml:17:87: max_attempts 21 is out of range (0 to 20)",
		`t.yaml:18:55: interval: duration "1" needs a unit (ns, us, ms, s, m, h or d)`,
		"t.yaml:18:67: backoff must be a number, not a string",
		"t.yaml:18:84: max_attempts -1 is out of range (0 to 20)",
		`t.yaml:18:88: unknown key "expire_after_min" in retry policy (allowed: exceptions, interval, backoff, max_attempts)`,
		"t.yaml:19:54: backoff must be a finite number, not .nan",
		"t.yaml:19:74: max_attempts must be an integer, not a number",
		"t.yaml:20:13: retry policy must be a mapping, not a string",
	}},

	// Pipeline settings.
	{"pipeline settings", pl + "    max_parallel_steps: 0\n    stop_latency: -1s\n    execution_timeout: 0s\n" +
		"  - {name: q, account: \"111111111111\", execution_timeout: never, max_parallel_steps: many}\n" +
		"  - {name: r, account: \"111111111111\", steps: {A: 1}, parameters: [x]}\n", []string{
		"t.yaml:8:25: max_parallel_steps 0 is out of range (1 to 2147483647)",
		`t.yaml:9:19: stop_latency: duration "-1s" is negative`,
		"t.yaml:10:24: execution_timeout must be positive (or none)",
		`t.yaml:11:59: execution_timeout: invalid duration "never"`,
		"t.yaml:11:86: max_parallel_steps must be an integer, not a string",
		"t.yaml:12:47: steps must be a list, not a mapping",
		"t.yaml:12:67: parameters must be a mapping, not a list",
	}},

	{"too many steps", pl + "    steps: [" + strings.Repeat("{name: A, type: Fail, duration: 1s}, ", 10_000) + "{}]\n", []string{
		"t.yaml:8:12: pipeline p has 10001 steps (limit 10000)",
	}},

	// Pricing.
	{"pricing", hdr + "pricing: {ml.g5.xlarge: 0, m5.large: 1, ml.m5.large: -1, ml.c5.xlarge: cheap, ml.p3.2xlarge: .inf, ml.t3.medium: 0.05}\n", []string{
		"t.yaml:5:25: price of ml.g5.xlarge must be positive, not 0",
		`t.yaml:5:28: instance type "m5.large" must look like ml.m5.xlarge`,
		"t.yaml:5:54: price of ml.m5.large must be positive, not -1",
		"t.yaml:5:72: price of ml.c5.xlarge must be a number, not a string",
		"t.yaml:5:94: price of ml.p3.2xlarge must be a finite number, not .inf",
	}},
	{"pricing by component", hdr + "pricing: {ml.g5.xlarge: {training: 1.408, hosting: 2, transform: 0, trainin: 1}, ml.m5.large: {}, ml.c5.xlarge: [1], ml.p3.2xlarge: {processing: x}}\n", []string{
		`t.yaml:5:43: unknown key "hosting" in pricing of ml.g5.xlarge (allowed: training, processing, transform)`,
		"t.yaml:5:66: transform price of ml.g5.xlarge must be positive, not 0",
		`t.yaml:5:69: unknown key "trainin" in pricing of ml.g5.xlarge, did you mean "training"? (allowed: training, processing, transform)`,
		"t.yaml:5:95: pricing of ml.m5.large must give at least one of training, processing, transform",
		"t.yaml:5:113: price of ml.c5.xlarge must be a number or a mapping of training, processing, transform to numbers, not a list",
		"t.yaml:5:146: processing price of ml.p3.2xlarge must be a number, not a string",
	}},
	{"pricing of the wrong type", hdr + "pricing: [ml.g5.xlarge]\n", []string{
		"t.yaml:5:10: pricing must be a mapping, not a list",
	}},
	{"rules of the wrong type", hdr + "rules: [budget]\n", []string{
		"t.yaml:5:9: rule must be a mapping, not a string",
	}},
}

// fullPipelines decodes into the exact PipelineSpecs of TestParsePipelineSpec.
const fullPipelines = `version: 1
name: full
start: 2026-01-05T00:00:00Z
duration: 30d
pipelines:
  - name: churn
    account: "111111111111"
    parameters: {Type: ml.g5.xlarge, Count: "3", N: 2, Flag: true}
    max_parallel_steps: 2
    stop_latency: 30s
    execution_timeout: none
    steps:
      - name: Prep
        type: Processing
        instance_type: ml.m5.xlarge
        duration: {dist: lognormal, median: 12m, sigma: 0.4}
        failure_rate: 0.01
      - name: Train
        type: Training
        depends_on: [Prep]
        instance_type: {Get: Parameters.Type}
        instance_count: {Get: Parameters.Count}
        duration: 45m
        failure_exception: SageMaker.CAPACITY_ERROR
        retry:
          - {exceptions: [SageMaker.RESOURCE_LIMIT, SageMaker.CAPACITY_ERROR], interval: 1m, backoff: 1.5, max_attempts: 0}
          - {exceptions: [Step.SERVICE_FAULT]}
      - {name: Eval, type: Transform, depends_on: [Train, Prep], instance_type: ml.c5.xlarge, instance_count: {Get: Parameters.N}, duration: {dist: uniform, min: 1m, max: 90s}}
      - {name: Gate, type: Condition, depends_on: [Eval], duration: {dist: normal, mean: 2s, stddev: 500ms}, failure_rate: 1}
      - {name: Tune, type: Tuning, instance_type: ml.p3.2xlarge, instance_count: 2, duration: {dist: gamma, shape: 2.5, scale: 1h}}
      - {name: Notify, type: Lambda, duration: {dist: exponential, mean: 1d12h}, failure_rate: 0}
  - {name: plain, account: "111111111111"}
  - name: defaults
    account: "111111111111"
    steps: [{name: Only, type: Fail, duration: 1s}]
  - {name: empty, account: "111111111111", steps: []}
  - {name: timed, account: "111111111111", execution_timeout: 1d, steps: [{name: S, type: Callback, duration: 1h}]}
pricing: {ml.g5.xlarge: 1.408, ml.m5.xlarge: 1, ml.c5.xlarge: {transform: 0.2, training: 0.3}}
`

func TestParsePipelines(t *testing.T) {
	for _, tc := range pipelineInputs {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Parse("t.yaml", []byte(tc.in), LoadOptions{})
			var list ErrorList
			if err != nil {
				assert.Nil(t, sc)
				require.True(t, errors.As(err, &list), "error is %T", err)
			} else {
				list = sc.Warnings
			}
			want := ""
			if len(tc.want) > 0 {
				want = strings.Join(tc.want, "\n") + "\n"
			}
			assert.Equal(t, want, list.String())
		})
	}
}

func TestParsePipelineSpec(t *testing.T) {
	in := fullPipelines
	sc, err := Parse("full.yaml", []byte(in), LoadOptions{})
	require.NoError(t, err)
	assert.Empty(t, sc.Warnings)
	pos := func(line, col int) model.Pos { return model.Pos{File: "full.yaml", Line: line, Col: col} }
	ref := func(s string, line, col int) model.Ref { return model.Ref{S: s, Pos: pos(line, col)} }
	const jobError = "SageMaker.JOB_INTERNAL_ERROR"

	require.Len(t, sc.Model.Pipelines, 5)
	assert.Equal(t, model.PipelineConfig{Name: ref("churn", 6, 11), Account: ref("111111111111", 7, 14), Pos: pos(6, 5)},
		sc.Model.Pipelines[0])
	want := []sim.PipelineSpec{{
		Name: ref("churn", 6, 11), Account: ref("111111111111", 7, 14),
		MaxParallelSteps: 2, StopLatency: sim.Time(30 * time.Second), ExecutionTimeout: sim.Never, Pos: pos(6, 5),
		Parameters: []sim.Param{{Name: "Type", Value: "ml.g5.xlarge", Pos: pos(8, 24)}, {Name: "Count", Value: "3", Pos: pos(8, 45)},
			{Name: "N", Value: "2", Pos: pos(8, 53)}, {Name: "Flag", Value: "true", Pos: pos(8, 62)}},
		Steps: []sim.StepSpec{
			{Name: "Prep", Type: "Processing", InstanceType: "ml.m5.xlarge", InstanceCount: 1,
				Duration:    sim.Dist{Kind: sim.DistLogNormal, A: float64(12 * time.Minute), B: 0.4},
				FailureRate: 0.01, FailureException: jobError, Pos: pos(13, 9), InstanceTypePos: pos(15, 24)},
			{Name: "Train", Type: "Training", DependsOn: []model.Ref{ref("Prep", 20, 22)},
				InstanceType: "ml.g5.xlarge", InstanceCount: 3,
				Duration:         sim.Dist{Kind: sim.DistFixed, A: float64(45 * time.Minute)},
				FailureException: "SageMaker.CAPACITY_ERROR",
				Retry: []sim.RetryPolicy{
					{Exceptions: []string{"SageMaker.RESOURCE_LIMIT", "SageMaker.CAPACITY_ERROR"},
						Interval: sim.Time(time.Minute), Backoff: 1.5, MaxAttempts: 0, Pos: pos(26, 13)},
					{Exceptions: []string{"Step.SERVICE_FAULT"}, Interval: sim.Time(time.Second), Backoff: 2, MaxAttempts: 5,
						Pos: pos(27, 13)},
				},
				Pos: pos(18, 9), InstanceTypePos: pos(21, 24)},
			{Name: "Eval", Type: "Transform", DependsOn: []model.Ref{ref("Train", 28, 52), ref("Prep", 28, 59)},
				InstanceType: "ml.c5.xlarge", InstanceCount: 2,
				Duration:         sim.Dist{Kind: sim.DistUniform, A: float64(time.Minute), B: float64(90 * time.Second)},
				FailureException: jobError, Pos: pos(28, 9), InstanceTypePos: pos(28, 81)},
			{Name: "Gate", Type: "Condition", DependsOn: []model.Ref{ref("Eval", 29, 52)},
				Duration:    sim.Dist{Kind: sim.DistNormal, A: float64(2 * time.Second), B: float64(500 * time.Millisecond)},
				FailureRate: 1, FailureException: jobError, Pos: pos(29, 9)},
			{Name: "Tune", Type: "Tuning", InstanceType: "ml.p3.2xlarge", InstanceCount: 2,
				Duration:         sim.Dist{Kind: sim.DistGamma, A: 2.5, B: float64(time.Hour)},
				FailureException: jobError, Pos: pos(30, 9), InstanceTypePos: pos(30, 51)},
			{Name: "Notify", Type: "Lambda",
				Duration:         sim.Dist{Kind: sim.DistExponential, A: float64(36 * time.Hour)},
				FailureException: jobError, Pos: pos(31, 9)},
		},
	}, {
		Name: ref("defaults", 33, 11), Account: ref("111111111111", 34, 14),
		MaxParallelSteps: 50, ExecutionTimeout: sim.Time(672 * time.Hour), Pos: pos(33, 5),
		Steps: []sim.StepSpec{{Name: "Only", Type: "Fail", Duration: sim.Dist{Kind: sim.DistFixed, A: 1e9},
			FailureException: jobError, Pos: pos(35, 13)}},
	}, {
		Name: ref("timed", 37, 12), Account: ref("111111111111", 37, 28),
		MaxParallelSteps: 50, ExecutionTimeout: sim.Time(24 * time.Hour), Pos: pos(37, 5),
		Steps: []sim.StepSpec{{Name: "S", Type: "Callback", Duration: sim.Dist{Kind: sim.DistFixed, A: 3600e9},
			FailureException: jobError, Pos: pos(37, 75)}},
	}}
	assert.Equal(t, want, sc.Sim.Pipelines)
	assert.Equal(t, []sim.Price{
		{InstanceType: "ml.g5.xlarge", USDPerHour: 1.408, Pos: pos(38, 11)},
		{InstanceType: "ml.m5.xlarge", USDPerHour: 1, Pos: pos(38, 32)},
		{InstanceType: "ml.c5.xlarge", Component: sim.Transform, USDPerHour: 0.2, Pos: pos(38, 64)},
		{InstanceType: "ml.c5.xlarge", Component: sim.Training, USDPerHour: 0.3, Pos: pos(38, 80)},
	}, sc.Sim.Pricing)
}

// TestParseMissingDuration: a step without a duration gets its type's
// default as a fixed duration, with a warning.
func TestParseMissingDuration(t *testing.T) {
	sc, err := Parse("t.yaml", []byte(st+"      - {name: T, type: Tuning, instance_type: ml.m5.large}\n"), LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, "t.yaml:9:9: warning: step T of type Tuning has no duration; using the default 1h\n", sc.Warnings.String())
	require.Len(t, sc.Sim.Pipelines, 1)
	assert.Equal(t, sim.Dist{Kind: sim.DistFixed, A: float64(time.Hour)}, sc.Sim.Pipelines[0].Steps[0].Duration)
}

func TestDefaultStepDuration(t *testing.T) {
	for typ, want := range map[string]time.Duration{
		"Processing": 10 * time.Minute, "Training": 30 * time.Minute, "Tuning": time.Hour,
		"Transform": 15 * time.Minute, "AutoML": time.Hour, "EMR": 30 * time.Minute,
		"EMRServerless": 30 * time.Minute, "Lambda": time.Minute, "Callback": 10 * time.Minute,
		"ClarifyCheck": 10 * time.Minute, "QualityCheck": 10 * time.Minute,
		"Condition": time.Second, "Fail": time.Second, "RegisterModel": time.Second,
		"CreateModel": time.Second, "Model": time.Second, "Notebook": time.Second, "": time.Second,
	} {
		assert.Equal(t, want, DefaultStepDuration(typ), typ)
	}
	// Every known type has an entry in the table above.
	for _, typ := range pipelinedef.StepTypes {
		assert.Positive(t, DefaultStepDuration(typ), typ)
	}
}

// TestW1Scenarios checks the embedded W1 scenarios against bench/README.md
// ("W1 in pipeshare").
func TestW1Scenarios(t *testing.T) {
	for name, consumers := range map[string]int{"w1": 50, "w1-500": 500, "w1-steady": 5} {
		t.Run(name, func(t *testing.T) {
			data, _ := Builtin(name)
			sc, err := Parse(name+".yaml", data, LoadOptions{})
			require.NoError(t, err)
			m, s := sc.Model, sc.Sim
			assert.Equal(t, uint64(1), s.Seed)
			assert.Equal(t, sim.Time(30*24*time.Hour), s.Duration)
			require.NotNil(t, m.Org)
			assert.True(t, m.Org.RAMSharing)

			// One owner, A consumers in the organization, in one group.
			require.Len(t, m.Accounts, 1+consumers)
			owner := m.Accounts[0].ID.S
			for _, a := range m.Accounts[1:] {
				assert.Equal(t, []string{"consumers"}, a.Groups)
				assert.NotEmpty(t, a.OU.S, "inside the organization")
				assert.Empty(t, a.Principals, "callers are the roots")
			}
			require.Len(t, s.Quotas, 1)
			q := s.Quotas[0]
			assert.Equal(t, owner, q.Account.S)
			assert.Equal(t, sim.Unlimited, q.ConcurrentExecutions)
			assert.True(t, q.OnCapacityQueue)
			assert.False(t, q.HasAPIRate)
			require.Len(t, q.Instances, 1)
			var itype string
			for it, c := range q.Instances {
				itype = it
				assert.Equal(t, 100, c)
			}
			require.Len(t, s.Pricing, 1)
			assert.Equal(t, itype, s.Pricing[0].InstanceType)
			assert.InDelta(t, 0.01, s.Pricing[0].USDPerHour/60, 1e-12, "$0.01 per instance-minute")

			// P = 20 pipelines of S = 4 sequential steps.
			require.Len(t, m.Pipelines, 20)
			require.Len(t, s.Pipelines, 20)
			for i, p := range s.Pipelines {
				assert.Equal(t, m.Pipelines[i].Name, p.Name)
				assert.Equal(t, owner, p.Account.S)
				assert.Equal(t, sim.Never, p.ExecutionTimeout)
				assert.Equal(t, sim.Time(0), p.StopLatency)
				require.Len(t, p.Steps, 4)
				for j, step := range p.Steps {
					assert.Contains(t, []string{"Processing", "Training"}, step.Type)
					assert.Equal(t, itype, step.InstanceType)
					assert.Equal(t, 1, step.InstanceCount)
					assert.Equal(t, sim.Dist{Kind: sim.DistExponential, A: float64(10 * time.Minute)}, step.Duration)
					assert.Equal(t, 0.02, step.FailureRate)
					assert.Empty(t, step.Retry)
					if j == 0 {
						assert.Empty(t, step.DependsOn)
					} else {
						require.Len(t, step.DependsOn, 1)
						assert.Equal(t, p.Steps[j-1].Name, step.DependsOn[0].S)
					}
				}
			}

			// One extended share of every pipeline to the group, no delay.
			require.Len(t, m.Shares, 1)
			sh := m.Shares[0]
			assert.Equal(t, model.PermissionExtended, sh.Permission)
			assert.Equal(t, model.Time(0), sh.AssociationDelay)
			assert.Equal(t, model.Time(0), sh.At)
			assert.Len(t, sh.Pipelines, 20)
			assert.Equal(t, []string{"group:consumers"}, []string{sh.Principals[0].S})
			assert.Len(t, sh.Principals, 1)

			// One workload entry.
			require.Len(t, s.Workload, 1)
			w := s.Workload[0]
			assert.Equal(t, "group:consumers", w.Callers[0].S)
			assert.Len(t, w.Callers, 1)
			assert.Equal(t, "all", w.Targets[0].S)
			assert.Equal(t, sim.ArrivalRate, w.Arrival.Kind)
			assert.InDelta(t, 1/60e9, w.Arrival.PerNs, 1e-24)
			assert.Equal(t, []sim.ActionWeight{{Action: model.DescribePipeline, Weight: 0.70},
				{Action: model.StartPipelineExecution, Weight: 0.20}, {Action: model.StopPipelineExecution, Weight: 0.05},
				{Action: model.RetryPipelineExecution, Weight: 0.05}}, w.Actions)
			assert.Equal(t, sim.Time(0), w.From)
			assert.Equal(t, s.Duration, w.To)
			assert.Empty(t, m.Events)
			assert.Empty(t, s.QuotaEvents)
			assert.False(t, math.IsNaN(w.Arrival.PerNs))
		})
	}
}

// TestParseQuotas: zero quotas are valid input; unlimited is sim.Unlimited.
func TestParseQuotas(t *testing.T) {
	in := hdr + "accounts:\n" +
		"  - {id: \"111111111111\", quotas: {concurrent_executions: 0, instances: {ml.g5.xlarge: 0, ml.m5.large: 3}}}\n" +
		"  - {id: \"222222222222\", quotas: {concurrent_executions: unlimited}, on_capacity: queue}\n"
	sc, err := Parse("t.yaml", []byte(in), LoadOptions{})
	require.NoError(t, err)
	require.Len(t, sc.Sim.Quotas, 2)
	q := sc.Sim.Quotas[0]
	assert.Equal(t, 0, q.ConcurrentExecutions)
	assert.True(t, q.HasConcurrent)
	assert.Equal(t, map[string]int{"ml.g5.xlarge": 0, "ml.m5.large": 3}, q.Instances)
	assert.False(t, q.HasOnCapacity)
	q = sc.Sim.Quotas[1]
	assert.Equal(t, sim.Unlimited, q.ConcurrentExecutions)
	assert.True(t, q.HasConcurrent)
	assert.True(t, q.OnCapacityQueue)
	assert.True(t, q.HasOnCapacity)
}

// TestExtendedVsReadOnly checks what the embedded scenario promises: the
// same workload for two groups, one extended and one read-only share, and
// a set_permission event midway.
func TestExtendedVsReadOnly(t *testing.T) {
	data, _ := Builtin("extended-vs-read-only")
	sc, err := Parse("extended-vs-read-only.yaml", data, LoadOptions{})
	require.NoError(t, err)
	m := sc.Model
	require.Len(t, m.Shares, 2)
	assert.Equal(t, []string{"group:team-a"}, []string{m.Shares[0].Principals[0].S})
	assert.Equal(t, model.PermissionExtended, m.Shares[0].Permission)
	assert.Equal(t, []string{"group:team-b"}, []string{m.Shares[1].Principals[0].S})
	assert.Equal(t, model.PermissionReadOnly, m.Shares[1].Permission)
	require.Len(t, m.Events, 1)
	assert.Equal(t, model.EventSetPermission, m.Events[0].Kind)
	assert.Equal(t, sc.Sim.Duration/2, sim.Time(m.Events[0].At))
	teams := sc.Sim.Workload[1]
	assert.Equal(t, []string{"group:team-a", "group:team-b"}, []string{teams.Callers[0].S, teams.Callers[1].S})

	require.Len(t, sc.Sim.Pipelines, 2)
	train := sc.Sim.Pipelines[0].Steps[1]
	assert.Equal(t, "ml.g5.xlarge", train.InstanceType) // from the parameter
	assert.Equal(t, 2, train.InstanceCount)
	assert.Equal(t, sim.DistLogNormal, train.Duration.Kind)
	assert.Equal(t, []string{"SageMaker.RESOURCE_LIMIT"}, train.Retry[0].Exceptions)
	q := sc.Sim.Quotas[0]
	assert.False(t, q.OnCapacityQueue)
	assert.Equal(t, []sim.Price{
		{InstanceType: "ml.m5.xlarge", USDPerHour: 0.23, Pos: sc.Sim.Pricing[0].Pos},
		{InstanceType: "ml.g5.xlarge", USDPerHour: 1.408, Pos: sc.Sim.Pricing[1].Pos},
	}, sc.Sim.Pricing)
}
