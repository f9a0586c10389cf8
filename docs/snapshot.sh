#!/usr/bin/env bash
# snapshot.sh DIR: save the AWS CLI outputs that `pipeshare import aws DIR`
# reads (the organization, its OUs, accounts and SCPs; the account's RAM
# shares; its SageMaker pipelines) as JSON files named after the calls.
#
# Needs only the AWS CLI (v2) and bash. Run it with credentials of the
# account that owns the pipelines and shares; the organizations calls need
# the management account or a delegated administrator and are skipped (with
# a note) when they fail, e.g. for a standalone account. Set AWS_REGION or
# AWS_PROFILE as usual; RAM and SageMaker are Regional.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
mkdir -p "$dir"

# save FILE CMD...: run one CLI call with JSON output into DIR/FILE; on
# failure remove the partial file, say so, and return 1.
save() {
  local name=$1 file=$dir/$1
  shift
  if aws "$@" --output json >"$file.tmp"; then
    mv "$file.tmp" "$file"
  else
    rm -f "$file.tmp"
    echo "snapshot.sh: skipped $name (aws $* failed)" >&2
    return 1
  fi
}

# words CMD...: run one CLI call whose --query yields a list of IDs as text.
words() {
  local out
  out=$(aws "$@" --output text) || return 1
  [[ $out == None ]] && return 0
  printf '%s\n' $out
}

# --- AWS Organizations ---
walk_ous() { # PARENT_ID: accounts and child OUs of one parent, recursively
  local parent=$1 child
  save "list-accounts-for-parent-$parent.json" organizations list-accounts-for-parent --parent-id "$parent" || true
  save "list-organizational-units-for-parent-$parent.json" \
    organizations list-organizational-units-for-parent --parent-id "$parent" || return 0
  for child in $(words organizations list-organizational-units-for-parent --parent-id "$parent" \
    --query 'OrganizationalUnits[].Id'); do
    walk_ous "$child"
  done
}

if save describe-organization.json organizations describe-organization; then
  save list-accounts.json organizations list-accounts || true
  if save list-roots.json organizations list-roots; then
    for root in $(words organizations list-roots --query 'Roots[].Id'); do
      walk_ous "$root"
    done
  fi
  if save list-policies.json organizations list-policies --filter SERVICE_CONTROL_POLICY; then
    for policy in $(words organizations list-policies --filter SERVICE_CONTROL_POLICY --query 'Policies[].Id'); do
      save "describe-policy-$policy.json" organizations describe-policy --policy-id "$policy" || true
      save "list-targets-for-policy-$policy.json" organizations list-targets-for-policy --policy-id "$policy" || true
    done
  fi
fi

# --- AWS RAM (shares this account owns) ---
if save get-resource-shares.json ram get-resource-shares --resource-owner SELF; then
  save get-resource-share-associations-principal.json \
    ram get-resource-share-associations --association-type PRINCIPAL || true
  save get-resource-share-associations-resource.json \
    ram get-resource-share-associations --association-type RESOURCE || true
  save get-resource-share-invitations.json ram get-resource-share-invitations || true
  for share in $(words ram get-resource-shares --resource-owner SELF --query 'resourceShares[].resourceShareArn'); do
    save "list-resource-share-permissions-${share##*/}.json" \
      ram list-resource-share-permissions --resource-share-arn "$share" || true
  done
fi

# --- Amazon SageMaker Pipelines ---
if save list-pipelines.json sagemaker list-pipelines; then
  for pipeline in $(words sagemaker list-pipelines --query 'PipelineSummaries[].PipelineName'); do
    save "describe-pipeline-$pipeline.json" sagemaker describe-pipeline --pipeline-name "$pipeline" || true
  done
fi

echo "snapshot.sh: wrote $dir; next: pipeshare import aws $dir --out scenario.yaml" >&2
