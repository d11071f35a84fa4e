package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/fsar-gate/fsar/internal/buildinfo"
	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/github"
	"github.com/fsar-gate/fsar/internal/output"
	"github.com/fsar-gate/fsar/internal/progress"
	"github.com/fsar-gate/fsar/internal/sweep"
)

// SweepOutputs are where a sweep's result goes, and what makes the exit
// status 1.
type SweepOutputs struct {
	Plan   *output.Plan
	FailOn sweep.FailOn
}

// write writes the result to standard output, to every --output file and
// to the job summary, and maps it onto the exit status: errors (in the
// sweep, or in writing) 2; a blocking report or an alert 1, as --fail-on
// says; else 0.
func (o *SweepOutputs) write(f *Factory, res *sweep.Result) error {
	if err := o.Plan.Write(f.IO.Out, sweep.Renderer(res), sweep.Summary(res), nil, f.Warn); err != nil {
		return err
	}
	return VerdictStatus(res.Verdict, res.Fails(o.FailOn))
}

// SweepOptions are the options of `fsar sweep`.
type SweepOptions struct {
	*Factory
	Sweep        sweep.Options
	Baseline     string // --baseline FILE
	BaselineFrom string // --baseline-from: "issue" or ""
	Publish      string // --publish: "issue" or ""
	Target       Publishing
	Out          SweepOutputs
	Judge        Judge
}

// Sweep judges every report under the paths and writes the sweep, keeping
// the tracking issue when asked.
func Sweep(ctx context.Context, opts *SweepOptions) (err error) {
	if opts.Getenv("GOGC") == "" && opts.Getenv("GOMEMLIMIT") == "" {
		defer sweep.LimitMemory()()
	}
	so := opts.Sweep
	if err := opts.loadBaseline(ctx, &so); err != nil {
		return err
	}
	now := opts.Judge.Now
	_, engine, err := LoadEngine(ctx, opts.Judge.Policy, now)
	if err != nil {
		return err
	}
	so.DecidedBy = gate.DecidedBy{FSARVersion: buildinfo.Version, FSARCommit: buildinfo.Commit, OPAVersion: buildinfo.OPA, PolicyDigest: engine.Digest(),
		PolicyBundles: engine.Bundles(), Now: now}
	so.Limits = opts.Judge.Limits
	env, envErr := opts.Actions()
	so.Waivers = waiversOf(engine, now, env)
	so.Stdin = opts.IO.In
	if opts.IO.ErrTTY {
		so.Progress = progress.New(opts.IO.ErrOut, "sweeping", opts.Now)
		so.Progress.Start(progressDelay, progressInterval)
	}
	res, err := sweep.Run(ctx, engine, so)
	if so.Progress != nil {
		so.Progress.Stop()
	}
	if err != nil {
		return err
	}
	if envErr == nil {
		wd, _ := os.Getwd()
		res.Links.Locate(env, wd)
	}
	status := opts.Out.write(opts.Factory, res)
	if opts.Publish != "" {
		if err := publishIssue(ctx, opts.Factory, &opts.Target, res); err != nil {
			return err
		}
	}
	return status
}

// loadBaseline finds the baseline --baseline or --baseline-from names.
// A baseline file that does not exist yet, or a repository without a
// tracking issue (or one that keeps no baseline), is the first sweep: said
// in the result, not an error. Anything else that keeps the baseline from
// being read is an error: a sweep never compares with nothing silently.
func (opts *SweepOptions) loadBaseline(ctx context.Context, so *sweep.Options) (err error) {
	switch {
	case opts.Baseline != "":
		so.BaselineFrom = opts.Baseline
		so.Baseline, err = sweep.LoadBaseline(opts.Baseline)
		if errors.Is(err, fs.ErrNotExist) {
			so.BaselineMissing = true
		} else if err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
	case opts.BaselineFrom == "issue":
		env, envErr := opts.Actions()
		gctx, err := github.NewContext(env, envErr, opts.Target.Target())
		var found *github.TrackedBody
		if err == nil {
			found, err = github.ReadTrackingIssue(ctx, gctx, opts.Target.clientOptions(opts.IO.ErrOut), opts.Target.Timeout, sweep.MarkerFor(so.Paths))
		}
		if err != nil {
			return fmt.Errorf("--baseline-from issue: %w", err)
		}
		so.BaselineFrom = "the tracking issue of " + gctx.Repository()
		if found == nil {
			so.BaselineMissing = true
			return nil
		}
		where := fmt.Sprintf("tracking issue %s#%d", gctx.Repository(), found.Number)
		so.BaselineFrom = where
		var ok bool
		so.Baseline, ok, err = sweep.BaselineFromIssue(found.Body)
		if err != nil {
			return fmt.Errorf("--baseline-from issue: %s: %w", where, err)
		}
		so.BaselineMissing = !ok
		if opts.Publish == "" {
			opts.Warn("--baseline-from issue without --publish issue: this sweep does not leave its own baseline in the issue, so the next one compares with the same")
		}
	}
	return nil
}

// publishIssue keeps the tracking issue of the sweep: opened or updated
// with the markdown summary and the sweep's baseline (hidden) while the
// sweep is not clean, closed when it is. A failure is a warning, or exit 3
// with --publish-required.
func publishIssue(ctx context.Context, f *Factory, p *Publishing, res *sweep.Result) error {
	body, err := sweep.IssueBody(res)
	var out *github.IssueOutcome
	var gctx github.Context
	if err == nil {
		env, envErr := f.Actions()
		gctx, err = github.NewContext(env, envErr, p.Target())
	}
	if err == nil {
		out, err = github.KeepTrackingIssue(ctx, gctx, p.clientOptions(f.IO.ErrOut), p.Timeout,
			sweep.TrackingMarker(res), sweep.IssueTitle(res), body, !res.Clean)
	}
	if err != nil {
		return p.failed(f, "tracking issue", err)
	}
	for _, line := range out.Lines(gctx.Repository()) {
		fmt.Fprintf(f.IO.ErrOut, "fsar: %s\n", escape.Terminal(line))
	}
	return nil
}

// SweepMergeOptions are the options of `fsar sweep merge`.
type SweepMergeOptions struct {
	*Factory
	Results  []string
	Baseline string
	Out      SweepOutputs
}

// SweepMerge merges the shards' results into the result of one run, and
// writes it.
func SweepMerge(opts *SweepMergeOptions) error {
	res, err := sweep.MergeFiles(opts.Results, opts.Baseline)
	if err != nil {
		return err
	}
	return opts.Out.write(opts.Factory, res)
}
