# METADATA
# title: A weakly tested gate
# description: Its tests run every line and assert little.
package fsar.weak

# METADATA
# title: Severity at or above the block threshold
# custom:
#   id: weak-severity
#   level: deny
#   remediation: Lower the severity, or have a human review the proposal.
deny contains f if {
	input.severity >= 45
	f := {"msg": "severity at or above 45", "rule": rego.metadata.rule().custom.id, "field": "severity"}
}

# METADATA
# title: No owner
# custom:
#   id: weak-owner
#   level: warn
#   remediation: Name an owner in the report's header.
warn contains f if {
	not input.extra.owner
	f := {"msg": "the report names no owner", "rule": rego.metadata.rule().custom.id, "field": "id"}
}
