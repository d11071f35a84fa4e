package github

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	gh "github.com/google/go-github/v62/github"

	"github.com/fsar-gate/fsar/internal/escape"
)

// CommentPoster keeps one sticky comment on the pull request: the
// markdown report under a hidden marker. Its comment is the one that
// starts with the marker and whose author is the token's own identity;
// comments by anyone else are never touched, marker or not. It is edited
// in place, and only when its body changes; copies left by an earlier run
// that crashed are deleted, the oldest kept.
type CommentPoster struct {
	Client *Client
	PR     int
	// Key tells apart the sticky comments of several fsar workflows on
	// one pull request; "fsar" when empty.
	Key string
	// Identity is the login of fsar's comments; the token's own identity
	// (Client.Identity) when empty.
	Identity string
}

// Mode implements Poster.
func (*CommentPoster) Mode() string { return "comment" }

// Marker is the hidden first line of the sticky comment for key.
func Marker(key string) string {
	if key == "" {
		key = "fsar"
	}
	return "<!-- fsar:sticky-comment:" + safeKey(key) + " -->"
}

func safeKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CommentBody is the sticky comment's body for p: the marker, then the
// report, cut to GitHub's limit.
func CommentBody(key string, p *Publication) string {
	m := Marker(key)
	body := p.Body
	if body == "" {
		body = "**fsar** " + escape.Markdown(p.Title, 0) + "\n"
	}
	return m + "\n" + cutBytes(body, CommentLimit-len(m)-1, "*(cut: the report is longer than a comment may be; the job's log has all of it)*")
}

type comment struct {
	id     int64
	author string
	body   string
}

// Post implements Poster.
func (cp *CommentPoster) Post(ctx context.Context, p *Publication) error {
	c := cp.Client
	if cp.PR <= 0 {
		return fmt.Errorf("no pull request to comment on")
	}
	me := cp.Identity
	if me == "" {
		var err error
		if me, err = c.Identity(ctx); err != nil {
			return err
		}
	}
	marker := Marker(cp.Key)
	want := CommentBody(cp.Key, p)
	err := c.reconcile(ctx, "sticky comment", func(ctx context.Context) error {
		all, err := listAll(ctx, "comments", func(ctx context.Context, o gh.ListOptions) ([]*gh.IssueComment, *gh.Response, error) {
			return c.gh.Issues.ListComments(ctx, c.ctx.Owner, c.ctx.Repo, cp.PR, &gh.IssueListCommentsOptions{ListOptions: o})
		})
		if err != nil {
			return err
		}
		var mine []comment
		for _, ic := range all {
			body := ic.GetBody()
			if !strings.HasPrefix(body, marker) {
				continue
			}
			author := ic.GetUser().GetLogin()
			if !strings.EqualFold(author, me) {
				c.log("comment %d by @%s carries fsar's marker: left alone", ic.GetID(), author)
				continue
			}
			mine = append(mine, comment{id: ic.GetID(), author: author, body: body})
		}
		slices.SortFunc(mine, func(a, b comment) int { return cmp.Compare(a.id, b.id) })
		if len(mine) == 0 {
			created, _, err := c.gh.Issues.CreateComment(ctx, c.ctx.Owner, c.ctx.Repo, cp.PR, &gh.IssueComment{Body: &want})
			if err != nil {
				return writeError(err)
			}
			c.log("sticky comment %d posted", created.GetID())
			return nil
		}
		keep := mine[0]
		for _, dup := range mine[1:] {
			_, err := c.gh.Issues.DeleteComment(ctx, c.ctx.Owner, c.ctx.Repo, dup.id)
			if err != nil && statusOf(err) != http.StatusNotFound {
				return writeError(err)
			}
			c.log("duplicate sticky comment %d deleted", dup.id)
		}
		// GitHub may hand a body back with CRLF line breaks.
		if strings.ReplaceAll(keep.body, "\r\n", "\n") == want {
			c.log("sticky comment %d unchanged", keep.id)
			return nil
		}
		if _, _, err := c.gh.Issues.EditComment(ctx, c.ctx.Owner, c.ctx.Repo, keep.id, &gh.IssueComment{Body: &want}); err != nil {
			return writeError(err)
		}
		c.log("sticky comment %d updated", keep.id)
		return nil
	})
	return c.redact.Error(err)
}
