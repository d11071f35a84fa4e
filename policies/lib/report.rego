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

# has(key): the report has the field, whatever its value (null and false too).
has(key) if _ = input[key]

# missing(key): the report lacks the field, by its keys or by input.missing.
missing(key) if not has(key)

missing(key) if {
	is_array(input.missing)
	key in input.missing
}

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
	is_array(input.mitigations)
	some m in input.mitigations
	real_text(m)
	not canned.mitigation(m)
}

# all_canned(key): key (risks or mitigations) is a non-empty list whose
# elements are all canned texts of the generator.
all_canned("risks") if {
	_non_empty_list("risks")
	every r in input.risks {
		canned.risk(r)
	}
}

all_canned("mitigations") if {
	_non_empty_list("mitigations")
	every m in input.mitigations {
		canned.mitigation(m)
	}
}

_non_empty_list(key) if {
	is_array(input[key])
	count(input[key]) > 0
}
