package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

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
	Dirs      []string
	Coverage  bool
	Threshold float64
	Run       string
	Format    string
	Policy    policy.Selection
}

func newPolicyTestCmd(f *Factory) *cobra.Command {
	opts := &policyTestOptions{}
	cmd := &cobra.Command{
		Use:   "test [DIR]...",
		Short: "Run the Rego unit tests (*_test.rego) of policies",
		Long: `Run the Rego unit tests (test_ rules in *_test.rego files).

Without DIR, the bundled default policies are tested. With DIR, the
policies and tests in each DIR are tested beside the default bundle (as
'fsar check --policy DIR' would evaluate them); --no-default-policies tests
them alone.

Exit status: 0 when every test passes (and coverage reaches --threshold);
1 when a test fails or coverage is short; 2 on a policy or usage error.`,
		Example: `  # the bundled policies, with coverage
  fsar policy test --coverage

  # your own policies, alone, requiring full coverage
  fsar policy test --no-default-policies --threshold 100 ./policy`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dirs = args
			opts.Policy.Policies = append(opts.Policy.Policies, args...)
			if opts.Threshold < 0 || opts.Threshold > 100 {
				return usagef("--threshold %v: expected a percentage from 0 to 100", opts.Threshold)
			}
			if opts.Format != "text" && opts.Format != "json" {
				return usagef("--format %q: expected text or json", opts.Format)
			}
			return policyTestRun(cmd, f, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Coverage, "coverage", false, "report line coverage of the policies by their tests")
	cmd.Flags().Float64Var(&opts.Threshold, "threshold", 0, "fail when coverage is below this percentage (implies --coverage)")
	cmd.Flags().StringVar(&opts.Run, "run", "", "run only the tests whose full name matches this regular expression")
	cmd.Flags().StringVarP(&opts.Format, "format", "o", "text", "output format: text or json")
	cmd.Flags().BoolVar(&opts.Policy.NoDefault, "no-default-policies", false, "test only the given folders, without the bundled policies")
	cmd.Flags().StringArrayVarP(&opts.Policy.Data, "data", "d", nil, "JSON or YAML document to merge into data (repeatable)")
	return cmd
}

func policyTestRun(cmd *cobra.Command, f *Factory, opts *policyTestOptions) error {
	if opts.Policy.NoDefault && len(opts.Policy.Policies) == 0 {
		return usagef("--no-default-policies needs at least one --policy folder")
	}
	sel, err := opts.Policy.Open(cmd.Context())
	if err != nil {
		return err
	}
	srcs, err := sel.Sources()
	if err != nil {
		return err
	}
	data, err := sel.DataDocs()
	if err != nil {
		return err
	}
	rep, err := policy.Test(cmd.Context(), policy.TestOptions{
		Sources: srcs, Data: data, Run: opts.Run, Coverage: opts.Coverage || opts.Threshold > 0,
	})
	if err != nil {
		return err
	}
	short := rep.Coverage != nil && rep.Coverage.Percent < opts.Threshold
	if opts.Format == "json" {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		writeTestReport(f, rep, opts.Threshold)
	}
	if !rep.OK() || short {
		return withCode(ExitFail)
	}
	return nil
}

func writeTestReport(f *Factory, rep *policy.TestReport, threshold float64) {
	w := f.IO.Out
	for _, r := range rep.Results {
		if r.Outcome == policy.TestPass {
			continue
		}
		fmt.Fprintf(w, "%s %s:%d %s.%s\n", strings.ToUpper(string(r.Outcome)), r.File, r.Line, r.Package, r.Name)
		if r.Err != "" {
			fmt.Fprintf(w, "  %s\n", escape.Terminal(r.Err))
		}
		if r.Output != "" {
			for _, l := range strings.Split(strings.TrimRight(r.Output, "\n"), "\n") {
				fmt.Fprintf(w, "  | %s\n", escape.Terminal(l))
			}
		}
	}
	fmt.Fprintf(w, "PASS: %d/%d", rep.Count(policy.TestPass), len(rep.Results))
	if n := rep.Count(policy.TestFail); n > 0 {
		fmt.Fprintf(w, ", FAIL: %d", n)
	}
	if n := rep.Count(policy.TestError); n > 0 {
		fmt.Fprintf(w, ", ERROR: %d", n)
	}
	if n := rep.Count(policy.TestSkip); n > 0 {
		fmt.Fprintf(w, ", SKIPPED: %d", n)
	}
	fmt.Fprintln(w)
	if c := rep.Coverage; c != nil {
		for _, fc := range c.Files {
			if fc.Percent < 100 {
				var ranges []string
				for _, r := range fc.NotCovered {
					if r.Start == r.End {
						ranges = append(ranges, fmt.Sprint(r.Start))
					} else {
						ranges = append(ranges, fmt.Sprintf("%d-%d", r.Start, r.End))
					}
				}
				fmt.Fprintf(w, "  %s: %.2f%% (not covered: lines %s)\n", fc.File, fc.Percent, strings.Join(ranges, ", "))
			}
		}
		fmt.Fprintf(w, "coverage: %.2f%%", c.Percent)
		if threshold > 0 {
			if c.Percent < threshold {
				fmt.Fprintf(w, " — below the threshold %.2f%%", threshold)
			} else {
				fmt.Fprintf(w, " (threshold %.2f%%)", threshold)
			}
		}
		fmt.Fprintln(w)
	}
}

type policyFmtOptions struct {
	Paths []string
	Check bool
	Diff  bool
}

func newPolicyFmtCmd(f *Factory) *cobra.Command {
	opts := &policyFmtOptions{}
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
			return policyFmtRun(f, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Check, "check", false, "list files that are not formatted, write nothing, exit 1 when there are any")
	return cmd
}

func policyFmtRun(f *Factory, opts *policyFmtOptions) error {
	var files []string
	for _, p := range opts.Paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return fs.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(path, ".rego") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	sort.Strings(files)
	var unformatted []string
	failed := false
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		out, err := policy.Format(file, src)
		if err != nil {
			fmt.Fprintf(f.IO.ErrOut, "fsar: %v\n", err)
			failed = true
			continue
		}
		if bytes.Equal(src, out) {
			continue
		}
		unformatted = append(unformatted, file)
		if !opts.Check {
			info, err := os.Stat(file)
			if err != nil {
				return err
			}
			if err := os.WriteFile(file, out, info.Mode().Perm()); err != nil {
				return err
			}
		}
	}
	for _, file := range unformatted {
		fmt.Fprintln(f.IO.Out, file)
	}
	switch {
	case failed:
		return withCode(ExitError)
	case opts.Check && len(unformatted) > 0:
		return withCode(ExitFail)
	}
	return nil
}

type policyDocOptions struct {
	Format string
	Policy policy.Selection
}

func newPolicyDocCmd(f *Factory) *cobra.Command {
	opts := &policyDocOptions{}
	cmd := &cobra.Command{
		Use:   "doc",
		Short: "List the active rules: id, level, title and remediation",
		Long: `List the rules that 'fsar check' would apply with the same flags, from the
METADATA annotations of the policies.`,
		Example: `  fsar policy doc
  fsar policy doc --policy ./policy --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("doc takes no arguments; name policy folders with --policy")
			}
			if opts.Format != "text" && opts.Format != "json" && opts.Format != "markdown" {
				return usagef("--format %q: expected text, markdown or json", opts.Format)
			}
			return policyDocRun(cmd, f, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Format, "format", "o", "text", "output format: text, markdown or json")
	registerPolicyFlags(cmd, &opts.Policy)
	return cmd
}

// ruleDoc is one rule as `fsar policy doc --format json` prints it.
type ruleDoc struct {
	ID          string `json:"id"`
	Level       string `json:"level"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Remediation string `json:"remediation,omitempty"`
	Package     string `json:"package"`
	File        string `json:"file"`
	Line        int    `json:"line"`
}

func policyDocRun(cmd *cobra.Command, f *Factory, opts *policyDocOptions) error {
	now, err := parseNow(f, "")
	if err != nil {
		return err
	}
	_, engine, err := loadEngine(cmd.Context(), opts.Policy, now)
	if err != nil {
		return err
	}
	rules := engine.Rules()
	sort.SliceStable(rules, func(i, j int) bool {
		if rules[i].Level != rules[j].Level {
			return rules[i].Level > rules[j].Level
		}
		return rules[i].ID < rules[j].ID
	})
	docs := make([]ruleDoc, len(rules))
	for i, r := range rules {
		docs[i] = ruleDoc{ID: r.ID, Level: r.Level.String(), Title: r.Title, Description: r.Description,
			Remediation: r.Remediation, Package: r.Package, File: r.File, Line: r.Line}
	}
	w := f.IO.Out
	switch opts.Format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(docs)
	case "markdown":
		fmt.Fprintln(w, "| Rule | Level | Title | Remediation |")
		fmt.Fprintln(w, "|------|-------|-------|-------------|")
		for _, d := range docs {
			fmt.Fprintf(w, "| `%s` | %s | %s | %s |\n", d.ID, d.Level, escape.Markdown(d.Title, 0), escape.Markdown(d.Remediation, 0))
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tLEVEL\tTITLE")
	for _, d := range docs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.ID, d.Level, d.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, d := range docs {
		if d.Remediation != "" {
			fmt.Fprintf(w, "\n%s (%s:%d)\n  %s\n", d.ID, d.File, d.Line, d.Remediation)
		}
	}
	return nil
}
