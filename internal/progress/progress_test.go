package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/fsar-gate/fsar/internal/testkit"
)

func TestLine(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := New(&bytes.Buffer{}, "sweeping", func() time.Time { return clock })
	for range 500 {
		p.Found()
	}
	for range 100 {
		p.Judged()
	}
	clock = clock.Add(2 * time.Second)
	if got, want := p.Line(), "sweeping: 100 of 500+ reports, 50 reports/s, time left: counting"; got != want {
		t.Errorf("while walking: %q, want %q", got, want)
	}
	p.Walked()
	if got, want := p.Line(), "sweeping: 100 of 500 reports, 50 reports/s, 8s left"; got != want {
		t.Errorf("after the walk: %q, want %q", got, want)
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %s, want %s", n, got, want)
		}
	}
}

// TestShown: a run shorter than the delay shows nothing; a longer one
// shows the display, and a line printed through Writer erases it first.
func TestShown(t *testing.T) {
	var term testkit.SyncBuffer
	p := New(&term, "checking", nil)
	p.Start(time.Hour, time.Millisecond)
	p.Stop()
	if term.String() != "" {
		t.Errorf("a short run showed %q", term.String())
	}

	p = New(&term, "checking", nil)
	out := p.Writer(&term)
	p.Start(0, time.Millisecond)
	for !strings.Contains(term.String(), "checking: ") {
		time.Sleep(time.Millisecond)
	}
	p.Stop()
	p.Start(0, time.Hour)
	for !strings.HasSuffix(term.String(), "\x1b[K") {
		time.Sleep(time.Millisecond)
	}
	if _, err := out.Write([]byte("BLOCK x.md\n")); err != nil {
		t.Fatal(err)
	}
	p.Stop()
	s := term.String()
	if !strings.HasPrefix(s, "\rchecking: ") || !strings.Contains(s, "\x1b[K\r\x1b[KBLOCK x.md\n") || strings.HasSuffix(s, "BLOCK x.md\n\r\x1b[K") {
		t.Errorf("terminal %q: the line printed does not erase the display first, or Stop erased a display no longer shown", s)
	}
}
