package fsar.execution

# METADATA
# title: Execution is blocked
# custom:
#   id: block-execution
#   level: deny
#   remediation: Resolve what made the generator block execution.
deny contains {
	"rule": "block-execution",
	"msg": "the report asks to block execution",
	"field": "block_execution",
} if {
	input.block_execution == true
}

# METADATA
# title: Block marker
# custom:
#   id: marker-block
#   level: deny
deny contains {
	"rule": "marker-block",
	"msg": "the proposal carries the fsar_block marker",
	"field": sprintf("markers[%d]", [i]),
} if {
	some i, m in input.markers
	m == "fsar_block"
}

# METADATA
# title: Review marker on an under-rated proposal
# custom:
#   id: under-rated-review-marker
#   level: review
review contains {
	"rule": "under-rated-review-marker",
	"msg": sprintf("the proposal asks for review but its severity %v is under %v", [input.severity, data.fsar.config.review_marker_min_severity]),
	"field": "severity",
} if {
	"fsar_review" in input.markers
	input.severity < object.get(data.fsar.config, "review_marker_min_severity", 30)
}
