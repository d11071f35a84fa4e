package gate

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// maxDifferences bounds the lines Compare returns.
const maxDifferences = 12

// Compare says how the claimed result differs from the judged one, line
// by line: the verdict, the reports each has that the other has not, and
// the reports whose verdict or findings (rule and level) differ. Nothing
// when they agree. It is for a result written by another job that fsar
// judged again: a difference means the other job's result was forged, or
// made with other policies or reports.
func Compare(claimed, judged *Result) []string {
	var out []string
	if claimed.Verdict != judged.Verdict {
		out = append(out, fmt.Sprintf("verdict: the result says %s, judged again it is %s", claimed.Verdict, judged.Verdict))
	}
	a, b := reportsByFile(claimed), reportsByFile(judged)
	for _, file := range slices.Sorted(maps.Keys(b)) {
		j := b[file]
		c, ok := a[file]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: missing from the result; judged again it is %s%s", file, j.Verdict, findingsOf(j)))
		case c.Verdict != j.Verdict || findingsOf(c) != findingsOf(j):
			out = append(out, fmt.Sprintf("%s: the result says %s%s, judged again it is %s%s", file, c.Verdict, findingsOf(c), j.Verdict, findingsOf(j)))
		}
	}
	for _, file := range slices.Sorted(maps.Keys(a)) {
		if _, ok := b[file]; !ok {
			out = append(out, fmt.Sprintf("%s: in the result, but not found when judged again", file))
		}
	}
	if claimed.DecidedBy.PolicyDigest != judged.DecidedBy.PolicyDigest {
		out = append(out, fmt.Sprintf("policies: the result was judged by %s, judged again by %s", claimed.DecidedBy.PolicyDigest, judged.DecidedBy.PolicyDigest))
	}
	if len(out) > maxDifferences {
		out = append(out[:maxDifferences], fmt.Sprintf("and %d more differences", len(out)-maxDifferences))
	}
	return out
}

func reportsByFile(res *Result) map[string]Report {
	m := make(map[string]Report, len(res.Reports))
	for _, r := range res.Reports {
		m[r.File] = r
	}
	return m
}

// findingsOf lists a report's findings as " (level rule, ...)", sorted.
func findingsOf(r Report) string {
	var rules []string
	for _, f := range r.Findings {
		rule := f.Level.String() + " " + f.Rule
		if f.Waived != nil {
			rule += " (waived)"
		}
		rules = append(rules, rule)
	}
	if len(rules) == 0 {
		return ""
	}
	slices.Sort(rules)
	return " (" + strings.Join(slices.Compact(rules), ", ") + ")"
}
