package scenarios

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// defScenario is a scenario whose pipeline p (account 111…) reads
// definition d.json; rest follows the definition key.
func defScenario(rest string) string {
	return hdr + "accounts: [{id: \"111111111111\"}]\npipelines:\n  - name: p\n    account: \"111111111111\"\n" +
		"    definition: d.json\n" + rest
}

// loadDef parses scenario in (as dir/t.yaml) with definition file
// dir/d.json; it returns the scenario (nil on error) and every diagnostic.
func loadDef(t *testing.T, in string, def []byte) (*Scenario, string) {
	t.Helper()
	fsys := fstest.MapFS{"dir/t.yaml": {Data: []byte(in)}, "dir/d.json": {Data: def}}
	sc, err := Load(fsys, "dir/t.yaml", LoadOptions{})
	if err != nil {
		var list ErrorList
		require.True(t, errors.As(err, &list), "%v", err)
		return nil, list.String()
	}
	return sc, sc.Warnings.String()
}

func realDefinition(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/real/definitions/" + name)
	require.NoError(t, err)
	return data
}

func stepByName(t *testing.T, steps []sim.StepSpec, name string) sim.StepSpec {
	t.Helper()
	for _, s := range steps {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no step %s", name)
	return sim.StepSpec{}
}

func refNames(refs []model.Ref) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.S)
	}
	return out
}

func TestDefinitionAbalone(t *testing.T) {
	in := defScenario("    parameters: {TrainingInstanceType: ml.m5.2xlarge}\n    steps:\n" +
		"      - {name: AbaloneProcess, duration: 12m}\n" +
		"      - {name: AbaloneTrain, duration: {dist: lognormal, median: 40m, sigma: 0.3}, failure_rate: 0.02}\n" +
		"      - {name: AbaloneEval, duration: 5m}\n" +
		"      - {name: AbaloneMSECond, if_probability: 0.8}\n" +
		"      - {name: AbaloneTransform, duration: 20m, instance_count: 3}\n")
	sc, diags := loadDef(t, in, realDefinition(t, "abalone.json"))
	require.NotNil(t, sc, diags)
	assert.Equal(t, "dir/d.json:137:11: warning: step AbaloneRegisterModel of type RegisterModel has no duration; using the default 1s\n"+
		"dir/d.json:157:11: warning: step AbaloneCreateModel of type Model has no duration; using the default 1s\n"+
		"dir/d.json:182:11: warning: step AbaloneMSEFail of type Fail has no duration; using the default 1s\n"+
		"dir/t.yaml:15:9: warning: step AbaloneMSECond of type Condition has no duration; using the default 1s\n", diags)
	require.Len(t, sc.Sim.Pipelines, 1)
	steps := sc.Sim.Pipelines[0].Steps
	var names []string
	for _, s := range steps {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"AbaloneProcess", "AbaloneTrain", "AbaloneEval", "AbaloneMSECond",
		"AbaloneRegisterModel", "AbaloneCreateModel", "AbaloneTransform", "AbaloneMSEFail"}, names)

	proc := stepByName(t, steps, "AbaloneProcess")
	assert.Equal(t, "ml.m5.xlarge", proc.InstanceType)
	assert.Equal(t, 1, proc.InstanceCount, "from the ProcessingInstanceCount default")
	assert.Equal(t, sim.Dist{Kind: sim.DistFixed, A: float64(12 * time.Minute)}, proc.Duration)
	assert.Equal(t, model.Pos{File: "dir/d.json", Line: 17, Col: 5}, proc.Pos)

	train := stepByName(t, steps, "AbaloneTrain")
	assert.Equal(t, "ml.m5.2xlarge", train.InstanceType, "the scenario's parameter overrides the default")
	assert.Equal(t, []string{"AbaloneProcess"}, refNames(train.DependsOn), "implicit, from Get Steps.AbaloneProcess…")
	assert.Equal(t, sim.DistLogNormal, train.Duration.Kind)
	assert.Equal(t, 0.02, train.FailureRate)
	require.Len(t, train.Retry, 1)
	assert.Equal(t, []string{"SageMaker.CAPACITY_ERROR", "SageMaker.RESOURCE_LIMIT"}, train.Retry[0].Exceptions)
	assert.Equal(t, sim.Time(time.Minute), train.Retry[0].Interval)
	assert.Equal(t, 5, train.Retry[0].MaxAttempts)

	assert.Equal(t, []string{"AbaloneTrain", "AbaloneProcess"}, refNames(stepByName(t, steps, "AbaloneEval").DependsOn))
	cond := stepByName(t, steps, "AbaloneMSECond")
	assert.Equal(t, []string{"AbaloneEval"}, refNames(cond.DependsOn), "from the PropertyFile Get")
	assert.Equal(t, int8(0), cond.Static, "Std:JsonGet is known only at run time")
	assert.Equal(t, 0.8, cond.IfProbability)
	assert.Equal(t, []string{"AbaloneRegisterModel", "AbaloneCreateModel", "AbaloneTransform"}, refNames(cond.IfSteps))
	assert.Equal(t, []string{"AbaloneMSEFail"}, refNames(cond.ElseSteps))
	tr := stepByName(t, steps, "AbaloneTransform")
	assert.Equal(t, []string{"AbaloneCreateModel"}, refNames(tr.DependsOn))
	assert.Equal(t, "ml.m5.xlarge", tr.InstanceType)
	assert.Equal(t, 3, tr.InstanceCount, "the scenario's instance_count")
	assert.Equal(t, "", stepByName(t, steps, "AbaloneRegisterModel").InstanceType)

	// It compiles and runs: every execution ends (succeeds on the if
	// branch, fails at the Fail step otherwise), about 80 % succeed.
	w, errs := model.NewWorld(&sc.Model)
	require.NotNil(t, w, "%v", errs)
	sc.Sim.Duration = sim.Time(30 * 24 * time.Hour)
	sc.Sim.Workload = []sim.Workload{{Name: "starts", Callers: []model.Ref{{S: "111111111111"}}, Targets: []model.Ref{{S: "p"}},
		Arrival: sim.Arrival{Kind: sim.ArrivalEvery, Every: sim.Time(2 * time.Hour)},
		Actions: []sim.ActionWeight{{Action: model.StartPipelineExecution, Weight: 1}}, To: sim.Time(29 * 24 * time.Hour)}}
	s, serrs := sim.New(w, &sc.Sim)
	require.NotNil(t, s, "%v", serrs)
	r := s.Run()
	e := r.Executions
	assert.Equal(t, e.Started, e.Succeeded+e.Failed)
	assert.InDelta(t, 0.8*0.98, float64(e.Succeeded)/float64(e.Started), 0.08)
}

func TestDefinitionTuningStaticCondition(t *testing.T) {
	for _, tc := range []struct {
		params string
		static int8
		count  int
	}{
		{"", -1, 4},                                        // Environment dev
		{"{Environment: prod}", 1, 4},                      // Equals
		{"{Environment: prod-eu}", 1, 4},                   // In
		{"{Environment: prod, MaxParallelJobs: 1}", -1, 1}, // Not LessThan 2 fails
		{"{MaxParallelJobs: \"6\"}", -1, 6},                // a string for an Integer parameter
	} {
		in := defScenario("")
		if tc.params != "" {
			in += "    parameters: " + tc.params + "\n"
		}
		sc, diags := loadDef(t, in, realDefinition(t, "tuning.json"))
		require.NotNil(t, sc, diags)
		steps := sc.Sim.Pipelines[0].Steps
		tune := stepByName(t, steps, "ChurnTuning")
		assert.Equal(t, "ml.c5.2xlarge", tune.InstanceType)
		assert.Equal(t, tc.count, tune.InstanceCount, tc.params)
		assert.Equal(t, time.Hour, time.Duration(tune.Duration.A), "the Tuning default")
		assert.Equal(t, tc.static, stepByName(t, steps, "IsProduction").Static, tc.params)
		assert.Equal(t, []string{"ChurnTuning"}, refNames(stepByName(t, steps, "ChurnRegister").DependsOn))
		pre := stepByName(t, steps, "ChurnPreprocess")
		assert.Equal(t, 2, pre.InstanceCount)
		require.Len(t, pre.Retry, 2)
		// ExpireAfterMin 10 with 30s × 1.5^k: retries at 30s, 75s, 142.5s,
		// 243.75s, 395.6s; the sixth would start at 623.4s > 600s.
		assert.Equal(t, 5, pre.Retry[1].MaxAttempts)
	}
}

func TestDefinitionMerge(t *testing.T) {
	def := []byte(`{"Version": "2020-12-01", "Steps": [
  {"Name": "A", "Type": "Processing", "Arguments": {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 2}}}},
  {"Name": "B", "Type": "Training", "DependsOn": ["A"], "Arguments": {"ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 1}},
   "RetryPolicies": [{"ExceptionType": ["SageMaker.RESOURCE_LIMIT"]}]},
  {"Name": "C", "Type": "Lambda"}]}`)
	in := defScenario("    steps:\n" +
		"      - {name: B, depends_on: [C], instance_type: ml.g5.2xlarge, duration: 1h, retry: []}\n" +
		"      - {name: A, duration: 2m, failure_rate: 0.5, failure_exception: SageMaker.CAPACITY_ERROR}\n" +
		"      - {name: C, duration: 3s}\n")
	sc, diags := loadDef(t, in, def)
	require.NotNil(t, sc, diags)
	assert.Empty(t, diags)
	steps := sc.Sim.Pipelines[0].Steps
	a, b := steps[0], steps[1]
	assert.Equal(t, "A", a.Name, "definition order")
	assert.Equal(t, 2, a.InstanceCount)
	assert.Equal(t, "SageMaker.CAPACITY_ERROR", a.FailureException)
	assert.Equal(t, []string{"C"}, refNames(b.DependsOn), "a given depends_on replaces the definition's")
	assert.Equal(t, "ml.g5.2xlarge", b.InstanceType)
	assert.Empty(t, b.Retry, "a given retry replaces the RetryPolicies")
	assert.Equal(t, float64(time.Hour), b.Duration.A)
}

func TestDefinitionInline(t *testing.T) {
	in := hdr + "pipelines:\n  - name: p\n    account: \"111111111111\"\n" +
		`    definition: '{"Version":"2020-12-01","Parameters":[{"Name":"N","Type":"Integer","DefaultValue":3}],` +
		`"Steps":[{"Name":"T","Type":"Training","Arguments":{"ResourceConfig":{"InstanceType":"ml.m5.xlarge","InstanceCount":{"Get":"Parameters.N"}}}}]}'` + "\n" +
		"    steps: [{name: T, duration: 1m}]\n"
	sc, err := Parse("t.yaml", []byte(in), LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, 3, sc.Sim.Pipelines[0].Steps[0].InstanceCount)

	_, err = Parse("t.yaml", []byte(strings.Replace(in, `"Parameters.N"`, `"Parameters.M"`, 1)), LoadOptions{})
	assert.EqualError(t, err, `t.yaml:8:17: definition: unknown parameter "M" (the definition declares N) (JSON line 1, column 210)`)
}

// definitionErrors are definitions (as d.json) with every diagnostic of
// the scenario that names them: the definition's own problems (package
// pipelinedef has the rest) and those of merging its steps.
var definitionErrors = []struct {
	name string
	def  string
	rest string // scenario text after the definition key
	want []string
}{
	{"malformed JSON", "{\"Version\": \"2020-12-01\",\n \"Steps\": [\n  {\"Name\": \"A\" \"Type\": \"Lambda\"}]}", "", []string{
		`dir/d.json:3:16: invalid JSON: unexpected '"', want ',' or '}'`}},
	{"unknown parameter and no default", "{\"Version\": \"2020-12-01\", \"Parameters\": [{\"Name\": \"T\"}],\n\"Steps\": [\n" +
		"  {\"Name\": \"A\", \"Type\": \"Transform\", \"Arguments\": {\"TransformResources\": {\"InstanceType\": {\"Get\": \"Parameters.T\"}, \"InstanceCount\": {\"Get\": \"Parameters.X\"}}}}]}",
		"", []string{
			`dir/d.json:3:3: warning: step A of type Transform has no duration; using the default 15m`,
			`dir/d.json:3:91: step A: the instance type is parameter T, which has no default: known only at run time, when a Start passes it; give instance_type under the pipeline's steps`,
			`dir/d.json:3:141: unknown parameter "X" (the definition declares T)`}},
	{"bad parameter value", "{\"Version\": \"2020-12-01\", \"Parameters\": [{\"Name\": \"N\", \"Type\": \"Integer\", \"DefaultValue\": \"x\"}], \"Steps\": []}",
		"    parameters: {N: abc, Z: 1}\n", []string{
			`dir/d.json:1:91: parameter N: DefaultValue "x" is not a Integer`,
			`dir/t.yaml:10:29: warning: parameter Z is not declared in the definition of pipeline p (it declares N)`}},
	{"duplicate and unknown scenario step", "{\"Version\": \"2020-12-01\", \"Steps\": [{\"Name\": \"A\", \"Type\": \"Condition\", \"Arguments\": {\"IfSteps\": [{\"Name\": \"A\", \"Type\": \"Fail\"}]}}]}",
		"    steps: [{name: Z, duration: 1s}, {name: A, type: Lambda, if_probability: 2}]\n", []string{
			`dir/d.json:1:107: duplicate step name "A" (first at line 1, column 37)`,
			`dir/t.yaml:10:20: step "Z" is not in the definition of pipeline p (its steps: A)`,
			`dir/t.yaml:10:38: warning: step A of type Condition has no duration; using the default 1s`,
			`dir/t.yaml:10:54: step A is a Condition step in the definition, not Lambda`,
			`dir/t.yaml:10:78: if_probability must be between 0 and 1, not 2`}},
	{"no instance type", "{\"Version\": \"2020-12-01\", \"Steps\": [\n {\"Name\": \"T\", \"Type\": \"Training\"},\n {\"Name\": \"P\", \"Type\": \"Processing\"}]}",
		"    steps: [{name: P, duration: 1m}]\n", []string{
			`dir/d.json:2:2: step T of type Training has no instance type in the definition; give instance_type under the pipeline's steps`,
			`dir/d.json:2:2: warning: step T of type Training has no duration; using the default 30m`,
			`dir/t.yaml:10:13: step P of type Processing has no instance type in the definition; give instance_type`}},
	{"missing file", "", "", nil},
}

func TestDefinitionErrors(t *testing.T) {
	for _, tc := range definitionErrors {
		t.Run(tc.name, func(t *testing.T) {
			in := defScenario(tc.rest)
			fsys := fstest.MapFS{"dir/t.yaml": {Data: []byte(in)}}
			if tc.def != "" {
				fsys["dir/d.json"] = &fstest.MapFile{Data: []byte(tc.def)}
			}
			_, err := Load(fsys, "dir/t.yaml", LoadOptions{})
			var list ErrorList
			require.True(t, errors.As(err, &list), "%v", err)
			want := strings.Join(tc.want, "\n") + "\n"
			if tc.def == "" {
				want = "dir/t.yaml:9:17: definition: dir/d.json: file does not exist\n"
			}
			assert.Equal(t, want, list.String())
		})
	}
}

// dataDefScenario declares the data cross-account-data.json names: its
// role in the owner account, the buckets and the keys, which turns the data
// plane on; pipeline p reads the definition, with the steps: rest.
const dataDefScenario = hdr + `accounts:
  - {id: "111111111111", principals: [{name: role/service-role/AmazonSageMaker-ExecutionRole, policies: [all]}]}
  - {id: "222222222222"}
policies:
  all: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
keys:
  - {id: 0a1b2c3d-1111-2222-3333-444455556666, account: "222222222222"}
  - {id: 9f8e7d6c-0000-0000-0000-000000000001, alias: alias/churn-models, account: "111111111111"}
buckets:
  - {name: research-data, account: "222222222222"}
  - {name: research-results, account: "222222222222"}
  - {name: sagemaker-us-east-1-111111111111, account: "111111111111"}
pipelines:
  - name: p
    account: "111111111111"
    definition: d.json
    steps:
      - {name: ChurnPreprocess, duration: 10m}
      - {name: ChurnTrain, duration: 20m}
      - {name: ChurnCreateModel, duration: 1m}
`

// TestDefinitionData shows a definition's step data reaching the steps
// when the scenario declares buckets or keys: the role, literal and
// parameter URIs, a Std:Join decided with the scenario's values, and a
// warning at the definition's line and column for each value known only
// at run time.
func TestDefinitionData(t *testing.T) {
	role := "arn:aws:iam::111111111111:role/service-role/AmazonSageMaker-ExecutionRole"
	sc, warnings := loadDef(t, dataDefScenario+"      - {name: ChurnScore, duration: 5m}\n", realDefinition(t, "cross-account-data.json"))
	require.NotNil(t, sc, warnings)
	steps := sc.Sim.Pipelines[0].Steps
	type ref struct{ Value, Param string }
	refs := func(rs ...sim.DataRef) []ref {
		var out []ref
		for _, r := range rs {
			out = append(out, ref{r.Value, r.Param})
		}
		return out
	}
	pre := stepByName(t, steps, "ChurnPreprocess")
	assert.Equal(t, role, pre.Role.S)
	assert.Equal(t, "dir/d.json:32:20", pre.Role.Pos.String())
	assert.Equal(t, []ref{{Param: "InputData"}, {Value: "s3://sagemaker-us-east-1-111111111111/ChurnPreprocess-7f3a/input/code/preprocess.py"}}, refs(pre.Inputs...))
	assert.Equal(t, []ref{{Value: "s3://research-results/churn/train"}, {Value: "s3://sagemaker-us-east-1-111111111111/churn/test"}}, refs(pre.Outputs...))
	assert.Equal(t, ref{Param: "OutputKmsKey"}, refs(pre.KMSKey)[0])
	train := stepByName(t, steps, "ChurnTrain")
	assert.Empty(t, train.Inputs, "a property of another step is known only at run time")
	assert.Equal(t, []ref{{Value: "s3://sagemaker-us-east-1-111111111111/ChurnTrain"}}, refs(train.Outputs...))
	assert.Equal(t, ref{Value: "alias/churn-models"}, refs(train.KMSKey)[0])
	score := stepByName(t, steps, "ChurnScore")
	assert.Equal(t, role, score.Role.S, "a Transform step runs as its model step's role")
	assert.Equal(t, []ref{{Param: "ScoringData"}}, refs(score.Inputs...), "a parameter without a default is each Start's")
	assert.Equal(t, []string{"InputData", "OutputKmsKey", "OutputPath", "ProcessingInstanceType", "ScoringData"},
		slices.Sorted(func(yield func(string) bool) {
			for _, p := range sc.Sim.Pipelines[0].Parameters {
				if !yield(p.Name) {
					return
				}
			}
		}), "the definition's parameters are the pipeline's")
	assert.True(t, slices.ContainsFunc(sc.Sim.Pipelines[0].Parameters, func(p sim.Param) bool {
		return p.Name == "ScoringData" && p.Required && p.Value == ""
	}), "ScoringData has no default: every Start passes it")
	for _, w := range []string{
		`dir/d.json:46:36: warning: step ChurnPreprocess: ProcessingOutputConfig.Outputs[0].S3Output.S3Uri is a Std:Join of parameters (OutputPath): decided as "s3://research-results/churn/train"`,
		"dir/d.json:78:23: warning: step ChurnTrain: InputDataConfig[0].DataSource.S3DataSource.S3Uri is a property of step ChurnPreprocess",
		"dir/d.json:25:31: warning: step ChurnPreprocess: ProcessingResources.ClusterConfig.VolumeKmsKeyId encrypts the instances' storage volumes: not an S3 request, not decided by the data plane\n",
	} {
		assert.Contains(t, warnings, w)
	}
	assert.NotContains(t, warnings, "ScoringData")
	_, err := Compile(sc)
	require.NoError(t, err, "the definition's data names declared buckets, keys and roles")

	// The pipeline's role replaces the definition's; the data is read.
	in := strings.Replace(dataDefScenario, "    definition: d.json\n", "    definition: d.json\n    role: role/service-role/AmazonSageMaker-ExecutionRole\n", 1)
	sc, warnings = loadDef(t, in+"      - {name: ChurnScore, duration: 5m}\n", realDefinition(t, "cross-account-data.json"))
	require.NotNil(t, sc, warnings)
	pre = stepByName(t, sc.Sim.Pipelines[0].Steps, "ChurnPreprocess")
	assert.Empty(t, pre.Role.S)
	assert.Len(t, pre.Inputs, 2)
	_, err = Compile(sc)
	require.NoError(t, err)

	// Steps: that give some data give all of it; the pipeline's role
	// replaces the definition's.
	in = strings.Replace(dataDefScenario, "    definition: d.json\n", "    definition: d.json\n    role: role/Other\n", 1)
	in = strings.Replace(in, "{name: ChurnTrain, duration: 20m}", "{name: ChurnTrain, duration: 20m, inputs: [s3://research-data/t/]}", 1)
	sc, warnings = loadDef(t, in, realDefinition(t, "cross-account-data.json"))
	require.NotNil(t, sc, warnings)
	for _, st := range sc.Sim.Pipelines[0].Steps {
		assert.Empty(t, st.Role.S, st.Name)
		assert.Empty(t, st.Outputs, st.Name)
	}
	assert.Equal(t, []ref{{Value: "s3://research-data/t/"}}, refs(stepByName(t, sc.Sim.Pipelines[0].Steps, "ChurnTrain").Inputs...))
	assert.Equal(t, "role/Other", sc.Sim.Pipelines[0].Role.S)
	assert.NotContains(t, warnings, "data plane")
	assert.Contains(t, warnings, "warning: pipeline p: its steps: give data, so its definition's is not read: the data of ChurnPreprocess, ChurnScore is not decided")

	// A step given data but no role runs as the definition's role.
	in = strings.Replace(dataDefScenario, "{name: ChurnTrain, duration: 20m}", "{name: ChurnTrain, duration: 20m, inputs: [s3://research-data/t/]}", 1)
	sc, warnings = loadDef(t, in, realDefinition(t, "cross-account-data.json"))
	require.NotNil(t, sc, warnings)
	assert.Equal(t, role, stepByName(t, sc.Sim.Pipelines[0].Steps, "ChurnTrain").Role.S)
	_, err = Compile(sc)
	require.NoError(t, err)

	// Without buckets or keys the data plane is off: the data is not read.
	sc, warnings = loadDef(t, defScenario("    parameters: {ScoringData: s3://x/y}\n"), realDefinition(t, "cross-account-data.json"))
	require.NotNil(t, sc, warnings)
	for _, st := range sc.Sim.Pipelines[0].Steps {
		assert.Empty(t, st.Inputs, st.Name)
		assert.Empty(t, st.Role.S, st.Name)
	}
	assert.NotContains(t, warnings, "data plane")
}

// requiredScenario runs pipeline p as role/Exec, with the data plane on
// (bucket data); its parameters, steps and the workload entry's
// parameters are the rest.
const requiredScenario = hdr + `accounts:
  - {id: "111111111111", principals: [{name: role/Exec}]}
  - {id: "222222222222"}
buckets: [{name: data, account: "111111111111"}]
pipelines:
  - name: p
    account: "111111111111"
    role: role/Exec
`

// TestRequiredParameters: a parameter without a default (null in the
// scenario, or no DefaultValue in the definition) is each Start's: the
// data that names it is decided with what a Start passes, and a workload
// entry whose Starts do not pass it is an error at the entry.
func TestRequiredParameters(t *testing.T) {
	const def = `{"Version": "2020-12-01", "Parameters": [{"Name": "In", "DefaultValue": "s3://data/in"}],
"Steps": [{"Name": "P", "Type": "Processing", "Arguments": {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large"}},
  "ProcessingInputs": [{"S3Input": {"S3Uri": {"Get": "Parameters.In"}}}]}}]}`
	const entry = "workload:\n  - {name: w, callers: [\"222222222222\"], targets: [p], every: 1h, actions: {StartPipelineExecution: 1}"
	const refused = `workload "w": its Starts of pipeline p by 222222222222 do not pass parameter In, which the pipeline declares without a default, so SageMaker rejects them (give the entry parameters: {In: VALUE})`
	for _, tc := range []struct {
		name, in string
		want     string // the Compile error, "" for none
	}{
		{"null in steps", requiredScenario + "    parameters: {In: null}\n    steps: [{name: P, type: Lambda, inputs: [{param: In}]}]\n" + entry + "}\n",
			"dir/t.yaml:16:5: " + refused},
		{"~ in steps, passed", requiredScenario + "    parameters: {In: ~}\n    steps: [{name: P, type: Lambda, inputs: [{param: In}]}]\n" + entry + ", parameters: {In: s3://data/x}}\n", ""},
		{"passed per caller", requiredScenario + "    parameters: {In: }\n    steps: [{name: P, type: Lambda, inputs: [{param: In}]}]\n" + entry + `, parameters: {"222222222222": {In: s3://data/x}}}` + "\n", ""},
		{"passed a bucket not declared", requiredScenario + "    parameters: {In: null}\n    steps: [{name: P, type: Lambda, inputs: [{param: In}]}]\n" + entry + ", parameters: {In: s3://nope/x}}\n",
			`dir/t.yaml:16:122: parameter In: unknown bucket "nope"`},
		{"null over a DefaultValue", requiredScenario + "    definition: d.json\n    parameters: {In: null}\n    steps: [{name: P, duration: 1m}]\n" + entry + "}\n",
			"dir/t.yaml:17:5: " + refused},
		{"the definition's default", requiredScenario + "    definition: d.json\n    steps: [{name: P, duration: 1m}]\n" + entry + "}\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, diags := loadDef(t, tc.in, []byte(def))
			require.NotNil(t, sc, diags)
			_, err := Compile(sc)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tc.want)
		})
	}

	// The definition's parameter without a DefaultValue is the pipeline's
	// required parameter, its data a {param: In} decided per Start.
	sc, diags := loadDef(t, requiredScenario+"    definition: d.json\n    steps: [{name: P, duration: 1m}]\n",
		[]byte(strings.Replace(def, `, "DefaultValue": "s3://data/in"`, "", 1)))
	require.NotNil(t, sc, diags)
	assert.NotContains(t, diags, "In")
	ps := sc.Sim.Pipelines[0]
	assert.Equal(t, []sim.Param{{Name: "In", Required: true, Pos: model.Pos{File: "dir/t.yaml", Line: 13, Col: 17}}}, ps.Parameters)
	assert.Equal(t, []sim.DataRef{{Param: "In", Pos: model.Pos{File: "dir/d.json", Line: 3, Col: 46}}}, ps.Steps[0].Inputs)
}

// TestDefinitionRunTimeInstances: an instance type or count the definition
// knows only at run time is one error, at the value, unless the scenario's
// steps: give it, as the error says.
func TestDefinitionRunTimeInstances(t *testing.T) {
	const def = `{"Version": "2020-12-01", "Parameters": [{"Name": "T"}, {"Name": "N", "Type": "Integer"}],
"Steps": [{"Name": "A", "Type": "Training", "Arguments": {"ResourceConfig": {"InstanceType": {"Get": "Parameters.T"}}}},
  {"Name": "B", "Type": "Training", "Arguments": {"ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": {"Get": "Parameters.N"}}}}]}`
	_, diags := loadDef(t, defScenario(""), []byte(def))
	assert.Equal(t, `dir/d.json:2:11: warning: step A of type Training has no duration; using the default 30m
dir/d.json:2:94: step A: the instance type is parameter T, which has no default: known only at run time, when a Start passes it; give instance_type under the pipeline's steps
dir/d.json:3:3: warning: step B of type Training has no duration; using the default 30m
dir/d.json:3:118: step B: InstanceCount is parameter N, which has no default: known only at run time, when a Start passes it; give instance_count under the pipeline's steps
`, diags)

	_, diags = loadDef(t, defScenario("    steps: [{name: A, duration: 1m}, {name: B, duration: 1m}]\n"), []byte(def))
	assert.Equal(t, `dir/t.yaml:10:13: step A: the instance type is parameter T, which has no default: known only at run time, when a Start passes it; give instance_type
dir/t.yaml:10:38: step B: InstanceCount is parameter N, which has no default: known only at run time, when a Start passes it; give instance_count
`, diags)

	sc, diags := loadDef(t, defScenario("    steps: [{name: A, duration: 1m, instance_type: ml.m5.xlarge}, {name: B, duration: 1m, instance_count: 3}]\n"), []byte(def))
	require.NotNil(t, sc, diags)
	assert.Equal(t, "ml.m5.xlarge", sc.Sim.Pipelines[0].Steps[0].InstanceType)
	assert.Equal(t, 3, sc.Sim.Pipelines[0].Steps[1].InstanceCount)
}

// TestDefinitionInlineData: the data of an inline definition is reported
// at the scenario value with its line and column inside the JSON, as its
// structural problems are.
func TestDefinitionInlineData(t *testing.T) {
	in := requiredScenario + `    definition: '{"Version": "2020-12-01", "Steps": [{"Name": "P", "Type": "Processing", "Arguments": {` +
		`"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "VolumeKmsKeyId": "k"}},` + "\n\n" +
		`      "ProcessingInputs": [{"S3Input": {"S3Uri": "s3://nope/in"}}], "ProcessingOutputConfig": {"KmsKeyId": "alias/missing"}}}]}'` + "\n" +
		"    steps: [{name: P, duration: 1m}]\n"
	sc, diags := loadDef(t, in, nil)
	require.NotNil(t, sc, diags)
	assert.Equal(t, "dir/t.yaml:13:17: warning: definition: step P: ProcessingResources.ClusterConfig.VolumeKmsKeyId encrypts the instances' storage volumes: not an S3 request, not decided by the data plane (JSON line 1, column 178)\n", diags)
	_, err := Compile(sc)
	assert.EqualError(t, err, `dir/t.yaml:13:17: definition: unknown bucket "nope" (JSON line 2, column 44) (and 1 more error)`)
	sc, diags = loadDef(t, strings.Replace(in, "s3://nope/in", "s3://data/in", 1), nil)
	require.NotNil(t, sc, diags)
	_, err = Compile(sc)
	assert.EqualError(t, err, `dir/t.yaml:13:17: definition: unknown key "alias/missing" (JSON line 2, column 102)`)
}
