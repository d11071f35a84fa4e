package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
)

// GitHub writes GitHub Actions workflow commands, which the runner shows as
// annotations on the report's own line: ::error for deny and review
// findings and for reports that could not be read or judged, ::warning for
// warn findings, ::notice for the run's notices and, last, for the
// overall verdict. The runner
// shows at most 10 annotations of each level in a step: past that, fsar
// writes the rest as plain log lines and says how many there are.
// Everything taken from reports is escaped as the runner unescapes it, and
// no line can start a command fsar did not write.
type GitHub struct {
	Options
}

// GitHubAnnotationsPerLevel is how many annotations of one level GitHub
// shows for a step.
const GitHubAnnotationsPerLevel = 10

// Cuts, in runes: GitHub cuts messages at 4,096 characters and titles at
// 255.
const (
	ghMessageRunes = 4000
	ghTitleRunes   = 250
)

// annotation is one workflow command before it is written.
type annotation struct {
	level   string // error, warning or notice
	rank    int    // order within the level: lower first
	file    string // path in the repository, or ""
	line    int
	title   string // cleaned
	message string // cleaned, with fsar's own line breaks
	plain   string // the plain log line for when it is not annotated
}

// Format implements Formatter.
func (g *GitHub) Format(w io.Writer, res *gate.Result) error {
	res = canonical(res)
	var anns []annotation
	for i, p := range res.Errors {
		msg := escape.Truncate(escape.Terminal(p.Message), ghMessageRunes)
		anns = append(anns, annotation{level: "error", rank: 0, file: g.repoPath(p.Location.File), line: p.Location.Line,
			title: "fsar: run error", message: msg, plain: "error " + strconv.Itoa(i+1) + ": " + escape.Terminal(p.String())})
	}
	for _, r := range res.Reports {
		for _, p := range r.Errors {
			file := p.Location.File
			if file == "" {
				file = r.File
			}
			msg := escape.Truncate(escape.Terminal(p.Message), ghMessageRunes)
			anns = append(anns, annotation{level: "error", rank: 0, file: g.repoPath(file), line: p.Location.Line,
				title: "fsar: report could not be read or judged", message: msg,
				plain: "error " + g.place(file, p.Location.Line) + ": " + msg})
		}
		for _, f := range r.Findings {
			title := "fsar " + f.Level.String() + ": " + escape.Terminal(f.Rule)
			if f.Title != "" {
				title += " — " + escape.Terminal(f.Title)
			}
			msg := escape.Terminal(f.Message)
			if f.Remediation != "" {
				msg += "\n\nFix: " + escape.Terminal(f.Remediation)
			}
			msg = escape.Truncate(msg, ghMessageRunes)
			level, rank := "error", 1
			switch {
			case f.Waived != nil:
				// Shown, not counted: a notice, never an error.
				title = "fsar waived " + f.Level.String() + ": " + escape.Terminal(f.Rule)
				msg = escape.Truncate(escape.Terminal(WaivedText(f.Waived))+"\n\n"+msg, ghMessageRunes)
				level, rank = "notice", 0
			case f.Level == policy.Review:
				rank = 2
			case f.Level == policy.Warn:
				level, rank = "warning", 0
			}
			anns = append(anns, annotation{level: level, rank: rank, file: g.repoPath(f.Location.File), line: f.Location.Line,
				title: escape.Truncate(title, ghTitleRunes), message: msg,
				plain: waivedPrefix(f) + f.Level.String() + " " + g.place(f.Location.File, f.Location.Line) + " " + escape.Terminal(f.Rule) + ": " + escape.Truncate(escape.Terminal(f.Message), ghMessageRunes)})
		}
	}
	for _, n := range res.Notices {
		anns = append(anns, annotation{level: "notice", title: "fsar notice", message: escape.Truncate(escape.Terminal(n), ghMessageRunes), plain: "notice: " + escape.Terminal(n)})
	}
	// Errors, then warnings, then notices; within a level, read errors,
	// then deny, then review, each in report order.
	levelOrder := map[string]int{"error": 0, "warning": 1, "notice": 2}
	slices.SortStableFunc(anns, func(a, b annotation) int {
		if d := levelOrder[a.level] - levelOrder[b.level]; d != 0 {
			return d
		}
		return a.rank - b.rank
	})

	var b strings.Builder
	shown := map[string]int{}
	var rest []annotation
	shown["notice"] = 1 // the verdict, written last
	for _, a := range anns {
		if shown[a.level] == GitHubAnnotationsPerLevel {
			rest = append(rest, a)
			continue
		}
		shown[a.level]++
		b.WriteString(escape.LogLine(a.command(), true) + "\n")
	}
	if len(rest) > 0 {
		more := map[string]int{}
		for _, a := range rest {
			more[a.level]++
			b.WriteString(escape.LogLine("fsar: "+a.plain, false) + "\n")
		}
		var parts []string
		for _, l := range []string{"error", "warning", "notice"} {
			if n := more[l]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d more %s", n, plural(n, l, l+"s")))
			}
		}
		fmt.Fprintf(&b, "fsar: %s not annotated: GitHub shows at most %d annotations of each level in a step; they are listed above.\n",
			strings.Join(parts, " and "), GitHubAnnotationsPerLevel)
	}
	verdict := strings.ToUpper(res.Verdict.String()) + ": " + res.Tally()
	if n := res.Count.Skipped; n > 0 {
		verdict += fmt.Sprintf("; %d skipped", n)
	}
	b.WriteString(escape.LogLine(annotation{level: "notice", title: "fsar verdict", message: verdict}.command(), true) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// place is file:line for a plain log line.
func (g *GitHub) place(file string, line int) string {
	p := g.repoPath(file)
	if p == "" {
		p = file
	}
	p = escape.Terminal(p)
	if line > 0 {
		p += ":" + strconv.Itoa(line)
	}
	return p
}

// command writes the annotation as a workflow command.
func (a annotation) command() string {
	var props []string
	if a.file != "" {
		props = append(props, "file="+escape.WorkflowProperty(a.file))
		if a.line > 0 {
			props = append(props, "line="+strconv.Itoa(a.line))
		}
	}
	if a.title != "" {
		props = append(props, "title="+escape.WorkflowProperty(a.title))
	}
	s := "::" + a.level
	if len(props) > 0 {
		s += " " + strings.Join(props, ",")
	}
	return s + "::" + escape.WorkflowData(a.message)
}

func waivedPrefix(f gate.Finding) string {
	if f.Waived != nil {
		return "waived "
	}
	return ""
}
