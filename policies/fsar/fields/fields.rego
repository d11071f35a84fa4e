# METADATA
# title: Report fields
# description: >-
#   The report must carry the generator's fields with the generator's types,
#   and an id of the generator's form.
package fsar.fields

import data.fsar.lib.report

# METADATA
# title: Required field missing
# description: >-
#   One of id, timestamp, proposal, severity and block_execution is missing:
#   absent, or listed in input.missing; one finding per field. The generator
#   always writes them, and both existing gates deny a report without one.
#   Missing risks and mitigations are reported by risks-empty and
#   mitigations-empty.
# custom:
#   id: required-field
#   level: deny
#   waivable: false
#   remediation: >-
#     Re-run the FSAR generator so the report carries all its fields, or
#     restore the missing field from the report's twin.
deny contains f if {
	some key in report.missing_fields
	key in report.scalar_fields
	f := {
		"msg": sprintf("the report has no %s field, which the generator always writes", [key]),
		"rule": rego.metadata.rule().custom.id,
		"field": key,
	}
}

# METADATA
# title: Field of the wrong type
# description: >-
#   A present field has the wrong type: id, timestamp and proposal must be
#   strings, severity a number, block_execution a boolean, risks and
#   mitigations lists of strings (reported per element, as risks[1]).
# custom:
#   id: field-type
#   level: deny
#   waivable: false
#   mutation_equivalent:
#     - change: "drop `not report.well_formed`"
#       reason: >-
#         A cheap first test for the common case: a well-formed report has
#         no type problem, so without it the rule finds the same nothing,
#         field by field.
#   remediation: >-
#     Write the field with the generator's type: id, timestamp and proposal as
#     strings, severity as a number, block_execution as true or false, risks
#     and mitigations as lists of strings.
deny contains f if {
	not report.well_formed
	some problem in _type_problems
	f := {
		"msg": problem.msg,
		"rule": rego.metadata.rule().custom.id,
		"field": problem.field,
	}
}

_scalar_types := {
	"id": "string",
	"timestamp": "string",
	"proposal": "string",
	"severity": "number",
	"block_execution": "boolean",
}

_type_problems contains {"field": key, "msg": msg} if {
	some key, want in _scalar_types
	v := input[key]
	type_name(v) != want
	msg := sprintf("%s is %s, not %s", [key, _a(type_name(v)), _a(want)])
}

_type_problems contains {"field": key, "msg": msg} if {
	some key in ["risks", "mitigations"]
	v := input[key]
	not is_array(v)
	msg := sprintf("%s is %s, not a list of strings", [key, _a(type_name(v))])
}

_type_problems contains {"field": field, "msg": msg} if {
	some key in ["risks", "mitigations"]
	is_array(input[key])
	some i, x in input[key]
	not is_string(x)
	field := sprintf("%s[%d]", [key, i])
	msg := sprintf("%s is %s, not a string", [field, _a(type_name(x))])
}

# _a(t) names a value of type t with its article: "a string", "an array", "null".
_a("null") := "null"

_a(t) := sprintf("an %s", [t]) if t in {"array", "object"}

_a(t) := sprintf("a %s", [t]) if not t in {"null", "array", "object"}

# METADATA
# title: Id not of the generator's form
# description: >-
#   The id is not fsar_ followed by a UUID (hex digits in either case): the
#   generator writes no other form, so the report was written or edited by
#   something else.
# custom:
#   id: id-format
#   level: warn
#   remediation: >-
#     Keep the id the generator wrote (fsar_ followed by a UUID), or re-run
#     the FSAR to get a new one.
warn contains f if {
	id := input.id
	is_string(id)
	not regex.match(`^fsar_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`, id)
	f := {
		"msg": sprintf("id %q is not of the generator's form fsar_<uuid>", [id]),
		"rule": rego.metadata.rule().custom.id,
		"field": "id",
	}
}
