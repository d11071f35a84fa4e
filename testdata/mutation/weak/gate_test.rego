package fsar.weak_test

import data.fsar.weak

# Far above and far below the threshold: never at it.
test_far_above if {
	count(weak.deny) == 1 with input as {"severity": 70}
}

test_far_below if {
	count(weak.deny) == 0 with input as {"severity": 6}
}

# Only the report without an owner, and only how many findings.
test_no_owner if {
	count(weak.warn) == 1 with input as {"extra": {}}
}
