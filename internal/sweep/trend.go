package sweep

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Trends and alerts.
//
// A share's trend is measured across its window: the last Window periods
// that can say something of it — a known period, with at least MinReports
// reports, and old enough for the share (not Period.Incomplete). The
// statistic is Theil–Sen's: the median of the slopes between every pair
// of the window's periods, times the window's length in periods, is the
// change the window's trend makes across it. It alerts when that change
// goes the share's bad way (ShareDef.Bad) by more than AlertThreshold
// points. A median of slopes takes the steady direction of most of the
// window's periods: one odd period (a month of few reports, a batch of
// re-runs) can neither make a trend nor hide one, where a comparison of
// two periods, or a least-squares line, follows it.
//
// A slower drift alerts too: a share that moved the bad way in each of the
// last Streak periods, by more than half the threshold in all (so that
// the noise of a flat share, whose small moves go one way three times in
// a row one time in eight, does not alert).
//
// Against a baseline, each share of the whole sweep is compared with the
// baseline's: a bad move by more than the threshold alerts.

// alerts derives the alerts of a result: trends and streaks per share,
// then the moves against the baseline.
func alerts(r *Result) []Alert {
	out := []Alert{}
	s := r.Settings
	for _, d := range r.Facts.Shares {
		if d.Bad == "" {
			continue
		}
		periods, values := series(r, d.Name)
		if a, ok := trendAlert(r, d, periods, values); ok {
			out = append(out, a)
		} else if a, ok := streakAlert(r, d, periods, values); ok {
			out = append(out, a)
		}
	}
	if b := r.Baseline; b != nil {
		from := "the baseline of " + b.Now
		to := "this sweep of " + r.DecidedBy.Now.UTC().Format(time.RFC3339Nano)
		for _, d := range r.Facts.Shares {
			am, _ := measureByName(r.Measures, d.Name)
			bm, ok := measureByName(b.Measures, d.Name)
			if d.Bad == "" || !ok || !hasData(am) || !hasData(bm) {
				continue
			}
			change := round2(am.Percent - bm.Percent)
			if !badMove(d.Bad, change, s.AlertThreshold) {
				continue
			}
			a := Alert{
				Share: d.Name, Rule: ruleBaseline, From: from, To: to,
				FromPercent: bm.Percent, ToPercent: am.Percent,
				FromReports: bm.Reports, FromOf: bm.Of, ToReports: am.Reports, ToOf: am.Of,
				Change: change,
			}
			a.Name = alertName(r, d, func() (float64, float64, bool) {
				am, _ := measureByName(r.Measures, ShareIrreversible)
				bm, ok := measureByName(b.Measures, ShareIrreversible)
				return bm.Percent, am.Percent, ok && hasData(am) && hasData(bm) && am.Reports > 0
			})
			a.Message = alertMessage(r, a)
			out = append(out, a)
		}
	}
	return out
}

// Alert rules.
const (
	ruleTrend    = "trend"
	ruleStreak   = "streak"
	ruleBaseline = "baseline"
)

// hasData tells whether a share has reports and is a percentage (a
// result that was not checked could hold another).
func hasData(m Measure) bool { return m.Of > 0 && m.Percent >= 0 && m.Percent <= 100 }

// badMove tells whether change goes the bad way by more than threshold.
func badMove(bad string, change, threshold float64) bool {
	if bad == badFall {
		change = -change
	}
	return change > threshold
}

// series returns the periods that can say something of a share, and the
// share in each: known, with enough reports, complete for it.
func series(r *Result, share string) ([]string, []float64) {
	var periods []string
	var values []float64
	for _, p := range r.Periods {
		if p.Period == unknownPeriod || p.Reports < max(r.Settings.MinReports, 1) || slices.Contains(p.Incomplete, share) {
			continue
		}
		m, ok := measureByName(p.Measures, share)
		if !ok || !hasData(m) {
			continue
		}
		periods = append(periods, p.Period)
		values = append(values, m.Percent)
	}
	return periods, values
}

// trendAlert measures the share's trend across the last Window periods of
// its series (Theil–Sen), and alerts on a bad change over the threshold.
func trendAlert(r *Result, d ShareDef, periods []string, values []float64) (Alert, bool) {
	s := r.Settings
	n := min(len(periods), max(s.Window, 2))
	if n < 2 {
		return Alert{}, false
	}
	periods, values = periods[len(periods)-n:], values[len(values)-n:]
	xs := make([]float64, n)
	for i, p := range periods {
		xs[i] = ordinal(p, s.Period)
	}
	change := round2(theilSen(xs, values) * (xs[n-1] - xs[0]))
	if !badMove(d.Bad, change, s.AlertThreshold) {
		return Alert{}, false
	}
	return windowAlert(r, d, ruleTrend, periods, values, change), true
}

// streakAlert alerts when the share moved the bad way in each of the last
// Streak periods of its series, by more than half the threshold in all.
func streakAlert(r *Result, d ShareDef, periods []string, values []float64) (Alert, bool) {
	k := r.Settings.Streak
	if k < 1 || len(values) < k+1 {
		return Alert{}, false
	}
	periods, values = periods[len(periods)-k-1:], values[len(values)-k-1:]
	for i := 1; i < len(values); i++ {
		if !badMove(d.Bad, round2(values[i]-values[i-1]), 0) {
			return Alert{}, false
		}
	}
	change := round2(values[len(values)-1] - values[0])
	if !badMove(d.Bad, change, r.Settings.AlertThreshold/2) {
		return Alert{}, false
	}
	return windowAlert(r, d, ruleStreak, periods, values, change), true
}

func windowAlert(r *Result, d ShareDef, rule string, periods []string, values []float64, change float64) Alert {
	a := Alert{
		Share: d.Name, Rule: rule, Periods: periods, Values: values,
		From: periods[0], To: periods[len(periods)-1], FromPercent: values[0], ToPercent: values[len(values)-1],
		Change: change,
	}
	a.Name = alertName(r, d, func() (float64, float64, bool) {
		// The irreversible-text share at the same ends.
		f, okf := measureIn(r, a.From, ShareIrreversible)
		l, okl := measureIn(r, a.To, ShareIrreversible)
		return f.Percent, l.Percent, okf && okl && hasData(f) && hasData(l) && l.Reports > 0
	})
	a.Message = alertMessage(r, a)
	return a
}

// measureIn returns a share in a period.
func measureIn(r *Result, period, share string) (Measure, bool) {
	for _, p := range r.Periods {
		if p.Period == period {
			return measureByName(p.Measures, share)
		}
	}
	return Measure{}, false
}

// alertName names a bad move the FSAR spec names: a share whose ShareDef
// says so, except a falling severity share, which is incentive drift only
// while the texts speak of irreversible change no less (irrev gives that
// share before and after, and whether it could be measured, with
// reports).
func alertName(r *Result, d ShareDef, irrev func() (before, after float64, ok bool)) string {
	if d.Alert == "" {
		return ""
	}
	if d.From == fromSeverity {
		before, after, ok := irrev()
		if !ok || after < before {
			return ""
		}
	}
	return d.Alert
}

// theilSen returns the median of the slopes between every pair of points.
func theilSen(xs, ys []float64) float64 {
	var slopes []float64
	for i := range xs {
		for j := i + 1; j < len(xs); j++ {
			if dx := xs[j] - xs[i]; dx != 0 {
				slopes = append(slopes, (ys[j]-ys[i])/dx)
			}
		}
	}
	if len(slopes) == 0 {
		return 0
	}
	slices.Sort(slopes)
	n := len(slopes)
	if n%2 == 1 {
		return slopes[n/2]
	}
	return (slopes[n/2-1] + slopes[n/2]) / 2
}

// ordinal numbers periods in time: months, ISO weeks and days since the
// year 0, so that the slope of a trend is per period even across a gap.
func ordinal(label, period string) float64 {
	start, _, ok := periodSpan(label, period)
	if !ok {
		return 0
	}
	switch period {
	case PeriodMonth:
		return float64(start.Year()*12 + int(start.Month()) - 1)
	case PeriodWeek:
		return math.Floor(float64(start.Unix()) / (7 * 86400))
	}
	return math.Floor(float64(start.Unix()) / 86400)
}

// alertMessage says an alert in one sentence: the share, the periods,
// the values and the statistic.
func alertMessage(r *Result, a Alert) string {
	var b strings.Builder
	if a.Name != "" {
		b.WriteString(a.Name + ": ")
	}
	label := r.Facts.Label(a.Share)
	verb := "rose"
	if a.Change < 0 {
		verb = "fell"
	}
	s := r.Settings
	switch a.Rule {
	case ruleTrend:
		vals := make([]string, len(a.Values))
		for i, v := range a.Values {
			vals[i] = fmtNum(v) + "%"
		}
		fmt.Fprintf(&b, "the %s share %s by %s points across %s to %s (Theil–Sen trend of the %s with enough reports: %s; threshold %s)",
			label, verb, fmtNum(math.Abs(a.Change)), a.From, a.To, count(len(a.Periods), s.Period), strings.Join(vals, ", "), fmtNum(s.AlertThreshold))
	case ruleStreak:
		steps := make([]string, len(a.Values))
		for i, v := range a.Values {
			steps[i] = fmtNum(v) + "% in " + a.Periods[i]
		}
		fmt.Fprintf(&b, "the %s share %s in each of the last %s: %s, %s points in all",
			label, verb, count(len(a.Periods)-1, s.Period), strings.Join(steps, ", "), signed(a.Change))
	default:
		fmt.Fprintf(&b, "the %s share %s from %s%% (%s of %s) in %s to %s%% (%s of %s) in %s, %s points (threshold %s)",
			label, verb, fmtNum(a.FromPercent), thousands(a.FromReports), count(a.FromOf, "report"), a.From,
			fmtNum(a.ToPercent), thousands(a.ToReports), thousands(a.ToOf), a.To, signed(a.Change), fmtNum(s.AlertThreshold))
	}
	if a.Name == IncentiveDrift && a.Share == ShareHighSeverity {
		b.WriteString(", while the share of texts speaking of irreversible change did not fall")
	}
	return b.String()
}
