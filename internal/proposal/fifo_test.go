//go:build linux || darwin

package proposal

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNamedPipesRefused: a named pipe is never read — reading one waits
// for a writer forever. Named directly it is a read error; found in a
// folder (directly, or behind a link) it is a walk error. (Issue 12,
// defect 7.)
func TestNamedPipesRefused(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"fsar_ok.md": generated})
	fifo := filepath.Join(dir, "fsar_pipe.md")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := ReadFile(fifo, Limits{})
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("ReadFile(fifo) = %v", err)
		}
		_, err = readFileSlow(fifo, Limits{})
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("readFileSlow(fifo) = %v", err)
		}
		units, errs := Discover([]string{dir})
		if len(units) != 1 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "fsar_pipe.md: not a regular file") {
			t.Errorf("Discover: %v %v", units, errs)
		}
		res := Unit{Path: fifo}.Read(Limits{}, nil)
		if len(res.Errs) != 1 || res.Report != nil {
			t.Errorf("Read: %+v", res)
		}
		// Behind a link in another folder.
		other := t.TempDir()
		if err := os.Symlink(fifo, filepath.Join(other, "fsar_link.md")); err != nil {
			t.Error(err)
			return
		}
		if units, errs := Discover([]string{other}); len(units) != 0 || len(errs) != 1 {
			t.Errorf("Discover(link): %v %v", units, errs)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("reading a named pipe is still waiting after 30 s")
	}
}
