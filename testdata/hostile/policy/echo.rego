# A custom policy that echoes report text into its findings, as custom
# policies may: the id in a message, a header field as the remediation,
# and the proposal's opening as a message. A finding's rule id must be
# one that METADATA declares, so the hostile rule ids are declared here,
# as a policy from a pull request could, and the proposal's finding takes
# the report's "rule" header field as its id when it is one of them.
# Reports whose id is the generator's (fsar_...) are left alone, so that
# a hostile file name can still pass. Used by the injection tests of
# internal/report.
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

# METADATA
# title: Echo the proposal
# custom:
#   id: echo-proposal
#   level: warn
warn contains f if {
	is_string(input.proposal)
	not startswith(object.get(input, "id", ""), "fsar_")
	f := {
		"msg": substring(input.proposal, 0, 3000),
		"rule": _rule,
		"field": "proposal",
	}
}

_rule := r if {
	r := input.extra.rule
	r in {
		"::error::rule-id @org/team `x` | ##[warning]",
		"echo\n::error::rule on a new line",
	}
} else := "echo-proposal"

# METADATA
# title: A hostile rule id
# custom:
#   id: "::error::rule-id @org/team `x` | ##[warning]"
#   level: warn
warn contains "never" if false

# METADATA
# title: A hostile rule id on two lines
# custom:
#   id: "echo\n::error::rule on a new line"
#   level: warn
warn contains "never" if false
