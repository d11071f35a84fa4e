# METADATA
# title: Twin reports
# description: >-
#   The generator writes every report twice, as markdown and as JSON, with the
#   same fields; twins that disagree mean one of them was edited.
package fsar.twins

# METADATA
# title: Twins disagree
# description: >-
#   The markdown report and its JSON twin disagree on a field (proposal
#   compared without carriage returns); one finding per field, with both
#   values except for the proposal, which can be long. One of the files was
#   edited.
# custom:
#   id: twin-conflict
#   level: deny
#   waivable: false
#   remediation: >-
#     Find out which file was edited, then restore it or regenerate both files
#     from one FSAR run so the twins agree.
deny contains f if {
	is_array(input.twin_conflicts)
	some i, c in input.twin_conflicts
	field := _field(c, i)
	f := {
		"msg": _msg(c, field),
		"rule": rego.metadata.rule().custom.id,
		"field": field,
	}
}

# The conflicting field's name, or the conflict's place when it has none.
_field(c, i) := c.field if is_string(c.field)

else := sprintf("twin_conflicts[%d]", [i])

_file := input.file if is_string(input.file)

else := "the report"

_twin_file := input.twin.file if is_string(input.twin.file)

else := "its twin"

_msg(_, "proposal") := sprintf("%s and %s disagree on proposal", [_file, _twin_file])

_msg(c, field) := sprintf("%s and %s disagree on %s: %s has %s, %s has %s", [
	_file, _twin_file, field,
	_file, _value(c, "value"),
	_twin_file, _value(c, "twin_value"),
]) if {
	field != "proposal"
}

# _value(c, key) is the conflict's value as JSON, or "nothing" when absent.
_value(c, key) := v if v := json.marshal(c[key])

else := "nothing"
