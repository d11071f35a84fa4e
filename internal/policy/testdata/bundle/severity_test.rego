package fsar.severity_test

import data.fsar.severity

test_hard if {
	some f in severity.deny with input as {"severity": 50}
	f.rule == "severity-hard"
}

test_review if {
	count(severity.review) == 1 with input as {"severity": 30}
}

test_low_passes if {
	count(severity.deny) == 0 with input as {"severity": 6}
	count(severity.review) == 0 with input as {"severity": 6}
}
