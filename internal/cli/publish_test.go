package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/github"
	"github.com/fsar-gate/fsar/internal/github/fakegh"
	"github.com/fsar-gate/fsar/internal/iostreams"
	"github.com/fsar-gate/fsar/internal/policy"
)

const publishToken = "ghs_CliTestTOKEN0123456789abcdefABCDEF"

// pubOther is a commit the pull request moves to, never judged.
var pubOther = strings.Repeat("2", 40)

// pubCommit commits files (repository path: proposal under proposals/) in
// the git repository of dir, made when needed, and returns the commit:
// fsar publish judges the result's reports again from git objects. The
// test's working folder becomes dir.
func pubCommit(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	t.Chdir(dir)
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if _, err := os.Stat(".git"); err != nil {
		git("init", "-q", "-b", "pr")
	}
	for name, src := range files {
		data, err := os.ReadFile(filepath.Join(repoRoot(t), "proposals", src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name := range files {
		git("add", "--", name)
	}
	git("commit", "-q", "-m", "reports")
	return git("rev-parse", "HEAD")
}

// runWith runs fsar in-process with env as its whole environment.
func runWith(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	streams, _, out, errOut := iostreams.Test()
	f := &Factory{
		IO:     streams,
		Now:    func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) },
		Getenv: func(k string) string { return env[k] },
	}
	code := Run(context.Background(), f, args)
	if strings.Contains(out.String()+errOut.String(), publishToken) {
		t.Errorf("the token is in the output:\n%s\n%s", out, errOut)
	}
	return code, out.String(), errOut.String()
}

// pubFake commits a review report, audit/reports/a.md, in a git
// repository in dir, starts a fake GitHub with pull request #7 at that
// commit and returns it with the environment of a workflow_run job
// triggered by a fork's pull request (no pull request listed), writing
// into dir, and the commit.
func pubFake(t *testing.T, dir string, readOnly bool) (*fakegh.Server, map[string]string, string) {
	t.Helper()
	pubHead := pubCommit(t, dir, map[string]string{"audit/reports/a.md": "review/fsar_proposal_severity-review.md"})
	fake, err := fakegh.New(fakegh.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	t.Cleanup(func() {
		for _, v := range fake.Violations() {
			t.Errorf("fake GitHub: %s", v)
		}
	})
	fake.AddToken(publishToken, fakegh.Token{Login: github.ActionsBot, Kind: fakegh.AppToken, ReadOnly: readOnly})
	fake.OpenPR(fakegh.PR{Number: 7, HeadSHA: pubHead, HeadRepo: "contributor/reports"})
	event := filepath.Join(dir, "event.json")
	payload := fmt.Sprintf(`{"workflow_run":{"head_sha":%q,"pull_requests":[],"head_repository":{"full_name":"contributor/reports"}}}`, pubHead)
	if err := os.WriteFile(event, []byte(payload), 0o644); err != nil {
		t.Fatal(err)
	}
	return fake, map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_API_URL":      fake.URL,
		"GITHUB_SERVER_URL":   fake.ServerURL,
		"GITHUB_REPOSITORY":   fake.Repository(),
		"GITHUB_TOKEN":        publishToken,
		"GITHUB_EVENT_NAME":   "workflow_run",
		"GITHUB_EVENT_PATH":   event,
		"GITHUB_SHA":          strings.Repeat("c", 40),
		"GITHUB_RUN_ID":       "42",
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"),
	}, pubHead
}

// writeResult writes a result with one report of the given level (none
// for a pass) for sha.
func writeResult(t *testing.T, dir, sha string, level policy.Level) string {
	t.Helper()
	rep := gate.Report{File: "audit/reports/a.md", Findings: []gate.Finding{}}
	if level != 0 {
		rep.Findings = append(rep.Findings, gate.Finding{Level: level, Rule: "rule", Message: "m", Package: "p",
			Location: gate.Location{File: "audit/reports/a.md", Line: 6}})
		rep.Verdict = map[policy.Level]gate.Verdict{policy.Warn: gate.Warn, policy.Review: gate.Review, policy.Deny: gate.Block}[level]
	}
	res := &gate.Result{Schema: gate.Schema, Reports: []gate.Report{rep},
		DecidedBy: gate.DecidedBy{FSARVersion: "dev", OPAVersion: "1.22.3", PolicyDigest: "sha256:" + strings.Repeat("0", 64)},
		Subject:   &gate.Subject{Repository: "octo-org/reports", PR: 7, SHA: sha, BaseRef: "main"}}
	res.Summarize()
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("result-%s-%s.json", sha[:12], level))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPublishCommand(t *testing.T) {
	dir := t.TempDir()
	fake, env, pubHead := pubFake(t, dir, false)
	result := writeResult(t, dir, pubHead, policy.Review)

	code, _, stderr := runWith(t, env, "publish", "--github-pace", "1ms", result, "audit/reports")
	if code != ExitFail {
		t.Fatalf("exit %d, want %d\n%s", code, ExitFail, stderr)
	}
	if !strings.Contains(stderr, "published comment, check, status to octo-org/reports#7") {
		t.Fatalf("stderr:\n%s", stderr)
	}
	if n := len(fake.Comments(7)); n != 1 {
		t.Fatalf("%d comments", n)
	}
	if st, _ := fake.LatestStatus(pubHead, "fsar"); st.State != "failure" {
		t.Fatalf("status %+v", st)
	}

	// Approved by a maintainer after the push: the exit status follows.
	fake.SetPermission("maint", "maintain")
	fake.Advance(time.Hour)
	fake.Label(7, github.DefaultApprovalLabel, "maint")
	if code, _, stderr = runWith(t, env, "publish", "--github-pace", "1ms", result, "audit/reports"); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if st, _ := fake.LatestStatus(pubHead, "fsar"); st.State != "success" || !strings.Contains(st.Description, "approved by @maint") {
		t.Fatalf("status %+v", st)
	}

	// A push that makes the report block: a block verdict is not
	// approved away, exit 1.
	blockHead := pubCommit(t, dir, map[string]string{"audit/reports/a.md": "block/fsar_proposal_secret.md"})
	fake.Push(7, blockHead, false)
	block := writeResult(t, dir, blockHead, policy.Deny)
	if code, _, stderr = runWith(t, env, "publish", "--github-pace", "1ms", "--sha", blockHead, block, "audit/reports"); code != ExitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if st, _ := fake.LatestStatus(blockHead, "fsar"); st.State != "failure" {
		t.Fatalf("status %+v", st)
	}

	// The head moved on: refused, exit 2, nothing new posted.
	before := len(fake.Statuses(pubHead))
	code, _, stderr = runWith(t, env, "publish", "--github-pace", "1ms", result, "audit/reports")
	if code != ExitError || !strings.Contains(stderr, "refusing to publish: the result is for commit "+pubHead[:12]+", but the head of pull request #7 is now "+blockHead[:12]) {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if len(fake.Statuses(pubHead)) != before {
		t.Fatal("a stale result was posted")
	}
}

func TestPublishCommandReadOnly(t *testing.T) {
	dir := t.TempDir()
	fake, env, _ := pubFake(t, dir, true)
	warnHead := pubCommit(t, dir, map[string]string{"audit/reports/a.md": "warn/fsar_proposal_stale.md"})
	fake.Push(7, warnHead, false)
	result := writeResult(t, dir, warnHead, policy.Warn)
	code, _, stderr := runWith(t, env, "publish", "--github-pace", "1ms", "--sha", warnHead, result, "audit/reports")
	if code != ExitOK {
		t.Fatalf("exit %d, want the verdict's 0\n%s", code, stderr)
	}
	for _, want := range []string{
		"fsar: warning: the verdict was not published to GitHub: comment: the token may not write",
		"fsar: warning: check: the token may not write",
		"::warning file=audit/reports/a.md,line=5,title=fsar warn%3A stale-report",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	summary, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	if err != nil || !strings.Contains(string(summary), "a.md") {
		t.Errorf("job summary: %v\n%s", err, summary)
	}
	if code, _, _ = runWith(t, env, "publish", "--github-pace", "1ms", "--sha", warnHead, "--publish-required", result, "audit/reports"); code != ExitPublish {
		t.Fatalf("--publish-required: exit %d, want %d", code, ExitPublish)
	}
	if len(fake.Comments(7)) != 0 {
		t.Fatal("posted with a read-only token")
	}
}

func TestPublishUsage(t *testing.T) {
	dir := t.TempDir()
	_, env, pubHead := pubFake(t, dir, false)
	result := writeResult(t, dir, pubHead, 0)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"publish"}, "publish needs a RESULT.json"},
		{[]string{"publish", result}, "publish needs the report folders to judge again (PATH...)"},
		{[]string{"publish", "--publish", "comment,bogus", result, "audit/reports"}, `unknown posting mode "bogus"`},
		{[]string{"publish", "--publish", "", result, "audit/reports"}, "name at least one"},
		{[]string{"publish", "--sha", "HEAD", result, "audit/reports"}, `--sha "HEAD"`},
		{[]string{"publish", "--repo", "a/b/c", result, "audit/reports"}, "--repo"},
		{[]string{"publish", "--api-url", "ftp://x", result, "audit/reports"}, "--api-url"},
		{[]string{"publish", "--fail-on", "deny", result, "audit/reports"}, "--fail-on"},
		{[]string{"publish", "--publish-timeout", "0s", result, "audit/reports"}, "--publish-timeout"},
		{[]string{"publish", filepath.Join(dir, "missing.json"), "audit/reports"}, "no such file"},
		{[]string{"publish", "--sha", pubOther, result, "audit/reports"}, "the result is for commit " + pubHead + ", not " + pubOther},
		{[]string{"publish", "--repo", "octo-org/other", result, "audit/reports"}, "the result is for octo-org/reports, not octo-org/other"},
	}
	// Without a repository to publish to, fsar publish cannot do its job.
	code, _, stderr := runWith(t, map[string]string{"GITHUB_TOKEN": publishToken}, "publish", result, "audit/reports")
	if code != ExitError || !strings.Contains(stderr, "no repository: set GITHUB_REPOSITORY or --repo") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := runWith(t, env, tt.args...)
			if code != ExitError || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}
