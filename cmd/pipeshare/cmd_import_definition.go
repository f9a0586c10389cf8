package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/scenarios/pipelinedef"
)

func init() {
	registerImporter(importer{
		name:    "definition",
		usage:   "import definition FILE.json [--out FILE] [--account ACCT] [--pipeline NAME] [--name N]",
		summary: "a SageMaker pipeline definition JSON → a scenario running it, with each step's duration to edit",
		run:     cmdImportDefinition,
	})
}

const importDefinitionAbout = `Reads a SageMaker pipeline definition (Version 2020-12-01, as
DescribePipeline's PipelineDefinition returns it) and writes a scenario that
runs it in one owner account: the pipeline names the definition file, and
its steps: list gives every step the per-type default duration, for you to
replace with measured ones (definitions carry no durations). Add accounts,
shares and a workload to plan its sharing.`

func cmdImportDefinition(e *env, args []string) error {
	fs := newFlagSet(e, "import definition", "import definition FILE.json [flags]", importDefinitionAbout)
	out := fs.String("out", "", "write the scenario to `FILE` (atomically) instead of stdout")
	account := fs.String("account", "111111111111", "the owner `ACCOUNT` of the pipeline")
	pipeline := fs.String("pipeline", "", "the pipeline's `NAME` (default: the file's name)")
	name := fs.String("name", "", "the scenario's `NAME` (default: the pipeline's)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("pipeshare import definition: name one definition file (got %d)", fs.NArg())
	}
	if _, err := model.ParseAccountID(*account); err != nil {
		return usageErrorf("--account: %v", err)
	}
	path := fs.Arg(0)
	data, err := os.ReadFile(path)
	if err != nil {
		return inputError(fmt.Errorf("%s:1:1: %v", path, unwrapPathError(err)))
	}
	def, problems := pipelinedef.Decode(pipelinedef.FileSource(path, data), nil, "")
	var errs scenarios.ErrorList
	errs.AddPosErrors(problems)
	errs.Sort()
	if errs.HasErrors() {
		return scenarioError(errs)
	}
	if *pipeline == "" {
		*pipeline = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if *name == "" {
		*name = *pipeline
	}
	// The scenario names the definition relative to where it is written.
	scenarioPath := *out
	if scenarioPath == "" || scenarioPath == "-" {
		scenarioPath = "imported.yaml"
	}
	rel, err := filepath.Rel(filepath.Dir(scenarioPath), path)
	if err != nil {
		rel, _ = filepath.Abs(path)
	}
	f := &scenarios.File{
		Header: "imported by pipeshare import definition from " + path + "\n" +
			"durations are per-type defaults: replace them with measured ones",
		Name: *name, Start: scenarios.DefaultImportStart, Duration: scenarios.DefaultImportDuration,
		Accounts:  []scenarios.FileAccount{{ID: *account}},
		Pipelines: []scenarios.FilePipeline{{Name: *pipeline, Account: *account, Definition: filepath.ToSlash(rel)}},
	}
	for _, ds := range def.Steps {
		st := ds.Spec
		f.Pipelines[0].Steps = append(f.Pipelines[0].Steps, scenarios.FileStep{
			Name: st.Name, Duration: shortDuration(scenarios.DefaultStepDuration(st.Type))})
	}
	var buf bytes.Buffer
	if err := scenarios.WriteFile(&buf, f); err != nil {
		return err
	}
	sc, err := scenarios.Parse(scenarioPath, buf.Bytes(), scenarios.LoadOptions{ReadFile: os.ReadFile})
	if err == nil {
		_, err = scenarios.Compile(sc)
	}
	if err != nil {
		return scenarioError(err)
	}
	for _, w := range errs.Warnings() {
		fmt.Fprintln(e.stderr, w.String())
	}
	return writeOutput(*out, e.stdout, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
}
