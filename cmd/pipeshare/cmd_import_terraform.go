package main

import (
	"fmt"

	"github.com/pipeshare/pipeshare/model"
	imp "github.com/pipeshare/pipeshare/scenarios/importer"
)

func init() {
	registerImporter(importer{
		name:    "terraform",
		usage:   "import terraform PLAN.json [--out FILE] [--name N] [--start T] [--duration D] [--owner ACCT] [--quiet]",
		summary: "a Terraform plan (terraform show -json) → organization, OUs, accounts, SCPs, pipelines and RAM shares",
		run:     cmdImportTerraform,
	})
}

const importTerraformAbout = `Reads a Terraform plan as JSON (terraform plan -out=tfplan, then
terraform show -json tfplan > PLAN.json) and writes the scenario it
describes: aws_organizations_organization (ID, management account, organization
sharing when aws_service_access_principals holds ram.amazonaws.com or the plan
has aws_ram_sharing_with_organization), _organizational_unit (paths from name
and parent_id), _account, _policy (SERVICE_CONTROL_POLICY) and
_policy_attachment, aws_ram_resource_share, _principal_association,
_resource_association and _resource_share_accepter (an accepted invitation),
and aws_sagemaker_pipeline with its pipeline_definition.

Values known only after apply are resolved through the configuration's
references, by resource address; a reference to a resource that is not in
the plan is an error (exit 2). An account whose ID is known only after apply
gets a placeholder ID 9xxxxxxxxxxx derived from its address. A pipeline's
owner is its ARN's account when known, else --owner, else the account of the
role its provider assumes (a constant assume_role role_arn), else the
organization's management account. What could not be mapped is listed in the
header comment and on stderr.`

func cmdImportTerraform(e *env, args []string) error {
	fs := newFlagSet(e, "import terraform", "import terraform PLAN.json [flags]", importTerraformAbout)
	out := fs.String("out", "", "write the scenario to `FILE` (atomically) instead of stdout")
	name := fs.String("name", "", "the scenario's `NAME` (default: the plan's file name)")
	span := registerImportSpan(fs)
	owner := fs.String("owner", "", "the `ACCOUNT` that owns the plan's pipelines and shares (default: see above)")
	var maxInput int64
	registerMaxInput(fs, &maxInput)
	quiet := registerQuiet(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	in, err := newInputs(e, maxInput, "")
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("pipeshare import terraform: name one plan file (got %d; see pipeshare import terraform --help)", fs.NArg())
	}
	if err := span.check(); err != nil {
		return err
	}
	if _, err := model.ParseAccountID(*owner); *owner != "" && err != nil {
		return usageErrorf("--owner must be a 12-digit account ID, not %q", *owner)
	}
	path := fs.Arg(0)
	res, err := importWork(e, *quiet, "import terraform "+path, func(n *readCount) (*imp.Result, error) {
		data, err := in.read("an input file", path)
		if err != nil {
			return nil, fileError(err)
		}
		n.bytes.Store(int64(len(data)))
		res, err := imp.Terraform(path, data, imp.TerraformOptions{Owner: *owner,
			Options: imp.Options{Name: *name, Start: *span.start, Duration: *span.duration}})
		if err != nil {
			return nil, inputError(err)
		}
		return res, nil
	})
	if err != nil {
		return err
	}
	for _, p := range res.Placeholders {
		fmt.Fprintln(e.stderr, "import terraform: placeholder: "+p)
	}
	for _, u := range res.Unmapped {
		fmt.Fprintln(e.stderr, "import terraform: not mapped: "+u)
	}
	return writeOutput(e, *out, res.Write)
}
