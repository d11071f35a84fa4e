package cli

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/buildinfo"
	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/policy"
)

func newPolicyCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Test, format, document and bundle Rego policies",
		Long: `Work on Rego policies as code: run their unit tests with coverage and
mutation testing, format them, list the rules they define, and build a
signed OPA bundle of them. Policies are evaluated in the same sandbox as
'fsar check': no network, no environment, no files.`,
	}
	cmd.AddCommand(newPolicyTestCmd(f), newPolicyFmtCmd(f), newPolicyDocCmd(f), newPolicyBuildCmd(f))
	return cmd
}

type policyTestOptions struct {
	*Factory
	Dirs            []string
	Coverage        bool
	Threshold       float64
	CoverageReports []string
	Run             string
	Format          string
	AllowNoTests    bool
	Mutate          bool
	MutateThreshold float64
	MutateTimeout   time.Duration
	Policy          policy.Selection
	reports         map[string]string // --coverage-report: format to path
}

func newPolicyTestCmd(f *Factory) *cobra.Command {
	opts := &policyTestOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "test [DIR]...",
		Short: "Run the Rego unit tests (*_test.rego) of policies, with coverage and mutation testing",
		Long: `Run the Rego unit tests (test_ rules in *_test.rego files).

Without DIR or --policy, the bundled default policies are tested. With DIR
(or --policy DIR, as 'fsar check' takes it), the policies and tests in each
DIR are tested beside the default bundle; --no-default-policies tests them
alone.

--coverage reports line coverage; --coverage-report cobertura=PATH also
writes it as a Cobertura XML file for coverage tools. --mutate runs the
tests against mutants of every rule (an expression negated or dropped, a
comparison or a constant changed) and reports each mutant no test notices,
at its file:line:column: a rule whose tests would pass if it stopped
working. Mutants documented in METADATA as equivalent
(custom.mutation_equivalent, with the change and a reason) do not count.

Exit status: 0 when every test passes (and coverage reaches --threshold,
and with --mutate the kill ratio reaches --mutate-threshold); 1 when a test
fails, no test is found (unless --allow-no-tests), coverage is short, or a
mutant survives beyond the threshold; 2 on a policy or usage error, or a
test that could not be evaluated (a builtin error, --eval-timeout,
--eval-memory).`,
		Example: `  # the bundled policies, with coverage
  fsar policy test --coverage

  # your own policies, alone, requiring full coverage and a Cobertura report
  fsar policy test --no-default-policies --threshold 100 --coverage-report cobertura=coverage.xml --policy ./policy

  # prove every rule can fail: no surviving mutant
  fsar policy test --mutate --policy ./policy`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dirs = args
			if opts.Threshold < 0 || opts.Threshold > 100 {
				return usagef("--threshold %v: expected a percentage from 0 to 100", opts.Threshold)
			}
			if opts.MutateThreshold < 0 || opts.MutateThreshold > 100 {
				return usagef("--mutate-threshold %v: expected a percentage from 0 to 100", opts.MutateThreshold)
			}
			if opts.MutateTimeout <= 0 {
				return usagef("--mutate-timeout %v: expected a positive duration", opts.MutateTimeout)
			}
			if err := oneOf("--format", opts.Format, "text", "json"); err != nil {
				return err
			}
			opts.reports = map[string]string{}
			for _, spec := range opts.CoverageReports {
				format, path, ok := strings.Cut(spec, "=")
				if !ok || path == "" {
					return usagef("--coverage-report %q: expected FORMAT=PATH, e.g. cobertura=coverage.xml", spec)
				}
				if err := oneOf("--coverage-report", format, policy.CoverageReportFormats...); err != nil {
					return err
				}
				opts.reports[format] = path
			}
			return policyTestRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Coverage, "coverage", false, "report line coverage of the policies by their tests")
	fl.Float64Var(&opts.Threshold, "threshold", 0, "fail when coverage is below this percentage (implies --coverage)")
	fl.StringArrayVar(&opts.CoverageReports, "coverage-report", nil, "also write the coverage as FORMAT=PATH: cobertura=coverage.xml (implies --coverage)")
	fl.StringVar(&opts.Run, "run", "", "run only the tests whose full name matches this regular expression")
	fl.StringVarP(&opts.Format, "format", "o", "text", "output format: text or json")
	fl.BoolVar(&opts.AllowNoTests, "allow-no-tests", false, "pass when the policies have no test (by default that fails)")
	fl.BoolVar(&opts.Mutate, "mutate", false, "run the tests against mutants of every rule and report the mutants no test notices")
	fl.Float64Var(&opts.MutateThreshold, "mutate-threshold", 100, "with --mutate, fail when the share of mutants killed is below this percentage")
	fl.DurationVar(&opts.MutateTimeout, "mutate-timeout", policy.DefaultMutantTimeout, "with --mutate, the longest the tests of one mutant may run (past it, the mutant counts as killed)")
	fl.StringArrayVarP(&opts.Policy.Policies, "policy", "p", nil, "folder of Rego policies and their tests to add to the default bundle (repeatable; same as DIR)")
	fl.BoolVar(&opts.Policy.NoDefault, "no-default-policies", false, "test only the given folders, without the bundled policies")
	fl.StringArrayVarP(&opts.Policy.Data, "data", "d", nil, "JSON or YAML document to merge into data (repeatable)")
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
	coverage := opts.Coverage || opts.Threshold > 0 || len(opts.reports) > 0
	rep, err := selected.Test(ctx, policy.TestOptions{Run: opts.Run, Coverage: coverage})
	if err != nil {
		return err
	}
	sum := policy.TestSummary{Report: rep, CoverageThreshold: opts.Threshold, MutationThreshold: opts.MutateThreshold,
		AllowNoTests: opts.AllowNoTests}
	if opts.Mutate && rep.OK() && len(rep.Results) > 0 {
		if sum.Mutation, err = selected.Mutate(ctx, policy.MutateOptions{
			TestOptions: policy.TestOptions{Run: opts.Run}, Timeout: opts.MutateTimeout,
		}); err != nil {
			return err
		}
	}
	if err := sum.Write(opts.IO.Out, opts.Format); err != nil {
		return err
	}
	for _, format := range slices.Sorted(maps.Keys(opts.reports)) {
		if err := sum.WriteCoverageReport(format, opts.reports[format], buildinfo.Version); err != nil {
			return err
		}
	}
	if rep.Count(policy.TestError) > 0 {
		return withCode(ExitError) // a test that could not be evaluated fails closed
	}
	return verdictStatus(0, !sum.Passed())
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
			if err := checkPolicyFlags(cmd, f, &opts.Policy); err != nil {
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

type policyBuildOptions struct {
	*Factory
	Dir        string
	Output     string
	Revision   string
	Roots      []string
	SigningKey string
	KeyID      string
}

func newPolicyBuildCmd(f *Factory) *cobra.Command {
	opts := &policyBuildOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "build DIR -o BUNDLE.tar.gz",
		Short: "Build an OPA bundle of a policy folder, signed with --signing-key",
		Long: `Build an OPA bundle (a gzipped tarball, as 'opa build' writes it) of the
policies in DIR: every .rego file but the *_test.rego files, and data.json
and data.yaml files. The policies are checked as 'fsar check' would load
them. The manifest's roots are --root, or else the packages and data paths
DIR defines; its revision is --revision. With --signing-key (a PEM private
key: RSA signs RS256, ECDSA ES256 to ES512 by curve, Ed25519 EdDSA), the
bundle carries a .signatures.json that 'fsar check --bundle B
--verification-key PUB' and OPA verify.

Exit status: 0 when the bundle is written; 2 on a policy, key, usage or
write error.`,
		Example: `  fsar policy build ./policy -o team-policy.tar.gz --revision "$(git rev-parse HEAD)" --signing-key key.pem
  fsar check --bundle team-policy.tar.gz --verification-key key.pub reports/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("build takes one DIR")
			}
			opts.Dir = args[0]
			if opts.Output == "" {
				return usagef("build needs -o BUNDLE.tar.gz")
			}
			if opts.SigningKey == "" && cmd.Flags().Changed("signing-key-id") {
				return usagef("--signing-key-id needs --signing-key")
			}
			return policyBuildRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Output, "output", "o", "", "the bundle file to write")
	fl.StringVar(&opts.Revision, "revision", "", "the manifest's revision, e.g. the commit of the policies")
	fl.StringArrayVar(&opts.Roots, "root", nil, "a root of the manifest (repeatable; default: the packages and data paths DIR defines)")
	fl.StringVar(&opts.SigningKey, "signing-key", "", "PEM private key to sign the bundle with")
	fl.StringVar(&opts.KeyID, "signing-key-id", "default", "key id the signature names")
	return cmd
}

func policyBuildRun(ctx context.Context, opts *policyBuildOptions) error {
	info, err := policy.WriteBundleFile(ctx, opts.Dir, opts.Output, opts.SigningKey,
		policy.BuildOptions{Revision: opts.Revision, Roots: opts.Roots, KeyID: opts.KeyID})
	if err != nil {
		return err
	}
	signed := "unsigned"
	if info.Verified {
		signed = "signed with key id " + escape.Terminal(opts.KeyID)
	}
	fmt.Fprintf(opts.IO.Out, "%s: roots %s, revision %q, %s\n", escape.Terminal(info.Location),
		escape.Terminal(strings.Join(info.Roots, ", ")), escape.Terminal(info.Revision), signed)
	return nil
}
