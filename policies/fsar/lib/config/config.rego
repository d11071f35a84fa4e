# METADATA
# title: Configuration of the default bundle
# description: >-
#   The defaults of the keys the default rules read, data.fsar.config
#   (.fsar.yaml) merged over them, and the values the rules use.
package fsar.lib.config

# The keys the default bundle reads and their defaults.
defaults := {
	"severity_min": 0,
	"severity_max": 75,
	"review_threshold": 25,
	"block_threshold": 45,
	"review_marker_min_severity": 30,
	"max_age_days": 30,
}

# data.fsar.config when it is an object (it is base data from .fsar.yaml).
user := c if {
	c := data.fsar.config
	is_object(c)
} else := {}

# The configuration file merged over the defaults.
config := object.union(defaults, user)

# values: the configured numbers over the defaults; a configured value that
# is not a number is ignored (a rule never compares against a string).
values := object.union(defaults, {key: v | some key, v in user; is_number(v)})

# value(key) is the configured number for key, or its default.
value(key) := values[key]

severity_min := values.severity_min

severity_max := values.severity_max

review_threshold := values.review_threshold

block_threshold := values.block_threshold

review_marker_min_severity := values.review_marker_min_severity

max_age_days := values.max_age_days
