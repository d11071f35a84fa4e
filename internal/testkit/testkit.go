// Package testkit holds helpers that the tests of several packages share:
// golden files, a reader of inline markdown that tells code spans from the
// text around them, and a buffer safe for concurrent writes. It is
// imported by tests only.
package testkit

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files the tests compare with")

// Golden compares got with the golden file at path. With -update it
// writes got there instead (creating the folder), for review in the diff.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run the test with -update and review the diff), -want +got:\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// GoldenSection is Golden for the lines of the file at path between the
// line begin and the line end (both kept): a generated part of a
// hand-written file, such as a table in a README. With -update it
// rewrites that part.
func GoldenSection(t testing.TB, path, begin, end string, got []byte) {
	t.Helper()
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(file)
	i := strings.Index(text, begin+"\n")
	j := strings.Index(text, "\n"+end+"\n")
	if i < 0 || j < i {
		t.Fatalf("%s: no lines %q and %q around the generated part", path, begin, end)
	}
	start := i + len(begin) + 1
	want := text[start : j+1]
	if *update {
		if err := os.WriteFile(path, []byte(text[:start]+string(got)+text[j+1:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != string(got) {
		t.Errorf("%s: the part between %q and %q differs (run the test with -update and review the diff), -want +got:\n%s",
			path, begin, end, cmp.Diff(want, string(got)))
	}
}

// MarkdownSpans splits one line of markdown into its code spans and the text
// outside them, as CommonMark reads inline code: a backslash escapes the
// next ASCII punctuation outside spans; a run of n backticks opens a span
// that the next run of exactly n backticks closes; an unclosed run is
// literal text. In the outside text, each code span is written as NUL and
// each backslash-escaped character as \x01, so that what is left is what
// a markdown reader could take as markup.
func MarkdownSpans(line string) (spans []string, outside string) {
	var out strings.Builder
	for i := 0; i < len(line); {
		c := line[i]
		if c == '\\' && i+1 < len(line) && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", line[i+1]) >= 0 {
			out.WriteByte(1)
			i += 2
			continue
		}
		if c != '`' {
			out.WriteByte(c)
			i++
			continue
		}
		n := 0
		for i+n < len(line) && line[i+n] == '`' {
			n++
		}
		closeAt := -1
		for j := i + n; j < len(line); {
			if line[j] != '`' {
				j++
				continue
			}
			m := 0
			for j+m < len(line) && line[j+m] == '`' {
				m++
			}
			if m == n {
				closeAt = j
				break
			}
			j += m
		}
		if closeAt < 0 {
			out.WriteString(line[i : i+n])
			i += n
			continue
		}
		content := line[i+n : closeAt]
		if len(content) >= 2 && content[0] == ' ' && content[len(content)-1] == ' ' && strings.Trim(content, " ") != "" {
			content = content[1 : len(content)-1]
		}
		spans = append(spans, content)
		out.WriteString("\x00") // where a span was
		i = closeAt + n
	}
	return spans, out.String()
}

// WorkflowData undoes the escaping of a workflow command's data, as the
// GitHub Actions runner does.
func WorkflowData(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(s)
}

// WorkflowProperty undoes the escaping of a workflow command's property
// value, as the GitHub Actions runner does.
func WorkflowProperty(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace(s)
}

// SyncBuffer is a buffer that goroutines may write to while a test reads
// it: a terminal, a log.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
