package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fsar-gate/fsar/internal/buildinfo"
	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/github"
	"github.com/fsar-gate/fsar/internal/output"
)

// Publishing says where and how to publish: the --publish flags. check
// and publish use them all; sweep, which keeps an issue, the first five.
type Publishing struct {
	Repo     string        // --repo
	APIURL   string        // --api-url
	Required bool          // --publish-required
	Timeout  time.Duration // --publish-timeout
	Pace     time.Duration // --github-pace (hidden)

	Modes         string // --publish
	Changed       bool   // --changed
	PR            int    // --pr
	SHA           string // --sha
	Name          string // --check-name
	ApprovalLabel string // --approval-label
	CommentAuthor string // --comment-author
	// FromFile is set by `fsar publish`: the result came from another job.
	FromFile bool
	// found is the approval Approval found, when looked is set.
	found  *gate.Approval
	looked bool
}

// Validate checks the flags: those of a pull request's verdict, or
// (pullRequest false) those of a sweep's tracking issue.
func (p *Publishing) Validate(pullRequest bool) error {
	if _, err := github.ParseModes(p.Modes); pullRequest && err != nil {
		return Usagef("--publish: %v", err)
	}
	if err := p.Target().Validate(); err != nil {
		return &UsageError{Err: err}
	}
	if p.Timeout <= 0 {
		return Usagef("--publish-timeout %s: expected a positive duration", p.Timeout)
	}
	if pullRequest && (p.Name == "" || len(p.Name) > 100 || strings.ContainsAny(p.Name, "\r\n")) {
		return Usagef("--check-name %q: expected a short name", p.Name)
	}
	return nil
}

// Enabled tells whether --publish names anything.
func (p *Publishing) Enabled() bool { return strings.TrimSpace(p.Modes) != "" }

// Target is where the flags say to publish.
func (p *Publishing) Target() github.Target {
	return github.Target{Repo: p.Repo, PR: p.PR, SHA: p.SHA, APIURL: p.APIURL}
}

// clientOptions are the API client's: logged to errOut when not nil.
func (p *Publishing) clientOptions(errOut io.Writer) github.ClientOptions {
	o := github.ClientOptions{Pace: p.Pace, UserAgent: "fsar/" + buildinfo.Version}
	if errOut != nil {
		o.Logf = func(format string, args ...any) {
			fmt.Fprintf(errOut, "fsar: github: %s\n", escape.Terminal(fmt.Sprintf(format, args...)))
		}
	}
	return o
}

// failed reports that publishing failed, one line for each of the error's
// lines, and returns exit 3 when publishing was required, else nil.
func (p *Publishing) failed(f *Factory, what string, why error) error {
	lines := strings.Split(why.Error(), "\n")
	f.Warn(fmt.Sprintf("the %s was not published to GitHub: %s", what, escape.Terminal(lines[0])))
	for _, l := range lines[1:] {
		f.Warn(escape.Terminal(strings.TrimSpace(l)))
	}
	if p.Required {
		return WithCode(ExitPublish)
	}
	return nil
}

// publish publishes res as the flags say, tells the person who runs fsar
// what it posted where, and returns the command's outcome: the verdict's
// exit status (after human approval), or exit 3 when publishing failed
// and --publish-required is set. A failed posting otherwise only warns,
// and falls back to the job summary and the log's annotations, so that
// the exit status reflects the verdict. A result that must not be
// published (github.Refusal) is an error. An approval found by approval
// is used, not looked up again.
func (p *Publishing) publish(ctx context.Context, f *Factory, res *gate.Result, failOn gate.Verdict, plan *output.Plan) error {
	pub, err := p.publishCheck(ctx, f, res, failOn, false)
	for _, line := range pub.Lines {
		fmt.Fprintf(f.IO.ErrOut, "fsar: %s\n", escape.Terminal(line))
	}
	var refused *github.Refusal
	if errors.As(err, &refused) {
		return refused.Err
	}
	status := VerdictStatus(res.Verdict, github.Fails(res.Verdict, failOn))
	if pub.Outcome != nil {
		status = VerdictStatus(pub.Outcome.Publication.Effective, pub.Outcome.Publication.Fails)
	}
	if err != nil {
		required := p.failed(f, "verdict", err)
		env, _ := f.Actions()
		output.Fallback(env, plan, reportOptions(env, nil, false, 0), res, f.IO.ErrOut, f.Warn)
		return cmp.Or(required, status)
	}
	return status
}

func (p *Publishing) publishCheck(ctx context.Context, f *Factory, res *gate.Result, failOn gate.Verdict, noPost bool) (*github.Published, error) {
	env, envErr := f.Actions()
	modes, _ := github.ParseModes(p.Modes) // checked before the command ran
	var log io.Writer
	if !noPost {
		log = f.IO.ErrOut
	}
	return github.PublishCheck(ctx, env, envErr, res, github.CheckPublishing{
		Target:   p.Target(),
		FromFile: p.FromFile,
		Options: github.Options{Modes: modes, Name: p.Name, ApprovalLabel: p.ApprovalLabel, FailOn: failOn, CommentAuthor: p.CommentAuthor,
			Approval: p.found, Approved: p.looked, NoPost: noPost},
		Client:  p.clientOptions(log),
		Timeout: p.Timeout,
		Report:  reportOptions(env, nil, false, 0),
	})
}

// approval looks up the pull request's human approval of res, posting
// nothing, so that the outputs record it before anything is posted;
// publish then uses it. A failure here is left for publish to meet and
// report.
func (p *Publishing) approval(ctx context.Context, f *Factory, res *gate.Result, failOn gate.Verdict) *gate.Approval {
	pub, err := p.publishCheck(ctx, f, res, failOn, true)
	if err != nil || pub.Outcome == nil || pub.Outcome.Publication == nil {
		return nil
	}
	p.found, p.looked = pub.Outcome.Publication.Approval, true
	return p.found
}

// PublishOptions are the options of `fsar publish`.
type PublishOptions struct {
	*Factory
	File    string
	Paths   []string // the reports to judge again, beside those the result names
	FailOn  gate.Verdict
	Limit   int64
	Publish Publishing
	Judge   Judge
}

// Publish publishes a result written by another job: it checks what
// identifies the pull request, judges the reports again from the git
// objects of its head commit, says how the result differs from that
// judgement, and publishes fsar's own.
func Publish(ctx context.Context, opts *PublishOptions) error {
	res, err := github.ReadResultFile(opts.File, opts.IO.In, opts.Limit)
	if err != nil {
		return err
	}
	env, envErr := opts.Actions()
	gctx, err := github.NewContext(env, envErr, opts.Publish.Target())
	if err == nil {
		gctx, err = gctx.ForResult(res, opts.Publish.Target(), env.Event)
	}
	if err != nil {
		return err
	}
	now := opts.Judge.Now
	selected, engine, err := LoadEngine(ctx, opts.Judge.Policy, now)
	if err != nil {
		return err
	}
	run := gate.RunOptions{DecidedBy: gate.DecidedBy{FSARVersion: buildinfo.Version, FSARCommit: buildinfo.Commit, PolicyDigest: engine.Digest(), PolicyRevision: selected.Revision(), Now: now}}
	run.Waivers = waiversOf(engine, now, env)
	var changed *github.ChangedReports
	if opts.Publish.Changed {
		if changed, err = github.Changed(ctx, gctx, nil, github.ChangedOptions{Client: opts.Publish.clientOptions(nil), Timeout: opts.Publish.Timeout}); err != nil {
			return err
		}
		run.Keep, run.AllowEmpty = changed.Keep, true
	}
	if run.Waivers != nil {
		run.Waivers.Changed = prChanges(ctx, opts.Factory, &opts.Publish, gctx, changed)
	}
	judged, walked, differences, err := github.Rejudge(ctx, engine, res, gctx.HeadSHA, opts.Paths, run)
	if err != nil {
		return err
	}
	if changed != nil {
		// A changed report that no PATH reached is an error, as for check.
		fmt.Fprintf(opts.IO.ErrOut, "fsar: %s\n", escape.Terminal(changed.Account(judged, walked, opts.Paths)))
		differences = gate.Compare(res, judged)
	}
	if len(differences) > 0 {
		opts.Warn("the result differs from fsar's own judgement of its reports (a forged or stale result); publishing fsar's:")
		for _, d := range differences {
			opts.Warn("  " + escape.Terminal(d))
		}
	}
	return opts.Publish.publish(ctx, opts.Factory, judged, opts.FailOn, nil)
}
