package cli

import (
	"slices"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/app"
	"github.com/fsar-gate/fsar/internal/proposal"
	"github.com/fsar-gate/fsar/internal/sweep"
)

// sweepOutputs are the output flags of `fsar sweep` and `fsar sweep
// merge`, as `fsar check` has them, and what makes the exit status 1.
type sweepOutputs struct {
	outputFlags
	failOn []string
}

func (o *sweepOutputs) register(cmd *cobra.Command) {
	o.outputFlags.register(cmd, sweep.Formats, "html=sweep.html", "summary")
	cmd.Flags().StringSliceVar(&o.failOn, "fail-on", []string{"block", "alert"}, "what makes the exit status 1: block, new-block (blocks that did not in the baseline), alert (comma-separated), or never")
}

// parse checks the flags and plans the outputs.
func (o *sweepOutputs) parse(cmd *cobra.Command, f *Factory, into *app.SweepOutputs) (err error) {
	if into.Plan, err = o.makePlan(cmd, f, sweep.ValidFormat, "html=sweep.html"); err != nil {
		return err
	}
	if into.FailOn, err = sweep.ParseFailOn(o.failOn); err != nil {
		return usageErr(err)
	}
	return nil
}

// sweepOptions are the options of `fsar sweep`: run's, and the flags that
// need reading first.
type sweepOptions struct {
	app.SweepOptions
	out   sweepOutputs
	shard string
	now   string
}

func newSweepCmd(f *Factory) *cobra.Command {
	opts := &sweepOptions{SweepOptions: app.SweepOptions{Factory: f}}
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

Outputs: a text summary (default), JSON ("fsar.sweep/v2": deterministic,
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
				} else if opts.shard != "" {
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
				if err := opts.Target.Validate(false); err != nil {
					return err
				}
			}
			opts.out.Inputs = opts.Sweep.Paths
			if err := opts.out.parse(cmd, f, &opts.Out); err != nil {
				return err
			}
			so := &opts.Sweep
			if err := so.Validate(); err != nil {
				return usageErr(err)
			}
			if opts.shard != "" {
				if so.Shard, err = proposal.ParseShard(opts.shard); err != nil {
					return usagef("--shard: %v", err)
				}
			}
			if err := parseJudge(cmd, f, &opts.Judge, opts.now); err != nil {
				return err
			}
			return app.Sweep(cmd.Context(), &opts.SweepOptions)
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
	fl.StringVar(&opts.shard, "shard", "", "sweep only shard I of N (I/N), for 'fsar sweep merge'")
	fl.StringVar(&opts.Publish, "publish", "", "publish the summary on GitHub: issue (one tracking issue, closed when the sweep is clean)")
	fl.BoolVar(&opts.Sweep.AllowEmpty, "allow-empty", false, "clean when the paths hold no FSAR report (by default that is an error)")
	registerPublishFlags(cmd, &opts.Target, false)
	opts.out.register(cmd)
	registerJudgeFlags(cmd, &opts.Judge, &opts.now)
	cmd.AddCommand(newSweepMergeCmd(f))
	return cmd
}

func newSweepMergeCmd(f *Factory) *cobra.Command {
	opts := &app.SweepMergeOptions{Factory: f}
	var out sweepOutputs
	cmd := &cobra.Command{
		Use:   "merge RESULT.json...",
		Short: "Combine the JSON results of a sharded sweep into the result of one run",
		Long: `Combine the JSON results of 'fsar sweep --shard I/N' into exactly the result
one run over all the reports gives (byte for byte in JSON), and write it in
any format.

Every shard 1/N to N/N must be given once, made with the same paths,
settings, policies, evaluation time and baseline. --baseline FILE replaces
the baseline the shards were given, as if the sweep had been run with it
(a FILE that does not exist yet is the first sweep).

Exit status as for 'fsar sweep': 0 clean, 1 when a report blocks or an alert
fires (--fail-on), 2 on errors — in the shards or in merging them.`,
		Example: `  fsar sweep merge --output html=sweep.html --output json=sweep.json shard-*.json`,
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Results = args; len(args) == 0 {
				return usagef("merge needs the shards' JSON results")
			}
			out.Inputs = append(slices.Clone(args), opts.Baseline)
			if err := out.parse(cmd, f, &opts.Out); err != nil {
				return err
			}
			return app.SweepMerge(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Baseline, "baseline", "", "an earlier sweep's JSON result to compare with, instead of the shards' baseline; when the file does not exist yet, this is the first sweep")
	out.register(cmd)
	return cmd
}
