package fsar.lib.sweep_test

import data.fsar.lib.sweep

test_defaults if {
	sweep.severity_scale == {"min": 0, "max": 75, "review": 25, "block": 45}
	sweep.irreversible_terms == ["irreversible", "data loss"]
	sweep.min_age_days == {"stale": 30}
}

# A sweep cuts bands where the configuration puts the thresholds.
test_configured if {
	cfg := {"review_threshold": 20, "block_threshold": 50, "max_age_days": 90}
	sweep.severity_scale == {"min": 0, "max": 75, "review": 20, "block": 50} with data.fsar.config as cfg
	sweep.min_age_days == {"stale": 90} with data.fsar.config as cfg
}
