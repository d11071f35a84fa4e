package fakegh

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// Script values: the token the scripts' fsar uses, and the commits.
const (
	ScriptToken = "ghs_ScriptTOKEN0123456789abcdefABCDEFgh"
	// ScriptHead is the pull request's head; ScriptMerge the merge commit
	// that GITHUB_SHA names on a pull_request event.
	ScriptHead  = "1111111111111111111111111111111111111111"
	ScriptMerge = "3333333333333333333333333333333333333333"
)

var (
	scriptMu    sync.Mutex
	scriptFakes = map[*testscript.TestScript]*Server{}
)

// ScriptCmd is the testscript command "ghfake", which runs a fake GitHub
// in the test process for the script's fsar to talk to:
//
//	ghfake start [-token app|user|readonly] [-event pull_request|workflow_run] [-fork] [-pr N]
//	    start the fake with one open pull request (head ScriptHead) and
//	    set the GitHub Actions environment to point at it: GITHUB_API_URL,
//	    GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_TOKEN,
//	    GITHUB_EVENT_NAME, GITHUB_EVENT_PATH ($WORK/event.json), GITHUB_SHA,
//	    GITHUB_RUN_ID, GITHUB_STEP_SUMMARY ($WORK/summary.md),
//	    GITHUB_WORKSPACE ($WORK), GITHUB_ACTIONS
//	ghfake event pull_request[:ACTION]|workflow_run [HEAD]
//	    set the environment of a job that the event triggered, for HEAD
//	    (the pull request's head by default)
//	ghfake fault KIND METHOD PATH-REGEXP [times=N] [skip=N] [wait=N] [applied]
//	ghfake push SHA [force]
//	ghfake label LABEL ACTOR
//	ghfake perm LOGIN PERMISSION
//	ghfake comment AUTHOR TEXT
//	ghfake files NAME:STATUS...
//	ghfake advance DURATION
//	ghfake state
//	    print the pull request's comments, the check runs, the latest
//	    statuses and the issues, one per line, to stdout
//	ghfake body AUTHOR FILE
//	    write the sticky comment of AUTHOR (the one comment of theirs) to FILE
//	ghfake issue NUMBER FILE [edit]
//	    write the body of issue NUMBER to FILE; with edit, make FILE its
//	    body, as a person who edits the issue would
//	ghfake summary FILE
//	    write the check run's summary on the head to FILE
//	ghfake ok
//	    fail when the fake found a request or response that does not match
//	    GitHub's API description, or a fault never fired
func ScriptCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: ghfake start|fault|git-head|push|label|perm|comment|files|advance|state|body|issue|summary|ok ...")
	}
	if args[0] == "start" {
		if neg {
			ts.Fatalf("! ghfake start: not supported")
		}
		startScript(ts, args[1:])
		return
	}
	scriptMu.Lock()
	s := scriptFakes[ts]
	scriptMu.Unlock()
	if s == nil {
		ts.Fatalf("ghfake %s: no fake started (ghfake start)", args[0])
	}
	pr := s.scriptPR
	if neg && args[0] != "ok" {
		ts.Fatalf("! ghfake %s: not supported", args[0])
	}
	switch args[0] {
	case "fault":
		if len(args) < 4 {
			ts.Fatalf("usage: ghfake fault KIND METHOD PATH [times=N] [skip=N] [wait=N] [applied]")
		}
		f := Fault{Kind: FaultKind(args[1]), Method: args[2], Path: args[3]}
		for _, a := range args[4:] {
			k, v, _ := strings.Cut(a, "=")
			n, _ := strconv.Atoi(v)
			switch k {
			case "times":
				f.Times = n
			case "skip":
				f.Skip = n
			case "wait":
				f.Wait = n
				if n == 0 {
					f.Wait = -1
				}
			case "applied":
				f.Applied = true
			default:
				ts.Fatalf("ghfake fault: unknown option %q", a)
			}
		}
		ts.Check(s.Inject(f))
	case "event":
		if len(args) < 2 || len(args) > 3 {
			ts.Fatalf("usage: ghfake event pull_request[:ACTION]|workflow_run [HEAD]")
		}
		head := s.PullRequest(pr).HeadSHA
		if len(args) == 3 {
			head = args[2]
		}
		scriptEvent(ts, s, args[1], head)
	case "git-head":
		// The pull request's head becomes the commit at HEAD of the git
		// repository in the script's folder: fsar publish judges again
		// from its objects. $HEAD_SHA, $HEAD_12 and $HEAD_7 name it.
		out, err := exec.Command("git", "-C", ts.MkAbs("."), "rev-parse", "HEAD").Output()
		ts.Check(err)
		sha := strings.TrimSpace(string(out))
		s.Push(pr, sha, true)
		scriptEvent(ts, s, cmp.Or(ts.Getenv("GITHUB_EVENT_NAME"), "pull_request"), sha)
		ts.Setenv("HEAD_SHA", sha)
		ts.Setenv("HEAD_12", sha[:12])
		ts.Setenv("HEAD_7", sha[:7])
	case "push":
		if len(args) < 2 {
			ts.Fatalf("usage: ghfake push SHA [force]")
		}
		s.Push(pr, args[1], len(args) > 2 && args[2] == "force")
	case "label":
		if len(args) != 3 {
			ts.Fatalf("usage: ghfake label LABEL ACTOR")
		}
		s.Label(pr, args[1], args[2])
	case "perm":
		if len(args) != 3 {
			ts.Fatalf("usage: ghfake perm LOGIN PERMISSION")
		}
		s.SetPermission(args[1], args[2])
	case "comment":
		if len(args) != 3 {
			ts.Fatalf("usage: ghfake comment AUTHOR TEXT")
		}
		s.AddComment(pr, args[1], strings.ReplaceAll(args[2], `\n`, "\n"))
	case "files":
		var files []File
		for _, a := range args[1:] {
			name, st, _ := strings.Cut(a, ":")
			files = append(files, File{Name: name, Status: st})
		}
		s.SetFiles(pr, files)
	case "advance":
		if len(args) != 2 {
			ts.Fatalf("usage: ghfake advance DURATION")
		}
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		s.Advance(d)
	case "state":
		fmt.Fprint(ts.Stdout(), s.state(pr))
	case "body":
		if len(args) != 3 {
			ts.Fatalf("usage: ghfake body AUTHOR FILE")
		}
		var bodies []string
		for _, c := range s.Comments(pr) {
			if c.Author == args[1] {
				bodies = append(bodies, c.Body)
			}
		}
		if len(bodies) != 1 {
			ts.Fatalf("ghfake body: %d comments by %s, want 1", len(bodies), args[1])
		}
		ts.Check(writeFile(ts, args[2], bodies[0]))
	case "issue":
		if len(args) != 3 && (len(args) != 4 || args[3] != "edit") {
			ts.Fatalf("usage: ghfake issue NUMBER FILE [edit]")
		}
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		if len(args) == 4 {
			if !s.EditIssueBody(n, ts.ReadFile(args[2])) {
				ts.Fatalf("ghfake issue: no issue #%d", n)
			}
			return
		}
		for _, is := range s.Issues() {
			if is.Number == n {
				ts.Check(writeFile(ts, args[2], is.Body))
				return
			}
		}
		ts.Fatalf("ghfake issue: no issue #%d", n)
	case "summary":
		if len(args) != 2 {
			ts.Fatalf("usage: ghfake summary FILE")
		}
		runs := s.CheckRuns(s.PullRequest(pr).HeadSHA)
		if len(runs) == 0 {
			ts.Fatalf("ghfake summary: no check run on the head")
		}
		ts.Check(writeFile(ts, args[1], runs[len(runs)-1].Summary))
	case "ok":
		problems := append(s.Violations(), s.Unfired()...)
		if (len(problems) == 0) == neg {
			ts.Fatalf("fake GitHub:\n%s", strings.Join(problems, "\n"))
		}
	default:
		ts.Fatalf("ghfake: unknown command %q", args[0])
	}
}

func writeFile(ts *testscript.TestScript, name, text string) error {
	return writeBytes(ts.MkAbs(name), []byte(text))
}

func writeBytes(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }

func startScript(ts *testscript.TestScript, args []string) {
	scriptMu.Lock()
	started := scriptFakes[ts] != nil
	scriptMu.Unlock()
	if started {
		ts.Fatalf("ghfake start: a fake is running already")
	}
	fs := flag.NewFlagSet("ghfake start", flag.ContinueOnError)
	kind := fs.String("token", "app", "app, user or readonly")
	event := fs.String("event", "pull_request", "pull_request or workflow_run")
	fork := fs.Bool("fork", false, "the pull request comes from a fork")
	prNum := fs.Int("pr", 7, "pull request number")
	ts.Check(fs.Parse(args))
	s, err := New(Options{})
	ts.Check(err)
	s.scriptPR = *prNum
	ts.Defer(func() {
		s.Close()
		scriptMu.Lock()
		delete(scriptFakes, ts)
		scriptMu.Unlock()
	})
	scriptMu.Lock()
	scriptFakes[ts] = s
	scriptMu.Unlock()

	tok := Token{Login: "github-actions[bot]", Kind: AppToken}
	switch *kind {
	case "app":
	case "user":
		tok = Token{Login: "release-bot", Kind: UserToken}
	case "readonly":
		tok.ReadOnly = true
	default:
		ts.Fatalf("ghfake start: -token %q: want app, user or readonly", *kind)
	}
	s.AddToken(ScriptToken, tok)
	headRepo := s.Repository()
	if *fork {
		headRepo = "contributor/reports"
	}
	s.OpenPR(PR{Number: *prNum, HeadSHA: ScriptHead, HeadRepo: headRepo, Author: "contributor"})
	for k, v := range map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_API_URL":      s.URL,
		"GITHUB_SERVER_URL":   s.ServerURL,
		"GITHUB_REPOSITORY":   s.Repository(),
		"GITHUB_TOKEN":        ScriptToken,
		"GITHUB_RUN_ID":       "42",
		"GITHUB_STEP_SUMMARY": filepath.Join(ts.Getenv("WORK"), "summary.md"),
		"GITHUB_WORKSPACE":    ts.Getenv("WORK"),
	} {
		ts.Setenv(k, v)
	}
	scriptEvent(ts, s, *event, ScriptHead)
}

// scriptEvent writes the payload of an event on the pull request, for
// head, to $WORK/event.json, and sets the environment of a job that it
// triggered.
func scriptEvent(ts *testscript.TestScript, s *Server, event, head string) {
	p := s.PullRequest(s.scriptPR)
	headRepo := cmp.Or(p.HeadRepo, s.Repository())
	fork := headRepo != s.Repository()
	pr := map[string]any{
		"number": p.Number,
		"head":   map[string]any{"sha": head, "ref": p.HeadRef, "repo": map[string]any{"full_name": headRepo}},
		"base":   map[string]any{"sha": p.BaseSHA, "ref": p.BaseRef},
	}
	var payload map[string]any
	event, action, _ := strings.Cut(event, ":") // pull_request:labeled
	switch event {
	case "pull_request":
		payload = map[string]any{"action": cmp.Or(action, "synchronize"), "number": p.Number, "pull_request": pr}
		if action == "labeled" || action == "unlabeled" {
			payload["label"] = map[string]any{"name": "fsar-approved"}
		}
		ts.Setenv("GITHUB_SHA", ScriptMerge)
		ts.Setenv("GITHUB_BASE_REF", p.BaseRef)
	case "workflow_run":
		prs := []any{pr}
		if fork {
			prs = []any{} // GitHub lists none for a fork's run
		}
		payload = map[string]any{"action": "completed", "workflow_run": map[string]any{
			"head_sha": head, "event": "pull_request", "pull_requests": prs,
			"head_repository": map[string]any{"full_name": headRepo},
		}}
		ts.Setenv("GITHUB_SHA", strings.Repeat("c", 40)) // the default branch's
		ts.Setenv("GITHUB_BASE_REF", "")
	default:
		ts.Fatalf("ghfake: event %q: want pull_request or workflow_run", event)
	}
	data, err := json.Marshal(payload)
	ts.Check(err)
	path := filepath.Join(ts.Getenv("WORK"), "event.json")
	ts.Check(writeBytes(path, data))
	ts.Setenv("GITHUB_EVENT_NAME", event)
	ts.Setenv("GITHUB_EVENT_PATH", path)
}

// state describes the pull request's comments, every check run, the
// latest status of each context on the head and every issue, one line
// each, bodies quoted.
func (s *Server) state(pr int) string {
	var b strings.Builder
	p := s.PullRequest(pr)
	fmt.Fprintf(&b, "pr %d head %s labels %v\n", p.Number, p.HeadSHA, p.Labels)
	for _, c := range s.Comments(pr) {
		edited := ""
		if !c.Updated.Equal(c.Created) {
			edited = " edited"
		}
		fmt.Fprintf(&b, "comment %d by %s%s: %q\n", c.ID, c.Author, edited, firstLines(c.Body, 3))
	}
	s.mu.Lock()
	shas := map[string]bool{}
	var order []string
	for _, r := range s.runs {
		if !shas[r.HeadSHA] {
			shas[r.HeadSHA] = true
			order = append(order, r.HeadSHA)
		}
	}
	for _, st := range s.statuses {
		if !shas[st.SHA] {
			shas[st.SHA] = true
			order = append(order, st.SHA)
		}
	}
	s.mu.Unlock()
	for _, sha := range order {
		for _, r := range s.CheckRuns(sha) {
			fmt.Fprintf(&b, "check %s on %.7s: %s %s, %d annotations, %d requests, title %q\n",
				r.Name, r.HeadSHA, r.Status, r.Conclusion, len(r.Annotations), r.Requests, r.Title)
			for _, a := range r.Annotations {
				fmt.Fprintf(&b, "  annotation %s:%d %s %q\n", a.Path, a.StartLine, a.Level, a.Title)
			}
		}
		seen := map[string]bool{}
		all := s.Statuses(sha)
		for i := len(all) - 1; i >= 0; i-- {
			st := all[i]
			if seen[st.Context] {
				continue
			}
			seen[st.Context] = true
			fmt.Fprintf(&b, "status %s on %.7s: %s %q (%d set)\n", st.Context, st.SHA, st.State, st.Description, countContext(all, st.Context))
		}
	}
	for _, is := range s.Issues() {
		fmt.Fprintf(&b, "issue %d by %s: %s %s, %d requests, title %q: %q\n",
			is.Number, is.Author, is.State, is.StateReason, is.Requests, is.Title, firstLines(is.Body, 2))
	}
	return b.String()
}

func countContext(all []Status, ctx string) int {
	n := 0
	for _, st := range all {
		if st.Context == ctx {
			n++
		}
	}
	return n
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, "\n")
}
