#!/usr/bin/env bash
# Splits fsar's statement ($FSAR_STATEMENT) into what actions/attest takes:
# the predicate, and the subjects as a checksums file (sha256, two spaces,
# the report's repository path). A subject name that would not survive a
# line of its own is refused: the attestation would name other files.
set -euo pipefail

# Keyless signing needs an OIDC token: the permission id-token: write,
# which GitHub never grants to a fork's pull request.
if [ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ]; then
  echo "::warning title=fsar::attest: no OIDC token (the job needs id-token: write; a fork's pull request has none): the verdict is not signed"
  exit 0
fi

predicate="$FSAR_STATEMENT.predicate.json"
subjects="$FSAR_STATEMENT.subjects.txt"
jq -c '.predicate' "$FSAR_STATEMENT" > "$predicate"
if jq -e '[.subject[].name | test("[\\n\\r]")] | any' "$FSAR_STATEMENT" > /dev/null; then
  echo "::error title=fsar::a report path holds a line break; not attested"
  exit 2
fi
jq -r '.subject[] | "\(.digest.sha256)  \(.name)"' "$FSAR_STATEMENT" > "$subjects"
{
  echo "predicate=$predicate"
  echo "subjects=$subjects"
} >> "$GITHUB_OUTPUT"
