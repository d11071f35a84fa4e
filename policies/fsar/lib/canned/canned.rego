# METADATA
# title: The generator's canned texts
# description: >-
#   The risk and mitigation texts the FSAR generator writes when no real
#   analysis is available (both canned sets).
package fsar.lib.canned

# The two canned sets, in the order the generator writes them. The first
# set's first risk, "Slow failure: ... by <horizon>", ends with the review's
# horizon date and is matched by horizon_risk; first_risks are the others.
first_risks := [
	"Unintended consequence: incentives shift toward short-term metrics, long-term reliability decays",
	"Incentive drift: stakeholders habituate to optimistic outputs, raising risk of silent defects",
]

horizon_risk := `^Slow failure: unnoticed degradation accumulating by [0-9]{4}-[0-9]{2}-[0-9]{2}$`

first_mitigations := [
	"Add scheduled adversarial audits with hard pass/fail gates",
	"Track leading indicators for drift and trust inflation; alert on trend change",
	"Prefer reversible rollouts; keep rollback artifacts warm and tested",
]

second_risks := [
	"Silent failure modes if monitoring is weak",
	"Second-order costs due to over-automation",
	"Trust inflation from optimistic summaries",
]

second_mitigations := [
	"Add runtime checks and alerts on critical paths",
	"Bias toward reversible, cheap experiments first",
	"Enforce periodic FSAR reruns with updated data",
]

# Both mitigation lists, for a lookup of a whole list.
mitigation_lists := {first_mitigations, second_mitigations}

# The canned risks written verbatim (all but the dated one), and the canned
# mitigations, as sets.
risks := {r | some r in array.concat(first_risks, second_risks)}

mitigations := {m | some m in array.concat(first_mitigations, second_mitigations)}

# risk(x): x is one of the canned risk texts (surrounding white space ignored).
risk(x) if {
	is_string(x)
	trim_space(x) in risks
}

risk(x) if {
	is_string(x)
	regex.match(horizon_risk, trim_space(x))
}

# mitigation(x): x is one of the canned mitigation texts.
mitigation(x) if {
	is_string(x)
	trim_space(x) in mitigations
}
