package cli

import (
	"slices"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/app"
	"github.com/fsar-gate/fsar/internal/attest"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/proposal"
	"github.com/fsar-gate/fsar/internal/report"
)

// checkOptions are the options of `fsar check`: run's, and the flags
// that need reading first.
type checkOptions struct {
	app.CheckOptions
	out    outputFlags
	now    string
	failOn string
}

func newCheckCmd(f *Factory) *cobra.Command {
	opts := &checkOptions{CheckOptions: app.CheckOptions{Factory: f}}
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
			if opts.FailOn, err = gate.ParseFailOn(opts.failOn); err != nil {
				return usageErr(err)
			}
			if err := parseJudge(cmd, f, &opts.Judge, opts.now); err != nil {
				return err
			}
			opts.out.Inputs = opts.Paths
			if opts.out.Outputs, err = opts.Attest.Take(opts.out.Outputs, f.Getenv); err != nil {
				return err
			}
			if opts.Plan, err = opts.out.makePlan(cmd, f, app.CheckFormat, "sarif=fsar.sarif"); err != nil {
				return err
			}
			if opts.ReportsRef != "" && slices.Contains(opts.Paths, proposal.Stdin) {
				return usagef("--reports-ref reads reports from git objects: standard input (-) is not one of them")
			}
			return app.Check(cmd.Context(), &opts.CheckOptions)
		},
	}
	opts.out.register(cmd, append(report.Names(), attest.FormatRun), "sarif=fsar.sarif", "verdict")
	fl := cmd.Flags()
	fl.StringVar(&opts.failOn, "fail-on", "review", "lowest verdict that fails the gate: warn, review or block; never for report-only (errors still exit 2)")
	fl.BoolVar(&opts.AllowEmpty, "allow-empty", false, "pass when the paths hold no FSAR report (by default that is an error)")
	fl.BoolVarP(&opts.Quiet, "quiet", "q", false, "text: write only the reports at or above --fail-on, the errors and the summary")
	fl.StringVar(&opts.ReportsRef, "reports-ref", "", "read the report files and folders as they are at this git revision, from its objects, without a checkout")
	fl.BoolVar(&opts.out.StepOutputs, "github-output", false, "write verdict, counts and the --output paths as step outputs to $GITHUB_OUTPUT")
	registerJudgeFlags(cmd, &opts.Judge, &opts.now)
	fl.StringVar(&opts.Attest.SignKey, "sign-key", "", "sign the vsa outputs in DSSE envelopes with this PEM key (ECDSA P-256 or Ed25519): a file, env:NAME or fd:N")
	registerPublishFlags(cmd, &opts.Publish, true)
	fl.StringVar(&opts.Publish.Modes, "publish", "", "publish the verdict on GitHub: any of comment, check, status, separated by commas")
	fl.BoolVar(&opts.Publish.Changed, "changed", false, "on a pull request, check only the reports it adds or modifies (its file list, or git diff BASE...HEAD without a token)")
	return cmd
}
