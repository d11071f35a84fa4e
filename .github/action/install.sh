#!/usr/bin/env bash
# Installs fsar for the action: a released binary, verified, from the
# runner's tool cache when it is there; or, with version "source", a build
# of the action's own checkout with the Go already on the runner.
#
# Inputs come only through the environment, never through ${{ }}:
#   FSAR_VERSION       vX.Y.Z (or vX.Y.Z-pre), "source", or empty for the
#                      version the action was released as
#   FSAR_ACTION_PATH   the action's own checkout
#   FSAR_ACTION_REF    the ref the action is used at (github.action_ref)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_PATH,
#   GITHUB_OUTPUT      as the runner sets them
#   FSAR_RELEASE_URL   where releases are downloaded from; default GitHub's
#                      release downloads of fsar-gate/fsar (https, or http
#                      on the loopback address only)
#   FSAR_ATTESTATION   auto (default: verify the build provenance with
#                      `gh attestation verify` when gh and GH_TOKEN are
#                      there), required, or off
#   GH_TOKEN           the token gh uses for that
#
# It downloads <url>/<tag>/fsar_<version without v>_<os>_<arch>.tar.gz
# (.zip on Windows) and <url>/<tag>/checksums.txt, checks the archive's
# sha256 against its line there, unpacks it into
# RUNNER_TOOL_CACHE/fsar/<version>/<arch>, checks that the binary runs and
# names the version asked for, and only then adds its folder to
# GITHUB_PATH. On any failure it prints an ::error line, leaves nothing in
# the tool cache or on PATH, and exits 1.
set -euo pipefail

repo=fsar-gate/fsar
default_url="https://github.com/$repo/releases/download"

# esc escapes a value for a workflow command's message.
esc() {
  local s=${1//'%'/'%25'}
  s=${s//$'\r'/'%0D'}
  s=${s//$'\n'/'%0A'}
  printf '%s' "$s"
}
fail() {
  echo "::error title=fsar install::$(esc "$*")"
  exit 1
}
note() { echo "::notice title=fsar install::$(esc "$*")"; }
trap 'fail "unexpected failure at line $LINENO of install.sh; fsar is not installed"' ERR

tmp=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/fsar-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

add_to_path() { # add_to_path DIR VERSION: the last step, only after every check passed
  if [ -n "${GITHUB_PATH:-}" ]; then
    echo "$1" >> "$GITHUB_PATH"
  else
    echo "GITHUB_PATH is not set: add $1 to PATH yourself"
  fi
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    { echo "path=$1"; echo "version=$2"; } >> "$GITHUB_OUTPUT"
  fi
}

exe=fsar
case "${RUNNER_OS:-}" in
  Linux) os=linux ;;
  macOS) os=darwin ;;
  Windows) os=windows; exe=fsar.exe ;;
  *) fail "unsupported runner OS '${RUNNER_OS:-}': releases are built for Linux, macOS and Windows" ;;
esac
case "${RUNNER_ARCH:-}" in
  X64) arch=amd64 ;;
  ARM64) arch=arm64 ;;
  *) fail "unsupported runner architecture '${RUNNER_ARCH:-}': releases are built for X64 and ARM64" ;;
esac

version_re='^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$'
tag=${FSAR_VERSION:-}
if [ -z "$tag" ]; then
  # The version the action was released as: the tag it is used at when
  # that is a full version, else the one its release recorded.
  if [[ "${FSAR_ACTION_REF:-}" =~ $version_re ]]; then
    tag=$FSAR_ACTION_REF
  elif [ -n "${FSAR_ACTION_PATH:-}" ] && [ -f "$FSAR_ACTION_PATH/.github/action/version" ]; then
    tag=$(tr -d ' \r\n' < "$FSAR_ACTION_PATH/.github/action/version")
  else
    fail "no version given and none recorded with the action: set the version input to vX.Y.Z or source"
  fi
fi

if [ "$tag" = source ]; then
  if ! command -v go >/dev/null; then
    fail "version 'source' builds fsar with the Go on the runner, and there is none: add actions/setup-go before this action, or use a released version"
  fi
  if [ -z "${FSAR_ACTION_PATH:-}" ] || [ ! -f "$FSAR_ACTION_PATH/go.mod" ]; then
    fail "version 'source' needs the action's checkout (FSAR_ACTION_PATH)"
  fi
  out="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/fsar-source"
  rm -rf "$out"
  mkdir -p "$out"
  echo "building fsar from the action's source with $(go version)"
  if ! (cd "$FSAR_ACTION_PATH" && CGO_ENABLED=0 go build -trimpath -o "$out/$exe" ./cmd/fsar); then
    rm -rf "$out"
    fail "go build of the action's source failed"
  fi
  "$out/$exe" version
  add_to_path "$out" source
  exit 0
fi

if [ "${#tag}" -gt 64 ] || ! [[ "$tag" =~ $version_re ]]; then
  fail "version '$tag' is neither a release such as v1.2.3 nor 'source'"
fi

base=${FSAR_RELEASE_URL:-$default_url}
base=${base%/}
case "$base" in
  https://*) ;;
  http://127.0.0.1:* | http://127.0.0.1/* | http://localhost:* | http://localhost/* | "http://[::1]:"* | "http://[::1]/"*) ;;
  *) fail "FSAR_RELEASE_URL must be an https URL (or http on the loopback address)" ;;
esac

version=${tag#v}
ext=tar.gz
if [ "$os" = windows ]; then ext=zip; fi
asset="fsar_${version}_${os}_${arch}.${ext}"
cache_root=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/fsar-tool-cache}
arch_dir=$(printf '%s' "$RUNNER_ARCH" | tr '[:upper:]' '[:lower:]')
dir="$cache_root/fsar/$version/$arch_dir"

sha256() { # sha256 FILE: its lowercase hex digest
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}

# The tool cache: reused when it was completed and the binary is the one
# recorded then.
if [ -f "$dir.complete" ] && [ -f "$dir/$exe" ]; then
  if [ "$(sha256 "$dir/$exe")" = "$(cat "$dir.complete")" ]; then
    echo "fsar $tag from the tool cache ($dir)"
    "$dir/$exe" version
    add_to_path "$dir" "$tag"
    exit 0
  fi
  echo "::warning title=fsar install::the tool cache's fsar $tag is not the binary installed there: installing it again"
fi
rm -rf "$dir" "$dir.complete"

download() { # download URL FILE WHAT
  local code
  if ! code=$(curl -sSL --retry 3 --max-filesize 268435456 --proto '=https,http' -o "$2" -w '%{http_code}' "$1"); then
    fail "could not download $3 from $1"
  fi
  case "$code" in
    200) ;;
    404) fail "$3 not found at $1 (HTTP 404): is $tag released, with a build for $os/$arch?" ;;
    *) fail "could not download $3 from $1 (HTTP $code)" ;;
  esac
}

download "$base/$tag/checksums.txt" "$tmp/checksums.txt" "checksums.txt of $tag"
download "$base/$tag/$asset" "$tmp/$asset" "$asset"

# The archive's line in checksums.txt: "<sha256>  <name>", exactly one.
want=$(awk -v a="$asset" '$2 == a { print $1 }' "$tmp/checksums.txt")
if [ -z "$want" ]; then
  fail "checksums.txt of $tag has no line for $asset: not installed"
fi
if [ "$(printf '%s\n' "$want" | wc -l)" -ne 1 ] || ! [[ "$want" =~ ^[0-9a-f]{64}$ ]]; then
  fail "checksums.txt of $tag has no single well-formed sha256 for $asset: not installed"
fi
got=$(sha256 "$tmp/$asset")
if [ "$got" != "$want" ]; then
  fail "checksum mismatch for $asset: checksums.txt says $want, the download is $got; not installed"
fi
echo "sha256 of $asset verified against checksums.txt: $got"

attestation=${FSAR_ATTESTATION:-auto}
case "$attestation" in
  auto | required)
    if command -v gh >/dev/null && [ -n "${GH_TOKEN:-}" ]; then
      if ! gh attestation verify "$tmp/$asset" --repo "$repo"; then
        fail "the build provenance of $asset did not verify (gh attestation verify --repo $repo); set attestation to off to rely on the checksum alone"
      fi
      echo "build provenance of $asset verified"
    elif [ "$attestation" = required ]; then
      fail "the build provenance is required, and gh or GH_TOKEN is not there to verify it"
    else
      note "build provenance not verified: gh or GH_TOKEN is missing (the sha256 is verified)"
    fi ;;
  off) ;;
  *) fail "FSAR_ATTESTATION must be auto, required or off" ;;
esac

unpacked="$tmp/unpacked"
mkdir "$unpacked"
if [ "$ext" = zip ]; then
  if command -v unzip >/dev/null; then
    unzip -q "$tmp/$asset" -d "$unpacked" || fail "could not unpack $asset"
  elif command -v 7z >/dev/null; then
    7z x -y -o"$unpacked" "$tmp/$asset" >/dev/null || fail "could not unpack $asset"
  else
    fail "neither unzip nor 7z is there to unpack $asset"
  fi
else
  tar -xzf "$tmp/$asset" -C "$unpacked" --no-same-owner || fail "could not unpack $asset"
fi
if [ -L "$unpacked/$exe" ] || [ ! -f "$unpacked/$exe" ]; then
  fail "$asset holds no $exe"
fi
chmod +x "$unpacked/$exe"
if ! said=$("$unpacked/$exe" version); then
  fail "the fsar in $asset does not run on this runner"
fi
if [ "$(printf '%s\n' "$said" | head -n 1)" != "fsar $tag" ]; then
  fail "the fsar in $asset says '$(printf '%s\n' "$said" | head -n 1)', not 'fsar $tag'"
fi
printf '%s\n' "$said"

mkdir -p "$(dirname "$dir")"
mv "$unpacked" "$dir"
sha256 "$dir/$exe" > "$dir.complete"
echo "fsar $tag installed in $dir"
add_to_path "$dir" "$tag"
