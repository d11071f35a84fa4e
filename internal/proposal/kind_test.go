package proposal

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Reports of other kinds, shaped like those in the generator's folder: a
// drift report in markdown and JSON (with id, timestamp and severity
// fields of its own: severity 91 is far outside the FSAR scale), and a
// quality regression report whose severity is a word.
const (
	driftMD = `<!-- SYNOPSIS: Drift Report -->

# Drift Report
- id: drift_56f3d7ef-2838-4446-a674-7067eb4e8e2b
- timestamp: 2026-06-29T02:06:28.680Z
- severity: 91

## Signals
- repeated_phrasing: 1.000

## Recommendations
- forced FSAR`
	driftJSON = `{
  "id": "drift_56f3d7ef-2838-4446-a674-7067eb4e8e2b",
  "severity": 91,
  "signals": {"repeated_phrasing": 1},
  "recommendations": ["forced FSAR"],
  "timestamp": "2026-06-29T02:06:28.680Z"
}`
	qualityMD = `# Quality Regression Report
- id: quality_regression_0b7c6d12-5e4f-4a3b-9c8d-7e6f5a4b3c2d
- timestamp: 2026-07-01
- severity: high
`
	qualityJSON = `{"id": "quality_regression_0b7c6d12-5e4f-4a3b-9c8d-7e6f5a4b3c2d", "timestamp": "2026-07-01", "severity": "high", "regressions": 2}`
	qualityYAML = "id: quality_regression_0b7c6d12\ntimestamp: yesterday\nseverity: [high]\nproposal: not ours\n"
)

func TestKinds(t *testing.T) {
	for _, tc := range []struct{ in, title, id string }{
		{"# Drift Report", "drift", "drift"},
		{"# Quality Regression Report", "quality_regression", "quality_regression"},
		{"# FSAR Proposal Report", "fsar_proposal", "fsar_proposal"},
		{"## Drift Report", "", ""},
		{"#Drift", "", ""},
		{"# ***", "", ""},
		{"# Weekly audit summary", "weekly_audit_summary", "weekly_audit_summary"},
	} {
		if got := kindOfTitle(tc.in); got != tc.title {
			t.Errorf("kindOfTitle(%q) = %q, want %q", tc.in, got, tc.title)
		}
	}
	for id, want := range map[string]string{
		"drift_56f3d7ef-2838-4446-a674-7067eb4e8e2b":              "drift",
		"quality_regression_0b7c6d12-5e4f-4a3b-9c8d-7e6f5a4b3c2d": "quality_regression",
		"drift_report_2026":                         "drift",
		"fsar_5e0b1c2d-aaaa-4bbb-8ccc-000000000000": "fsar",
		"FSAR_x":                        "fsar",
		"fsar_proposal_x":               "fsar",
		"12345":                         "",
		"drift":                         "",
		"_drift":                        "",
		"x1_y":                          "",
		strings.Repeat("a", 100) + "_1": strings.Repeat("a", 64),
	} {
		if got := kindOfID(id); got != want {
			t.Errorf("kindOfID(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestOtherReports: a walked document whose title or id says it is a
// report of another kind is skipped with its kind, in every form and as a
// pair of twins, whatever its fields hold; named fsar…, or named directly,
// it is an error; one that says nothing is skipped without a kind.
func TestOtherReports(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"drift_report_1.md":            driftMD,
		"drift_report_1.json":          driftJSON,
		"quality_regression_1.md":      qualityMD,
		"quality_regression_1.json":    qualityJSON,
		"quality_regression_2.yaml":    qualityYAML,
		"drift_only.json":              driftJSON,
		"README.md":                    "Notes, no title.\n",
		"fsar_proposal_drift.json":     driftJSON,
		"fsar_proposal_drift_title.md": driftMD,
		"fsar_proposal_5e0b1c2d.json":  generatedJSON,
		"mixed_pair.md":                driftMD,
		"mixed_pair.json":              generatedJSON,
	})
	type got struct {
		Path, Kind string
		Skipped    bool
		Errs       int
	}
	var all []got
	for f := range Walk(t.Context(), []string{dir}, WalkOptions{}) {
		res := f.Unit.Read(Limits{}, nil)
		rel, _ := filepath.Rel(dir, f.Unit.Path)
		all = append(all, got{rel, res.Kind, res.Skipped, len(res.Errs)})
	}
	want := []got{
		{"README.md", "", true, 0},
		{"drift_only.json", "drift", true, 0},
		{"drift_report_1.md", "drift", true, 0},
		{"fsar_proposal_5e0b1c2d.json", "", false, 0},
		// Named fsar…: an FSAR report, whatever its id (the policies deny
		// the fields it lacks); one that cannot be read is an error.
		{"fsar_proposal_drift.json", "", false, 0},
		{"fsar_proposal_drift_title.md", "", false, 1},
		// One of the twins is an FSAR report: the pair is one, and the
		// other file's failure to read is its error.
		{"mixed_pair.md", "", false, 1},
		{"quality_regression_1.md", "quality_regression", true, 0},
		{"quality_regression_2.yaml", "quality_regression", true, 0},
	}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("units (-want +got):\n%s", diff)
	}
	// Named directly, a report of another kind is an error that says what
	// it is.
	res := Unit{Path: filepath.Join(dir, "drift_only.json")}.Read(Limits{}, nil)
	if len(res.Errs) != 1 || res.Skipped || !errors.Is(res.Errs[0], ErrNotReport) || KindOf(res.Errs[0]) != "drift" ||
		!strings.Contains(res.Errs[0].Error(), `report of another kind, drift (its id is "drift_56f3d7ef-2838-4446-a674-7067eb4e8e2b")`) {
		t.Errorf("named: %+v", res)
	}
	// A file named fsar… with another kind's id is read as an FSAR
	// report, its missing fields recorded.
	if r, err := ReadFile(filepath.Join(dir, "fsar_proposal_drift.json"), Limits{}); err != nil || !slices.Equal(r.Missing(), []string{"block_execution", "mitigations", "proposal", "risks"}) {
		t.Errorf("fsar_proposal_drift.json: %v", err)
	}
}

// TestOtherReportsNotFast: the one-pass JSON reader never takes a report of
// another kind for an FSAR report, even one whose keys are all FSAR fields.
func TestOtherReportsNotFast(t *testing.T) {
	data := []byte(`{"id": "drift_1a2b", "timestamp": "2026-06-29T02:06:28.680Z", "severity": 91}`)
	if r, ok := readJSONFast("drift.json", data, Limits{}); ok {
		t.Errorf("read as an FSAR report: %+v", r)
	}
	if _, err := Parse("drift.json", data, ""); KindOf(err) != "drift" {
		t.Errorf("Parse: %v, kind %q", err, KindOf(err))
	}
}
