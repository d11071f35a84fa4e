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
	for spec, want := range map[string]string{"env:NONE": "empty or not set", "fd:x": "expected fd:N", "fd:1": "other than standard input", "/nonexistent/k.pem": "no such file", t.TempDir(): "not a regular file"} {
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

// TestEachRefusesCollisions: two reports whose attestations would share a
// file are an error, never one attestation overwriting the other.
func TestEachRefusesCollisions(t *testing.T) {
	res := judge(t, proposals("pass", "fsar_proposal_hand-written.yaml"))
	twin := res.Reports[0]
	twin.File = "../" + twin.File
	res.Reports = append(res.Reports, twin)
	o := testOptions
	o.Name = func(f string) string { return strings.TrimPrefix(filepath.ToSlash(f), "../../") }
	if _, err := (Attester{Options: o}).Each(t.Context(), res); err == nil || !strings.Contains(err.Error(), "would both be") {
		t.Errorf("err %v", err)
	}
}
