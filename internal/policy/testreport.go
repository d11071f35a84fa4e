package policy

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/fsar-gate/fsar/internal/escape"
)

// Write writes the report as JSON, or as text (WriteText).
func (rep *TestReport) Write(w io.Writer, format string, threshold float64) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.WriteText(w, threshold)
	return nil
}

// Passed tells whether every test passed and coverage, when measured,
// reached threshold.
func (rep *TestReport) Passed(threshold float64) bool {
	return rep.OK() && (rep.Coverage == nil || rep.Coverage.Percent >= threshold)
}

// WriteText writes the report for a person: each test that did not pass
// with its error and output, the counts, and the coverage, with the files
// below 100% and the lines not covered, against threshold (0: none).
func (rep *TestReport) WriteText(w io.Writer, threshold float64) {
	for _, r := range rep.Results {
		if r.Outcome == TestPass {
			continue
		}
		fmt.Fprintf(w, "%s %s:%d %s.%s\n", strings.ToUpper(string(r.Outcome)), r.File, r.Line, r.Package, r.Name)
		if r.Err != "" {
			fmt.Fprintf(w, "  %s\n", escape.Terminal(r.Err))
		}
		if r.Output != "" {
			for _, l := range strings.Split(strings.TrimRight(r.Output, "\n"), "\n") {
				fmt.Fprintf(w, "  | %s\n", escape.Terminal(l))
			}
		}
	}
	fmt.Fprintf(w, "PASS: %d/%d", rep.Count(TestPass), len(rep.Results))
	if n := rep.Count(TestFail); n > 0 {
		fmt.Fprintf(w, ", FAIL: %d", n)
	}
	if n := rep.Count(TestError); n > 0 {
		fmt.Fprintf(w, ", ERROR: %d", n)
	}
	if n := rep.Count(TestSkip); n > 0 {
		fmt.Fprintf(w, ", SKIPPED: %d", n)
	}
	fmt.Fprintln(w)
	if c := rep.Coverage; c != nil {
		for _, fc := range c.Files {
			if fc.Percent < 100 {
				var ranges []string
				for _, r := range fc.NotCovered {
					if r.Start == r.End {
						ranges = append(ranges, fmt.Sprint(r.Start))
					} else {
						ranges = append(ranges, fmt.Sprintf("%d-%d", r.Start, r.End))
					}
				}
				fmt.Fprintf(w, "  %s: %.2f%% (not covered: lines %s)\n", fc.File, fc.Percent, strings.Join(ranges, ", "))
			}
		}
		fmt.Fprintf(w, "coverage: %.2f%%", c.Percent)
		if threshold > 0 {
			if c.Percent < threshold {
				fmt.Fprintf(w, " — below the threshold %.2f%%", threshold)
			} else {
				fmt.Fprintf(w, " (threshold %.2f%%)", threshold)
			}
		}
		fmt.Fprintln(w)
	}
}
