package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fsar-gate/fsar/internal/iostreams"
)

// run runs fsar in-process with the given terminal state.
func run(t *testing.T, tty bool, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	io, _, out, errOut := iostreams.Test()
	io.OutTTY, io.ErrTTY = tty, tty
	_, io.NoColor = env["NO_COLOR"]
	f := &Factory{IO: io, Now: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) },
		Getenv: func(k string) string { return env[k] }}
	code := Run(t.Context(), f, args)
	return out.String(), errOut.String(), code
}

// TestColourOnlyOnATerminal: people get colour, pipes get plain text.
func TestColourOnlyOnATerminal(t *testing.T) {
	report := filepath.Join("..", "..", "proposals", "warn", "fsar_proposal_id-format.md")
	out, _, code := run(t, true, nil, "check", report)
	if code != ExitOK || !strings.Contains(out, "\x1b[") {
		t.Errorf("on a terminal: exit %d, no colour in %q", code, out)
	}
	for name, env := range map[string]map[string]string{"pipe": nil, "NO_COLOR": {"NO_COLOR": "1"}} {
		tty := name != "pipe"
		out, _, code := run(t, tty, env, "check", report)
		if code != ExitOK || strings.Contains(out, "\x1b") {
			t.Errorf("%s: exit %d, escape codes in %q", name, code, out)
		}
	}
}

// TestNowFromTheFactory: without --now, the run's time is the factory's
// clock, pinned for the whole run.
func TestNowFromTheFactory(t *testing.T) {
	report := filepath.Join("..", "..", "proposals", "pass", "fsar_proposal_cache-policy-bundle.md")
	out, _, code := run(t, false, nil, "check", "--format", "json", report)
	if code != ExitOK || !strings.Contains(out, `"now": "2026-11-25T12:00:00Z"`) {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestParseEscapesNames: fsar parse names files on standard error as check
// does, escaped: a name holding a line break, a workflow command, a
// terminal escape or an OSC 52 clipboard write reaches neither the log nor
// the terminal as itself. (Issue 12, defect 10.)
func TestParseEscapesNames(t *testing.T) {
	dir := t.TempDir()
	names := []string{"fsar_\n::error::forged.md", "fsar_\x1b[2J.md", "fsar_\x1b]52;c;cHduZWQ=\x07.md", "x_##[error]y.md"}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("# FSAR Proposal Report\n- severity: high\n"), 0o644); err != nil {
			t.Skipf("this file system refuses the name %q: %v", n, err)
		}
	}
	_, errOut, code := run(t, false, nil, "parse", dir)
	if code != ExitError {
		t.Fatalf("exit %d", code)
	}
	for _, bad := range []string{"\n::error", "\x1b", "\x07", "##[error]"} {
		if strings.Contains(errOut, bad) {
			t.Errorf("stderr holds %q:\n%s", bad, errOut)
		}
	}
	if !strings.Contains(errOut, `fsar_\n::error::forged.md`) || strings.Count(errOut, "\n") != len(names) {
		t.Errorf("stderr, one escaped line per file:\n%s", errOut)
	}
}
