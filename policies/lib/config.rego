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

# value(key) is the configured number for key, or its default when the
# configured value is not a number (a rule never compares against a string).
value(key) := v if {
	v := config[key]
	is_number(v)
} else := defaults[key]

severity_min := value("severity_min")

severity_max := value("severity_max")

review_threshold := value("review_threshold")

block_threshold := value("block_threshold")

review_marker_min_severity := value("review_marker_min_severity")

max_age_days := value("max_age_days")
