package gitfs

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func run(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTake: the base revision's files, not the working tree's; paths
// relative to a subfolder; absent paths absent; links not followed.
func TestTake(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	write(t, dir, "policy/gate.rego", "package fsar.gate # base\n")
	write(t, dir, "policy/lib/x.rego", "package fsar.lib.x\n")
	write(t, dir, ".fsar.yaml", "block_threshold: 45\n")
	write(t, dir, "sub/policy/inner.rego", "package fsar.inner\n")
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "policy", "link.rego")); err != nil {
		t.Fatal(err)
	}
	run(t, dir, "add", "-A")
	run(t, dir, "commit", "-q", "-m", "base")
	base := run(t, dir, "rev-parse", "HEAD")
	run(t, dir, "checkout", "-q", "-b", "pr")
	write(t, dir, "policy/gate.rego", "package fsar.gate # weakened by the PR\n")
	write(t, dir, "policy/added.rego", "package fsar.added\n")
	write(t, dir, ".fsar.yaml", "block_threshold: 75\n")
	run(t, dir, "add", "-A")
	run(t, dir, "commit", "-q", "-m", "pr")

	snap, err := Take(t.Context(), dir, "main", []string{"policy", "./.fsar.yaml", "missing"})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Commit != base {
		t.Errorf("commit %s, want %s", snap.Commit, base)
	}
	got := map[string]string{}
	err = fs.WalkDir(snap.FS, ".", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil || d.IsDir():
		case d.Type()&fs.ModeSymlink != 0:
			got[p] = "<a link, not followed>"
		default:
			b, _ := fs.ReadFile(snap.FS, p)
			got[p] = string(b)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"policy/gate.rego":  "package fsar.gate # base\n",
		"policy/lib/x.rego": "package fsar.lib.x\n",
		".fsar.yaml":        "block_threshold: 45\n",
		"policy/link.rego":  "<a link, not followed>",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}

	// From a subfolder, paths are relative to it.
	snap, err = Take(t.Context(), filepath.Join(dir, "sub"), "main", []string{"policy"})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := fs.ReadFile(snap.FS, "policy/inner.rego"); err != nil || string(b) != "package fsar.inner\n" {
		t.Errorf("subfolder: %q %v", b, err)
	}

	changed, err := Changed(t.Context(), dir, "main", []string{"policy", ".fsar.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{".fsar.yaml", "policy/added.rego", "policy/gate.rego"}, changed); diff != "" {
		t.Errorf("changed (-want +got):\n%s", diff)
	}

	for _, bad := range []string{"", "--output=/tmp/x", "nope", "main\n"} {
		if _, err := Take(t.Context(), dir, bad, []string{"policy"}); err == nil {
			t.Errorf("Take(%q) succeeded", bad)
		}
	}
}

// TestTakeManyPaths: thousands of paths (a result naming every report)
// are filtered here, not passed on git's command line.
func TestTakeManyPaths(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q")
	for _, f := range []string{"r/a.md", "r/b.md", "r/sub/c.md", "other/d.md"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run("add", "-A")
	run("commit", "-q", "-m", "x")
	paths := []string{"r/a.md", "r/sub"}
	for i := range 70000 {
		paths = append(paths, fmt.Sprintf("r/missing-%06d-with-a-long-name-to-fill-the-command-line.md", i))
	}
	snap, err := Take(context.Background(), dir, "HEAD", paths)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	_ = fs.WalkDir(snap.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			got = append(got, p)
		}
		return nil
	})
	if want := []string{"r/a.md", "r/sub/c.md"}; !slices.Equal(got, want) {
		t.Errorf("snapshot %v, want %v", got, want)
	}
}
