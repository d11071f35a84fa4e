package fsar.analysis_test

import data.fsar.analysis
import data.fsar.lib.fixture

_deny(report) := fs if {
	fs := analysis.deny with input as report
}

_warn(report) := fs if {
	fs := analysis.warn with input as report
}

_rules(report) := {["deny", f.rule] | some f in _deny(report)} | {["warn", f.rule] | some f in _warn(report)}

test_good_report_has_no_analysis_findings if {
	_rules(fixture.good) == set()
}

# risks-empty and mitigations-empty

test_risks_missing if {
	_deny(fixture.without("risks")) == {{
		"msg": "the report has no risks field: it records no adversarial review",
		"rule": "risks-empty",
		"field": "risks",
	}}
	_rules(object.remove(fixture.good, ["risks"])) == {["deny", "risks-empty"]}
}

test_risks_empty if {
	msgs := {f.msg | some f in _deny(fixture.patched({"risks": []}))}
	msgs == {"the report lists no risks: it records no adversarial review"}
}

test_mitigations_missing if {
	_deny(fixture.without("mitigations")) == {{
		"msg": "the report has no mitigations field: it gives no plan against its risks",
		"rule": "mitigations-empty",
		"field": "mitigations",
	}}
}

test_mitigations_empty if {
	msgs := {f.msg | some f in _deny(fixture.patched({"mitigations": []}))}
	msgs == {"the report lists no mitigations: it gives no plan against its risks"}
}

test_listed_missing_despite_elements if {
	# input.missing names the field: it is missing, whatever the list holds
	{f.msg | some f in _deny(object.union(fixture.good, {"missing": ["risks", "mitigations"]}))} == {
		"the report has no risks field: it records no adversarial review",
		"the report has no mitigations field: it gives no plan against its risks",
	}
}

test_empty_lists_not if {
	_rules(fixture.patched({"risks": ["x"], "mitigations": ["y"]})) == set()
	_rules(fixture.patched({"risks": "", "mitigations": {}})) == set()
	_rules(fixture.patched({"risks": null})) == set()
}

# canned-risks and canned-mitigations

test_canned_stub_report if {
	_warn(fixture.stub) == {
		{
			"msg": "all 3 risks are the generator's canned stub texts, not an analysis of this proposal",
			"rule": "canned-risks",
			"field": "risks",
		},
		{
			"msg": "all 3 mitigations are the generator's canned stub texts, not a plan for this proposal",
			"rule": "canned-mitigations",
			"field": "mitigations",
		},
	}
}

test_canned_second_set if {
	report := fixture.patched({
		"risks": [
			"Silent failure modes if monitoring is weak",
			"Second-order costs due to over-automation",
			"Trust inflation from optimistic summaries",
		],
		"mitigations": [
			"Add runtime checks and alerts on critical paths",
			"Bias toward reversible, cheap experiments first",
			"Enforce periodic FSAR reruns with updated data",
		],
	})
	_rules(report) == {["warn", "canned-risks"], ["warn", "canned-mitigations"]}
}

test_canned_mixed_sets_and_subsets if {
	report := fixture.patched({
		"risks": [
			"Trust inflation from optimistic summaries",
			"Slow failure: unnoticed degradation accumulating by 2031-02-03",
		],
		"mitigations": ["  Enforce periodic FSAR reruns with updated data  "],
	})
	{f.msg | some f in _warn(report)} == {
		"all 2 risks are the generator's canned stub texts, not an analysis of this proposal",
		"all 1 mitigations are the generator's canned stub texts, not a plan for this proposal",
	}
}

test_canned_not_when_one_text_is_real if {
	report := fixture.patched({
		"risks": array.concat(fixture.canned_risks, ["Data drift: the nightly import doubles rows"]),
		"mitigations": array.concat(["Add a unique index on import_id"], fixture.canned_mitigations),
	})
	_rules(report) == set()
}

test_canned_horizon_needs_a_date if {
	every risk in [
		"Slow failure: unnoticed degradation accumulating by soon",
		"Slow failure: unnoticed degradation accumulating by 2028-11-20 or later",
		"slow failure: unnoticed degradation accumulating by 2028-11-20",
	] {
		_rules(fixture.patched({"risks": [risk]})) == set()
	}
}

test_canned_not_for_odd_lists if {
	_rules(fixture.patched({"risks": [], "mitigations": []})) == {["deny", "risks-empty"], ["deny", "mitigations-empty"]}
	_rules(fixture.patched({"risks": [1], "mitigations": [null]})) == set()
	_rules(fixture.patched({"risks": fixture.canned_risks[0]})) == set()
}
