package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/proposal"
	"github.com/fsar-gate/fsar/internal/report"
)

// checkOptions are the flags of `fsar check`.
type checkOptions struct {
	Paths      []string
	Format     string
	FailOn     string
	Now        string
	MaxSize    string
	AllowEmpty bool
	Policy     policy.Selection
	Publish    publishOptions
	Outputs    []string // --output FORMAT=PATH
	Summary    bool     // --summary
	// GitHubOutput writes step outputs to $GITHUB_OUTPUT (--github-output).
	GitHubOutput bool
	plan         *outputPlan
}

func newCheckCmd(f *Factory, runF func(*checkOptions) error) *cobra.Command {
	opts := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [PATH|-]...",
		Short: "Judge FSAR reports with the policies: pass, warn, review or block",
		Long: `Judge FSAR reports with Rego policies.

Every report is read (files, folders walked for reports, "-" for standard
input), evaluated by every policy on all cores at one pinned time, and given
a verdict: its worst finding. deny blocks; review blocks until a human
approves; warn advises.

The bundled default policies encode the FSAR rules (see 'fsar policy doc').
--policy adds folders of your own; --no-default-policies uses only those.
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

  # in GitHub Actions: annotations in the log, SARIF and JUnit files beside
  fsar check --format github --output sarif=fsar.sarif --output junit=fsar.xml reports/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(args) == 0 {
				return usagef("check needs at least one PATH or - (standard input)")
			}
			if _, err := report.New(opts.Format, report.Options{}); err != nil {
				return usagef("--format: %v", err)
			}
			if err := opts.planOutputs(cmd, f); err != nil {
				return err
			}
			switch opts.FailOn {
			case "warn", "review", "block":
			default:
				return usagef("--fail-on %q: expected warn, review or block", opts.FailOn)
			}
			if runF != nil {
				return runF(opts)
			}
			return checkRun(cmd, f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Format, "format", "o", "text", "output format: "+strings.Join(report.Names(), ", "))
	fl.StringVar(&opts.FailOn, "fail-on", "review", "lowest verdict that fails the gate: warn, review or block")
	fl.StringVar(&opts.Now, "now", "", "evaluation time, RFC 3339 (default: the current time)")
	fl.StringVar(&opts.MaxSize, "max-size", "10MiB", "largest report file to read")
	fl.BoolVar(&opts.AllowEmpty, "allow-empty", false, "pass when the paths hold no FSAR report (by default that is an error)")
	fl.StringArrayVar(&opts.Outputs, "output", nil, "also write the result as FORMAT to PATH: FORMAT=PATH, e.g. sarif=fsar.sarif (repeatable)")
	fl.BoolVar(&opts.GitHubOutput, "github-output", false, "write verdict, counts and the --output paths as step outputs to $GITHUB_OUTPUT")
	fl.BoolVar(&opts.Summary, "summary", false, "append the markdown verdict to $GITHUB_STEP_SUMMARY (default: on when it is set)")
	registerPolicyFlags(cmd, &opts.Policy)
	registerPublishFlags(cmd, &opts.Publish)
	return cmd
}

// parseNow reads --now, or takes the clock.
func parseNow(f *Factory, s string) (time.Time, error) {
	if s == "" {
		return f.Now().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, usagef("--now %q: expected an RFC 3339 time such as 2026-11-25T00:00:00Z", s)
	}
	return t.UTC(), nil
}

func checkRun(cmd *cobra.Command, f *Factory, opts *checkOptions) error {
	now, err := parseNow(f, opts.Now)
	if err != nil {
		return err
	}
	maxBytes, err := parseSize(opts.MaxSize)
	if err != nil {
		return usagef("--max-size: %v", err)
	}
	failOn, _ := gate.ParseVerdict(opts.FailOn)

	selected, engine, err := loadEngine(cmd.Context(), opts.Policy, now)
	if err != nil {
		return err
	}
	var keep func(proposal.Unit) bool
	var changedFrom string
	allowEmpty := opts.AllowEmpty
	if opts.Publish.Changed {
		if keep, changedFrom, err = changedFilter(cmd.Context(), f, &opts.Publish); err != nil {
			return err
		}
		allowEmpty = true
	}
	var notices []string
	if changed, err := selected.Changed(cmd.Context()); err != nil {
		return err
	} else if len(changed) > 0 {
		notices = append(notices, fmt.Sprintf("this change modifies policy files (%s); they take effect only once merged: the reports were judged by the policies at %s (%s)",
			strings.Join(changed, ", "), opts.Policy.Ref, selected.Revision()))
	}
	res, walked := gate.Run(cmd.Context(), engine, gate.RunOptions{
		Source:     gate.Source{Paths: opts.Paths, Keep: keep},
		Options:    gate.Options{MaxBytes: maxBytes, Stdin: f.IO.In},
		AllowEmpty: allowEmpty,
		DecidedBy: gate.DecidedBy{
			FSARVersion: Version, PolicyDigest: engine.Digest(), PolicyRevision: selected.Revision(), Now: now,
		},
		Notices: notices,
		Subject: resultSubject(f, &opts.Publish),
	})
	if keep != nil {
		fmt.Fprintf(f.IO.ErrOut, "fsar: --changed: %d of %d reports changed (%s)\n", walked.Kept, walked.Units, escape.Terminal(changedFrom))
	}
	if err := writeOutputs(f, opts, res, engine.Rules()); err != nil {
		return err
	}
	if opts.Publish.enabled() {
		opts.Publish.wroteSummary, opts.Publish.wroteAnnotations = opts.plan != nil && opts.plan.Summary != "", opts.Format == "github"
		return publishResult(cmd.Context(), f, res, &opts.Publish, failOn)
	}
	switch {
	case res.Verdict == gate.Error:
		return withCode(ExitError)
	case res.Verdict >= failOn:
		return withCode(ExitFail)
	}
	return nil
}
