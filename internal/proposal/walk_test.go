package proposal

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMatchGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, rel string
		want         bool
	}{
		{"*.md", "a/b/c.md", true},
		{"*.md", "c.json", false},
		{"archive/**", "archive", true},
		{"archive/**", "archive/x/y.md", true},
		{"archive/**", "other/archive/y.md", false},
		{"**/archive/**", "other/archive/y.md", true},
		{"**/*.md", "x.md", true},
		{"2026-*/fsar_*", "2026-01/fsar_a.md", true},
		{"2026-*/fsar_*", "2026-01/sub/fsar_a.md", false},
		{"./a/*.md", "a/b.md", true},
	} {
		if got := MatchGlob(tc.pattern, tc.rel); got != tc.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", tc.pattern, tc.rel, got, tc.want)
		}
	}
	if err := ValidGlob("[a"); err == nil {
		t.Error("ValidGlob([a) passed")
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"1/1", Shard{1, 1}, true},
		{"2/4", Shard{2, 4}, true},
		{"0/4", Shard{}, false},
		{"5/4", Shard{}, false},
		{"1/0", Shard{}, false},
		{"1", Shard{}, false},
		{"1/2x", Shard{}, false},
		{"a/b", Shard{}, false},
	} {
		got, err := ParseShard(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v", tc.in, got, err)
		}
	}
}

// TestWalkEachUnitOnce: overlapping paths give each unit once, and a file
// named on its own is read as named (an error when it is not a report)
// even when a folder given with it holds it.
func TestWalkEachUnitOnce(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.md": generated, "a.json": generatedJSON, "sub/notes.md": "# notes\n"})
	j := func(p ...string) string { return filepath.Join(append([]string{dir}, p...)...) }
	units, errs := Discover([]string{dir, j("sub"), "-", j("sub", "notes.md"), dir, "-"})
	want := []Unit{
		{Path: Stdin},
		{Path: j("a.md"), Twin: j("a.json"), Walked: true},
		{Path: j("sub", "notes.md")},
	}
	if diff := cmp.Diff(want, units); diff != "" || len(errs) != 0 {
		t.Errorf("units (-want +got):\n%s\nerrors %v", diff, errs)
	}
	// A glob that matches both twins gives one unit.
	units, _ = Discover([]string{j("a.*")})
	if diff := cmp.Diff([]Unit{{Path: j("a.md"), Twin: j("a.json"), Walked: true}}, units); diff != "" {
		t.Errorf("glob (-want +got):\n%s", diff)
	}
}

// TestWalkInPathOrder: a folder's units come in the order of their paths,
// subfolders where their names sort among the files, so that a run that
// writes each report as it is judged lists them as a sorted list would.
func TestWalkInPathOrder(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for _, name := range []string{"b.md", "b/c.md", "b-c.md", "b0.md", "a/z/y.md", "a.md", "c/d.md", "b/a/x.md", "b/c.json"} {
		files[name] = generated
	}
	writeFiles(t, dir, files)
	var got []string
	for f := range Walk(t.Context(), []string{dir}, WalkOptions{}) {
		got = append(got, f.Unit.Path)
	}
	sorted := slices.Clone(got)
	slices.Sort(sorted)
	if diff := cmp.Diff(sorted, got); diff != "" || len(got) != 8 {
		t.Errorf("walk order (-sorted +walked):\n%s", diff)
	}
}
