// cut.mjs keeps the operations that fsar uses from GitHub's REST API
// description, with every component they reference (transitively), and
// prints the subset as JSON. Run it through cut.sh, which fetches the
// pinned @octokit/openapi package first.
//
//	node cut.mjs path/to/api.github.com.json > openapi-subset.json
import { readFileSync } from "node:fs";

// The operations fsar calls, and those its fake GitHub serves.
const operations = [
  ["get", "/user"],
  ["get", "/rate_limit"],
  ["get", "/repos/{owner}/{repo}/pulls/{pull_number}"],
  ["get", "/repos/{owner}/{repo}/pulls/{pull_number}/files"],
  ["get", "/repos/{owner}/{repo}/issues"],
  ["post", "/repos/{owner}/{repo}/issues"],
  ["patch", "/repos/{owner}/{repo}/issues/{issue_number}"],
  ["get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  ["post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  ["patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"],
  ["delete", "/repos/{owner}/{repo}/issues/comments/{comment_id}"],
  ["get", "/repos/{owner}/{repo}/issues/{issue_number}/events"],
  ["get", "/repos/{owner}/{repo}/collaborators/{username}/permission"],
  ["post", "/repos/{owner}/{repo}/check-runs"],
  ["get", "/repos/{owner}/{repo}/check-runs/{check_run_id}"],
  ["patch", "/repos/{owner}/{repo}/check-runs/{check_run_id}"],
  ["get", "/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations"],
  ["get", "/repos/{owner}/{repo}/commits/{ref}/check-runs"],
  ["get", "/repos/{owner}/{repo}/commits/{ref}/check-suites"],
  ["get", "/repos/{owner}/{repo}/commits/{ref}/statuses"],
  ["post", "/repos/{owner}/{repo}/statuses/{sha}"],
];

const file = process.argv[2];
if (!file) {
  console.error("usage: node cut.mjs api.github.com.json");
  process.exit(2);
}
const api = JSON.parse(readFileSync(file, "utf8"));

const paths = {};
for (const [method, path] of operations) {
  const op = api.paths[path]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${path}: not in ${file}`);
  // Path-level parameters go with the path.
  paths[path] ??= {};
  for (const k of ["parameters", "summary", "description"]) {
    if (api.paths[path][k] !== undefined) paths[path][k] = api.paths[path][k];
  }
  paths[path][method] = op;
}

// Follow every "#/components/KIND/NAME" reference, transitively.
const components = {};
const queue = [paths];
const seen = new Set();
while (queue.length > 0) {
  const node = queue.pop();
  if (Array.isArray(node)) {
    queue.push(...node);
    continue;
  }
  if (node === null || typeof node !== "object") continue;
  for (const [k, v] of Object.entries(node)) {
    if (k === "$ref" && typeof v === "string") {
      const m = /^#\/components\/([^/]+)\/([^/]+)$/.exec(v);
      if (!m) throw new Error(`unexpected reference ${v}`);
      const [, kind, name] = m;
      if (seen.has(v)) continue;
      seen.add(v);
      const target = api.components?.[kind]?.[name];
      if (target === undefined) throw new Error(`dangling reference ${v}`);
      (components[kind] ??= {})[name] = target;
      queue.push(target);
    } else {
      queue.push(v);
    }
  }
}

// Deterministic output: paths in the order of the full description,
// components sorted by kind and name.
const orderedPaths = {};
for (const p of Object.keys(api.paths)) if (paths[p]) orderedPaths[p] = paths[p];
const orderedComponents = {};
for (const kind of Object.keys(components).sort()) {
  orderedComponents[kind] = {};
  for (const name of Object.keys(components[kind]).sort()) {
    orderedComponents[kind][name] = components[kind][name];
  }
}

const out = {
  openapi: api.openapi,
  info: { ...api.info, title: `${api.info.title} (subset for fsar)` },
  servers: api.servers,
  paths: orderedPaths,
  components: orderedComponents,
  externalDocs: api.externalDocs,
};
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
