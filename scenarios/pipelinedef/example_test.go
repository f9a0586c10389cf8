package pipelinedef_test

import (
	"fmt"

	"github.com/pipeshare/pipeshare/scenarios/pipelinedef"
)

func ExampleDecode() {
	data := []byte(`{
  "Version": "2020-12-01",
  "Parameters": [{"Name": "TrainType", "Type": "String", "DefaultValue": "ml.m5.xlarge"}],
  "Steps": [
    {"Name": "Prep", "Type": "Processing", "Arguments": {"ProcessingResources":
      {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 2}}}},
    {"Name": "Train", "Type": "Training", "DependsOn": ["Prep"],
     "Arguments": {"ResourceConfig": {"InstanceType": {"Get": "Parameters.TrainType"}, "InstanceCount": 1}}},
    {"Name": "Notify", "Type": "Lambda", "DependsOn": ["Trian"]}
  ]
}`)
	values := map[string]pipelinedef.Value{"TrainType": {Text: "ml.g5.2xlarge"}}
	def, problems := pipelinedef.Decode(pipelinedef.FileSource("pipeline.json", data), values, "train")
	for _, st := range def.Steps {
		s := st.Spec
		fmt.Printf("%s: %s step at %s", s.Name, s.Type, s.Pos)
		if s.InstanceType != "" {
			fmt.Printf(", %d × %s", s.InstanceCount, s.InstanceType)
		}
		for _, d := range s.DependsOn {
			fmt.Printf(", after %s", d.S)
		}
		fmt.Println()
	}
	for _, p := range problems {
		fmt.Println(p)
	}
	// Output:
	// Prep: Processing step at pipeline.json:5:5, 2 × ml.m5.large
	// Train: Training step at pipeline.json:7:5, 1 × ml.g5.2xlarge, after Prep
	// Notify: Lambda step at pipeline.json:9:5
	// pipeline.json:9:56: step Notify depends on unknown step "Trian" (steps: Prep, Train, Notify)
}
