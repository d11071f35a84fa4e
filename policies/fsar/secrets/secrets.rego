# METADATA
# title: Secrets in the proposal
# description: >-
#   Proposal texts are written by language models and copied into reports
#   that are committed and shared; a credential in one is leaked.
package fsar.secrets

import data.fsar.lib.report

# The kinds of secret looked for. Each pattern's first group is the secret.
patterns := [
	{"kind": "a Stripe key", "hints": ["_live_", "_test_"], "re": `((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,})`},
	{
		"kind": "an AWS access key id", "hints": ["AKIA", "ASIA"],
		"re": `(?:^|[^0-9A-Za-z])((?:AKIA|ASIA)[0-9A-Z]{16})(?:[^0-9A-Za-z]|$)`,
	},
	{"kind": "a GitHub token", "hints": ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], "re": `(gh[pousr]_[A-Za-z0-9]{36,})`},
	{"kind": "a GitHub token", "hints": ["github_pat_"], "re": `(github_pat_[A-Za-z0-9_]{22,})`},
	{"kind": "a Slack token", "hints": ["xox"], "re": `(xox[bpaors]-[A-Za-z0-9-]{10,})`},
	{"kind": "a private key block", "hints": ["PRIVATE KEY"], "re": `(-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----)`},
]

# mask(s) keeps at most the first 4 characters of a secret.
mask(s) := sprintf("%s****", [substring(s, 0, 4)])

# METADATA
# title: Secret in the proposal
# description: >-
#   The proposal contains a Stripe key, an AWS access key id, a GitHub or
#   Slack token or a private key block; one finding per distinct secret,
#   showing only its first 4 characters and its line and column in the
#   proposal. Reports are committed and shared: a credential in one is leaked.
# custom:
#   id: secret
#   level: deny
#   waivable: false
#   mutation_equivalent:
#     - change: "drop `_hinted`"
#       reason: >-
#         A cheap first look for every pattern at once; each pattern's own
#         look (_may_hold) and its regular expression decide the same.
#     - change: "drop `_may_hold(p, pattern)`"
#       reason: >-
#         A cheap first look before the regular expression, which alone
#         finds the same secrets.
#     - change: "-1 → -2"
#       reason: >-
#         regex.find_all_string_submatch_n returns every match for any
#         negative count.
#   remediation: >-
#     Revoke and reissue the secret now, remove it from the proposal and the
#     report's history, and re-run the FSAR.
deny contains f if {
	_hinted
	p := report.proposal
	some pattern in patterns
	_may_hold(p, pattern)
	some m in regex.find_all_string_submatch_n(pattern.re, p, -1)
	secret := m[1]
	at := _position(p, secret)
	f := {
		"msg": sprintf("proposal contains %s (%s) at its line %d, column %d", [pattern.kind, mask(secret), at[0], at[1]]),
		"rule": rego.metadata.rule().custom.id,
		"field": "proposal",
	}
}

# _position(p, s) is [line, column] (from 1) of the first s in p.
_position(p, s) := [count(lines), count(lines[count(lines) - 1]) + 1] if {
	lines := split(substring(p, 0, indexof(p, s)), "\n")
}

# _hinted: the proposal holds one of the patterns' hints. Most proposals hold
# none, and for them this one pass over the hints is all the rule costs.
_hinted if {
	p := report.proposal
	some hint in _hints
	contains(p, hint)
}

# Every pattern's hints (computed once when the policies load).
_hints := [hint | some pattern in patterns; some hint in pattern.hints]

# _may_hold(p, pattern) is a cheap first look: the text holds a literal that
# every match of the pattern contains. The regular expression runs only
# then, which keeps the rule fast on the reports that hold no secret.
_may_hold(p, pattern) if {
	some hint in pattern.hints
	contains(p, hint)
}
