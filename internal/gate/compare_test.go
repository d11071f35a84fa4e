package gate

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fsar-gate/fsar/internal/policy"
)

func TestCompare(t *testing.T) {
	report := func(file string, v Verdict, rules ...string) Report {
		r := Report{File: file, Verdict: v}
		for _, rule := range rules {
			r.Findings = append(r.Findings, Finding{Level: policy.Deny, Rule: rule})
		}
		return r
	}
	result := func(v Verdict, digest string, reports ...Report) *Result {
		return &Result{Verdict: v, Reports: reports, DecidedBy: DecidedBy{PolicyDigest: digest}}
	}
	judged := result(Block, "sha256:b", report("a.md", Block, "secret", "secret"), report("b.md", Pass))
	if got := Compare(judged, judged); got != nil {
		t.Errorf("a result differs from itself: %q", got)
	}
	claimed := result(Pass, "sha256:f", report("a.md", Pass), report("c.md", Pass))
	want := []string{
		"verdict: the result says pass, judged again it is block",
		"a.md: the result says pass, judged again it is block (deny secret)",
		"b.md: missing from the result; judged again it is pass",
		"c.md: in the result, but not found when judged again",
		"policies: the result was judged by sha256:f, judged again by sha256:b",
	}
	if diff := cmp.Diff(want, Compare(claimed, judged)); diff != "" {
		t.Errorf("Compare (-want +got):\n%s", diff)
	}
	// Bounded, however many reports differ.
	var many []Report
	for i := range 40 {
		many = append(many, report(string(rune('a'+i%26))+string(rune('a'+i/26))+".md", Pass))
	}
	got := Compare(result(Pass, "sha256:b", many...), result(Pass, "sha256:b"))
	if len(got) != maxDifferences+1 || got[maxDifferences] != "and 28 more differences" {
		t.Errorf("%d lines, last %q", len(got), got[len(got)-1])
	}
}
