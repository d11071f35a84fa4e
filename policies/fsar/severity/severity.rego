# METADATA
# title: Severity and block_execution
# description: >-
#   The gate on the report's severity (likelihood x damage x reversibility,
#   0 to 75) and on the generator's own block_execution verdict.
package fsar.severity

import data.fsar.lib.config
import data.fsar.lib.report

# METADATA
# title: Severity outside the scale
# description: >-
#   Severity is outside severity_min to severity_max (0 to 75 by default: the
#   generator scores 5 x 5 x 3 at most); the gate cannot judge such a score.
# custom:
#   id: severity-scale
#   level: deny
#   remediation: >-
#     Score the risk on the generator's scale (likelihood 1-5 x damage 1-5 x
#     reversibility 1-3) and re-run the FSAR.
deny contains f if {
	not _in_scale
	sev := report.severity
	f := {
		"msg": sprintf("severity %v is outside the scale %v to %v", [sev, config.severity_min, config.severity_max]),
		"rule": rego.metadata.rule().custom.id,
		"field": "severity",
	}
}

_in_scale if {
	sev := report.severity
	sev >= config.severity_min
	sev <= config.severity_max
}

# METADATA
# title: Execution blocked by the report
# description: >-
#   block_execution is true: the generator sets it when severity is at or
#   above 45 or the proposal carries the [fsar_block] marker.
# custom:
#   id: block-execution
#   level: deny
#   remediation: >-
#     Do not execute the proposal automatically: have a human review it, or
#     revise the proposal and re-run the FSAR.
deny contains f if {
	input.block_execution == true
	f := {
		"msg": "block_execution is true: the FSAR blocked execution and human review is required",
		"rule": rego.metadata.rule().custom.id,
		"field": "block_execution",
	}
}

# METADATA
# title: Severity at or above the hard threshold
# description: >-
#   Severity is at or above block_threshold (45 by default): a hard block; the
#   proposal cannot proceed automatically and needs human review.
# custom:
#   id: severity-hard
#   level: deny
#   remediation: >-
#     Have a human review and approve the proposal outside the automatic path,
#     or make it smaller and reversible and re-run the FSAR.
deny contains f if {
	sev := report.severity
	sev >= config.block_threshold
	f := {
		"msg": sprintf(
			"severity %v is at or above the hard threshold %v: execution is blocked and needs human review",
			[sev, config.block_threshold],
		),
		"rule": rego.metadata.rule().custom.id,
		"field": "severity",
	}
}

# METADATA
# title: Severity in the review band, with a mitigation plan
# description: >-
#   Severity is at or above review_threshold (25 by default) and below
#   block_threshold, and the report has a real mitigation plan (at least one
#   mitigation that is neither blank nor canned): the proposal may proceed
#   once a human has checked the plan.
# custom:
#   id: severity-review
#   level: review
#   remediation: >-
#     Have a reviewer with write access check the mitigation plan against the
#     risks and approve.
review contains f if {
	_in_review_band
	report.real_mitigation_plan
	sev := report.severity
	f := {
		"msg": sprintf(_review_msg, [sev, config.review_threshold, config.block_threshold]),
		"rule": rego.metadata.rule().custom.id,
		"field": "severity",
	}
}

# METADATA
# title: Severity in the review band, without a mitigation plan
# description: >-
#   Severity is in the band of severity-review, and the report has no real
#   mitigation plan (mitigations missing, empty, blank or all canned): the
#   proposal cannot proceed until a plan exists.
# custom:
#   id: severity-unmitigated
#   level: deny
#   remediation: >-
#     Write mitigations specific to this proposal's risks and re-run the FSAR;
#     the generator's canned texts are not a plan.
deny contains f if {
	_in_review_band
	not report.real_mitigation_plan
	sev := report.severity
	f := {
		"msg": sprintf(_unmitigated_msg, [sev, config.review_threshold, config.block_threshold]),
		"rule": rego.metadata.rule().custom.id,
		"field": "severity",
	}
}

# Messages are cut to Regal's line length; a rule that does not depend on
# the input is computed once, when the policies load.
_band_msg := "severity %v is at or above the review threshold %v and below the hard threshold %v"

_review_msg := concat("", [_band_msg, ": a human must check the mitigation plan"])

_unmitigated_msg := concat("", [
	_band_msg,
	", and the report has no real mitigation plan (mitigations missing, empty or all canned)",
])

# _in_review_band: the severity is in the review band (computed once for the
# two rules that use it).
_in_review_band if {
	sev := report.severity
	sev >= config.review_threshold
	sev < config.block_threshold
}

# METADATA
# title: Severity and block_execution disagree
# description: >-
#   Severity is at or above 45, the generator's own threshold (not the
#   configurable one), while block_execution is false: the generator always
#   sets it there, so the report was edited or made by something else.
# custom:
#   id: severity-edited
#   level: deny
#   waivable: false
#   remediation: >-
#     Restore the report as the generator wrote it, or re-run the FSAR; never
#     edit a report's verdict by hand.
deny contains f if {
	sev := report.severity
	sev >= generator_block_threshold
	input.block_execution == false
	f := {
		"msg": sprintf(_edited_msg, [sev, generator_block_threshold]),
		"rule": rego.metadata.rule().custom.id,
		"field": "block_execution",
	}
}

_edited_msg := concat(" ", [
	"severity %v is at or above %v, from which the generator always sets block_execution,",
	"but block_execution is false: the report was edited",
])

# generator_block_threshold is the generator's own rule, not the gate's
# configurable one: it sets block_execution exactly when severity >= 45 (or
# the [fsar_block] marker is present), whatever threshold a gate applies.
generator_block_threshold := 45
