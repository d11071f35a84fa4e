package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func names() []string {
	var out []string
	for _, k := range Core {
		out = append(out, k.Name)
	}
	return out
}

// slips are the slips of the keyboard a key may suffer: a letter left
// out, doubled, or swapped with its neighbour.
func slips(s string) []string {
	var out []string
	for i := range len(s) {
		out = append(out, s[:i]+s[i+1:], s[:i+1]+s[i:])
		if i+1 < len(s) && s[i] != s[i+1] {
			out = append(out, s[:i]+string(s[i+1])+string(s[i])+s[i+2:])
		}
	}
	return out
}

// TestEveryMisspeltKeyIsNamed: every slip of every documented key, and of
// every waiver field, gets that key as its suggestion.
func TestEveryMisspeltKeyIsNamed(t *testing.T) {
	for _, set := range [][]string{names(), waiverFields} {
		for _, key := range set {
			for _, slip := range slips(key) {
				if slip == key {
					continue
				}
				if got := Suggest(slip, set); got != key {
					t.Errorf("Suggest(%q) = %q, want %q", slip, got, key)
				}
			}
		}
	}
	if got := Suggest("owner", names()); got != "" {
		t.Errorf("Suggest(owner) = %q, want nothing", got)
	}
}

func TestUnknownKeys(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"review_threshold: 20\nblock_treshold: 10\n", `.fsar.yaml:2:1: unknown key "block_treshold": did you mean "block_threshold"?`},
		{"Max_Age_Days: 7\n", `.fsar.yaml:1:1: unknown key "Max_Age_Days": did you mean "max_age_days"?`},
		{"owner: ops\n", `.fsar.yaml:1:1: unknown key "owner": expected one of severity_min, `},
		{"waivers:\n  - rule: secret\n    reports: [x]\n    reason: r\n    approved_by: a\n    expiry: 2026-12-01\n", `.fsar.yaml:6:5: waivers[1]: unknown field "expiry": did you mean "expires"?`},
	} {
		f, err := Parse(".fsar.yaml", []byte(c.yaml))
		if err == nil {
			err = f.Resolve(nil)
		}
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant %s", c.yaml, err, c.want)
		}
	}
}

func TestWrongTypes(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"review_threshold: \"5\"\n", `.fsar.yaml:1:19: review_threshold: expected a number, got the string "5" (a quoted number is a string: remove the quotes)`},
		{"max_age_days: -1\n", `.fsar.yaml:1:15: max_age_days: expected a number of 0 or more, got the number -1`},
		{"review_threshold: 45\n", `.fsar.yaml:1:1: review_threshold 45 must be below block_threshold 45`},
		{"block_threshold: 20\n", `.fsar.yaml:1:1: review_threshold 25 must be below block_threshold 20`},
		{"severity_min: 80\n", `.fsar.yaml:1:1: severity_min 80 is above severity_max 75`},
		{"max_waiver_days: 0\n", `.fsar.yaml:1:18: max_waiver_days: expected a whole number of 1 or more, got the number 0`},
		{"max_waiver_days: 1.5\n", `.fsar.yaml:1:18: max_waiver_days: expected a whole number, got the number 1.5`},
		{"block_threshold:\n", `.fsar.yaml:1:17: block_threshold: no value (null): remove the key to keep the default`},
		{"block_threshold: [45]\n", `.fsar.yaml:1:18: block_threshold: expected a number, got a list`},
		{"block_threshold: .inf\n", `.fsar.yaml:1:18: block_threshold: .inf is not a finite number`},
		{"block_threshold: 45\nblock_threshold: 46\n", `.fsar.yaml:2:1: block_threshold is set twice (first at line 1)`},
		{"- block_threshold: 45\n", `.fsar.yaml:1:1: expected a mapping of configuration keys (such as block_threshold: 45), got a list`},
		{"block_threshold: *a\n", `.fsar.yaml: invalid YAML: unknown anchor 'a' referenced`},
		{"review_threshold: 40\n---\nreview_threshold: 20\n", `.fsar.yaml:2:1: a second YAML document (after ---): expected one configuration`},
		{"waivers: {rule: x}\n", `.fsar.yaml:1:10: waivers: expected a list of waivers`},
		{"waivers:\n  - rule: secret\n", `.fsar.yaml:2:5: waivers[1]: reason is missing`},
		{waiver("expires: 2026-13-01"), `.fsar.yaml:6:14: waivers[1]: expires "2026-13-01": expected a date, YYYY-MM-DD`},
		{waiver("expires: next week"), `.fsar.yaml:6:14: waivers[1]: expires "next week": expected a date`},
		{waiver("expires: 2026-12-01\n    ticket: jira-12"), `.fsar.yaml:7:13: waivers[1]: ticket "jira-12": expected an http(s) URL`},
		{strings.Replace(waiver("expires: 2026-12-01"), "reports: [fsar_x]", "reports: []", 1), `.fsar.yaml:3:14: waivers[1]: reports: expected a list of report ids or repository paths (globs), got a list`},
		{strings.Replace(waiver("expires: 2026-12-01"), "reason: r", "reason: \"\"", 1), `.fsar.yaml:4:13: waivers[1]: reason: expected a non-empty string`},
		{strings.Replace(waiver("expires: 2026-12-01"), "reports: [fsar_x]", "reports: [/abs/x.md]", 1), `.fsar.yaml:3:15: waivers[1]: reports: "/abs/x.md": expected a report id, or a path relative to the repository's root`},
		{strings.Replace(waiver("expires: 2026-12-01"), "reports: [fsar_x]", "reports: [\"a/[x.md\"]", 1), `.fsar.yaml:3:15: waivers[1]: reports: "a/[x.md": not a valid glob`},
	} {
		_, err := Parse(".fsar.yaml", []byte(c.yaml))
		var ce *Error
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || (!errors.As(err, &ce)) {
			t.Errorf("%q:\n got %v\nwant %s", c.yaml, err, c.want)
		}
	}
}

func waiver(last string) string {
	return "waivers:\n  - rule: secret\n    reports: [fsar_x]\n    reason: r\n    approved_by: a\n    " + last + "\n"
}

// TestAcceptedBeforeReadTheSame: what the loose reader accepted and used
// (numbers for the documented keys) is read to the same values.
func TestAcceptedBeforeReadTheSame(t *testing.T) {
	for _, doc := range []string{
		"",
		"review_threshold: 20\n",
		"severity_min: 0\nseverity_max: 100\nreview_threshold: 25.5\nblock_threshold: 50\nreview_marker_min_severity: 30\nmax_age_days: 7.5\n",
		"{\"block_threshold\": 60, \"max_age_days\": 0}",
		"# comments only\n",
		"block_threshold: 0x40\n",
	} {
		f, err := Parse(".fsar.yaml", []byte(doc))
		if err != nil {
			t.Errorf("%q: %v", doc, err)
			continue
		}
		var old map[string]any
		if err := yaml.Unmarshal([]byte(doc), &old); err != nil {
			t.Fatal(err)
		}
		if old == nil {
			old = map[string]any{}
		}
		if diff := cmp.Diff(old, f.Values); diff != "" {
			t.Errorf("%q (-loose +strict):\n%s", doc, diff)
		}
	}
}

func TestDeclaredKeys(t *testing.T) {
	f, err := Parse("c.yaml", []byte("owner_team: ops\nteams: [a, b]\nowner_teem: x\n"))
	if err != nil {
		t.Fatal(err)
	}
	declared := []Key{{Name: "owner_team", Type: String}, {Name: "teams", Type: List}}
	if err := f.Resolve(declared); err == nil || err.Error() != `c.yaml:3:1: unknown key "owner_teem": did you mean "owner_team"?` {
		t.Errorf("err %v", err)
	}
	f, _ = Parse("c.yaml", []byte("owner_team: 5\n"))
	if err := f.Resolve(declared); err == nil || err.Error() != `c.yaml:1:13: owner_team: expected a string, got the number 5` {
		t.Errorf("err %v", err)
	}
}

func TestWaivers(t *testing.T) {
	doc := "max_waiver_days: 30\nwaivers:\n" +
		"  - rule: block-execution\n    reports: [fsar_a, \"audit/**/b.md\"]\n    reason: accepted by the board\n    approved_by: alice\n    expires: 2026-12-31\n    ticket: https://jira.example/X-1\n" +
		"  - rule: secret\n    reports: [x]\n    reason: r\n    approved_by: b\n    expires: 2026-12-01\n" +
		"  - rule: severity-hrd\n    reports: [x]\n    reason: r\n    approved_by: b\n    expires: 2026-12-01\n" +
		"  - rule: severity-hard\n    reports: [x]\n    reason: r\n    approved_by: b\n    expires: 2027-01-01\n"
	f, err := Parse(".fsar.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	w := f.Waivers[0]
	if w.Rule != "block-execution" || len(w.Reports) != 2 || w.Source != ".fsar.yaml:3" || w.Ticket == "" ||
		!w.HoldsAt(time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC)) || w.HoldsAt(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("%+v", w)
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	rules := []string{"block-execution", "secret", "severity-hard"}
	info := func(id string) (bool, bool) {
		return id == "block-execution" || id == "secret" || id == "severity-hard", id != "secret"
	}
	err = f.CheckWaivers(now, info, rules)
	if err == nil || err.Error() != ".fsar.yaml:9:11: rule secret cannot be waived (its METADATA says custom.waivable: false): fix the report instead" {
		t.Errorf("err %v", err)
	}
	f.Waivers = f.Waivers[2:]
	err = f.CheckWaivers(now, info, rules)
	if err == nil || err.Error() != `.fsar.yaml:14:11: waiver for rule "severity-hrd": no policy declares that rule: did you mean "severity-hard"? (fsar policy doc lists the rules)` {
		t.Errorf("err %v", err)
	}
	f.Waivers = f.Waivers[1:]
	err = f.CheckWaivers(now, info, rules)
	if err == nil || err.Error() != ".fsar.yaml:23:14: expires 2027-01-01 is more than max_waiver_days (30) after today, 2026-12-01: a waiver is reviewed again before then" {
		t.Errorf("err %v", err)
	}
	if err := f.CheckWaivers(now.AddDate(0, 0, 1), info, rules); err != nil {
		t.Errorf("30 days ahead exactly: %v", err)
	}
}

func TestWaiversFile(t *testing.T) {
	f := Empty()
	if err := f.AddWaivers("w.yaml", []byte(waiver("expires: 2026-12-01"))); err != nil || len(f.Waivers) != 1 || f.Waivers[0].Source != "w.yaml:2" {
		t.Fatalf("%v %+v", err, f.Waivers)
	}
	if err := f.AddWaivers("w.yaml", []byte("block_threshold: 40\n")); err == nil || !strings.Contains(err.Error(), "w.yaml:1:1: block_threshold: a waivers file holds only waivers") {
		t.Errorf("err %v", err)
	}
}
