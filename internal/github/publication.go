package github

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/ghref"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/report"
)

// GitHub's limits that its API description leaves out or that fsar keeps
// under.
const (
	// CommentLimit is the most characters an issue comment's body holds.
	CommentLimit = 65536
	// SummaryLimit is the most characters of a check run's output summary.
	SummaryLimit = 65535
	// DescriptionLimit is the most characters of a commit status's
	// description.
	DescriptionLimit = 140
	// AnnotationsPerRequest is the most annotations one check-run request
	// may carry.
	AnnotationsPerRequest = 50
	// TitleLimit is the most characters of an annotation's title.
	TitleLimit = 255
	// MessageLimit bounds an annotation's message (GitHub takes 64 KiB).
	MessageLimit = 4096
	// DefaultMaxAnnotations bounds the annotations of one check run.
	DefaultMaxAnnotations = 1000
)

// Renderer writes a result in one format; a report.Formatter's Format
// method is one.
type Renderer func(w io.Writer, res *gate.Result) error

// Annotation is one check-run annotation.
type Annotation struct {
	Path      string
	StartLine int
	EndLine   int
	Level     string // notice, warning or failure
	Title     string
	Message   string
}

// key identifies an annotation, to post each exactly once.
func (a Annotation) key() string {
	return fmt.Sprintf("%s\x00%d\x00%d\x00%s\x00%s\x00%s", a.Path, a.StartLine, a.EndLine, a.Level, a.Title, a.Message)
}

// Publication is one verdict as every posting mode posts it.
type Publication struct {
	Result *gate.Result
	// HeadSHA is the commit the verdict is about.
	HeadSHA string
	// PR is the pull request, or 0.
	PR int
	// Effective is the verdict after approval: a review verdict whose
	// approval is honoured counts as its reports' other verdicts.
	Effective gate.Verdict
	// Fails tells whether the effective verdict fails the gate.
	Fails    bool
	Approval *Approval
	// Title is the verdict on one line.
	Title string
	// Body is the markdown report, with the approval's note on top.
	Body        string
	Annotations []Annotation
	// Dropped counts the annotations left out over MaxAnnotations.
	Dropped    int
	Conclusion string // check run: success, neutral, action_required or failure
	State      string // commit status: success, failure or error
	// Description is the commit status's, at most DescriptionLimit
	// characters.
	Description string
	// DetailsURL is where the check run and status link to.
	DetailsURL string
}

// effective is the verdict after approval: a review verdict whose
// approval is honoured counts as the worst verdict of its reports other
// than review. deny and errors are never approved away.
func effective(res *gate.Result, a *Approval) gate.Verdict {
	if res.Verdict != gate.Review || a == nil || !a.Honoured {
		return res.Verdict
	}
	v := gate.Pass
	for _, r := range res.Reports {
		if r.Verdict != gate.Review {
			v = max(v, r.Verdict)
			continue
		}
		for _, f := range r.Findings {
			if f.Level == policy.Warn && f.Waived == nil {
				v = max(v, gate.Warn)
			}
		}
	}
	if len(res.Errors) > 0 {
		v = gate.Error
	}
	return v
}

// Fails tells whether v fails a gate that fails on failOn and above; an
// error always does.
func Fails(v, failOn gate.Verdict) bool {
	return v == gate.Error || v >= failOn
}

// conclusion maps the effective verdict onto a check run's conclusion,
// so that the check passes exactly when the gate does: success for pass,
// neutral for warnings (and any verdict under --fail-on), action_required
// for review not approved, failure for deny and errors.
func conclusion(v gate.Verdict, fails bool) string {
	switch {
	case v == gate.Pass:
		return "success"
	case !fails:
		return "neutral"
	case v == gate.Review:
		return "action_required"
	}
	return "failure"
}

func state(v gate.Verdict, fails bool) string {
	switch {
	case v == gate.Error:
		return "error"
	case fails:
		return "failure"
	}
	return "success"
}

// title is the verdict on one line: the overall verdict, its approval,
// and the counts.
func title(res *gate.Result, a *Approval) string {
	head := strings.ToUpper(res.Verdict.String())
	if a != nil && a.Honoured && res.Verdict == gate.Review {
		head += " approved by @" + a.Approver
	}
	return head + ": " + res.Tally()
}

// cutRunes cuts s to at most n characters, marking the cut with "…".
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// cutBytes cuts markdown to at most n bytes at a line break when it can,
// and says so on a last line of its own.
func cutBytes(s string, n int, note string) string {
	if len(s) <= n {
		return s
	}
	keep := n - len(note) - 2
	if keep < 0 {
		keep = 0
	}
	for keep > 0 && !utf8.RuneStart(s[keep]) {
		keep--
	}
	cut := s[:keep]
	if i := strings.LastIndexByte(cut, '\n'); i > keep/2 {
		cut = cut[:i]
	}
	return cut + "\n\n" + note
}

// annotations places the findings and problems of res at their report
// lines, sorted, at most limit of them (the rest counted). pathOf maps a
// report's file onto its path in the repository ("" for none).
func annotations(res *gate.Result, pathOf func(string) string, limit int) ([]Annotation, int) {
	var out []Annotation
	add := func(file string, line int, level, ttl, msg string) {
		p := pathOf(file)
		if p == "" {
			return
		}
		line = max(line, 1)
		out = append(out, Annotation{
			Path: p, StartLine: line, EndLine: line, Level: level,
			Title:   cutRunes(clean(ttl), TitleLimit),
			Message: cutRunes(clean(msg), MessageLimit),
		})
	}
	for _, p := range res.Errors {
		add(p.Location.File, p.Location.Line, "failure", "fsar: error", p.Message)
	}
	for _, r := range res.Reports {
		for _, p := range r.Errors {
			add(cmp.Or(p.Location.File, r.File), p.Location.Line, "failure", "fsar: error", p.Message)
		}
		for _, f := range r.Findings {
			msg := f.Message
			if f.Remediation != "" {
				msg += "\n\nRemediation: " + f.Remediation
			}
			ttl := "fsar " + f.Level.String() + ": " + f.Rule
			level := levelOf(f.Level)
			if f.Waived != nil {
				// Shown, not counted: a notice that says so.
				ttl = "fsar waived " + f.Level.String() + ": " + f.Rule
				msg = report.WaivedText(f.Waived) + "\n\n" + msg
				level = "notice"
			}
			if f.Title != "" {
				ttl += " — " + f.Title
			}
			add(cmp.Or(f.Location.File, r.File), f.Location.Line, level, ttl, msg)
		}
	}
	rank := map[string]int{"failure": 0, "warning": 1, "notice": 2}
	slices.SortStableFunc(out, func(a, b Annotation) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.StartLine, b.StartLine),
			cmp.Compare(rank[a.Level], rank[b.Level]), cmp.Compare(a.Title, b.Title), cmp.Compare(a.Message, b.Message))
	})
	if limit > 0 && len(out) > limit {
		return out[:limit], len(out) - limit
	}
	return out, 0
}

// levelOf maps a finding's level onto an annotation level: deny is a
// failure, review a warning, warn a notice.
func levelOf(l policy.Level) string {
	switch l {
	case policy.Deny:
		return "failure"
	case policy.Review:
		return "warning"
	}
	return "notice"
}

// clean makes report text fit for the API: valid UTF-8 without NUL.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// RepoPath is the default mapping of report files onto repository paths:
// relative paths as they are (cleaned, with forward slashes), nothing for
// absolute paths, paths that leave the folder, and standard input.
func RepoPath(file string) string { return ghref.RepoPath(file, "", "") }

// approvalNote is the markdown note on an approval: who approved and
// when, why a label is ignored, or, for a review verdict, how to approve
// it (label is the approval label, "" when approval is off).
func approvalNote(a *Approval, v gate.Verdict, label string) string {
	if a == nil {
		if v != gate.Review || label == "" {
			return ""
		}
		return fmt.Sprintf("> [!IMPORTANT]\n> A human must approve this review verdict: a maintainer (write, maintain or admin permission) adds the label %s after the last push, and the next run passes it. Block verdicts cannot be approved.\n\n",
			codeLabel(label))
	}
	label = codeLabel(a.Label)
	switch {
	case a.Honoured:
		return fmt.Sprintf("> [!NOTE]\n> Review approved by @%s with the label %s, added %s after the last push.\n\n",
			safeLogin(a.Approver), label, a.LabeledAt.UTC().Format("2006-01-02 15:04 UTC"))
	case a.LabeledBy != "" || a.Reason != "":
		what := "not honoured"
		if v != gate.Review {
			what = "not applicable"
		}
		who := ""
		if a.LabeledBy != "" {
			who = " (added by @" + safeLogin(a.LabeledBy) + ")"
		}
		return fmt.Sprintf("> [!WARNING]\n> The approval label %s%s is %s: %s.\n\n", label, who, what, escape.Markdown(a.Reason, 0))
	}
	return ""
}

// safeLogin keeps a login to the characters GitHub allows in one (and
// the "[bot]" suffix), so that it cannot carry markdown.
func safeLogin(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r == '-' || r == '_' || r == '[' || r == ']' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// render writes res with r, bounded to limit bytes.
func render(r Renderer, res *gate.Result, limit int) (string, error) {
	if r == nil {
		return "", nil
	}
	var buf bytes.Buffer
	if err := r(&buf, res); err != nil {
		return "", fmt.Errorf("rendering the markdown report: %w", err)
	}
	return cutBytes(buf.String(), limit, "*(cut: the report is longer than GitHub allows here; the job's log has all of it)*"), nil
}

func codeLabel(l string) string { return "`" + strings.ReplaceAll(clean(l), "`", "'") + "`" }
