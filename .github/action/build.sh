#!/usr/bin/env bash
# Builds or installs fsar for the action. Inputs come only through the
# environment: FSAR_VERSION ("action" or a module version), FSAR_ACTION_PATH.
set -euo pipefail
bin="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/fsar-bin"
mkdir -p "$bin"
case "$FSAR_VERSION" in
  action)
    (cd "$FSAR_ACTION_PATH" && go build -trimpath -o "$bin/fsar" ./cmd/fsar) ;;
  v[0-9]*)
    if ! [[ "$FSAR_VERSION" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
      echo "fsar: version '$FSAR_VERSION' is not a module version such as v1.2.3" >&2; exit 2
    fi
    GOBIN="$bin" go install "github.com/fsar-gate/fsar/cmd/fsar@$FSAR_VERSION" ;;
  *)
    echo "fsar: version must be 'action' or a module version such as v1.2.3" >&2; exit 2 ;;
esac
echo "$bin" >> "${GITHUB_PATH:-/dev/null}"
"$bin/fsar" version
