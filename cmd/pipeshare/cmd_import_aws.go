package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync/atomic"

	imp "github.com/pipeshare/pipeshare/scenarios/importer"
)

func init() {
	registerImporter(importer{
		name:    "aws",
		usage:   "import aws DIR [--out FILE] [--name N] [--start T] [--duration D] [--quiet]",
		summary: "an AWS CLI snapshot folder (docs/snapshot.sh) → organization, OUs, accounts, SCPs, pipelines and RAM shares",
		run:     cmdImportAWS,
	})
}

const importAWSAbout = `Reads a folder of AWS CLI JSON outputs, as docs/snapshot.sh writes them,
and writes the scenario they describe. Files (all optional; a missing one is
reported, and a folder with no organization, pipeline or share is an error):

  describe-organization.json                      organizations describe-organization
  list-roots.json, list-accounts.json             organizations list-roots, list-accounts
  list-organizational-units-for-parent-ID.json    organizations list-organizational-units-for-parent
  list-accounts-for-parent-ID.json                organizations list-accounts-for-parent
  list-policies.json                              organizations list-policies --filter SERVICE_CONTROL_POLICY
  describe-policy-ID.json, list-targets-for-policy-ID.json   per policy
  get-resource-shares.json                        ram get-resource-shares --resource-owner SELF
  get-resource-share-associations-principal.json  ram get-resource-share-associations --association-type PRINCIPAL
  get-resource-share-associations-resource.json   ram get-resource-share-associations --association-type RESOURCE
  get-resource-share-invitations.json             ram get-resource-share-invitations
  list-resource-share-permissions-SHAREID.json    per share (SHAREID: the ARN's last segment)
  list-pipelines.json, describe-pipeline-NAME.json  sagemaker list-pipelines, describe-pipeline

OU paths are built from OU names (/Name/Child) with the OU's id; SCPs keep
their names; FullAWSAccess is implicit (full_access: false where it is not
attached). Share principals: account IDs, the organization (org), OUs
(ou:/path), IAM roles (ACCT/role/X). Organization sharing is enabled when a
share names the organization or an OU, disabled when an invitation went to a
member account. PENDING invitations become ignore, ACCEPTED ones
{accept_after: 0s}. The scenario has no workload. What could not be mapped is
listed in the header comment and on stderr. A file that is not valid JSON is
an error naming file:line:col (exit 2).`

func cmdImportAWS(e *env, args []string) error {
	fs := newFlagSet(e, "import aws", "import aws DIR [flags]", importAWSAbout)
	out := fs.String("out", "", "write the scenario to `FILE` (atomically) instead of stdout")
	name := fs.String("name", "", "the scenario's `NAME` (default: the folder's name)")
	span := registerImportSpan(fs)
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
		return usageErrorf("pipeshare import aws: name one snapshot folder (got %d; see pipeshare import aws --help)", fs.NArg())
	}
	if err := span.check(); err != nil {
		return err
	}
	dir := fs.Arg(0)
	if st, err := os.Stat(dir); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return inputError(fmt.Errorf("%s: no such folder", dir))
		}
		return inputError(err)
	} else if !st.IsDir() {
		return inputError(fmt.Errorf("%s: not a folder (import aws reads a folder of AWS CLI JSON outputs)", dir))
	}
	fsys, closeDir, err := in.dirFS("an input file", dir)
	if err != nil {
		return inputError(err)
	}
	defer closeDir()
	res, err := importWork(e, *quiet, "import aws "+dir, func(n *readCount) (*imp.Result, error) {
		res, err := imp.AWS(countedFS{fsys, &n.bytes}, dir, imp.Options{Name: *name, Start: *span.start, Duration: *span.duration})
		if err != nil {
			return nil, inputError(err)
		}
		return res, nil
	})
	if err != nil {
		return err
	}
	for _, u := range res.Unmapped {
		fmt.Fprintln(e.stderr, "import aws: could not map: "+u)
	}
	return writeOutput(e, *out, res.Write)
}

// countedFS is an importer's folder that adds the bytes of each file read
// whole from it (fs.ReadFile, by the bounded reader of fsys) to n, for the
// progress line.
type countedFS struct {
	fs.FS
	n *atomic.Int64
}

func (c countedFS) ReadFile(name string) ([]byte, error) {
	data, err := fs.ReadFile(c.FS, name)
	c.n.Add(int64(len(data)))
	return data, err
}
