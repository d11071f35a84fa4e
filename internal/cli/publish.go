package cli

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/ghref"
	"github.com/fsar-gate/fsar/internal/github"
	"github.com/fsar-gate/fsar/internal/proposal"
	"github.com/fsar-gate/fsar/internal/report"
)

// This file publishes verdicts to GitHub: `fsar publish RESULT.json`, and
// the entry point that `fsar check --publish` calls. It reads the GitHub
// Actions environment; internal/github never does.

// publishOptions are the flags that say where and how to publish, shared
// by `fsar check --publish` and `fsar publish`.
type publishOptions struct {
	Modes         string        // --publish
	Changed       bool          // --changed (check only)
	Repo          string        // --repo
	PR            int           // --pr
	SHA           string        // --sha
	APIURL        string        // --api-url
	Name          string        // --check-name
	ApprovalLabel string        // --approval-label
	Required      bool          // --publish-required
	Timeout       time.Duration // --publish-timeout
	CommentAuthor string        // --comment-author
	Pace          time.Duration // --github-pace (hidden)

	// What the calling command has already written, so that the
	// fallback of a failed posting does not write it twice.
	wroteSummary     bool
	wroteAnnotations bool
	// result is set by `fsar publish`: the result came from another job.
	fromFile bool
}

// registerPublishFlags adds the publishing flags to `fsar check`: --publish
// (off by default), --changed and the flags that say where to publish.
// Their values are checked before the command runs.
func registerPublishFlags(cmd *cobra.Command, opts *publishOptions) {
	fl := cmd.Flags()
	fl.StringVar(&opts.Modes, "publish", "", "publish the verdict on GitHub: any of comment, check, status, separated by commas")
	fl.BoolVar(&opts.Changed, "changed", false, "on a pull request, check only the reports it adds or modifies (its file list, or git diff BASE...HEAD without a token)")
	registerTargetFlags(cmd, opts)
}

// registerTargetFlags adds the flags that say where and how to publish,
// and checks them before the command runs.
func registerTargetFlags(cmd *cobra.Command, opts *publishOptions) {
	fl := cmd.Flags()
	fl.StringVar(&opts.Repo, "repo", "", "repository to publish to, OWNER/REPO (default $GITHUB_REPOSITORY)")
	fl.IntVar(&opts.PR, "pr", 0, "pull request number (default: from $GITHUB_EVENT_PATH)")
	fl.StringVar(&opts.SHA, "sha", "", "head commit the verdict is for (default: the pull request's head from $GITHUB_EVENT_PATH, else $GITHUB_SHA)")
	fl.StringVar(&opts.APIURL, "api-url", "", "GitHub REST API URL (default $GITHUB_API_URL, else "+github.DefaultAPIURL+")")
	fl.StringVar(&opts.Name, "check-name", github.DefaultCheckName, "name of the check run and context of the status")
	fl.StringVar(&opts.ApprovalLabel, "approval-label", github.DefaultApprovalLabel, "label by which a user with write access approves a review verdict (empty: no approval)")
	fl.BoolVar(&opts.Required, "publish-required", false, "exit 3 when the verdict cannot be published (by default a warning)")
	fl.DurationVar(&opts.Timeout, "publish-timeout", 2*time.Minute, "deadline for publishing, retries and rate-limit waits included")
	fl.StringVar(&opts.CommentAuthor, "comment-author", "", "login of fsar's sticky comment, for tokens GitHub gives no identity for (default: the token's user, or "+github.ActionsBot+")")
	fl.DurationVar(&opts.Pace, "github-pace", github.DefaultBackoff, "first backoff after a failed request, and least gap between two writes")
	_ = fl.MarkHidden("github-pace")
	prev := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		if err := opts.validate(); err != nil {
			return err
		}
		if prev != nil {
			return prev(c, args)
		}
		return nil
	}
}

// enabled tells whether --publish asks for anything.
func (o *publishOptions) enabled() bool { return strings.TrimSpace(o.Modes) != "" }

func (o *publishOptions) validate() error {
	if _, err := github.ParseModes(o.Modes); err != nil {
		return usagef("--publish: %v", err)
	}
	if o.Repo != "" {
		if _, _, err := ghref.SplitRepository(o.Repo); err != nil {
			return usagef("--repo: %v", err)
		}
	}
	if o.PR < 0 {
		return usagef("--pr %d: expected a pull request number", o.PR)
	}
	if o.SHA != "" && !ghref.ValidSHA(o.SHA) {
		return usagef("--sha %q: expected a full 40-character commit id", o.SHA)
	}
	if o.APIURL != "" {
		if err := (github.Context{Owner: "o", Repo: "r", APIURL: o.APIURL}).Validate(); err != nil {
			return usagef("--api-url: %v", err)
		}
	}
	if o.Timeout <= 0 {
		return usagef("--publish-timeout %s: expected a positive duration", o.Timeout)
	}
	if o.Name == "" || len(o.Name) > 100 || strings.ContainsAny(o.Name, "\r\n") {
		return usagef("--check-name %q: expected a short name", o.Name)
	}
	return nil
}

// githubContext builds the publishing context from the GitHub Actions
// environment and the flags, which win.
func (o *publishOptions) githubContext(f *Factory) (github.Context, actions.Event, error) {
	env, err := f.Actions()
	c, err := github.NewContext(env, err, github.Target{Repo: o.Repo, PR: o.PR, SHA: o.SHA, APIURL: o.APIURL})
	return c, env.Event, err
}

// resultSubject is what `fsar check` records of where it ran, so that
// `fsar publish` can later refuse a result whose commit is no longer the
// pull request's head. It is nil outside GitHub (no repository or commit
// known).
func resultSubject(f *Factory, o *publishOptions) *gate.Subject {
	c, _, err := o.githubContext(f)
	if err != nil || !ghref.ValidSHA(c.HeadSHA) {
		return nil
	}
	return &gate.Subject{Repository: c.Repository(), PR: c.PR, SHA: c.HeadSHA, BaseRef: c.BaseRef}
}

// publishResult publishes res as the flags say and returns the command's
// outcome: the verdict's exit status (after human approval), or exit 3
// when publishing failed and --publish-required is set. A failed posting
// otherwise only warns, and falls back to the job summary and the log's
// annotations, so that the exit status reflects the verdict.
func publishResult(ctx context.Context, f *Factory, res *gate.Result, opts *publishOptions, failOn gate.Verdict) error {
	modes, err := github.ParseModes(opts.Modes)
	if err != nil {
		return usagef("--publish: %v", err)
	}
	verdict := func(v gate.Verdict, fails bool) error {
		switch {
		case v == gate.Error:
			return withCode(ExitError)
		case fails:
			return withCode(ExitFail)
		}
		return nil
	}
	failed := func(why error) error {
		// One line each: the error of each mode, then the advice.
		lines := strings.Split(why.Error(), "\n")
		fmt.Fprintf(f.IO.ErrOut, "fsar: warning: the verdict was not published to GitHub: %s\n", escape.Terminal(lines[0]))
		for _, l := range lines[1:] {
			fmt.Fprintf(f.IO.ErrOut, "fsar: warning: %s\n", escape.Terminal(strings.TrimSpace(l)))
		}
		publishFallback(f, res, opts)
		if opts.Required {
			return withCode(ExitPublish)
		}
		return nil
	}

	gctx, ev, err := opts.githubContext(f)
	if err != nil && opts.fromFile {
		return err
	}
	if err != nil {
		if e := failed(err); e != nil {
			return e
		}
		return verdict(res.Verdict, github.Fails(res.Verdict, failOn))
	}
	if opts.fromFile {
		s := res.Subject
		if s == nil || !ghref.ValidSHA(s.SHA) {
			return errors.New("refusing to publish: the result records no commit (write it with fsar check --format json in the pull request's workflow)")
		}
		if !strings.EqualFold(s.Repository, gctx.Repository()) {
			return fmt.Errorf("refusing to publish: the result is for %s, not %s", escape.Terminal(s.Repository), gctx.Repository())
		}
		// The commit the result must be for: --sha, or the head of the
		// run that triggered this workflow_run (set by GitHub).
		if want := cmp.Or(opts.SHA, ev.HeadSHA); want != "" && want != s.SHA {
			return fmt.Errorf("refusing to publish: the result is for commit %s, not %s", s.SHA, want)
		}
		gctx.HeadSHA = s.SHA
		if opts.PR == 0 && ev.PR == 0 {
			gctx.PR = s.PR
		}
		if gctx.PR <= 0 {
			return errors.New("refusing to publish: no pull request to check the result's commit against (use --pr)")
		}
	}
	client, err := github.NewClient(gctx, github.ClientOptions{
		Pace:      opts.Pace,
		UserAgent: "fsar/" + Version,
		Logf: func(format string, args ...any) {
			fmt.Fprintf(f.IO.ErrOut, "fsar: github: %s\n", escape.Terminal(fmt.Sprintf(format, args...)))
		},
	})
	if err != nil {
		return usagef("%v", err)
	}
	ro := markdownOptions(f, gctx, opts.fromFile)
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	out, err := client.Publish(ctx, res, github.Options{
		Modes:         modes,
		Name:          opts.Name,
		ApprovalLabel: opts.ApprovalLabel,
		FailOn:        failOn,
		CommentAuthor: opts.CommentAuthor,
		Markdown:      (&report.Markdown{Options: ro}).Format,
		PathOf:        func(file string) string { return ghref.RepoPath(file, ro.WorkDir, ro.RepoRoot) },
		RequireHead:   opts.fromFile,
	})
	for _, n := range out.Notes {
		fmt.Fprintf(f.IO.ErrOut, "fsar: %s\n", escape.Terminal(n))
	}
	pub := out.Publication
	var stale *github.StaleError
	if errors.As(err, &stale) {
		return err
	}
	if len(out.Posted) > 0 {
		where := gctx.Repository()
		if gctx.PR > 0 {
			where += fmt.Sprintf("#%d", gctx.PR)
		}
		fmt.Fprintf(f.IO.ErrOut, "fsar: published %s to %s at %.12s: %s\n", strings.Join(out.Posted, ", "), where, gctx.HeadSHA, escape.Terminal(pub.Title))
	}
	if err != nil {
		if errors.Is(err, github.ErrReadOnly) {
			err = fmt.Errorf("%w\nthe job summary and the log's annotations hold the verdict; a fork's pull request is published by a workflow_run job with fsar publish", err)
		}
		if e := failed(err); e != nil {
			return e
		}
	}
	return verdict(pub.Effective, pub.Fails)
}

// publishFallback writes the verdict where a job can always write it: the
// job summary and the log's annotations, unless the command already did.
func publishFallback(f *Factory, res *gate.Result, opts *publishOptions) {
	o := markdownOptions(f, github.Context{}, false)
	env, _ := f.Actions()
	if path := env.StepSummary; path != "" && !opts.wroteSummary {
		if err := appendSummary(f, path, o, res); err != nil {
			fmt.Fprintf(f.IO.ErrOut, "fsar: warning: %s\n", escape.Terminal(err.Error()))
		}
	}
	if env.Actions && !opts.wroteAnnotations {
		if err := (&report.GitHub{Options: o}).Format(f.IO.ErrOut, res); err != nil {
			fmt.Fprintf(f.IO.ErrOut, "fsar: warning: %s\n", escape.Terminal(err.Error()))
		}
	}
}

// markdownOptions are the formatters' options for what is published: in
// the context's repository, with links to the files of the commit the
// command read (actions.Env.LinkSHA), or, for a result written by another
// job (fromFile), of the commit that result was computed for.
func markdownOptions(f *Factory, c github.Context, fromFile bool) report.Options {
	o := reportOptions(f, nil, &outputPlan{})
	if c.Owner != "" {
		o.Repository = c.Repository()
		o.ServerURL = c.ServerURL
		o.RunURL = c.RunURL
	}
	if fromFile {
		o.SHA = c.HeadSHA
	}
	o.MaxBytes = github.CommentLimit - 1024
	return o
}

// changedFilter keeps the units whose report a pull request adds or
// modifies: from the pull request's file list when there is a token, else
// from git diff --name-only BASE...HEAD. Paths from either are relative to
// the repository's root ($GITHUB_WORKSPACE, else git's top level, else the
// working folder). It returns the filter and where the list came from.
func changedFilter(ctx context.Context, f *Factory, opts *publishOptions) (func(proposal.Unit) bool, string, error) {
	gctx, _, err := opts.githubContext(f)
	var files []string
	var source string
	switch {
	case err == nil && gctx.Token != "" && gctx.PR > 0:
		client, cerr := github.NewClient(gctx, github.ClientOptions{Pace: opts.Pace, UserAgent: "fsar/" + Version})
		if cerr != nil {
			return nil, "", cerr
		}
		tctx, cancel := context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
		if files, err = client.ChangedFiles(tctx, gctx.PR); err != nil {
			return nil, "", fmt.Errorf("--changed: %w", err)
		}
		source = fmt.Sprintf("pull request #%d", gctx.PR)
	default:
		base := gctx.BaseSHA
		if base == "" && gctx.BaseRef != "" {
			base = "origin/" + gctx.BaseRef
		}
		if base == "" {
			return nil, "", usagef("--changed needs a pull request: a token (GITHUB_TOKEN) and its number, or its base branch for git diff")
		}
		if strings.HasPrefix(base, "-") {
			return nil, "", usagef("--changed: base %q is not a commit", base)
		}
		outb, gerr := gitOutput(ctx, "diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", base+"...HEAD")
		if gerr != nil {
			return nil, "", fmt.Errorf("--changed: git diff %s...HEAD: %w", base, gerr)
		}
		for _, p := range strings.Split(string(outb), "\x00") {
			if p != "" {
				files = append(files, p)
			}
		}
		source = "git diff " + base + "...HEAD"
	}
	env, _ := f.Actions()
	root := env.Workspace
	if root == "" {
		if top, gerr := gitOutput(ctx, "rev-parse", "--show-toplevel"); gerr == nil {
			root = strings.TrimSpace(string(top))
		} else if root, err = os.Getwd(); err != nil {
			return nil, "", err
		}
	}
	changed := map[string]bool{}
	for _, p := range files {
		changed[filepath.Join(root, filepath.FromSlash(p))] = true
	}
	isChanged := func(p string) bool {
		if p == "" {
			return false
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return false
		}
		if changed[abs] {
			return true
		}
		// The root may be reached through a symbolic link.
		if real, err := filepath.EvalSymlinks(abs); err == nil && changed[real] {
			return true
		}
		return false
	}
	return func(u proposal.Unit) bool {
		return u.Path == proposal.Stdin || isChanged(u.Path) || isChanged(u.Twin)
	}, source, nil
}

func gitOutput(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("%w: %s", err, msg)
		}
		return nil, err
	}
	return out, nil
}

// publishCmdOptions are the flags of `fsar publish`.
type publishCmdOptions struct {
	File    string
	FailOn  string
	MaxSize string
	Publish publishOptions
}

func newPublishCmd(f *Factory) *cobra.Command {
	opts := &publishCmdOptions{}
	cmd := &cobra.Command{
		Use:   "publish RESULT.json",
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
  fsar publish --sha "$HEAD_SHA" fsar-result/fsar-result.json

  # outside Actions
  GITHUB_TOKEN=... fsar publish --repo octo-org/reports --pr 7 result.json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("publish needs exactly one RESULT.json (or - for standard input)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			switch opts.FailOn {
			case "warn", "review", "block":
			default:
				return usagef("--fail-on %q: expected warn, review or block", opts.FailOn)
			}
			if !opts.Publish.enabled() {
				return usagef("--publish: name at least one of comment, check, status")
			}
			return publishRun(cmd, f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Publish.Modes, "publish", strings.Join(github.Modes, ","), "where to publish: any of comment, check, status, separated by commas")
	fl.StringVar(&opts.FailOn, "fail-on", "review", "lowest verdict that fails the gate: warn, review or block")
	fl.StringVar(&opts.MaxSize, "max-size", "16MiB", "largest result file to read")
	registerTargetFlags(cmd, &opts.Publish)
	fl.Lookup("sha").Usage = "commit the result must be for (default: the head commit of the workflow_run that triggered the job)"
	return cmd
}

func publishRun(cmd *cobra.Command, f *Factory, opts *publishCmdOptions) error {
	limit, err := parseSize(opts.MaxSize)
	if err != nil {
		return usagef("--max-size: %v", err)
	}
	in := f.IO.In
	if opts.File != "-" {
		file, err := os.Open(opts.File)
		if err != nil {
			return fmt.Errorf("%s: %w", opts.File, unwrapPath(err))
		}
		defer file.Close()
		in = file
	}
	res, err := github.ReadResult(in, limit)
	if err != nil {
		return fmt.Errorf("%s: %w", opts.File, err)
	}
	failOn, _ := gate.ParseVerdict(opts.FailOn)
	opts.Publish.fromFile = true
	return publishResult(cmd.Context(), f, res, &opts.Publish, failOn)
}
