package fsar.fields_test

import data.fsar.fields
import data.fsar.lib.fixture

_deny(report) := fs if {
	fs := fields.deny with input as report
}

_warn(report) := fs if {
	fs := fields.warn with input as report
}

_type_findings(report) := {[f.field, f.msg] | some f in _deny(report); f.rule == "field-type"}

test_good_report_has_no_field_findings if {
	count(_deny(fixture.good)) == 0
	count(_warn(fixture.good)) == 0
}

# required-field

test_required_field_one_finding_per_missing_field if {
	every key in ["id", "timestamp", "proposal", "severity", "block_execution"] {
		_deny(fixture.without(key)) == {{
			"msg": sprintf("the report has no %s field, which the generator always writes", [key]),
			"rule": "required-field",
			"field": key,
		}}
	}
}

test_required_field_from_keys_alone if {
	report := object.remove(fixture.good, ["severity", "id"])
	{f.field | some f in _deny(report)} == {"severity", "id"}
}

test_required_field_from_missing_alone if {
	report := fixture.patched({"missing": ["timestamp"]})
	{f.field | some f in _deny(report)} == {"timestamp"}
}

test_required_field_ignores_risks_and_mitigations if {
	report := object.remove(fixture.good, ["risks", "mitigations"])
	count(_deny(report)) == 0
}

test_required_field_ignores_unknown_missing_entries if {
	count(_deny(fixture.patched({"missing": ["owner", 3]}))) == 0
}

test_required_field_tolerates_a_malformed_missing if {
	count(_deny(fixture.patched({"missing": "severity"}))) == 0
}

test_required_field_all_when_input_is_not_an_object if {
	every report in ["report", 7, null, [1, 2], {}] {
		{f.field | some f in _deny(report)} == {"id", "timestamp", "proposal", "severity", "block_execution"}
	}
}

test_required_field_present_null_and_false_are_present if {
	{f.rule | some f in _deny(fixture.patched({"block_execution": false}))} == set()
	{f.rule | some f in _deny(fixture.patched({"id": null}))} == {"field-type"}
}

# field-type

test_field_type_scalars if {
	_type_findings(fixture.patched({"id": 12})) == {["id", "id is a number, not a string"]}
	_type_findings(fixture.patched({"timestamp": null})) == {["timestamp", "timestamp is null, not a string"]}
	_type_findings(fixture.patched({"proposal": {"text": "x"}})) == {["proposal", "proposal is an object, not a string"]}
	_type_findings(fixture.patched({"severity": "48"})) == {["severity", "severity is a string, not a number"]}
	be := fixture.patched({"block_execution": "false"})
	_type_findings(be) == {["block_execution", "block_execution is a string, not a boolean"]}
	_type_findings(fixture.patched({"severity": true})) == {["severity", "severity is a boolean, not a number"]}
	_type_findings(fixture.patched({"id": ["fsar_x"]})) == {["id", "id is an array, not a string"]}
}

test_field_type_lists_not_arrays if {
	risks := fixture.patched({"risks": "Slow failure: x"})
	_type_findings(risks) == {["risks", "risks is a string, not a list of strings"]}
	mitigations := fixture.patched({"mitigations": {"a": "b"}})
	_type_findings(mitigations) == {["mitigations", "mitigations is an object, not a list of strings"]}
	_type_findings(fixture.patched({"risks": null})) == {["risks", "risks is null, not a list of strings"]}
}

test_field_type_list_as_object if {
	# an object is not a list, whatever it holds: one finding, none per value
	_type_findings(fixture.patched({"risks": {"a": 1}})) == {["risks", "risks is an object, not a list of strings"]}
}

test_field_type_list_elements if {
	report := fixture.patched({"risks": ["a", 1, null], "mitigations": ["b", ["c"]]})
	_type_findings(report) == {
		["risks[1]", "risks[1] is a number, not a string"],
		["risks[2]", "risks[2] is null, not a string"],
		["mitigations[1]", "mitigations[1] is an array, not a string"],
	}
}

test_field_type_finding_shape if {
	_deny(fixture.patched({"severity": "6"})) == {{
		"msg": "severity is a string, not a number",
		"rule": "field-type",
		"field": "severity",
	}}
}

test_field_type_accepts_good_types if {
	count(_type_findings(fixture.good)) == 0
	count(_type_findings(fixture.patched({"severity": 6.5, "risks": [], "mitigations": []}))) == 0
}

# id-format

test_id_format_accepts_generator_ids if {
	count(_warn(fixture.patched({"id": "fsar_0F8FAD5B-D9CB-469F-A165-70867728950E"}))) == 0
	count(_warn(fixture.good)) == 0
}

test_id_format_warns if {
	every id in [
		"fsar_123",
		"0f8fad5b-d9cb-469f-a165-70867728950e",
		"fsar_0f8fad5b-d9cb-469f-a165-70867728950e ",
		"FSAR_0f8fad5b-d9cb-469f-a165-70867728950e",
		"fsar_0f8fad5b-d9cb-469f-a165-70867728950g",
		"",
	] {
		_warn(fixture.patched({"id": id})) == {{
			"msg": sprintf("id %q is not of the generator's form fsar_<uuid>", [id]),
			"rule": "id-format",
			"field": "id",
		}}
	}
}

test_id_format_message if {
	some f in _warn(fixture.patched({"id": "fsar_123"}))
	f.msg == `id "fsar_123" is not of the generator's form fsar_<uuid>`
}

test_id_format_ignores_non_strings if {
	count(_warn(fixture.patched({"id": 5}))) == 0
	count(_warn(object.remove(fixture.good, ["id"]))) == 0
}
