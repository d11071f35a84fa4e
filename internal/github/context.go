package github

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/ghref"
)

// DefaultAPIURL is GitHub.com's REST API.
const DefaultAPIURL = actions.DefaultAPIURL

// Context says where to publish: through which API, with which token, to
// which repository, pull request and commit. The command fills it from the
// GitHub Actions environment (GITHUB_API_URL, GITHUB_SERVER_URL,
// GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_SHA, GITHUB_TOKEN) and its
// flags; nothing in this package reads the environment.
type Context struct {
	// APIURL is the REST API's root: https://api.github.com, or
	// https://HOST/api/v3 on GitHub Enterprise Server.
	APIURL string
	// ServerURL is the web root, https://github.com or https://HOST.
	ServerURL string
	Owner     string
	Repo      string
	// PR is the pull request's number; 0 outside a pull request.
	PR int
	// HeadSHA is the commit the verdict is about: the pull request's head
	// (not GITHUB_SHA, which is the merge commit on a pull_request event).
	HeadSHA string
	// BaseRef and BaseSHA are the pull request's base branch and commit.
	BaseRef string
	BaseSHA string
	Token   string
	// RunURL is the page of the workflow run, when known; check runs and
	// statuses link to it.
	RunURL string
}

// Repository returns "OWNER/REPO".
func (c Context) Repository() string { return c.Owner + "/" + c.Repo }

// Validate checks the context before anything is sent.
func (c Context) Validate() error {
	if _, _, err := ghref.SplitRepository(c.Repository()); err != nil {
		return err
	}
	if c.HeadSHA != "" && !ghref.ValidSHA(c.HeadSHA) {
		return fmt.Errorf("commit %q: expected a full 40-character commit id", c.HeadSHA)
	}
	if c.PR < 0 {
		return fmt.Errorf("pull request %d: expected a positive number", c.PR)
	}
	if _, err := apiBase(c.APIURL); err != nil {
		return err
	}
	return nil
}

// apiBase parses the API URL into the base that go-github resolves
// request paths against (ending in "/").
func apiBase(s string) (*url.URL, error) {
	if s == "" {
		s = DefaultAPIURL
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("API URL %q: expected an http(s) URL such as %s", s, DefaultAPIURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// Target is what the command line says of where to publish; each value
// left empty is taken from the GitHub Actions environment.
type Target struct {
	Repo   string // OWNER/REPO (--repo)
	PR     int    // pull request number (--pr)
	SHA    string // head commit (--sha)
	APIURL string // REST API root (--api-url)
}

// Validate checks the target's values, naming the flag of each that is
// wrong.
func (t Target) Validate() error {
	if t.Repo != "" {
		if _, _, err := ghref.SplitRepository(t.Repo); err != nil {
			return fmt.Errorf("--repo: %w", err)
		}
	}
	if t.PR < 0 {
		return fmt.Errorf("--pr %d: expected a pull request number", t.PR)
	}
	if t.SHA != "" && !ghref.ValidSHA(t.SHA) {
		return fmt.Errorf("--sha %q: expected a full 40-character commit id", t.SHA)
	}
	if _, err := apiBase(t.APIURL); t.APIURL != "" && err != nil {
		return fmt.Errorf("--api-url: %w", err)
	}
	return nil
}

// NewContext is the publishing context: the target's values, else the
// environment's. env's problems (envErr, from actions.Load) are errors
// here: what is published must not rest on a value that was not well
// formed.
func NewContext(env *actions.Env, envErr error, t Target) (Context, error) {
	c := Context{
		APIURL:    cmp.Or(t.APIURL, env.APIURL, DefaultAPIURL),
		ServerURL: cmp.Or(env.ServerURL, actions.DefaultServerURL),
		Token:     env.Token,
		PR:        cmp.Or(t.PR, env.Event.PR),
		HeadSHA:   cmp.Or(t.SHA, env.HeadSHA()),
		BaseRef:   env.BaseRef,
		BaseSHA:   env.Event.BaseSHA,
	}
	c.RunURL = ghref.RunURL(c.ServerURL, env.Repository, env.RunID)
	if envErr != nil {
		return c, envErr
	}
	repo := cmp.Or(t.Repo, env.Repository)
	if repo == "" {
		return c, errors.New("no repository: set GITHUB_REPOSITORY or --repo")
	}
	var err error
	if c.Owner, c.Repo, err = ghref.SplitRepository(repo); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// Subject is what a check records of the pull request and commit it ran
// on, so that fsar publish can later refuse the result when the pull
// request's head has moved on; nil when the commit is not known.
func (c Context) Subject() *gate.Subject {
	if !ghref.ValidSHA(c.HeadSHA) {
		return nil
	}
	return &gate.Subject{Repository: c.Repository(), PR: c.PR, SHA: c.HeadSHA, BaseRef: c.BaseRef}
}

// ForResult checks a result written by another job (fsar check --format
// json in the pull request's workflow) before it is published in the
// context, and returns the context to publish it in: the result's commit,
// and its pull request unless the flags or the event name one. A result
// that records no commit, is for another repository, or for another
// commit than --sha or the event's head, is refused.
func (c Context) ForResult(res *gate.Result, t Target, ev actions.Event) (Context, error) {
	s := res.Subject
	if s == nil || !ghref.ValidSHA(s.SHA) {
		return c, errors.New("refusing to publish: the result records no commit (write it with fsar check --format json in the pull request's workflow)")
	}
	if !strings.EqualFold(s.Repository, c.Repository()) {
		return c, fmt.Errorf("refusing to publish: the result is for %s, not %s", escape.Terminal(s.Repository), c.Repository())
	}
	// The commit the result must be for: --sha, or the head of the run
	// that triggered this workflow_run (set by GitHub).
	if want := cmp.Or(t.SHA, ev.HeadSHA); want != "" && want != s.SHA {
		return c, fmt.Errorf("refusing to publish: the result is for commit %s, not %s", s.SHA, want)
	}
	c.HeadSHA = s.SHA
	if t.PR == 0 && ev.PR == 0 {
		c.PR = s.PR
	}
	if c.PR <= 0 {
		return c, errors.New("refusing to publish: no pull request to check the result's commit against (use --pr)")
	}
	return c, nil
}
