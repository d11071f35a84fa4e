#!/usr/bin/env bash
# Runs fsar check for the action. Every value arrives through the
# environment (INPUT_*, GITHUB_*), never by ${{ }} interpolation into this
# script, and reaches fsar as separate arguments: no input is ever
# evaluated by the shell.
set -euo pipefail

out="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/fsar"
mkdir -p "$out"
result="$out/fsar-result.json"
sarif="$out/fsar.sarif"
statement="$out/fsar.intoto.jsonl"

args=(check --format github --output "json=$result" --output "sarif=$sarif" --output "vsa=$statement" --github-output)

# split_list VALUE sets items: one item per line when VALUE has several
# lines (so that a path may hold spaces; each line trimmed, empty lines
# skipped), else the words of its single line. No globbing, no other
# expansion.
split_list() {
  local line
  items=()
  if [[ "$1" == *$'\n'* ]]; then
    while IFS= read -r line || [ -n "$line" ]; do
      line=${line%$'\r'}
      line=${line#"${line%%[![:space:]]*}"}
      line=${line%"${line##*[![:space:]]}"}
      if [ -n "$line" ]; then items+=("$line"); fi
    done <<< "$1"
  else
    read -r -a items <<< "$1" || true
  fi
}

fail_on=${INPUT_FAIL_ON:-review}
case "$fail_on" in
  warn|review|block|never) args+=(--fail-on "$fail_on") ;;
  *) echo "::error title=fsar::fail-on must be warn, review, block or never"; exit 2 ;;
esac

split_list "${INPUT_POLICY:-}"
for p in "${items[@]}"; do args+=(--policy "$p"); done
if [ -n "${INPUT_CONFIG:-}" ]; then args+=(--config "$INPUT_CONFIG"); fi

# On a pull request, judge by the base branch's policies and configuration.
if [ "${INPUT_POLICY_FROM:-base}" = base ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
  if ! git check-ref-format --branch "$GITHUB_BASE_REF" >/dev/null 2>&1; then
    echo "::error title=fsar::the base branch name is not a valid branch name"; exit 2
  fi
  if ! git rev-parse --verify --quiet "refs/remotes/origin/$GITHUB_BASE_REF" >/dev/null; then
    git fetch --no-tags --depth=1 origin "+refs/heads/$GITHUB_BASE_REF:refs/remotes/origin/$GITHUB_BASE_REF"
  fi
  args+=(--policy-ref "refs/remotes/origin/$GITHUB_BASE_REF")
elif [ "${INPUT_POLICY_FROM:-base}" != base ] && [ "${INPUT_POLICY_FROM:-}" != head ]; then
  echo "::error title=fsar::policy-from must be base or head"; exit 2
fi

if [ -n "${INPUT_PUBLISH:-}" ]; then args+=(--publish "$INPUT_PUBLISH"); fi
if [ "${INPUT_CHANGED_ONLY:-false}" = true ]; then args+=(--changed); fi

split_list "${INPUT_PATHS:-.}"
paths=("${items[@]}")
if [ "${#paths[@]}" -eq 0 ]; then paths=(.); fi

set +e
fsar "${args[@]}" -- "${paths[@]}"
status=$?
set -e
exit "$status"
