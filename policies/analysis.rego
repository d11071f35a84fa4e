# METADATA
# title: The adversarial analysis
# description: >-
#   A report must list the risks the review found and their mitigations, and
#   they should be about this proposal rather than the generator's canned
#   stub texts.
package fsar.analysis

import data.fsar.lib.report

# METADATA
# title: No risks
# description: >-
#   A report without risks records no adversarial review at all.
# custom:
#   id: risks-empty
#   level: deny
#   remediation: >-
#     Re-run the FSAR so the report lists the risks its adversarial review
#     found.
deny contains f if {
	how := _empty("risks")
	f := {
		"msg": sprintf("the report %s: it records no adversarial review", [how]),
		"rule": "risks-empty",
		"field": "risks",
		"remediation": "Re-run the FSAR so the report lists the risks its adversarial review found.",
	}
}

# METADATA
# title: No mitigations
# description: >-
#   A report without mitigations gives no plan against its risks.
# custom:
#   id: mitigations-empty
#   level: deny
#   remediation: >-
#     Re-run the FSAR so the report lists mitigations for the risks it found.
deny contains f if {
	how := _empty("mitigations")
	f := {
		"msg": sprintf("the report %s: it gives no plan against its risks", [how]),
		"rule": "mitigations-empty",
		"field": "mitigations",
		"remediation": "Re-run the FSAR so the report lists mitigations for the risks it found.",
	}
}

# _empty(key) says how the list key is missing or empty.
_empty(key) := sprintf("has no %s field", [key]) if {
	key in report.missing_fields
} else := sprintf("lists no %s", [key]) if {
	input[key] == []
}

# METADATA
# title: Canned risks only
# description: >-
#   Every risk is one of the generator's canned stub texts: no real analysis
#   of this proposal was made, and treating the report as one is the "trust
#   inflation" the texts warn about.
# custom:
#   id: canned-risks
#   level: warn
#   share: canned
#   remediation: >-
#     Treat the proposal as unreviewed: run the FSAR with a real analysis so
#     the risks are about this proposal.
warn contains f if {
	report.canned_risks
	f := {
		"msg": sprintf("all %d risks are the generator's canned stub texts, not an analysis of this proposal", [count(input.risks)]),
		"rule": "canned-risks",
		"field": "risks",
		"remediation": "Treat the proposal as unreviewed: run the FSAR with a real analysis so the risks are about this proposal.",
	}
}

# METADATA
# title: Canned mitigations only
# description: >-
#   Every mitigation is one of the generator's canned stub texts: the report
#   has no mitigation plan specific to this proposal.
# custom:
#   id: canned-mitigations
#   level: warn
#   share: canned
#   remediation: >-
#     Write mitigations specific to this proposal's risks instead of the
#     generator's stub texts, and re-run the FSAR.
warn contains f if {
	report.canned_mitigations
	f := {
		"msg": sprintf("all %d mitigations are the generator's canned stub texts, not a plan for this proposal", [count(input.mitigations)]),
		"rule": "canned-mitigations",
		"field": "mitigations",
		"remediation": "Write mitigations specific to this proposal's risks instead of the generator's stub texts, and re-run the FSAR.",
	}
}
