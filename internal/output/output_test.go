package output

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fsar-gate/fsar/internal/actions"
)

func valid(format string) error { return nil }

// TestNoOutputOverAnInput: an --output path that is a report the command
// reads — named, or found in a folder or by a glob it reads — is refused
// before anything runs; one beside the inputs is fine. (Issue 12, defect
// 9: --output json=dir/fsar_x.md replaced the report, exit 0.)
func TestNoOutputOverAnInput(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, name := range []string{"reports/fsar_x.md", "reports/sub/fsar_y.json", "other/fsar_z.md"} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte("# FSAR Proposal Report\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := &actions.Env{}
	for _, tc := range []struct {
		inputs []string
		output string
		want   string
	}{
		{[]string{"reports"}, "json=reports/fsar_x.md", "under reports"},
		{[]string{"reports"}, "json=./reports/sub/../sub/fsar_y.json", "under reports"},
		{[]string{"reports/fsar_x.md"}, "markdown=" + filepath.Join(dir, "reports", "fsar_x.md"), "under reports/fsar_x.md"},
		{[]string{"reports/*"}, "json=reports/sub/fsar_y.json", "under reports/*"},
		{[]string{"other", "reports"}, "json=reports/fsar_x.md", "under reports"},
	} {
		_, err := NewPlan(Flags{Format: "text", Outputs: []string{tc.output}, Inputs: tc.inputs}, valid, "json=x.json", env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v, --output %s: err = %v, want one naming %q", tc.inputs, tc.output, err, tc.want)
		}
	}
	for _, out := range []string{"json=reports/new.json", "sarif=reports/fsar.sarif", "json=other/fsar_z.md", "json=out.json"} {
		if _, err := NewPlan(Flags{Format: "text", Outputs: []string{out}, Inputs: []string{"reports"}}, valid, "json=x.json", env); err != nil {
			t.Errorf("--output %s: %v", out, err)
		}
	}
}

// TestOutputsWrittenWhole: an output file is replaced whole (a temporary
// file renamed over it), never written through a link, and no temporary
// file is left behind.
func TestOutputsWrittenWhole(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.txt")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.json")
	if err := os.Symlink(target, out); err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(Flags{Format: "text", Outputs: []string{"json=" + out}}, valid, "json=x.json", &actions.Env{})
	if err != nil {
		t.Fatal(err)
	}
	render := func(w io.Writer, format string) error { _, err := io.WriteString(w, format+" result"); return err }
	if err := p.Write(io.Discard, render, nil, nil, func(string) {}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != "json result" {
		t.Errorf("out.json = %q", b)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target was written: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files left: %v", entries)
	}
}

// TestWriteTreeStaysInside: files are written under the folder, in
// subfolders made for them; a name that would leave it is refused.
func TestWriteTreeStaysInside(t *testing.T) {
	dir := t.TempDir()
	err := WriteTree(filepath.Join(dir, "att"), map[string][]byte{
		"a/b.jsonl":      []byte("one\n"),
		"../escape":      []byte("no"),
		"/abs":           []byte("no"),
		"c.jsonl":        []byte("two\n"),
		"a/../../escape": []byte("no"),
	})
	if err == nil || !strings.Contains(err.Error(), "../escape: a path outside") || !strings.Contains(err.Error(), "/abs: a path outside") {
		t.Fatalf("err %v", err)
	}
	for name, want := range map[string]string{"att/a/b.jsonl": "one\n", "att/c.jsonl": "two\n"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != want {
			t.Errorf("%s: %v %q", name, err, b)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "escape")); err == nil {
		t.Error("a file was written outside the folder")
	}
}
