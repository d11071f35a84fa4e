package fsar.severity

import data.fsar.lib.config.config

# METADATA
# title: Severity at or above the hard threshold
# description: A report whose severity reaches block_threshold is blocked.
# custom:
#   id: severity-hard
#   level: deny
#   remediation: Lower the risk and re-rate the proposal, or split it.
deny contains {
	"rule": "severity-hard",
	"msg": sprintf("severity %v is at or above the hard threshold %v", [input.severity, config.block_threshold]),
	"field": "severity",
} if {
	input.severity >= config.block_threshold
}

# METADATA
# title: Severity outside the scale
# custom:
#   id: severity-scale
#   level: deny
#   remediation: Use a severity between severity_min and severity_max.
deny contains {
	"rule": "severity-scale",
	"msg": sprintf("severity %v is outside the scale %v..%v", [input.severity, config.severity_min, config.severity_max]),
	"field": "severity",
} if {
	not in_scale
}

in_scale if {
	input.severity >= config.severity_min
	input.severity <= config.severity_max
}

# METADATA
# title: Severity needs review
# custom:
#   id: severity-review
#   level: review
#   remediation: Ask a maintainer to approve.
review contains {
	"rule": "severity-review",
	"msg": sprintf("severity %v is at or above the review threshold %v", [input.severity, config.review_threshold]),
	"field": "severity",
} if {
	input.severity >= config.review_threshold
	input.severity < config.block_threshold
}
