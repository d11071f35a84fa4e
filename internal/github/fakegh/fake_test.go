package fakegh

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	gh "github.com/google/go-github/v62/github"
)

const (
	token = "ghp_faketoken"
	owner = "octo-org"
	repo  = "reports"
)

var sha = strings.Repeat("a", 40)

func newFake(t *testing.T, opts Options) (*Server, *gh.Client) {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.AddToken(token, Token{Login: "octocat"})
	s.OpenPR(PR{Number: 1, HeadSHA: sha})
	c := gh.NewClient(&http.Client{Timeout: 5 * time.Second}).WithAuthToken(token)
	u, _ := c.BaseURL.Parse(s.URL + "/")
	c.BaseURL = u
	return s, c
}

func noViolations(t *testing.T, s *Server) {
	t.Helper()
	for _, v := range s.Violations() {
		t.Error(v)
	}
}

func statusOf(err error) int {
	var er *gh.ErrorResponse
	if errors.As(err, &er) {
		return er.Response.StatusCode
	}
	return 0
}

// Every operation of the API description is served, and each answer
// validates.
func TestEveryOperation(t *testing.T) {
	s, c := newFake(t, Options{})
	var ops []string
	for _, item := range s.spec.doc.Paths.Map() {
		for _, op := range item.Operations() {
			ops = append(ops, op.OperationID)
		}
	}
	slices.Sort(ops)
	want := slices.Sorted(slices.Values(served))
	if !slices.Equal(ops, want) {
		t.Fatalf("the description has %v, the fake serves %v", ops, want)
	}

	ctx := context.Background()
	must := func(_ any, _ *gh.Response, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Users.Get(ctx, ""))
	must(c.RateLimit.Get(ctx))
	must(c.PullRequests.Get(ctx, owner, repo, 1))
	s.SetFiles(1, []File{{Name: "a.md", Status: "added"}, {Name: "b.md", Status: "removed"}})
	must(c.PullRequests.ListFiles(ctx, owner, repo, 1, nil))
	cm, _, err := c.Issues.CreateComment(ctx, owner, repo, 1, &gh.IssueComment{Body: gh.String("hi")})
	must(cm, nil, err)
	must(c.Issues.EditComment(ctx, owner, repo, cm.GetID(), &gh.IssueComment{Body: gh.String("ho")}))
	must(c.Issues.ListComments(ctx, owner, repo, 1, nil))
	if _, err := c.Issues.DeleteComment(ctx, owner, repo, cm.GetID()); err != nil {
		t.Fatal(err)
	}
	s.Label(1, "fsar-approved", "octocat")
	s.Push(1, strings.Repeat("c", 40), true)
	must(c.Issues.ListIssueEvents(ctx, owner, repo, 1, nil))
	s.SetPermission("octocat", "maintain")
	must(c.Repositories.GetPermissionLevel(ctx, owner, repo, "octocat"))
	run, _, err := c.Checks.CreateCheckRun(ctx, owner, repo, gh.CreateCheckRunOptions{Name: "fsar", HeadSHA: sha,
		ExternalID: gh.String("fsar"), Status: gh.String("completed"), Conclusion: gh.String("success"),
		Output: &gh.CheckRunOutput{Title: gh.String("t"), Summary: gh.String("s"), Annotations: []*gh.CheckRunAnnotation{{
			Path: gh.String("a.md"), StartLine: gh.Int(1), EndLine: gh.Int(1), AnnotationLevel: gh.String("warning"), Message: gh.String("m")}}}})
	must(run, nil, err)
	must(c.Checks.UpdateCheckRun(ctx, owner, repo, run.GetID(), gh.UpdateCheckRunOptions{Name: "fsar", Conclusion: gh.String("failure")}))
	must(c.Checks.GetCheckRun(ctx, owner, repo, run.GetID()))
	must(c.Checks.ListCheckRunsForRef(ctx, owner, repo, sha, nil))
	must(c.Checks.ListCheckRunAnnotations(ctx, owner, repo, run.GetID(), nil))
	must(c.Checks.ListCheckSuitesForRef(ctx, owner, repo, sha, nil))
	must(c.Repositories.CreateStatus(ctx, owner, repo, sha, &gh.RepoStatus{State: gh.String("success"), Context: gh.String("fsar"), Description: gh.String("ok")}))
	must(c.Repositories.ListStatuses(ctx, owner, repo, sha, nil))
	is, _, err := c.Issues.Create(ctx, owner, repo, &gh.IssueRequest{Title: gh.String("t"), Body: gh.String("b")})
	must(is, nil, err)
	must(c.Issues.Edit(ctx, owner, repo, is.GetNumber(), &gh.IssueRequest{State: gh.String("closed"), StateReason: gh.String("completed")}))
	list, _, err := c.Issues.ListByRepo(ctx, owner, repo, &gh.IssueListByRepoOptions{State: "all"})
	must(list, nil, err)
	if len(list) != 2 || list[0].GetNumber() != is.GetNumber() || list[0].GetState() != "closed" || !list[1].IsPullRequest() {
		t.Errorf("issues listed: %v", list)
	}
	noViolations(t, s)
}

func TestInvalidRequestIsAViolation(t *testing.T) {
	s, c := newFake(t, Options{})
	_, _, err := c.Repositories.CreateStatus(context.Background(), owner, repo, sha, &gh.RepoStatus{State: gh.String("bogus")})
	if statusOf(err) != http.StatusUnprocessableEntity {
		t.Fatalf("err = %v, want a 422", err)
	}
	v := s.Violations()
	if len(v) != 1 || !strings.Contains(v[0], "request does not match the API description") {
		t.Fatalf("violations = %q", v)
	}
	if got := s.Statuses(sha); len(got) != 0 {
		t.Fatalf("an invalid request was applied: %v", got)
	}
}

func TestInvalidResponseIsAViolation(t *testing.T) {
	s, c := newFake(t, Options{})
	s.mangle = func(op string, body any) any {
		if m, ok := body.(map[string]any); ok && op == "pulls/get" {
			delete(m, "head")
			m["number"] = "seven"
		}
		return body
	}
	_, _, _ = c.PullRequests.Get(context.Background(), owner, repo, 1)
	v := s.Violations()
	if len(v) != 1 || !strings.Contains(v[0], "200 response does not match the API description") {
		t.Fatalf("violations = %q", v)
	}
}

func TestUnknownOperationIsAViolation(t *testing.T) {
	s, c := newFake(t, Options{})
	_, _, err := c.Repositories.Get(context.Background(), owner, repo)
	if statusOf(err) != http.StatusNotFound {
		t.Fatalf("err = %v", err)
	}
	if v := s.Violations(); len(v) != 1 || !strings.Contains(v[0], "no such operation") {
		t.Fatalf("violations = %q", v)
	}
}

func TestPagination(t *testing.T) {
	s, c := newFake(t, Options{})
	for i := range 65 {
		s.AddComment(1, "someone", fmt.Sprintf("comment %d", i))
	}
	ctx := context.Background()
	var pages, total int
	opts := &gh.IssueListCommentsOptions{}
	for {
		cs, resp, err := c.Issues.ListComments(ctx, owner, repo, 1, opts)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		total += len(cs)
		if pages == 1 && (len(cs) != 30 || resp.NextPage != 2 || resp.LastPage != 3) {
			t.Fatalf("first page: %d comments, next %d, last %d; want 30, 2, 3", len(cs), resp.NextPage, resp.LastPage)
		}
		if resp.NextPage == 0 {
			if resp.PrevPage != 2 || resp.FirstPage != 1 {
				t.Fatalf("last page: prev %d, first %d", resp.PrevPage, resp.FirstPage)
			}
			break
		}
		opts.Page = resp.NextPage
	}
	if pages != 3 || total != 65 {
		t.Fatalf("%d pages, %d comments; want 3 and 65", pages, total)
	}
	cs, resp, err := c.Issues.ListComments(ctx, owner, repo, 1, &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 500}})
	if err != nil || len(cs) != 65 || resp.NextPage != 0 {
		t.Fatalf("per_page 500 (capped at 100): %d comments, next %d, %v", len(cs), resp.NextPage, err)
	}
	noViolations(t, s)
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	ann := func(n int) []*gh.CheckRunAnnotation {
		var out []*gh.CheckRunAnnotation
		for i := range n {
			out = append(out, &gh.CheckRunAnnotation{Path: gh.String("a.md"), StartLine: gh.Int(i + 1), EndLine: gh.Int(i + 1),
				AnnotationLevel: gh.String("notice"), Message: gh.String("m")})
		}
		return out
	}
	tests := []struct {
		name string
		do   func(c *gh.Client) error
	}{
		{"comment over 65536 characters", func(c *gh.Client) error {
			_, _, err := c.Issues.CreateComment(ctx, owner, repo, 1, &gh.IssueComment{Body: gh.String(strings.Repeat("é", CommentLimit+1))})
			return err
		}},
		{"status description over 140 characters", func(c *gh.Client) error {
			_, _, err := c.Repositories.CreateStatus(ctx, owner, repo, sha, &gh.RepoStatus{State: gh.String("success"), Description: gh.String(strings.Repeat("x", 141))})
			return err
		}},
		{"summary over 65535 characters", func(c *gh.Client) error {
			_, _, err := c.Checks.CreateCheckRun(ctx, owner, repo, gh.CreateCheckRunOptions{Name: "fsar", HeadSHA: sha,
				Output: &gh.CheckRunOutput{Title: gh.String("t"), Summary: gh.String(strings.Repeat("x", OutputLimit+1))}})
			return err
		}},
		{"51 annotations", func(c *gh.Client) error {
			_, _, err := c.Checks.CreateCheckRun(ctx, owner, repo, gh.CreateCheckRunOptions{Name: "fsar", HeadSHA: sha,
				Output: &gh.CheckRunOutput{Title: gh.String("t"), Summary: gh.String("s"), Annotations: ann(51)}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newFake(t, Options{})
			if err := tt.do(c); statusOf(err) != http.StatusUnprocessableEntity {
				t.Fatalf("err = %v, want a 422", err)
			}
			if len(s.Violations()) == 0 {
				t.Fatal("no violation recorded")
			}
			if len(s.Comments(1)) != 0 || len(s.Statuses(sha)) != 0 || len(s.CheckRuns(sha)) != 0 {
				t.Fatal("a request over a limit was applied")
			}
		})
	}

	t.Run("updates append annotations", func(t *testing.T) {
		s, c := newFake(t, Options{})
		run, _, err := c.Checks.CreateCheckRun(ctx, owner, repo, gh.CreateCheckRunOptions{Name: "fsar", HeadSHA: sha,
			Output: &gh.CheckRunOutput{Title: gh.String("t"), Summary: gh.String("s"), Annotations: ann(50)}})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, _, err := c.Checks.UpdateCheckRun(ctx, owner, repo, run.GetID(), gh.UpdateCheckRunOptions{Name: "fsar",
				Output: &gh.CheckRunOutput{Title: gh.String("t"), Summary: gh.String("s"), Annotations: ann(20)}}); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(s.CheckRuns(sha)[0].Annotations); n != 90 {
			t.Fatalf("%d annotations, want 90", n)
		}
		noViolations(t, s)
	})
}

func TestTokens(t *testing.T) {
	s, c := newFake(t, Options{})
	ctx := context.Background()
	s.AddToken("ghs_actions", Token{Login: "github-actions[bot]", Kind: AppToken})
	s.AddToken("ghs_fork", Token{Login: "github-actions[bot]", Kind: AppToken, ReadOnly: true})
	app := gh.NewClient(nil).WithAuthToken("ghs_actions")
	app.BaseURL = c.BaseURL
	if _, _, err := app.Users.Get(ctx, ""); statusOf(err) != http.StatusForbidden {
		t.Fatalf("GET /user with an app token: %v, want 403", err)
	}
	fork := gh.NewClient(nil).WithAuthToken("ghs_fork")
	fork.BaseURL = c.BaseURL
	if _, _, err := fork.PullRequests.Get(ctx, owner, repo, 1); err != nil {
		t.Fatalf("a read-only token reads: %v", err)
	}
	if _, _, err := fork.Issues.CreateComment(ctx, owner, repo, 1, &gh.IssueComment{Body: gh.String("x")}); statusOf(err) != http.StatusForbidden {
		t.Fatalf("a read-only token writes: %v, want 403", err)
	}
	anon := gh.NewClient(nil)
	anon.BaseURL = c.BaseURL
	if _, _, err := anon.PullRequests.Get(ctx, owner, repo, 1); statusOf(err) != http.StatusUnauthorized {
		t.Fatalf("no token: %v, want 401", err)
	}
	noViolations(t, s)
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	comment := func(c *gh.Client) error {
		_, _, err := c.Issues.CreateComment(ctx, owner, repo, 1, &gh.IssueComment{Body: gh.String("x")})
		return err
	}
	tests := []struct {
		fault   Fault
		status  int  // the answer's status, 0 for no answer
		applied bool // the comment exists afterwards
		header  string
	}{
		{Fault{Kind: Error500}, 500, false, ""},
		{Fault{Kind: Error502}, 502, false, ""},
		{Fault{Kind: Error502, Applied: true}, 502, true, ""},
		{Fault{Kind: Secondary, Wait: 7}, 403, false, "Retry-After: 7"},
		{Fault{Kind: TooMany, Wait: 3}, 429, false, "Retry-After: 3"},
		{Fault{Kind: Primary, Wait: 60}, 403, false, "X-Ratelimit-Remaining: 0"},
		{Fault{Kind: Spent, Wait: 60}, 201, true, "X-Ratelimit-Remaining: 0"},
		{Fault{Kind: Lost}, 0, true, ""},
		{Fault{Kind: Reset}, 0, false, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault.Kind), func(t *testing.T) {
			s, c := newFake(t, Options{})
			tt.fault.Method, tt.fault.Path = "POST", `/comments$`
			if err := s.Inject(tt.fault); err != nil {
				t.Fatal(err)
			}
			var resp *http.Response
			_, r, err := c.Issues.CreateComment(ctx, owner, repo, 1, &gh.IssueComment{Body: gh.String("x")})
			if r != nil {
				resp = r.Response
			}
			switch {
			case tt.status == 0 && err == nil:
				t.Fatal("an answer came")
			case tt.status != 0 && (resp == nil || resp.StatusCode != tt.status):
				t.Fatalf("answer %v (%v), want %d", resp, err, tt.status)
			}
			if tt.header != "" {
				k, v, _ := strings.Cut(tt.header, ": ")
				if got := resp.Header.Get(k); got != v {
					t.Fatalf("%s: %q, want %q", k, got, v)
				}
			}
			if got := len(s.Comments(1)) == 1; got != tt.applied {
				t.Fatalf("applied = %v, want %v", got, tt.applied)
			}
			// The fault fired once: the next request goes through (from a
			// new client: go-github would wait out the rate limit itself).
			fresh := gh.NewClient(nil).WithAuthToken(token)
			fresh.BaseURL = c.BaseURL
			if err := comment(fresh); err != nil {
				t.Fatal(err)
			}
			if u := s.Unfired(); len(u) != 0 {
				t.Fatal(u)
			}
			noViolations(t, s)
		})
	}

	t.Run("hang", func(t *testing.T) {
		s, c := newFake(t, Options{})
		if err := s.Inject(Fault{Kind: Hang, Method: "GET"}); err != nil {
			t.Fatal(err)
		}
		tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if _, _, err := c.PullRequests.Get(tctx, owner, repo, 1); err == nil {
			t.Fatal("an answer came")
		}
	})

	t.Run("skip and times", func(t *testing.T) {
		s, c := newFake(t, Options{})
		if err := s.Inject(Fault{Kind: Error500, Method: "POST", Skip: 1, Times: 2}); err != nil {
			t.Fatal(err)
		}
		var got []int
		for range 4 {
			err := comment(c)
			got = append(got, statusOf(err))
		}
		if want := []int{0, 500, 500, 0}; !slices.Equal(got, want) {
			t.Fatalf("statuses %v, want %v", got, want)
		}
	})

	if _, err := New(Options{}); err != nil {
		t.Fatal(err)
	}
	s, _ := newFake(t, Options{})
	if err := s.Inject(Fault{Kind: "bogus"}); err == nil {
		t.Fatal("an unknown fault kind was taken")
	}
}

func TestEnterprisePrefix(t *testing.T) {
	s, c := newFake(t, Options{PathPrefix: "/api/v3"})
	if !strings.HasSuffix(s.URL, "/api/v3") {
		t.Fatalf("URL %s", s.URL)
	}
	if _, _, err := c.PullRequests.Get(context.Background(), owner, repo, 1); err != nil {
		t.Fatal(err)
	}
	root := gh.NewClient(nil).WithAuthToken(token)
	root.BaseURL, _ = root.BaseURL.Parse(s.ServerURL + "/")
	if _, _, err := root.PullRequests.Get(context.Background(), owner, repo, 1); statusOf(err) != http.StatusNotFound {
		t.Fatalf("outside the prefix: %v", err)
	}
	if v := s.Violations(); len(v) != 1 {
		t.Fatalf("violations %q", v)
	}
}
