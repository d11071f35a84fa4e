package gen

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fsar-gate/fsar/internal/proposal"
)

// TestGenerate: the same configuration writes the same files, every report
// is readable as twins that agree (except the conflicts asked for), and the
// other files are not FSAR reports.
func TestGenerate(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	cfg := Default(a, 300)
	cfg.Broken = 2
	st, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Dir = b
	if _, err := Generate(cfg); err != nil {
		t.Fatal(err)
	}
	// 3 other documents: a drift report and a quality regression report
	// in two files each, and a summary.
	if st.Reports != 300 || st.Files != 600+5+2 || st.NotReports != 3 || st.Broken != 2 {
		t.Errorf("stats %+v", st)
	}
	names, err := os.ReadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != st.Files {
		t.Errorf("%d files written, stats say %d", len(names), st.Files)
	}
	for _, e := range names {
		x, _ := os.ReadFile(filepath.Join(a, e.Name()))
		y, err := os.ReadFile(filepath.Join(b, e.Name()))
		if err != nil || !bytes.Equal(x, y) {
			t.Fatalf("%s differs between two runs with one seed", e.Name())
		}
	}
	units, errs := proposal.Discover([]string{a})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	reports, conflicts, skipped, broken := 0, 0, 0, 0
	var kinds []string
	for _, u := range units {
		res := u.Read(proposal.Limits{}, nil)
		switch {
		case res.Skipped:
			skipped++
			kinds = append(kinds, res.Kind)
		case len(res.Errs) > 0:
			if !strings.Contains(u.Path, "broken") {
				t.Errorf("%s: %v", u.Path, res.Errs)
			}
			broken++
		default:
			reports++
			if u.Twin == "" || res.Report.Twin == nil {
				t.Errorf("%s: no twin", u.Path)
			}
			if len(res.Report.Conflicts) > 0 {
				conflicts++
			}
		}
	}
	if reports != 300 || conflicts != st.Conflicts || skipped != 3 || broken != 2 {
		t.Errorf("%d reports, %d with twin conflicts (want %d), %d not reports, %d broken", reports, conflicts, st.Conflicts, skipped, broken)
	}
	slices.Sort(kinds)
	if !slices.Equal(kinds, []string{"drift", "quality_regression", "weekly_audit_summary"}) {
		t.Errorf("other reports of kinds %q", kinds)
	}
}
