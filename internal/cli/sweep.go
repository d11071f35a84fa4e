package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/version"
	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/ghref"
	"github.com/fsar-gate/fsar/internal/github"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/proposal"
	"github.com/fsar-gate/fsar/internal/sweep"
)

// sweepOutputs are the output flags shared by `fsar sweep` and `fsar sweep
// merge`, as `fsar check` has them: --format on standard output, --output
// FORMAT=PATH files, and the markdown summary appended to the GitHub
// Actions job summary.
type sweepOutputs struct {
	Format  string
	Outputs []string
	Summary bool
	FailOn  []string
	// files are the --output files, in the order given; summary is the job
	// summary file, or "".
	files   [][2]string
	summary string
}

func (o *sweepOutputs) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&o.Format, "format", "o", "text", "format of standard output: "+strings.Join(sweep.Formats, ", "))
	fl.StringArrayVar(&o.Outputs, "output", nil, "also write the result as FORMAT to PATH: FORMAT=PATH, e.g. html=sweep.html (repeatable)")
	fl.BoolVar(&o.Summary, "summary", false, "append the markdown summary to $GITHUB_STEP_SUMMARY (default: on when it is set)")
	fl.StringSliceVar(&o.FailOn, "fail-on", []string{"block", "alert"}, "what makes the exit status 1: block, alert (comma-separated), or never")
}

func (o *sweepOutputs) validate(cmd *cobra.Command, f *Factory) error {
	if err := sweep.ValidFormat(o.Format); err != nil {
		return usagef("--format: %v", err)
	}
	o.files = nil
	seen := map[string]string{}
	for _, spec := range o.Outputs {
		format, path, ok := strings.Cut(spec, "=")
		if !ok || format == "" || path == "" {
			return usagef("--output %q: expected FORMAT=PATH, such as html=sweep.html", spec)
		}
		if err := sweep.ValidFormat(format); err != nil {
			return usagef("--output %q: %v", spec, err)
		}
		clean := filepath.Clean(path)
		if prev, dup := seen[clean]; dup {
			return usagef("--output %q: %s is already the %s output", spec, path, prev)
		}
		seen[clean] = format
		o.files = append(o.files, [2]string{format, path})
	}
	o.summary = ""
	ae, _ := f.Actions()
	env := ae.StepSummary
	switch {
	case cmd.Flags().Changed("summary") && o.Summary && env == "":
		return usagef("--summary: GITHUB_STEP_SUMMARY is not set (GitHub Actions sets it in every step)")
	case cmd.Flags().Changed("summary") && !o.Summary:
	case env != "":
		o.summary = env
	}
	for _, v := range o.FailOn {
		switch v {
		case "block", "alert":
		case "never":
			if len(o.FailOn) > 1 {
				return usagef("--fail-on never cannot be combined with %s", strings.Join(o.FailOn, ","))
			}
		default:
			return usagef("--fail-on %q: expected block, alert or never", v)
		}
	}
	return nil
}

// write writes the result to standard output, to every --output file and
// to the job summary, and maps it onto the exit status: errors (in the
// sweep, or in writing) 2; a blocking report or an alert 1, as --fail-on
// says; else 0.
func (o *sweepOutputs) write(f *Factory, res *sweep.Result) error {
	if err := sweep.Write(f.IO.Out, o.Format, res); err != nil {
		return err
	}
	var errs []error
	for _, spec := range o.files {
		var buf bytes.Buffer
		if err := sweep.Write(&buf, spec[0], res); err != nil {
			return err
		}
		if err := os.WriteFile(spec[1], buf.Bytes(), 0o644); err != nil {
			errs = append(errs, fmt.Errorf("--output %s=%s: %w", spec[0], spec[1], unwrapPath(err)))
		}
	}
	if o.summary != "" {
		if err := appendSweepSummary(f, o.summary, res); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	switch {
	case res.Verdict == gate.Error:
		return withCode(ExitError)
	case slices.Contains(o.FailOn, "block") && res.Count.Block > 0:
		return withCode(ExitFail)
	case slices.Contains(o.FailOn, "alert") && len(res.Alerts) > 0:
		return withCode(ExitFail)
	}
	return nil
}

// appendSweepSummary appends the markdown summary to the job summary file,
// or skips it with a warning when it would take the file over GitHub's
// limit.
func appendSweepSummary(f *Factory, path string, res *sweep.Result) error {
	note, err := actions.AppendSummary(path, func(int64) ([]byte, error) {
		var buf bytes.Buffer
		err := sweep.WriteMarkdown(&buf, res)
		return buf.Bytes(), err
	})
	if note != "" {
		fmt.Fprintf(f.IO.ErrOut, "fsar: warning: %s\n", note)
	}
	return err
}

// sweepOptions are the flags of `fsar sweep`.
type sweepOptions struct {
	Paths          []string
	Include        []string
	Exclude        []string
	Period         string
	Baseline       string
	AlertThreshold float64
	MinReports     int
	Shard          string
	Publish        string
	Target         sweepPublish
	Now            string
	MaxSize        string
	AllowEmpty     bool
	Out            sweepOutputs
	Policy         policy.Selection
}

func newSweepCmd(f *Factory) *cobra.Command {
	opts := &sweepOptions{}
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
that disagree and the ids used by more than one report. Per period, and
against an earlier sweep's JSON result (--baseline), it follows the shares of
blocked, review, canned-analysis, stale and under-rated irreversible reports
and the severity distribution; a share that moves by more than
--alert-threshold points is an alert. Canned analyses rising is named "trust
inflation"; severity falling while texts speak of irreversible change,
"incentive drift".

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
default block,alert); 2 on any usage, read, walk, policy or evaluation
error — the sweep still covers every other file and lists the errors; 3
when the tracking issue could not be kept and --publish-required is set.`,
		Example: `  # the monthly audit: every report, an HTML report and the JSON for next time
  fsar sweep --now 2026-11-25T00:00:00Z --output html=sweep.html --output json=sweep.json audit/reports

  # compared with last month's sweep, alerting on moves over 5 points
  fsar sweep --baseline last/sweep.json --alert-threshold 5 audit/reports

  # only FSAR proposal files, not the archive
  fsar sweep --include 'fsar_proposal_*' --exclude 'archive/**' audit/reports

  # the nightly audit keeps a tracking issue (permissions: issues: write)
  fsar sweep --publish issue --output html=sweep.html audit/reports

  # a four-machine matrix, then the merge
  fsar sweep --shard 2/4 --format json --now 2026-11-25T00:00:00Z reports > shard-2.json
  fsar sweep merge shard-*.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"."}
			}
			if err := opts.Target.validate(opts); err != nil {
				return err
			}
			if err := opts.Out.validate(cmd, f); err != nil {
				return err
			}
			if err := sweep.ValidPeriod(opts.Period); err != nil {
				return usagef("--period: %v", err)
			}
			for _, g := range append(slices.Clone(opts.Include), opts.Exclude...) {
				if err := proposal.ValidGlob(g); err != nil {
					return usagef("--include/--exclude: %v", err)
				}
			}
			if opts.AlertThreshold < 0 {
				return usagef("--alert-threshold %v: expected a number of percentage points, 0 or more", opts.AlertThreshold)
			}
			if opts.MinReports < 1 {
				return usagef("--min-reports %d: expected 1 or more", opts.MinReports)
			}
			if opts.Shard != "" {
				if _, err := proposal.ParseShard(opts.Shard); err != nil {
					return usagef("--shard: %v", err)
				}
			}
			return sweepRun(cmd, f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.Include, "include", nil, "sweep only files matching this glob (a name, or a path under the folder with ** for any folders; repeatable)")
	fl.StringArrayVar(&opts.Exclude, "exclude", nil, "skip files and folders matching this glob (repeatable)")
	fl.StringVar(&opts.Period, "period", sweep.PeriodMonth, "trend period of report time: month, week or day")
	fl.StringVar(&opts.Baseline, "baseline", "", "an earlier sweep's JSON result to compare with")
	fl.Float64Var(&opts.AlertThreshold, "alert-threshold", 10, "alert when a share moves by more than this many percentage points")
	fl.IntVar(&opts.MinReports, "min-reports", 10, "fewest reports a period needs to be compared with the one before")
	fl.StringVar(&opts.Shard, "shard", "", "sweep only shard I of N (I/N), for 'fsar sweep merge'")
	fl.StringVar(&opts.Publish, "publish", "", "publish the summary on GitHub: issue (one tracking issue, closed when the sweep is clean)")
	fl.StringVar(&opts.Now, "now", "", "evaluation time, RFC 3339 (default: the current time)")
	fl.StringVar(&opts.MaxSize, "max-size", "10MiB", "largest report file to read")
	fl.BoolVar(&opts.AllowEmpty, "allow-empty", false, "clean when the paths hold no FSAR report (by default that is an error)")
	opts.Target.register(cmd)
	opts.Out.register(cmd)
	registerPolicyFlags(cmd, &opts.Policy)
	cmd.AddCommand(newSweepMergeCmd(f))
	return cmd
}

// sweepMemoryLimit bounds a sweep's memory, unless GOGC or GOMEMLIMIT say
// otherwise: the garbage collector runs when the heap reaches it instead of
// whenever the heap grows by GOGC percent. A sweep's live heap is small and
// stays small (counts and short lists, never the reports), while evaluation
// allocates fast: collecting only near the limit saves about a tenth of the
// CPU time of a large sweep, and the process stays under about 150 MB
// however many reports it reads.
const sweepMemoryLimit = 120 << 20

// tuneGC applies sweepMemoryLimit; the returned function restores the
// previous settings.
func tuneGC(f *Factory) func() {
	if f.Getenv == nil || f.Getenv("GOGC") != "" || f.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	limit := debug.SetMemoryLimit(sweepMemoryLimit)
	percent := debug.SetGCPercent(-1)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

func sweepRun(cmd *cobra.Command, f *Factory, opts *sweepOptions) error {
	defer tuneGC(f)()
	now, err := parseNow(f, opts.Now)
	if err != nil {
		return err
	}
	maxBytes, err := parseSize(opts.MaxSize)
	if err != nil {
		return usagef("--max-size: %v", err)
	}
	var shard sweep.Shard
	if opts.Shard != "" {
		shard, _ = proposal.ParseShard(opts.Shard)
	}
	var baseline *sweep.Baseline
	if opts.Baseline != "" {
		if baseline, err = sweep.LoadBaseline(opts.Baseline); err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
	}
	_, engine, err := loadEngine(cmd.Context(), opts.Policy, now)
	if err != nil {
		return err
	}
	var progress *sweep.Progress
	if f.IO.ErrTTY {
		progress = sweep.NewProgress(f.IO.ErrOut, f.Now)
		progress.Start(250 * time.Millisecond)
	}
	res, err := sweep.Run(cmd.Context(), engine, sweep.Options{
		Paths:          opts.Paths,
		Include:        opts.Include,
		Exclude:        opts.Exclude,
		Period:         opts.Period,
		AlertThreshold: opts.AlertThreshold,
		MinReports:     opts.MinReports,
		AllowEmpty:     opts.AllowEmpty,
		Shard:          shard,
		Baseline:       baseline,
		DecidedBy: gate.DecidedBy{
			FSARVersion: Version, OPAVersion: version.Version, PolicyDigest: engine.Digest(), Now: now,
		},
		MaxBytes: maxBytes,
		Stdin:    f.IO.In,
		Progress: progress,
	})
	if progress != nil {
		progress.Stop()
	}
	if err != nil {
		return err
	}
	status := opts.Out.write(f, res)
	if opts.Publish != "" {
		if err := opts.Target.publish(cmd.Context(), f, res); err != nil {
			return err
		}
	}
	return status
}

// sweepPublish are the flags of `fsar sweep --publish issue`: where and
// how to keep the tracking issue.
type sweepPublish struct {
	Repo     string
	APIURL   string
	Required bool
	Timeout  time.Duration
	Pace     time.Duration
}

func (p *sweepPublish) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&p.Repo, "repo", "", "with --publish: repository of the tracking issue, OWNER/REPO (default $GITHUB_REPOSITORY)")
	fl.StringVar(&p.APIURL, "api-url", "", "with --publish: GitHub REST API URL (default $GITHUB_API_URL, else "+github.DefaultAPIURL+")")
	fl.BoolVar(&p.Required, "publish-required", false, "with --publish: exit 3 when the tracking issue cannot be kept (by default a warning)")
	fl.DurationVar(&p.Timeout, "publish-timeout", 2*time.Minute, "with --publish: deadline for publishing, retries and rate-limit waits included")
	fl.DurationVar(&p.Pace, "github-pace", github.DefaultBackoff, "first backoff after a failed request, and least gap between two writes")
	_ = fl.MarkHidden("github-pace")
}

func (p *sweepPublish) validate(opts *sweepOptions) error {
	switch opts.Publish {
	case "":
		return nil
	case "issue":
	default:
		return usagef("--publish %q: expected issue", opts.Publish)
	}
	if opts.Shard != "" {
		return usagef("--publish issue cannot be combined with --shard: a shard is not the whole sweep")
	}
	if p.Repo != "" {
		if _, _, err := ghref.SplitRepository(p.Repo); err != nil {
			return usagef("--repo: %v", err)
		}
	}
	if p.APIURL != "" {
		if err := (github.Context{Owner: "o", Repo: "r", APIURL: p.APIURL}).Validate(); err != nil {
			return usagef("--api-url: %v", err)
		}
	}
	if p.Timeout <= 0 {
		return usagef("--publish-timeout %s: expected a positive duration", p.Timeout)
	}
	return nil
}

// publish keeps the tracking issue of the sweep: opened or updated with
// the markdown summary while the sweep is not clean, closed when it is.
// A failure is a warning, or exit 3 with --publish-required.
func (p *sweepPublish) publish(ctx context.Context, f *Factory, res *sweep.Result) error {
	var body bytes.Buffer
	err := sweep.WriteMarkdown(&body, res)
	var out *github.IssueOutcome
	var gctx github.Context
	if err == nil {
		gctx, err = p.githubContext(f)
	}
	if err == nil {
		out, err = p.sync(ctx, f, gctx, sweep.TrackingMarker(res), sweepIssueTitle(res), body.String(), !res.Clean)
	}
	if err != nil {
		lines := strings.Split(err.Error(), "\n")
		fmt.Fprintf(f.IO.ErrOut, "fsar: warning: the tracking issue was not published to GitHub: %s\n", escape.Terminal(lines[0]))
		for _, l := range lines[1:] {
			fmt.Fprintf(f.IO.ErrOut, "fsar: warning: %s\n", escape.Terminal(strings.TrimSpace(l)))
		}
		if p.Required {
			return withCode(ExitPublish)
		}
		return nil
	}
	if out.Number == 0 {
		fmt.Fprintf(f.IO.ErrOut, "fsar: the sweep is clean: no tracking issue in %s\n", gctx.Repository())
		return nil
	}
	fmt.Fprintf(f.IO.ErrOut, "fsar: tracking issue %s#%d %s: %s\n", gctx.Repository(), out.Number, out.Action, escape.Terminal(out.URL))
	for _, n := range out.Duplicates {
		fmt.Fprintf(f.IO.ErrOut, "fsar: duplicate tracking issue %s#%d closed\n", gctx.Repository(), n)
	}
	return nil
}

func (p *sweepPublish) sync(ctx context.Context, f *Factory, gctx github.Context, marker, title, body string, open bool) (*github.IssueOutcome, error) {
	if gctx.Token == "" {
		return nil, github.ErrNoToken
	}
	client, err := github.NewClient(gctx, github.ClientOptions{
		Pace:      p.Pace,
		UserAgent: "fsar/" + Version,
		Logf: func(format string, args ...any) {
			fmt.Fprintf(f.IO.ErrOut, "fsar: github: %s\n", escape.Terminal(fmt.Sprintf(format, args...)))
		},
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	return (&github.TrackingIssue{Client: client, Marker: marker}).Sync(ctx, title, body, open)
}

// githubContext is the repository and token from the GitHub Actions
// environment and the flags, which win.
func (p *sweepPublish) githubContext(f *Factory) (github.Context, error) {
	env, err := f.Actions()
	return github.NewContext(env, err, github.Target{Repo: p.Repo, APIURL: p.APIURL})
}

// sweepIssueTitle is the tracking issue's title: what was swept and what
// keeps it open.
func sweepIssueTitle(res *sweep.Result) string {
	what := "fsar sweep of " + strings.Join(res.Settings.Paths, ", ")
	if res.Clean {
		return what + ": clean"
	}
	var parts []string
	plural := func(n int, thing string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+thing)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %ss", n, thing))
		}
	}
	plural(res.Count.Block, "blocking report")
	plural(len(res.Alerts), "alert")
	plural(res.Count.Errors, "error")
	if len(parts) == 0 {
		parts = append(parts, res.Verdict.String())
	}
	return what + ": " + strings.Join(parts, ", ")
}

// sweepMergeOptions are the flags of `fsar sweep merge`.
type sweepMergeOptions struct {
	Results  []string
	Baseline string
	Out      sweepOutputs
}

func newSweepMergeCmd(f *Factory) *cobra.Command {
	opts := &sweepMergeOptions{}
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
			if len(args) == 0 {
				return usagef("merge needs the shards' JSON results")
			}
			opts.Results = args
			if err := opts.Out.validate(cmd, f); err != nil {
				return err
			}
			return sweepMergeRun(f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Baseline, "baseline", "", "an earlier sweep's JSON result to compare with, instead of the shards' baseline")
	opts.Out.register(cmd)
	return cmd
}

func sweepMergeRun(f *Factory, opts *sweepMergeOptions) error {
	var parts []*sweep.Result
	for _, path := range opts.Results {
		r, err := sweep.ReadResult(path)
		if err != nil {
			return err
		}
		parts = append(parts, r)
	}
	var baseline *sweep.Baseline
	if opts.Baseline != "" {
		var err error
		if baseline, err = sweep.LoadBaseline(opts.Baseline); err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
	}
	res, err := sweep.Merge(parts, baseline)
	if err != nil {
		return err
	}
	return opts.Out.write(f, res)
}
