package fsar.twins_test

import data.fsar.lib.fixture
import data.fsar.twins

_deny(report) := fs if {
	fs := twins.deny with input as report
}

_conflicts(conflicts) := fixture.patched({
	"file": "r.md",
	"twin": {"file": "r.json", "form": "json"},
	"twin_conflicts": conflicts,
})

test_good_report_has_no_conflict if {
	count(_deny(fixture.good)) == 0
	count(_deny(object.remove(fixture.good, ["twin", "twin_conflicts"]))) == 0
	count(_deny(fixture.patched({"twin_conflicts": {"field": "severity"}}))) == 0
}

test_twin_conflict_shows_values if {
	_deny(_conflicts([{"field": "severity", "value": 6, "twin_value": 48}])) == {{
		"msg": "r.md and r.json disagree on severity: r.md has 6, r.json has 48",
		"rule": "twin-conflict",
		"field": "severity",
	}}
}

test_twin_conflict_hides_the_proposal if {
	conflict := {"field": "proposal", "value": "idea_implementation: a", "twin_value": "idea_implementation: b"}
	_deny(_conflicts([conflict])) == {{
		"msg": "r.md and r.json disagree on proposal",
		"rule": "twin-conflict",
		"field": "proposal",
	}}
}

test_twin_conflict_one_per_field if {
	conflicts := [
		{"field": "block_execution", "value": false, "twin_value": true},
		{"field": "risks", "value": ["a"], "twin_value": ["a", "b"]},
		{"field": "id", "value": "fsar_a"},
	]
	{[f.field, f.msg] | some f in _deny(_conflicts(conflicts))} == {
		["block_execution", "r.md and r.json disagree on block_execution: r.md has false, r.json has true"],
		["risks", `r.md and r.json disagree on risks: r.md has ["a"], r.json has ["a","b"]`],
		["id", `r.md and r.json disagree on id: r.md has "fsar_a", r.json has nothing`],
	}
}

test_twin_conflict_without_file_names if {
	conflict := {"field": "timestamp", "value": null, "twin_value": "2026-11-20T10:00:00.000Z"}
	report := object.remove(fixture.patched({"twin_conflicts": [conflict]}), ["file", "twin"])
	{f.msg | some f in _deny(report)} == {concat(" ", [
		"the report and its twin disagree on timestamp:",
		`the report has null, its twin has "2026-11-20T10:00:00.000Z"`,
	])}
}

test_twin_conflict_file_names_not_text if {
	conflict := {"field": "severity", "value": 6, "twin_value": 7}
	report := fixture.patched({"file": 5, "twin": {"file": ["r.json"]}, "twin_conflicts": [conflict]})
	{f.msg | some f in _deny(report)} == {"the report and its twin disagree on severity: the report has 6, its twin has 7"}
}

test_twin_conflict_malformed_element if {
	{[f.field, f.msg] | some f in _deny(_conflicts(["severity", {"field": 3}]))} == {
		["twin_conflicts[0]", "r.md and r.json disagree on twin_conflicts[0]: r.md has nothing, r.json has nothing"],
		["twin_conflicts[1]", "r.md and r.json disagree on twin_conflicts[1]: r.md has nothing, r.json has nothing"],
	}
}
