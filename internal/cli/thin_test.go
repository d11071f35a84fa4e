package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxCLILines is internal/cli's budget of non-test Go: help, flags and
// their checks. What a command does belongs in internal/app or below.
const maxCLILines = 1300

func TestCLIStaysThin(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines += bytes.Count(b, []byte("\n"))
	}
	if lines == 0 || lines > maxCLILines {
		t.Errorf("internal/cli holds %d lines of non-test Go, want 1 to %d: move the work of a command into internal/app", lines, maxCLILines)
	}
}
