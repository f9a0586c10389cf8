package importer

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/internal/input"
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/scenarios/pipelinedef"
)

// This file imports a SageMaker pipeline definition (package pipelinedef)
// into a scenario that runs it in one owner account: the pipeline names the
// definition file, and its steps: entries give every step its type's
// default duration, to be replaced with measured ones, and the data it
// names (definition_data.go).

// DefinitionOptions control [Definition].
type DefinitionOptions struct {
	Options         // Name defaults to the pipeline's name
	Account  string // the account that owns the pipeline (12 digits)
	Pipeline string // the pipeline's name; default: the file's name without its extension
	// Out is where the scenario will be written ("" or "-": standard
	// output, taken as a file in the current folder): the scenario names
	// the definition relative to it.
	Out string
}

// Definition imports the pipeline definition data read from file. Problems
// of the definition, and steps it gives no instance type, are a
// scenarios.ErrorList at their positions in file; its warnings are in
// Result.Warnings. The Result holds the definition in Files, so that Write
// validates the scenario without reading file again.
func Definition(file string, data []byte, opts DefinitionOptions) (*Result, error) {
	if _, err := model.ParseAccountID(opts.Account); err != nil {
		return nil, fmt.Errorf("the owner account: %v", err)
	}
	if opts.Pipeline == "" {
		opts.Pipeline = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	if !model.ValidPipelineName(opts.Pipeline) {
		return nil, fmt.Errorf("pipeline name %s must be letters, digits and hyphens, starting and ending with a letter or a digit; name the pipeline", input.Quote(opts.Pipeline))
	}
	def, problems := pipelinedef.Decode(pipelinedef.FileSource(file, data), nil, opts.Pipeline)
	var errs scenarios.ErrorList
	errs.AddPosErrors(problems)
	if def != nil {
		// The scenario would need an instance_type in steps: say so here,
		// at the step in the definition.
		for i := range def.Steps {
			if e := def.Lacking(&def.Steps[i], ""); e != nil {
				errs.AddPosError(e)
			}
		}
	}
	errs.Sort()
	if errs.HasErrors() {
		return nil, errs
	}

	f := opts.newFile(opts.Pipeline)
	f.Accounts = []scenarios.FileAccount{{ID: opts.Account}}
	p := scenarios.FilePipeline{Name: opts.Pipeline, Account: opts.Account}
	for _, st := range def.Steps {
		p.Steps = append(p.Steps, scenarios.FileStep{Name: st.Spec.Name, Duration: scenarios.DefaultStepDuration(st.Spec.Type).String()})
	}
	placeholders, unmapped := mapDefinitionData(def, f, &p)
	// Every parameter without a default is written null, also those that
	// no step's data uses: every Start must pass each of them.
	var required, used []string // used: those a step's data uses
	for _, prm := range def.Params {
		if _, ok := prm.Default(); ok {
			continue
		}
		required = append(required, prm.Name)
		if _, ok := p.Parameters[prm.Name]; ok {
			used = append(used, prm.Name)
		} else {
			if p.Parameters == nil {
				p.Parameters = map[string]*string{}
			}
			p.Parameters[prm.Name] = nil
		}
	}

	// The scenario runs the definition as read from file, so that what
	// only compiling finds (a dependency cycle) is reported in file.
	p.Definition = filepath.ToSlash(file)
	f.Pipelines = []scenarios.FilePipeline{p}
	var buf bytes.Buffer
	if err := scenarios.WriteFile(&buf, f); err != nil {
		return nil, err
	}
	warnings, err := validate(f.Name+".yaml", buf.Bytes(), map[string][]byte{filepath.Clean(file): data})
	if err != nil {
		return nil, err
	}

	// The written scenario names the definition relative to itself.
	out := opts.Out
	if out == "" || out == "-" {
		out = "imported.yaml"
	}
	rel, err := filepath.Rel(filepath.Dir(out), file)
	if err != nil {
		rel, _ = filepath.Abs(file)
	}
	f.Pipelines[0].Definition = filepath.ToSlash(rel)
	res := &Result{File: f, Command: "pipeshare import definition " + file, From: "a SageMaker pipeline definition",
		About:        []string{"Durations are per-type defaults: replace them with measured ones."},
		Placeholders: placeholders, Unmapped: unmapped,
		Files: map[string][]byte{filepath.Clean(f.Pipelines[0].Definition): data}}
	if len(f.Buckets)+len(f.Keys) > 0 {
		res.About = append(res.About, "Data: a definition has no policies: the roles, buckets and keys are declared without any;",
			"add the roles' identity policies and the bucket and key policies before reading data-plane results.")
	}
	if len(required) > 0 {
		slices.Sort(required)
		give := "give each under the parameters: of a workload entry that starts the pipeline"
		switch {
		case len(used) == len(required):
			give += ", naming a declared bucket or key."
		case len(used) > 0:
			slices.Sort(used)
			give += " (" + strings.Join(used, ", ") + " naming a declared bucket or key)."
		default:
			give += "."
		}
		res.About = append(res.About, "Parameters without a default ("+strings.Join(required, ", ")+") are written null: every Start passes them;", give)
	}
	for _, w := range warnings {
		res.Warnings = append(res.Warnings, w.String())
	}
	return res, nil
}

// checkDefinition validates def, the definition JSON of pipeline name in
// account that an importer found as the string value at position at of
// its input (field names the field), as the imported scenario will run
// it. A problem of the definition (invalid JSON, a step that depends on
// itself, a dependency cycle, a step with no instance type) is an error at
// at, with its line and column inside the JSON, rather than an error of
// the scenario the importer writes. Its warnings (steps without a
// duration) are what the import's header says already: they are dropped.
func checkDefinition(at model.Pos, field, name, account, def string) error {
	f := &scenarios.File{Name: "definition-check", Start: scenarios.DefaultImportStart, Duration: "1d",
		Accounts:  []scenarios.FileAccount{{ID: account}},
		Pipelines: []scenarios.FilePipeline{{Name: name, Account: account, Definition: def}}}
	var buf bytes.Buffer
	if err := scenarios.WriteFile(&buf, f); err != nil {
		return err
	}
	_, err := validate(f.Name+".yaml", buf.Bytes(), nil)
	var found scenarios.ErrorList
	if !errors.As(err, &found) {
		return err
	}
	var errs scenarios.ErrorList
	for _, d := range found {
		if !d.Warning() {
			errs.Add(at, field+": "+strings.TrimPrefix(d.Msg, "definition: "))
		}
	}
	return errs.Err()
}
