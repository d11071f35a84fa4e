package fsar.severity_test

import data.fsar.lib.fixture
import data.fsar.severity

_deny(report) := fs if {
	fs := severity.deny with input as report
}

_review(report) := fs if {
	fs := severity.review with input as report
}

# _rules(report) is the set of [level, rule] the severity package gives report.
_rules(report) := {["deny", f.rule] | some f in _deny(report)} | {["review", f.rule] | some f in _review(report)}

_sev(n, block) := fixture.patched({"severity": n, "block_execution": block})

# A report with a real mitigation plan and severity n.
_planned(n) := _sev(n, false)

# A report with the canned mitigations and severity n.
_stubbed(n) := object.union(fixture.stub, {"severity": n})

test_good_report_has_no_severity_findings if {
	_rules(fixture.good) == set()
}

# severity-scale

test_severity_scale_bounds if {
	_rules(_sev(0, false)) == set()
	_rules(_sev(-1, false)) == {["deny", "severity-scale"]}
	_rules(_sev(75, true)) == {["deny", "block-execution"], ["deny", "severity-hard"]}
	_rules(_sev(76, true)) == {["deny", "severity-scale"], ["deny", "block-execution"], ["deny", "severity-hard"]}
	_rules(_sev(-0.5, false)) == {["deny", "severity-scale"]}
}

test_severity_scale_finding if {
	_deny(_sev(-1, false)) == {{
		"msg": "severity -1 is outside the scale 0 to 75",
		"rule": "severity-scale",
		"field": "severity",
	}}
}

test_severity_scale_config if {
	cfg := {"severity_min": 1, "severity_max": 10}
	_rules(_sev(10, false)) == set() with data.fsar.config as cfg
	some f in _deny(_sev(11, false)) with data.fsar.config as cfg
	f.msg == "severity 11 is outside the scale 1 to 10"
	_rules(_sev(0, false)) == {["deny", "severity-scale"]} with data.fsar.config as cfg
}

# block-execution

test_block_execution_true if {
	some f in _deny(_sev(6, true))
	f == {
		"msg": "block_execution is true: the FSAR blocked execution and human review is required",
		"rule": "block-execution",
		"field": "block_execution",
	}
	_rules(_sev(6, true)) == {["deny", "block-execution"]}
}

test_block_execution_not_true if {
	_rules(_sev(6, false)) == set()
	_rules(_sev(6, "true")) == set()
	_rules(_sev(6, 1)) == set()
	_rules(object.remove(fixture.good, ["block_execution"])) == set()
}

# severity-hard

test_severity_hard_boundary if {
	_rules(_sev(44, true)) == {["deny", "block-execution"], ["review", "severity-review"]}
	_rules(_sev(45, true)) == {["deny", "block-execution"], ["deny", "severity-hard"]}
	_rules(_sev(48, true)) == {["deny", "block-execution"], ["deny", "severity-hard"]}
}

test_severity_hard_finding if {
	some f in _deny(_sev(48, true))
	f == {
		"msg": "severity 48 is at or above the hard threshold 45: execution is blocked and needs human review",
		"rule": "severity-hard",
		"field": "severity",
	}
}

test_severity_hard_config if {
	cfg := {"block_threshold": 40}
	some f in _deny(_sev(40, true)) with data.fsar.config as cfg
	f.msg == "severity 40 is at or above the hard threshold 40: execution is blocked and needs human review"
	_rules(_sev(39, false)) == {["review", "severity-review"]} with data.fsar.config as cfg
}

test_severity_hard_ignores_a_non_number_threshold if {
	_rules(_sev(30, false)) == {["review", "severity-review"]} with data.fsar.config as {"block_threshold": "10"}
}

test_severity_rules_ignore_non_numbers if {
	_rules(_sev("48", false)) == set()
	_rules(object.remove(fixture.good, ["severity"])) == set()
}

# severity-review and severity-unmitigated

test_severity_review_boundaries if {
	_rules(_planned(24)) == set()
	_rules(_planned(25)) == {["review", "severity-review"]}
	_rules(_planned(44)) == {["review", "severity-review"]}
	_rules(_planned(44.9)) == {["review", "severity-review"]}
	_rules(_planned(45)) == {["deny", "severity-hard"], ["deny", "severity-edited"]}
}

test_severity_review_finding if {
	_review(_planned(30)) == {{
		"msg": concat(" ", [
			"severity 30 is at or above the review threshold 25 and below the hard threshold 45:",
			"a human must check the mitigation plan",
		]),
		"rule": "severity-review",
		"field": "severity",
	}}
}

test_severity_review_config if {
	cfg := {"review_threshold": 20, "block_threshold": 30}
	_rules(_planned(19)) == set() with data.fsar.config as cfg
	some f in _review(_planned(20)) with data.fsar.config as cfg
	f.msg == concat(" ", [
		"severity 20 is at or above the review threshold 20 and below the hard threshold 30:",
		"a human must check the mitigation plan",
	])
	_rules(_planned(30)) == {["deny", "severity-hard"]} with data.fsar.config as cfg
}

test_severity_review_with_some_real_mitigation if {
	mitigations := array.concat(fixture.canned_mitigations, ["Ship behind a flag that ops can turn off"])
	report := object.union(_planned(30), {"mitigations": mitigations})
	_rules(report) == {["review", "severity-review"]}
}

test_severity_unmitigated_boundaries if {
	_rules(_stubbed(24)) == set()
	_rules(_stubbed(25)) == {["deny", "severity-unmitigated"]}
	_rules(_stubbed(44)) == {["deny", "severity-unmitigated"]}
	_rules(_stubbed(45)) == {["deny", "severity-hard"], ["deny", "severity-edited"]}
}

test_severity_unmitigated_finding if {
	_deny(_stubbed(25)) == {{
		"msg": concat(" ", [
			"severity 25 is at or above the review threshold 25 and below the hard threshold 45,",
			"and the report has no real mitigation plan (mitigations missing, empty or all canned)",
		]),
		"rule": "severity-unmitigated",
		"field": "severity",
	}}
}

test_severity_unmitigated_without_plan if {
	every mitigations in [
		[], ["", "  "], "Add tests", [1, 2], fixture.canned_mitigations,
		["Bias toward reversible, cheap experiments first"],
	] {
		_rules(object.union(_planned(30), {"mitigations": mitigations})) == {["deny", "severity-unmitigated"]}
	}
	_rules(object.remove(_planned(30), ["mitigations"])) == {["deny", "severity-unmitigated"]}
}

# severity-edited

test_severity_edited if {
	_deny(_sev(45, false)) == {
		{
			"msg": concat(" ", [
				"severity 45 is at or above 45, from which the generator always sets block_execution,",
				"but block_execution is false: the report was edited",
			]),
			"rule": "severity-edited",
			"field": "block_execution",
		},
		{
			"msg": "severity 45 is at or above the hard threshold 45: execution is blocked and needs human review",
			"rule": "severity-hard",
			"field": "severity",
		},
	}
}

test_severity_edited_not if {
	_rules(_sev(45, true)) == {["deny", "block-execution"], ["deny", "severity-hard"]}
	_rules(_sev(44, false)) == {["review", "severity-review"]}
	_rules(object.remove(_sev(50, false), ["block_execution"])) == {["deny", "severity-hard"]}
	_rules(_sev(50, "false")) == {["deny", "severity-hard"]}
}

# The generator's threshold is its own: a gate's lower block threshold
# does not make a generator report look edited.
test_severity_edited_not_by_config if {
	_rules(_sev(35, false)) == {["deny", "severity-hard"]} with data.fsar.config as {"block_threshold": 35}
	cfg := {"block_threshold": 35}
	_rules(_sev(45, false)) == {["deny", "severity-hard"], ["deny", "severity-edited"]} with data.fsar.config as cfg
	["deny", "severity-edited"] in _rules(_sev(45, false)) with data.fsar.config as {"block_threshold": 50}
	not ["deny", "severity-hard"] in _rules(_sev(45, false)) with data.fsar.config as {"block_threshold": 50}
}
