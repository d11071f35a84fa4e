package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/ghref"
)

// Formats are the output formats of a sweep.
var Formats = []string{"text", "json", "markdown", "html"}

// ValidFormat checks an output format name.
func ValidFormat(name string) error {
	if slices.Contains(Formats, name) {
		return nil
	}
	return fmt.Errorf("unknown format %q: expected %s", name, strings.Join(Formats, ", "))
}

// Write writes the result in a format.
func Write(w io.Writer, format string, r *Result) error {
	switch format {
	case "text":
		return WriteText(w, r)
	case "json":
		return WriteJSON(w, r)
	case "markdown":
		return WriteMarkdown(w, r)
	case "html":
		return WriteHTML(w, r)
	}
	return ValidFormat(format)
}

// Renderer writes r in any format (see Write).
func Renderer(r *Result) func(io.Writer, string) error {
	return func(w io.Writer, format string) error { return Write(w, format, r) }
}

// Summary renders the markdown summary for a job summary (see
// actions.AppendSummary; it is short enough for any room).
func Summary(r *Result) func(room int64) ([]byte, error) {
	return func(int64) ([]byte, error) {
		var buf bytes.Buffer
		err := WriteMarkdown(&buf, r)
		return buf.Bytes(), err
	}
}

// WriteJSON writes the result as indented JSON (fsar.sweep/v2): the same
// bytes for the same result.
func WriteJSON(w io.Writer, r *Result) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	_, err := w.Write(escape.JSONLog(buf.Bytes()))
	return err
}

// TrackingMarker is the hidden line that starts the markdown summary, by
// which a tracking issue for the same sweep is found again: it names the
// swept paths, so that sweeps of different folders keep their own issue.
func TrackingMarker(r *Result) string { return MarkerFor(r.Settings.Paths) }

// MarkerFor is the tracking issue's marker of a sweep of paths (see
// TrackingMarker).
func MarkerFor(paths []string) string {
	h := sha256.Sum256([]byte(strings.Join(paths, "\x00")))
	return "<!-- fsar-sweep-tracking-issue paths=" + hex.EncodeToString(h[:6]) + " -->"
}

// IssueTitle is the tracking issue's title: what was swept and what
// keeps it open.
func IssueTitle(res *Result) string {
	what := "fsar sweep of " + strings.Join(res.Settings.Paths, ", ")
	if res.Clean {
		return what + ": clean"
	}
	var parts []string
	plural := func(n int, thing string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+thing)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %ss", n, thing))
		}
	}
	if b := res.Baseline; b != nil && b.BlockingOmitted == 0 {
		plural(len(res.NewBlocking), "new blocking report")
	}
	plural(res.Count.Block, "blocking report")
	plural(len(res.Alerts), "alert")
	plural(res.Count.Errors, "error")
	if len(parts) == 0 {
		parts = append(parts, res.Verdict.String())
	}
	return what + ": " + strings.Join(parts, ", ")
}

// listLimit is how many entries of a long list the text and markdown
// outputs show; the JSON and HTML outputs show more.
const listLimit = 20

// topRules returns the rules by reports (most first), then id.
func topRules(r *Result, n int) []RuleStat {
	rules := slices.Clone(r.Rules)
	slices.SortStableFunc(rules, func(a, b RuleStat) int {
		if a.Reports != b.Reports {
			return b.Reports - a.Reports
		}
		return strings.Compare(a.Rule, b.Rule)
	})
	if n > 0 && len(rules) > n {
		rules = rules[:n]
	}
	return rules
}

// shareNames are the names of the shares the result follows, in order.
func (r *Result) shareNames() []string {
	names := make([]string, len(r.Facts.Shares))
	for i, d := range r.Facts.Shares {
		names[i] = d.Name
	}
	return names
}

// incompleteMark marks a share in a period too young for it.
const incompleteMark = "*"

// cell is a period's share as the tables show it: its percentage, marked
// when the period is too young for the share.
func (p Period) cell(name string) string {
	m, _ := measureByName(p.Measures, name)
	c := fmtNum(m.Percent) + "%"
	if slices.Contains(p.Incomplete, name) {
		c += incompleteMark
	}
	return c
}

// anyIncomplete tells whether a period is too young for a share.
func (r *Result) anyIncomplete() bool {
	return slices.ContainsFunc(r.Periods, func(p Period) bool { return len(p.Incomplete) > 0 })
}

// incompleteNote explains the mark.
func (r *Result) incompleteNote() string {
	var parts []string
	for _, d := range r.Facts.Shares {
		if d.MinAgeDays > 0 {
			parts = append(parts, fmt.Sprintf("%s needs reports %s days old", d.Label, fmtNum(d.MinAgeDays)))
		}
	}
	return incompleteMark + " incomplete: the period is too young for the share (" + strings.Join(parts, "; ") + "), which leaves it out of the trends"
}

// otherKindName names a kind of other report for people.
func otherKindName(k string) string {
	if k == "" {
		return "(no kind: no title or id prefix)"
	}
	return k
}

// fmtNum formats a number without trailing zeros: 12.5, 10, 0.38.
func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// signed formats a change with its sign: +12.5, -3.
func signed(x float64) string {
	if x > 0 {
		return "+" + fmtNum(x)
	}
	return fmtNum(x)
}

// thousands formats n with thousands separators: 100,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// count writes n things: "1 report", "1,331 reports".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return thousands(n) + " " + thing + "s"
}

func sevText(s *float64) string {
	if s == nil {
		return "none"
	}
	return fmtNum(*s)
}

func kindName(k string) string {
	if k == "" {
		return "(none)"
	}
	return k
}

// Links locate the swept reports on GitHub, so that the markdown and HTML
// outputs link each report to its file: the server, repository and commit
// (all three, well formed), and the folders that relative paths start
// from (see ghref.RepoPath). The zero Links link nothing.
type Links struct {
	ServerURL, Repository, SHA string
	WorkDir, RepoRoot          string
}

// Locate takes where the reports are from the Actions environment: its
// server, repository, the commit links point at (actions.Env.LinkSHA)
// and the checkout's root; workDir is the folder relative paths start
// from.
func (l *Links) Locate(env *actions.Env, workDir string) {
	l.ServerURL, l.Repository, l.SHA = env.ServerURL, env.Repository, env.LinkSHA()
	l.WorkDir, l.RepoRoot = workDir, env.Workspace
}

// URL is the file's page on GitHub, or "" when it cannot be linked.
func (l Links) URL(file string) string {
	return ghref.BlobURL(l.ServerURL, l.Repository, l.SHA, ghref.RepoPath(file, l.WorkDir, l.RepoRoot), 0)
}

// mdFile is a file for markdown: its path escaped, linked when it can be.
func (l Links) mdFile(file string) string {
	if u := l.URL(file); u != "" {
		return "[" + md(file) + "](" + u + ")"
	}
	return md(file)
}
