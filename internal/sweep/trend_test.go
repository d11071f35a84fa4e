package sweep

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fsar-gate/fsar/internal/sweep/gen"
)

// twelveMonths writes a generated corpus of 2,400 reports over 2025 (200
// a month), rising or flat, and returns its folder.
func twelveMonths(t *testing.T, flat bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "gen")
	cfg := gen.Default(dir, 2400)
	cfg.Flat = flat
	if _, err := gen.Generate(cfg); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestTrendsOverTwelveMonths sweeps twelve months of generated reports
// with the command line's defaults (a window of 6 months, streaks of 3,
// 10 points, 10 reports a month at least):
//   - canned analyses rising steadily from 50% to 98%: trust inflation,
//     named, across the window's six months, with their values;
//   - the same months without a trend, swept when the newest month is
//     younger than max_age_days: the newest month is marked incomplete
//     for the stale share and left out of its series, and nothing alerts;
//   - the same, swept when every month is old enough: nothing alerts.
func TestTrendsOverTwelveMonths(t *testing.T) {
	opts := Options{MinReports: 10, Streak: 3, Window: DefaultWindow}
	old := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)    // every month of 2025 older than 30 days
	young := time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC) // December 2025 is not

	t.Run("rising", func(t *testing.T) {
		opts.Paths = []string{twelveMonths(t, false)}
		r := sweepAt(t, old, opts)
		if len(r.Alerts) != 1 {
			t.Fatalf("alerts %q, want trust inflation alone", messages(r.Alerts))
		}
		a := r.Alerts[0]
		wantPeriods := []string{"2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"}
		if a.Name != TrustInflation || a.Share != shareCanned || a.Rule != ruleTrend || !slices.Equal(a.Periods, wantPeriods) || a.Change <= 10 {
			t.Errorf("alert %+v", a)
		}
		for i := 1; i < len(a.Values); i++ {
			if a.Values[i] <= a.Values[i-1] {
				t.Errorf("values %v: the canned share does not rise steadily", a.Values)
			}
		}
		if !strings.HasPrefix(a.Message, "trust inflation: the canned analysis share rose by ") ||
			!strings.Contains(a.Message, " points across 2025-07 to 2025-12 (Theil–Sen trend of the 6 months with enough reports: ") {
			t.Errorf("message %q", a.Message)
		}
	})

	t.Run("young newest month", func(t *testing.T) {
		opts.Paths = []string{twelveMonths(t, true)}
		r := sweepAt(t, young, opts)
		if len(r.Alerts) != 0 {
			t.Errorf("alerts %q, want none", messages(r.Alerts))
		}
		last := r.Periods[len(r.Periods)-1]
		stale := last.Share(shareStale)
		// December is partly stale only: a comparison of the last two
		// months would see the stale share fall by a third.
		if last.Period != "2025-12" || !slices.Equal(last.Incomplete, []string{shareStale}) || stale.Percent > 80 || stale.Percent < 40 {
			t.Errorf("newest period %s: incomplete %v, stale %v%%", last.Period, last.Incomplete, stale.Percent)
		}
		for _, p := range r.Periods[:len(r.Periods)-1] {
			if len(p.Incomplete) != 0 || p.Share(shareStale).Percent != 100 {
				t.Errorf("period %s: incomplete %v, stale %v%%", p.Period, p.Incomplete, p.Share(shareStale).Percent)
			}
		}
		staleSeries, _ := series(r, shareStale)
		cannedSeries, _ := series(r, shareCanned)
		if len(staleSeries) != 11 || staleSeries[10] != "2025-11" || len(cannedSeries) != 12 {
			t.Errorf("stale measured in %v, canned in %v: the young month is left out of stale's trend only", staleSeries, cannedSeries)
		}
		var text strings.Builder
		if err := WriteText(&text, r); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text.String(), "%"+incompleteMark) || !strings.Contains(text.String(), "* incomplete: the period is too young for the share (stale needs reports 30 days old)") {
			t.Errorf("the text does not mark the young month:\n%s", text.String())
		}
	})

	t.Run("flat", func(t *testing.T) {
		opts.Paths = []string{twelveMonths(t, true)}
		r := sweepAt(t, old, opts)
		if len(r.Alerts) != 0 {
			t.Errorf("alerts %q, want none", messages(r.Alerts))
		}
		if canned := r.Periods[0].Share(shareCanned).Percent; math.Abs(canned-70) > 1 {
			t.Errorf("a flat corpus's canned share is %v%%, want 70%%", canned)
		}
	})
}

func messages(alerts []Alert) []string {
	var out []string
	for _, a := range alerts {
		out = append(out, a.Message)
	}
	return out
}

// seriesResult is a result with one share per period, for the statistic's
// own tests.
func seriesResult(values ...float64) *Result {
	r := &Result{Settings: Settings{Period: PeriodMonth, AlertThreshold: 10, MinReports: 1, Window: 6, Streak: 3}}
	r.Facts.Shares = []ShareDef{{Name: shareCanned, Label: "canned analysis", From: fromRules, Rules: []string{"x"}, Bad: badRise, Alert: TrustInflation}}
	for i, v := range values {
		r.Periods = append(r.Periods, Period{
			Period: time.Date(2025, time.Month(1+i), 1, 0, 0, 0, 0, time.UTC).Format("2006-01"), Reports: 100,
			Measures: []Measure{{Name: shareCanned, Reports: int(v), Of: 100, Percent: v}},
		})
	}
	return r
}

// TestTrendStatistic: the trend is robust to one odd month, sees a steady
// rise, and says only bad moves; the streak sees a slow steady drift that
// stays under the threshold across the window.
func TestTrendStatistic(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []float64
		want   []string // the alerts' rules
	}{
		{"flat", []float64{50, 50, 50, 50, 50, 50}, nil},
		{"one odd month", []float64{50, 50, 50, 95, 50, 50}, nil},
		{"odd last month", []float64{50, 50, 50, 50, 50, 95}, nil},
		{"steady rise", []float64{50, 54, 58, 62, 66, 70}, []string{ruleTrend}},
		{"steady fall: good news", []float64{70, 66, 62, 58, 54, 50}, nil},
		{"slow drift", []float64{50, 50, 50, 52, 54.5, 57}, []string{ruleStreak}},
		{"slow noise", []float64{50, 49, 50, 50.5, 51, 51.5}, nil},
		{"only the window counts", []float64{0, 0, 0, 0, 50, 50, 50, 50, 50, 50}, nil},
		{"a slow rise under both limits", []float64{50, 51, 52, 53, 54, 55}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, a := range alerts(seriesResult(tc.values...)) {
				got = append(got, a.Rule)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("alerts (-want +got):\n%s", diff)
			}
		})
	}
	// Theil–Sen across a gap: two points a year apart make the slope per
	// month.
	if s := theilSen([]float64{ordinal("2025-01", PeriodMonth), ordinal("2026-01", PeriodMonth)}, []float64{0, 12}); s != 1 {
		t.Errorf("slope across a year: %v per month, want 1", s)
	}
	for label, period := range map[string]string{"2026-W01": PeriodWeek, "2026-01-02": PeriodDay} {
		start, end, ok := periodSpan(label, period)
		if !ok || !start.Before(end) {
			t.Errorf("%s: %v to %v", label, start, end)
		}
	}
	if start, _, _ := periodSpan("2026-W01", PeriodWeek); !start.Equal(time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ISO week 2026-W01 starts %v, want Monday 2025-12-29", start)
	}
}
