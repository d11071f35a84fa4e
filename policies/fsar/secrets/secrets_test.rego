package fsar.secrets_test

import data.fsar.lib.fixture
import data.fsar.secrets

# The test secrets are put together from pieces so that this file holds
# nothing a secret scanner would take for a real credential.
_chars36 := "0123456789abcdefghijklmnopqrstuvwxyz"

_stripe_live := concat("", ["sk", "_live_", "AbCdEf0123456789"])

_stripe_test := concat("", ["rk", "_test_", "AbCdEf0123456789XyZ"])

_aws := concat("", ["AK", "IA", "IOSFODNN7EXAMPLE"])

_aws_sts := concat("", ["AS", "IA", "0123456789ABCDEF"])

_ghp := concat("", ["gh", "p_", _chars36])

_github_pat := concat("", ["github", "_pat_", "11AAAAAAA0_abcdefghijkl"])

_slack := concat("", ["xo", "xb-", "1234-5678-abcd"])

_rsa_key := concat("", ["-----BEGIN RSA ", "PRIVATE KEY-----"])

_deny(proposal) := fs if {
	fs := secrets.deny with input as fixture.patched({"proposal": proposal})
}

_msgs(proposal) := {f.msg | some f in _deny(proposal)}

# The one pass over the hints is all an ordinary proposal costs: none of
# them is in it.
test_hints_miss_an_ordinary_proposal if {
	not secrets._hinted with input as fixture.good
	secrets._hinted with input as fixture.patched({"proposal": "see AKIA here"})
	every hint in secrets._hints {
		count(hint) >= 3
	}
}

test_good_report_has_no_secret if {
	count(secrets.deny) == 0 with input as fixture.good
}

test_secret_finding if {
	_deny(concat("", ["idea_implementation: set STRIPE_KEY=", _stripe_live, " in prod"])) == {{
		"msg": "proposal contains a Stripe key (sk_l****) at its line 1, column 37",
		"rule": "secret",
		"field": "proposal",
	}}
}

test_secret_each_kind if {
	_msgs(_stripe_test) == {"proposal contains a Stripe key (rk_t****) at its line 1, column 1"}
	_msgs(concat("", ["key ", _aws, "."])) == {"proposal contains an AWS access key id (AKIA****) at its line 1, column 5"}
	sts := concat("", ["AWS_KEY_", _aws_sts])
	_msgs(sts) == {"proposal contains an AWS access key id (ASIA****) at its line 1, column 9"}
	_msgs(concat("", ["token: ", _ghp])) == {"proposal contains a GitHub token (ghp_****) at its line 1, column 8"}
	_msgs(_github_pat) == {"proposal contains a GitHub token (gith****) at its line 1, column 1"}
	_msgs(concat("", ["slack ", _slack])) == {"proposal contains a Slack token (xoxb****) at its line 1, column 7"}
	block := concat("\n", ["config:", "", concat("", ["  ", _rsa_key]), "MIIEow", "-----END RSA PRIVATE KEY-----"])
	_msgs(block) == {"proposal contains a private key block (----****) at its line 3, column 3"}
}

test_secret_every_prefix if {
	every prefix in [
		"sk_live_", "sk_test_", "rk_live_", "rk_test_",
		"ghp_", "gho_", "ghu_", "ghs_", "ghr_",
		"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxo-",
	] {
		count(_deny(concat("", ["x ", prefix, _chars36]))) == 1
	}
	every header in [
		"PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY",
		"ENCRYPTED PRIVATE KEY", "PGP PRIVATE KEY BLOCK",
	] {
		count(_deny(concat("", ["-----BEGIN ", header, "-----"]))) == 1
	}
}

test_secret_lengths if {
	count(_deny(concat("", ["sk", "_live_", substring(_chars36, 0, 15)]))) == 0
	count(_deny(concat("", ["sk", "_live_", substring(_chars36, 0, 16)]))) == 1
	count(_deny(concat("", ["AK", "IA", "0123456789ABCDE"]))) == 0
	count(_deny(concat("", ["AK", "IA", "0123456789ABCDEF"]))) == 1
	count(_deny(concat("", ["gh", "p_", substring(_chars36, 0, 35)]))) == 0
	count(_deny(concat("", ["gh", "p_", _chars36]))) == 1
	count(_deny(concat("", ["github", "_pat_", substring(_chars36, 0, 21)]))) == 0
	count(_deny(concat("", ["github", "_pat_", substring(_chars36, 0, 22)]))) == 1
	count(_deny(concat("", ["xo", "xb-", "123456789"]))) == 0
	count(_deny(concat("", ["xo", "xb-", "1234567890"]))) == 1
}

test_secret_not_secrets if {
	every text in [
		"idea_implementation: read the key from the STRIPE_SECRET_KEY variable",
		concat("", ["AK", "IA", "0123456789abcdef"]),
		concat("", ["xAK", "IA", "0123456789ABCDEF"]),
		concat("", ["AK", "IA", "0123456789ABCDEFG"]),
		concat("", ["gh", "x_", _chars36]),
		concat("", ["xo", "xz-", "1234567890"]),
		"-----BEGIN PUBLIC KEY-----",
		"-----BEGIN CERTIFICATE-----",
		"sk_prod_0123456789abcdef",
	] {
		count(_deny(text)) == 0
	}
}

test_secret_masking_never_leaks if {
	every secret in [_stripe_live, _stripe_test, _aws, _aws_sts, _ghp, _github_pat, _slack] {
		some f in _deny(concat("", ["see ", secret, " here"]))
		not contains(f.msg, substring(secret, 0, 5))
		contains(f.msg, concat("", [substring(secret, 0, 4), "****"]))
	}
}

test_secret_one_finding_per_distinct_secret if {
	other := concat("", ["gh", "o_", _chars36])
	count(_deny(concat(" ", [_ghp, _ghp, _ghp]))) == 1
	_msgs(concat("\n", [_ghp, concat("", ["x ", other]), _aws])) == {
		"proposal contains a GitHub token (ghp_****) at its line 1, column 1",
		"proposal contains a GitHub token (gho_****) at its line 2, column 3",
		"proposal contains an AWS access key id (AKIA****) at its line 3, column 1",
	}
}

test_secret_position_counts_characters if {
	_msgs(concat("", ["übergröße\nä ", _ghp])) == {"proposal contains a GitHub token (ghp_****) at its line 2, column 3"}
}

test_secret_needs_a_proposal if {
	count(secrets.deny) == 0 with input as fixture.patched({"proposal": ["x", _ghp]})
	count(secrets.deny) == 0 with input as object.remove(fixture.good, ["proposal"])
}

test_mask if {
	secrets.mask("abcdefgh") == "abcd****"
	secrets.mask("ab") == "ab****"
}
