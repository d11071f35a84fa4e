# METADATA
# title: Test fixtures
# description: >-
#   A clean, well-formed report (written for these tests) that tests change
#   one field at a time, a report with the generator's canned texts, and the
#   findings of every default package as [level, rule, field] triples.
package fsar.lib.fixture

# The evaluation time of the tests: 2026-11-26T00:00:00Z.
now_ns := 1795651200000000000

# A clean report with a real analysis, written 2026-11-20T10:00:00Z.
good := {
	"id": "fsar_0f8fad5b-d9cb-469f-a165-70867728950e",
	"timestamp": "2026-11-20T10:00:00.000Z",
	"proposal": "idea_implementation: Add a read-only dashboard of cache hit rates to the admin area.\n\n## Scope\n- one new page\n- no schema change",
	"severity": 6,
	"risks": [
		"Slow failure: the dashboard query adds load that slows the admin area by 2028-11-20",
		"Unintended consequence: operators tune for hit rate and evict data users need",
		"Incentive drift: nobody owns the page once the cache work is done",
	],
	"mitigations": [
		"Run the query against the read replica with a 2 second timeout",
		"Show eviction counts beside hit rates",
		"Name an owner in the page footer and review it each quarter",
	],
	"block_execution": false,
	"file": "audit/reports/fsar_proposal_2026-11-20T10-00-00-000Z.md",
	"form": "markdown",
	"missing": [],
	"time": "2026-11-20T10:00:00Z",
	"time_ns": 1795168800000000000,
	"kind": "idea_implementation",
	"risk_details": [
		{"category": "Slow failure", "horizon": "2028-11-20"},
		{"category": "Unintended consequence"},
		{"category": "Incentive drift"},
	],
	"extra": {},
	"markers": [],
	"twin": {"file": "audit/reports/fsar_proposal_2026-11-20T10-00-00-000Z.json", "form": "json"},
	"twin_conflicts": [],
}

# The first canned set of the generator.
canned_risks := [
	"Slow failure: unnoticed degradation accumulating by 2028-11-20",
	"Unintended consequence: incentives shift toward short-term metrics, long-term reliability decays",
	"Incentive drift: stakeholders habituate to optimistic outputs, raising risk of silent defects",
]

canned_mitigations := [
	"Add scheduled adversarial audits with hard pass/fail gates",
	"Track leading indicators for drift and trust inflation; alert on trend change",
	"Prefer reversible rollouts; keep rollback artifacts warm and tested",
]

# A report as the generator writes it without a real analysis.
stub := object.union(good, {"risks": canned_risks, "mitigations": canned_mitigations})

# patched(patch): good with the fields of patch replaced.
patched(patch) := object.union(good, patch)

# without(key): good without the field key, which input.missing lists.
without(key) := object.union(object.remove(good, [key]), {"missing": [key]})

# Every finding of the default packages as [level, rule, field]. (The
# package names are written out: the compiler must see that no "lib" is among
# them.)
findings contains [level, f.rule, f.field] if {
	some pkg in ["fields", "severity", "markers", "secrets", "twins", "analysis", "freshness"]
	some level in ["deny", "review", "warn"]
	some f in data.fsar[pkg][level]
}

# Every finding object of the default packages.
elements contains f if {
	some pkg in ["fields", "severity", "markers", "secrets", "twins", "analysis", "freshness"]
	some level in ["deny", "review", "warn"]
	some f in data.fsar[pkg][level]
}
