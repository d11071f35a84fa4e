package fsar.lib.report_test

import data.fsar.lib.canned
import data.fsar.lib.fixture
import data.fsar.lib.report

test_well_formed if {
	report.well_formed with input as fixture.good
	report.well_formed with input as fixture.stub
	not report.well_formed with input as fixture.patched({"risks": {"a": "b"}})
	not report.well_formed with input as fixture.patched({"mitigations": {"a": "b"}})
	not report.well_formed with input as fixture.patched({"risks": ["a", 1]})
	not report.well_formed with input as fixture.patched({"mitigations": ["a", null]})
	not report.well_formed with input as fixture.patched({"missing": ["owner"]})
	not report.well_formed with input as fixture.patched({"severity": "6"})
}

test_texts_only_of_lists if {
	report.risk_texts == ["a", "b"] with input as {"risks": [" a ", 1, "b"]}
	report.mitigation_texts == ["c"] with input as {"mitigations": ["c\t"]}
	not report.risk_texts with input as {"risks": {"x": "a"}}
	not report.mitigation_texts with input as {"mitigations": {"x": "a"}}
}

test_has_counts_false_and_null if {
	report.has("block_execution") with input as {"block_execution": false}
	report.has("id") with input as {"id": null}
	not report.has("id") with input as {"severity": 6}
	not report.has("id") with input as "id"
}

test_missing if {
	report.missing("id") with input as {}
	report.missing("id") with input as {"id": "x", "missing": ["id"]}
	not report.missing("id") with input as {"id": "x", "missing": ["severity"]}
	not report.missing("id") with input as {"id": "x", "missing": "id"}
	not report.missing("id") with input as {"id": "x", "missing": {"a": "id"}}
	report.missing("team") with input as {"id": "x"}
	report.missing("team") with input as {"team": "x", "missing": ["team"]}
	not report.missing("team") with input as {"team": null}
	report.missing_fields == report.fields with input as "not a report"
	odd := object.remove(object.union(fixture.good, {"missing": ["severity", 3]}), ["risks"])
	report.missing_fields == {"severity", "risks", 3} with input as odd
}

test_typed_values if {
	report.severity == 6 with input as fixture.good
	not report.severity with input as {"severity": "6"}
	report.id == fixture.good.id with input as fixture.good
	not report.id with input as {"id": 1}
	report.proposal == fixture.good.proposal with input as fixture.good
	not report.proposal with input as {"proposal": ["x"]}
	report.markers == {"fsar_review"} with input as {"markers": ["fsar_review", 3, "fsar_review"]}
	report.markers == set() with input as {"markers": "fsar_review"}
	report.markers == set() with input as {"markers": {"a": "fsar_review"}}
}

test_real_text if {
	report.real_text(" a ")
	not report.real_text(" \t")
	not report.real_text(1)
}

test_real_mitigation_plan if {
	report.real_mitigation_plan with input as fixture.good
	not report.real_mitigation_plan with input as fixture.stub
	not report.real_mitigation_plan with input as {"mitigations": [" ", 1]}
	not report.real_mitigation_plan with input as {"mitigations": "Add tests"}
}

test_all_canned if {
	report.all_canned("risks") with input as fixture.stub
	report.all_canned("mitigations") with input as fixture.stub
	not report.all_canned("risks") with input as fixture.good
	not report.all_canned("mitigations") with input as {"mitigations": []}
	not report.all_canned("proposal") with input as fixture.stub
}

test_canned_texts if {
	every r in fixture.canned_risks {
		canned.risk(r)
	}
	every m in fixture.canned_mitigations {
		canned.mitigation(m)
	}
	canned.risk("Slow failure: unnoticed degradation accumulating by 2030-01-01")
	not canned.risk("Slow failure: unnoticed degradation accumulating by 2030-1-1")
	not canned.risk(["Silent failure modes if monitoring is weak"])
	not canned.mitigation(3)
	not canned.mitigation("Write a real plan")
	not canned.risk("Data drift: the nightly import doubles rows")
	count(canned.risks) == 5
	count(canned.mitigations) == 6
}

test_all_canned_generator_list_shape if {
	[dated, r2, r3] := fixture.canned_risks
	report.all_canned("risks") with input as {"risks": [dated, r2, r3]}
	not report.all_canned("risks") with input as {"risks": [dated, "Data drift: rows double", "Cost: the bill grows"]}
	not report.all_canned("risks") with input as {"risks": [5, r2, r3]}
	report.all_canned("risks") with input as {"risks": [r2]}
	not report.all_canned("risks") with input as {"risks": [r2, 1]}
	not report.all_canned("mitigations") with input as {"mitigations": [canned.first_mitigations[0], 1]}
	not report.all_canned("risks") with input as {"risks": {"a": r2}}
	not report.all_canned("mitigations") with input as {"mitigations": {"a": canned.first_mitigations[0]}}
}

test_all_canned_beyond_the_generator_lists if {
	padded := [concat("", [" ", r, "\t"]) | some r in fixture.canned_risks]
	report.all_canned("risks") with input as {"risks": padded}
	report.all_canned("risks") with input as {"risks": array.reverse(fixture.canned_risks)}
	report.all_canned("risks") with input as {"risks": canned.second_risks}
	report.all_canned("risks") with input as {"risks": array.concat(canned.second_risks, canned.first_risks)}
	report.all_canned("mitigations") with input as {"mitigations": array.reverse(canned.second_mitigations)}
	report.all_canned("mitigations") with input as {"mitigations": [concat("", [canned.first_mitigations[0], " "])]}
	not report.all_canned("risks") with input as {"risks": [1, 2, 3]}
	undated := "Slow failure: unnoticed degradation accumulating by 2030-1-1"
	not report.all_canned("risks") with input as {"risks": [undated, canned.first_risks[0], canned.first_risks[1]]}
	planned := array.concat(canned.first_mitigations, ["Write a real plan"])
	not report.all_canned("mitigations") with input as {"mitigations": planned}
}
