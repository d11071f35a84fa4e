package sweep

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fsar-gate/fsar/internal/escape"
)

// Limits that keep the markdown summary well inside a GitHub issue body
// (65,536 characters) and a job summary.
const (
	mdPeriodLimit = 24  // the most recent periods shown
	mdCellLimit   = 300 // characters of report text in one place
)

// WriteMarkdown writes the summary as GitHub-flavoured markdown, for a job
// summary or the tracking issue: it starts with TrackingMarker. Every piece
// of report text (file names, ids, rule names, messages) is escaped, and
// @mentions are neutralised.
func WriteMarkdown(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	c := r.Count

	p("%s\n", TrackingMarker(r))
	p("## FSAR policy sweep: %s\n\n", strings.ToUpper(r.Verdict.String()))
	p("**%s** in %s (%s) under %s; %s that are not FSAR reports, %s.  \n",
		count(c.Reports, "report"), count(c.Files, "file"), count(c.Twins, "twin pair"), mdList(r.Settings.Paths), count(c.NotReports, "file"), count(c.Errors, "error"))
	p("Evaluated at `%s` with policies %s.\n", r.DecidedBy.Now.UTC().Format(time.RFC3339Nano), escape.Code(r.DecidedBy.PolicyDigest, 0, false))
	if r.Shard != nil {
		p("\nThis is shard %s only: merge the shards' JSON results with `fsar sweep merge`.\n", r.Shard)
	}

	p("\n| verdict | reports |\n|---|---:|\n")
	for _, row := range []struct {
		name string
		n    int
	}{{"block", c.Block}, {"review", c.Review}, {"warn", c.Warn}, {"pass", c.Pass}, {"error", c.Error}} {
		p("| %s | %s |\n", row.name, thousands(row.n))
	}

	p("\n### Alerts\n\n")
	if len(r.Alerts) == 0 {
		p("None: no share moved by more than %s points.\n", fmtNum(r.Settings.AlertThreshold))
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
	for _, m := range trendMeasures {
		p(" %s |", MeasureLabel(m))
	}
	p("\n|---|---:|%s\n", strings.Repeat("---:|", len(trendMeasures)))
	row := func(label string, reports int, ms []Measure) {
		p("| %s | %s |", label, thousands(reports))
		for _, name := range trendMeasures {
			m, ok := measureByName(ms, name)
			if !ok {
				p(" |")
				continue
			}
			p(" %s%% |", fmtNum(m.Percent))
		}
		p("\n")
	}
	if b := r.Baseline; b != nil {
		row("baseline "+md(b.Now), b.Reports, b.Measures)
	}
	periods := r.Periods
	if len(periods) > mdPeriodLimit {
		p("| … %s earlier periods: see the JSON or HTML report | | %s\n", thousands(len(periods)-mdPeriodLimit), strings.Repeat(" |", len(trendMeasures)))
		periods = periods[len(periods)-mdPeriodLimit:]
	}
	for _, per := range periods {
		row(md(per.Period), per.Reports, per.Measures)
	}
	row("**all**", c.Reports, r.Measures)

	p("\n### Severity\n\n| band | reports | share |\n|---|---:|---:|\n")
	for _, b := range r.Severity {
		p("| %s | %s | %s%% |\n", md(b.Band), thousands(b.Reports), fmtNum(b.Percent))
	}

	p("\n### Top rules\n\n| rule | level | reports | findings |\n|---|---|---:|---:|\n")
	for _, rs := range topRules(r, 10) {
		p("| %s | %s | %s | %s |\n", md(rs.Rule), rs.Level, thousands(rs.Reports), thousands(rs.Findings))
	}

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
	list("Blocking reports", len(r.Blocking), "| file | id | severity | rules |\n|---|---|---:|---|", func(i int) string {
		b := r.Blocking[i]
		return fmt.Sprintf("| %s | %s | %s | %s |", md(b.File), md(b.ID), sevText(b.Severity), md(strings.Join(b.Rules, ", ")))
	})
	list("Twins that disagree", len(r.TwinConflicts), "| file | twin | fields |\n|---|---|---|", func(i int) string {
		tc := r.TwinConflicts[i]
		return fmt.Sprintf("| %s | %s | %s |", md(tc.File), md(tc.Twin), md(strings.Join(tc.Fields, ", ")))
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
	list("Files that are not FSAR reports", len(r.NotReports), "", func(i int) string { return "- " + md(r.NotReports[i]) })
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
