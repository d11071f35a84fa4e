package report

import (
	"cmp"
	"slices"

	"github.com/fsar-gate/fsar/internal/gate"
)

// canonical returns a copy of res whose reports are in one order (standard
// input first, then by file) and whose findings are in the engine's order
// (deny first, then rule, field, message) and then by place, so that every
// format writes the same bytes for the same result, whatever order
// concurrent evaluation or a caller left them in. res is not changed.
func canonical(res *gate.Result) *gate.Result {
	c := *res
	c.Reports = slices.Clone(res.Reports)
	slices.SortStableFunc(c.Reports, compareReports)
	for i := range c.Reports {
		if fs := c.Reports[i].Findings; len(fs) > 1 {
			fs = slices.Clone(fs)
			slices.SortStableFunc(fs, compareFindings)
			c.Reports[i].Findings = fs
		}
	}
	return &c
}

func compareReports(a, b gate.Report) int {
	return cmp.Or(
		boolOrder(a.File == "-", b.File == "-"),
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Twin, b.Twin),
		cmp.Compare(a.ID, b.ID),
		cmp.Compare(a.Verdict, b.Verdict),
	)
}

// boolOrder puts true before false.
func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

func compareFindings(a, b gate.Finding) int {
	return cmp.Or(
		cmp.Compare(b.Level, a.Level),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Field, b.Field),
		cmp.Compare(a.Message, b.Message),
		cmp.Compare(a.Package, b.Package),
		cmp.Compare(a.Remediation, b.Remediation),
		cmp.Compare(a.Title, b.Title),
		cmp.Compare(a.Location.File, b.Location.File),
		cmp.Compare(a.Location.Line, b.Location.Line),
		cmp.Compare(a.Location.Column, b.Location.Column),
	)
}
