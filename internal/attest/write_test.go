package attest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileName(t *testing.T) {
	for in, want := range map[string]string{
		"audit/reports/a.md": "audit/reports/a.md.intoto.jsonl",
		"/abs/a.md":          "abs/a.md.intoto.jsonl",
		"../../up/a.md":      "up/a.md.intoto.jsonl",
		"-":                  "stdin.intoto.jsonl",
	} {
		if got := FileName(in); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReadKey: a key from a file, an environment variable or an open file
// descriptor, never from the command line itself.
func TestReadKey(t *testing.T) {
	pemKey := ecdsaKey(t).PublicPEM()
	path := filepath.Join(t.TempDir(), "k.pem")
	if err := os.WriteFile(path, pemKey, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"FSAR_KEY": string(pemKey)}
	for _, spec := range []string{path, "env:FSAR_KEY", fmt.Sprintf("fd:%d", f.Fd())} {
		got, err := ReadKey(spec, func(k string) string { return env[k] })
		if err != nil || !bytes.Equal(got, pemKey) {
			t.Errorf("%s: %v %q", spec, err, got)
		}
	}
	for spec, want := range map[string]string{"env:NONE": "empty or not set", "fd:x": "expected fd:N", "/nonexistent/k.pem": "no such file"} {
		if _, err := ReadKey(spec, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", spec, err, want)
		}
	}
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, make([]byte, 65<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadKey(big, nil); err == nil || !strings.Contains(err.Error(), "larger than 64 KiB") {
		t.Errorf("big key: %v", err)
	}
}
