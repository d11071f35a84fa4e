package cli

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/app"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/github"
)

// This file holds the flags that say where to publish to GitHub, and
// `fsar publish RESULT.json`.

// registerPublishFlags adds the flags that say where and how to publish:
// all of them or (pullRequest false) those of a sweep's tracking issue.
// The pull request's are checked before the command runs; a sweep checks
// its own when it publishes.
func registerPublishFlags(cmd *cobra.Command, p *app.Publishing, pullRequest bool) {
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
		cmd.PreRunE = func(*cobra.Command, []string) error { return p.Validate(true) }
	}
}

func newPublishCmd(f *Factory) *cobra.Command {
	opts := &app.PublishOptions{Factory: f, Publish: app.Publishing{FromFile: true}}
	var failOn, now string
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
			if opts.Judge.Now, err = parseNow(f.Now, now); err != nil {
				return err
			}
			if opts.FailOn, err = gate.ParseFailOn(failOn); err != nil {
				return usageErr(err)
			}
			if !opts.Publish.Enabled() {
				return usagef("--publish: name at least one of comment, check, status")
			}
			return app.Publish(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Publish.Modes, "publish", strings.Join(github.Modes, ","), "where to publish: any of comment, check, status, separated by commas")
	fl.StringVar(&failOn, "fail-on", "review", "lowest verdict that fails the gate: warn, review or block; never for report-only (errors still exit 2)")
	opts.Limit = github.DefaultResultBytes
	fl.Var((*sizeFlag)(&opts.Limit), "max-size", "largest result file to read")
	registerPublishFlags(cmd, &opts.Publish, true)
	fl.Lookup("sha").Usage = "commit the result must be for (default: the head commit of the workflow_run that triggered the job)"
	fl.BoolVar(&opts.Publish.Changed, "changed", false, "judge only the reports the pull request adds or modifies (its file list)")
	fl.StringVar(&now, "now", "", "evaluation time of the new judgement, RFC 3339 (default: the current time)")
	registerPolicyFlags(cmd, &opts.Judge.Policy)
	return cmd
}
