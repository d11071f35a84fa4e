package report

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
)

// manyFindings is a result far too big for one comment: reports of every
// verdict, each with long hostile findings.
func manyFindings(reports, perReport int) *gate.Result {
	res := &gate.Result{Schema: gate.Schema, DecidedBy: gate.DecidedBy{FSARVersion: "dev", OPAVersion: "1", PolicyDigest: "sha256:0", Now: testNow}}
	levels := []policy.Level{policy.Deny, policy.Review, policy.Warn}
	long := strings.Repeat("::error::x ##[y] @org/team <details> `` | ", 60)
	for i := range reports {
		sev := float64(i % 50)
		r := gate.Report{File: fmt.Sprintf("reports/r%05d.md", i), ID: fmt.Sprintf("fsar_%05d %s", i, long[:40]), Severity: &sev, Findings: []gate.Finding{}}
		switch i % 5 {
		case 0:
			r.Verdict = gate.Pass
		case 4:
			r.Verdict = gate.Error
			r.Errors = []gate.Problem{{Location: gate.Location{File: r.File, Line: 3, Column: 1}, Message: "broken " + long}}
		default:
			lvl := levels[i%3]
			r.Verdict = map[policy.Level]gate.Verdict{policy.Deny: gate.Block, policy.Review: gate.Review, policy.Warn: gate.Warn}[lvl]
			for j := range perReport {
				r.Findings = append(r.Findings, gate.Finding{
					Level: lvl, Rule: fmt.Sprintf("rule-%02d", j), Message: fmt.Sprintf("finding %d %s", j, long),
					Remediation: "fix " + long, Field: "severity", Package: "fsar.x",
					Location: gate.Location{File: r.File, Line: j + 1},
				})
			}
		}
		res.Reports = append(res.Reports, r)
	}
	res.Summarize()
	return res
}

func TestMarkdownBounded(t *testing.T) {
	for _, tc := range []struct {
		name             string
		reports, perRept int
		max              int
		opts             Options
	}{
		{"thousands of findings", 2000, 12, 0, Options{ResultFiles: []string{"fsar.json", "fsar.sarif"}, RunURL: "https://github.com/a/b/actions/runs/7"}},
		{"few but long", 30, 3, 0, Options{}},
		{"a small job summary", 500, 5, 5000, Options{}},
		{"below the least", 500, 5, 10, Options{}},
		{"the least, with long file names", 500, 5, 1, Options{
			ResultFiles: []string{strings.Repeat("é", 5000), strings.Repeat("`", 3000), strings.Repeat("x", 9000)},
			RunURL:      "https://github.com/a/b/actions/runs/7",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := manyFindings(tc.reports, tc.perRept)
			tc.opts.MaxBytes = tc.max
			out := string(render(t, "markdown", tc.opts, res))
			limit := DefaultMarkdownBytes
			if tc.max > 0 {
				limit = max(tc.max, MinMarkdownBytes)
			}
			if len(out) > limit {
				t.Fatalf("%d bytes, limit %d", len(out), limit)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			last := lines[len(lines)-1]
			if !regexp.MustCompile(`^\*\*Not shown: (\d+ reports?, )?\d+ findings?(, \d+ errors?)?\*\*, to keep this under [\d,]+ characters; the full result is in .+\.$`).MatchString(last) {
				t.Errorf("last line does not say what was left out and where the rest is: %q", last)
			}
			if len(tc.opts.ResultFiles) > 0 && tc.opts.ResultFiles[0] == "fsar.json" && (!strings.Contains(last, "`fsar.json`") || !strings.Contains(last, "(https://github.com/a/b/actions/runs/7)")) {
				t.Errorf("last line does not name the full result: %q", last)
			}
			if strings.Count(out, "\n<details>\n") != strings.Count(out, "\n</details>\n") {
				t.Error("a <details> is not closed")
			}
			// Whatever was cut, every table row is whole.
			for _, line := range lines {
				if strings.HasPrefix(line, "| ") && !strings.HasSuffix(line, " |") {
					t.Errorf("a cut table row: %q", line)
				}
			}
			if !strings.HasPrefix(lines[1], "## ") {
				t.Errorf("no verdict line: %q", lines[1])
			}
		})
	}
}

// TestMarkdownCountsWhatItLeavesOut: the numbers on the last line are
// the findings and reports that are really missing.
func TestMarkdownCountsWhatItLeavesOut(t *testing.T) {
	res := manyFindings(300, 6)
	out := string(render(t, "markdown", Options{}, res))
	shownFindings := strings.Count(out, "\n- **deny**") + strings.Count(out, "\n- **review**") + strings.Count(out, "\n  - **warn**") + strings.Count(out, "\n- **warn**")
	shownErrors := strings.Count(out, "\n- **error**")
	total := 0
	for _, r := range res.Reports {
		total += len(r.Findings)
	}
	m := regexp.MustCompile(`\*\*Not shown: (?:(\d+) reports?, )?(\d+) findings?(?:, (\d+) errors?)?\*\*`).FindStringSubmatch(out)
	if m == nil {
		t.Fatal("no Not shown line")
	}
	left, _ := strconv.Atoi(m[2])
	leftErr, _ := strconv.Atoi(m[3])
	if shownFindings+left != total {
		t.Errorf("shown %d + left out %d != %d findings", shownFindings, left, total)
	}
	if shownErrors+leftErr != res.Count.Error {
		t.Errorf("shown %d + left out %d != %d errors", shownErrors, leftErr, res.Count.Error)
	}
}

func TestMarkdownNothingLeftOut(t *testing.T) {
	res := manyFindings(5, 2)
	out := string(render(t, "markdown", Options{}, res))
	if strings.Contains(out, "Not shown") {
		t.Error("a small result says something was left out")
	}
	if !strings.HasSuffix(out, "Z.</sub>\n") {
		t.Errorf("ends with %q", out[len(out)-40:])
	}
}

func TestGitHubAtMostTenPerLevel(t *testing.T) {
	res := manyFindings(40, 3)
	out := string(render(t, "github", Options{}, res))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	count := map[string]int{}
	for _, line := range lines {
		if m := commandLineRE.FindStringSubmatch(line); m != nil {
			count[m[1]]++
		} else if !strings.HasPrefix(line, "fsar: ") {
			t.Errorf("line not fsar's: %q", line)
		}
	}
	if count["error"] != 10 || count["warning"] != 10 || count["notice"] != 1 {
		t.Errorf("annotations: %v", count)
	}
	errs, warns := 0, 0
	for _, r := range res.Reports {
		errs += len(r.Errors)
		for _, f := range r.Findings {
			if f.Level == policy.Warn {
				warns++
			} else {
				errs++
			}
		}
	}
	want := fmt.Sprintf("fsar: %d more errors and %d more warnings not annotated: GitHub shows at most 10 annotations of each level in a step; they are listed above.", errs-10, warns-10)
	if !strings.Contains(out, "\n"+want+"\n") {
		t.Errorf("no line %q", want)
	}
	if plain := strings.Count(out, "\nfsar: "); plain != errs-10+warns-10+1 {
		t.Errorf("%d plain lines, want one per finding not annotated and the count", plain)
	}
	assertInertInLog(t, "github", []byte(out))
	// Errors first: read errors, then deny, then review.
	if !strings.HasPrefix(lines[0], "::error file=reports/r00004.md,line=3,title=fsar%3A report could not be read or judged::broken") {
		t.Errorf("first annotation: %.120q", lines[0])
	}
}
