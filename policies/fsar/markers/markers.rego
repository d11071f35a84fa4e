# METADATA
# title: Markers and severity cues
# description: >-
#   The generator raises severity and blocks execution on cues in the proposal
#   text ([fsar_block], [fsar_review], "irreversible", "data loss"); a report
#   whose severity or verdict does not follow its cues was edited or mis-scored.
package fsar.markers

import data.fsar.lib.config
import data.fsar.lib.cues
import data.fsar.lib.report

# METADATA
# title: Block marker without a block
# description: >-
#   The proposal carries the [fsar_block] marker while block_execution is
#   false: the generator always sets it for that marker, so the report was
#   edited.
# custom:
#   id: marker-block-edited
#   level: deny
#   waivable: false
#   remediation: >-
#     Restore block_execution to true or re-run the FSAR; a proposal marked
#     [fsar_block] must not be executed automatically.
deny contains f if {
	is_array(input.markers)
	"fsar_block" in input.markers
	input.block_execution == false
	f := {
		"msg": _block_edited_msg,
		"rule": rego.metadata.rule().custom.id,
		"field": "proposal",
	}
}

# Messages are cut to Regal's line length; a rule that does not depend on
# the input is computed once, when the policies load.
_block_edited_msg := concat(" ", [
	"the proposal carries the [fsar_block] marker but block_execution is false,",
	"which the generator cannot write: the report was edited",
])

# METADATA
# title: Review marker with a low severity
# description: >-
#   The proposal carries the [fsar_review] marker and severity is below
#   review_marker_min_severity (30 by default): the generator gives such a
#   proposal at least 30, so the severity was edited or under-rated.
# custom:
#   id: under-rated-review-marker
#   level: review
#   remediation: >-
#     Have a human check the proposal and its severity, and re-run the FSAR so
#     the severity reflects the [fsar_review] marker.
review contains f if {
	is_array(input.markers)
	"fsar_review" in input.markers
	sev := report.severity
	sev < config.review_marker_min_severity
	f := {
		"msg": sprintf(_review_marker_msg, [sev, config.review_marker_min_severity]),
		"rule": rego.metadata.rule().custom.id,
		"field": "severity",
	}
}

_review_marker_msg := concat(" ", [
	"the proposal carries the [fsar_review] marker but severity %v is below %v,",
	"the least such a proposal is given: the severity is under-rated",
])

# METADATA
# title: Irreversible change with a low severity
# description: >-
#   The proposal mentions "irreversible" or "data loss" (in any case) and
#   severity is below block_threshold: the generator scores such a proposal
#   48, so the severity was edited or under-rated.
# custom:
#   id: under-rated-irreversible
#   share: under_rated_irreversible
#   level: review
#   remediation: >-
#     Have a human confirm the change is reversible and cannot lose data, or
#     score its severity again and re-run the FSAR.
review contains f if {
	terms := _irreversible_terms
	count(terms) > 0
	sev := report.severity
	sev < config.block_threshold
	f := {
		"msg": sprintf(
			"the proposal mentions %s but severity %v is below the hard threshold %v: the severity is under-rated",
			[concat(" and ", terms), sev, config.block_threshold],
		),
		"rule": rego.metadata.rule().custom.id,
		"field": "severity",
	}
}

# The cue words found in the proposal, quoted, in a fixed order.
_irreversible_terms := [sprintf("%q", [t]) |
	some t in cues.irreversible_terms
	contains(_proposal_lower, t)
]

# The proposal in lower case, computed once per report: proposals run to
# kilobytes.
_proposal_lower := lower(report.proposal)
