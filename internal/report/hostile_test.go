package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/testkit"
)

// The injection tests: hostile reports (testdata/hostile at the
// repository's root, plus files made here whose names are hostile and a
// 1 MiB proposal) checked by the real engine with the bundled policies and
// a custom policy that echoes report text into its findings. Hostile text
// reaches the outputs through ids (the id-format rule quotes them), file
// names (twin-conflict quotes them), values (twin-conflict quotes them),
// read errors (which quote the broken line), rule ids and remediations
// taken from report fields, and messages that quote the proposal. For
// every format, the output must stay well-formed and the text inert.

// hostileName is a file name that tries everything a name can.
const hostileName = "fsar_proposal_x\n::error file=a.md,line=1::name ##[error] `|` <details> @org-team --> %0A"

var (
	hostileOnce  sync.Once
	hostileRes   *gate.Result
	hostileRules []policy.Rule
)

func hostileResult(t *testing.T) (*gate.Result, []policy.Rule) {
	t.Helper()
	hostileOnce.Do(func() {
		src := filepath.Join(repoRoot(t), "testdata", "hostile")
		dir := t.TempDir()
		reports := filepath.Join(dir, "reports")
		if err := os.Mkdir(reports, 0o755); err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		copyFile := func(from, to string) {
			b, err := os.ReadFile(from)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(to, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, e := range entries {
			if !e.IsDir() {
				copyFile(filepath.Join(src, e.Name()), filepath.Join(reports, e.Name()))
			}
		}
		// Twins with hostile names: twin-conflict quotes both names.
		copyFile(filepath.Join(src, "fsar_proposal_twins.md"), filepath.Join(reports, hostileName+".md"))
		copyFile(filepath.Join(src, "fsar_proposal_twins.json"), filepath.Join(reports, hostileName+".json"))
		// A passing report with a hostile name: the table of passing reports.
		copyFile(filepath.Join(repoRoot(t), "proposals", "pass", "fsar_proposal_cache-policy-bundle.md"),
			filepath.Join(reports, "fsar_proposal_pass | ✅ | `x` @org-team <!-- ##[x].md"))
		// A 1 MiB proposal full of attacks.
		if err := os.WriteFile(filepath.Join(reports, "fsar_proposal_huge.md"), []byte(hugeReport()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Chdir(dir)
		hostileRes, hostileRules = check(t, []string{filepath.Join(src, "policy")}, "reports")
	})
	if hostileRes == nil {
		t.Fatal("checking the hostile reports failed in an earlier test")
	}
	return hostileRes, hostileRules
}

// hugeReport is a report whose proposal is 1 MiB of hostile lines.
func hugeReport() string {
	var p strings.Builder
	p.WriteString("self_improvement: A very long proposal ::error::x.\n\n")
	attack := "Text ::error file=a.md::x ##[error]y ::stop-commands::t @org/team <details> --> ``````` | ✅ pass | %0A [l](https://e.x)\n"
	for p.Len() < 1<<20 {
		p.WriteString(attack)
	}
	return `# FSAR Proposal Report
- id: huge-1
- timestamp: 2026-11-20T09:30:00.000Z
- severity: 6
- block_execution: false
- proposal:

` + p.String() + `
## Risks
- Stale cache: a policy change is not picked up until the cache expires by 2028-11-20

## Mitigations
- Key every cache entry by the SHA-256 digest of the policy bundle and data
`
}

func TestHostileReportsReachEveryChannel(t *testing.T) {
	res, _ := hostileResult(t)
	if res.Count.Reports != 8 || res.Count.Error != 1 || res.Count.Pass != 1 {
		t.Fatalf("hostile reports: %+v", res.Count)
	}
	var rules, messages, files, remedies []string
	for _, r := range res.Reports {
		files = append(files, r.File)
		for _, f := range r.Findings {
			rules, messages, remedies = append(rules, f.Rule), append(messages, f.Message), append(remedies, f.Remediation)
		}
		for _, p := range r.Errors {
			messages = append(messages, p.Message)
		}
	}
	all := strings.Join(rules, "\x00") + strings.Join(messages, "\x00") + strings.Join(files, "\x00") + strings.Join(remedies, "\x00")
	for _, want := range []string{
		"::error", "::stop-commands::", "##[", "%0A", "-->", "@org/team", "</details>", "````````````", "| ✅ pass |",
		"\n::error", "\n##[", "\n| ✅ pass", "\n</details>",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no hostile text %q reaches the findings: the fixtures do not test it", want)
		}
	}
	for _, want := range []string{"::error::rule-id", "echo\n::error::rule on a new line"} {
		if !strings.Contains(strings.Join(rules, "\x00"), want) {
			t.Errorf("no rule id %q", want)
		}
	}
	if !strings.Contains(strings.Join(files, "\x00"), hostileName) {
		t.Error("the hostile file name is not a report file")
	}
}

var commandLineRE = regexp.MustCompile(`^::(error|warning|notice)( (file|line|title)=[^:,\r\n]*(,(file|line|title)=[^:,\r\n]*)*)?::[^\r\n]*$`)

// assertInertInLog: no line of out can act in a GitHub Actions log but
// fsar's own commands (only the github format writes any).
func assertInertInLog(t *testing.T, format string, out []byte) {
	t.Helper()
	if bytes.Contains(out, []byte("##[")) {
		t.Errorf("%s: output holds the legacy command marker ##[", format)
	}
	for i, line := range strings.Split(string(out), "\n") {
		if strings.ContainsRune(line, '\r') {
			t.Errorf("%s: line %d holds a carriage return", format, i+1)
		}
		if !strings.HasPrefix(strings.TrimSpace(line), "::") {
			continue
		}
		if format != "github" || !commandLineRE.MatchString(line) {
			t.Errorf("%s: line %d would be read as a workflow command: %.200q", format, i+1, line)
		}
	}
}

func TestHostileEveryFormatInert(t *testing.T) {
	checked, rules := hostileResult(t)
	// A pull request's notice names its policy files: hostile names too.
	res := *checked
	res.Notices = []string{"this change modifies policy files (policy/x\n::error::pwn ##[error] @org/team </details> --> `` |.rego); they take effect only once merged"}
	res.DecidedBy.PolicyRevision = "0123abc\n::error::rev"
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			opts := githubOptions(rules)
			out := render(t, name, opts, &res)
			if !utf8.Valid(out) {
				t.Error("output is not UTF-8")
			}
			if len(out) > 512<<10 {
				t.Errorf("output is %d bytes: the 1 MiB proposal leaked into it", len(out))
			}
			assertInertInLog(t, name, out)
			switch name {
			case "markdown":
				checkHostileMarkdown(t, &res, out)
			case "json":
				checkHostileJSON(t, &res, out)
			case "sarif":
				checkHostileSARIF(t, &res, out)
			case "junit":
				checkHostileJUnit(t, &res, out)
			case "github":
				checkHostileGitHub(t, &res, out)
			case "text":
				checkHostileText(t, &res, out)
			default:
				t.Fatalf("no injection check for format %s", name)
			}
			// Same bytes for the same hostile input.
			if again := render(t, name, opts, &res); !bytes.Equal(out, again) {
				t.Error("two runs differ")
			}
		})
	}
}

func checkHostileMarkdown(t *testing.T, res *gate.Result, out []byte) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(out) > DefaultMarkdownBytes {
		t.Errorf("markdown is %d bytes", len(out))
	}
	// The verdict, once, on the first visible line.
	if !strings.HasPrefix(lines[1], "## ❌ fsar: ERROR — 8 reports") {
		t.Errorf("headline: %q", lines[1])
	}
	// Tables: exactly one row per report, four cells each.
	notPass := res.Count.Reports - res.Count.Pass
	rows := map[string]int{}
	var table string
	for i, line := range lines {
		switch {
		case line == "| Verdict | Severity | ID | File |":
			table = "main"
			continue
		case line == "| Severity | ID | File |":
			table = "pass"
			continue
		case line == "":
			table = ""
			continue
		case table == "":
			if strings.HasPrefix(line, "|") {
				t.Errorf("line %d looks like a table row outside a table: %q", i+1, line)
			}
			continue
		case strings.HasPrefix(line, "| ---"):
			continue
		}
		_, outside := testkit.MarkdownSpans(line)
		cells := strings.Count(outside, "|")
		want := map[string]int{"main": 5, "pass": 4}[table]
		if cells != want {
			t.Errorf("%s table row %d has %d cell separators, want %d: %q", table, i+1, cells, want, line)
		}
		rows[table]++
	}
	if rows["main"] != notPass || rows["pass"] != res.Count.Pass {
		t.Errorf("table rows: %v, want main %d and pass %d", rows, notPass, res.Count.Pass)
	}
	// <details> open and close in turn; no other line carries HTML.
	open := false
	allowed := regexp.MustCompile(`^(<details>|</details>|<summary>[^<>]*</summary>|<sub>[^<>]*</sub>|<!-- [^<>-]* -->)$`)
	for i, line := range lines {
		switch line {
		case "<details>":
			if open {
				t.Errorf("line %d opens <details> inside another", i+1)
			}
			open = true
		case "</details>":
			if !open {
				t.Errorf("line %d closes a <details> that is not open", i+1)
			}
			open = false
		}
		if allowed.MatchString(line) {
			continue
		}
		spans, outside := testkit.MarkdownSpans(strings.TrimPrefix(line, "> ℹ️ **Notice:** "))
		for _, bad := range []string{"<", ">", "-->", "<!--"} {
			if strings.Contains(outside, bad) {
				t.Errorf("line %d has raw %q outside code: %.200q", i+1, bad, line)
			}
		}
		if m := regexp.MustCompile(`@[A-Za-z0-9]|#[0-9]|:[a-z]+:`).FindString(outside); m != "" {
			t.Errorf("line %d has a live mention, reference or emoji %q: %.200q", i+1, m, line)
		}
		for _, m := range regexp.MustCompile(`\]\(([^)]*)\)`).FindAllStringSubmatch(outside, -1) {
			if !strings.HasPrefix(m[1], "https://github.com/fsar-gate/fsar/") {
				t.Errorf("line %d links somewhere fsar did not: %q", i+1, m[1])
			}
		}
		for _, s := range spans {
			if strings.ContainsAny(s, "\n\r") {
				t.Errorf("line %d: a code span holds a line break", i+1)
			}
		}
	}
	if open {
		t.Error("a <details> is never closed")
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "<sub>Decided by fsar") && !strings.HasPrefix(last, "**Not shown") {
		t.Errorf("last line: %q", last)
	}
}

func checkHostileJSON(t *testing.T, res *gate.Result, out []byte) {
	t.Helper()
	var got gate.Result
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	want := canonical(res)
	wb, _ := json.Marshal(want)
	gb, _ := json.Marshal(&got)
	if !bytes.Equal(wb, gb) {
		t.Error("the JSON does not read back as the result: hostile text was changed, not just escaped")
	}
}

func checkHostileSARIF(t *testing.T, res *gate.Result, out []byte) {
	t.Helper()
	validateSARIF(t, out)
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Message   struct{ Text string }
			}
		}
	}
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	n := 0
	var want []string
	for _, r := range canonical(res).Reports {
		n += len(r.Findings) + len(r.Errors)
		for range r.Errors {
			want = append(want, ReportErrorRule)
		}
		for _, f := range r.Findings {
			want = append(want, f.Rule)
		}
	}
	if len(run.Results) != n {
		t.Fatalf("%d results, want %d", len(run.Results), n)
	}
	for i, r := range run.Results {
		if r.RuleID != want[i] || run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %d: rule %q (index %d), want %q", i, r.RuleID, r.RuleIndex, want[i])
		}
	}
}

func checkHostileJUnit(t *testing.T, res *gate.Result, out []byte) {
	t.Helper()
	var doc junitSuites
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	suites := res.Count.Reports
	if len(res.Errors) > 0 || len(res.Skipped) > 0 {
		suites++
	}
	if len(doc.Suites) != suites {
		t.Errorf("%d testsuites, want %d", len(doc.Suites), suites)
	}
	failures := 0
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil {
				failures++
			}
		}
	}
	if failures != doc.Failures || failures == 0 {
		t.Errorf("failures: counted %d, attribute %d", failures, doc.Failures)
	}
	validateJUnit(t, out) // last: it skips without xmllint
}

func checkHostileGitHub(t *testing.T, res *gate.Result, out []byte) {
	t.Helper()
	counts := map[string]int{}
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if m := commandLineRE.FindStringSubmatch(line); m != nil {
			counts[m[1]]++
			data := line[strings.Index(line[2:], "::")+4:]
			if n := utf8.RuneCountInString(testkit.WorkflowData(data)); n > 4096 {
				t.Errorf("an annotation's message has %d characters", n)
			}
			continue
		}
		if !strings.HasPrefix(line, "fsar: ") {
			t.Errorf("plain line not fsar's: %.200q", line)
		}
	}
	if counts["error"] > GitHubAnnotationsPerLevel || counts["warning"] > GitHubAnnotationsPerLevel || counts["notice"] != 1+len(res.Notices) {
		t.Errorf("annotations per level: %v", counts)
	}
	// Percent signs in report text stay literal.
	if !strings.Contains(testkit.WorkflowData(string(out)), "%0A%0D%25") {
		t.Error("the report's literal %0A%0D%25 was not kept literal")
	}
}

func checkHostileText(t *testing.T, res *gate.Result, out []byte) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	want := 2 + len(res.Skipped) + len(res.Errors) + len(res.Notices)
	errs := len(res.Errors)
	for _, r := range res.Reports {
		want += 1 + len(r.Findings) + len(r.Errors)
		errs += len(r.Errors)
	}
	if errs > 0 {
		want += 2 + errs // every error again at the end, under a blank line and a heading
	}
	if len(lines) != want {
		t.Errorf("%d lines, want %d: report text made lines of its own", len(lines), want)
	}
	prefix := regexp.MustCompile(`^(PASS   |WARN   |REVIEW |BLOCK  |ERROR  |SKIP   |ERROR |NOTICE |  (deny  |review|warn  |error ) |$|(PASS|WARN|REVIEW|BLOCK|ERROR): |[0-9]+ errors?:$)`)
	heading := regexp.MustCompile(`(?m)^[0-9]+ errors?:$`)
	above := string(out)
	if loc := heading.FindStringIndex(above); loc != nil {
		above = above[:loc[0]]
	}
	inErrors := false
	for i, line := range lines {
		switch {
		case heading.MatchString(line):
			inErrors = true
		case inErrors && line == "":
			inErrors = false
		case inErrors:
			// An error again: indented, and one of the errors above.
			if !strings.HasPrefix(line, "  ") || !strings.Contains(above, strings.TrimPrefix(line, "  ")) {
				t.Errorf("line %d is not one of the errors listed again: %.200q", i+1, line)
			}
			continue
		}
		if !prefix.MatchString(line) {
			t.Errorf("line %d is not fsar's: %.200q", i+1, line)
		}
	}
}
