// Package output plans and writes where a command's result goes: one
// format on standard output, more formats to files (--output FORMAT=PATH),
// the GitHub Actions job summary and the step outputs. Check, sweep and
// sweep merge all write through it, so that their flags mean the same.
package output

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/proposal"
	"github.com/fsar-gate/fsar/internal/report"
)

// File is one --output FORMAT=PATH.
type File struct {
	Format string
	Path   string
}

// Flags are what the command line asks for.
type Flags struct {
	// Format is the format of standard output.
	Format string
	// Outputs are the --output FORMAT=PATH values.
	Outputs []string
	// Summary is --summary when given: nil means on when the job summary
	// file is set (GitHub Actions sets it in every step).
	Summary *bool
	// StepOutputs asks for step outputs (--github-output).
	StepOutputs bool
	// Inputs are the paths the command reads (files, folders, globs): no
	// output may overwrite a report among them.
	Inputs []string
}

// Plan is where a result goes, checked.
type Plan struct {
	Format string
	Files  []File
	// Summary is the job summary file to append to, or "".
	Summary string
	// StepOutputs is the step outputs file, or "".
	StepOutputs string
}

// NewPlan checks the flags: every format must be known (valid says why
// not), no two outputs may share a file, and the job summary and step
// outputs must exist when asked for. example is a FORMAT=PATH the error
// shows.
func NewPlan(fl Flags, valid func(format string) error, example string, env *actions.Env) (*Plan, error) {
	if err := valid(fl.Format); err != nil {
		return nil, fmt.Errorf("--format: %w", err)
	}
	p := &Plan{Format: fl.Format}
	seen := map[string]string{}
	for _, spec := range fl.Outputs {
		format, path, ok := strings.Cut(spec, "=")
		if !ok || format == "" || path == "" {
			return nil, fmt.Errorf("--output %q: expected FORMAT=PATH, such as %s", spec, example)
		}
		if err := valid(format); err != nil {
			return nil, fmt.Errorf("--output %q: %w", spec, err)
		}
		clean := filepath.Clean(path)
		if prev, dup := seen[clean]; dup {
			return nil, fmt.Errorf("--output %q: %s is already the %s output", spec, path, prev)
		}
		if input := overwritesInput(path, fl.Inputs); input != "" {
			return nil, fmt.Errorf("--output %q: %s is a report file the command reads (under %s): write the output elsewhere", spec, path, input)
		}
		seen[clean] = format
		p.Files = append(p.Files, File{Format: format, Path: path})
	}
	switch {
	case fl.Summary == nil:
		p.Summary = env.StepSummary
	case *fl.Summary && env.StepSummary == "":
		return nil, errors.New("--summary: GITHUB_STEP_SUMMARY is not set (GitHub Actions sets it in every step)")
	case *fl.Summary:
		p.Summary = env.StepSummary
	}
	if fl.StepOutputs {
		if env.StepOutput == "" {
			return nil, errors.New("--github-output: GITHUB_OUTPUT is not set (GitHub Actions sets it in every step)")
		}
		p.StepOutputs = env.StepOutput
	}
	return p, nil
}

// Paths are the files written in the given formats, in the order given.
func (p *Plan) Paths(formats ...string) []string {
	var paths []string
	for _, f := range p.Files {
		for _, want := range formats {
			if f.Format == want {
				paths = append(paths, f.Path)
			}
		}
	}
	return paths
}

// overwritesInput returns the input path under which path is an existing
// report file (a name with a report's extension), or "": writing an
// output there would replace a report the command reads, or make the next
// run read the output as one.
func overwritesInput(path string, inputs []string) string {
	info, err := os.Stat(path)
	if err != nil || proposal.FormOf(path) == "" {
		return ""
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	for _, in := range inputs {
		if in == proposal.Stdin {
			continue
		}
		matches, _ := filepath.Glob(in)
		if _, err := os.Lstat(in); err == nil || len(matches) == 0 {
			matches = []string{in}
		}
		for _, m := range matches {
			mi, err := os.Stat(m)
			if err != nil {
				continue
			}
			if os.SameFile(mi, info) {
				return in
			}
			if mabs, err := filepath.Abs(m); err == nil && mi.IsDir() {
				if rel, err := filepath.Rel(mabs, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
					return in
				}
			}
		}
	}
	return ""
}

// writeAtomic writes text to path whole or not at all: to a temporary file
// in the same folder, renamed over path. A reader never sees half an
// output, and a link at path is replaced, not written through.
func writeAtomic(path, text string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.WriteString(text)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// CheckOutputs are the step outputs of a check (see action.yml): its
// verdict, its counts as JSON, and the json and sarif files written.
func (p *Plan) CheckOutputs(res *gate.Result) ([][2]string, error) {
	counts, err := json.Marshal(res.Count)
	outputs := [][2]string{{"verdict", res.Verdict.String()}, {"counts", string(counts)}}
	for _, path := range p.Paths("json") {
		outputs = append(outputs, [2]string{"result", path})
	}
	for _, path := range p.Paths("sarif") {
		outputs = append(outputs, [2]string{"sarif", path})
	}
	for _, path := range p.Paths("vsa") {
		outputs = append(outputs, [2]string{"attestation", path})
	}
	return outputs, err
}

// Render writes the result in one format.
type Render func(w io.Writer, format string) error

// Write writes the result: in the plan's format to stdout (nil when it was
// written already, as the run went), then to each file, then to the job
// summary (summary renders it, given the room left; nil skips it) and the
// step outputs (nil: none). A file that cannot be written is an error,
// after the others were tried; a job summary without room is skipped, and
// warn says why.
func (p *Plan) Write(stdout io.Writer, render Render, summary func(room int64) ([]byte, error), outputs [][2]string, warn func(string)) error {
	if stdout != nil {
		if err := render(stdout, p.Format); err != nil {
			return err
		}
	}
	var errs []error
	for _, f := range p.Files {
		var buf strings.Builder
		if err := render(&buf, f.Format); err != nil {
			errs = append(errs, fmt.Errorf("--output %s=%s: %w", f.Format, f.Path, err))
			continue
		}
		if err := writeAtomic(f.Path, buf.String()); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			errs = append(errs, fmt.Errorf("--output %s=%s: %w", f.Format, f.Path, err))
		}
	}
	if p.Summary != "" && summary != nil {
		note, err := actions.AppendSummary(p.Summary, summary)
		if note != "" {
			warn(note)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if p.StepOutputs != "" && outputs != nil {
		if err := actions.SetOutputs(p.StepOutputs, outputs); err != nil {
			errs = append(errs, fmt.Errorf("--github-output: %w", err))
		}
	}
	return errors.Join(errs...)
}

// Fallback writes a check's verdict where a job can always write it, for
// when publishing it failed: the job summary, unless the plan wrote it
// already, and in GitHub Actions the log's annotations (to log), unless
// they are the command's own output. warn is told of what failed.
func Fallback(env *actions.Env, plan *Plan, o report.Options, res *gate.Result, log io.Writer, warn func(string)) {
	if env.StepSummary != "" && (plan == nil || plan.Summary == "") {
		note, err := actions.AppendSummary(env.StepSummary, o.Summary(res))
		if err != nil {
			note = err.Error()
		}
		if note != "" {
			warn(escape.Terminal(note))
		}
	}
	if env.Actions && (plan == nil || plan.Format != "github") {
		if err := (&report.GitHub{Options: o}).Format(log, res); err != nil {
			warn(escape.Terminal(err.Error()))
		}
	}
}

// WriteTree writes files (paths relative to dir, with forward slashes)
// under dir, each whole (see writeAtomic), making the folders it needs. A
// path that would leave dir is an error, as is a file that cannot be
// written, after the others were tried.
func WriteTree(dir string, files map[string][]byte) error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(files)) {
		clean := path.Clean(name)
		if clean == "." || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			errs = append(errs, fmt.Errorf("%s: a path outside %s", name, dir))
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(clean))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := writeAtomic(p, string(files[name])); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
