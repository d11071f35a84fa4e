package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/app"
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

func newPolicyTestCmd(f *Factory) *cobra.Command {
	opts := &app.PolicyTestOptions{Factory: f}
	var reports []string
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
			opts.Policy.Policies = append(opts.Policy.Policies, args...)
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
			opts.CoverageReports = map[string]string{}
			for _, spec := range reports {
				format, path, ok := strings.Cut(spec, "=")
				if !ok || path == "" {
					return usagef("--coverage-report %q: expected FORMAT=PATH, e.g. cobertura=coverage.xml", spec)
				}
				if err := oneOf("--coverage-report", format, policy.CoverageReportFormats...); err != nil {
					return err
				}
				opts.CoverageReports[format] = path
			}
			return app.PolicyTest(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Coverage, "coverage", false, "report line coverage of the policies by their tests")
	fl.Float64Var(&opts.Threshold, "threshold", 0, "fail when coverage is below this percentage (implies --coverage)")
	fl.StringArrayVar(&reports, "coverage-report", nil, "also write the coverage as FORMAT=PATH: cobertura=coverage.xml (implies --coverage)")
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

func newPolicyFmtCmd(f *Factory) *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:   "fmt [FILE|DIR]...",
		Short: "Format Rego files in place, or check that they are formatted",
		Long: `Format Rego v1 files the way 'opa fmt' does, in place.

With --check nothing is written: the files that would change are listed,
and the exit status is 1 when there are any.`,
		Example: `  fsar policy fmt ./policy
  fsar policy fmt --check ./policy`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			return app.PolicyFmt(f, args, check)
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "list files that are not formatted, write nothing, exit 1 when there are any")
	return cmd
}

func newPolicyDocCmd(f *Factory) *cobra.Command {
	var format string
	var sel policy.Selection
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
			if err := oneOf("--format", format, "text", "markdown", "json"); err != nil {
				return err
			}
			if err := checkPolicyFlags(cmd, f, &sel); err != nil {
				return err
			}
			return app.PolicyDoc(cmd.Context(), f, sel, format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "o", "text", "output format: text, markdown or json")
	registerPolicyFlags(cmd, &sel)
	return cmd
}

func newPolicyBuildCmd(f *Factory) *cobra.Command {
	var output, signingKey string
	var o policy.BuildOptions
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
			if output == "" {
				return usagef("build needs -o BUNDLE.tar.gz")
			}
			if signingKey == "" && cmd.Flags().Changed("signing-key-id") {
				return usagef("--signing-key-id needs --signing-key")
			}
			return app.PolicyBuild(cmd.Context(), f, args[0], output, signingKey, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&output, "output", "o", "", "the bundle file to write")
	fl.StringVar(&o.Revision, "revision", "", "the manifest's revision, e.g. the commit of the policies")
	fl.StringArrayVar(&o.Roots, "root", nil, "a root of the manifest (repeatable; default: the packages and data paths DIR defines)")
	fl.StringVar(&signingKey, "signing-key", "", "PEM private key to sign the bundle with")
	fl.StringVar(&o.KeyID, "signing-key-id", "default", "key id the signature names")
	return cmd
}
