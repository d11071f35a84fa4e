package fsar.all_test

import data.fsar.lib.fixture

# Every finding of the whole default bundle for report, as [level, rule, field].
_findings(report) := fs if {
	fs := fixture.findings with input as report with time.now_ns as fixture.now_ns
}

_elements(report) := fs if {
	fs := fixture.elements with input as report with time.now_ns as fixture.now_ns
}

# The level each rule's findings are reported at.
_levels := {
	"required-field": "deny",
	"field-type": "deny",
	"severity-scale": "deny",
	"block-execution": "deny",
	"severity-hard": "deny",
	"severity-review": "review",
	"severity-unmitigated": "deny",
	"severity-edited": "deny",
	"marker-block-edited": "deny",
	"under-rated-review-marker": "review",
	"under-rated-irreversible": "review",
	"secret": "deny",
	"twin-conflict": "deny",
	"risks-empty": "deny",
	"mitigations-empty": "deny",
	"canned-risks": "warn",
	"canned-mitigations": "warn",
	"horizon-passed": "warn",
	"stale-report": "warn",
	"id-format": "warn",
	"timestamp-future": "warn",
}

# Reports that between them set off every rule.
_bad_reports := [
	fixture.without("id"),
	fixture.patched({"severity": "48", "risks": [1]}),
	fixture.patched({"severity": 80, "block_execution": true}),
	fixture.patched({"severity": 50, "markers": ["fsar_block"]}),
	fixture.patched({"severity": 30}),
	object.union(fixture.stub, {"severity": 30}),
	fixture.patched({"markers": ["fsar_review"], "proposal": concat("", ["data loss; token ", "gh", "p_", "0123456789abcdefghijklmnopqrstuvwxyz"])}),
	fixture.patched({"twin_conflicts": [{"field": "severity", "value": 6, "twin_value": 7}]}),
	fixture.patched({"risks": [], "mitigations": []}),
	object.union(fixture.stub, {"id": "fsar_1", "time_ns": fixture.now_ns + 1}),
	fixture.patched({"risk_details": [{"horizon": "2020-01-01"}], "time_ns": 0}),
	"not a report",
	null,
]

test_clean_report_has_no_findings if {
	_findings(fixture.good) == set()
}

test_generator_stub_report_only_warns if {
	_findings(fixture.stub) == {["warn", "canned-risks", "risks"], ["warn", "canned-mitigations", "mitigations"]}
}

test_old_stub_report_also_stale if {
	fs := fixture.findings with input as fixture.stub with time.now_ns as fixture.now_ns + (365 * 86400000000000)
	fs == {
		["warn", "canned-risks", "risks"],
		["warn", "canned-mitigations", "mitigations"],
		["warn", "stale-report", "timestamp"],
	}
}

test_generator_blocked_report if {
	report := object.union(fixture.stub, {
		"proposal": "self_improvement: rewrite the ledger in place; irreversible",
		"severity": 48,
		"block_execution": true,
	})
	_findings(report) == {
		["deny", "block-execution", "block_execution"],
		["deny", "severity-hard", "severity"],
		["warn", "canned-risks", "risks"],
		["warn", "canned-mitigations", "mitigations"],
	}
}

test_every_rule_fires_at_its_level if {
	seen := {[level, rule] | some report in _bad_reports; some [level, rule, _] in _findings(report)}
	seen == {[level, rule] | some rule, level in _levels}
}

test_every_finding_is_well_formed if {
	every report in _bad_reports {
		every f in _elements(report) {
			object.keys(f) == {"msg", "rule", "field", "remediation"}
			is_string(f.msg)
			is_string(f.field)
			is_string(f.remediation)
			f.rule in object.keys(_levels)
			not contains(f.msg, "\n")
		}
	}
}
