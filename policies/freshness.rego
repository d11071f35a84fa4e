# METADATA
# title: Freshness of the review
# description: >-
#   An FSAR looks two years ahead from the day it was written; an old review,
#   one whose horizon has passed or one dated in the future needs a new run.
package fsar.freshness

import data.fsar.lib.config

_ns_per_day := 86400000000000

# Today's date at the evaluation time, UTC, as YYYY-MM-DD.
_today := sprintf("%04d-%02d-%02d", time.date(time.now_ns()))

# METADATA
# title: Horizon passed
# description: >-
#   The first risk ends with the review's horizon date (two years after it);
#   once that date has passed, the retrospection it imagined is over.
# custom:
#   id: horizon-passed
#   level: warn
#   remediation: >-
#     Re-run the FSAR: the horizon the review looked to has passed.
warn contains f if {
	horizon := input.risk_details[0].horizon
	is_string(horizon)
	horizon < _today # cheaper than the pattern, and false for most reports
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, horizon)
	f := {
		"msg": sprintf("the first risk's horizon %s is before today, %s: re-run the FSAR", [horizon, _today]),
		"rule": "horizon-passed",
		"field": "risks[0]",
		"remediation": "Re-run the FSAR: the horizon the review looked to has passed.",
	}
}

# METADATA
# title: Stale report
# description: >-
#   The report is older than max_age_days: the proposal and what it touches
#   may have changed since the review.
# custom:
#   id: stale-report
#   level: warn
#   share: stale
#   remediation: >-
#     Re-run the FSAR so the review reflects the current state of the
#     proposal.
warn contains f if {
	t := input.time_ns
	is_number(t)
	age := time.now_ns() - t
	age > config.max_age_days * _ns_per_day
	f := {
		"msg": sprintf("the report is %v days old, older than the limit of %v days: re-run the FSAR", [floor(age / _ns_per_day), config.max_age_days]),
		"rule": "stale-report",
		"field": "timestamp",
		"remediation": "Re-run the FSAR so the review reflects the current state of the proposal.",
	}
}

# METADATA
# title: Timestamp in the future
# description: >-
#   The report is dated after the evaluation time: a clock was wrong or the
#   timestamp was edited.
# custom:
#   id: timestamp-future
#   level: warn
#   remediation: >-
#     Check the clock of the machine that wrote the report and the report's
#     timestamp, and re-run the FSAR if it was edited.
warn contains f if {
	t := input.time_ns
	is_number(t)
	now := time.now_ns()
	t > now
	f := {
		"msg": sprintf("the report's timestamp %s is after the evaluation time %s", [_written(t), time.format(now)]),
		"rule": "timestamp-future",
		"field": "timestamp",
		"remediation": "Check the clock of the machine that wrote the report and the report's timestamp, and re-run the FSAR if it was edited.",
	}
}

# _written(t) is the timestamp as written, or t in nanoseconds without one.
_written(t) := input.timestamp if is_string(input.timestamp)

else := sprintf("%v ns after the epoch", [t])
