package sweep

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// TestAlertsFinite: a share that is not a percentage, which only a
// baseline given as a value and never checked can hold, is compared with
// nothing, so that no alert is NaN or infinite ("-Inf points") and the
// JSON can always be written.
func TestAlertsFinite(t *testing.T) {
	dir := t.TempDir()
	trendFolder(t, dir)
	r := sweepIn(t, dir, Options{Paths: []string{"r"}})
	for _, m := range outOfRange {
		for _, swap := range []bool{false, true} {
			base := r.AsBaseline()
			base.Measures = append([]Measure{m}, base.Measures[1:]...)
			x := *r
			x.Baseline = base
			if swap {
				x.Measures, x.Baseline.Measures = x.Baseline.Measures, x.Measures
			}
			for _, a := range alerts(&x) {
				for _, v := range []float64{a.Change, a.FromPercent, a.ToPercent} {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Errorf("%+v: alert %q", m, a.Message)
					}
				}
			}
		}
	}
}

// TestEmptyBaseline: a baseline of no reports has no shares to compare
// with; it alerted on every share.
func TestEmptyBaseline(t *testing.T) {
	dir := t.TempDir()
	trendFolder(t, dir)
	writeFiles(t, dir, map[string]string{"empty/README.md": "# nothing yet\n"})
	t.Chdir(dir)
	empty := sweepIn(t, "", Options{Paths: []string{"empty"}, AllowEmpty: true, DecidedBy: shapedBy})
	base, err := LoadBaseline(writeResult(t, dir, "empty.json", empty))
	if err != nil {
		t.Fatal(err)
	}
	if base.Reports != 0 {
		t.Fatalf("baseline of %d reports", base.Reports)
	}
	r := sweepIn(t, "", Options{Paths: []string{"r"}, Baseline: base, MinReports: 11})
	for _, a := range r.Alerts {
		t.Errorf("alert against an empty baseline: %s", a.Message)
	}
	var text strings.Builder
	if err := WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "the baseline has no reports: no share is compared with it") {
		t.Errorf("the text output does not say the baseline is empty:\n%s", text.String())
	}
	// Nor does an empty sweep alert against a baseline with reports.
	full := sweepIn(t, "", Options{Paths: []string{"r"}, DecidedBy: shapedBy})
	r = sweepIn(t, "", Options{Paths: []string{"empty"}, AllowEmpty: true, Baseline: full.AsBaseline()})
	for _, a := range r.Alerts {
		t.Errorf("alert of an empty sweep: %s", a.Message)
	}
}

// TestThresholdFinite: --alert-threshold NaN made every share an alert and
// the JSON unwritable; Inf, the JSON unwritable.
func TestThresholdFinite(t *testing.T) {
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1} {
		o := Options{Paths: []string{"."}, AlertThreshold: x, MinReports: 1}
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "--alert-threshold") {
			t.Errorf("--alert-threshold %v: %v", x, err)
		}
		if _, err := Run(t.Context(), defaultEngine(t), o); err == nil {
			t.Errorf("Run with threshold %v: no error", x)
		}
	}
}

// TestShardsAtMost: a sweep is split into at most 1,024 shards, so that
// every shard's result can be merged.
func TestShardsAtMost(t *testing.T) {
	dir := t.TempDir()
	trendFolder(t, dir)
	if _, err := Run(t.Context(), defaultEngine(t), Options{Paths: []string{filepath.Join(dir, "r")}, Shard: Shard{Index: 1, Count: 1025}, MinReports: 1}); err == nil {
		t.Error("shard 1/1025 swept")
	}
}
