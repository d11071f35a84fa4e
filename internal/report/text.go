package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// Text writes the result for a person: a line per report with its verdict,
// each finding under it, every error again at the end, and a summary line.
type Text struct {
	Color bool
	// Quiet leaves out the reports below FailOn (and below warn) and the
	// skipped files: only the reports that fail the gate, the errors and
	// the summary are written.
	Quiet  bool
	FailOn gate.Verdict
}

const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGreen  = "\x1b[32m"
	ansiCyan   = "\x1b[36m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
)

func (t *Text) paint(code, s string) string {
	if !t.Color {
		return s
	}
	return code + s + ansiReset
}

func (t *Text) verdictColor(v gate.Verdict) string {
	switch v {
	case gate.Pass:
		return ansiGreen
	case gate.Warn:
		return ansiYellow
	case gate.Review:
		return ansiCyan
	}
	return ansiRed + ansiBold
}

// Format implements Formatter: the reports and skipped files in the order
// of their paths (standard input first), then the run's errors, notices,
// every error again, and the summary.
func (t *Text) Format(w io.Writer, res *gate.Result) error {
	res = canonical(res)
	b := bufio.NewWriter(w)
	s := t.Stream(b)
	skipped := res.Skipped
	for _, r := range res.Reports {
		for len(skipped) > 0 && r.File != "-" && skipped[0] < r.File {
			s.Skipped(skipped[0], res.OtherKinds[skipped[0]])
			skipped = skipped[1:]
		}
		s.Report(r)
	}
	for _, f := range skipped {
		s.Skipped(f, res.OtherKinds[f])
	}
	if err := s.Finish(res); err != nil {
		return err
	}
	return b.Flush()
}

// Stream returns a writer of the text format that writes each report as
// it is judged (Report, Skipped, or Judged for either), in bounded memory:
// it keeps only the errors, to list them again at the end (Finish). Each
// report's lines reach w in one Write.
func (t *Text) Stream(w io.Writer) *TextStream { return &TextStream{t: t, w: w} }

// TextStream is the text format written as reports are judged.
type TextStream struct {
	t      *Text
	w      io.Writer
	buf    []byte
	errors []string // every error so far, for the list at the end
	err    error
}

// Judged writes one judged unit: its report, or the skipped file.
func (s *TextStream) Judged(j gate.Judged) {
	if j.Skipped {
		s.Skipped(j.Unit.Path, j.Kind)
		return
	}
	s.Report(j.Report)
}

// shown tells whether the text shows a report with verdict v: every
// report, or when Quiet only those at or above FailOn (warn at least) and
// those in error.
func (t *Text) shown(v gate.Verdict) bool {
	return !t.Quiet || v >= max(t.FailOn, gate.Warn)
}

// Report writes a report: its verdict, file, id and severity, its errors
// and findings.
func (s *TextStream) Report(r gate.Report) {
	t := s.t
	for _, p := range r.Errors {
		s.errors = append(s.errors, escape.Terminal(p.String()))
	}
	if !t.shown(r.Verdict) {
		return
	}
	b := s.buf[:0]
	label := fmt.Sprintf("%-6s", strings.ToUpper(r.Verdict.String()))
	b = fmt.Appendf(b, "%s %s", t.paint(t.verdictColor(r.Verdict), label), escape.Terminal(r.File))
	var about []string
	if r.ID != "" {
		about = append(about, escape.Terminal(r.ID))
	}
	if r.Severity != nil {
		about = append(about, fmt.Sprintf("severity %g", *r.Severity))
	}
	if len(about) > 0 {
		b = fmt.Appendf(b, " %s", t.paint(ansiDim, "("+strings.Join(about, ", ")+")"))
	}
	b = append(b, '\n')
	for _, p := range r.Errors {
		b = fmt.Appendf(b, "  %s  %s\n", t.paint(ansiRed, "error "), escape.Terminal(p.String()))
	}
	findings := r.Findings
	if len(findings) > 1 {
		findings = slices.Clone(findings)
		slices.SortStableFunc(findings, compareFindings)
	}
	for _, f := range findings {
		loc := fmt.Sprintf("%s:%d", escape.Terminal(f.Location.File), f.Location.Line)
		level := t.paint(t.levelColor(f.Level.String()), fmt.Sprintf("%-6s", f.Level))
		if f.Waived != nil {
			level = t.paint(ansiDim, fmt.Sprintf("%-6s", "waived"))
		}
		b = fmt.Appendf(b, "  %s %s %s  %s\n", level, escape.Terminal(f.Rule), t.paint(ansiDim, loc), escape.Terminal(f.Message))
		if w := f.Waived; w != nil {
			b = fmt.Appendf(b, "         %s\n", t.paint(ansiDim, escape.Terminal(fmt.Sprintf("%s, waived by %s until %s: %s (%s)", f.Level, w.ApprovedBy, w.Expires, w.Reason, w.Source))))
		}
	}
	s.write(b)
}

// Skipped writes a file that is not an FSAR report, and the kind of report
// it is when it says ("" when not).
func (s *TextStream) Skipped(file, kind string) {
	t := s.t
	if t.Quiet {
		return
	}
	s.write(fmt.Appendf(s.buf[:0], "%s %s %s\n", t.paint(ansiDim, "SKIP  "), escape.Terminal(file), t.paint(ansiDim, "("+escape.Terminal(proposal.OtherNote(kind))+")")))
}

func (s *TextStream) write(b []byte) {
	s.buf = b
	if s.err == nil {
		_, s.err = s.w.Write(b)
	}
}

// Finish writes the end: the run's own errors, its notices, every error of
// the run again (so that a long output's errors need no search), and the
// summary line, from res's counts. It returns the first write error.
func (s *TextStream) Finish(res *gate.Result) error {
	t := s.t
	var b []byte
	for _, p := range res.Errors {
		b = fmt.Appendf(b, "%s %s\n", t.paint(ansiRed+ansiBold, "ERROR "), escape.Terminal(p.String()))
		s.errors = append(s.errors, escape.Terminal(p.String()))
	}
	for _, n := range res.Notices {
		b = fmt.Appendf(b, "%s %s\n", t.paint(ansiCyan, "NOTICE"), escape.Terminal(n))
	}
	for _, u := range res.Waivers {
		b = fmt.Appendf(b, "%s %s\n", t.paint(t.waiverColor(u.Status), "WAIVER"), escape.Terminal(WaiverLine(u)))
	}
	if n := len(s.errors); n > 0 {
		b = fmt.Appendf(b, "\n%s\n", t.paint(ansiRed+ansiBold, fmt.Sprintf("%d %s:", n, plural(n, "error", "errors"))))
		for _, e := range s.errors {
			b = fmt.Appendf(b, "  %s\n", e)
		}
	}
	b = fmt.Appendf(b, "\n%s: %s", t.paint(t.verdictColor(res.Verdict), strings.ToUpper(res.Verdict.String())), res.Tally())
	if n := res.Count.Skipped; n > 0 {
		b = fmt.Appendf(b, "; %d skipped", n)
	}
	b = append(b, '\n')
	s.write(b)
	return s.err
}

func (t *Text) levelColor(level string) string {
	switch level {
	case "deny":
		return ansiRed
	case "review":
		return ansiCyan
	}
	return ansiYellow
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (t *Text) waiverColor(status string) string {
	switch status {
	case "expired", "expiring":
		return ansiYellow
	case "unused":
		return ansiDim
	}
	return ansiCyan
}

// WaiverLine says on one line what a waiver is and how the run used it.
func WaiverLine(u gate.WaiverUse) string {
	use := fmt.Sprintf("%d %s in %d %s", u.WaivedFindings, plural(u.WaivedFindings, "finding", "findings"), u.WaivedReports, plural(u.WaivedReports, "report", "reports"))
	switch u.Status {
	case "unused":
		use = "matched nothing in this run"
	case "expired":
		use = "expired: it waives nothing"
	case "expiring":
		use += ", ending soon"
	}
	return fmt.Sprintf("%s (%s): %s, approved by %s until %s: %s", u.Rule, u.Source, use, u.ApprovedBy, u.Expires, u.Reason)
}
