package importer_test

import (
	"fmt"
	"os"

	"github.com/pipeshare/pipeshare/scenarios/importer"
)

func ExampleDefinition() {
	data := []byte(`{"Version": "2020-12-01", "Steps": [
  {"Name": "Prep", "Type": "Processing", "Arguments": {"ProcessingResources":
    {"ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1}}}},
  {"Name": "Train", "Type": "Training", "DependsOn": ["Prep"],
   "Arguments": {"ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 1}}}]}`)
	res, err := importer.Definition("defs/train.json", data, importer.DefinitionOptions{
		Account: "111111111111", Out: "scenarios/train.yaml"})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := res.Write(os.Stdout); err != nil { // validates first
		fmt.Println(err)
	}
	// Output:
	// # Imported by `pipeshare import definition defs/train.json` from a SageMaker pipeline definition.
	// # Durations are per-type defaults: replace them with measured ones.
	// # could not map: nothing
	// version: 1
	// name: train
	// start: "2026-01-05T00:00:00Z"
	// duration: 30d
	// accounts:
	//   - id: "111111111111"
	// pipelines:
	//   - name: train
	//     account: "111111111111"
	//     definition: ../defs/train.json
	//     steps:
	//       - name: Prep
	//         duration: 10m0s
	//       - name: Train
	//         duration: 30m0s
}
