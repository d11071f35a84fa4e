package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fsar-gate/fsar/internal/gate"
)

// TestSummaryCountsEveryError: a path that could not be walked is an
// error of the run, and every format's summary counts it (they counted
// only reports in error: "ERROR: 2 reports — 2 pass, … 0 error").
// (Issue 12, defect 13.)
func TestSummaryCountsEveryError(t *testing.T) {
	res := &gate.Result{
		Schema: gate.Schema,
		Reports: []gate.Report{
			{File: "a.md", Verdict: gate.Pass, Findings: []gate.Finding{}},
			{File: "b.md", Verdict: gate.Pass, Findings: []gate.Finding{}},
		},
		Errors: []gate.Problem{{Location: gate.Location{File: "link.md"}, Message: "symbolic link points outside the folder being read; not followed"}},
	}
	res.Summarize()
	if res.Verdict != gate.Error || res.ErrorCount() != 1 {
		t.Fatalf("verdict %s, %d errors", res.Verdict, res.ErrorCount())
	}
	for format, want := range map[string]string{
		"text":     "ERROR: 2 reports — 2 pass, 0 warn, 0 review, 0 block, 1 error",
		"github":   "ERROR: 2 reports — 2 pass, 0 warn, 0 review, 0 block, 1 error",
		"markdown": "ERROR — 2 reports: 0 block, 0 review, 0 warn, 2 pass, 1 error",
	} {
		f, err := New(format, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := f.Format(&b, res); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s summary does not say %q:\n%s", format, want, b.String())
		}
	}
}
