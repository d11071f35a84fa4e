package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/report"
)

// This file writes the outputs of `fsar check`: the --format on standard
// output, every --output FORMAT=PATH, and the GitHub Actions job summary.

// outputFile is one --output FORMAT=PATH.
type outputFile struct {
	Format string
	Path   string
}

// outputPlan is what --output and --summary ask for, checked.
type outputPlan struct {
	Files []outputFile
	// Summary is the file to append the markdown verdict to, or "".
	Summary string
	// StepOutputs is the $GITHUB_OUTPUT file, or "".
	StepOutputs string
}

// planOutputs checks --output and --summary, and records the plan in
// opts. --summary defaults to on when GITHUB_STEP_SUMMARY is set; asking
// for it without that variable is a usage error.
func (opts *checkOptions) planOutputs(cmd *cobra.Command, f *Factory) error {
	plan := &outputPlan{}
	seen := map[string]string{}
	for _, spec := range opts.Outputs {
		name, path, ok := strings.Cut(spec, "=")
		if !ok || name == "" || path == "" {
			return usagef("--output %q: expected FORMAT=PATH, such as sarif=fsar.sarif", spec)
		}
		if _, err := report.New(name, report.Options{}); err != nil {
			return usagef("--output %q: %v", spec, err)
		}
		clean := filepath.Clean(path)
		if prev, dup := seen[clean]; dup {
			return usagef("--output %q: %s is already the %s output", spec, path, prev)
		}
		seen[clean] = name
		plan.Files = append(plan.Files, outputFile{Format: name, Path: path})
	}
	ae, _ := f.Actions()
	env := ae.StepSummary
	switch {
	case cmd.Flags().Changed("summary") && opts.Summary && env == "":
		return usagef("--summary: GITHUB_STEP_SUMMARY is not set (GitHub Actions sets it in every step)")
	case cmd.Flags().Changed("summary") && !opts.Summary:
	case env != "":
		plan.Summary = env
	}
	if opts.GitHubOutput {
		plan.StepOutputs = ae.StepOutput
		if plan.StepOutputs == "" {
			return usagef("--github-output: GITHUB_OUTPUT is not set (GitHub Actions sets it in every step)")
		}
	}
	opts.plan = plan
	return nil
}

// writeOutputs writes the result in the --format to standard output, then
// each --output file, then the job summary. A file that cannot be written
// is an error; a job summary that has no room left is skipped with a
// warning.
func writeOutputs(f *Factory, opts *checkOptions, res *gate.Result, rules []policy.Rule) error {
	plan := opts.plan
	if plan == nil {
		plan = &outputPlan{}
	}
	base := reportOptions(f, rules, plan)

	o := base
	o.Color = opts.Format == "text" && f.IO.ColorEnabled()
	fmtr, err := report.New(opts.Format, o)
	if err != nil {
		return usagef("--format: %v", err)
	}
	if err := fmtr.Format(f.IO.Out, res); err != nil {
		return err
	}

	var errs []error
	for _, out := range plan.Files {
		fmtr, err := report.New(out.Format, base)
		if err != nil {
			return usagef("--output: %v", err)
		}
		var buf bytes.Buffer
		if err := fmtr.Format(&buf, res); err != nil {
			errs = append(errs, fmt.Errorf("--output %s=%s: %w", out.Format, out.Path, err))
			continue
		}
		if err := os.WriteFile(out.Path, buf.Bytes(), 0o644); err != nil {
			errs = append(errs, fmt.Errorf("--output %s=%s: %w", out.Format, out.Path, unwrapPath(err)))
		}
	}
	if plan.Summary != "" {
		if err := appendSummary(f, plan.Summary, base, res); err != nil {
			errs = append(errs, err)
		}
	}
	if plan.StepOutputs != "" {
		if err := appendStepOutputs(plan, res); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// appendStepOutputs writes the step outputs an action exposes: verdict,
// counts (JSON), and the paths of the json and sarif --output files.
func appendStepOutputs(plan *outputPlan, res *gate.Result) error {
	counts, err := json.Marshal(res.Count)
	if err != nil {
		return err
	}
	outputs := [][2]string{{"verdict", res.Verdict.String()}, {"counts", string(counts)}}
	for _, out := range plan.Files {
		switch out.Format {
		case "json":
			outputs = append(outputs, [2]string{"result", out.Path})
		case "sarif":
			outputs = append(outputs, [2]string{"sarif", out.Path})
		}
	}
	if err := actions.SetOutputs(plan.StepOutputs, outputs); err != nil {
		return fmt.Errorf("--github-output: %w", err)
	}
	return nil
}

// reportOptions are the formatters' options: the rules the engine
// evaluated, where the reports are on GitHub (from the Actions
// environment), and the files that hold the full result.
func reportOptions(f *Factory, rules []policy.Rule, plan *outputPlan) report.Options {
	env, _ := f.Actions()
	o := report.Options{
		Rules:      rules,
		ServerURL:  env.ServerURL,
		Repository: env.Repository,
		SHA:        env.LinkSHA(),
		RunURL:     env.RunURL(),
	}
	if wd, err := os.Getwd(); err == nil {
		o.WorkDir = wd
		o.RepoRoot = env.Workspace
	}
	for _, out := range plan.Files {
		switch out.Format {
		case "json", "sarif", "junit", "text":
			o.ResultFiles = append(o.ResultFiles, out.Path)
		}
	}
	return o
}

// appendSummary appends the markdown verdict to the job summary file,
// whole or not at all: it is cut to the room the file has left under
// GitHub's 1 MiB limit (and never more than a comment's 65,000
// characters), and skipped with a warning when even the shortest verdict
// would not fit.
func appendSummary(f *Factory, path string, o report.Options, res *gate.Result) error {
	note, err := actions.AppendSummary(path, func(room int64) ([]byte, error) {
		if room < report.MinMarkdownBytes {
			return nil, nil
		}
		o.MaxBytes = int(min(room, report.DefaultMarkdownBytes))
		var buf bytes.Buffer
		err := (&report.Markdown{Options: o}).Format(&buf, res)
		return buf.Bytes(), err
	})
	if note != "" {
		fmt.Fprintf(f.IO.ErrOut, "fsar: warning: %s\n", note)
	}
	return err
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
