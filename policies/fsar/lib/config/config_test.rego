package fsar.lib.config_test

import data.fsar.lib.config

test_defaults if {
	config.config == config.defaults
	config.severity_min == 0
	config.severity_max == 75
	config.review_threshold == 25
	config.block_threshold == 45
	config.review_marker_min_severity == 30
	config.max_age_days == 30
}

test_file_merged_over_defaults if {
	merged := config.config with data.fsar.config as {"block_threshold": 50, "team": "ops"}
	merged == object.union(config.defaults, {"block_threshold": 50, "team": "ops"})
	config.block_threshold == 50 with data.fsar.config as {"block_threshold": 50}
	config.review_threshold == 25 with data.fsar.config as {"block_threshold": 50}
}

test_non_object_config_is_ignored if {
	config.config == config.defaults with data.fsar.config as "block_threshold: 50"
	config.block_threshold == 45 with data.fsar.config as ["block_threshold", 50]
}

test_non_number_values_fall_back_to_defaults if {
	cfg := {"severity_max": "10", "max_age_days": null, "review_threshold": 20.5}
	config.severity_max == 75 with data.fsar.config as cfg
	config.max_age_days == 30 with data.fsar.config as cfg
	config.value("max_age_days") == 30 with data.fsar.config as cfg
	config.value("review_threshold") == 20.5 with data.fsar.config as cfg
	config.review_threshold == 20.5 with data.fsar.config as cfg
}
