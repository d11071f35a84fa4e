package policy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestMutationSites: every kind of mutant, at the place it changes.
func TestMutationSites(t *testing.T) {
	src := regoSrc(
		"package fsar.m",
		"",
		"# METADATA",
		"# custom: {id: m-rule, level: deny}",
		"deny contains {\"msg\": \"m\"} if {",
		"\tinput.a >= 1",
		"\tnot input.b",
		"\tx := input.c",
		"\tx != \"z\"",
		"}",
		"",
		"f(x) := 1 if x < 2.5",
		"",
		"else := 2",
	)
	s, err := newSuite(t.Context(), TestOptions{Sources: []Source{{Name: "p", FS: memFS(map[string]string{"m.rego": src})}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range mutationSites("p/m.rego", s.modules["p/m.rego"]) {
		got = append(got, fmt.Sprintf("%d:%d %s %s: %s", st.loc.Row, st.loc.Col, st.rule, st.kind, st.change))
		if st.apply(s.modules["p/m.rego"]) == nil {
			t.Errorf("%s: not applied", st.change)
		}
	}
	want := []string{
		"6:2 m-rule negate: negate `input.a >= 1`",
		"7:2 m-rule negate: drop the not of `not input.b`",
		"9:2 m-rule negate: negate `x != \"z\"`",
		"6:2 m-rule drop: drop `input.a >= 1`",
		"7:2 m-rule drop: drop `not input.b`",
		"9:2 m-rule drop: drop `x != \"z\"`",
		"6:2 m-rule operator: `input.a >= 1` → `input.a > 1`",
		"9:2 m-rule operator: `x != \"z\"` → `x == \"z\"`",
		"6:13 m-rule number: 1 → 2",
		"6:13 m-rule number: 1 → 0",
		"5:16 m-rule string: \"msg\" → \"\"",
		"5:23 m-rule string: \"m\" → \"\"",
		"9:7 m-rule string: \"z\" → \"\"",
		"12:14 fsar.m.f negate: negate `x < 2.5`",
		"12:14 fsar.m.f drop: drop `x < 2.5`",
		"14:1 fsar.m.f drop: drop `else := 2`",
		"12:14 fsar.m.f operator: `x < 2.5` → `x <= 2.5`",
		"12:9 fsar.m.f number: 1 → 2",
		"12:9 fsar.m.f number: 1 → 0",
		"12:18 fsar.m.f number: 2.5 → 3.5",
		"12:18 fsar.m.f number: 2.5 → 1.5",
		"14:9 fsar.m.f number: 2 → 3",
		"14:9 fsar.m.f number: 2 → 1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mutants (-want +got):\n%s", diff)
	}
}

// weakSource is the deliberately weak suite of testdata/mutation.
func weakSource() Source {
	dir := filepath.Join("..", "..", "testdata", "mutation", "weak")
	return Source{Name: "weak", FS: os.DirFS(dir)}
}

// TestMutateWeakSuite: tests with full line coverage that never look at a
// threshold's boundary, a message or a report with an owner leave
// survivors, each at the file:line:column it changed.
func TestMutateWeakSuite(t *testing.T) {
	rep, err := Mutate(t.Context(), MutateOptions{TestOptions: TestOptions{Sources: []Source{weakSource()}}})
	if err != nil {
		t.Fatal(err)
	}
	var survived []string
	for _, m := range rep.Mutants {
		if m.Status == MutantSurvived {
			survived = append(survived, fmt.Sprintf("%s:%d:%d %s", m.File, m.Line, m.Column, m.Change))
		}
	}
	for _, want := range []string{
		"weak/gate.rego:13:2 `input.severity >= 45` → `input.severity > 45`",
		"weak/gate.rego:13:20 45 → 44",
		"weak/gate.rego:13:20 45 → 46",
		"weak/gate.rego:14:15 \"severity at or above 45\" → \"\"",
		"weak/gate.rego:24:2 drop `not input.extra.owner`",
	} {
		if !slices.Contains(survived, want) {
			t.Errorf("no survivor %q in:\n%s", want, strings.Join(survived, "\n"))
		}
	}
	if rep.Passed(100) || rep.Score() >= 50 || rep.Killed == 0 {
		t.Errorf("score %.2f, killed %d: the weak suite must fail", rep.Score(), rep.Killed)
	}
	want := []RuleMutation{
		{Rule: "weak-severity", File: "weak/gate.rego", Line: 12, Mutants: 10, Killed: 2, Survived: 8},
		{Rule: "weak-owner", File: "weak/gate.rego", Line: 23, Mutants: 7, Killed: 1, Survived: 6},
	}
	if diff := cmp.Diff(want, rep.Rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

// TestMutateEquivalent: a survivor documented as equivalent does not
// count; an entry no survivor matches is stale; a malformed one is a
// policy error.
func TestMutateEquivalent(t *testing.T) {
	policy := func(entries string) map[string]string {
		return map[string]string{
			"g.rego": regoSrc(
				"package fsar.g",
				"",
				"# METADATA",
				"# custom:",
				"#   id: g",
				"#   level: deny",
				"#   mutation_equivalent:",
				entries,
				"deny contains {\"msg\": \"big\"} if {",
				"\tinput.n > 10",
				"\tinput.n > 5 # redundant",
				"}",
			),
			"g_test.rego": regoSrc(
				"package fsar.g_test",
				"",
				"import data.fsar.g",
				"",
				"test_big if {",
				"\tg.deny == {{\"msg\": \"big\"}} with input as {\"n\": 11}",
				"\tcount(g.deny) == 0 with input as {\"n\": 10}",
				"}",
			),
		}
	}
	mutate := func(files map[string]string) (*MutationReport, error) {
		return Mutate(t.Context(), MutateOptions{TestOptions: TestOptions{Sources: []Source{{Name: "p", FS: memFS(files)}}}})
	}
	rep, err := mutate(policy(regoSrc(
		"#     - change: drop `input.n > 5`",
		"#       reason: input.n > 10 says more",
		"#     - change: \"5 → 6\"",
		"#       reason: still below 10",
		"#     - change: \"5 → 4\"",
		"#       reason: still below 10",
		"#     - change: \"`input.n > 5` → `input.n >= 5`\"",
		"#       reason: still below 10",
		"#     - change: drop `input.n > 10`",
		"#       reason: wrongly, since the tests kill it",
	)))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Survived != 0 || rep.Equivalent != 4 || !slices.ContainsFunc(rep.Mutants, func(m Mutant) bool {
		return m.Status == MutantEquivalent && m.Reason == "input.n > 10 says more"
	}) {
		t.Errorf("survived %d, equivalent %d: %+v", rep.Survived, rep.Equivalent, rep.Mutants)
	}
	if want := []StaleEquivalence{{File: "p/g.rego", Line: 3, Change: "drop `input.n > 10`"}}; !cmp.Equal(want, rep.Stale) {
		t.Errorf("stale: %+v, want %+v", rep.Stale, want)
	}
	if rep.Passed(100) {
		t.Error("a stale entry must fail the run")
	}

	_, err = mutate(policy("#     - change: drop `input.n > 5`"))
	var le *LoadError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "p/g.rego:3:") || !strings.Contains(err.Error(), "needs a change") {
		t.Errorf("an entry without a reason: %v", err)
	}
}

// TestMutateBaselineFails: when the tests fail as they are, no mutant is
// run: the report holds the failing tests.
func TestMutateBaselineFails(t *testing.T) {
	rep, err := Mutate(t.Context(), MutateOptions{TestOptions: TestOptions{Sources: []Source{{Name: "p", FS: memFS(map[string]string{
		"x.rego":      "package fsar.x\n\ndeny contains {\"msg\": \"m\"} if input.on\n",
		"x_test.rego": "package fsar.x_test\n\nimport data.fsar.x\n\ntest_wrong if count(x.deny) == 1\n",
	})}}}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Baseline.OK() || len(rep.Mutants) != 0 || rep.Passed(0) {
		t.Errorf("baseline OK %v, %d mutants", rep.Baseline.OK(), len(rep.Mutants))
	}
}

// TestMutateDeadline: a mutant whose tests run past the deadline is
// killed (the suite noticed), not an error. A deadline already past makes
// every compiled mutant such a one.
func TestMutateDeadline(t *testing.T) {
	rep, err := Mutate(t.Context(), MutateOptions{TestOptions: TestOptions{Sources: []Source{weakSource()}}, Timeout: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Mutants) == 0 || rep.Killed != len(rep.Mutants) {
		t.Fatalf("%d mutants, %d killed", len(rep.Mutants), rep.Killed)
	}
	for _, m := range rep.Mutants {
		if m.Status != MutantTimeout {
			t.Errorf("%s: %s", m.Change, m.Status)
		}
	}
}
