package fsar.freshness_test

import data.fsar.freshness
import data.fsar.lib.fixture

_day := 86400000000000

_warn(report) := fs if {
	fs := freshness.warn with input as report with time.now_ns as fixture.now_ns
}

_rules(report) := {f.rule | some f in _warn(report)}

_horizon(h) := fixture.patched({"risk_details": [{"category": "Slow failure", "horizon": h}]})

_at(ns) := fixture.patched({"time_ns": ns})

test_good_report_is_fresh if {
	_rules(fixture.good) == set()
}

# horizon-passed

test_horizon_passed if {
	_warn(_horizon("2026-11-25")) == {{
		"msg": "the first risk's horizon 2026-11-25 is before today, 2026-11-26: re-run the FSAR",
		"rule": "horizon-passed",
		"field": "risks[0]",
	}}
}

test_horizon_boundary if {
	_rules(_horizon("2026-11-26")) == set()
	_rules(_horizon("2026-11-27")) == set()
	_rules(_horizon("2025-12-31")) == {"horizon-passed"}
}

test_horizon_today_is_utc if {
	# 2026-11-26T23:59:59.999999999Z is still the 26th.
	report := _horizon("2026-11-26")
	{f.rule | some f in freshness.warn} == set() with input as report with time.now_ns as (fixture.now_ns + _day) - 1
	next_day := fixture.now_ns + _day
	{f.rule | some f in freshness.warn} == {"horizon-passed"} with input as report with time.now_ns as next_day
}

test_horizon_only_when_well_formed if {
	every details in [
		[{"category": "Slow failure", "horizon": "2026/11/25"}],
		[{"category": "Slow failure", "horizon": "2020/01/01"}],
		[{"category": "Slow failure", "horizon": "2020-1-1"}],
		[{"category": "Slow failure", "horizon": ""}],
		[{"category": "Slow failure", "horizon": 20261125}],
		[{"category": "Slow failure"}, {"horizon": "2020-01-01"}],
		[],
		"2020-01-01",
		[["2020-01-01"]],
	] {
		_rules(fixture.patched({"risk_details": details})) == set()
	}
	_rules(object.remove(fixture.good, ["risk_details"])) == set()
}

# stale-report

test_stale_boundary if {
	_rules(_at(fixture.now_ns - (30 * _day))) == set()
	_rules(_at((fixture.now_ns - (30 * _day)) - 1)) == {"stale-report"}
}

test_stale_finding if {
	_warn(_at(fixture.now_ns - (329 * _day))) == {{
		"msg": "the report is 329 days old, older than the limit of 30 days: re-run the FSAR",
		"rule": "stale-report",
		"field": "timestamp",
	}}
}

test_stale_config if {
	cfg := {"max_age_days": 7}
	_rules(_at(fixture.now_ns - (7 * _day))) == set() with data.fsar.config as cfg
	some f in _warn(_at(fixture.now_ns - (8 * _day))) with data.fsar.config as cfg
	f.msg == "the report is 8 days old, older than the limit of 7 days: re-run the FSAR"
}

test_stale_needs_a_number if {
	_rules(_at("1767219495717000000")) == set()
	_rules(object.remove(fixture.good, ["time_ns"])) == set()
}

# timestamp-future

test_timestamp_future if {
	report := fixture.patched({"timestamp": "2026-11-26T00:00:00.001Z", "time_ns": fixture.now_ns + 1000000})
	_warn(report) == {{
		"msg": "the report's timestamp 2026-11-26T00:00:00.001Z is after the evaluation time 2026-11-26T00:00:00Z",
		"rule": "timestamp-future",
		"field": "timestamp",
	}}
}

test_timestamp_future_boundary if {
	_rules(_at(fixture.now_ns)) == set()
	_rules(_at(fixture.now_ns + 1)) == {"timestamp-future"}
}

_future_msg := concat(" ", [
	"the report's timestamp 1795651200000000001 ns after the epoch",
	"is after the evaluation time 2026-11-26T00:00:00Z",
])

test_timestamp_future_timestamp_not_text if {
	report := object.union(_at(fixture.now_ns + 1), {"timestamp": 1795651200})
	msg := _future_msg
	{f.msg | some f in _warn(report)} == {msg}
}

test_timestamp_future_without_timestamp_text if {
	report := object.remove(_at(fixture.now_ns + 1), ["timestamp"])
	{f.msg | some f in _warn(report)} == {_future_msg}
}
