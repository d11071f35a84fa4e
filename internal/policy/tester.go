package policy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// TestOptions configure Test.
type TestOptions struct {
	// Sources hold the policy modules and their *_test.rego files.
	Sources []Source
	// Data and Config are the base documents, as for Load.
	Data   map[string]any
	Config map[string]any
	// Run, when set, is a regular expression: only the tests whose full
	// name (data.fsar.severity_test.test_x) it matches run.
	Run string
	// Coverage asks for a coverage report of the policy (non-test) modules.
	Coverage bool
	// Limits bound the tests as Load's bound evaluations: EvalTimeout
	// (default 5s) each test, which then ends as a TestError naming the
	// deadline; MemoryLimit (default 160 MiB) the heap while tests run,
	// which when exceeded stops the tests and makes Test return an error
	// wrapping a *LimitError.
	Limits
}

// TestOutcome is how one test ended.
type TestOutcome string

// The outcomes of a test.
const (
	TestPass  TestOutcome = "pass"
	TestFail  TestOutcome = "fail"  // the test rule was false or undefined
	TestError TestOutcome = "error" // evaluation failed (built-in error, conflict, timeout)
	TestSkip  TestOutcome = "skip"  // a todo_test_ rule
)

// TestResult is the result of one Rego test.
type TestResult struct {
	Package  string // "fsar.severity_test"
	Name     string // "test_hard_threshold"
	File     string
	Line     int
	Outcome  TestOutcome
	Err      string // for TestError: the error, "file:line:column: message" when located
	Output   string // what print() wrote
	Duration time.Duration
}

// TestReport is the result of Test.
type TestReport struct {
	Results  []TestResult // sorted by file, line and name
	Coverage *Coverage    // nil unless asked for
}

// Count returns how many results ended with the outcome.
func (r *TestReport) Count(o TestOutcome) int {
	n := 0
	for _, res := range r.Results {
		if res.Outcome == o {
			n++
		}
	}
	return n
}

// OK reports whether no test failed or errored.
func (r *TestReport) OK() bool { return r.Count(TestFail) == 0 && r.Count(TestError) == 0 }

// Coverage is the line coverage of the policy modules by their tests.
type Coverage struct {
	Percent         float64 // covered lines / lines that count, in percent; 0 when none count
	CoveredLines    int
	NotCoveredLines int
	Files           []FileCoverage // sorted by file
}

// FileCoverage is the coverage of one policy module.
type FileCoverage struct {
	File            string
	Package         string // the module's package, without "data."
	Percent         float64
	CoveredLines    int
	NotCoveredLines int
	Covered         []LineRange // sorted
	NotCovered      []LineRange // sorted
}

// LineRange is a range of lines, both ends included.
type LineRange struct{ Start, End int }

// Test runs the *_test.rego tests in the sources against the policies,
// sandboxed and compiled as Load does (print output is captured). The
// policy modules must pass the same checks as for Load; finding no test is
// not an error. A test that fails or errors is a result, not an error.
//
// The OPA test runner does not take an evaluation time: tests that depend
// on time.now_ns() must set it with `with time.now_ns as ...`.
//
// A test that exceeds the deadline (opts.EvalTimeout) is a TestError that
// names it; exceeding the memory limit stops every test and is an error.
func Test(ctx context.Context, opts TestOptions) (*TestReport, error) {
	s, err := newSuite(ctx, opts)
	if err != nil {
		return nil, err
	}
	report, c, err := s.run(ctx, s.modules, runOptions{coverage: opts.Coverage})
	if err != nil {
		return nil, err
	}
	if c != nil {
		report.Coverage = coverage(c.cov, c.compiler, s.files)
	}
	return report, nil
}

// suite is a test run's policies and tests, read, checked and parsed once,
// to run as they are (Test) or changed (Mutate).
type suite struct {
	opts    TestOptions
	files   []file
	modules map[string]*ast.Module // parsed, policies and tests; never changed
}

// newSuite reads the sources, checks the policies alone exactly as Load
// would, and parses every file.
func newSuite(ctx context.Context, opts TestOptions) (*suite, error) {
	if opts.Run != "" {
		if _, err := regexp.Compile(opts.Run); err != nil {
			return nil, fmt.Errorf("policy: test filter: %w", err)
		}
	}
	files, err := readSources(opts.Sources)
	if err != nil {
		return nil, err
	}
	var policyFiles []file
	for _, f := range files {
		if !f.test {
			policyFiles = append(policyFiles, f)
		}
	}
	pc, _, _, err := compileFiles(ctx, policyFiles, opts.Data, opts.Config, false, nil)
	if err != nil {
		return nil, err
	}
	if _, _, err := inspect(pc, false); err != nil {
		return nil, err
	}
	modules, err := parseFiles(files)
	if err != nil {
		return nil, err
	}
	return &suite{opts: opts, files: files, modules: modules}, nil
}

// runOptions tune one run of a suite.
type runOptions struct {
	coverage   bool
	stopOnFail bool // stop at the first test that does not pass (Mutate)
	parallel   int  // tests run at once; 0: the number of CPUs
}

// covered is the compiler and coverage tracer of a run with coverage.
type covered struct {
	compiler *ast.Compiler
	cov      *cover.Cover
}

// run compiles the modules (the suite's, or some changed) with the tests
// and runs the tests. A module that does not compile is a *LoadError.
func (s *suite) run(ctx context.Context, modules map[string]*ast.Module, ro runOptions) (*TestReport, *covered, error) {
	opts := s.opts
	root, _, err := buildData(opts.Data, opts.Config)
	if err != nil {
		return nil, nil, fmt.Errorf("policy: %w", err)
	}
	store := newStore(root)
	c := newCompiler(true)

	// The runner bounds each test with a context deadline, which OPA's
	// evaluator and built-ins poll as for Eval. It has no "no deadline":
	// without one, a deadline a century away.
	timeout := opts.timeout()
	if timeout == 0 {
		timeout = 100 * 365 * 24 * time.Hour
	}
	var cov *cover.Cover
	runner := tester.NewRunner().
		SetCompiler(c).
		SetStore(store).
		SetModules(modules).
		RaiseBuiltinErrors(true).
		CapturePrintOutput(true).
		SetTimeout(timeout).
		SetParallel(ro.parallel).
		Filter(opts.Run)
	if ro.coverage {
		cov = cover.New()
		runner.SetCoverageQueryTracer(cov).SetCoverageRuns([]cover.Kind{})
	}
	// The memory limit: the whole run is one watched evaluation, whose
	// context the watcher cancels when the heap exceeds the limit; the
	// runner then stops starting tests.
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var run *evalRun
	if mem := opts.memory(); mem > 0 {
		run = evalGuard.start(runCtx, Limits{EvalTimeout: -1, MemoryLimit: int64(mem)}, cancel)
	}
	ch, err := runner.RunTests(runCtx, nil)
	if err != nil {
		if run != nil {
			evalGuard.end(run)
		}
		return nil, nil, testSetupError(err)
	}
	report := &TestReport{}
	var stopped []string // the tests that were cancelled
	failed := false
	for r := range ch {
		if failed {
			continue // stopping: the rest were cancelled
		}
		res, cancelled := testResult(r, timeout)
		report.Results = append(report.Results, res)
		if cancelled {
			stopped = append(stopped, res.Package+"."+res.Name)
		}
		if ro.stopOnFail && res.Outcome != TestPass && res.Outcome != TestSkip {
			failed = true
			cancel(errStopped)
		}
	}
	if run != nil {
		evalGuard.end(run)
		if lerr := run.limitError(); lerr != nil {
			return nil, nil, fmt.Errorf("policy: tests%s: %w", stoppedTests(stopped), lerr)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("policy: tests: %w", err)
	}
	slices.SortFunc(report.Results, func(a, b TestResult) int {
		return cmp.Or(
			strings.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			strings.Compare(a.Name, b.Name),
		)
	})
	if cov != nil {
		return report, &covered{compiler: c, cov: cov}, nil
	}
	return report, nil, nil
}

// errStopped cancels the tests left when a run stops at its first failure.
var errStopped = errors.New("stopped at the first failing test")

// testSetupError converts a compile error from the runner.
func testSetupError(err error) error {
	var astErrs ast.Errors
	if errors.As(err, &astErrs) {
		return &LoadError{Problems: astProblems(err)}
	}
	return fmt.Errorf("policy: tests: %w", err)
}

// stoppedTests names the tests that were stopped, for the error of a run
// that exceeded the memory limit: " (stopped fsar.x_test.test_a)", or "".
func stoppedTests(names []string) string {
	if len(names) == 0 {
		return ""
	}
	slices.Sort(names)
	return " (stopped " + strings.Join(names, ", ") + ")"
}

// testResult converts the runner's result, and tells whether the test was
// cancelled; timeout is the deadline of each test.
func testResult(r *tester.Result, timeout time.Duration) (TestResult, bool) {
	cancelled := false
	res := TestResult{
		Package:  strings.TrimPrefix(r.Package, "data."),
		Name:     r.Name,
		Output:   string(r.Output),
		Duration: r.Duration,
	}
	if r.Location != nil {
		res.File, res.Line = r.Location.File, r.Location.Row
	}
	switch {
	case r.Skip:
		res.Outcome = TestSkip
	case r.Error != nil:
		res.Outcome = TestError
		res.Err, cancelled = testErrorString(r.Error, timeout)
	case r.Fail:
		res.Outcome = TestFail
	default:
		res.Outcome = TestPass
	}
	return res, cancelled
}

// testErrorString renders a test's error as "file:line:column: message",
// and tells whether the test was cancelled. A cancelled test exceeded the
// deadline, unless the whole run was stopped (Test then returns an error
// and not the results).
func testErrorString(err error, timeout time.Duration) (string, bool) {
	var te *topdown.Error
	if errors.As(err, &te) {
		if te.Code == topdown.CancelErr {
			return locProblem(te.Location, (&LimitError{Timeout: timeout}).Error()).String(), true
		}
		return locProblem(te.Location, te.Message).String(), false
	}
	var ee *EvalError
	if errors.As(err, &ee) {
		return ee.Error(), false
	}
	return evalError(err).Error(), false
}

// lineRanges converts OPA's position ranges to sorted line ranges.
func lineRanges(rs []cover.Range) []LineRange {
	var out []LineRange
	for _, r := range rs {
		out = append(out, LineRange{Start: r.Start.Row, End: r.End.Row})
	}
	slices.SortFunc(out, func(a, b LineRange) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
	})
	return out
}

// coverage summarises the coverage of the policy (non-test) modules.
func coverage(cov *cover.Cover, c *ast.Compiler, files []file) *Coverage {
	modules := map[string]*ast.Module{}
	for _, f := range files {
		if m := c.Modules[f.name]; m != nil && !f.test {
			modules[f.name] = m
		}
	}
	rep := cov.Report(modules)
	out := &Coverage{}
	for _, name := range slices.Sorted(maps.Keys(modules)) {
		fr := rep.Files[name]
		fc := FileCoverage{File: name, Package: packageName(modules[name].Package.Path)}
		if fr != nil {
			fc.Percent = fr.Coverage
			fc.CoveredLines = fr.CoveredLines
			fc.NotCoveredLines = fr.NotCoveredLines
			fc.Covered = lineRanges(fr.Covered)
			fc.NotCovered = lineRanges(fr.NotCovered)
		}
		out.CoveredLines += fc.CoveredLines
		out.NotCoveredLines += fc.NotCoveredLines
		out.Files = append(out.Files, fc)
	}
	if total := out.CoveredLines + out.NotCoveredLines; total > 0 {
		out.Percent = 100 * float64(out.CoveredLines) / float64(total)
	}
	return out
}
