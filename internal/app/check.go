package app

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/buildinfo"
	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/ghref"
	"github.com/fsar-gate/fsar/internal/gitfs"
	"github.com/fsar-gate/fsar/internal/github"
	"github.com/fsar-gate/fsar/internal/output"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/progress"
	"github.com/fsar-gate/fsar/internal/proposal"
	"github.com/fsar-gate/fsar/internal/report"
)

// CheckOptions are the options of `fsar check`.
type CheckOptions struct {
	*Factory
	Paths      []string
	Judge      Judge
	FailOn     gate.Verdict
	AllowEmpty bool
	Quiet      bool
	ReportsRef string
	Publish    Publishing
	Attest     Attesting
	Plan       *output.Plan
}

// Check judges the reports, writes the result as the plan says, and
// publishes it when asked.
func Check(ctx context.Context, opts *CheckOptions) error {
	now := opts.Judge.Now
	selected, engine, err := LoadEngine(ctx, opts.Judge.Policy, now)
	if err != nil {
		return err
	}
	env, envErr := opts.Actions()
	gctx, cerr := github.NewContext(env, envErr, opts.Publish.Target())
	src := gate.Source{Paths: opts.Paths}
	var subject *gate.Subject
	if cerr == nil {
		subject = gctx.Subject()
	}
	var commit string // the commit the reports were read at, when known
	if opts.ReportsRef != "" {
		snap, err := gitfs.Take(ctx, ".", opts.ReportsRef, proposal.Footprint(opts.Paths))
		if err != nil {
			return fmt.Errorf("--reports-ref: %w", err)
		}
		if opts.Publish.Enabled() && cerr == nil && snap.Commit != gctx.HeadSHA {
			return Usagef("--reports-ref %s is commit %s, but the verdict would be published on %s: name it with --sha", escape.Terminal(opts.ReportsRef), snap.Commit, gctx.HeadSHA)
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
			Client: opts.Publish.clientOptions(nil), Timeout: opts.Publish.Timeout, Head: commit,
		})
		if errors.Is(err, github.ErrNoPullRequest) {
			return &UsageError{Err: err}
		} else if err != nil {
			return err
		}
		src.Keep, allowEmpty = changed.Keep, true
	}
	notices, err := selected.ChangeNotices(ctx)
	if err != nil {
		return err
	}
	waivers := waiversOf(engine, now, env)
	if waivers != nil && cerr == nil && gctx.PR > 0 {
		waivers.Changed = prChanges(ctx, opts.Factory, &opts.Publish, gctx, changed)
	}
	o := reportOptions(env, engine.Rules(), opts.Quiet, opts.FailOn)
	live := opts.liveText(o)
	res, walked := gate.Run(ctx, engine, gate.RunOptions{
		Source:     src,
		Options:    gate.Options{Limits: opts.Judge.Limits, Stdin: opts.IO.In, Progress: live.display(), Waivers: waivers},
		AllowEmpty: allowEmpty,
		DecidedBy: gate.DecidedBy{FSARVersion: buildinfo.Version, FSARCommit: buildinfo.Commit, PolicyDigest: engine.Digest(), PolicyRevision: selected.Revision(),
			PolicyBundles: engine.Bundles(), Now: now},
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
	if opts.Publish.Enabled() {
		res.Approval = opts.Publish.approval(ctx, opts.Factory, res, opts.FailOn)
	}
	if err := writeCheck(ctx, opts, env, o, live, res, selected, commit); err != nil {
		return err
	}
	if opts.Publish.Enabled() {
		return opts.Publish.publish(ctx, opts.Factory, res, opts.FailOn, opts.Plan)
	}
	return VerdictStatus(res.Verdict, res.Verdict >= opts.FailOn)
}

// writeCheck writes the result as the plan says: the --format on standard
// output (the text format ends what live wrote as the reports came), every
// --output file, the job summary and the step outputs.
func writeCheck(ctx context.Context, opts *CheckOptions, env *actions.Env, o report.Options, live *liveText, res *gate.Result, sel *policy.Selected, commit string) error {
	o.ResultFiles = opts.Plan.Paths("json", "sarif", "junit", "text")
	att := opts.Attest.attester(env, o, sel, opts.FailOn, commit, opts.Paths)
	render := withAttestation(ctx, o.Renderer(res, func(w io.Writer) bool { return w == opts.IO.Out && opts.IO.ColorEnabled() }), att, res)
	outputs, err := opts.Plan.CheckOutputs(res)
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
	if err := opts.Plan.Write(stdout, render, o.Summary(res), outputs, opts.Warn); err != nil {
		return err
	}
	return opts.Attest.writeDirs(ctx, att, res)
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
func prChanges(ctx context.Context, f *Factory, p *Publishing, gctx github.Context, changed *github.ChangedReports) func(file, twin string) bool {
	if changed == nil {
		var err error
		changed, err = github.Changed(ctx, gctx, nil, github.ChangedOptions{Client: p.clientOptions(nil), Timeout: p.Timeout})
		if err != nil {
			f.Warn("waivers do not apply on this pull request: the reports it changes are not known: " + escape.Terminal(err.Error()))
			return func(string, string) bool { return true }
		}
	}
	return func(file, twin string) bool { return changed.Keep(proposal.Unit{Path: file, Twin: twin}) }
}

// onlyStdout tells whether standard output is all the check writes: no
// --output file, job summary, step outputs, attestation or publication
// needs the reports once they are written.
func (opts *CheckOptions) onlyStdout() bool {
	return len(opts.Plan.Files) == 0 && len(opts.Attest.Dirs) == 0 && opts.Plan.Summary == "" && opts.Plan.StepOutputs == "" && !opts.Publish.Enabled()
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
func (opts *CheckOptions) liveText(o report.Options) *liveText {
	if opts.Plan.Format != "text" {
		return nil
	}
	l := &liveText{}
	out := opts.IO.Out
	if opts.IO.ErrTTY {
		l.progress = progress.New(opts.IO.ErrOut, "checking", opts.Now)
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
