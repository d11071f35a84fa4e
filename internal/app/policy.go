package app

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fsar-gate/fsar/internal/buildinfo"
	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/policy"
)

// PolicyTestOptions are the options of `fsar policy test`.
type PolicyTestOptions struct {
	*Factory
	Policy          policy.Selection // the folders under test are its Policies
	Run             string
	Format          string // text or json
	Coverage        bool
	Threshold       float64
	CoverageReports map[string]string // format to path
	AllowNoTests    bool
	Mutate          bool
	MutateThreshold float64
	MutateTimeout   time.Duration
}

// PolicyTest runs the policies' Rego tests, and with Mutate their
// mutants, and writes the summary and the coverage reports. A test that
// could not be evaluated fails closed: exit 2.
func PolicyTest(ctx context.Context, opts *PolicyTestOptions) error {
	selected, err := opts.Policy.Open(ctx)
	if err != nil {
		return err
	}
	coverage := opts.Coverage || opts.Threshold > 0 || len(opts.CoverageReports) > 0
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
	for _, format := range slices.Sorted(maps.Keys(opts.CoverageReports)) {
		if err := sum.WriteCoverageReport(format, opts.CoverageReports[format], buildinfo.Version); err != nil {
			return err
		}
	}
	if rep.Count(policy.TestError) > 0 {
		return WithCode(ExitError)
	}
	return VerdictStatus(0, !sum.Passed())
}

// PolicyFmt formats the Rego files under paths in place, or (check)
// lists those that are not formatted: exit 1 when there are any.
func PolicyFmt(f *Factory, paths []string, check bool) error {
	unformatted, failed, err := policy.FormatFiles(paths, check, func(err error) {
		fmt.Fprintf(f.IO.ErrOut, "fsar: %s\n", escape.Terminal(err.Error()))
	})
	if err != nil {
		return err
	}
	for _, file := range unformatted {
		fmt.Fprintln(f.IO.Out, escape.Terminal(file))
	}
	if failed {
		return WithCode(ExitError)
	}
	return VerdictStatus(0, check && len(unformatted) > 0)
}

// PolicyDoc lists the rules the selection's engine applies, and the
// configuration keys, in the format.
func PolicyDoc(ctx context.Context, f *Factory, sel policy.Selection, format string) error {
	_, engine, err := LoadEngine(ctx, sel, f.Now().UTC())
	if err != nil {
		return err
	}
	return policy.WriteDocs(f.IO.Out, format, policy.Docs(engine.Rules()), policy.ConfigKeys(engine))
}

// PolicyBuild writes the bundle of the policies in dir to out, signed
// with the key in the file signingKey when it is not empty.
func PolicyBuild(ctx context.Context, f *Factory, dir, out, signingKey string, o policy.BuildOptions) error {
	info, err := policy.WriteBundleFile(ctx, dir, out, signingKey, o)
	if err != nil {
		return err
	}
	signed := "unsigned"
	if info.Verified {
		signed = "signed with key id " + escape.Terminal(o.KeyID)
	}
	fmt.Fprintf(f.IO.Out, "%s: roots %s, revision %q, %s\n", escape.Terminal(info.Location),
		escape.Terminal(strings.Join(info.Roots, ", ")), escape.Terminal(info.Revision), signed)
	return nil
}
