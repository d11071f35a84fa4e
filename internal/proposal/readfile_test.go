package proposal

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFile: the fast file reader gives exactly the reports and the
// errors the standard library's reading gives.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	md := "<!-- SYNOPSIS: FSAR Proposal Report -->\n\n# FSAR Proposal Report\n- id: fsar_aaaaaaaa-0000-4000-8000-000000000001\n" +
		"- timestamp: 2026-01-02T10:00:00.000Z\n- severity: 6\n- block_execution: false\n- proposal:\n\nidea_implementation: x\n\n" +
		"## Risks\n- Slow failure: drift\n\n## Mitigations\n- Review: monthly"
	js := `{"id": "fsar_aaaaaaaa-0000-4000-8000-000000000001", "timestamp": "2026-01-02T10:00:00.000Z", "proposal": "idea_implementation: x",` +
		` "severity": 6, "risks": ["Slow failure: drift"], "mitigations": ["Review: monthly"], "block_execution": false}`
	for name, body := range map[string]string{
		"a.md": md, "a.json": js, "a.yaml": "id: x\nseverity: 6\n",
		"broken.md": "# FSAR Proposal Report\n- severity: high\n", "broken.json": `{"id": `,
		"empty.md": "", "readme.md": "# notes\n", "crlf.md": strings.ReplaceAll(md, "\n", "\r\n"),
		"bom.md": "\ufeff" + md, "nul.md": md + "\x00",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
			want, wantErr := readFileSlow(path, Limits{MaxBytes: maxBytes})
			got, gotErr := ReadFile(path, Limits{MaxBytes: maxBytes})
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

func docText(t *testing.T, r *Report) string {
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
