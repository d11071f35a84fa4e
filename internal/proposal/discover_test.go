package proposal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.md": generated, "a.json": generatedJSON, // twins
		"b.json":         generatedJSON, // alone
		"sub/c.yaml":     generatedYAML,
		"sub/notes.txt":  "not a report extension",
		".git/d.md":      generated, // hidden folder
		"sub/.hidden.md": generated, // hidden file: read (only folders are skipped)
	})
	writeFiles(t, outside, map[string]string{"secret.md": generated})
	if err := os.Symlink(filepath.Join(outside, "secret.md"), filepath.Join(dir, "link.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "b.json"), filepath.Join(dir, "sub", "inside.json")); err != nil {
		t.Fatal(err)
	}
	units, errs := Discover([]string{dir})
	j := func(p ...string) string { return filepath.Join(append([]string{dir}, p...)...) }
	want := []Unit{
		{Path: j("a.md"), Twin: j("a.json"), Walked: true},
		{Path: j("b.json"), Walked: true},
		{Path: j("sub", ".hidden.md"), Walked: true},
		{Path: j("sub", "c.yaml"), Walked: true},
		{Path: j("sub", "inside.json"), Walked: true},
	}
	if diff := cmp.Diff(want, units); diff != "" {
		t.Errorf("units (-want +got):\n%s", diff)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "link.md: symbolic link points outside") {
		t.Errorf("errors = %v, want one for link.md", errs)
	}

	// Naming one twin finds the other; naming both gives one unit.
	for _, args := range [][]string{{j("a.json")}, {j("a.md")}, {j("a.md"), j("a.json")}, {j("a.json"), dir}} {
		units, _ := Discover(args)
		if len(units) == 0 || units[0].Path != j("a.md") || units[0].Twin != j("a.json") {
			t.Errorf("Discover(%v) = %v, want a.md with its twin first", args, units)
		}
	}
	units, errs = Discover([]string{"-", filepath.Join(dir, "missing.md")})
	if len(units) != 1 || units[0].Path != Stdin || len(errs) != 1 {
		t.Errorf("stdin and a missing file: %v %v", units, errs)
	}
}

func TestUnitRead(t *testing.T) {
	dir := t.TempDir()
	conflicting := strings.Replace(generatedJSON, `"severity": 6`, `"severity": 40`, 1)
	conflicting = strings.Replace(conflicting, `"Add a --no-cache flag"`, `"Add a --no-cache flag", "extra"`, 1)
	writeFiles(t, dir, map[string]string{
		"x.md": generated, "x.json": conflicting,
		"README.md":    "# Not a report",
		"fsar_typo.md": "# FSAR Proposal Reprot",
		"broken.md":    generated, "broken.json": "{",
	})
	read := func(u Unit) Result { return u.Read(Limits{}, nil) }

	res := read(Unit{Path: filepath.Join(dir, "x.md"), Twin: filepath.Join(dir, "x.json")})
	if len(res.Errs) != 0 || res.Report == nil {
		t.Fatalf("read twins: %v", res.Errs)
	}
	var fields []string
	for _, c := range res.Report.Conflicts {
		fields = append(fields, c.Field)
	}
	if diff := cmp.Diff([]string{"severity", "mitigations", "extra.owner"}, fields); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
	c := res.Report.Conflicts[0]
	if c.Value != 6.0 || c.TwinValue != 40.0 || c.Pos != at(4, 1) || c.TwinPos != at(5, 3) {
		t.Errorf("severity conflict = %+v", c)
	}

	// A walked file that is no report is skipped; one named fsar_* is not.
	if res := read(Unit{Path: filepath.Join(dir, "README.md"), Walked: true}); !res.Skipped || len(res.Errs) != 0 {
		t.Errorf("walked README: %+v", res)
	}
	if res := read(Unit{Path: filepath.Join(dir, "README.md")}); res.Skipped || !errors.Is(res.Errs[0], ErrNotReport) {
		t.Errorf("named README: %+v", res)
	}
	if res := read(Unit{Path: filepath.Join(dir, "fsar_typo.md"), Walked: true}); res.Skipped || len(res.Errs) != 1 {
		t.Errorf("walked fsar_typo.md must fail, not be skipped: %+v", res)
	}
	// A broken twin is an error; the readable half is still returned.
	res = read(Unit{Path: filepath.Join(dir, "broken.md"), Twin: filepath.Join(dir, "broken.json")})
	if res.Report == nil || len(res.Errs) != 1 || !strings.Contains(res.Errs[0].Error(), "broken.json:1:2: invalid JSON") {
		t.Errorf("broken twin: %+v", res)
	}
}

func TestDeriveRisk(t *testing.T) {
	tests := []struct{ text, category, horizon string }{
		{"Slow failure: unnoticed degradation accumulating by 2027-12-31", "Slow failure", "2027-12-31"},
		{"Slow failure: by 2027-12-31  ", "Slow failure", "2027-12-31"},
		{"by 2027-12-31", "", "2027-12-31"},
		{"Drift: nearby 2027-12-31", "Drift", ""},
		{"Drift: by 2027-02-30", "Drift", ""},
		{"Drift: by 2027-1-30", "Drift", ""},
		{"no category, by 2027-01-30 or later", "", ""},
		{": empty category", "", ""},
	}
	for _, tt := range tests {
		if c, h := riskCategory(tt.text), horizon(tt.text); c != tt.category || h != tt.horizon {
			t.Errorf("%q: category %q horizon %q, want %q %q", tt.text, c, h, tt.category, tt.horizon)
		}
	}
}
