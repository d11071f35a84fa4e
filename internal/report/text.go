package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
)

// Text writes the result for a person: a line per report with its verdict,
// each finding under it, and a summary line.
type Text struct {
	Color bool
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

// Format implements Formatter.
func (t *Text) Format(w io.Writer, res *gate.Result) error {
	res = canonical(res)
	b := bufio.NewWriter(w)
	for _, r := range res.Reports {
		label := fmt.Sprintf("%-6s", strings.ToUpper(r.Verdict.String()))
		fmt.Fprintf(b, "%s %s", t.paint(t.verdictColor(r.Verdict), label), escape.Terminal(r.File))
		var about []string
		if r.ID != "" {
			about = append(about, escape.Terminal(r.ID))
		}
		if r.Severity != nil {
			about = append(about, fmt.Sprintf("severity %g", *r.Severity))
		}
		if len(about) > 0 {
			fmt.Fprintf(b, " %s", t.paint(ansiDim, "("+strings.Join(about, ", ")+")"))
		}
		fmt.Fprintln(b)
		for _, p := range r.Errors {
			fmt.Fprintf(b, "  %s  %s\n", t.paint(ansiRed, "error "), escape.Terminal(p.String()))
		}
		for _, f := range r.Findings {
			loc := fmt.Sprintf("%s:%d", escape.Terminal(f.Location.File), f.Location.Line)
			level := t.paint(t.levelColor(f.Level.String()), fmt.Sprintf("%-6s", f.Level))
			if f.Waived != nil {
				level = t.paint(ansiDim, fmt.Sprintf("%-6s", "waived"))
			}
			fmt.Fprintf(b, "  %s %s %s  %s\n", level, escape.Terminal(f.Rule), t.paint(ansiDim, loc), escape.Terminal(f.Message))
			if w := f.Waived; w != nil {
				fmt.Fprintf(b, "         %s\n", t.paint(ansiDim, escape.Terminal(fmt.Sprintf("%s, waived by %s until %s: %s (%s)", f.Level, w.ApprovedBy, w.Expires, w.Reason, w.Source))))
			}
		}
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(b, "%s %s %s\n", t.paint(ansiDim, "SKIP  "), escape.Terminal(s), t.paint(ansiDim, "(not an FSAR report)"))
	}
	for _, p := range res.Errors {
		fmt.Fprintf(b, "%s %s\n", t.paint(ansiRed+ansiBold, "ERROR "), escape.Terminal(p.String()))
	}
	for _, n := range res.Notices {
		fmt.Fprintf(b, "%s %s\n", t.paint(ansiCyan, "NOTICE"), escape.Terminal(n))
	}
	for _, u := range res.Waivers {
		fmt.Fprintf(b, "%s %s\n", t.paint(t.waiverColor(u.Status), "WAIVER"), escape.Terminal(WaiverLine(u)))
	}
	fmt.Fprintf(b, "\n%s: %s", t.paint(t.verdictColor(res.Verdict), strings.ToUpper(res.Verdict.String())), res.Tally())
	if n := res.Count.Skipped; n > 0 {
		fmt.Fprintf(b, "; %d skipped", n)
	}
	fmt.Fprintln(b)
	return b.Flush()
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
