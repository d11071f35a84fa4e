package sweep

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fsar-gate/fsar/internal/config"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/testkit"
)

// TestGolden pins every output format for the mixed folder (also with
// waivers: in use, ending soon, lifting a block, and unused) and for the
// trend folder with a baseline.
func TestGolden(t *testing.T) {
	dir := t.TempDir()
	mixed := mixedFolder(t, dir)
	trendFolder(t, dir)
	t.Chdir(dir)
	base := sweepIn(t, "", Options{Paths: []string{"r/fsar_proposal_jan-*"}}).AsBaseline()
	waivers, err := config.Parse("waivers.yaml", []byte(`waivers:
  - rule: block-execution
    reports: ["reports/**"]
    reason: accepted by the audit board
    approved_by: alice
    expires: 2026-12-20
    ticket: https://example.com/AUDIT-7
  - rule: severity-hard
    reports: [fsar_cccccccc-0000-4000-8000-000000000003]
    reason: the migration is reversible after all
    approved_by: bob
    expires: 2027-03-01
  - rule: canned-risks
    reports: [fsar_aaaaaaaa-0000-4000-8000-000000000001]
    reason: the generator's template, reviewed
    approved_by: bob
    expires: 2027-03-01
  - rule: id-format
    reports: [nothing]
    reason: matches no report
    approved_by: carol
    expires: 2027-03-01
`))
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]*Result{
		"mixed":  sweepIn(t, "", Options{Paths: []string{mixed}}),
		"waived": sweepIn(t, "", Options{Paths: []string{mixed}, Waivers: &gate.Waivers{List: waivers.Waivers, Now: testBy.Now}}),
		"trends": sweepIn(t, "", Options{Paths: []string{"r"}, Baseline: base, MinReports: 10}),
		"shard":  sweepIn(t, "", Options{Paths: []string{"r"}, Shard: Shard{Index: 1, Count: 2}}),
	}
	for name, r := range results {
		for _, format := range Formats {
			if name == "shard" && format != "json" && format != "text" {
				continue
			}
			var buf bytes.Buffer
			if err := Write(&buf, format, r); err != nil {
				t.Fatal(err)
			}
			ext := map[string]string{"text": "txt", "json": "json", "markdown": "md", "html": "html"}[format]
			testkit.Golden(t, filepath.Join(testdataDir(t), "golden", name+"."+ext), buf.Bytes())
		}
	}
}

var testdataAbs string

func testdataDir(t *testing.T) string {
	t.Helper()
	if testdataAbs == "" {
		t.Fatal("testdata folder unknown")
	}
	return testdataAbs
}

func init() {
	wd, err := os.Getwd()
	if err == nil {
		testdataAbs = filepath.Join(wd, "testdata")
	}
}

// hostile is a result whose report texts try to break out of every format.
func hostile(t testing.TB) *Result {
	sev := 48.0
	evil := "x|y`z<script>alert(1)</script>[a](http://e.com) @octocat **b** \x1b[31mred\n# h"
	a := newAcc(PeriodMonth, testFacts(t))
	a.blocking = append(a.blocking, Blocking{File: "r/" + evil + ".md", ID: "fsar_" + evil, Severity: &sev, Rules: []string{"rule|" + evil}})
	a.conflicts = append(a.conflicts, TwinConflict{File: evil + ".md", Twin: evil + ".json", Fields: []string{"severity"}})
	a.errors = append(a.errors, gate.Problem{Location: gate.Location{File: evil, Line: 3, Column: 4}, Message: "bad " + evil})
	a.others = append(a.others, Other{File: evil, Kind: "drift"})
	a.otherKinds["drift"]++
	a.count.OtherReports = 1
	a.count.Files = 2
	a.rules["rule|"+evil] = &RuleStat{Rule: "rule|" + evil, Level: "deny", Title: evil, Reports: 1, Findings: 1}
	a.kinds[evil] = &KindStat{Kind: evil, Reports: 1, Verdicts: Verdicts{Block: 1}}
	a.addID("fsar_"+evil, "one@"+evil)
	a.addID("fsar_"+evil, "two")
	a.count.Reports, a.count.Block = 1, 1
	p := a.periodAt(evil)
	p.reports = 1
	p.verdicts.Block = 1
	return a.result(Settings{Paths: []string{evil}, Period: PeriodMonth, AlertThreshold: 10, MinReports: 1, Window: 6, Streak: 3},
		gate.DecidedBy{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, nil, nil)
}

// TestEscaping: report texts cannot add markup, mentions, links or scripts
// to the markdown and HTML outputs, nor escape sequences to the text one.
func TestEscaping(t *testing.T) {
	r := hostile(t)
	var md, html, text bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "@octocat", "[a](", "|y`", "**b**", "\n# h", "\x1b"} {
		if strings.Contains(md.String(), bad) {
			t.Errorf("markdown contains %q", bad)
		}
	}
	if !strings.Contains(md.String(), `x\|y\`+"`"+`z&lt;script&gt;`) || !strings.Contains(md.String(), "@\u200doctocat") {
		t.Errorf("markdown does not escape as expected:\n%s", md.String())
	}
	// Every table row keeps its cell count: no | got through.
	for _, line := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(line, "| r/") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 5 {
			t.Errorf("blocking row has extra cells: %s", line)
		}
	}
	for _, bad := range []string{"<script", "href=", "\x1b"} {
		if strings.Contains(html.String(), bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	if strings.Contains(text.String(), "\x1b") || !strings.Contains(text.String(), `\u001b[31mred\n# h`) {
		t.Errorf("text output does not quote control characters:\n%s", text.String())
	}
}

// TestHTMLSelfContained: the HTML report loads nothing and runs nothing.
func TestHTMLSelfContained(t *testing.T) {
	dir := t.TempDir()
	trendFolder(t, dir)
	r := sweepIn(t, dir, Options{Paths: []string{"r"}})
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, bad := range []string{"<script", "<link", "@import", "url(", "src=", "href=", "<iframe", "<object", "<img", "on" + "load="} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	urls := regexp.MustCompile(`https?://[^"' ]+`).FindAllString(page, -1)
	for _, u := range urls {
		if u != "http://www.w3.org/2000/svg" {
			t.Errorf("HTML names a URL: %s", u)
		}
	}
	if n := strings.Count(page, "<svg "); n != 4 {
		t.Errorf("%d charts, want 4", n)
	}
	if !strings.Contains(page, `content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`) {
		t.Error("no Content-Security-Policy that forbids loading")
	}
}

func TestMarkdownMarker(t *testing.T) {
	a := &Result{Settings: Settings{Paths: []string{"audit/reports"}}}
	b := &Result{Settings: Settings{Paths: []string{"other"}}}
	ma, mb := TrackingMarker(a), TrackingMarker(b)
	if ma == mb || !strings.HasPrefix(ma, "<!-- fsar-sweep-tracking-issue paths=") || ma != TrackingMarker(a) {
		t.Errorf("markers %q and %q", ma, mb)
	}
}

func TestFormats(t *testing.T) {
	if err := ValidFormat("sarif"); err == nil {
		t.Error("sarif accepted")
	}
	if got := thousands(1234567); got != "1,234,567" {
		t.Errorf("thousands = %s", got)
	}
	if got := thousands(-1000); got != "-1,000" {
		t.Errorf("thousands = %s", got)
	}
}

// TestMarkdownFitsAnIssue: however large the sweep, the markdown summary
// fits a GitHub issue body (65,536 characters).
func TestMarkdownFitsAnIssue(t *testing.T) {
	a := newAcc(PeriodDay, testFacts(t))
	long := strings.Repeat("very-long-name-", 100)
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1500 {
		p := a.periodAt(periodOf(day.AddDate(0, 0, i), PeriodDay))
		p.reports, p.verdicts.Block = 10, 1
		a.count.Reports += 10
		a.count.Block++
		f := fmt.Sprintf("r/%05d-%s.md", i, long)
		a.blocking = append(a.blocking, Blocking{File: f, ID: "fsar_" + long, Rules: []string{"severity-hard"}})
		a.errors = append(a.errors, gate.Problem{Location: gate.Location{File: f}, Message: long})
		a.others = append(a.others, Other{File: f, Kind: "drift"})
		a.otherKinds["drift"]++
		a.rules[fmt.Sprintf("rule-%d-%s", i, long)] = &RuleStat{Rule: fmt.Sprintf("rule-%d-%s", i, long), Level: "deny", Reports: 1}
	}
	r := a.result(Settings{Paths: []string{"r"}, Period: PeriodDay, AlertThreshold: 10, MinReports: 1, Window: 6, Streak: 3}, testBy, nil, nil)
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCount(buf.Bytes()); n > 60000 {
		t.Errorf("markdown of %d characters", n)
	}
	if !strings.Contains(buf.String(), "| … 1,476 earlier periods: see the JSON or HTML report |") {
		t.Error("the earlier periods are not cut")
	}
}
