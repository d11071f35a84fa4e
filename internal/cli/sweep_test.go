package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sweepFolder(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "reports")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("..", "..", "proposals", "pass", "fsar_proposal_cache-policy-bundle.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fsar_proposal_x.md"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestShortRunNoProgress: progress goes to a terminal's standard error
// only, and only for runs longer than a second (internal/progress tests
// the display itself): a short sweep or check shows none.
func TestShortRunNoProgress(t *testing.T) {
	dir := sweepFolder(t)
	for _, tty := range []bool{false, true} {
		for _, args := range [][]string{{"sweep", "--fail-on", "never"}, {"check"}} {
			_, errOut, code := run(t, tty, nil, append(args, "--now", "2026-01-03T00:00:00Z", dir)...)
			if code != 0 || errOut != "" {
				t.Errorf("%s, terminal %v: status %d, stderr %q; want 0 and nothing", args[0], tty, code, errOut)
			}
		}
	}
}

// TestSweepJobSummary: in GitHub Actions the markdown summary is appended
// to the job summary, unless --summary=false.
func TestSweepJobSummary(t *testing.T) {
	dir := sweepFolder(t)
	summary := filepath.Join(t.TempDir(), "summary.md")
	if err := os.WriteFile(summary, []byte("# before\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GITHUB_STEP_SUMMARY": summary}
	if _, errOut, code := run(t, false, env, "sweep", "--fail-on", "never", dir); code != 0 {
		t.Fatalf("status %d: %s", code, errOut)
	}
	b, _ := os.ReadFile(summary)
	if !strings.HasPrefix(string(b), "# before\n\n<!-- fsar-sweep-tracking-issue paths=") || !strings.Contains(string(b), "## FSAR policy sweep: ") {
		t.Errorf("job summary:\n%s", b)
	}
	if _, _, code := run(t, false, env, "sweep", "--summary=false", "--fail-on", "never", dir); code != 0 {
		t.Fatal(code)
	}
	if again, _ := os.ReadFile(summary); string(again) != string(b) {
		t.Error("--summary=false appended to the job summary")
	}
	_, errOut, code := run(t, false, nil, "sweep", "--summary", dir)
	if code != 2 || !strings.Contains(errOut, "GITHUB_STEP_SUMMARY is not set") {
		t.Errorf("--summary outside Actions: %d %q", code, errOut)
	}
	_, errOut, code = run(t, false, nil, "sweep", "--output", "json=x.json", "--output", "html=./x.json", dir)
	if code != 2 || !strings.Contains(errOut, "x.json is already the json output") {
		t.Errorf("two outputs to one file: %d %q", code, errOut)
	}
}

// TestSweepPublishFlagsOnlyWhenPublishing: the tracking issue's flags are
// checked when the sweep publishes, not otherwise.
func TestSweepPublishFlagsOnlyWhenPublishing(t *testing.T) {
	dir := sweepFolder(t)
	if _, errOut, code := run(t, false, nil, "sweep", "--repo", "bad repo", "--fail-on", "never", dir); code != 0 {
		t.Errorf("without --publish: status %d, %s", code, errOut)
	}
	if _, errOut, code := run(t, false, nil, "sweep", "--publish", "issue", "--repo", "bad repo", dir); code != 2 || !strings.Contains(errOut, "--repo") {
		t.Errorf("with --publish: status %d, %s", code, errOut)
	}
}
