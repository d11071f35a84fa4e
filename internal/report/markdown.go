package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/ghref"
)

// DefaultMarkdownBytes bounds the markdown output: under GitHub's limit of
// 65,536 characters for a comment body (a byte is at most a character).
const DefaultMarkdownBytes = 65000

// MinMarkdownBytes is the least room Markdown writes in: the verdict, the
// counts and the closing lines. A smaller MaxBytes counts as this.
const MinMarkdownBytes = 2048

// Markdown writes what a reviewer reads in a pull-request comment or a job
// summary: the overall verdict on one line, a table of the reports that
// did not pass, the findings of each report that blocks or needs review
// (linked to their lines when the repository is known), warnings and
// passing reports folded in <details>. It never writes more than MaxBytes:
// what does not fit is left out, and the last line says how much and
// where the full result is.
type Markdown struct {
	Options
}

// Cuts for report text, in runes.
const (
	mdIDRunes       = 80
	mdFileRunes     = 200
	mdRuleRunes     = 80
	mdMessageRunes  = 1000
	mdRemedyRunes   = 600
	mdProblemRunes  = 1000
	mdResultFiles   = 2
	mdResultFileLen = 100
)

var verdictEmoji = map[gate.Verdict]string{
	gate.Pass:   "✅",
	gate.Warn:   "⚠️",
	gate.Review: "👀",
	gate.Block:  "⛔",
	gate.Error:  "❌",
}

// mdDoc is markdown being written within a budget.
type mdDoc struct {
	b       strings.Builder
	limit   int // bytes
	reserve int // bytes kept for what must still be written
}

// add writes s when it fits, keeping the reserve, and tells whether it did.
func (d *mdDoc) add(s string) bool {
	if d.b.Len()+len(s)+d.reserve > d.limit {
		return false
	}
	d.b.WriteString(s)
	return true
}

// open writes s and reserves closing for later; close writes it.
func (d *mdDoc) open(s, closing string) bool {
	if d.b.Len()+len(s)+len(closing)+d.reserve > d.limit {
		return false
	}
	d.b.WriteString(s)
	d.reserve += len(closing)
	return true
}

func (d *mdDoc) close(closing string) {
	d.reserve -= len(closing)
	d.b.WriteString(closing)
}

// Format implements Formatter.
func (m *Markdown) Format(w io.Writer, res *gate.Result) error {
	_, err := io.WriteString(w, m.render(canonical(res)))
	return err
}

// mdState counts what was shown.
type mdState struct {
	reportsShown, findingsShown int
	problemsShown               int
}

func (m *Markdown) render(res *gate.Result) string {
	limit := m.MaxBytes
	if limit <= 0 {
		limit = DefaultMarkdownBytes
	}
	limit = max(limit, MinMarkdownBytes)
	totalFindings, totalProblems := 0, len(res.Errors)
	for _, r := range res.Reports {
		totalFindings += len(r.Findings)
		totalProblems += len(r.Errors)
	}
	d := &mdDoc{limit: limit}
	// The closing lines, at their longest: everything left out.
	d.reserve = 1 + len(m.footer(res, len(res.Reports), totalFindings, totalProblems))

	d.b.WriteString("<!-- " + escape.HTMLComment("fsar check "+gate.Schema) + " -->\n")
	d.b.WriteString(m.headline(res) + "\n\n")

	// Notices change no verdict, but a reviewer should read them first.
	for _, n := range res.Notices {
		d.add("> ℹ️ **Notice:** " + escape.Markdown(n, mdProblemRunes) + "\n\n")
	}

	var st mdState
	// Problems not tied to a report first: they make the run an error.
	if len(res.Errors) > 0 && d.add("### "+verdictEmoji[gate.Error]+" Errors\n\n") {
		for _, p := range res.Errors {
			if !d.add("- " + escape.Markdown(p.String(), mdProblemRunes) + "\n") {
				break
			}
			st.problemsShown++
		}
		d.add("\n")
	}

	// The reports that did not pass, worst first.
	var notPass, pass []gate.Report
	for _, r := range res.Reports {
		if r.Verdict == gate.Pass {
			pass = append(pass, r)
		} else {
			notPass = append(notPass, r)
		}
	}
	slices.SortStableFunc(notPass, func(a, b gate.Report) int { return int(b.Verdict) - int(a.Verdict) })

	// The table may take half of the room, so that findings get the rest.
	listed := 0
	if len(notPass) > 0 {
		tableEnd := d.b.Len() + (d.limit-d.b.Len()-d.reserve)/2
		head := "| Verdict | Severity | ID | File |\n| --- | ---: | --- | --- |\n"
		if d.open(head, "\n") {
			for _, r := range notPass {
				row := "| " + verdictEmoji[r.Verdict] + " " + r.Verdict.String() + " | " + severity(r) + " | " +
					idCell(r.ID) + " | " + m.fileCell(r.File) + " |\n"
				if d.b.Len()+len(row) > tableEnd || !d.add(row) {
					break
				}
				listed++
			}
			d.close("\n")
		}
	}
	st.reportsShown += listed

	// Findings of the listed reports that block or need review, and the
	// problems of those that could not be read or judged.
	for _, r := range notPass[:listed] {
		if r.Verdict < gate.Review {
			continue
		}
		heading := "#### " + verdictEmoji[r.Verdict] + " " + r.Verdict.String() + ": " + escape.Code(m.display(r.File), mdFileRunes, false)
		if r.ID != "" {
			heading += " (" + escape.Code(r.ID, mdIDRunes, false) + ")"
		}
		heading += "\n\n"
		items := m.items(r, "")
		if len(items) == 0 {
			continue
		}
		if !d.add(heading + items[0]) {
			break
		}
		st.count(r, 0)
		for i, it := range items[1:] {
			if !d.add(it) {
				break
			}
			st.count(r, i+1)
		}
		d.add("\n")
	}

	// Waived findings, under their own heading: shown, not counted.
	m.waived(d, &st, res)

	// Warnings, folded.
	var warned []gate.Report
	warnFindings := 0
	for _, r := range notPass[:listed] {
		if r.Verdict == gate.Warn {
			warned = append(warned, r)
			warnFindings += len(r.Findings) - waivedCount(r)
		}
	}
	if len(warned) > 0 {
		summary := fmt.Sprintf("%s %d %s on %d %s with warnings", verdictEmoji[gate.Warn],
			warnFindings, plural(warnFindings, "finding", "findings"), len(warned), plural(len(warned), "report", "reports"))
		if d.open("<details>\n<summary>"+escape.HTML(summary)+"</summary>\n\n", "\n</details>\n\n") {
		warnings:
			for _, r := range warned {
				line := "- " + escape.Code(m.display(r.File), mdFileRunes, false)
				if r.ID != "" {
					line += " (" + escape.Code(r.ID, mdIDRunes, false) + ")"
				}
				items := m.items(r, "  ")
				if len(items) == 0 {
					continue
				}
				if !d.add(line + "\n" + items[0]) {
					break
				}
				st.count(r, 0)
				for i, it := range items[1:] {
					if !d.add(it) {
						break warnings
					}
					st.count(r, i+1)
				}
			}
			d.close("\n</details>\n\n")
		}
	}

	// Passing reports, folded in a table of their own.
	if len(pass) > 0 {
		summary := fmt.Sprintf("%s %d passing %s", verdictEmoji[gate.Pass], len(pass), plural(len(pass), "report", "reports"))
		if d.open("<details>\n<summary>"+escape.HTML(summary)+"</summary>\n\n| Severity | ID | File |\n| ---: | --- | --- |\n", "\n</details>\n\n") {
			for _, r := range pass {
				row := "| " + severity(r) + " | " + idCell(r.ID) + " | " + m.fileCell(r.File) + " |\n"
				if !d.add(row) {
					break
				}
				st.reportsShown++
			}
			d.close("\n</details>\n\n")
		}
	}

	d.reserve = 0
	if !strings.HasSuffix(d.b.String(), "\n\n") {
		d.b.WriteString("\n") // a blank line, so that --- is a rule
	}
	d.b.WriteString(m.footer(res, len(res.Reports)-st.reportsShown, totalFindings-st.findingsShown, totalProblems-st.problemsShown))
	return d.b.String()
}

// count records that item i of report r was shown: its problems come
// first, then its findings.
func (st *mdState) count(r gate.Report, i int) {
	if i < len(r.Errors) {
		st.problemsShown++
	} else {
		st.findingsShown++
	}
}

// headline is the overall verdict on one line.
func (m *Markdown) headline(res *gate.Result) string {
	c := res.Count
	s := fmt.Sprintf("## %s fsar: %s — %d %s: %d block, %d review, %d warn, %d pass, %d error",
		verdictEmoji[res.Verdict], strings.ToUpper(res.Verdict.String()),
		c.Reports, plural(c.Reports, "report", "reports"), c.Block, c.Review, c.Warn, c.Pass, res.ErrorCount())
	if c.Skipped > 0 {
		s += fmt.Sprintf("; %d skipped (not FSAR reports)", c.Skipped)
	}
	if n := len(res.Errors); n > 0 {
		s += fmt.Sprintf("; %d run %s", n, plural(n, "error", "errors"))
	}
	return s
}

// items renders a report's problems and findings as list items, each with
// its remediation nested under it, indented by indent.
func (m *Markdown) items(r gate.Report, indent string) []string {
	var out []string
	for _, p := range r.Errors {
		out = append(out, indent+"- **error**"+m.at(p.Location.File, p.Location.Line)+": "+escape.Markdown(p.Message, mdProblemRunes)+"\n")
	}
	for _, f := range r.Findings {
		if f.Waived != nil {
			continue // under the waived findings' own heading
		}
		s := indent + "- **" + f.Level.String() + "** " + escape.Code(f.Rule, mdRuleRunes, false) + m.at(f.Location.File, f.Location.Line) +
			": " + escape.Markdown(f.Message, mdMessageRunes) + "\n"
		if f.Remediation != "" {
			s += indent + "  - Fix: " + escape.Markdown(f.Remediation, mdRemedyRunes) + "\n"
		}
		out = append(out, s)
	}
	return out
}

// at says where a finding is: " at line 12", linked when it can be.
func (m *Markdown) at(file string, line int) string {
	if line <= 0 {
		return ""
	}
	text := "line " + strconv.Itoa(line)
	if u := m.blobURL(file, line); u != "" {
		return " at [" + text + "](" + u + ")"
	}
	return " at " + text
}

// fileCell is a report's file for a table cell, linked when it can be.
func (m *Markdown) fileCell(file string) string {
	span := escape.Code(m.display(file), mdFileRunes, true)
	if u := m.blobURL(file, 0); u != "" {
		return "[" + span + "](" + u + ")"
	}
	return span
}

// idCell is a report's id for a table cell; a dash when it has none.
func idCell(id string) string {
	if id == "" {
		return "—"
	}
	return escape.Code(id, mdIDRunes, true)
}

// display is how a report's file is named: its path in the repository
// when it has one.
func (m *Markdown) display(file string) string {
	if p := m.repoPath(file); p != "" {
		return p
	}
	return file
}

func severity(r gate.Report) string {
	if r.Severity == nil {
		return "—"
	}
	return strconv.FormatFloat(*r.Severity, 'g', -1, 64)
}

// footer is the closing lines: what decided the run, and, when anything
// was left out, how much and where the full result is. What decided it
// comes from the result, which fsar publish reads from a file: untrusted.
// GitHub reads markdown inside <sub>, so each field is a code span: shown
// exactly, and no link, image, mention, issue or commit reference
// (GitHub links "GH-12" and commit ids in text) whatever it holds.
func (m *Markdown) footer(res *gate.Result, reports, findings, problems int) string {
	db := res.DecidedBy
	policies := escape.Code(db.PolicyDigest, 80, false)
	if db.PolicyRevision != "" {
		policies += " at revision " + escape.Code(db.PolicyRevision, 64, false)
	}
	fsar := escape.Code(db.FSARVersion, 40, false)
	if db.FSARCommit != "" {
		fsar += " (commit " + escape.Code(db.FSARCommit, 80, false) + ")"
	}
	s := "---\n<sub>Decided by fsar " + fsar + " with OPA " + escape.Code(db.OPAVersion, 40, false) +
		", policies " + policies + ", at " + db.Now.UTC().Format("2006-01-02T15:04:05Z07:00") + ".</sub>\n"
	if reports == 0 && findings == 0 && problems == 0 {
		return s
	}
	var parts []string
	if reports > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", reports, plural(reports, "report", "reports")))
	}
	if findings > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", findings, plural(findings, "finding", "findings")))
	}
	if problems > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", problems, plural(problems, "error", "errors")))
	}
	return s + "\n**Not shown: " + strings.Join(parts, ", ") + "**, to keep this under " +
		groupThousands(m.limit()) + " characters; the full result is in " + m.fullResult() + ".\n"
}

func (m *Markdown) limit() int {
	if m.MaxBytes <= 0 {
		return DefaultMarkdownBytes
	}
	return max(m.MaxBytes, MinMarkdownBytes)
}

// fullResult says where the full result is.
func (m *Markdown) fullResult() string {
	var where []string
	for i, f := range m.ResultFiles {
		if i == mdResultFiles {
			where = append(where, fmt.Sprintf("%d more %s", len(m.ResultFiles)-i, plural(len(m.ResultFiles)-i, "file", "files")))
			break
		}
		where = append(where, escape.Code(f, mdResultFileLen, false))
	}
	if u := ghref.WebURL(m.RunURL); u != "" {
		where = append(where, "the log of [the workflow run]("+u+")")
	}
	if len(where) == 0 {
		return "the output of " + escape.Code("fsar check --format json", 0, false)
	}
	if len(where) == 1 {
		return where[0]
	}
	return strings.Join(where[:len(where)-1], ", ") + " and " + where[len(where)-1]
}

// groupThousands writes n with commas: 65,000.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func waivedCount(r gate.Report) int {
	n := 0
	for _, f := range r.Findings {
		if f.Waived != nil {
			n++
		}
	}
	return n
}

// waived writes the waived findings, each with who waived it, until when
// and why, and the waivers that need attention: expiring, expired, unused.
func (m *Markdown) waived(d *mdDoc, st *mdState, res *gate.Result) {
	total := 0
	for _, r := range res.Reports {
		total += waivedCount(r)
	}
	if total > 0 && d.add(fmt.Sprintf("### 🏷️ Waived: %d %s (shown, not counted)\n\n", total, plural(total, "finding", "findings"))) {
	reports:
		for _, r := range res.Reports {
			for _, f := range r.Findings {
				w := f.Waived
				if w == nil {
					continue
				}
				line := "- " + escape.Code(m.display(r.File), mdFileRunes, false)
				if r.ID != "" {
					line += " (" + escape.Code(r.ID, mdIDRunes, false) + ")"
				}
				line += ": **" + f.Level.String() + "** " + escape.Code(f.Rule, mdRuleRunes, false) + m.at(f.Location.File, f.Location.Line) +
					" — waived by " + escape.Markdown(w.ApprovedBy, mdIDRunes) + " until " + escape.Markdown(w.Expires, 20) +
					": " + escape.Markdown(w.Reason, mdRemedyRunes) + " (" + escape.Code(w.Source, mdFileRunes, false)
				if w.Ticket != "" {
					line += ", " + escape.Code(w.Ticket, mdFileRunes, false)
				}
				if !d.add(line + ")\n") {
					break reports
				}
				st.findingsShown++
			}
		}
		d.add("\n")
	}
	var attention []gate.WaiverUse
	for _, u := range res.Waivers {
		if u.Status != "in use" {
			attention = append(attention, u)
		}
	}
	if len(attention) > 0 && d.open("<details>\n<summary>"+escape.HTML(fmt.Sprintf("⚠️ %d %s to look at: expiring, expired or unused", len(attention), plural(len(attention), "waiver", "waivers")))+"</summary>\n\n", "\n</details>\n\n") {
		for _, u := range attention {
			if !d.add("- **" + u.Status + "**: " + escape.Markdown(WaiverLine(u), mdMessageRunes) + "\n") {
				break
			}
		}
		d.close("\n</details>\n\n")
	}
}
