package pipelinedef

import (
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// The real definitions are shared with the scenario and import tests.
const realDir = "../testdata/real/definitions/"

func realDefinition(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(realDir + name)
	require.NoError(t, err)
	return data
}

// decode decodes data as d.json and returns the definition and every
// problem, sorted by position, one "file:line:col: message" line each.
func decode(data string, values map[string]Value) (*Definition, string) {
	def, problems := Decode(FileSource("d.json", []byte(data)), values, "p")
	return def, problemLines(problems)
}

func problemLines(problems []*model.PosError) string {
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Pos.Before(problems[j].Pos) })
	var b strings.Builder
	for _, p := range problems {
		b.WriteString(p.Error() + "\n")
	}
	return b.String()
}

func stepByName(t *testing.T, def *Definition, name string) sim.StepSpec {
	t.Helper()
	st := def.Step(name)
	require.NotNil(t, st, "no step %s (steps: %s)", name, def.StepNames())
	return st.Spec
}

func refNames(refs []model.Ref) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.S)
	}
	return out
}

func TestDecodeAbalone(t *testing.T) {
	def, problems := decode(string(realDefinition(t, "abalone.json")), map[string]Value{"TrainingInstanceType": {Text: "ml.m5.2xlarge"}})
	require.NotNil(t, def)
	assert.Empty(t, problems)
	assert.Equal(t, "AbaloneProcess, AbaloneTrain, AbaloneEval, AbaloneMSECond, "+
		"AbaloneRegisterModel, AbaloneCreateModel, AbaloneTransform, AbaloneMSEFail", def.StepNames())
	assert.Equal(t, "ProcessingInstanceCount, TrainingInstanceType, ModelApprovalStatus, InputData, BatchData, MseThreshold", def.ParamNames())

	proc := stepByName(t, def, "AbaloneProcess")
	assert.Equal(t, "ml.m5.xlarge", proc.InstanceType)
	assert.Equal(t, 1, proc.InstanceCount, "from the ProcessingInstanceCount default")
	assert.Equal(t, model.Pos{File: "d.json", Line: 17, Col: 5}, proc.Pos)
	assert.Equal(t, sim.Dist{}, proc.Duration, "definitions carry no durations")

	train := stepByName(t, def, "AbaloneTrain")
	assert.Equal(t, "ml.m5.2xlarge", train.InstanceType, "the scenario's value overrides the default")
	assert.Equal(t, []string{"AbaloneProcess"}, refNames(train.DependsOn), "implicit, from Get Steps.AbaloneProcess…")
	require.Len(t, train.Retry, 1)
	assert.Equal(t, []string{"SageMaker.CAPACITY_ERROR", "SageMaker.RESOURCE_LIMIT"}, train.Retry[0].Exceptions)
	assert.Equal(t, sim.Time(time.Minute), train.Retry[0].Interval)
	assert.Equal(t, 5, train.Retry[0].MaxAttempts)

	assert.Equal(t, []string{"AbaloneTrain", "AbaloneProcess"}, refNames(stepByName(t, def, "AbaloneEval").DependsOn))
	cond := stepByName(t, def, "AbaloneMSECond")
	assert.Equal(t, []string{"AbaloneEval"}, refNames(cond.DependsOn), "from the PropertyFile Get")
	assert.Equal(t, int8(0), cond.Static, "Std:JsonGet is known only at run time")
	assert.Equal(t, 0.5, cond.IfProbability)
	assert.Equal(t, []string{"AbaloneRegisterModel", "AbaloneCreateModel", "AbaloneTransform"}, refNames(cond.IfSteps))
	assert.Equal(t, []string{"AbaloneMSEFail"}, refNames(cond.ElseSteps))
	assert.Equal(t, []string{"AbaloneCreateModel"}, refNames(stepByName(t, def, "AbaloneTransform").DependsOn))
	assert.Equal(t, "", stepByName(t, def, "AbaloneRegisterModel").InstanceType)

	// Without the scenario's value, the parameter's default.
	def, problems = decode(string(realDefinition(t, "abalone.json")), nil)
	assert.Empty(t, problems)
	assert.Equal(t, "ml.m5.xlarge", stepByName(t, def, "AbaloneTrain").InstanceType)
	p := def.Params[slicesIndex(def.Params, "ProcessingInstanceCount")]
	v, ok := p.Default()
	assert.True(t, ok)
	assert.Equal(t, Value{Text: "1", Number: true}, v)
	assert.Equal(t, "Integer", p.Type)
}

func slicesIndex(params []Param, name string) int {
	for i, p := range params {
		if p.Name == name {
			return i
		}
	}
	return -1
}

func TestDecodeTuningStaticCondition(t *testing.T) {
	for _, tc := range []struct {
		values map[string]Value
		static int8
		count  int
	}{
		{nil, -1, 4}, // Environment dev
		{map[string]Value{"Environment": {Text: "prod"}}, 1, 4},                                                // Equals
		{map[string]Value{"Environment": {Text: "prod-eu"}}, 1, 4},                                             // In
		{map[string]Value{"Environment": {Text: "prod"}, "MaxParallelJobs": {Text: "1", Number: true}}, -1, 1}, // Not LessThan 2 fails
		{map[string]Value{"MaxParallelJobs": {Text: "6"}}, -1, 6},                                              // a string for an Integer parameter
	} {
		def, problems := decode(string(realDefinition(t, "tuning.json")), tc.values)
		require.NotNil(t, def)
		assert.Empty(t, problems)
		tune := stepByName(t, def, "ChurnTuning")
		assert.Equal(t, "ml.c5.2xlarge", tune.InstanceType)
		assert.Equal(t, tc.count, tune.InstanceCount, "%v", tc.values)
		assert.Equal(t, tc.static, stepByName(t, def, "IsProduction").Static, "%v", tc.values)
		assert.Equal(t, []string{"ChurnTuning"}, refNames(stepByName(t, def, "ChurnRegister").DependsOn))
		pre := stepByName(t, def, "ChurnPreprocess")
		assert.Equal(t, 2, pre.InstanceCount)
		require.Len(t, pre.Retry, 2)
		// ExpireAfterMin 10 with 30s × 1.5^k: retries at 30s, 75s, 142.5s,
		// 243.75s, 395.6s; the sixth would start at 623.4s > 600s.
		assert.Equal(t, 5, pre.Retry[1].MaxAttempts)
	}
	_, problems := decode(string(realDefinition(t, "tuning.json")), map[string]Value{"MaxParallelJobs": {Text: "many"}})
	assert.Contains(t, problems, `parameter MaxParallelJobs is a Integer but the scenario's parameters give "many"`)
}

func TestDecodeTransformJoinAndUnknownType(t *testing.T) {
	def, problems := decode(string(realDefinition(t, "batch-transform.json")), map[string]Value{"TransformInstanceFamily": {Text: "m5"}})
	require.NotNil(t, def)
	assert.Equal(t, `d.json:38:15: warning: unknown step type "NotebookJob": step PublishReport runs without instances`+
		` (known types: `+strings.Join(StepTypes, ", ")+")\n", problems)
	bs := stepByName(t, def, "BatchScore")
	assert.Equal(t, "ml.m5.xlarge", bs.InstanceType, "Std:Join of literals and a parameter")
	assert.Equal(t, 2, bs.InstanceCount)
	assert.Equal(t, []string{"CreateScoringModel"}, refNames(bs.DependsOn))
	assert.Equal(t, []string{"SageMaker.CAPACITY_ERROR"}, bs.Retry[0].Exceptions, "the older name maps to the current one")
	pr := stepByName(t, def, "PublishReport")
	assert.Equal(t, "", pr.InstanceType)
	assert.Equal(t, []string{"BatchScore"}, refNames(pr.DependsOn))
}

func TestDecodeNeedsInstanceType(t *testing.T) {
	def, problems := decode(`{"Version": "2020-12-01", "Steps": [
  {"Name": "T", "Type": "Training", "Arguments": {"ResourceConfig": {"InstanceCount": 1}}},
  {"Name": "P", "Type": "Processing"},
  {"Name": "L", "Type": "Lambda"}]}`, nil)
	assert.Empty(t, problems)
	assert.True(t, def.Step("T").NeedsInstanceType)
	assert.True(t, def.Step("P").NeedsInstanceType)
	assert.False(t, def.Step("L").NeedsInstanceType)
	assert.Equal(t, "d.json:3:3: warning: step P: no instance type", def.Problem(def.Step("P"), true, "step P: no instance type").Error())
	assert.Nil(t, def.Step("Z"))
}

// TestDecodeColumnsCountCharacters: positions follow jsonpos's one
// convention, a character is one column (the bytes would give columns 76
// and 67).
func TestDecodeColumnsCountCharacters(t *testing.T) {
	_, problems := decode("{\"Description\": \"Zürich ✓\", \"Version\": \"2020-12-01\", \"Steps\": [{\"Name\": \"a b\", \"Type\": \"Lambda\"}]}", nil)
	assert.Equal(t, "d.json:1:73: a step needs a Name of 1 to 64 letters, digits, '-' or '_'\n", problems)
	_, problems = decode("{\"Version\": \"2020-12-01\", \"Description\": \"Zürich ✓\", \"Steps\": [}", nil)
	assert.Equal(t, "d.json:1:64: invalid JSON: unexpected '}', want a value\n", problems)
}

func TestDecodeInline(t *testing.T) {
	at := model.Pos{File: "t.yaml", Line: 8, Col: 17}
	def, problems := Decode(InlineSource(at, []byte(`{"Version":"2020-12-01","Steps":[{"Name":"T","Type":"Lambda","DependsOn":["X"]}]}`)), nil, "p")
	require.NotNil(t, def)
	require.Len(t, problems, 1)
	assert.Equal(t, `t.yaml:8:17: definition: step T depends on unknown step "X" (steps: T) (JSON line 1, column 75)`, problems[0].Error())
	assert.Equal(t, at, def.Steps[0].Spec.Pos, "an inline step is at the scenario value")
}

// decodeErrors are definitions (as d.json) with every problem.
var decodeErrors = []struct {
	name string
	def  string
	want []string
}{
	{"malformed JSON", "{\"Version\": \"2020-12-01\",\n \"Steps\": [\n  {\"Name\": \"A\" \"Type\": \"Lambda\"}]}", []string{
		`d.json:3:16: invalid JSON: unexpected '"', want ',' or '}'`}},
	{"truncated", "{\"Version\": \"2020-12-01\", \"Steps\": [", []string{
		`d.json:1:37: invalid JSON: unexpected end of input, want a value`}},
	{"not an object", "[1]", []string{`d.json:1:1: a pipeline definition must be a JSON object, not an array`}},
	{"version", "{\"Version\": \"2022-01-01\", \"Steps\": []}", []string{
		`d.json:1:13: unsupported definition Version "2022-01-01" (want "2020-12-01")`}},
	{"no version, no steps", "{}", []string{
		`d.json:1:1: pipeline definition has no Version (want "2020-12-01")`,
		`d.json:1:1: pipeline definition has no Steps`}},
	{"missing dependency", "{\"Version\": \"2020-12-01\", \"Steps\": [\n" +
		"  {\"Name\": \"A\", \"Type\": \"Lambda\", \"DependsOn\": [\"Nope\"]},\n" +
		"  {\"Name\": \"B\", \"Type\": \"Lambda\", \"Arguments\": {\"x\": {\"Get\": \"Steps.Gone.Properties.X\"}}}]}", []string{
		`d.json:2:49: step A depends on unknown step "Nope" (steps: A, B)`,
		`d.json:3:62: step B refers to unknown step "Gone" (steps: A, B)`}},
	{"unknown parameter", "{\"Version\": \"2020-12-01\", \"Parameters\": [{\"Name\": \"T\"}],\n\"Steps\": [\n" +
		"  {\"Name\": \"A\", \"Type\": \"Transform\", \"Arguments\": {\"TransformResources\": {\"InstanceType\": {\"Get\": \"Parameters.T\"}, \"InstanceCount\": {\"Get\": \"Parameters.X\"}}}}]}",
		[]string{
			`d.json:3:141: unknown parameter "X" (the definition declares T)`}},
	{"bad parameter value", "{\"Version\": \"2020-12-01\", \"Parameters\": [{\"Name\": \"N\", \"Type\": \"Integer\", \"DefaultValue\": \"x\"}], \"Steps\": []}", []string{
		`d.json:1:91: parameter N: DefaultValue "x" is not a Integer`}},
	{"duplicate step", "{\"Version\": \"2020-12-01\", \"Steps\": [{\"Name\": \"A\", \"Type\": \"Condition\", \"Arguments\": {\"IfSteps\": [{\"Name\": \"A\", \"Type\": \"Fail\"}]}}]}", []string{
		`d.json:1:107: duplicate step name "A" (first at line 1, column 37)`}},
	{"retry and condition problems", "{\"Version\": \"2020-12-01\", \"Steps\": [{\"Name\": \"A\", \"Type\": \"Condition\",\n" +
		"\"Arguments\": {\"Conditions\": [{\"Type\": \"Maybe\"}, {\"Type\": \"Equals\", \"LeftValue\": 1}]}},\n" +
		"{\"Name\": \"B\", \"Type\": \"Lambda\", \"RetryPolicies\": [{\"ExceptionType\": [\"Oops\"], \"MaxAttempts\": 30, \"ExpireAfterMin\": 5}]}]}", []string{
		`d.json:2:39: unknown condition type "Maybe" (want Equals, NotEquals, GreaterThan, GreaterThanOrEqualTo, LessThan, LessThanOrEqualTo, In, NotIn, Not or Or)`,
		`d.json:2:49: condition Equals needs LeftValue and RightValue`,
		`d.json:3:70: unknown exception "Oops" (want ` + orList(ExceptionTypes) + `)`,
		`d.json:3:94: MaxAttempts must be a number from 0 to 20, not 30`}},
	{"retry with both limits", "{\"Version\": \"2020-12-01\", \"Steps\": [{\"Name\": \"B\", \"Type\": \"Lambda\",\n" +
		"\"RetryPolicies\": [{\"ExceptionType\": [\"Step.THROTTLING\"], \"MaxAttempts\": 3, \"ExpireAfterMin\": 5}]}]}", []string{
		`d.json:2:19: a retry policy cannot set both MaxAttempts and ExpireAfterMin`}},
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range decodeErrors {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := decode(tc.def, nil)
			assert.Equal(t, strings.Join(tc.want, "\n")+"\n", problems)
		})
	}
}

// FuzzDefinition checks that Decode never panics and reports every
// problem, and every value of the steps' data, inside the file, on a
// valid line and column.
func FuzzDefinition(f *testing.F) {
	for _, name := range []string{"abalone.json", "tuning.json", "batch-transform.json", "cross-account-data.json"} {
		f.Add(realDefinition(f, name))
	}
	for _, tc := range decodeErrors {
		f.Add([]byte(tc.def))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		def, problems := Decode(FileSource("f.json", data), map[string]Value{"N": {Text: "2", Number: true}}, "p")
		lines := strings.Count(string(data), "\n") + 1
		errors := 0
		for _, e := range problems {
			if e.Pos.File != "f.json" || e.Pos.Line < 1 || e.Pos.Line > lines || e.Pos.Col < 1 || e.Msg == "" {
				t.Fatalf("problem outside the file: %v", e)
			}
			if !strings.HasPrefix(e.Msg, "warning: ") {
				errors++
			}
		}
		if def == nil {
			if errors == 0 {
				t.Fatalf("no definition and no error")
			}
			return
		}
		inFile := func(p model.Pos) bool { return p.File == "f.json" && p.Line >= 1 && p.Line <= lines && p.Col >= 1 }
		for _, st := range def.Steps {
			if !ValidName(st.Spec.Name) || st.Spec.InstanceType != "" && st.Spec.InstanceCount < 1 {
				t.Fatalf("bad step %+v", st.Spec)
			}
			d := st.Data
			for _, x := range slices.Concat(d.Inputs, d.Outputs, []Datum{d.Role, d.KMSKey}) {
				if !x.IsZero() && !inFile(x.Pos) {
					t.Fatalf("datum outside the file: %+v", x)
				}
			}
			for _, u := range d.Unmapped {
				if !inFile(u.Pos) || u.Field == "" || u.Why == "" {
					t.Fatalf("unmapped value outside the file or unexplained: %+v", u)
				}
			}
		}
	})
}

// TestDecodeData: each step's data with its field and position; run-time
// values are listed, not mapped, at their positions.
func TestDecodeData(t *testing.T) {
	def, problems := decode(string(realDefinition(t, "cross-account-data.json")), nil)
	require.Empty(t, problems)
	at := func(line, col int) model.Pos { return model.Pos{File: "d.json", Line: line, Col: col} }
	role := Datum{Field: "RoleArn", Value: "arn:aws:iam::111111111111:role/service-role/AmazonSageMaker-ExecutionRole", Pos: at(32, 20)}
	key := Datum{Field: "ProcessingOutputConfig.KmsKeyId", Param: "OutputKmsKey",
		Value: "arn:aws:kms:us-east-1:222222222222:key/0a1b2c3d-1111-2222-3333-444455556666", Pos: at(52, 23)}
	assert.Equal(t, Data{
		Role: role,
		Inputs: []Datum{
			{Field: "ProcessingInputs[0].S3Input.S3Uri", Param: "InputData", Value: "s3://research-data/churn/2026-01/", Pos: at(35, 33)},
			{Field: "ProcessingInputs[1].S3Input.S3Uri", Value: "s3://sagemaker-us-east-1-111111111111/ChurnPreprocess-7f3a/input/code/preprocess.py", Pos: at(39, 33)}},
		Outputs: []Datum{
			{Field: "ProcessingOutputConfig.Outputs[0].S3Output.S3Uri", Value: "s3://research-results/churn/train", Joined: []string{"OutputPath"}, Pos: at(46, 36)},
			{Field: "ProcessingOutputConfig.Outputs[1].S3Output.S3Uri", Value: "s3://sagemaker-us-east-1-111111111111/churn/test", Pos: at(49, 36)}},
		KMSKey: key,
		Unmapped: []Unmapped{{Field: "ProcessingResources.ClusterConfig.VolumeKmsKeyId", Pos: at(25, 31),
			Why: "encrypts the instances' storage volumes: not an S3 request, not decided by the data plane"}},
	}, def.Step("ChurnPreprocess").Data)

	train := def.Step("ChurnTrain").Data
	assert.Equal(t, []Datum{{Field: "OutputDataConfig.S3OutputPath", Value: "s3://sagemaker-us-east-1-111111111111/ChurnTrain", Pos: at(65, 27)}}, train.Outputs)
	assert.Equal(t, Datum{Field: "OutputDataConfig.KmsKeyId", Value: "alias/churn-models", Pos: at(66, 23)}, train.KMSKey)
	assert.Empty(t, train.Inputs)
	require.Len(t, train.Unmapped, 2)
	assert.Equal(t, Unmapped{Field: "InputDataConfig[0].DataSource.S3DataSource.S3Uri", Pos: at(78, 23),
		Why: "is a property of step ChurnPreprocess (Get Steps.ChurnPreprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri), known only at run time"},
		train.Unmapped[0])
	assert.Equal(t, "ResourceConfig.VolumeKmsKeyId", train.Unmapped[1].Field)

	// The transform job runs as its model's execution role.
	score := def.Step("ChurnScore").Data
	assert.Equal(t, Datum{Field: "ExecutionRoleArn", Value: role.Value, Pos: at(89, 29)}, score.Role)
	assert.Equal(t, []Datum{{Field: "TransformInput.DataSource.S3DataSource.S3Uri", Param: "ScoringData", Required: true, Pos: at(103, 38)}},
		score.Inputs, "a parameter without a default is each Start's")
	assert.Empty(t, score.Outputs)
	assert.Equal(t, "TransformOutput.KmsKeyId", score.KMSKey.Field)
	assert.Equal(t, []Unmapped{
		{Field: "TransformOutput.S3OutputPath", Pos: at(106, 27),
			Why: "is a Std:Join of a value that is an execution variable (Get Execution.PipelineExecutionId), known only at run time"},
	}, score.Unmapped)

	// The scenario's values win over the defaults, as for instance types.
	def, _ = decode(string(realDefinition(t, "cross-account-data.json")), map[string]Value{"InputData": {Text: "s3://partner-data/x/"}})
	assert.Equal(t, "s3://partner-data/x/", def.Step("ChurnPreprocess").Data.Inputs[0].Value)
}

// TestDecodeDataShapes: tuning jobs, several roles, models from outside
// the pipeline and values that are no string.
func TestDecodeDataShapes(t *testing.T) {
	def, problems := decode(`{"Version": "2020-12-01", "Parameters": [{"Name": "Out", "DefaultValue": "s3://b/o"}], "Steps": [
 {"Name": "Tune", "Type": "Tuning", "Arguments": {"TrainingJobDefinitions": [
   {"RoleArn": "arn:aws:iam::111111111111:role/A", "ResourceConfig": {"InstanceType": "ml.m5.large"},
    "InputDataConfig": [{"DataSource": {"FileSystemDataSource": {"FileSystemId": "fs-1"}}}],
    "OutputDataConfig": {"S3OutputPath": {"Get": "Parameters.Out"}, "KmsKeyId": 7}},
   {"RoleArn": "arn:aws:iam::111111111111:role/B", "OutputDataConfig": {"S3OutputPath": {"Std:JsonGet": {}}}}]}},
 {"Name": "Score", "Type": "Transform", "Arguments": {"ModelName": "existing-model",
   "TransformResources": {"InstanceType": "ml.m5.large", "VolumeKmsKeyId": "k"},
   "TransformInput": {"DataSource": {"S3DataSource": {"S3Uri": {"Std:Join": {"On": "/", "Values": ["s3://b", 2026]}}}}}}},
 {"Name": "M", "Type": "Model", "Arguments": {}},
 {"Name": "Score2", "Type": "Transform", "Arguments": {"ModelName": {"Get": "Steps.M.ModelName"},
   "TransformResources": {"InstanceType": "ml.m5.large"}}},
 {"Name": "P", "Type": "Processing", "Arguments": {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large"}},
   "ProcessingInputs": [{"DatasetDefinition": {}}], "ProcessingOutputConfig": {"Outputs": [{"FeatureStoreOutput": {}}]}}}]}`, nil)
	require.Empty(t, problems)
	tune := def.Step("Tune").Data
	assert.Equal(t, "arn:aws:iam::111111111111:role/A", tune.Role.Value)
	assert.Equal(t, []Datum{{Field: "TrainingJobDefinitions[0].OutputDataConfig.S3OutputPath", Value: "s3://b/o", Param: "Out",
		Pos: model.Pos{File: "d.json", Line: 5, Col: 42}}}, tune.Outputs)
	var whys []string
	for _, u := range tune.Unmapped {
		whys = append(whys, u.Field+" "+u.Why)
	}
	assert.Equal(t, []string{
		"TrainingJobDefinitions[0].InputDataConfig[0].DataSource.FileSystemDataSource is an EFS or FSx for Lustre file system, not an S3 URI",
		"TrainingJobDefinitions[0].OutputDataConfig.KmsKeyId is a number, not a string",
		"TrainingJobDefinitions[1].RoleArn is another role than TrainingJobDefinitions[0].RoleArn's (arn:aws:iam::111111111111:role/A): a step runs as one role",
		"TrainingJobDefinitions[1].OutputDataConfig.S3OutputPath is a run-time value (Std:JsonGet)",
	}, whys)

	score := def.Step("Score").Data
	assert.True(t, score.Role.IsZero())
	assert.Equal(t, "s3://b/2026", score.Inputs[0].Value, "a number joins as its text")
	require.Len(t, score.Unmapped, 2)
	assert.Equal(t, "TransformResources.VolumeKmsKeyId", score.Unmapped[0].Field)
	assert.Equal(t, "names a model created outside the pipeline: the role its transform job runs as is not in the definition", score.Unmapped[1].Why)
	assert.Equal(t, []Unmapped{{Field: "ModelName", Pos: model.Pos{File: "d.json", Line: 11, Col: 69},
		Why: "names the model of step M, whose execution role is not in the definition"}}, def.Step("Score2").Data.Unmapped)
	whys = nil
	for _, u := range def.Step("P").Data.Unmapped {
		whys = append(whys, u.Field+" "+u.Why)
	}
	assert.Equal(t, []string{"ProcessingInputs[0].DatasetDefinition is an Athena or Redshift query, not an S3 URI",
		"ProcessingOutputConfig.Outputs[0].FeatureStoreOutput is a Feature Store feature group, not an S3 URI"}, whys)
}

// TestDecodeRequiredParams: a parameter without a value (no DefaultValue,
// or a scenario's value of none) is each Start's: a step's data names it,
// a condition on it is drawn, and an instance type or count from it is for
// the scenario to give, said once at the value.
func TestDecodeRequiredParams(t *testing.T) {
	const in = `{"Version": "2020-12-01", "Parameters": [{"Name": "In"}, {"Name": "N", "Type": "Integer", "DefaultValue": 2}],
"Steps": [
 {"Name": "P", "Type": "Processing", "Arguments": {"RoleArn": {"Get": "Parameters.In"},
   "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": {"Get": "Parameters.N"}}},
   "ProcessingInputs": [{"S3Input": {"S3Uri": {"Get": "Parameters.In"}}}, {"S3Input": {"S3Uri": {"Std:Join": {"On": "/", "Values": [{"Get": "Parameters.In"}, "x"]}}}}]}},
 {"Name": "C", "Type": "Condition", "Arguments": {"Conditions": [{"Type": "Equals", "LeftValue": {"Get": "Parameters.In"}, "RightValue": "a"}]}}]}`
	def, problems := decode(in, nil)
	require.Empty(t, problems)
	p := def.Step("P")
	assert.Equal(t, []Datum{{Field: "ProcessingInputs[0].S3Input.S3Uri", Param: "In", Required: true, Pos: model.Pos{File: "d.json", Line: 5, Col: 47}}}, p.Data.Inputs)
	var whys []string
	for _, u := range p.Data.Unmapped {
		whys = append(whys, u.Field+" "+u.Why)
	}
	assert.Equal(t, []string{
		"RoleArn is parameter In, which has no default: known only when a Start passes it",
		"ProcessingInputs[1].S3Input.S3Uri is a Std:Join of a value that is parameter In, which has no default: known only when a Start passes it",
	}, whys)
	assert.Equal(t, int8(0), def.Step("C").Spec.Static, "decided per Start: drawn")
	assert.Equal(t, 2, p.Spec.InstanceCount)
	assert.Nil(t, def.Lacking(p, "under the pipeline's steps"))

	// The scenario's value of none makes N required too.
	def, problems = decode(in, map[string]Value{"N": {Required: true}})
	require.Empty(t, problems)
	p = def.Step("P")
	field, why := p.Lacks()
	assert.Equal(t, "instance_count", field)
	assert.Equal(t, "step P: InstanceCount is parameter N, which has no default: known only at run time, when a Start passes it", why)
	assert.Equal(t, "d.json:4:94: step P: InstanceCount is parameter N, which has no default: known only at run time, when a Start passes it; give instance_count under the pipeline's steps",
		def.Lacking(p, "under the pipeline's steps").Error())
}

// TestDecodeOneDiagnostic: one mistake in a step's data is one problem:
// a Get of an undeclared parameter or an unknown step is an error, not
// also a value the data plane cannot decide.
func TestDecodeOneDiagnostic(t *testing.T) {
	def, problems := decode(`{"Version": "2020-12-01", "Parameters": [{"Name": "Input", "DefaultValue": "s3://b/in"}], "Steps": [
 {"Name": "P", "Type": "Processing", "Arguments": {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large"}},
   "ProcessingInputs": [{"S3Input": {"S3Uri": {"Get": "Parameters.Inptu"}}},
                        {"S3Input": {"S3Uri": {"Std:Join": {"On": "/", "Values": [{"Get": "Parameters.Inptu"}, "x"]}}}},
                        {"S3Input": {"S3Uri": {"Get": "Steps.Gone.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri"}}},
                        {"S3Input": {"S3Uri": {"Get": "Steps.Q.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri"}}}]}},
 {"Name": "Q", "Type": "Lambda"}]}`, nil)
	assert.Equal(t, `d.json:3:55: unknown parameter "Inptu" (the definition declares Input)
d.json:4:91: unknown parameter "Inptu" (the definition declares Input)
d.json:5:55: step P refers to unknown step "Gone" (steps: P, Q)
`, problems)
	p := def.Step("P").Data
	assert.Empty(t, p.Inputs)
	require.Len(t, p.Unmapped, 1, "only the property of a known step is left undecided")
	assert.Equal(t, "ProcessingInputs[3].S3Input.S3Uri", p.Unmapped[0].Field)
}

// TestDecodeInlineDataPositions: the data of an inline definition is at
// the scenario value, with its line and column inside the JSON.
func TestDecodeInlineDataPositions(t *testing.T) {
	at := model.Pos{File: "s.yaml", Line: 7, Col: 17}
	def, problems := Decode(InlineSource(at, []byte(`{"Version": "2020-12-01", "Steps": [
 {"Name": "P", "Type": "Processing", "Arguments": {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large", "VolumeKmsKeyId": "k"}},
   "RoleArn": "arn:aws:iam::111111111111:role/R",
   "ProcessingInputs": [{"S3Input": {"S3Uri": "s3://b/in"}}]}}]}`)), nil, "p")
	require.Empty(t, problems)
	d := def.Step("P").Data
	assert.Equal(t, Datum{Field: "ProcessingInputs[0].S3Input.S3Uri", Value: "s3://b/in", Pos: at, Inline: sim.InlinePos{Line: 4, Col: 47}}, d.Inputs[0])
	assert.Equal(t, sim.InlinePos{Line: 3, Col: 15}, d.Role.Inline)
	require.Len(t, d.Unmapped, 1)
	assert.Equal(t, Unmapped{Field: "ProcessingResources.ClusterConfig.VolumeKmsKeyId", Pos: at, Inline: sim.InlinePos{Line: 2, Col: 143},
		Why: "encrypts the instances' storage volumes: not an S3 request, not decided by the data plane"}, d.Unmapped[0])
}
