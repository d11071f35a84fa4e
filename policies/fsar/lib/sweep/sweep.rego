# METADATA
# title: What a sweep reads of the policies
# description: >-
#   fsar sweep follows shares of reports over time. Which findings count a
#   report toward a share is said by the rules' METADATA (custom.share);
#   what else a sweep needs to know is here, from the configuration, so
#   that a changed threshold changes the sweep as it changes the verdicts:
#   the severity scale and the thresholds that cut it into bands, the words
#   that make a proposal speak of an irreversible change, and how old a
#   report must be before a share means anything for it.
package fsar.lib.sweep

import data.fsar.lib.config
import data.fsar.lib.cues

# The severity scale and the thresholds that cut it into bands: below
# review, review (up to block), block (up to max).
severity_scale := {
	"min": config.severity_min,
	"max": config.severity_max,
	"review": config.review_threshold,
	"block": config.block_threshold,
}

# The words that make a proposal speak of an irreversible change (any case).
irreversible_terms := cues.irreversible_terms

# Shares that only mean something for reports at least so many days old: a
# report younger than max_age_days cannot be stale yet, so a period whose
# reports are younger says nothing of the stale share.
min_age_days := {"stale": config.max_age_days}
