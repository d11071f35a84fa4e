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
#   The generator always sets block_execution when the proposal carries the
#   [fsar_block] marker; block_execution false beside it means the report was
#   edited.
# custom:
#   id: marker-block-edited
#   level: deny
#   remediation: >-
#     Restore block_execution to true or re-run the FSAR; a proposal marked
#     [fsar_block] must not be executed automatically.
deny contains f if {
	is_array(input.markers)
	"fsar_block" in input.markers
	input.block_execution == false
	f := {
		"msg": "the proposal carries the [fsar_block] marker but block_execution is false, which the generator cannot write: the report was edited",
		"rule": "marker-block-edited",
		"field": "proposal",
		"remediation": "Restore block_execution to true or re-run the FSAR; a proposal marked [fsar_block] must not be executed automatically.",
	}
}

# METADATA
# title: Review marker with a low severity
# description: >-
#   The generator gives a proposal carrying the [fsar_review] marker a
#   severity of at least 30; a lower severity was edited or under-rated.
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
		"msg": sprintf("the proposal carries the [fsar_review] marker but severity %v is below %v, the least such a proposal is given: the severity is under-rated", [sev, config.review_marker_min_severity]),
		"rule": "under-rated-review-marker",
		"field": "severity",
		"remediation": "Have a human check the proposal and its severity, and re-run the FSAR so the severity reflects the [fsar_review] marker.",
	}
}

# METADATA
# title: Irreversible change with a low severity
# description: >-
#   The generator scores a proposal that mentions "irreversible" or "data
#   loss" at 48, above the hard threshold; a lower severity was edited or
#   under-rated.
# custom:
#   id: under-rated-irreversible
#   level: review
#   share: under_rated_irreversible
#   remediation: >-
#     Have a human confirm the change is reversible and cannot lose data, or
#     score its severity again and re-run the FSAR.
review contains f if {
	terms := _irreversible_terms
	count(terms) > 0
	sev := report.severity
	sev < config.block_threshold
	f := {
		"msg": sprintf("the proposal mentions %s but severity %v is below the hard threshold %v: the severity is under-rated", [concat(" and ", terms), sev, config.block_threshold]),
		"rule": "under-rated-irreversible",
		"field": "severity",
		"remediation": "Have a human confirm the change is reversible and cannot lose data, or score its severity again and re-run the FSAR.",
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
