// Package gate turns policy findings into verdicts: it reads reports,
// evaluates them concurrently with a compiled policy engine, places each
// finding at its report line, and summarises the run. It prints nothing.
package gate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/progress"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// Schema names the version of the check result's JSON form.
const Schema = "fsar.check/v1"

// Verdict is what the gate says of one report, or of a whole run: its
// worst finding, or error when it could not be read or evaluated.
type Verdict int

// Verdicts, from the best to the worst.
const (
	Pass Verdict = iota
	Warn
	Review
	Block
	Error
)

var verdictNames = [...]string{"pass", "warn", "review", "block", "error"}

// Never is the --fail-on of report-only mode: above every verdict, so
// that no verdict fails the gate (an error still does: it is exit 2).
const Never = Error + 1

func (v Verdict) String() string {
	if v == Never {
		return "never"
	}
	if v < Pass || v > Error {
		return fmt.Sprintf("Verdict(%d)", int(v))
	}
	return verdictNames[v]
}

// MarshalText encodes the verdict as its name.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText decodes a verdict name.
func (v *Verdict) UnmarshalText(b []byte) error {
	p, err := ParseVerdict(string(b))
	if err == nil {
		*v = p
	}
	return err
}

// ParseVerdict reads a verdict name.
func ParseVerdict(s string) (Verdict, error) {
	for i, n := range verdictNames {
		if n == s {
			return Verdict(i), nil
		}
	}
	return 0, fmt.Errorf("unknown verdict %q (want pass, warn, review, block or error)", s)
}

// ParseFailOn reads --fail-on: the lowest verdict that fails the gate,
// warn, review or block; or never (report-only: Never).
func ParseFailOn(s string) (Verdict, error) {
	switch s {
	case "warn", "review", "block":
		return ParseVerdict(s)
	case "never":
		return Never, nil
	}
	return 0, fmt.Errorf("--fail-on %q: expected warn, review, block or never", s)
}

// verdictOf maps a finding's level onto the verdict it causes.
func verdictOf(l policy.Level) Verdict {
	switch l {
	case policy.Deny:
		return Block
	case policy.Review:
		return Review
	case policy.Warn:
		return Warn
	}
	return Error
}

// Evaluator evaluates one report's input; *policy.Engine is one.
type Evaluator interface {
	Eval(ctx context.Context, input ast.Value) ([]policy.Finding, error)
}

var _ Evaluator = (*policy.Engine)(nil)

// Location is a place in a report file.
type Location struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// Finding is a policy finding placed at its report line.
type Finding struct {
	Level       policy.Level `json:"level"`
	Rule        string       `json:"rule"`
	Title       string       `json:"title,omitempty"`
	Message     string       `json:"message"`
	Field       string       `json:"field,omitempty"`
	Remediation string       `json:"remediation,omitempty"`
	Package     string       `json:"package"`
	Location    Location     `json:"location"`
	// Waived, when set, is the waiver that accepts the finding: it is
	// shown, and does not count toward the verdict.
	Waived *Waived `json:"waived_by,omitempty"`
}

// Problem is an error that kept a report from being read or judged.
type Problem struct {
	Location Location `json:"location"`
	Message  string   `json:"message"`
}

func (p Problem) String() string {
	loc := p.Location.File
	if p.Location.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", loc, p.Location.Line, p.Location.Column)
	}
	if loc == "" {
		return p.Message
	}
	return loc + ": " + p.Message
}

// ProblemOf describes err, with its place when it is a read error.
func ProblemOf(err error) Problem {
	var re *proposal.Error
	if errors.As(err, &re) {
		return Problem{Location: Location{File: re.File, Line: re.Pos.Line, Column: re.Pos.Column}, Message: re.Msg}
	}
	return Problem{Message: err.Error()}
}

// Report is the gate's result for one report.
type Report struct {
	File string `json:"file"`
	Twin string `json:"twin,omitempty"`
	// SHA256 and TwinSHA256 are the hex digests of the files' bytes as
	// judged, when they could be read.
	SHA256     string    `json:"sha256,omitempty"`
	TwinSHA256 string    `json:"twin_sha256,omitempty"`
	Form       string    `json:"form,omitempty"`
	ID         string    `json:"id,omitempty"`
	Severity   *float64  `json:"severity,omitempty"`
	Kind       string    `json:"kind,omitempty"`
	Verdict    Verdict   `json:"verdict"`
	Findings   []Finding `json:"findings"`
	Errors     []Problem `json:"errors,omitempty"`
}

// Count is how many reports got each verdict.
type Count struct {
	Reports int `json:"reports"`
	Pass    int `json:"pass"`
	Warn    int `json:"warn"`
	Review  int `json:"review"`
	Block   int `json:"block"`
	Error   int `json:"error"`
	Skipped int `json:"skipped"`
}

// DecidedBy records what judged a run, so that a result can be reproduced.
type DecidedBy struct {
	FSARVersion string `json:"fsar_version"`
	// FSARCommit is the commit fsar was built from, when it is known
	// (buildinfo.Commit).
	FSARCommit   string `json:"fsar_commit,omitempty"`
	OPAVersion   string `json:"opa_version"`
	PolicyDigest string `json:"policy_digest"`
	// PolicyRevision is the git commit the policies and configuration were
	// read at (--policy-ref), empty when they came from the working tree.
	PolicyRevision string `json:"policy_revision,omitempty"`
	// PolicyBundles are the OPA bundles the policies included (--bundle):
	// where each came from, its manifest's revision and roots, and
	// whether its signature was verified.
	PolicyBundles []policy.BundleInfo `json:"policy_bundles,omitempty"`
	Now           time.Time           `json:"now"`
}

// Result is one `fsar check` run.
type Result struct {
	Schema    string    `json:"schema"`
	Verdict   Verdict   `json:"verdict"`
	DecidedBy DecidedBy `json:"decided_by"`
	Count     Count     `json:"count"`
	Reports   []Report  `json:"reports"`
	// Skipped lists files found in folders that are not FSAR reports;
	// OtherKinds names the kind of report each of them is, when it says
	// ("drift", "quality_regression"; see proposal.Result.Kind).
	Skipped    []string          `json:"skipped"`
	OtherKinds map[string]string `json:"other_kinds,omitempty"`
	// Errors are problems not tied to one report (a path that cannot be
	// walked).
	Errors []Problem `json:"errors"`
	// Notices are things a reader should know that change no verdict: a
	// pull request's own policy changes, judged only once merged.
	Notices []string `json:"notices,omitempty"`
	// Subject is the pull request and commit the check ran on, when known
	// (see subject.go).
	Subject *Subject `json:"subject,omitempty"`
	// Waivers are the waivers of the configuration and how the run used
	// them.
	Waivers []WaiverUse `json:"waivers,omitempty"`
	// Approval is the human approval found on the pull request when the
	// verdict was published (fsar check --publish), or nil.
	Approval *Approval `json:"approval,omitempty"`
}

// Options tune how reports are read and evaluated.
type Options struct {
	Limits  proposal.Limits // what the readers accept; the defaults when zero
	Stdin   io.Reader       // read for the unit "-"; without it, "-" is an error
	Workers int             // concurrent evaluations; the number of CPUs when 0
	Waivers *Waivers        // the waivers to apply, or nil
	// Progress, when not nil, is told how far Judge has come.
	Progress *progress.Progress
}

// Check reads and evaluates every unit, on all cores, and returns the
// results in the units' order: Stream, collected. Skipped units (walked
// files that are not reports) come back in skipped.
func Check(ctx context.Context, ev Evaluator, units []proposal.Unit, opts Options) (reports []Report, skipped []string) {
	ch := make(chan proposal.Unit)
	go func() {
		defer close(ch)
		for _, u := range units {
			ch <- u
		}
	}()
	reports = []Report{}
	Stream(ctx, ev, ch, opts, func(j Judged) {
		if j.Skipped {
			skipped = append(skipped, j.Unit.Path)
		} else {
			reports = append(reports, j.Report)
		}
	})
	return reports, skipped
}

// judge evaluates one read report.
func judge(ctx context.Context, ev Evaluator, res proposal.Result, ws *Waivers) Report {
	rep := Report{File: res.Unit.Path, Twin: res.Unit.Twin, Findings: []Finding{}}
	for _, err := range res.Errs {
		rep.Errors = append(rep.Errors, ProblemOf(err))
	}
	r := res.Report
	if r != nil {
		rep.File, rep.Form, rep.Kind, rep.SHA256 = r.File, string(r.Form), strings.Clone(r.Kind), r.SHA256
		if r.Twin != nil {
			rep.Twin, rep.TwinSHA256 = r.Twin.File, r.Twin.SHA256
		}
		if r.Has(proposal.FieldID) {
			rep.ID = strings.Clone(r.ID) // not a slice of the whole file's text, kept with the result
		}
		if r.Has(proposal.FieldSeverity) {
			s := r.Severity
			rep.Severity = &s
		}
		if err := ctx.Err(); err != nil {
			rep.Errors = append(rep.Errors, Problem{Location: Location{File: rep.File}, Message: "not evaluated: " + err.Error()})
		} else if input, err := Input(r); err != nil {
			rep.Errors = append(rep.Errors, Problem{Location: Location{File: rep.File}, Message: "building the policy input: " + err.Error()})
		} else if findings, err := ev.Eval(ctx, input); err != nil {
			rep.Errors = append(rep.Errors, Problem{Location: Location{File: rep.File}, Message: "policy evaluation: " + err.Error()})
		} else {
			var positions map[string]proposal.Pos
			if len(findings) > 0 {
				positions = r.Positions()
			}
			for _, f := range findings {
				p := proposal.PosIn(positions, f.Field)
				rep.Findings = append(rep.Findings, Finding{
					Level: f.Level, Rule: f.Rule, Title: f.Title, Message: f.Msg, Field: f.Field,
					Remediation: f.Remediation, Package: f.Package,
					Location: Location{File: r.File, Line: p.Line, Column: p.Column},
				})
			}
		}
	}
	ws.apply(&rep)
	rep.Verdict = Pass
	for _, f := range rep.Findings {
		if f.Waived == nil {
			rep.Verdict = max(rep.Verdict, verdictOf(f.Level))
		}
	}
	if len(rep.Errors) > 0 || r == nil {
		rep.Verdict = Error
	}
	return rep
}

// ErrorCount counts every error of the run: the reports that could not be
// read or judged, and the problems not tied to one report (a path that
// could not be walked, no report found).
func (res *Result) ErrorCount() int { return res.Count.Error + len(res.Errors) }

// Tally is the run's counts in one line: "3 reports — 1 pass, 0 warn, 1
// review, 1 block, 0 error", errors counted as ErrorCount does.
func (res *Result) Tally() string {
	c := res.Count
	noun := "reports"
	if c.Reports == 1 {
		noun = "report"
	}
	return fmt.Sprintf("%d %s — %d pass, %d warn, %d review, %d block, %d error", c.Reports, noun, c.Pass, c.Warn, c.Review, c.Block, res.ErrorCount())
}

// Add counts one report's verdict.
func (c *Count) Add(v Verdict) {
	c.Reports++
	switch v {
	case Pass:
		c.Pass++
	case Warn:
		c.Warn++
	case Review:
		c.Review++
	case Block:
		c.Block++
	default:
		c.Error++
	}
}

// Worst is the worst verdict of the reports counted.
func (c Count) Worst() Verdict {
	switch {
	case c.Error > 0:
		return Error
	case c.Block > 0:
		return Block
	case c.Review > 0:
		return Review
	case c.Warn > 0:
		return Warn
	}
	return Pass
}

// Summarize fills the result's verdict and counts from its reports and
// errors. A run with errors, or with no report at all, is an error: a gate
// must not pass what it did not see.
func (res *Result) Summarize() {
	res.Count = Count{Skipped: len(res.Skipped)}
	for _, r := range res.Reports {
		res.Count.Add(r.Verdict)
	}
	res.settle()
}

// AddProblem records an error of the run that is not tied to one report:
// the run's verdict becomes error. Counts are kept as they are, so that it
// works on a run whose reports were not kept (RunOptions.Drop).
func (res *Result) AddProblem(p Problem) {
	res.Errors = append(res.Errors, p)
	res.settle()
}

// settle sets the verdict from the counts and errors, and makes nil lists
// empty.
func (res *Result) settle() {
	res.Verdict = res.Count.Worst()
	if len(res.Errors) > 0 {
		res.Verdict = Error
	}
	if res.Reports == nil {
		res.Reports = []Report{}
	}
	if res.Skipped == nil {
		res.Skipped = []string{}
	}
	if res.Errors == nil {
		res.Errors = []Problem{}
	}
}
