#!/usr/bin/env bash
# cut.sh rebuilds openapi-subset.json and LICENSE from the npm package
# @octokit/openapi (GitHub's REST API description, MIT licence), pinned by
# version and checksum. Needs npm, node and sha256sum.
#
#	bash testdata/github-openapi/cut.sh
set -euo pipefail

version=23.0.2
sha256=71a18407dd5e8464f4e0525daf03deabbe65abd9287d6adc7b5d98f516cd0d0c

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "@octokit/openapi@$version" >/dev/null)
tgz="$tmp/octokit-openapi-$version.tgz"
echo "$sha256  $tgz" | sha256sum --check --quiet -
tar -xzf "$tgz" -C "$tmp" package/LICENSE package/generated/api.github.com.json

node "$here/cut.mjs" "$tmp/package/generated/api.github.com.json" >"$tmp/openapi-subset.json"
mv "$tmp/openapi-subset.json" "$here/openapi-subset.json"
cp "$tmp/package/LICENSE" "$here/LICENSE"
echo "wrote $here/openapi-subset.json and LICENSE from @octokit/openapi@$version"
