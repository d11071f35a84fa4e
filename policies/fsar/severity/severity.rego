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
#   The generator scores severity from 0 to 75 (5 x 5 x 3); a value outside
#   the configured scale is not a score the gate can judge.
# custom:
#   id: severity-scale
#   level: deny
#   remediation: >-
#     Score the risk on the generator's scale (likelihood 1-5 x damage 1-5 x
#     reversibility 1-3) and re-run the FSAR.
deny contains f if {
	sev := report.severity
	not _in_scale
	f := {
		"msg": sprintf("severity %v is outside the scale %v to %v", [sev, config.severity_min, config.severity_max]),
		"rule": "severity-scale",
		"field": "severity",
		"remediation": "Score the risk on the generator's scale (likelihood 1-5 x damage 1-5 x reversibility 1-3) and re-run the FSAR.",
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
#   The generator sets block_execution when severity is at or above 45 or the
#   proposal carries the [fsar_block] marker.
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
		"rule": "block-execution",
		"field": "block_execution",
		"remediation": "Do not execute the proposal automatically: have a human review it, or revise the proposal and re-run the FSAR.",
	}
}

# METADATA
# title: Severity at or above the hard threshold
# description: >-
#   A severity at or above the block threshold is a hard block: the proposal
#   cannot proceed automatically and needs human review.
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
		"msg": sprintf("severity %v is at or above the hard threshold %v: execution is blocked and needs human review", [sev, config.block_threshold]),
		"rule": "severity-hard",
		"field": "severity",
		"remediation": "Have a human review and approve the proposal outside the automatic path, or make it smaller and reversible and re-run the FSAR.",
	}
}

# METADATA
# title: Severity in the review band, with a mitigation plan
# description: >-
#   A severity at or above the review threshold and below the block threshold
#   may proceed once a human has checked the report's mitigation plan.
# custom:
#   id: severity-review
#   level: review
#   remediation: >-
#     Have a reviewer with write access check the mitigation plan against the
#     risks and approve.
review contains f if {
	_in_review_band
	sev := report.severity
	report.real_mitigation_plan
	f := {
		"msg": sprintf("severity %v is at or above the review threshold %v and below the hard threshold %v: a human must check the mitigation plan", [sev, config.review_threshold, config.block_threshold]),
		"rule": "severity-review",
		"field": "severity",
		"remediation": "Have a reviewer with write access check the mitigation plan against the risks and approve.",
	}
}

# METADATA
# title: Severity in the review band, without a mitigation plan
# description: >-
#   A severity in the review band cannot proceed until a mitigation plan
#   exists; missing, empty or only canned mitigations are no plan.
# custom:
#   id: severity-unmitigated
#   level: deny
#   remediation: >-
#     Write mitigations specific to this proposal's risks and re-run the FSAR;
#     the generator's canned texts are not a plan.
deny contains f if {
	_in_review_band
	sev := report.severity
	not report.real_mitigation_plan
	f := {
		"msg": sprintf("severity %v is at or above the review threshold %v and below the hard threshold %v, and the report has no real mitigation plan (mitigations missing, empty or all canned)", [sev, config.review_threshold, config.block_threshold]),
		"rule": "severity-unmitigated",
		"field": "severity",
		"remediation": "Write mitigations specific to this proposal's risks and re-run the FSAR; the generator's canned texts are not a plan.",
	}
}

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
#   The generator always sets block_execution when severity is at or above 45:
#   a report with such a severity and block_execution false was edited or made
#   by something else.
# custom:
#   id: severity-edited
#   level: deny
#   remediation: >-
#     Restore the report as the generator wrote it, or re-run the FSAR; never
#     edit a report's verdict by hand.
deny contains f if {
	sev := report.severity
	sev >= generator_block_threshold
	input.block_execution == false
	f := {
		"msg": sprintf("severity %v is at or above %v, from which the generator always sets block_execution, but block_execution is false: the report was edited", [sev, generator_block_threshold]),
		"rule": "severity-edited",
		"field": "block_execution",
		"remediation": "Restore the report as the generator wrote it, or re-run the FSAR; never edit a report's verdict by hand.",
	}
}

# generator_block_threshold is the generator's own rule, not the gate's
# configurable one: it sets block_execution exactly when severity >= 45 (or
# the [fsar_block] marker is present), whatever threshold a gate applies.
generator_block_threshold := 45
