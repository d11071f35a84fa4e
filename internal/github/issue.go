package github

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	gh "github.com/google/go-github/v62/github"
)

// IssueLimit is the most characters an issue's body holds.
const IssueLimit = 65536

// TrackingIssue keeps one issue for a recurring finding, such as a sweep
// of reports that is not clean: opened while the finding lasts, edited in
// place when its text changes (and only then), closed when the finding is
// gone, reopened when it comes back. Its issue is the one whose body
// starts with Marker and whose author is the token's own identity; issues
// by anyone else are never touched, marker or not. Copies left by an
// earlier run that crashed are closed, the oldest kept.
type TrackingIssue struct {
	Client *Client
	// Marker is the hidden first line of the issue's body, by which it is
	// found again: an HTML comment.
	Marker string
	// Identity is the login of fsar's issues; the token's own identity
	// (Client.Identity) when empty.
	Identity string
}

// IssueOutcome is what TrackingIssue.Sync did.
type IssueOutcome struct {
	// Action is created, updated, reopened, closed, unchanged, or none
	// (no issue, and none needed).
	Action string
	// Number and URL name the tracking issue; 0 and "" when there is
	// none.
	Number int
	URL    string
	// Duplicates are the numbers of the copies closed.
	Duplicates []int
}

// Lines say what was done, for the person who runs fsar, in repo.
func (o *IssueOutcome) Lines(repo string) []string {
	if o.Number == 0 {
		return []string{"the sweep is clean: no tracking issue in " + repo}
	}
	lines := []string{fmt.Sprintf("tracking issue %s#%d %s: %s", repo, o.Number, o.Action, o.URL)}
	for _, n := range o.Duplicates {
		lines = append(lines, fmt.Sprintf("duplicate tracking issue %s#%d closed", repo, n))
	}
	return lines
}

type trackedIssue struct {
	number int
	state  string
	title  string
	body   string
	url    string
}

// Sync makes the tracking issue say title and body, open when open is
// set; when open is not set it closes the issue (with title and body as
// its last word), or leaves it closed. Without an issue it creates one
// only when open is set.
func (t *TrackingIssue) Sync(ctx context.Context, title, body string, open bool) (*IssueOutcome, error) {
	c := t.Client
	if !strings.HasPrefix(t.Marker, "<!--") || !strings.HasSuffix(t.Marker, "-->") || strings.Contains(t.Marker, "\n") {
		return nil, fmt.Errorf("tracking issue: marker %q is not a one-line HTML comment", t.Marker)
	}
	title = strings.TrimSpace(strings.ReplaceAll(title, "\n", " "))
	if title == "" {
		return nil, errors.New("tracking issue: no title")
	}
	title = cutRunes(title, 256)
	want := IssueBody(t.Marker, body)
	me := t.Identity
	if me == "" {
		var err error
		if me, err = c.Identity(ctx); err != nil {
			return nil, err
		}
	}
	out := &IssueOutcome{}
	// attempted is the change of an attempt whose outcome is unknown: when
	// the next attempt finds nothing left to do, it was applied.
	attempted := ""
	err := c.reconcile(ctx, "tracking issue", func(ctx context.Context) error {
		out.Action, out.Number, out.URL = "", 0, ""
		mine, err := t.mine(ctx, me)
		if err != nil {
			return err
		}
		if len(mine) == 0 {
			if !open {
				out.Action = "none"
				return nil
			}
			attempted = "created"
			created, _, err := c.gh.Issues.Create(ctx, c.ctx.Owner, c.ctx.Repo, &gh.IssueRequest{Title: &title, Body: &want})
			if err != nil {
				return writeError(err)
			}
			out.Action, out.Number, out.URL = "created", created.GetNumber(), created.GetHTMLURL()
			c.log("tracking issue #%d opened", created.GetNumber())
			return nil
		}
		keep := mine[0]
		out.Number, out.URL = keep.number, keep.url
		for _, dup := range mine[1:] {
			if dup.state == "closed" {
				continue
			}
			_, _, err := c.gh.Issues.Edit(ctx, c.ctx.Owner, c.ctx.Repo, dup.number, &gh.IssueRequest{
				State: gh.String("closed"), StateReason: gh.String("not_planned"),
			})
			if err != nil {
				return writeError(err)
			}
			out.Duplicates = append(out.Duplicates, dup.number)
			c.log("duplicate tracking issue #%d closed (#%d is kept)", dup.number, keep.number)
		}
		if !open && keep.state == "closed" {
			out.Action = cmp.Or(attempted, "unchanged")
			c.log("tracking issue #%d stays closed", keep.number)
			return nil
		}
		// GitHub may hand a body back with CRLF line breaks.
		same := keep.title == title && strings.ReplaceAll(keep.body, "\r\n", "\n") == want
		var req gh.IssueRequest
		switch {
		case open && keep.state == "closed":
			req.State, req.StateReason = gh.String("open"), gh.String("reopened")
			out.Action = "reopened"
		case !open:
			req.State, req.StateReason = gh.String("closed"), gh.String("completed")
			out.Action = "closed"
		case same:
			out.Action = cmp.Or(attempted, "unchanged")
			c.log("tracking issue #%d unchanged", keep.number)
			return nil
		default:
			out.Action = "updated"
		}
		if !same {
			req.Title, req.Body = &title, &want
		}
		attempted = out.Action
		if _, _, err := c.gh.Issues.Edit(ctx, c.ctx.Owner, c.ctx.Repo, keep.number, &req); err != nil {
			return writeError(err)
		}
		c.log("tracking issue #%d %s", keep.number, out.Action)
		return nil
	})
	if err != nil {
		return nil, c.redact.Error(err)
	}
	return out, nil
}

// mine lists the issues that carry the marker and were opened by me,
// oldest first; the others with the marker are left alone, and said so.
func (t *TrackingIssue) mine(ctx context.Context, me string) ([]trackedIssue, error) {
	c := t.Client
	all, err := listAll(ctx, "issues", func(ctx context.Context, o gh.ListOptions) ([]*gh.Issue, *gh.Response, error) {
		return c.gh.Issues.ListByRepo(ctx, c.ctx.Owner, c.ctx.Repo, &gh.IssueListByRepoOptions{
			State: "all", Sort: "created", Direction: "asc", ListOptions: o,
		})
	})
	if err != nil {
		return nil, err
	}
	var mine []trackedIssue
	for _, is := range all {
		if is.IsPullRequest() || !strings.HasPrefix(is.GetBody(), t.Marker) {
			continue
		}
		author := is.GetUser().GetLogin()
		if !strings.EqualFold(author, me) {
			c.log("issue #%d by @%s carries fsar's marker: left alone", is.GetNumber(), author)
			continue
		}
		mine = append(mine, trackedIssue{
			number: is.GetNumber(), state: is.GetState(), title: is.GetTitle(), body: is.GetBody(), url: is.GetHTMLURL(),
		})
	}
	slices.SortFunc(mine, func(a, b trackedIssue) int { return cmp.Compare(a.number, b.number) })
	return mine, nil
}

// TrackedBody is what a tracking issue says: its number, URL and body.
type TrackedBody struct {
	Number int
	URL    string
	Body   string
}

// Find returns the tracking issue (the one Sync keeps: the oldest that
// carries the marker and was opened by fsar's identity, open or closed),
// or nil when there is none. Issues by anyone else are never read.
func (t *TrackingIssue) Find(ctx context.Context) (*TrackedBody, error) {
	c := t.Client
	me := t.Identity
	if me == "" {
		var err error
		if me, err = c.Identity(ctx); err != nil {
			return nil, c.redact.Error(err)
		}
	}
	var found *TrackedBody
	err := c.reconcile(ctx, "reading the tracking issue", func(ctx context.Context) error {
		mine, err := t.mine(ctx, me)
		if err != nil || len(mine) == 0 {
			return err
		}
		found = &TrackedBody{Number: mine[0].number, URL: mine[0].url, Body: strings.ReplaceAll(mine[0].body, "\r\n", "\n")}
		return nil
	})
	if err != nil {
		return nil, c.redact.Error(err)
	}
	return found, nil
}

// ReadTrackingIssue finds the tracking issue marked by marker in the
// context's repository, within timeout (see TrackingIssue.Find).
func ReadTrackingIssue(ctx context.Context, c Context, co ClientOptions, timeout time.Duration, marker string) (*TrackedBody, error) {
	t, err := newTrackingIssue(c, co, marker)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return t.Find(ctx)
}

// newTrackingIssue is the tracking issue marked by marker in the
// context's repository, with a client of its own.
func newTrackingIssue(c Context, co ClientOptions, marker string) (*TrackingIssue, error) {
	if c.Token == "" {
		return nil, ErrNoToken
	}
	client, err := NewClient(c, co)
	if err != nil {
		return nil, err
	}
	return &TrackingIssue{Client: client, Marker: marker}, nil
}

// IssueBody is a tracking issue's body: the marker on the first line
// (unless body starts with it already), then body, cut to GitHub's limit.
func IssueBody(marker, body string) string {
	body = strings.TrimPrefix(body, marker)
	body = strings.TrimPrefix(body, "\n")
	return marker + "\n" + cutBytes(body, IssueLimit-len(marker)-1, "*(cut: the summary is longer than an issue may be; the job's log has all of it)*")
}

// KeepTrackingIssue keeps the tracking issue marked by marker in the
// context's repository, within timeout: opened or updated with title and
// body while open, closed when not (see TrackingIssue.Sync).
func KeepTrackingIssue(ctx context.Context, c Context, co ClientOptions, timeout time.Duration, marker, title, body string, open bool) (*IssueOutcome, error) {
	t, err := newTrackingIssue(c, co, marker)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return t.Sync(ctx, title, body, open)
}
