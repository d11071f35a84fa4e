package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/buildinfo"
	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/github"
	"github.com/fsar-gate/fsar/internal/progress"
	"github.com/fsar-gate/fsar/internal/proposal"
	"github.com/fsar-gate/fsar/internal/sweep"
)

// sweepOutputs are the output flags of `fsar sweep` and `fsar sweep
// merge`, as `fsar check` has them, and what makes the exit status 1.
type sweepOutputs struct {
	outputFlags
	FailOn []string
	failOn sweep.FailOn
}

func (o *sweepOutputs) register(cmd *cobra.Command) {
	o.outputFlags.register(cmd, sweep.Formats, "html=sweep.html", "summary")
	cmd.Flags().StringSliceVar(&o.FailOn, "fail-on", []string{"block", "alert"}, "what makes the exit status 1: block, new-block (blocks that did not in the baseline), alert (comma-separated), or never")
}

// check checks the flags and plans the outputs.
func (o *sweepOutputs) check(cmd *cobra.Command, f *Factory) (err error) {
	if err := o.makePlan(cmd, f, sweep.ValidFormat, "html=sweep.html"); err != nil {
		return err
	}
	if o.failOn, err = sweep.ParseFailOn(o.FailOn); err != nil {
		return &usageError{err: err}
	}
	return nil
}

// write writes the result to standard output, to every --output file and
// to the job summary, and maps it onto the exit status: errors (in the
// sweep, or in writing) 2; a blocking report or an alert 1, as --fail-on
// says; else 0.
func (o *sweepOutputs) write(f *Factory, res *sweep.Result) error {
	if err := o.plan.Write(f.IO.Out, sweep.Renderer(res), sweep.Summary(res), nil, f.warn); err != nil {
		return err
	}
	return verdictStatus(res.Verdict, res.Fails(o.failOn))
}

// sweepOptions are the options of `fsar sweep`: the sweep's own options
// (Sweep, bound to the flags that set them), and the flags that need
// reading first.
type sweepOptions struct {
	*Factory
	Sweep        sweep.Options
	Baseline     string
	BaselineFrom string
	Shard        string
	Publish      string
	Target       publishFlags
	Out          sweepOutputs
	judgeFlags
}

func newSweepCmd(f *Factory) *cobra.Command {
	opts := &sweepOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "sweep [DIR|GLOB]...",
		Short: "Re-judge every FSAR report in folders: verdicts, rules, trends and alerts",
		Long: `Sweep folders of FSAR reports with today's policies, for auditors.

Every report under the paths (folders are walked, skipping hidden folders
such as .git and never following a symbolic link out of the folder; quoted
globs are expanded) is read — markdown and JSON twins as one report — and
judged by the policies on all cores at one pinned time (--now). Files that
are not FSAR reports (drift or quality reports, READMEs) are counted, not
failed. Memory stays bounded however many reports there are.

The sweep counts reports by verdict, rule, severity band, proposal kind and
period of report time (--period), and lists the blocking reports, the twins
that disagree and the ids used by more than one report. It follows shares of
reports per period: blocked, review, and those the policies declare (a
rule's custom.share: canned analysis, stale, under-rated irreversible in the
bundled policies; reports at or above the review threshold). A share whose
trend across the last --window periods (Theil-Sen: the median slope) moves
the bad way by more than --alert-threshold points is an alert, as is one
that moves the bad way in each of the last --streak periods; periods too
young for a share (stale needs max_age_days) are marked and left out.
Canned analyses rising is named "trust inflation"; under-rated irreversible
proposals rising, or severity falling while texts speak of irreversible
change, "incentive drift".

Against an earlier sweep (--baseline FILE, its JSON result; a file that does
not exist yet is the first sweep; or --baseline-from issue, the baseline the
tracking issue keeps) the shares are compared too, and the blocking reports
that are new since then, and those no longer blocking, lead every output.

Outputs: a text summary (default), JSON ("fsar.sweep/v1": deterministic,
usable as the next --baseline and by 'fsar sweep merge'), markdown (job
summary, tracking issue) and a self-contained HTML report with SVG charts.
--format chooses standard output; --output FORMAT=PATH writes more files.
On a terminal, progress goes to standard error.

--publish issue keeps one GitHub tracking issue with the markdown summary,
in $GITHUB_REPOSITORY (or --repo) with $GITHUB_TOKEN: opened while the sweep
is not clean (a report blocks, an alert fires or there are errors), edited in
place when the summary changes, closed when the sweep is clean again and
reopened when it is not. The issue is found again by the summary's hidden
marker (one per set of paths swept) and by its author, the token's identity;
issues by anyone else are never touched. A failure to publish is a warning,
or exit status 3 with --publish-required. The summary names the evaluation
time: each new --now edits the issue (silently), the same one leaves it alone.

--shard I/N sweeps a stable 1/N of the reports (by a hash of each report's
path relative to the folder swept), for a CI matrix; 'fsar sweep merge'
combines the shards' JSON results into exactly what one run gives. (A
folder named merge is swept as ./merge.)

Exit status: 0 clean; 1 when a report blocks or an alert fires (--fail-on,
default block,alert; new-block: only reports that did not block in the
baseline); 2 on any usage, read, walk, policy or evaluation
error — the sweep still covers every other file and lists the errors; 3
when the tracking issue could not be kept and --publish-required is set.`,
		Example: `  # the monthly audit: every report, an HTML report and the JSON for next time
  fsar sweep --now 2026-11-25T00:00:00Z --output html=sweep.html --output json=sweep.json audit/reports

  # compared with last month's sweep, alerting on moves over 5 points
  fsar sweep --baseline last/sweep.json --alert-threshold 5 audit/reports

  # a monthly schedule that needs no cache: the tracking issue keeps the
  # baseline, and only reports that start blocking fail the run
  fsar sweep --baseline-from issue --publish issue --fail-on new-block,alert audit/reports

  # only FSAR proposal files, not the archive
  fsar sweep --include 'fsar_proposal_*' --exclude 'archive/**' audit/reports

  # the nightly audit keeps a tracking issue (permissions: issues: write)
  fsar sweep --publish issue --output html=sweep.html audit/reports

  # a four-machine matrix, then the merge
  fsar sweep --shard 2/4 --format json --now 2026-11-25T00:00:00Z reports > shard-2.json
  fsar sweep merge shard-*.json`,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.Sweep.Paths = args; len(args) == 0 {
				opts.Sweep.Paths = []string{"."}
			}
			if opts.Publish != "" {
				if err := oneOf("--publish", opts.Publish, "issue"); err != nil {
					return err
				} else if opts.Shard != "" {
					return usagef("--publish issue cannot be combined with --shard: a shard is not the whole sweep")
				}
			}
			if opts.BaselineFrom != "" {
				if err := oneOf("--baseline-from", opts.BaselineFrom, "issue"); err != nil {
					return err
				} else if opts.Baseline != "" {
					return usagef("--baseline and --baseline-from: give one place for the baseline")
				}
			}
			if opts.Publish != "" || opts.BaselineFrom != "" {
				if err := opts.Target.validate(false); err != nil {
					return err
				}
			}
			opts.Out.Inputs = opts.Sweep.Paths
			if err := opts.Out.check(cmd, f); err != nil {
				return err
			}
			so := &opts.Sweep
			if err := so.Validate(); err != nil {
				return &usageError{err: err}
			}
			if opts.Shard != "" {
				if so.Shard, err = proposal.ParseShard(opts.Shard); err != nil {
					return usagef("--shard: %v", err)
				}
			}
			if err := opts.parse(f.Now); err != nil {
				return err
			}
			if err := checkPolicyFlags(cmd, f, &opts.Policy); err != nil {
				return err
			}
			return sweepRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.Sweep.Include, "include", nil, "sweep only files matching this glob (a name, or a path under the folder with ** for any folders; repeatable)")
	fl.StringArrayVar(&opts.Sweep.Exclude, "exclude", nil, "skip files and folders matching this glob (repeatable)")
	fl.StringVar(&opts.Sweep.Period, "period", sweep.PeriodMonth, "trend period of report time: month, week or day")
	fl.StringVar(&opts.Baseline, "baseline", "", "an earlier sweep's JSON result to compare with; when the file does not exist yet, this is the first sweep")
	fl.StringVar(&opts.BaselineFrom, "baseline-from", "", "issue: the baseline the tracking issue keeps (see --publish issue), with $GITHUB_TOKEN")
	fl.Float64Var(&opts.Sweep.AlertThreshold, "alert-threshold", 10, "alert when a share moves the bad way by more than this many percentage points")
	fl.IntVar(&opts.Sweep.Window, "window", sweep.DefaultWindow, "measure each share's trend across this many periods")
	fl.IntVar(&opts.Sweep.Streak, "streak", 3, "alert when a share moves the bad way in each of this many periods in a row (0: never)")
	fl.IntVar(&opts.Sweep.MinReports, "min-reports", 10, "fewest reports a period needs to take part in the trends")
	fl.StringVar(&opts.Shard, "shard", "", "sweep only shard I of N (I/N), for 'fsar sweep merge'")
	fl.StringVar(&opts.Publish, "publish", "", "publish the summary on GitHub: issue (one tracking issue, closed when the sweep is clean)")
	fl.BoolVar(&opts.Sweep.AllowEmpty, "allow-empty", false, "clean when the paths hold no FSAR report (by default that is an error)")
	opts.Target.register(cmd, false)
	opts.Out.register(cmd)
	opts.register(cmd)
	cmd.AddCommand(newSweepMergeCmd(f))
	return cmd
}

func sweepRun(ctx context.Context, opts *sweepOptions) (err error) {
	if opts.Getenv("GOGC") == "" && opts.Getenv("GOMEMLIMIT") == "" {
		defer sweep.LimitMemory()()
	}
	so := opts.Sweep
	if err := opts.loadBaseline(ctx, &so); err != nil {
		return err
	}
	_, engine, err := loadEngine(ctx, opts.Policy, opts.now)
	if err != nil {
		return err
	}
	so.DecidedBy = gate.DecidedBy{FSARVersion: buildinfo.Version, FSARCommit: buildinfo.Commit, OPAVersion: buildinfo.OPA, PolicyDigest: engine.Digest(),
		PolicyBundles: engine.Bundles(), Now: opts.now}
	so.Limits = opts.limits
	env, _ := opts.Actions()
	so.Waivers = waiversOf(engine, opts.now, env)
	so.Stdin = opts.IO.In
	if opts.IO.ErrTTY {
		so.Progress = progress.New(opts.IO.ErrOut, "sweeping", opts.Factory.Now)
		so.Progress.Start(progressDelay, progressInterval)
	}
	res, err := sweep.Run(ctx, engine, so)
	if so.Progress != nil {
		so.Progress.Stop()
	}
	if err != nil {
		return err
	}
	if env, err := opts.Actions(); err == nil {
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
func (opts *sweepOptions) loadBaseline(ctx context.Context, so *sweep.Options) (err error) {
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
		gctx, err := github.NewContext(env, envErr, opts.Target.target())
		var found *github.TrackedBody
		if err == nil {
			found, err = github.ReadTrackingIssue(ctx, gctx, opts.Target.clientOptions(opts.Factory, true), opts.Target.Timeout, sweep.MarkerFor(so.Paths))
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
			opts.warn("--baseline-from issue without --publish issue: this sweep does not leave its own baseline in the issue, so the next one compares with the same")
		}
	}
	return nil
}

// publishIssue keeps the tracking issue of the sweep: opened or updated
// with the markdown summary and the sweep's baseline (hidden) while the
// sweep is not clean, closed when it is. A failure is a warning, or exit 3
// with --publish-required.
func publishIssue(ctx context.Context, f *Factory, p *publishFlags, res *sweep.Result) error {
	body, err := sweep.IssueBody(res)
	var out *github.IssueOutcome
	var gctx github.Context
	if err == nil {
		env, envErr := f.Actions()
		gctx, err = github.NewContext(env, envErr, p.target())
	}
	if err == nil {
		out, err = github.KeepTrackingIssue(ctx, gctx, p.clientOptions(f, true), p.Timeout,
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

// sweepMergeOptions are the options of `fsar sweep merge`.
type sweepMergeOptions struct {
	*Factory
	Results  []string
	Baseline string
	Out      sweepOutputs
}

func newSweepMergeCmd(f *Factory) *cobra.Command {
	opts := &sweepMergeOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "merge RESULT.json...",
		Short: "Combine the JSON results of a sharded sweep into the result of one run",
		Long: `Combine the JSON results of 'fsar sweep --shard I/N' into exactly the result
one run over all the reports gives (byte for byte in JSON), and write it in
any format.

Every shard 1/N to N/N must be given once, made with the same paths,
settings, policies, evaluation time and baseline. --baseline replaces the
baseline the shards were given.

Exit status as for 'fsar sweep': 0 clean, 1 when a report blocks or an alert
fires (--fail-on), 2 on errors — in the shards or in merging them.`,
		Example: `  fsar sweep merge --output html=sweep.html --output json=sweep.json shard-*.json`,
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Results = args; len(args) == 0 {
				return usagef("merge needs the shards' JSON results")
			}
			opts.Out.Inputs = append(slices.Clone(args), opts.Baseline)
			if err := opts.Out.check(cmd, f); err != nil {
				return err
			}
			return sweepMergeRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Baseline, "baseline", "", "an earlier sweep's JSON result to compare with, instead of the shards' baseline")
	opts.Out.register(cmd)
	return cmd
}

func sweepMergeRun(opts *sweepMergeOptions) error {
	res, err := sweep.MergeFiles(opts.Results, opts.Baseline)
	if err != nil {
		return err
	}
	return opts.Out.write(opts.Factory, res)
}
