package actiontest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestActionsPinned: every third-party action the workflows, the examples
// and this project's actions use is pinned to a full commit id, with its
// version in a comment. Local actions (./) and this project's own
// (fsar-gate/fsar, which has no release to pin yet in its examples) are
// the exceptions.
func TestActionsPinned(t *testing.T) {
	uses := regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)
	pinned := regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$`)
	comment := regexp.MustCompile(`^\s+# v[0-9]+\.[0-9]+\.[0-9]+\b`)
	var files []string
	for _, glob := range []string{".github/workflows/*.yml", ".github/examples/*.yml", "action.yml", "install/action.yml"} {
		m, err := filepath.Glob(filepath.Join(root, glob))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 8 {
		t.Fatalf("found only %d workflow and action files: %q", len(files), files)
	}
	count := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			m := uses.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			ref := strings.Trim(m[1], `"'`)
			if strings.HasPrefix(ref, "./") || strings.HasPrefix(ref, "fsar-gate/fsar@") || strings.HasPrefix(ref, "fsar-gate/fsar/") {
				continue
			}
			count++
			if !pinned.MatchString(ref) || !comment.MatchString(m[2]) {
				t.Errorf("%s:%d: %s is not pinned to a full commit id with its version in a comment (# vX.Y.Z)", f, i+1, ref)
			}
		}
	}
	if count == 0 {
		t.Error("no third-party action found: is the pattern still right?")
	}
}
