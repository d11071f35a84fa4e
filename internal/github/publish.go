package github

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/ghref"
)

// Options say what Publish posts and how.
type Options struct {
	// Modes are the posting modes: any of comment, check and status.
	Modes []string
	// Name is the check run's name, the status's context and the sticky
	// comment's key; DefaultCheckName when empty.
	Name string
	// ApprovalLabel is the label that approves a review verdict; no
	// approval when empty.
	ApprovalLabel string
	// FailOn is the lowest verdict that fails the gate.
	FailOn gate.Verdict
	// CommentAuthor is the login of fsar's sticky comment; the token's
	// own identity when empty.
	CommentAuthor string
	// Markdown renders the report for the comment and the check run's
	// summary.
	Markdown Renderer
	// PathOf maps report files onto repository paths for annotations;
	// RepoPath when nil.
	PathOf func(string) string
	// MaxAnnotations bounds the check run's annotations;
	// DefaultMaxAnnotations when 0.
	MaxAnnotations int
	// RequireHead refuses to publish (StaleError) unless the pull
	// request's head is still the context's HeadSHA: for results
	// computed earlier, by another job.
	RequireHead bool
	// Approval, when Approved is set, is the approval found earlier
	// (a Publish with NoPost), used instead of looking it up again.
	Approval *Approval
	Approved bool
	// NoPost decides the verdict, its approval included, and posts
	// nothing: a command learns the approval before it writes its
	// outputs, and posts only once they are written.
	NoPost bool
}

// Outcome is what Publish decided and did.
type Outcome struct {
	// Publication is the verdict as posted (or as it would have been).
	Publication *Publication
	// PullRequest is the pull request as fetched, or nil.
	PullRequest *PullRequest
	// Posted lists the modes that posted.
	Posted []string
	// Notes are things worth telling the person who runs fsar.
	Notes []string
}

// Publish decides the verdict of res on the context's pull request and
// commit (with its human approval) and posts it in every mode of o.
// The outcome is never nil: its publication holds the verdict even when
// posting failed. The error is a *StaleError when RequireHead refused,
// else the posting errors (ModeErrors; ErrReadOnly when the token may not
// write, ErrNoToken without one).
func (c *Client) Publish(ctx context.Context, res *gate.Result, o Options) (*Outcome, error) {
	out := &Outcome{}
	pub := &Publication{Result: res, HeadSHA: c.ctx.HeadSHA, PR: c.ctx.PR}
	out.Publication = pub
	c.decide(pub, o, nil)
	if c.ctx.Token == "" {
		return out, ErrNoToken
	}
	var pr *PullRequest
	if c.ctx.PR > 0 {
		var err error
		if pr, err = c.PullRequest(ctx, c.ctx.PR); err != nil {
			return out, err
		}
		out.PullRequest = pr
		if o.RequireHead && pr.HeadSHA != c.ctx.HeadSHA {
			return out, &StaleError{PR: pr.Number, ResultSHA: c.ctx.HeadSHA, CurrentHead: pr.HeadSHA}
		}
	} else if o.RequireHead {
		return out, fmt.Errorf("refusing to publish: no pull request to check the result's commit against")
	}
	var approval *Approval
	if pr != nil && o.ApprovalLabel != "" {
		a, err := o.Approval, error(nil)
		if !o.Approved {
			a, err = c.Approve(ctx, pr, o.ApprovalLabel)
		}
		switch {
		case err != nil:
			out.Notes = append(out.Notes, fmt.Sprintf("approval not checked: %v", err))
		case a != nil && res.Verdict != gate.Review:
			a.Honoured, a.Approver = false, ""
			a.Reason = fmt.Sprintf("only a review verdict can be approved, and this one is %s", res.Verdict)
			approval = a
		default:
			approval = a
		}
	}
	c.decide(pub, o, approval)
	if approval != nil {
		approval.Effective = pub.Effective
		if approval.Honoured {
			out.Notes = append(out.Notes, fmt.Sprintf("review approved by @%s (label %s)", safeLogin(approval.Approver), approval.Label))
		} else {
			out.Notes = append(out.Notes, fmt.Sprintf("approval label %s not honoured: %s", approval.Label, approval.Reason))
		}
	}
	body, err := render(o.Markdown, res, CommentLimit-200)
	if err != nil {
		return out, err
	}
	pub.Body = approvalNote(approval, res.Verdict, o.ApprovalLabel) + body
	pub.Body = cutBytes(pub.Body, CommentLimit-200, "*(cut)*")

	if o.NoPost {
		return out, nil
	}
	var posters Fanout
	for _, m := range o.Modes {
		switch m {
		case "comment":
			switch {
			case pr == nil:
				out.Notes = append(out.Notes, "comment: not posted, there is no pull request")
				continue
			case pr.HeadSHA != c.ctx.HeadSHA:
				out.Notes = append(out.Notes, fmt.Sprintf("comment: not posted, the pull request's head moved on to %s (its own run will post)", short(pr.HeadSHA)))
				continue
			}
			posters = append(posters, &CommentPoster{Client: c, PR: pr.Number, Key: o.Name, Identity: o.CommentAuthor})
		case "check":
			posters = append(posters, &CheckPoster{Client: c, Name: o.Name})
		case "status":
			posters = append(posters, &StatusPoster{Client: c, Context: o.Name})
		default:
			return out, fmt.Errorf("unknown posting mode %q", m)
		}
	}
	err = posters.Post(ctx, pub)
	for _, p := range posters {
		var me *ModeError
		failed := false
		for _, e := range unjoin(err) {
			if errors.As(e, &me) && me.Mode == p.Mode() {
				failed = true
			}
		}
		if !failed {
			out.Posted = append(out.Posted, p.Mode())
		}
	}
	return out, c.redact.Error(err)
}

// decide fills in the verdict of pub, with approval.
func (c *Client) decide(pub *Publication, o Options, approval *Approval) {
	res := pub.Result
	pub.Approval = approval
	pub.Effective = effective(res, approval)
	pub.Fails = Fails(pub.Effective, o.FailOn)
	pub.Title = title(res, approval)
	pub.Conclusion = conclusion(pub.Effective, pub.Fails)
	pub.State = state(pub.Effective, pub.Fails)
	pub.Description = cutRunes(pub.Title, DescriptionLimit)
	pub.DetailsURL = ghref.WebURL(c.ctx.RunURL)
	pathOf := o.PathOf
	if pathOf == nil {
		pathOf = RepoPath
	}
	pub.Annotations, pub.Dropped = annotations(res, pathOf, cmp.Or(o.MaxAnnotations, DefaultMaxAnnotations))
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return slices.Clone(j.Unwrap())
	}
	if err == nil {
		return nil
	}
	return []error{err}
}
