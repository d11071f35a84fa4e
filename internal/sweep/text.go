package sweep

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fsar-gate/fsar/internal/escape"
)

// WriteText writes the summary for people: counts, shares, alerts, and the
// reports that need attention, long lists cut short.
func WriteText(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	tw := func() *tabwriter.Writer { return tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0) }

	c := r.Count
	p("fsar sweep: %s — %s in %s (%s); %s not FSAR reports, %s, %s\n",
		strings.ToUpper(r.Verdict.String()), count(c.Reports, "report"), count(c.Files, "file"), count(c.Twins, "twin pair"),
		thousands(c.NotReports), count(c.OtherFiles, "other file"), count(c.Errors, "error"))
	p("evaluated at %s, policies %s, periods by %s\n",
		r.DecidedBy.Now.UTC().Format(time.RFC3339Nano), r.DecidedBy.PolicyDigest, r.Settings.Period)
	if r.Shard != nil {
		p("shard %s only: merge the shards' JSON results with 'fsar sweep merge'\n", r.Shard)
	}
	p("verdicts: %s pass, %s warn, %s review, %s block, %s error\n",
		thousands(c.Pass), thousands(c.Warn), thousands(c.Review), thousands(c.Block), thousands(c.Error))

	p("\nalerts (threshold %s points):\n", fmtNum(r.Settings.AlertThreshold))
	if len(r.Alerts) == 0 {
		p("  none\n")
	}
	for _, a := range r.Alerts {
		p("  - %s\n", a.Message)
	}

	p("\nshares:\n")
	t := tw()
	for _, m := range r.Measures {
		if strings.HasPrefix(m.Name, measureBandPrefix) {
			continue
		}
		fmt.Fprintf(t, "  %s\t%s%%\t(%s of %s)\n", MeasureLabel(m.Name), fmtNum(m.Percent), thousands(m.Reports), thousands(m.Of))
	}
	t.Flush()
	if b := r.Baseline; b != nil {
		p("  compared with the baseline: the sweep of %s, %s reports, policies %s\n", escape.Terminal(b.Now), thousands(b.Reports), escape.Terminal(b.Digest))
		if b.Reports == 0 {
			p("  the baseline has no reports: no share is compared with it\n")
		}
	}

	p("\nseverity:\n")
	t = tw()
	for _, b := range r.Severity {
		fmt.Fprintf(t, "  %s\t%s\t%s%%\n", b.Band, thousands(b.Reports), fmtNum(b.Percent))
	}
	t.Flush()

	p("\nrules, by reports:\n")
	t = tw()
	for _, rs := range topRules(r, 0) {
		fmt.Fprintf(t, "  %s\t%s\t%s\t%s\n", escape.Terminal(rs.Rule), rs.Level, count(rs.Reports, "report"), count(rs.Findings, "finding"))
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
	for _, m := range trendMeasures {
		fmt.Fprintf(t, "\t%s", MeasureLabel(m))
	}
	fmt.Fprintln(t)
	for _, per := range r.Periods {
		v := per.Verdicts
		fmt.Fprintf(t, "  %s\t%s\t%s\t%s\t%s\t%s\t%s", escape.Terminal(per.Period), thousands(per.Reports),
			thousands(v.Block), thousands(v.Review), thousands(v.Warn), thousands(v.Pass), thousands(v.Error))
		for _, name := range trendMeasures {
			m, _ := measureByName(per.Measures, name)
			fmt.Fprintf(t, "\t%s%%", fmtNum(m.Percent))
		}
		fmt.Fprintln(t)
	}
	t.Flush()

	section := func(title string, n int, line func(i int) string) {
		p("\n%s (%s):\n", title, thousands(n))
		for i := 0; i < n && i < listLimit; i++ {
			p("  %s\n", line(i))
		}
		if n > listLimit {
			p("  ... and %s more (all of them are in the JSON and HTML outputs)\n", thousands(n-listLimit))
		}
	}
	section("blocking reports", len(r.Blocking), func(i int) string {
		b := r.Blocking[i]
		return fmt.Sprintf("%s (%s, severity %s): %s", escape.Terminal(b.File), escape.Terminal(b.ID), sevText(b.Severity), escape.Terminal(strings.Join(b.Rules, ", ")))
	})
	section("twins that disagree", len(r.TwinConflicts), func(i int) string {
		tc := r.TwinConflicts[i]
		return fmt.Sprintf("%s and %s: %s", escape.Terminal(tc.File), escape.Terminal(tc.Twin), escape.Terminal(strings.Join(tc.Fields, ", ")))
	})
	section("ids used by more than one report", len(r.DuplicateIDs), func(i int) string {
		d := r.DuplicateIDs[i]
		return fmt.Sprintf("%s: %s", escape.Terminal(d.ID), escape.Terminal(strings.Join(d.Files, ", ")))
	})
	section("files that are not FSAR reports", len(r.NotReports), func(i int) string { return escape.Terminal(r.NotReports[i]) })
	section("errors", len(r.Errors), func(i int) string { return escape.Terminal(r.Errors[i].String()) })
	return bw.Flush()
}
