package github

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/ghref"
	"github.com/fsar-gate/fsar/internal/report"
)

// CheckPublishing says how a command publishes a check result: where
// (Target, else the Actions environment), what (Options: the modes, the
// check's name, approval, --fail-on), with which client, within Timeout.
type CheckPublishing struct {
	Target Target
	// FromFile is set for a result written by another job (fsar publish):
	// it is checked against the context before anything is posted
	// (Context.ForResult), refused when the pull request's head moved on,
	// and its links point at the commit it was computed for.
	FromFile bool
	Options  Options
	Client   ClientOptions
	Timeout  time.Duration
	// Report are the formatters' options for the markdown posted (links,
	// rules); the repository, server and run are the context's.
	Report report.Options
}

// Refusal is an error that refuses to publish a result at all: one that
// is not for this pull request's head, or a client that cannot be made.
// It is not a failure to post, which a command may only warn about.
type Refusal struct{ Err error }

func (r *Refusal) Error() string { return r.Err.Error() }
func (r *Refusal) Unwrap() error { return r.Err }

// Published is what PublishCheck did: the context it published in, the
// outcome (nil when it could not start), and lines for the person who runs
// fsar (notes, and what was posted where).
type Published struct {
	Context Context
	Outcome *Outcome
	Lines   []string
}

// PublishCheck publishes a check result in the context the environment
// (env, and envErr from actions.Load) and p.Target give. The error is a
// *Refusal when the result must not be published, else the failures to
// post (ErrReadOnly, with advice, when the token may not write).
func PublishCheck(ctx context.Context, env *actions.Env, envErr error, res *gate.Result, p CheckPublishing) (*Published, error) {
	c, err := NewContext(env, envErr, p.Target)
	if err == nil && p.FromFile {
		if c, err = c.ForResult(res, p.Target, env.Event); err != nil {
			return &Published{Context: c}, &Refusal{Err: err}
		}
	}
	pub := &Published{Context: c}
	switch {
	case err != nil && p.FromFile:
		return pub, &Refusal{Err: err}
	case err != nil:
		return pub, err
	}
	client, err := NewClient(c, p.Client)
	if err != nil {
		return pub, &Refusal{Err: err}
	}
	ro := p.Report
	ro.Repository, ro.ServerURL, ro.RunURL, ro.MaxBytes = c.Repository(), c.ServerURL, c.RunURL, CommentLimit-1024
	if p.FromFile {
		ro.SHA = c.HeadSHA
	}
	o := p.Options
	o.Markdown = (&report.Markdown{Options: ro}).Format
	o.PathOf = func(file string) string { return ghref.RepoPath(file, ro.WorkDir, ro.RepoRoot) }
	o.RequireHead = p.FromFile
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	out, err := client.Publish(ctx, res, o)
	pub.Outcome = out
	pub.Lines = append(pub.Lines, out.Notes...)
	var stale *StaleError
	if errors.As(err, &stale) {
		return pub, &Refusal{Err: err}
	}
	if len(out.Posted) > 0 {
		where := c.Repository()
		if c.PR > 0 {
			where += fmt.Sprintf("#%d", c.PR)
		}
		pub.Lines = append(pub.Lines, fmt.Sprintf("published %s to %s at %.12s: %s", strings.Join(out.Posted, ", "), where, c.HeadSHA, out.Publication.Title))
	}
	if errors.Is(err, ErrReadOnly) {
		err = fmt.Errorf("%w\nthe job summary and the log's annotations hold the verdict; a fork's pull request is published by a workflow_run job with fsar publish", err)
	}
	return pub, err
}
