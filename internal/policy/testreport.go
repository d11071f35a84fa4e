package policy

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/fsar-gate/fsar/internal/escape"
)

// TestSchema names the JSON that `fsar policy test --format json` writes.
const TestSchema = "fsar.policy-test/v1"

// TestSummary is what `fsar policy test` reports: the tests, their
// coverage against a threshold, and the mutation testing when asked for.
type TestSummary struct {
	Report *TestReport
	// CoverageThreshold is the least coverage, in percent (0: none).
	CoverageThreshold float64
	// Mutation is the mutation testing, or nil.
	Mutation *MutationReport
	// MutationThreshold is the least mutation score, in percent.
	MutationThreshold float64
	// AllowNoTests passes a run that found no test; by default that fails.
	AllowNoTests bool
}

// NoTests tells whether the run found no test and that fails it.
func (s TestSummary) NoTests() bool { return len(s.Report.Results) == 0 && !s.AllowNoTests }

// Passed tells whether every test passed, there was one (or AllowNoTests),
// coverage, when measured, reached its threshold, and the mutation
// testing, when run, reached its own with no stale equivalence.
func (s TestSummary) Passed() bool {
	rep := s.Report
	return rep.OK() && !s.NoTests() &&
		(rep.Coverage == nil || rep.Coverage.Percent >= s.CoverageThreshold) &&
		(s.Mutation == nil || s.Mutation.Passed(s.MutationThreshold))
}

// Write writes the summary as JSON (the keys are documented in
// policies/README.md) or as text (WriteText).
func (s TestSummary) Write(w io.Writer, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s.jsonDoc())
	}
	s.WriteText(w)
	return nil
}

// The JSON document, with stable snake_case keys.
type (
	testDoc struct {
		Schema   string       `json:"schema"`
		Passed   bool         `json:"passed"`
		Counts   testCounts   `json:"counts"`
		Results  []resultDoc  `json:"results"`
		Coverage *coverageDoc `json:"coverage,omitempty"`
		Mutation *mutationDoc `json:"mutation,omitempty"`
		Problems []string     `json:"problems"`
	}
	testCounts struct {
		Tests int `json:"tests"`
		Pass  int `json:"pass"`
		Fail  int `json:"fail"`
		Error int `json:"error"`
		Skip  int `json:"skip"`
	}
	resultDoc struct {
		Name       string  `json:"name"`
		Package    string  `json:"package"`
		File       string  `json:"file"`
		Line       int     `json:"line"`
		DurationMS float64 `json:"duration_ms"`
		Pass       bool    `json:"pass"`
		Outcome    string  `json:"outcome"`
		FailReason string  `json:"fail_reason"`
		Output     string  `json:"output"`
	}
	coverageDoc struct {
		Percent         float64      `json:"percent"`
		Threshold       float64      `json:"threshold"`
		CoveredLines    int          `json:"covered_lines"`
		NotCoveredLines int          `json:"not_covered_lines"`
		Files           []fileCovDoc `json:"files"`
	}
	fileCovDoc struct {
		File            string     `json:"file"`
		Package         string     `json:"package"`
		Percent         float64    `json:"percent"`
		CoveredLines    int        `json:"covered_lines"`
		NotCoveredLines int        `json:"not_covered_lines"`
		NotCovered      []rangeDoc `json:"not_covered"`
	}
	rangeDoc struct {
		Start int `json:"start"`
		End   int `json:"end"`
	}
	mutationDoc struct {
		Score      float64      `json:"score"`
		Threshold  float64      `json:"threshold"`
		Mutants    int          `json:"mutants"`
		Killed     int          `json:"killed"`
		Survived   int          `json:"survived"`
		Equivalent int          `json:"equivalent"`
		Invalid    int          `json:"not_compiled"`
		Rules      []ruleMutDoc `json:"rules"`
		List       []mutantDoc  `json:"mutant_list"`
		Stale      []staleDoc   `json:"stale_equivalences"`
	}
	ruleMutDoc struct {
		Rule       string `json:"rule"`
		File       string `json:"file"`
		Line       int    `json:"line"`
		Mutants    int    `json:"mutants"`
		Killed     int    `json:"killed"`
		Survived   int    `json:"survived"`
		Equivalent int    `json:"equivalent"`
	}
	mutantDoc struct {
		Rule   string `json:"rule"`
		File   string `json:"file"`
		Line   int    `json:"line"`
		Column int    `json:"column"`
		Kind   string `json:"kind"`
		Change string `json:"change"`
		Status string `json:"status"`
		Reason string `json:"reason,omitempty"`
	}
	staleDoc struct {
		File   string `json:"file"`
		Line   int    `json:"line"`
		Change string `json:"change"`
	}
)

// failReason says why a test did not pass, "" when it did.
func failReason(r TestResult) string {
	switch r.Outcome {
	case TestFail:
		return "the test rule is false or undefined"
	case TestError:
		return r.Err
	case TestSkip:
		return "skipped: a todo_test_ rule"
	}
	return ""
}

// problems are the reasons the summary fails, one sentence each.
func (s TestSummary) problems() []string {
	var ps []string
	rep := s.Report
	if s.NoTests() {
		ps = append(ps, "no tests found (--allow-no-tests passes a run without tests)")
	}
	if n := rep.Count(TestFail) + rep.Count(TestError); n > 0 {
		ps = append(ps, fmt.Sprintf("%d %s did not pass", n, plural(n, "test", "tests")))
	}
	if c := rep.Coverage; c != nil && c.Percent < s.CoverageThreshold {
		ps = append(ps, fmt.Sprintf("coverage %.2f%% is below the threshold %.2f%%", c.Percent, s.CoverageThreshold))
	}
	if m := s.Mutation; m != nil && rep.OK() {
		if m.Score() < s.MutationThreshold {
			ps = append(ps, fmt.Sprintf("mutation score %.2f%% is below the threshold %.2f%%", m.Score(), s.MutationThreshold))
		}
		if n := len(m.Stale); n > 0 {
			ps = append(ps, fmt.Sprintf("%d mutation_equivalent %s no surviving mutant", n, plural(n, "entry matches", "entries match")))
		}
	}
	return ps
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (s TestSummary) jsonDoc() testDoc {
	rep := s.Report
	doc := testDoc{
		Schema: TestSchema,
		Passed: s.Passed(),
		Counts: testCounts{Tests: len(rep.Results), Pass: rep.Count(TestPass), Fail: rep.Count(TestFail),
			Error: rep.Count(TestError), Skip: rep.Count(TestSkip)},
		Results:  []resultDoc{},
		Problems: s.problems(),
	}
	if doc.Problems == nil {
		doc.Problems = []string{}
	}
	for _, r := range rep.Results {
		doc.Results = append(doc.Results, resultDoc{
			Name: r.Name, Package: r.Package, File: r.File, Line: r.Line,
			DurationMS: math.Round(float64(r.Duration.Microseconds())) / 1000,
			Pass:       r.Outcome == TestPass, Outcome: string(r.Outcome), FailReason: failReason(r), Output: r.Output,
		})
	}
	if c := rep.Coverage; c != nil {
		cd := &coverageDoc{Percent: c.Percent, Threshold: s.CoverageThreshold, CoveredLines: c.CoveredLines,
			NotCoveredLines: c.NotCoveredLines, Files: []fileCovDoc{}}
		for _, f := range c.Files {
			fd := fileCovDoc{File: f.File, Package: f.Package, Percent: f.Percent, CoveredLines: f.CoveredLines,
				NotCoveredLines: f.NotCoveredLines, NotCovered: []rangeDoc{}}
			for _, r := range f.NotCovered {
				fd.NotCovered = append(fd.NotCovered, rangeDoc(r))
			}
			cd.Files = append(cd.Files, fd)
		}
		doc.Coverage = cd
	}
	if m := s.Mutation; m != nil {
		md := &mutationDoc{Score: m.Score(), Threshold: s.MutationThreshold, Mutants: len(m.Mutants), Killed: m.Killed,
			Survived: m.Survived, Equivalent: m.Equivalent, Invalid: m.Invalid,
			Rules: []ruleMutDoc{}, List: []mutantDoc{}, Stale: []staleDoc{}}
		for _, r := range m.Rules {
			md.Rules = append(md.Rules, ruleMutDoc(r))
		}
		for _, x := range m.Mutants {
			md.List = append(md.List, mutantDoc{Rule: x.Rule, File: x.File, Line: x.Line, Column: x.Column,
				Kind: x.Kind, Change: x.Change, Status: string(x.Status), Reason: x.Reason})
		}
		for _, x := range m.Stale {
			md.Stale = append(md.Stale, staleDoc(x))
		}
		doc.Mutation = md
	}
	return doc
}

// WriteText writes the summary for a person: each test that did not pass
// with its error and output, the counts, the coverage (the files below
// 100% and the lines not covered) against its threshold, and the mutation
// testing: each surviving mutant at its file:line:column, each stale
// equivalence, the table of rules and the score against its threshold.
func (s TestSummary) WriteText(w io.Writer) {
	rep := s.Report
	for _, r := range rep.Results {
		if r.Outcome == TestPass {
			continue
		}
		fmt.Fprintf(w, "%s %s:%d %s.%s\n", strings.ToUpper(string(r.Outcome)), escape.Terminal(r.File), r.Line,
			escape.Terminal(r.Package), escape.Terminal(r.Name))
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
	if s.NoTests() {
		fmt.Fprintln(w, "no tests found (--allow-no-tests passes a run without tests)")
	}
	if c := rep.Coverage; c != nil {
		writeCoverage(w, c, s.CoverageThreshold)
	}
	if m := s.Mutation; m != nil && rep.OK() {
		writeMutation(w, m, s.MutationThreshold)
	}
}

func writeCoverage(w io.Writer, c *Coverage, threshold float64) {
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
			fmt.Fprintf(w, "  %s: %.2f%% (not covered: lines %s)\n", escape.Terminal(fc.File), fc.Percent, strings.Join(ranges, ", "))
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

func writeMutation(w io.Writer, m *MutationReport, threshold float64) {
	for _, x := range m.Mutants {
		if x.Status == MutantSurvived {
			fmt.Fprintf(w, "SURVIVED %s:%d:%d %s: %s\n", escape.Terminal(x.File), x.Line, x.Column,
				escape.Terminal(x.Rule), escape.Terminal(x.Change))
		}
	}
	for _, x := range m.Stale {
		fmt.Fprintf(w, "STALE %s:%d mutation_equivalent %s: no surviving mutant makes this change\n",
			escape.Terminal(x.File), x.Line, escape.Terminal(x.Change))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tFILE\tMUTANTS\tKILLED\tSURVIVED\tEQUIVALENT")
	for _, r := range m.Rules {
		fmt.Fprintf(tw, "%s\t%s:%d\t%d\t%d\t%d\t%d\n", escape.Terminal(r.Rule), escape.Terminal(r.File), r.Line,
			r.Mutants, r.Killed, r.Survived, r.Equivalent)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "mutants: %d (and %d that did not compile, not counted): %d killed, %d survived, %d equivalent\n",
		len(m.Mutants), m.Invalid, m.Killed, m.Survived, m.Equivalent)
	fmt.Fprintf(w, "mutation score: %.2f%%", m.Score())
	if m.Score() < threshold {
		fmt.Fprintf(w, " — below the threshold %.2f%%", threshold)
	} else {
		fmt.Fprintf(w, " (threshold %.2f%%)", threshold)
	}
	fmt.Fprintln(w)
}
