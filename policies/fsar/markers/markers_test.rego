package fsar.markers_test

import data.fsar.lib.fixture
import data.fsar.markers

_deny(report) := fs if {
	fs := markers.deny with input as report
}

_review(report) := fs if {
	fs := markers.review with input as report
}

_rules(report) := {["deny", f.rule] | some f in _deny(report)} | {["review", f.rule] | some f in _review(report)}

test_good_report_has_no_marker_findings if {
	_rules(fixture.good) == set()
}

# marker-block-edited

test_marker_block_edited if {
	report := fixture.patched({"proposal": "self_improvement: drop the table [fsar_block]", "markers": ["fsar_block"]})
	_deny(report) == {{
		"msg": concat(" ", [
			"the proposal carries the [fsar_block] marker but block_execution is false,",
			"which the generator cannot write: the report was edited",
		]),
		"rule": "marker-block-edited",
		"field": "proposal",
	}}
	both := fixture.patched({"markers": [1, "fsar_review", "fsar_block"]})
	_rules(both) == {["deny", "marker-block-edited"], ["review", "under-rated-review-marker"]}
}

test_marker_block_not_edited if {
	_rules(fixture.patched({"markers": ["fsar_block"], "block_execution": true})) == set()
	_rules(fixture.patched({"markers": ["fsar_block"], "block_execution": "false"})) == set()
	_rules(object.remove(fixture.patched({"markers": ["fsar_block"]}), ["block_execution"])) == set()
	_rules(fixture.patched({"markers": "fsar_block"})) == set()
	_rules(fixture.patched({"markers": {"a": "fsar_block", "b": "fsar_review"}})) == set()
	_rules(fixture.patched({"markers": ["FSAR_BLOCK_x"]})) == set()
	_rules(object.remove(fixture.good, ["markers"])) == set()
}

# under-rated-review-marker

test_under_rated_review_marker_boundary if {
	_rules(fixture.patched({"markers": ["fsar_review"], "severity": 29})) == {["review", "under-rated-review-marker"]}
	_rules(fixture.patched({"markers": ["fsar_review"], "severity": 30})) == set()
}

test_under_rated_review_marker_finding if {
	_review(fixture.patched({"markers": ["fsar_review"]})) == {{
		"msg": concat(" ", [
			"the proposal carries the [fsar_review] marker but severity 6 is below 30,",
			"the least such a proposal is given: the severity is under-rated",
		]),
		"rule": "under-rated-review-marker",
		"field": "severity",
	}}
}

test_under_rated_review_marker_config if {
	cfg := {"review_marker_min_severity": 40}
	at39 := fixture.patched({"markers": ["fsar_review"], "severity": 39})
	_rules(at39) == {["review", "under-rated-review-marker"]} with data.fsar.config as cfg
	_rules(fixture.patched({"markers": ["fsar_review"], "severity": 40})) == set() with data.fsar.config as cfg
}

test_under_rated_review_marker_needs_a_number if {
	_rules(fixture.patched({"markers": ["fsar_review"], "severity": "6"})) == set()
	_rules(object.remove(fixture.patched({"markers": ["fsar_review"]}), ["severity"])) == set()
}

# under-rated-irreversible

test_under_rated_irreversible_finding if {
	report := fixture.patched({"proposal": "idea_implementation: an IRREVERSIBLE migration of the user table"})
	_review(report) == {{
		"msg": concat(" ", [
			`the proposal mentions "irreversible" but severity 6 is below the hard threshold 45:`,
			"the severity is under-rated",
		]),
		"rule": "under-rated-irreversible",
		"field": "severity",
	}}
}

test_under_rated_irreversible_both_terms if {
	report := fixture.patched({"proposal": "risk of Data Loss.\nThe change is irreversible.", "severity": 44})
	some f in _review(report)
	f.msg == concat(" ", [
		`the proposal mentions "irreversible" and "data loss" but severity 44 is below the hard threshold 45:`,
		"the severity is under-rated",
	])
}

test_under_rated_irreversible_boundary if {
	report := fixture.patched({"proposal": "prevents data loss"})
	_rules(object.union(report, {"severity": 44})) == {["review", "under-rated-irreversible"]}
	_rules(object.union(report, {"severity": 45})) == set()
	_rules(object.union(report, {"severity": 40})) == set() with data.fsar.config as {"block_threshold": 40}
}

test_under_rated_irreversible_not if {
	_rules(fixture.patched({"proposal": "a reversible change; data is kept, no loss"})) == set()
	_rules(fixture.patched({"proposal": 42})) == set()
	_rules(fixture.patched({"proposal": "irreversible", "severity": "6"})) == set()
}
