package fsar.completeness

import data.fsar.lib.config.config

# METADATA
# title: Missing generator fields
# custom:
#   id: missing-field
#   level: warn
#   remediation: Regenerate the report with every field.
warn contains {
	"rule": "missing-field",
	"msg": sprintf("the report has no %s", [f]),
	"field": f,
} if {
	some f in input.missing
}

# METADATA
# title: Risks without mitigations
# custom:
#   id: unmitigated-risks
#   level: warn
warn contains {
	"rule": "unmitigated-risks",
	"msg": sprintf("%d risks but %d mitigations", [count(input.risks), count(input.mitigations)]),
	"field": "mitigations",
} if {
	count(input.mitigations) < count(input.risks)
}

# METADATA
# title: Stale report
# custom:
#   id: stale-report
#   level: warn
#   remediation: Regenerate the report.
warn contains {
	"rule": "stale-report",
	"msg": sprintf("the report is %d days old (limit %d)", [age_days, config.max_age_days]),
	"field": "timestamp",
} if {
	age_days > config.max_age_days
}

age_days := (time.now_ns() - input.time_ns) / ((24 * 60) * 60e9)

# METADATA
# title: Risk horizon passed
# custom:
#   id: risk-horizon-passed
#   level: warn
warn contains {
	"rule": "risk-horizon-passed",
	"msg": sprintf("risk %d has a horizon in the past (%s)", [i, d.horizon]),
	"field": sprintf("risks[%d]", [i]),
} if {
	some i, d in input.risk_details
	h := time.parse_ns("2006-01-02", d.horizon)
	h < time.now_ns()
}

# METADATA
# title: Unknown kind
# custom:
#   id: unknown-kind
#   level: warn
warn contains {
	"rule": "unknown-kind",
	"msg": sprintf("unknown proposal kind %q", [input.kind]),
	"field": "proposal",
} if {
	not input.kind in {"self_improvement", "idea_implementation", "refactor"}
}
