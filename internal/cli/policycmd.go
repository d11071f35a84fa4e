package cli

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/policy"
)

func newPolicyCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Test, format and document Rego policies",
		Long: `Work on Rego policies as code: run their unit tests with coverage, format
them, and list the rules they define. Policies are evaluated in the same
sandbox as 'fsar check': no network, no environment, no files.`,
	}
	cmd.AddCommand(newPolicyTestCmd(f), newPolicyFmtCmd(f), newPolicyDocCmd(f))
	return cmd
}

type policyTestOptions struct {
	*Factory
	Dirs      []string
	Coverage  bool
	Threshold float64
	Run       string
	Format    string
	Policy    policy.Selection
}

func newPolicyTestCmd(f *Factory) *cobra.Command {
	opts := &policyTestOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "test [DIR]...",
		Short: "Run the Rego unit tests (*_test.rego) of policies",
		Long: `Run the Rego unit tests (test_ rules in *_test.rego files).

Without DIR, the bundled default policies are tested. With DIR, the
policies and tests in each DIR are tested beside the default bundle (as
'fsar check --policy DIR' would evaluate them); --no-default-policies tests
them alone.

Exit status: 0 when every test passes (and coverage reaches --threshold);
1 when a test fails or coverage is short; 2 on a policy or usage error,
or a test that could not be evaluated (a builtin error, --eval-timeout,
--eval-memory).`,
		Example: `  # the bundled policies, with coverage
  fsar policy test --coverage

  # your own policies, alone, requiring full coverage
  fsar policy test --no-default-policies --threshold 100 ./policy`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dirs = args
			if opts.Threshold < 0 || opts.Threshold > 100 {
				return usagef("--threshold %v: expected a percentage from 0 to 100", opts.Threshold)
			}
			if err := oneOf("--format", opts.Format, "text", "json"); err != nil {
				return err
			}
			return policyTestRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Coverage, "coverage", false, "report line coverage of the policies by their tests")
	cmd.Flags().Float64Var(&opts.Threshold, "threshold", 0, "fail when coverage is below this percentage (implies --coverage)")
	cmd.Flags().StringVar(&opts.Run, "run", "", "run only the tests whose full name matches this regular expression")
	cmd.Flags().StringVarP(&opts.Format, "format", "o", "text", "output format: text or json")
	cmd.Flags().BoolVar(&opts.Policy.NoDefault, "no-default-policies", false, "test only the given folders, without the bundled policies")
	cmd.Flags().StringArrayVarP(&opts.Policy.Data, "data", "d", nil, "JSON or YAML document to merge into data (repeatable)")
	registerEvalFlags(cmd, &opts.Policy.Limits)
	return cmd
}

func policyTestRun(ctx context.Context, opts *policyTestOptions) error {
	sel := opts.Policy
	sel.Policies = append(slices.Clone(sel.Policies), opts.Dirs...)
	selected, err := sel.Open(ctx)
	if err != nil {
		return err
	}
	rep, err := selected.Test(ctx, policy.TestOptions{Run: opts.Run, Coverage: opts.Coverage || opts.Threshold > 0})
	if err != nil {
		return err
	}
	if err := rep.Write(opts.IO.Out, opts.Format, opts.Threshold); err != nil {
		return err
	}
	if rep.Count(policy.TestError) > 0 {
		return withCode(ExitError) // a test that could not be evaluated fails closed
	}
	return verdictStatus(0, !rep.Passed(opts.Threshold))
}

type policyFmtOptions struct {
	*Factory
	Paths []string
	Check bool
	Diff  bool
}

func newPolicyFmtCmd(f *Factory) *cobra.Command {
	opts := &policyFmtOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "fmt [FILE|DIR]...",
		Short: "Format Rego files in place, or check that they are formatted",
		Long: `Format Rego v1 files the way 'opa fmt' does, in place.

With --check nothing is written: the files that would change are listed,
and the exit status is 1 when there are any.`,
		Example: `  fsar policy fmt ./policy
  fsar policy fmt --check ./policy`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(args) == 0 {
				opts.Paths = []string{"."}
			}
			return policyFmtRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Check, "check", false, "list files that are not formatted, write nothing, exit 1 when there are any")
	return cmd
}

func policyFmtRun(opts *policyFmtOptions) error {
	unformatted, failed, err := policy.FormatFiles(opts.Paths, opts.Check, func(err error) {
		fmt.Fprintf(opts.IO.ErrOut, "fsar: %s\n", escape.Terminal(err.Error()))
	})
	if err != nil {
		return err
	}
	for _, file := range unformatted {
		fmt.Fprintln(opts.IO.Out, escape.Terminal(file))
	}
	if failed {
		return withCode(ExitError)
	}
	return verdictStatus(0, opts.Check && len(unformatted) > 0)
}

type policyDocOptions struct {
	*Factory
	Format string
	Policy policy.Selection
}

func newPolicyDocCmd(f *Factory) *cobra.Command {
	opts := &policyDocOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "doc",
		Short: "List the active rules and the configuration keys",
		Long: `List the rules that 'fsar check' would apply with the same flags, from the
METADATA annotations of the policies: id, level, whether a waiver may accept
their findings, title and remediation; then the configuration keys
(.fsar.yaml) with their types and defaults: fsar's own, and those the
policies declare (custom.config). --format json lists the rules.`,
		Example: `  fsar policy doc
  fsar policy doc --policy ./policy --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("doc takes no arguments; name policy folders with --policy")
			}
			if err := oneOf("--format", opts.Format, "text", "markdown", "json"); err != nil {
				return err
			}
			return policyDocRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Format, "format", "o", "text", "output format: text, markdown or json")
	registerPolicyFlags(cmd, &opts.Policy)
	return cmd
}

func policyDocRun(ctx context.Context, opts *policyDocOptions) error {
	_, engine, err := loadEngine(ctx, opts.Policy, opts.Factory.Now().UTC())
	if err != nil {
		return err
	}
	return policy.WriteDocs(opts.IO.Out, opts.Format, policy.Docs(engine.Rules()), policy.ConfigKeys(engine))
}
