package proposal

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestFootprint(t *testing.T) {
	got := Footprint([]string{"audit/reports", "a/x.md", "a/y.json", "a/z.yaml", "r/fsar_*.md", "r/*/s.md", "a/x.md"})
	want := []string{"a/x.json", "a/x.md", "a/y.json", "a/y.md", "a/z.yaml", "audit/reports", "r"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Footprint (-want +got):\n%s", diff)
	}
}

// TestWalkSnapshot: a walk of a snapshot finds what a walk of the same
// files on disk finds, reads them from the snapshot, and never follows
// the snapshot's symbolic links.
func TestWalkSnapshot(t *testing.T) {
	snap := fstest.MapFS{
		"r/fsar_a.md":    {Data: []byte(generated)},
		"r/fsar_a.json":  {Data: []byte(generatedJSON)},
		"r/fsar_link.md": {Mode: fs.ModeSymlink | 0o777, Data: []byte("fsar_a.md")},
		"r/sub/notes.md": {Data: []byte("# notes\n")},
	}
	var units []Unit
	var problems []string
	for f := range Walk(context.Background(), []string{"r", "./r/fsar_a.json", "r/nothing"}, WalkOptions{FS: snap}) {
		if f.Err != nil {
			problems = append(problems, f.Err.Error())
			continue
		}
		f.Unit.FS = nil // compared apart
		units = append(units, f.Unit)
	}
	// The file named is left out of the folder's walk, and found where
	// it was named.
	want := []Unit{
		{Path: "r/sub/notes.md", Walked: true},
		{Path: "r/fsar_a.md", Twin: "r/fsar_a.json"},
	}
	if diff := cmp.Diff(want, units); diff != "" {
		t.Errorf("units (-want +got):\n%s", diff)
	}
	wantProblems := []string{
		"r/fsar_link.md: symbolic link: a symbolic link at a git revision is not followed",
		"r/nothing: at the git revision: file does not exist",
	}
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	res := Unit{Path: "r/fsar_a.md", Twin: "r/fsar_a.json", FS: snap}.Read(Limits{}, nil)
	if len(res.Errs) != 0 || res.Report == nil || res.Report.ID == "" {
		t.Errorf("read from the snapshot: %+v", res)
	}
}
