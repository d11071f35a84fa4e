package fsar.all_test

import data.fsar.lib.fixture

# Every finding of the whole default bundle for report, as [level, rule, field].
_findings(report) := fs if {
	fs := fixture.findings with input as report with time.now_ns as fixture.now_ns
}

_elements(report) := fs if {
	fs := fixture.elements with input as report with time.now_ns as fixture.now_ns
}

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

test_every_finding_is_well_formed if {
	every report in fixture.bad_reports {
		every f in _elements(report) {
			object.keys(f) == {"msg", "rule", "field"}
			is_string(f.msg)
			is_string(f.field)
			is_string(f.rule)
			not contains(f.msg, "\n")
		}
	}
}
