package sweep

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/report"
)

// WriteText writes the summary for people: counts, what is new since the
// baseline, notices, alerts, shares, and the reports that need attention,
// long lists cut short.
func WriteText(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	tw := func() *tabwriter.Writer { return tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0) }
	section := func(title string, n int, line func(i int) string) {
		p("\n%s (%s):\n", title, thousands(n))
		for i := 0; i < n && i < listLimit; i++ {
			p("  %s\n", line(i))
		}
		if n > listLimit {
			p("  ... and %s more (all of them are in the JSON and HTML outputs)\n", thousands(n-listLimit))
		}
	}
	blocking := func(list []Blocking) func(i int) string {
		return func(i int) string {
			b := list[i]
			return fmt.Sprintf("%s (%s, severity %s): %s", escape.Terminal(b.File), escape.Terminal(b.ID), sevText(b.Severity), escape.Terminal(strings.Join(b.Rules, ", ")))
		}
	}

	c := r.Count
	p("fsar sweep: %s — %s in %s (%s); %s, %s, %s\n",
		strings.ToUpper(r.Verdict.String()), count(c.Reports, "report"), count(c.Files, "file"), count(c.Twins, "twin pair"),
		count(c.OtherReports, "other report"), count(c.OtherFiles, "other file"), count(c.Errors, "error"))
	p("evaluated at %s, policies %s, periods by %s\n",
		r.DecidedBy.Now.UTC().Format(time.RFC3339Nano), r.DecidedBy.PolicyDigest, r.Settings.Period)
	if r.Shard != nil {
		p("shard %s only: merge the shards' JSON results with 'fsar sweep merge'\n", r.Shard)
	}
	p("verdicts: %s pass, %s warn, %s review, %s block, %s error\n",
		thousands(c.Pass), thousands(c.Warn), thousands(c.Review), thousands(c.Block), thousands(c.Error))

	if b := r.Baseline; b != nil && b.BlockingOmitted == 0 && r.Shard == nil {
		p("\nsince the baseline of %s: %s, %s\n", escape.Terminal(b.Now), count(len(r.NewBlocking), "new blocking report"), count(len(r.NoLongerBlocking), "report")+" no longer blocking")
		if len(r.NewBlocking) > 0 {
			section("new blocking reports", len(r.NewBlocking), blocking(r.NewBlocking))
		}
		if len(r.NoLongerBlocking) > 0 {
			section("no longer blocking (fixed, or gone)", len(r.NoLongerBlocking), func(i int) string { return escape.Terminal(r.NoLongerBlocking[i]) })
		}
	}

	if len(r.Notices) > 0 {
		p("\nnotices:\n")
		for _, n := range r.Notices {
			p("  - %s\n", escape.Terminal(n))
		}
	}

	p("\nalerts (threshold %s points, trends across %s, streaks of %d):\n", fmtNum(r.Settings.AlertThreshold), count(r.Settings.Window, r.Settings.Period), r.Settings.Streak)
	if len(r.Alerts) == 0 {
		p("  none\n")
	}
	for _, a := range r.Alerts {
		p("  - %s\n", escape.Terminal(a.Message))
	}

	p("\nshares:\n")
	t := tw()
	for _, m := range r.Measures {
		fmt.Fprintf(t, "  %s\t%s%%\t(%s of %s)\n", escape.Terminal(r.Facts.Label(m.Name)), fmtNum(m.Percent), thousands(m.Reports), thousands(m.Of))
	}
	t.Flush()
	if b := r.Baseline; b != nil {
		p("  compared with the baseline: the sweep of %s, %s reports, policies %s\n", escape.Terminal(b.Now), thousands(b.Reports), escape.Terminal(b.Digest))
	}

	if len(r.Severity) > 0 {
		p("\nseverity:\n")
		t = tw()
		for _, b := range r.Severity {
			fmt.Fprintf(t, "  %s\t%s\t%s%%\n", r.Facts.BandLabel(b.Band), thousands(b.Reports), fmtNum(b.Percent))
		}
		t.Flush()
	}

	p("\nrules, by reports:\n")
	t = tw()
	for _, rs := range topRules(r, 0) {
		waived := ""
		if rs.Waived > 0 {
			waived = " (" + thousands(rs.Waived) + " waived)"
		}
		fmt.Fprintf(t, "  %s\t%s\t%s\t%s%s\n", escape.Terminal(rs.Rule), rs.Level, count(rs.Reports, "report"), count(rs.Findings, "finding"), waived)
	}
	t.Flush()

	p("\nkinds:\n")
	t = tw()
	for _, k := range r.Kinds {
		fmt.Fprintf(t, "  %s\t%s\t(%s block, %s review, %s warn, %s pass, %s error)\n", escape.Terminal(kindName(k.Kind)), thousands(k.Reports),
			thousands(k.Block), thousands(k.Review), thousands(k.Warn), thousands(k.Pass), thousands(k.Error))
	}
	t.Flush()

	p("\nperiods (%s):\n", r.Settings.Period)
	t = tw()
	fmt.Fprint(t, "  period\treports\tblock\treview\twarn\tpass\terror")
	for _, d := range r.Facts.Shares {
		fmt.Fprintf(t, "\t%s", escape.Terminal(d.Label))
	}
	fmt.Fprintln(t)
	for _, per := range r.Periods {
		v := per.Verdicts
		fmt.Fprintf(t, "  %s\t%s\t%s\t%s\t%s\t%s\t%s", escape.Terminal(per.Period), thousands(per.Reports),
			thousands(v.Block), thousands(v.Review), thousands(v.Warn), thousands(v.Pass), thousands(v.Error))
		for _, name := range r.shareNames() {
			fmt.Fprintf(t, "\t%s", per.cell(name))
		}
		fmt.Fprintln(t)
	}
	t.Flush()
	if r.anyIncomplete() {
		p("  %s\n", escape.Terminal(r.incompleteNote()))
	}

	section("blocking reports", len(r.Blocking), blocking(r.Blocking))
	if len(r.Waivers) > 0 {
		section("waived: would block but for their waivers", len(r.WaivedBlocking), blocking(r.WaivedBlocking))
		section("waived findings by approver", len(r.WaivedByApprover), func(i int) string {
			a := r.WaivedByApprover[i]
			return fmt.Sprintf("%s: %s in %s", escape.Terminal(a.ApprovedBy), count(a.Findings, "finding"), count(a.Reports, "report"))
		})
		soon := r.WaiversToReview(WaiverHorizon)
		section(fmt.Sprintf("waivers to look at: ending within %d days, ended, or unused", int(WaiverHorizon.Hours()/24)), len(soon), func(i int) string {
			return escape.Terminal(soon[i].Status + ": " + report.WaiverLine(soon[i]))
		})
	}
	section("twins that disagree", len(r.TwinConflicts), func(i int) string {
		tc := r.TwinConflicts[i]
		return fmt.Sprintf("%s and %s: %s", escape.Terminal(tc.File), escape.Terminal(tc.Twin), escape.Terminal(strings.Join(tc.Fields, ", ")))
	})
	section("ids used by more than one report", len(r.DuplicateIDs), func(i int) string {
		d := r.DuplicateIDs[i]
		return fmt.Sprintf("%s: %s", escape.Terminal(d.ID), escape.Terminal(strings.Join(d.Files, ", ")))
	})
	if len(r.OtherKinds) > 0 {
		p("\nother reports, by kind (not FSAR reports, not judged):\n")
		t = tw()
		for _, k := range r.OtherKinds {
			fmt.Fprintf(t, "  %s\t%s\n", escape.Terminal(otherKindName(k.Kind)), thousands(k.Reports))
		}
		t.Flush()
	}
	section("other reports", len(r.Others), func(i int) string {
		o := r.Others[i]
		line := escape.Terminal(o.File)
		if o.Twin != "" {
			line += " and " + escape.Terminal(o.Twin)
		}
		if o.Kind != "" {
			line += " (" + escape.Terminal(o.Kind) + ")"
		}
		return line
	})
	section("errors", len(r.Errors), func(i int) string { return escape.Terminal(r.Errors[i].String()) })
	return bw.Flush()
}
