package github

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	gh "github.com/google/go-github/v62/github"

	"github.com/fsar-gate/fsar/internal/gate"
)

// DefaultApprovalLabel is the label by which a person approves a review
// verdict.
const DefaultApprovalLabel = "fsar-approved"

// Approval is what fsar found of a human approval on a pull request.
type Approval = gate.Approval

// writers are the permissions that may approve.
var writers = []string{"admin", "maintain", "write"}

// Approve looks for a human approval of pr: the label, added by a person
// with write, maintain or admin permission on the repository, after the
// pull request's last push. It returns nil when the label is not on the
// pull request.
//
// The label's author and time come from the pull request's issue events
// (the latest "labeled" event of the label), the author's permission from
// the collaborator permission endpoint.
//
// The REST API has no time for an ordinary push. The last push is taken
// as the later of two times GitHub itself records: when the first check
// suite of the head commit was created (GitHub makes check suites when a
// commit is pushed, and fsar runs in one), and the latest
// "head_ref_force_pushed" event. Commit dates are not used: whoever
// pushes sets them. The weakness: a commit that reached this repository
// before the label was added (pushed to another branch or pull request
// first) and is then pushed onto this pull request without a force push
// looks as old as its first push, so a label added in between is
// honoured. Without any check suite on the head commit the push time is
// unknown, and the approval is not honoured.
func (c *Client) Approve(ctx context.Context, pr *PullRequest, label string) (*Approval, error) {
	if label == "" || !slices.ContainsFunc(pr.Labels, func(l string) bool { return strings.EqualFold(l, label) }) {
		return nil, nil
	}
	a := &Approval{Label: label}
	events, err := listAll(ctx, "issue events", func(ctx context.Context, o gh.ListOptions) ([]*gh.IssueEvent, *gh.Response, error) {
		return c.gh.Issues.ListIssueEvents(ctx, c.ctx.Owner, c.ctx.Repo, pr.Number, &o)
	})
	if err != nil {
		return nil, c.redact.Error(err)
	}
	slices.SortStableFunc(events, func(x, y *gh.IssueEvent) int {
		return cmp.Or(x.GetCreatedAt().Compare(y.GetCreatedAt().Time), cmp.Compare(x.GetID(), y.GetID()))
	})
	var labeled *gh.IssueEvent
	var forcePush time.Time
	for _, e := range events {
		switch e.GetEvent() {
		case "labeled":
			if strings.EqualFold(e.GetLabel().GetName(), label) {
				labeled = e
			}
		case "head_ref_force_pushed":
			forcePush = e.GetCreatedAt().Time
		}
	}
	if labeled == nil {
		a.Reason = "no labeled event for it"
		return a, nil
	}
	a.LabeledBy = labeled.GetActor().GetLogin()
	a.LabeledAt = labeled.GetCreatedAt().Time

	push, err := c.firstSuite(ctx, pr.HeadSHA)
	if err != nil {
		return nil, c.redact.Error(err)
	}
	if push.IsZero() {
		a.Reason = "the head commit has no check suite, so the time of the last push is unknown"
		return a, nil
	}
	if forcePush.After(push) {
		push = forcePush
	}
	a.LastPush = push
	if !a.LabeledAt.After(push) {
		a.Reason = fmt.Sprintf("it was added at %s, before the last push at %s; add it again",
			a.LabeledAt.UTC().Format(time.RFC3339), push.UTC().Format(time.RFC3339))
		return a, nil
	}
	perm, err := c.permission(ctx, a.LabeledBy)
	if err != nil {
		return nil, c.redact.Error(err)
	}
	if !slices.Contains(writers, perm) {
		a.Reason = fmt.Sprintf("@%s has %s permission on the repository, and approving needs write, maintain or admin", safeLogin(a.LabeledBy), perm)
		return a, nil
	}
	a.Honoured, a.Approver = true, a.LabeledBy
	return a, nil
}

// firstSuite returns when the first check suite of sha was created, or
// the zero time when it has none.
func (c *Client) firstSuite(ctx context.Context, sha string) (time.Time, error) {
	suites, err := listAll(ctx, "check suites", func(ctx context.Context, o gh.ListOptions) ([]*gh.CheckSuite, *gh.Response, error) {
		res, resp, err := c.gh.Checks.ListCheckSuitesForRef(ctx, c.ctx.Owner, c.ctx.Repo, sha, &gh.ListCheckSuiteOptions{ListOptions: o})
		if err != nil {
			return nil, resp, err
		}
		return res.CheckSuites, resp, nil
	})
	if err != nil {
		return time.Time{}, err
	}
	var first time.Time
	for _, s := range suites {
		if t := s.GetCreatedAt().Time; !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first, nil
}

// permission returns login's permission on the repository: admin,
// maintain, write, triage, read or none.
func (c *Client) permission(ctx context.Context, login string) (string, error) {
	if login == "" {
		return "none", nil
	}
	u := fmt.Sprintf("repos/%s/%s/collaborators/%s/permission", c.ctx.Owner, c.ctx.Repo, url.PathEscape(login))
	req, err := c.gh.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	var level struct {
		Permission string `json:"permission"`
		RoleName   string `json:"role_name"`
	}
	if _, err := c.gh.Do(ctx, req, &level); err != nil {
		if statusOf(err) == http.StatusNotFound {
			return "none", nil
		}
		return "", fmt.Errorf("permission of @%s: %w", safeLogin(login), err)
	}
	// permission says write for maintain; role_name tells them apart.
	if slices.Contains(writers, level.RoleName) {
		return level.RoleName, nil
	}
	return cmp.Or(level.Permission, "none"), nil
}
