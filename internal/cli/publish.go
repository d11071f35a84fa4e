package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/buildinfo"
	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/github"
	"github.com/fsar-gate/fsar/internal/output"
	"github.com/fsar-gate/fsar/internal/policy"
)

// This file publishes to GitHub: the flags that say where, `fsar publish
// RESULT.json`, and what `fsar check --publish` and `fsar sweep --publish`
// call.

// publishFlags say where and how to publish. check and publish take them
// all; sweep, which keeps an issue, the first five.
type publishFlags struct {
	Repo     string        // --repo
	APIURL   string        // --api-url
	Required bool          // --publish-required
	Timeout  time.Duration // --publish-timeout
	Pace     time.Duration // --github-pace (hidden)

	Modes         string // --publish
	Changed       bool   // --changed (check only)
	PR            int    // --pr
	SHA           string // --sha
	Name          string // --check-name
	ApprovalLabel string // --approval-label
	CommentAuthor string // --comment-author
	// fromFile is set by `fsar publish`: the result came from another job.
	fromFile bool
	// found is the approval approval found, when looked is set.
	found  *gate.Approval
	looked bool
}

// register adds the flags, all of them or (pullRequest false) those of a
// sweep's tracking issue. The pull request's are checked before the
// command runs; a sweep checks its own when it publishes.
func (p *publishFlags) register(cmd *cobra.Command, pullRequest bool) {
	fl := cmd.Flags()
	with, where, what := "", "repository to publish to", "the verdict cannot be published"
	if !pullRequest {
		with, where, what = "with --publish: ", "repository of the tracking issue", "the tracking issue cannot be kept"
	}
	fl.StringVar(&p.Repo, "repo", "", with+where+", OWNER/REPO (default $GITHUB_REPOSITORY)")
	fl.StringVar(&p.APIURL, "api-url", "", with+"GitHub REST API URL (default $GITHUB_API_URL, else "+github.DefaultAPIURL+")")
	fl.BoolVar(&p.Required, "publish-required", false, with+"exit 3 when "+what+" (by default a warning)")
	fl.DurationVar(&p.Timeout, "publish-timeout", 2*time.Minute, with+"deadline for publishing, retries and rate-limit waits included")
	fl.DurationVar(&p.Pace, "github-pace", github.DefaultBackoff, "first backoff after a failed request, and least gap between two writes")
	_ = fl.MarkHidden("github-pace")
	if pullRequest {
		fl.IntVar(&p.PR, "pr", 0, "pull request number (default: from $GITHUB_EVENT_PATH)")
		fl.StringVar(&p.SHA, "sha", "", "head commit the verdict is for (default: the pull request's head from $GITHUB_EVENT_PATH, else $GITHUB_SHA)")
		fl.StringVar(&p.Name, "check-name", github.DefaultCheckName, "name of the check run and context of the status")
		fl.StringVar(&p.ApprovalLabel, "approval-label", github.DefaultApprovalLabel, "label by which a user with write access approves a review verdict (empty: no approval)")
		fl.StringVar(&p.CommentAuthor, "comment-author", "", "login of fsar's sticky comment, for tokens GitHub gives no identity for (default: the token's user, or "+github.ActionsBot+")")
		cmd.PreRunE = func(*cobra.Command, []string) error { return p.validate(true) }
	}
}

func (p *publishFlags) validate(pullRequest bool) error {
	if _, err := github.ParseModes(p.Modes); pullRequest && err != nil {
		return usagef("--publish: %v", err)
	}
	if err := p.target().Validate(); err != nil {
		return &usageError{err: err}
	}
	if p.Timeout <= 0 {
		return usagef("--publish-timeout %s: expected a positive duration", p.Timeout)
	}
	if pullRequest && (p.Name == "" || len(p.Name) > 100 || strings.ContainsAny(p.Name, "\r\n")) {
		return usagef("--check-name %q: expected a short name", p.Name)
	}
	return nil
}

func (p *publishFlags) enabled() bool { return strings.TrimSpace(p.Modes) != "" }

func (p *publishFlags) target() github.Target {
	return github.Target{Repo: p.Repo, PR: p.PR, SHA: p.SHA, APIURL: p.APIURL}
}

// clientOptions are the API client's: logged to standard error when log.
func (p *publishFlags) clientOptions(f *Factory, log bool) github.ClientOptions {
	o := github.ClientOptions{Pace: p.Pace, UserAgent: "fsar/" + buildinfo.Version}
	if log {
		o.Logf = func(format string, args ...any) {
			fmt.Fprintf(f.IO.ErrOut, "fsar: github: %s\n", escape.Terminal(fmt.Sprintf(format, args...)))
		}
	}
	return o
}

// failed reports that publishing failed, one line for each of the error's
// lines, and returns exit 3 when publishing was required, else nil.
func (p *publishFlags) failed(f *Factory, what string, why error) error {
	lines := strings.Split(why.Error(), "\n")
	f.warn(fmt.Sprintf("the %s was not published to GitHub: %s", what, escape.Terminal(lines[0])))
	for _, l := range lines[1:] {
		f.warn(escape.Terminal(strings.TrimSpace(l)))
	}
	if p.Required {
		return withCode(ExitPublish)
	}
	return nil
}

// publish publishes res as the flags say and returns the command's
// outcome (see post and finish).
func (p *publishFlags) publish(ctx context.Context, f *Factory, res *gate.Result, failOn gate.Verdict, plan *output.Plan) error {
	pub, err := p.post(ctx, f, res, failOn)
	return p.finish(f, pub, err, res, failOn, plan)
}

// post publishes res as the flags say, and tells the person who runs
// fsar what it posted where. The error is a *github.Refusal when the
// result must not be published, else the failures to post. An approval
// found by approval is used, not looked up again.
func (p *publishFlags) post(ctx context.Context, f *Factory, res *gate.Result, failOn gate.Verdict) (*github.Published, error) {
	pub, err := p.publishCheck(ctx, f, res, failOn, false)
	for _, line := range pub.Lines {
		fmt.Fprintf(f.IO.ErrOut, "fsar: %s\n", escape.Terminal(line))
	}
	return pub, err
}

func (p *publishFlags) publishCheck(ctx context.Context, f *Factory, res *gate.Result, failOn gate.Verdict, noPost bool) (*github.Published, error) {
	env, envErr := f.Actions()
	modes, _ := github.ParseModes(p.Modes) // checked before the command ran
	return github.PublishCheck(ctx, env, envErr, res, github.CheckPublishing{
		Target:   p.target(),
		FromFile: p.fromFile,
		Options: github.Options{Modes: modes, Name: p.Name, ApprovalLabel: p.ApprovalLabel, FailOn: failOn, CommentAuthor: p.CommentAuthor,
			Approval: p.found, Approved: p.looked, NoPost: noPost},
		Client:  p.clientOptions(f, !noPost),
		Timeout: p.Timeout,
		Report:  reportOptions(env, nil, false, 0),
	})
}

// approval looks up the pull request's human approval of res, posting
// nothing, so that the outputs record it before anything is posted; post
// then uses it. A failure here is left for post to meet and report.
func (p *publishFlags) approval(ctx context.Context, f *Factory, res *gate.Result, failOn gate.Verdict) *gate.Approval {
	pub, err := p.publishCheck(ctx, f, res, failOn, true)
	if err != nil || pub.Outcome == nil || pub.Outcome.Publication == nil {
		return nil
	}
	p.found, p.looked = pub.Outcome.Publication.Approval, true
	return p.found
}

// finish returns the command's outcome once res was posted: the
// verdict's exit status (after human approval), or exit 3 when
// publishing failed and --publish-required is set. A failed posting
// otherwise only warns, and falls back to the job summary and the log's
// annotations, so that the exit status reflects the verdict. A result
// that must not be published (github.Refusal) is an error.
func (p *publishFlags) finish(f *Factory, pub *github.Published, err error, res *gate.Result, failOn gate.Verdict, plan *output.Plan) error {
	env, _ := f.Actions()
	var refused *github.Refusal
	if errors.As(err, &refused) {
		return refused.Err
	}
	status := verdictStatus(res.Verdict, github.Fails(res.Verdict, failOn))
	if pub.Outcome != nil {
		status = verdictStatus(pub.Outcome.Publication.Effective, pub.Outcome.Publication.Fails)
	}
	if err != nil {
		required := p.failed(f, "verdict", err)
		output.Fallback(env, plan, reportOptions(env, nil, false, 0), res, f.IO.ErrOut, f.warn)
		return cmp.Or(required, status)
	}
	return status
}

// publishOptions are the options of `fsar publish`.
type publishOptions struct {
	*Factory
	File    string
	Paths   []string // the reports to judge again, beside those the result names
	FailOn  string
	Limit   int64
	Publish publishFlags
	Policy  policy.Selection
	Now     string

	failOn gate.Verdict
	now    time.Time
}

func newPublishCmd(f *Factory) *cobra.Command {
	opts := &publishOptions{Factory: f, Publish: publishFlags{fromFile: true}}
	cmd := &cobra.Command{
		Use:   "publish RESULT.json PATH...",
		Short: "Publish a result written earlier by fsar check to a GitHub pull request",
		Long: `Publish a check result written earlier (fsar check --format json) to a
GitHub pull request: a sticky comment, a check run and a commit status.

This is the fork-safe pattern: a pull_request job, with a read-only token,
evaluates the reports and uploads the result; a workflow_run job, with a
write token, publishes it. The result file is untrusted input: it is read
up to --max-size, strictly (schema fsar.check/v1, no unknown field, every
verdict and count consistent with its findings), and refused when the pull
request's head is no longer the commit it was computed for, or when that
commit is not --sha (by default the workflow_run's own head commit).

What is published is never the result's claim: fsar judges the reports
again, from the git objects of the result's commit (fetched with git fetch
origin SHA, never checked out), with the policies of this job (its working
tree, or --policy-ref): the PATHs given (the report folders the workflow
names, at least one: a result cannot leave a report out) and every report
the result names, all of them or, with --changed, those the pull request
changes (a changed report no PATH reaches is an error, as for check). When
the two verdicts differ, fsar says how (a forged or stale result) and
publishes its own. On a pull request no waiver applies to a report it adds
or changes.

A review verdict counts as approved when the pull request carries the
--approval-label, added after its last push by a user with write,
maintain or admin permission; deny is never approved away.

The context comes from the GitHub Actions environment (GITHUB_API_URL,
GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_TOKEN),
and the flags override it. The pull request's number comes from --pr, the
event, or the result.

Exit status: 0 when the published verdict passes the gate, 1 when it
fails it, 2 on a usage error or a refused result, 3 when publishing failed
and --publish-required is set.`,
		Example: `  # in a workflow_run job, after downloading the evaluating job's artifact
  git fetch origin "$HEAD_SHA"
  fsar publish --sha "$HEAD_SHA" --changed fsar-result/fsar-result.json audit/reports

  # outside Actions
  git fetch origin "$HEAD_SHA"
  GITHUB_TOKEN=... fsar publish --repo octo-org/reports --pr 7 result.json audit/reports`,
		Args: func(_ *cobra.Command, args []string) error {
			switch len(args) {
			case 0:
				return usagef("publish needs a RESULT.json (or - for standard input) and the report folders to judge (PATH...)")
			case 1:
				return usagef("publish needs the report folders to judge again (PATH...) after %s: the result alone cannot say which reports there are", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			opts.File, opts.Paths = args[0], args[1:]
			if opts.now, err = parseNow(f.Now, opts.Now); err != nil {
				return err
			}
			if opts.failOn, err = gate.ParseFailOn(opts.FailOn); err != nil {
				return &usageError{err: err}
			}
			if !opts.Publish.enabled() {
				return usagef("--publish: name at least one of comment, check, status")
			}
			return publishRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Publish.Modes, "publish", strings.Join(github.Modes, ","), "where to publish: any of comment, check, status, separated by commas")
	fl.StringVar(&opts.FailOn, "fail-on", "review", "lowest verdict that fails the gate: warn, review or block; never for report-only (errors still exit 2)")
	opts.Limit = github.DefaultResultBytes
	fl.Var((*sizeFlag)(&opts.Limit), "max-size", "largest result file to read")
	opts.Publish.register(cmd, true)
	fl.Lookup("sha").Usage = "commit the result must be for (default: the head commit of the workflow_run that triggered the job)"
	fl.BoolVar(&opts.Publish.Changed, "changed", false, "judge only the reports the pull request adds or modifies (its file list)")
	fl.StringVar(&opts.Now, "now", "", "evaluation time of the new judgement, RFC 3339 (default: the current time)")
	registerPolicyFlags(cmd, &opts.Policy)
	return cmd
}

func publishRun(ctx context.Context, opts *publishOptions) error {
	res, err := github.ReadResultFile(opts.File, opts.IO.In, opts.Limit)
	if err != nil {
		return err
	}
	env, envErr := opts.Actions()
	gctx, err := github.NewContext(env, envErr, opts.Publish.target())
	if err == nil {
		gctx, err = gctx.ForResult(res, opts.Publish.target(), env.Event)
	}
	if err != nil {
		return err
	}
	selected, engine, err := loadEngine(ctx, opts.Policy, opts.now)
	if err != nil {
		return err
	}
	run := gate.RunOptions{DecidedBy: gate.DecidedBy{FSARVersion: buildinfo.Version, FSARCommit: buildinfo.Commit, PolicyDigest: engine.Digest(), PolicyRevision: selected.Revision(), Now: opts.now}}
	run.Waivers = waiversOf(engine, opts.now, env)
	var changed *github.ChangedReports
	if opts.Publish.Changed {
		if changed, err = github.Changed(ctx, gctx, nil, github.ChangedOptions{Client: opts.Publish.clientOptions(opts.Factory, false), Timeout: opts.Publish.Timeout}); err != nil {
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
		opts.warn("the result differs from fsar's own judgement of its reports (a forged or stale result); publishing fsar's:")
		for _, d := range differences {
			opts.warn("  " + escape.Terminal(d))
		}
	}
	return opts.Publish.publish(ctx, opts.Factory, judged, opts.failOn, nil)
}
