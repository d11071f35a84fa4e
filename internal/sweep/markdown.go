package sweep

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/report"
)

// Limits that keep the markdown summary well inside a GitHub issue body
// (65,536 characters) and a job summary.
const (
	mdPeriodLimit = 24  // the most recent periods shown
	mdCellLimit   = 300 // characters of report text in one place
)

// WriteMarkdown writes the summary as GitHub-flavoured markdown, for a job
// summary or the tracking issue: it starts with TrackingMarker, then leads
// with what is new since the baseline. Every piece of report text (file
// names, ids, rule names, messages) is escaped, and @mentions are
// neutralised; files are linked to GitHub when the result's Links can.
func WriteMarkdown(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	c := r.Count
	list := func(title string, n int, header string, line func(i int) string) {
		if n == 0 {
			return
		}
		p("\n### %s (%s)\n\n%s\n", title, thousands(n), header)
		for i := 0; i < n && i < listLimit; i++ {
			p("%s\n", line(i))
		}
		if n > listLimit {
			p("\n… and %s more: see the JSON or HTML report.\n", thousands(n-listLimit))
		}
	}
	blockingRow := func(list []Blocking) func(i int) string {
		return func(i int) string {
			b := list[i]
			return fmt.Sprintf("| %s | %s | %s | %s |", r.Links.mdFile(b.File), md(b.ID), sevText(b.Severity), md(strings.Join(b.Rules, ", ")))
		}
	}
	const blockingHeader = "| file | id | severity | rules |\n|---|---|---:|---|"

	p("%s\n", TrackingMarker(r))
	p("## FSAR policy sweep: %s\n\n", strings.ToUpper(r.Verdict.String()))
	p("**%s** in %s (%s) under %s; %s, %s.  \n",
		count(c.Reports, "report"), count(c.Files, "file"), count(c.Twins, "twin pair"), mdList(r.Settings.Paths), count(c.OtherReports, "other report"), count(c.Errors, "error"))
	p("Evaluated at `%s` with policies %s.\n", r.DecidedBy.Now.UTC().Format(time.RFC3339Nano), escape.Code(r.DecidedBy.PolicyDigest, 0, false))
	if r.Shard != nil {
		p("\nThis is shard %s only: merge the shards' JSON results with `fsar sweep merge`.\n", r.Shard)
	}

	if b := r.Baseline; b != nil && b.BlockingOmitted == 0 && r.Shard == nil {
		p("\n### Since the baseline of %s\n\n**%s**, %s no longer blocking.\n", md(b.Now), count(len(r.NewBlocking), "new blocking report"), count(len(r.NoLongerBlocking), "report"))
		list("New blocking reports", len(r.NewBlocking), blockingHeader, blockingRow(r.NewBlocking))
		list("No longer blocking (fixed, or gone)", len(r.NoLongerBlocking), "", func(i int) string { return "- " + r.Links.mdFile(r.NoLongerBlocking[i]) })
	}

	p("\n| verdict | reports |\n|---|---:|\n")
	for _, row := range []struct {
		name string
		n    int
	}{{"block", c.Block}, {"review", c.Review}, {"warn", c.Warn}, {"pass", c.Pass}, {"error", c.Error}} {
		p("| %s | %s |\n", row.name, thousands(row.n))
	}

	if len(r.Notices) > 0 {
		p("\n### Notices\n\n")
		for _, n := range r.Notices {
			p("- %s\n", md(n))
		}
	}

	p("\n### Alerts\n\n")
	if len(r.Alerts) == 0 {
		p("None: no share moved the bad way by more than %s points across %s, nor in each of the last %s.\n",
			fmtNum(r.Settings.AlertThreshold), count(r.Settings.Window, r.Settings.Period), count(r.Settings.Streak, r.Settings.Period))
	}
	for _, a := range r.Alerts {
		if a.Name != "" {
			p("- **%s**: %s\n", a.Name, md(strings.TrimPrefix(a.Message, a.Name+": ")))
		} else {
			p("- %s\n", md(a.Message))
		}
	}

	p("\n### Trends by %s\n\n", r.Settings.Period)
	p("| period | reports |")
	for _, d := range r.Facts.Shares {
		p(" %s |", md(d.Label))
	}
	p("\n|---|---:|%s\n", strings.Repeat("---:|", len(r.Facts.Shares)))
	row := func(label string, reports int, cell func(name string) string) {
		p("| %s | %s |", label, thousands(reports))
		for _, name := range r.shareNames() {
			p(" %s |", cell(name))
		}
		p("\n")
	}
	share := func(ms []Measure) func(string) string {
		return func(name string) string {
			if m, ok := measureByName(ms, name); ok {
				return fmtNum(m.Percent) + "%"
			}
			return ""
		}
	}
	if b := r.Baseline; b != nil {
		row("baseline "+md(b.Now), b.Reports, share(b.Measures))
	}
	periods := r.Periods
	if len(periods) > mdPeriodLimit {
		p("| … %s earlier periods: see the JSON or HTML report | | %s\n", thousands(len(periods)-mdPeriodLimit), strings.Repeat(" |", len(r.Facts.Shares)))
		periods = periods[len(periods)-mdPeriodLimit:]
	}
	for _, per := range periods {
		row(md(per.Period), per.Reports, func(name string) string { return md(per.cell(name)) })
	}
	row("**all**", c.Reports, share(r.Measures))
	if r.anyIncomplete() {
		p("\n%s\n", md(r.incompleteNote()))
	}

	if len(r.Severity) > 0 {
		p("\n### Severity\n\n| band | reports | share |\n|---|---:|---:|\n")
		for _, b := range r.Severity {
			p("| %s | %s | %s%% |\n", md(r.Facts.BandLabel(b.Band)), thousands(b.Reports), fmtNum(b.Percent))
		}
	}

	p("\n### Top rules\n\n| rule | level | reports | findings | waived |\n|---|---|---:|---:|---:|\n")
	for _, rs := range topRules(r, 10) {
		p("| %s | %s | %s | %s | %s |\n", md(rs.Rule), rs.Level, thousands(rs.Reports), thousands(rs.Findings), thousands(rs.Waived))
	}

	list("Blocking reports", len(r.Blocking), blockingHeader, blockingRow(r.Blocking))
	if len(r.Waivers) > 0 {
		list("Waived: would block but for their waivers", len(r.WaivedBlocking), blockingHeader, blockingRow(r.WaivedBlocking))
		list("Waived findings by approver", len(r.WaivedByApprover), "| approved by | findings | reports |\n|---|---:|---:|", func(i int) string {
			a := r.WaivedByApprover[i]
			return fmt.Sprintf("| %s | %s | %s |", md(a.ApprovedBy), thousands(a.Findings), thousands(a.Reports))
		})
		soon := r.WaiversToReview(WaiverHorizon)
		list(fmt.Sprintf("Waivers to look at: ending within %d days, ended, or unused", int(WaiverHorizon.Hours()/24)), len(soon), "", func(i int) string {
			return "- **" + soon[i].Status + "**: " + md(report.WaiverLine(soon[i]))
		})
	}
	list("Twins that disagree", len(r.TwinConflicts), "| file | twin | fields |\n|---|---|---|", func(i int) string {
		tc := r.TwinConflicts[i]
		return fmt.Sprintf("| %s | %s | %s |", r.Links.mdFile(tc.File), r.Links.mdFile(tc.Twin), md(strings.Join(tc.Fields, ", ")))
	})
	list("Ids used by more than one report", len(r.DuplicateIDs), "| id | files |\n|---|---|", func(i int) string {
		d := r.DuplicateIDs[i]
		return fmt.Sprintf("| %s | %s |", md(d.ID), md(strings.Join(d.Files, ", ")))
	})
	list("Errors", len(r.Errors), "| where | error |\n|---|---|", func(i int) string {
		e := r.Errors[i]
		where := e.Location.File
		if e.Location.Line > 0 {
			where = fmt.Sprintf("%s:%d:%d", where, e.Location.Line, e.Location.Column)
		}
		return fmt.Sprintf("| %s | %s |", md(where), md(e.Message))
	})
	list("Other reports, by kind (not FSAR reports, not judged)", len(r.OtherKinds), "| kind | reports |\n|---|---:|", func(i int) string {
		k := r.OtherKinds[i]
		return fmt.Sprintf("| %s | %s |", md(otherKindName(k.Kind)), thousands(k.Reports))
	})
	return bw.Flush()
}

// md escapes untrusted text for markdown, in a paragraph, a list item or a
// table cell, cut to mdCellLimit characters.
func md(s string) string { return escape.Markdown(s, mdCellLimit) }

// mdList escapes and joins paths.
func mdList(paths []string) string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = md(p)
	}
	return strings.Join(out, ", ")
}
