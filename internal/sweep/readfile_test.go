package sweep

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fsar-gate/fsar/internal/proposal"
)

// TestReadFile: the sweep's file reader gives exactly the reports and the
// errors proposal.ReadFile gives.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	f := canned("fsar_aaaaaaaa-0000-4000-8000-000000000001", "2026-01-02T10:00:00.000Z", "idea_implementation: x", "6")
	writeFiles(t, dir, map[string]string{
		"a.md": f.md(), "a.json": f.json(), "a.yaml": "id: x\nseverity: 6\n",
		"broken.md": "# FSAR Proposal Report\n- severity: high\n", "broken.json": `{"id": `,
		"empty.md": "", "readme.md": "# notes\n", "crlf.md": strings.ReplaceAll(f.md(), "\n", "\r\n"),
		"bom.md": "\ufeff" + f.md(), "nul.md": f.md() + "\x00",
	})
	if err := os.Symlink("a.md", filepath.Join(dir, "link.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "folder.md"), 0o755); err != nil {
		t.Fatal(err)
	}
	names := []string{"a.md", "a.json", "a.yaml", "broken.md", "broken.json", "empty.md", "readme.md", "crlf.md", "bom.md", "nul.md", "link.md", "folder.md", "missing.md"}
	for _, maxBytes := range []int64{0, 64} {
		for _, name := range names {
			path := filepath.Join(dir, name)
			want, wantErr := proposal.ReadFile(path, maxBytes)
			got, gotErr := readFile(path, maxBytes)
			if errText(gotErr) != errText(wantErr) {
				t.Errorf("%s (max %d): error %q, want %q", name, maxBytes, errText(gotErr), errText(wantErr))
			}
			if docText(t, got) != docText(t, want) {
				t.Errorf("%s (max %d): report\n%s\nwant\n%s", name, maxBytes, docText(t, got), docText(t, want))
			}
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func docText(t *testing.T, r *proposal.Report) string {
	t.Helper()
	if r == nil {
		return "<nil>"
	}
	b, err := json.Marshal(r.Doc(true))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
