package actions

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	headSHA  = strings.Repeat("1", 40)
	otherSHA = strings.Repeat("2", 40)
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestLoad: every value fsar takes from GitHub Actions, read once, each by
// its one rule.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	event := filepath.Join(dir, "event.json")
	payload := fmt.Sprintf(`{"pull_request":{"number":7,"head":{"sha":%q,"ref":"f","repo":{"full_name":"fork/reports"}},"base":{"sha":%q,"ref":"main"}}}`, headSHA, otherSHA)
	if err := os.WriteFile(event, []byte(payload), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_API_URL": "https://ghe.example.com/api/v3", "GITHUB_SERVER_URL": "https://ghe.example.com/",
		"GITHUB_REPOSITORY": "octo-org/reports", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event,
		"GITHUB_SHA": strings.Repeat("3", 40), "GITHUB_TOKEN": "t", "GH_TOKEN": "ignored", "GITHUB_RUN_ID": "42",
		"GITHUB_WORKSPACE": "/ws/repo/", "GITHUB_STEP_SUMMARY": "/tmp/summary", "GITHUB_OUTPUT": "/tmp/output",
		"GITHUB_BASE_REF": "ignored-for-the-event's",
	}
	e, err := Load(envOf(vars), ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	want := Env{
		Actions: true, Repository: "octo-org/reports", ServerURL: "https://ghe.example.com", APIURL: "https://ghe.example.com/api/v3",
		Token: "t", EventName: "pull_request", SHA: strings.Repeat("3", 40), BaseRef: "main", RunID: "42",
		Event:     Event{PR: 7, HeadSHA: headSHA, BaseRef: "main", BaseSHA: otherSHA, HeadRepository: "fork/reports"},
		Workspace: "/ws/repo", StepSummary: "/tmp/summary", StepOutput: "/tmp/output",
	}
	if *e != want {
		t.Fatalf("env\n%+v\nwant\n%+v", *e, want)
	}
	if e.HeadSHA() != headSHA || e.LinkSHA() != headSHA || e.RunURL() != "https://ghe.example.com/octo-org/reports/actions/runs/42" {
		t.Errorf("head %s, link %s, run %s", e.HeadSHA(), e.LinkSHA(), e.RunURL())
	}

	// pull_request_target: the verdict is for the head, links go to the
	// base branch the workflow checked out.
	vars["GITHUB_EVENT_NAME"] = "pull_request_target"
	e, _ = Load(envOf(vars), ReadFile)
	if e.HeadSHA() != headSHA || e.LinkSHA() != strings.Repeat("3", 40) {
		t.Errorf("pull_request_target: head %s, link %s", e.HeadSHA(), e.LinkSHA())
	}
	// No event: GITHUB_SHA and GITHUB_BASE_REF; GH_TOKEN when GITHUB_TOKEN
	// is not set.
	delete(vars, "GITHUB_EVENT_PATH")
	delete(vars, "GITHUB_TOKEN")
	e, _ = Load(envOf(vars), ReadFile)
	if e.HeadSHA() != strings.Repeat("3", 40) || e.BaseRef != "ignored-for-the-event's" || e.Token != "ignored" {
		t.Errorf("no event: %+v", e)
	}

	// Outside Actions: nothing, and no error.
	e, err = Load(envOf(nil), ReadFile)
	if err != nil || *e != (Env{}) || e.RunURL() != "" || e.LinkSHA() != "" {
		t.Fatalf("outside Actions: %+v %v", e, err)
	}
}

// TestLoadRefusesMalformed: a value that is not well formed is left out
// and named in the error; the rest is kept.
func TestLoadRefusesMalformed(t *testing.T) {
	vars := map[string]string{
		"GITHUB_REPOSITORY": "octo-org/reports/x", "GITHUB_SERVER_URL": "javascript:alert(1)", "GITHUB_SHA": "main",
		"GITHUB_RUN_ID": "42/../../x", "GITHUB_WORKSPACE": "relative", "GITHUB_EVENT_NAME": "pull_request",
		"GITHUB_EVENT_PATH": filepath.Join(t.TempDir(), "missing.json"), "GITHUB_TOKEN": "t",
	}
	e, err := Load(envOf(vars), ReadFile)
	if err == nil {
		t.Fatal("no error")
	}
	for _, name := range []string{"GITHUB_REPOSITORY", "GITHUB_SERVER_URL", "GITHUB_SHA", "GITHUB_RUN_ID", "GITHUB_WORKSPACE", "GITHUB_EVENT_PATH"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the error does not name %s: %v", name, err)
		}
	}
	if *e != (Env{Token: "t", EventName: "pull_request"}) {
		t.Errorf("kept %+v", e)
	}
	// An event payload over the bound is refused, not read whole.
	big := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(big, []byte(`{"pull_request":{"number":1}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tiny := func(path string, _ int64) ([]byte, error) { return ReadFile(path, 8) }
	if _, err := Load(envOf(map[string]string{"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": big}), tiny); err == nil || !strings.Contains(err.Error(), "larger than 8 bytes") {
		t.Errorf("err = %v", err)
	}
}

func TestParseEvent(t *testing.T) {
	pr := fmt.Sprintf(`{"pull_request":{"number":7,"head":{"sha":%q,"ref":"f","repo":{"full_name":"fork/reports"}},"base":{"sha":%q,"ref":"main"}}}`, headSHA, otherSHA)
	ev, err := ParseEvent("pull_request", []byte(pr))
	if err != nil || ev.PR != 7 || ev.HeadSHA != headSHA || ev.BaseRef != "main" || ev.BaseSHA != otherSHA || !ev.Fork("octo-org/reports") {
		t.Fatalf("%+v %v", ev, err)
	}
	if ev, err = ParseEvent("pull_request_target", []byte(pr)); err != nil || ev.PR != 7 {
		t.Fatalf("%+v %v", ev, err)
	}
	run := fmt.Sprintf(`{"workflow_run":{"head_sha":%q,"head_repository":{"full_name":"fork/reports"},"pull_requests":[]}}`, headSHA)
	if ev, err = ParseEvent("workflow_run", []byte(run)); err != nil || ev.PR != 0 || ev.HeadSHA != headSHA {
		t.Fatalf("%+v %v", ev, err)
	}
	run = fmt.Sprintf(`{"workflow_run":{"head_sha":%q,"pull_requests":[{"number":9,"head":{"sha":%q},"base":{"ref":"main","sha":%q}}]}}`, headSHA, headSHA, otherSHA)
	if ev, err = ParseEvent("workflow_run", []byte(run)); err != nil || ev.PR != 9 || ev.BaseRef != "main" {
		t.Fatalf("%+v %v", ev, err)
	}
	if ev, err = ParseEvent("push", []byte(`{"after":"x"}`)); err != nil || ev != (Event{}) {
		t.Fatalf("%+v %v", ev, err)
	}
	for _, bad := range []string{`{`, `{"pull_request":{"head":{"sha":"main"}}}`} {
		if _, err := ParseEvent("pull_request", []byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	if _, err := ParseEvent("pull_request", []byte(`{}`)); err == nil {
		t.Error("a pull_request event without pull_request")
	}
}

// TestSetOutputs: name=value lines, refused when a value would start a
// line of its own.
func TestSetOutputs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out")
	if err := SetOutputs(path, [][2]string{{"verdict", "block"}, {"counts", `{"reports":2}`}}); err != nil {
		t.Fatal(err)
	}
	if err := SetOutputs(path, [][2]string{{"result", "a\nsarif=evil"}}); err == nil {
		t.Error("a value with a line break was written")
	}
	if b, _ := os.ReadFile(path); string(b) != "verdict=block\ncounts={\"reports\":2}\n" {
		t.Errorf("outputs: %q", b)
	}
}
