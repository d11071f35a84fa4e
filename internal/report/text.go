package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

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
		fmt.Fprintf(b, "%s %s", t.paint(t.verdictColor(r.Verdict), label), Clean(r.File))
		var about []string
		if r.ID != "" {
			about = append(about, Clean(r.ID))
		}
		if r.Severity != nil {
			about = append(about, fmt.Sprintf("severity %g", *r.Severity))
		}
		if len(about) > 0 {
			fmt.Fprintf(b, " %s", t.paint(ansiDim, "("+strings.Join(about, ", ")+")"))
		}
		fmt.Fprintln(b)
		for _, p := range r.Errors {
			fmt.Fprintf(b, "  %s  %s\n", t.paint(ansiRed, "error "), Clean(p.String()))
		}
		for _, f := range r.Findings {
			loc := fmt.Sprintf("%s:%d", Clean(f.Location.File), f.Location.Line)
			fmt.Fprintf(b, "  %s %s %s  %s\n", t.paint(t.levelColor(f.Level.String()), fmt.Sprintf("%-6s", f.Level)),
				Clean(f.Rule), t.paint(ansiDim, loc), Clean(f.Message))
		}
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(b, "%s %s %s\n", t.paint(ansiDim, "SKIP  "), Clean(s), t.paint(ansiDim, "(not an FSAR report)"))
	}
	for _, p := range res.Errors {
		fmt.Fprintf(b, "%s %s\n", t.paint(ansiRed+ansiBold, "ERROR "), Clean(p.String()))
	}
	for _, n := range res.Notices {
		fmt.Fprintf(b, "%s %s\n", t.paint(ansiCyan, "NOTICE"), Clean(n))
	}
	c := res.Count
	fmt.Fprintf(b, "\n%s: %d %s — %d pass, %d warn, %d review, %d block, %d error",
		t.paint(t.verdictColor(res.Verdict), strings.ToUpper(res.Verdict.String())),
		c.Reports, plural(c.Reports, "report", "reports"), c.Pass, c.Warn, c.Review, c.Block, c.Error)
	if c.Skipped > 0 {
		fmt.Fprintf(b, "; %d skipped", c.Skipped)
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

// Clean makes untrusted text safe to print on a terminal or in a log:
// control characters (escape sequences, carriage returns, line breaks),
// line and paragraph separators and bidirectional controls become visible
// escapes, so report text can neither recolour the screen, fake a line of
// its own nor reorder what is shown; and the GitHub Actions runner's
// legacy command marker "##[" is broken up, so a log line cannot become a
// workflow command.
func Clean(s string) string {
	clean := utf8.ValidString(s)
	for _, r := range s {
		if !clean || unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean && !strings.Contains(s, legacyCommand) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return strings.ReplaceAll(b.String(), legacyCommand, `#\u0023[`)
}

// legacyCommand starts a workflow command anywhere in a line of the
// GitHub Actions log.
const legacyCommand = "##["

// unsafeRune tells whether r must not be printed as itself: a control
// character, a line or paragraph separator, or a bidirectional control.
func unsafeRune(r rune) bool {
	switch {
	case unicode.IsControl(r), r == '\u2028', r == '\u2029':
		return true
	case r == '\u061c', r == '\u200e', r == '\u200f',
		r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}
