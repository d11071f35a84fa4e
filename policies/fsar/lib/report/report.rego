# METADATA
# title: Typed access to the report
# description: >-
#   Helpers that read input without ever raising an evaluation error: each
#   value is defined only when the field is present with the generator's type.
package fsar.lib.report

import data.fsar.lib.canned

# The five generator fields reported by required-field (risks and mitigations
# are reported by risks-empty and mitigations-empty).
scalar_fields := ["id", "timestamp", "proposal", "severity", "block_execution"]

# The seven fields the generator writes.
fields := {"id", "timestamp", "proposal", "severity", "block_execution", "risks", "mitigations"}

# These helpers run on every report of a sweep, so they are written for the
# evaluator's cost: a fact computed once per report (a complete rule) is
# cheaper than a function called per field or per element, and a test on
# the common case comes first.

# well_formed: the report has all seven fields with the generator's types
# (risks and mitigations lists of strings) and lists none as missing. Most
# reports are; the rules about absent or mistyped fields look no further.
well_formed if {
	input.missing == []
	is_string(input.id)
	is_string(input.timestamp)
	is_string(input.proposal)
	is_number(input.severity)
	is_boolean(input.block_execution)
	is_array(input.risks)
	every x in input.risks {
		is_string(x)
	}
	is_array(input.mitigations)
	every x in input.mitigations {
		is_string(x)
	}
}

# The string elements of risks and mitigations, trimmed; defined when the
# field is a list.
risk_texts := [trim_space(x) | some x in input.risks; is_string(x)] if is_array(input.risks)

mitigation_texts := [trim_space(x) | some x in input.mitigations; is_string(x)] if is_array(input.mitigations)

# has(key): the report has the field, whatever its value (null and false too).
has(key) if _ = input[key]

# missing_fields: the generator's fields the report lacks, by its keys or by
# input.missing (which may also name other keys).
missing_fields := set() if well_formed

else := (fields - _keys) | {key | is_array(input.missing); some key in input.missing}

_keys := object.keys(input) if is_object(input)

else := set()

# missing(key): the report lacks the field, by its keys or by input.missing.
# (A generator field the report lacks is in missing_fields already.)
missing(key) if key in missing_fields

missing(key) if not has(key)

id := input.id if is_string(input.id)

proposal := input.proposal if is_string(input.proposal)

severity := input.severity if is_number(input.severity)

# The markers found in the proposal, as a set.
markers contains m if {
	is_array(input.markers)
	some m in input.markers
	is_string(m)
}

# real_text(x): x is a string with something in it besides white space.
real_text(x) if {
	is_string(x)
	trim_space(x) != ""
}

# real_mitigation_plan: the report lists at least one mitigation that is
# neither blank nor one of the generator's canned texts.
real_mitigation_plan if {
	some t in mitigation_texts
	t != ""
	not t in canned.mitigations
}

# all_canned(key): key (risks or mitigations) is a non-empty list whose
# elements are all canned texts of the generator (canned.risk and
# canned.mitigation for every element).
all_canned("risks") if canned_risks

all_canned("mitigations") if canned_mitigations

# canned_risks: all_canned("risks"), computed once. The lists exactly as the
# generator writes them are recognised first, whole; any other list is
# checked element by element, trimmed, with set operations.
canned_risks if input.risks == canned.second_risks

canned_risks if {
	[dated, r2, r3] := input.risks
	[r2, r3] == canned.first_risks
	is_string(dated)
	regex.match(canned.horizon_risk, dated)
}

canned_risks if {
	n := count(risk_texts)
	n > 0
	n == count(input.risks) # only strings
	every t in {t | some t in risk_texts} - canned.risks {
		regex.match(canned.horizon_risk, t)
	}
}

# canned_mitigations: all_canned("mitigations"), computed once; the
# generator's lists first, whole.
canned_mitigations if input.mitigations in canned.mitigation_lists

canned_mitigations if {
	n := count(mitigation_texts)
	n > 0
	n == count(input.mitigations) # only strings
	count({t | some t in mitigation_texts} - canned.mitigations) == 0
}
