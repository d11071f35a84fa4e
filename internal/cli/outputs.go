package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/ghref"
	"github.com/fsar-gate/fsar/internal/github"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/report"
)

// This file writes the outputs of `fsar check`: the --format on standard
// output, every --output FORMAT=PATH, and the GitHub Actions job summary.

// SummaryLimit is GitHub's limit for one step's job summary: over it, the
// whole summary is rejected.
const SummaryLimit = 1 << 20

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
	env := f.Getenv("GITHUB_STEP_SUMMARY")
	switch {
	case cmd.Flags().Changed("summary") && opts.Summary && env == "":
		return usagef("--summary: GITHUB_STEP_SUMMARY is not set (GitHub Actions sets it in every step)")
	case cmd.Flags().Changed("summary") && !opts.Summary:
	case env != "":
		plan.Summary = env
	}
	if opts.GitHubOutput {
		plan.StepOutputs = f.Getenv("GITHUB_OUTPUT")
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
	var b strings.Builder
	for _, o := range outputs {
		if strings.ContainsAny(o[1], "\r\n") {
			return fmt.Errorf("--github-output: the %s output %q holds a line break", o[0], o[1])
		}
		b.WriteString(o[0] + "=" + o[1] + "\n")
	}
	fh, err := os.OpenFile(plan.StepOutputs, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("--github-output: %w", unwrapPath(err))
	}
	if _, err := fh.WriteString(b.String()); err != nil {
		fh.Close()
		return fmt.Errorf("--github-output: %w", err)
	}
	return fh.Close()
}

var (
	repositoryRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	runIDRE      = regexp.MustCompile(`^[0-9]+$`)
)

// reportOptions are the formatters' options: the rules the engine
// evaluated, where the reports are on GitHub (from the Actions
// environment), and the files that hold the full result.
func reportOptions(f *Factory, rules []policy.Rule, plan *outputPlan) report.Options {
	o := report.Options{
		Rules:      rules,
		ServerURL:  f.Getenv("GITHUB_SERVER_URL"),
		Repository: f.Getenv("GITHUB_REPOSITORY"),
		SHA:        linkSHA(f),
	}
	if wd, err := os.Getwd(); err == nil {
		o.WorkDir = wd
		if ws := f.Getenv("GITHUB_WORKSPACE"); ws != "" && filepath.IsAbs(ws) {
			o.RepoRoot = filepath.Clean(ws)
		}
	}
	if o.ServerURL != "" && repositoryRE.MatchString(o.Repository) {
		if id := f.Getenv("GITHUB_RUN_ID"); runIDRE.MatchString(id) {
			o.RunURL = strings.TrimRight(o.ServerURL, "/") + "/" + o.Repository + "/actions/runs/" + id
		}
	}
	for _, out := range plan.Files {
		switch out.Format {
		case "json", "sarif", "junit", "text":
			o.ResultFiles = append(o.ResultFiles, out.Path)
		}
	}
	return o
}

// linkSHA is the commit that links to report lines point at: on a
// pull_request run (and its review events), the head commit named by the
// event payload ($GITHUB_EVENT_PATH), whose files the reviewer sees and
// which stays, rather than $GITHUB_SHA, the merge commit GitHub made for
// the run. Elsewhere, or when the payload says nothing usable, $GITHUB_SHA:
// on pull_request_target that is the base branch, which is what a
// workflow checks out there unless it says otherwise.
func linkSHA(f *Factory) string {
	sha := f.Getenv("GITHUB_SHA")
	name, path := f.Getenv("GITHUB_EVENT_NAME"), f.Getenv("GITHUB_EVENT_PATH")
	switch name {
	case "pull_request", "pull_request_review", "pull_request_review_comment":
	default:
		return sha
	}
	if path == "" {
		return sha
	}
	data, err := readBounded(path, maxEventBytes)
	if err != nil {
		return sha
	}
	if ev, err := github.ParseEvent(name, data); err == nil && ghref.ValidSHA(ev.HeadSHA) {
		return ev.HeadSHA
	}
	return sha
}

// appendSummary appends the markdown verdict to the job summary file,
// whole or not at all: it is cut to the room the file has left under
// GitHub's 1 MiB limit (and never more than a comment's 65,000
// characters), and skipped with a warning when even the shortest verdict
// would not fit.
func appendSummary(f *Factory, path string, o report.Options, res *gate.Result) error {
	size, err := summarySize(path)
	if err != nil {
		return err
	}
	sep := ""
	if size > 0 {
		sep = "\n"
	}
	room := SummaryLimit - size - int64(len(sep))
	if room < report.MinMarkdownBytes {
		fmt.Fprintf(f.IO.ErrOut, "fsar: warning: job summary not written: %s already holds %d bytes of GitHub's %d\n", path, size, SummaryLimit)
		return nil
	}
	o.MaxBytes = int(min(room, report.DefaultMarkdownBytes))
	var buf bytes.Buffer
	buf.WriteString(sep)
	if err := (&report.Markdown{Options: o}).Format(&buf, res); err != nil {
		return fmt.Errorf("job summary: %w", err)
	}
	return writeSummary(f, path, size, buf.Bytes())
}

// summarySize is the size of the job summary file so far: 0 when absent.
func summarySize(path string) (int64, error) {
	switch info, err := os.Stat(path); {
	case err == nil:
		return info.Size(), nil
	case errors.Is(err, fs.ErrNotExist):
		return 0, nil
	default:
		return 0, fmt.Errorf("job summary %s: %w", path, unwrapPath(err))
	}
}

// writeSummary appends body to the job summary, which holds size bytes,
// unless that would take it over GitHub's limit: GitHub rejects an
// oversized summary whole, so then it warns and writes nothing.
func writeSummary(f *Factory, path string, size int64, body []byte) error {
	if int64(len(body))+size > SummaryLimit {
		fmt.Fprintf(f.IO.ErrOut, "fsar: warning: job summary not written: %d more bytes would take %s over GitHub's %d\n", len(body), path, SummaryLimit)
		return nil
	}
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("job summary %s: %w", path, unwrapPath(err))
	}
	_, err = file.Write(body)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("job summary %s: %w", path, unwrapPath(err))
	}
	return nil
}
