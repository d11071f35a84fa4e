package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/iostreams"
	"github.com/fsar-gate/fsar/internal/report"
)

const testNow = "2026-11-25T12:00:00Z"

// runFsar runs fsar in-process with env as its whole environment.
func runFsar(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	streams, _, out, errOut := iostreams.Test()
	f := &Factory{
		IO:     streams,
		Now:    func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) },
		Getenv: func(k string) string { return env[k] },
	}
	code = Run(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

// testRoot is the repository's root, found before any test changes the
// working folder.
var testRoot, _ = filepath.Abs(filepath.Join("..", ".."))

func repoRoot(t *testing.T) string {
	t.Helper()
	if testRoot == "" {
		t.Fatal("no repository root")
	}
	return testRoot
}

// actionsEnv is the environment of a GitHub Actions step, with the
// repository checked out at the repository's root.
func actionsEnv(t *testing.T, summary string) map[string]string {
	return map[string]string{
		"GITHUB_SERVER_URL":   "https://github.com",
		"GITHUB_REPOSITORY":   "fsar-gate/fsar",
		"GITHUB_SHA":          "0123456789abcdef0123456789abcdef01234567",
		"GITHUB_RUN_ID":       "99",
		"GITHUB_WORKSPACE":    repoRoot(t),
		"GITHUB_STEP_SUMMARY": summary,
	}
}

func TestOutputFilesAreTheFormats(t *testing.T) {
	dir := t.TempDir()
	review := filepath.Join(repoRoot(t), "proposals", "review")
	args := []string{"check", "--now", testNow}
	ext := map[string]string{"json": "json", "sarif": "sarif", "junit": "xml", "markdown": "md", "github": "log", "text": "txt"}
	for _, name := range report.Names() {
		args = append(args, "--output", name+"="+filepath.Join(dir, "out."+ext[name]))
	}
	code, stdout, stderr := runFsar(t, nil, append(args, review)...)
	if code != ExitFail || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "REVIEW: 3 reports") {
		t.Errorf("standard output is not the text format: %q", stdout)
	}
	for _, name := range report.Names() {
		code, want, _ := runFsar(t, nil, "check", "--now", testNow, "--format", name, review)
		if code != ExitFail {
			t.Errorf("--format %s: exit %d", name, code)
		}
		got, err := os.ReadFile(filepath.Join(dir, "out."+ext[name]))
		if err != nil {
			t.Fatal(err)
		}
		if name == "markdown" {
			// The markdown written beside the JSON file names it as the full result.
			want = strings.Replace(want, "the output of `fsar check --format json`", "`"+filepath.Join(dir, "out.json")+"`", 1)
		}
		if string(got) != want {
			t.Errorf("--output %s= differs from --format %s", name, name)
		}
	}
}

func TestOutputUsageErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(repoRoot(t), "proposals", "pass")
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--output", "json"}, nil, "expected FORMAT=PATH"},
		{[]string{"--output", "=x.json"}, nil, "expected FORMAT=PATH"},
		{[]string{"--output", "yaml=x.yaml"}, nil, `unknown format "yaml"`},
		{[]string{"--output", "json=" + dir + "/a", "--output", "sarif=" + dir + "/./a"}, nil, "already the json output"},
		{[]string{"--summary"}, nil, "GITHUB_STEP_SUMMARY is not set"},
	} {
		code, stdout, stderr := runFsar(t, tc.env, append(append([]string{"check", "--now", testNow}, tc.args...), p)...)
		if code != ExitError || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a usage error wrote files: %v", entries)
	}
}

func TestOutputUnwritable(t *testing.T) {
	p := filepath.Join(repoRoot(t), "proposals", "pass")
	code, stdout, stderr := runFsar(t, nil, "check", "--now", testNow, "--output", "json="+filepath.Join(t.TempDir(), "no", "such", "dir.json"), p)
	if code != ExitError || !strings.Contains(stdout, "PASS: 2 reports") || !strings.Contains(stderr, "--output json=") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestJobSummary(t *testing.T) {
	t.Chdir(repoRoot(t))
	summary := filepath.Join(t.TempDir(), "step_summary.md")
	if err := os.WriteFile(summary, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := actionsEnv(t, summary)
	code, _, stderr := runFsar(t, env, "check", "--now", testNow, "proposals/review")
	if code != ExitFail || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	_, md, _ := runFsar(t, env, "check", "--now", testNow, "--format", "markdown", "--summary=false", "proposals/review")
	got, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	if want := "earlier step\n\n" + md; string(got) != want {
		t.Fatalf("summary:\n%s\nwant:\n%s", got, want)
	}
	for _, link := range []string{
		"](https://github.com/fsar-gate/fsar/blob/0123456789abcdef0123456789abcdef01234567/proposals/review/fsar_proposal_irreversible.md?plain=1#L6)",
		"`proposals/review/fsar_proposal_irreversible.md`",
	} {
		if !strings.Contains(md, link) {
			t.Errorf("the summary has no %s", link)
		}
	}
	// On a pull request the links go to the head commit, not to the
	// merge commit in GITHUB_SHA.
	event := filepath.Join(t.TempDir(), "event.json")
	head := strings.Repeat("fe", 20)
	if err := os.WriteFile(event, []byte(`{"number": 7, "pull_request": {"number": 7, "head": {"sha": "`+head+`"}, "base": {"ref": "main", "sha": "`+strings.Repeat("0", 40)+`"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	prEnv := map[string]string{"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event}
	for k, v := range env {
		prEnv[k] = v
	}
	_, prMD, _ := runFsar(t, prEnv, "check", "--now", testNow, "--format", "markdown", "--summary=false", "proposals/review")
	if !strings.Contains(prMD, "/blob/"+head+"/proposals/review/") || strings.Contains(prMD, "/blob/0123456789abcdef") {
		t.Errorf("on a pull request the links do not go to the head commit:\n%s", prMD)
	}
	// On pull_request_target the checkout is the base branch: GITHUB_SHA.
	prEnv["GITHUB_EVENT_NAME"] = "pull_request_target"
	_, targetMD, _ := runFsar(t, prEnv, "check", "--now", testNow, "--format", "markdown", "--summary=false", "proposals/review")
	if !strings.Contains(targetMD, "/blob/0123456789abcdef0123456789abcdef01234567/proposals/review/") {
		t.Errorf("on pull_request_target the links do not go to GITHUB_SHA:\n%s", targetMD)
	}
	// --summary=false turns the default off.
	runFsar(t, env, "check", "--now", testNow, "--summary=false", "proposals/review")
	if again, _ := os.ReadFile(summary); !bytes.Equal(again, got) {
		t.Error("--summary=false appended to the job summary")
	}
	// A second run appends again.
	runFsar(t, env, "check", "--now", testNow, "proposals/review")
	if again, _ := os.ReadFile(summary); string(again) != string(got)+"\n"+md {
		t.Error("a second run did not append its verdict")
	}
}

func TestJobSummaryUnderLimit(t *testing.T) {
	t.Chdir(repoRoot(t))
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		room    int
		written bool
	}{
		{"room for a cut verdict", 6000, true},
		{"no room", 1000, false},
		{"exactly full", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			summary := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			before := bytes.Repeat([]byte("x"), actions.SummaryLimit-tc.room)
			if err := os.WriteFile(summary, before, 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := runFsar(t, actionsEnv(t, summary), "check", "--now", testNow, "--output", "json="+filepath.Join(dir, "full.json"), "proposals")
			if code != ExitFail {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got, err := os.ReadFile(summary)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) > actions.SummaryLimit {
				t.Fatalf("the summary is %d bytes, over GitHub's %d", len(got), actions.SummaryLimit)
			}
			if !tc.written {
				if !bytes.Equal(got, before) || !strings.Contains(stderr, "job summary not written") {
					t.Errorf("with %d bytes of room: summary changed (%d bytes), stderr %q", tc.room, len(got), stderr)
				}
				return
			}
			added := string(got[len(before):])
			lines := strings.Split(strings.TrimSuffix(added, "\n"), "\n")
			if !strings.HasPrefix(lines[2], "## ⛔ fsar: BLOCK") || !strings.HasPrefix(lines[len(lines)-1], "**Not shown: ") ||
				!strings.Contains(lines[len(lines)-1], "full.json`") {
				t.Errorf("cut verdict:\n%s", added)
			}
		})
	}
}
