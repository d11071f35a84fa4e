package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	gh "github.com/google/go-github/v62/github"
)

// ActionsBot is the login of the GitHub Actions token's identity. GitHub
// refuses GET /user to that token, so it is taken as the author of fsar's
// own comments when GET /user is refused.
const ActionsBot = "github-actions[bot]"

// ClientOptions tune a Client.
type ClientOptions struct {
	// Base sends the HTTP requests; http.DefaultTransport when nil.
	Base http.RoundTripper
	// Clock tells the time and waits; SystemClock when nil.
	Clock Clock
	// Pace is the first backoff after a failure and the least gap
	// between two mutating requests; DefaultBackoff when 0, none when
	// negative.
	Pace time.Duration
	// Attempts and AttemptTimeout: see Transport.
	Attempts       int
	AttemptTimeout time.Duration
	// SecondaryWait: see Transport.
	SecondaryWait time.Duration
	// Logf, when set, is told of retries, waits and decisions; the token
	// is taken out of everything it is told.
	Logf func(format string, args ...any)
	// UserAgent names fsar to GitHub.
	UserAgent string
}

// Client talks to one repository's API for fsar. It is safe for
// concurrent use.
type Client struct {
	gh     *gh.Client
	ctx    Context
	clock  Clock
	pace   time.Duration
	redact *redactor
	logf   func(string, ...any)
	idOnce sync.Once
	id     string
	idErr  error
}

// NewClient returns a client for the repository of c.
func NewClient(c Context, o ClientOptions) (*Client, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	base, err := apiBase(c.APIURL)
	if err != nil {
		return nil, err
	}
	red := newRedactor(c.Token)
	pace := o.Pace
	switch {
	case pace == 0:
		pace = DefaultBackoff
	case pace < 0:
		pace = 0
	}
	clock := o.Clock
	if clock == nil {
		clock = SystemClock
	}
	t := &Transport{
		Base:           o.Base,
		Token:          c.Token,
		Host:           base.Host,
		Clock:          clock,
		Attempts:       o.Attempts,
		Backoff:        max(pace, time.Millisecond),
		MaxBackoff:     max(pace*30, time.Millisecond),
		SecondaryWait:  o.SecondaryWait,
		AttemptTimeout: o.AttemptTimeout,
		MutationGap:    pace,
		Logf:           red.Logf(o.Logf),
	}
	client := gh.NewClient(&http.Client{Transport: t})
	client.BaseURL = base
	client.UploadURL = base
	if o.UserAgent != "" {
		client.UserAgent = o.UserAgent
	}
	return &Client{gh: client, ctx: c, clock: clock, pace: pace, redact: red, logf: red.Logf(o.Logf)}, nil
}

// Context returns the client's context.
func (c *Client) Context() Context { return c.ctx }

func (c *Client) log(format string, args ...any) {
	if c.logf != nil {
		c.logf(format, args...)
	}
}

// Identity returns the login of the token's own user: from GET /user, or
// ActionsBot when GitHub refuses that to the token (as it does to the
// GitHub Actions token and other apps' installation tokens).
func (c *Client) Identity(ctx context.Context) (string, error) {
	c.idOnce.Do(func() {
		u, _, err := c.gh.Users.Get(ctx, "")
		switch s := statusOf(err); {
		case err == nil && u.GetLogin() != "":
			c.id = u.GetLogin()
		case err == nil:
			c.idErr = errors.New("GET /user: no login in the answer")
		case s == http.StatusForbidden || s == http.StatusNotFound:
			c.id = ActionsBot
			c.log("GET /user refused (%d): fsar's comments are taken to be %s's", s, ActionsBot)
		default:
			c.idErr = fmt.Errorf("finding the token's identity: %w", err)
		}
	})
	return c.id, c.redact.Error(c.idErr)
}

// PullRequest is what fsar needs of a pull request.
type PullRequest struct {
	Number  int
	State   string
	HeadSHA string
	BaseRef string
	Author  string
	Labels  []string
	URL     string
}

// PullRequest fetches pull request n.
func (c *Client) PullRequest(ctx context.Context, n int) (*PullRequest, error) {
	pr, _, err := c.gh.PullRequests.Get(ctx, c.ctx.Owner, c.ctx.Repo, n)
	if err != nil {
		return nil, c.redact.Error(fmt.Errorf("pull request #%d: %w", n, err))
	}
	out := &PullRequest{
		Number: pr.GetNumber(), State: pr.GetState(), HeadSHA: pr.GetHead().GetSHA(),
		BaseRef: pr.GetBase().GetRef(), Author: pr.GetUser().GetLogin(), URL: pr.GetHTMLURL(),
	}
	for _, l := range pr.Labels {
		out.Labels = append(out.Labels, l.GetName())
	}
	return out, nil
}

// maxPages bounds every listing: 100 pages of 100 items.
const maxPages = 100

// listAll fetches every page of a listing, 100 items a page.
func listAll[T any](ctx context.Context, what string, fetch func(ctx context.Context, o gh.ListOptions) ([]T, *gh.Response, error)) ([]T, error) {
	var all []T
	o := gh.ListOptions{PerPage: 100}
	for pages := 1; ; pages++ {
		items, resp, err := fetch(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", what, err)
		}
		all = append(all, items...)
		if resp == nil || resp.NextPage == 0 {
			return all, nil
		}
		if pages >= maxPages {
			return nil, fmt.Errorf("listing %s: more than %d pages", what, maxPages)
		}
		o.Page = resp.NextPage
	}
}

// reconcile runs step until it reports done, again after each uncertain
// failure (with backoff), at most attempts times in all. step must find
// out what is already there before it changes anything.
func (c *Client) reconcile(ctx context.Context, what string, step func(ctx context.Context) error) error {
	const attempts = 5
	var err error
	for i := 1; i <= attempts; i++ {
		err = step(ctx)
		if err == nil || !IsUncertain(err) || canceled(err) {
			return err
		}
		if i == attempts {
			break
		}
		d := min(c.pace*time.Duration(1<<(i-1)), 30*c.pace)
		c.log("%s: %v; looking again in %s", what, err, d)
		if serr := c.clock.Sleep(ctx, d); serr != nil {
			return err
		}
	}
	return err
}
