# A custom policy that echoes report text into its findings, as custom
# policies may: the id in a message, header fields as the rule id and the
# remediation, and the proposal's opening as a message. Reports whose id
# is the generator's (fsar_...) are left alone, so that a hostile file
# name can still pass. Used by the injection tests of internal/report.
package fsar.hostile

# METADATA
# title: Echo the id
# custom:
#   id: echo-id
#   level: deny
deny contains f if {
	is_string(input.id)
	not startswith(input.id, "fsar_")
	f := {
		"msg": sprintf("the id is %s", [input.id]),
		"rule": "echo-id",
		"field": "id",
		"remediation": object.get(input, ["extra", "remediation"], "Nothing to do."),
	}
}

warn contains f if {
	is_string(input.proposal)
	not startswith(object.get(input, "id", ""), "fsar_")
	f := {
		"msg": substring(input.proposal, 0, 3000),
		"rule": object.get(input, ["extra", "rule"], "echo-proposal"),
		"field": "proposal",
	}
}
