package fsar.lib.config

defaults := {
	"severity_min": 0,
	"severity_max": 75,
	"review_threshold": 25,
	"block_threshold": 45,
	"review_marker_min_severity": 30,
	"max_age_days": 30,
}

config := object.union(defaults, data.fsar.config)
