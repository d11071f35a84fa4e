package cli

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/attest"
	"github.com/fsar-gate/fsar/internal/buildinfo"
	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/ghref"
	"github.com/fsar-gate/fsar/internal/gitfs"
	"github.com/fsar-gate/fsar/internal/github"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/progress"
	"github.com/fsar-gate/fsar/internal/proposal"
	"github.com/fsar-gate/fsar/internal/report"
)

// checkOptions are the options of `fsar check`: its flags, and what the
// flags were found to mean before it runs.
type checkOptions struct {
	*Factory
	outputFlags
	Paths []string
	judgeFlags
	FailOn     string
	AllowEmpty bool
	Quiet      bool
	ReportsRef string
	Publish    publishFlags
	attest     attestFlags
	failOn     gate.Verdict
}

func newCheckCmd(f *Factory) *cobra.Command {
	opts := &checkOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "check [PATH|-]...",
		Short: "Judge FSAR reports with the policies: pass, warn, review or block",
		Long: `Judge FSAR reports with Rego policies.

Every report is read (files, folders walked for reports, quoted globs, "-"
for standard input), evaluated by every policy on all cores at one pinned
time, and given a verdict: its worst finding. deny blocks; review blocks
until a human approves; warn advises.

The bundled default policies encode the FSAR rules (see 'fsar policy doc').
--policy adds folders of your own; --bundle adds OPA bundles (a .tar.gz as
'opa build' or 'fsar policy build' writes it, a folder, or an https:// URL),
whose signatures --verification-key verifies before anything in them is
read; --no-default-policies uses only those.
Configuration (thresholds, maximum age, ...) comes from .fsar.yaml or
--config and reaches the policies as data.fsar.config.

Exit status: 0 when no report reaches --fail-on (default review); 1 when one
does; 2 on any usage, read, policy or evaluation error — a report that could
not be read or judged never passes. One bad file does not stop the others
from being checked and reported.`,
		Example: `  # check the example reports with the bundled policies
  fsar check proposals/

  # machine-readable result, reproducible: the clock pinned
  fsar check --format json --now 2026-11-25T00:00:00Z audit/reports/

  # your own policies beside the defaults, failing on warnings too
  fsar check --policy ./policy --fail-on warn reports/

  # a team's signed policy bundle, verified before it is used
  fsar check --bundle https://policies.example.com/team.tar.gz --verification-key team.pub reports/

  # in GitHub Actions: annotations in the log, SARIF and JUnit files beside
  fsar check --format github --output sarif=fsar.sarif --output junit=fsar.xml reports/`,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.Paths = args; len(args) == 0 {
				return usagef("check needs at least one PATH or - (standard input)")
			}
			if opts.failOn, err = gate.ParseFailOn(opts.FailOn); err != nil {
				return &usageError{err: err}
			}
			if err := opts.parse(f.Now); err != nil {
				return err
			}
			if err := checkPolicyFlags(cmd, f, &opts.Policy); err != nil {
				return err
			}
			opts.Inputs = opts.Paths
			if opts.Outputs, err = opts.attest.take(opts.Outputs, f.Getenv); err != nil {
				return err
			}
			if err := opts.makePlan(cmd, f, checkFormat, "sarif=fsar.sarif"); err != nil {
				return err
			}
			return checkRun(cmd.Context(), opts)
		},
	}
	opts.outputFlags.register(cmd, append(report.Names(), attest.FormatRun), "sarif=fsar.sarif", "verdict")
	fl := cmd.Flags()
	fl.StringVar(&opts.FailOn, "fail-on", "review", "lowest verdict that fails the gate: warn, review or block; never for report-only (errors still exit 2)")
	fl.BoolVar(&opts.AllowEmpty, "allow-empty", false, "pass when the paths hold no FSAR report (by default that is an error)")
	fl.BoolVarP(&opts.Quiet, "quiet", "q", false, "text: write only the reports at or above --fail-on, the errors and the summary")
	fl.StringVar(&opts.ReportsRef, "reports-ref", "", "read the report files and folders as they are at this git revision, from its objects, without a checkout")
	fl.BoolVar(&opts.StepOutputs, "github-output", false, "write verdict, counts and the --output paths as step outputs to $GITHUB_OUTPUT")
	opts.judgeFlags.register(cmd)
	opts.attest.register(cmd)
	opts.Publish.register(cmd, true)
	fl.StringVar(&opts.Publish.Modes, "publish", "", "publish the verdict on GitHub: any of comment, check, status, separated by commas")
	fl.BoolVar(&opts.Publish.Changed, "changed", false, "on a pull request, check only the reports it adds or modifies (its file list, or git diff BASE...HEAD without a token)")
	return cmd
}

func checkRun(ctx context.Context, opts *checkOptions) error {
	selected, engine, err := loadEngine(ctx, opts.Policy, opts.now)
	if err != nil {
		return err
	}
	env, envErr := opts.Actions()
	gctx, cerr := github.NewContext(env, envErr, opts.Publish.target())
	src := gate.Source{Paths: opts.Paths}
	var subject *gate.Subject
	if cerr == nil {
		subject = gctx.Subject()
	}
	var commit string // the commit the reports were read at, when known
	if opts.ReportsRef != "" {
		if slices.Contains(opts.Paths, proposal.Stdin) {
			return usagef("--reports-ref reads reports from git objects: standard input (-) is not one of them")
		}
		snap, err := gitfs.Take(ctx, ".", opts.ReportsRef, proposal.Footprint(opts.Paths))
		if err != nil {
			return fmt.Errorf("--reports-ref: %w", err)
		}
		if opts.Publish.enabled() && cerr == nil && snap.Commit != gctx.HeadSHA {
			return usagef("--reports-ref %s is commit %s, but the verdict would be published on %s: name it with --sha", escape.Terminal(opts.ReportsRef), snap.Commit, gctx.HeadSHA)
		}
		src.Walk.FS, commit = snap.FS, snap.Commit
		if subject != nil {
			subject.SHA = snap.Commit // the commit the reports were read at
		}
	}
	allowEmpty := opts.AllowEmpty
	var changed *github.ChangedReports
	if opts.Publish.Changed {
		changed, err = github.Changed(ctx, gctx, cerr, github.ChangedOptions{
			Client: opts.Publish.clientOptions(opts.Factory, false), Timeout: opts.Publish.Timeout, Head: commit,
		})
		if errors.Is(err, github.ErrNoPullRequest) {
			return &usageError{err: err}
		} else if err != nil {
			return err
		}
		src.Keep, allowEmpty = changed.Keep, true
	}
	notices, err := selected.ChangeNotices(ctx)
	if err != nil {
		return err
	}
	waivers := waiversOf(engine, opts.now, env)
	if waivers != nil && cerr == nil && gctx.PR > 0 {
		waivers.Changed = prChanges(ctx, opts.Factory, &opts.Publish, gctx, changed)
	}
	o := reportOptions(env, engine.Rules(), opts.Quiet, opts.failOn)
	live := opts.liveText(o)
	res, walked := gate.Run(ctx, engine, gate.RunOptions{
		Source:     src,
		Options:    gate.Options{Limits: opts.limits, Stdin: opts.IO.In, Progress: live.display(), Waivers: waivers},
		AllowEmpty: allowEmpty,
		DecidedBy: gate.DecidedBy{FSARVersion: buildinfo.Version, FSARCommit: buildinfo.Commit, PolicyDigest: engine.Digest(), PolicyRevision: selected.Revision(),
			PolicyBundles: engine.Bundles(), Now: opts.now},
		Notices: notices,
		Subject: subject,
		Each:    live.each(),
		Drop:    live != nil && opts.onlyStdout(),
	})
	live.stop()
	if changed != nil {
		fmt.Fprintf(opts.IO.ErrOut, "fsar: %s\n", escape.Terminal(changed.Account(res, walked, opts.Paths)))
	}
	// The approval is looked up first, so that the outputs record it, and
	// the verdict is posted only once they are written: an output that
	// cannot be written is exit 2 with nothing posted.
	if opts.Publish.enabled() {
		res.Approval = opts.Publish.approval(ctx, opts.Factory, res, opts.failOn)
	}
	if err := writeCheck(ctx, opts, env, o, live, res, selected, commit); err != nil {
		return err
	}
	if opts.Publish.enabled() {
		pub, err := opts.Publish.post(ctx, opts.Factory, res, opts.failOn)
		return opts.Publish.finish(opts.Factory, pub, err, res, opts.failOn, opts.plan)
	}
	return verdictStatus(res.Verdict, res.Verdict >= opts.failOn)
}

// writeCheck writes the result as the plan says: the --format on standard
// output (the text format ends what live wrote as the reports came), every
// --output file, the job summary and the step outputs.
func writeCheck(ctx context.Context, opts *checkOptions, env *actions.Env, o report.Options, live *liveText, res *gate.Result, sel *policy.Selected, commit string) error {
	o.ResultFiles = opts.plan.Paths("json", "sarif", "junit", "text")
	att := opts.attest.attester(env, o, sel, opts.failOn, commit, opts.Paths)
	render := withAttestation(ctx, o.Renderer(res, func(w io.Writer) bool { return w == opts.IO.Out && opts.IO.ColorEnabled() }), att, res)
	outputs, err := opts.plan.CheckOutputs(res)
	if err != nil {
		return err
	}
	stdout := opts.IO.Out
	if live != nil {
		if err := live.finish(res); err != nil {
			return err
		}
		stdout = nil // written already
	}
	if err := opts.plan.Write(stdout, render, o.Summary(res), outputs, opts.warn); err != nil {
		return err
	}
	return opts.attest.writeDirs(ctx, att, res)
}

// reportOptions are the formatters' options: the rules the engine
// evaluated, where the reports are on GitHub, and what the text format
// leaves out (--quiet, below --fail-on).
func reportOptions(env *actions.Env, rules []policy.Rule, quiet bool, failOn gate.Verdict) report.Options {
	o := report.Options{Rules: rules, Quiet: quiet, FailOn: failOn}
	wd, _ := os.Getwd()
	o.Locate(env, wd)
	return o
}

// waiversOf are the engine's configured waivers, applied at now, their
// globs matching repository paths.
func waiversOf(e *policy.Engine, now time.Time, env *actions.Env) *gate.Waivers {
	ws := e.Config().Waivers
	if len(ws) == 0 {
		return nil
	}
	o := reportOptions(env, nil, false, 0)
	return &gate.Waivers{List: ws, Now: now, RepoPath: func(file string) string { return ghref.RepoPath(file, o.WorkDir, o.RepoRoot) }}
}

// prChanges tells, on a pull request, which reports it adds or changes:
// no waiver applies to them (see gate.Waivers.Changed). The list is
// --changed's when there is one, else looked up the same way; when it
// cannot be, no waiver applies on the pull request at all.
func prChanges(ctx context.Context, f *Factory, p *publishFlags, gctx github.Context, changed *github.ChangedReports) func(file, twin string) bool {
	if changed == nil {
		var err error
		changed, err = github.Changed(ctx, gctx, nil, github.ChangedOptions{Client: p.clientOptions(f, false), Timeout: p.Timeout})
		if err != nil {
			f.warn("waivers do not apply on this pull request: the reports it changes are not known: " + escape.Terminal(err.Error()))
			return func(string, string) bool { return true }
		}
	}
	return func(file, twin string) bool { return changed.Keep(proposal.Unit{Path: file, Twin: twin}) }
}

// onlyStdout tells whether standard output is all the check writes: no
// --output file, job summary, step outputs, attestation or publication
// needs the reports once they are written.
func (opts *checkOptions) onlyStdout() bool {
	return len(opts.plan.Files) == 0 && len(opts.attest.dirs) == 0 && opts.plan.Summary == "" && opts.plan.StepOutputs == "" && !opts.Publish.enabled()
}

// liveText is the text format on standard output, written as the reports
// are judged, with the progress display on a terminal.
type liveText struct {
	stream   *report.TextStream
	buffered *bufio.Writer // standard output, when it is not a terminal
	progress *progress.Progress
}

// liveText returns the live text output, or nil when standard output
// takes another format.
func (opts *checkOptions) liveText(o report.Options) *liveText {
	if opts.plan.Format != "text" {
		return nil
	}
	l := &liveText{}
	out := opts.IO.Out
	if opts.IO.ErrTTY {
		l.progress = progress.New(opts.IO.ErrOut, "checking", opts.Factory.Now)
		l.progress.Start(progressDelay, progressInterval)
	}
	switch {
	case !opts.IO.OutTTY:
		l.buffered = bufio.NewWriterSize(out, 64<<10)
		out = l.buffered
	case l.progress != nil:
		out = l.progress.Writer(out) // the same terminal: the display is erased first
	}
	t := report.Text{Color: opts.IO.ColorEnabled(), Quiet: o.Quiet, FailOn: o.FailOn}
	l.stream = t.Stream(out)
	return l
}

func (l *liveText) display() *progress.Progress {
	if l == nil {
		return nil
	}
	return l.progress
}

func (l *liveText) each() func(gate.Judged) {
	if l == nil {
		return nil
	}
	return l.stream.Judged
}

// stop ends the progress display.
func (l *liveText) stop() {
	if l != nil && l.progress != nil {
		l.progress.Stop()
	}
}

// finish writes the end of the text: errors, notices, the summary.
func (l *liveText) finish(res *gate.Result) error {
	err := l.stream.Finish(res)
	if l.buffered != nil {
		err = cmp.Or(err, l.buffered.Flush())
	}
	return err
}
