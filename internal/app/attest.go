package app

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/attest"
	"github.com/fsar-gate/fsar/internal/buildinfo"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/ghref"
	"github.com/fsar-gate/fsar/internal/output"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/report"
)

// Attesting is how fsar check attests its verdict: --sign-key, and the
// --output vsa-per-report=DIR folders (the plan writes files only).
type Attesting struct {
	SignKey string
	Dirs    []string
	key     *attest.Key
}

// Take removes the vsa-per-report outputs from outputs, keeping their
// folders, and reads the signing key.
func (a *Attesting) Take(outputs []string, getenv func(string) string) ([]string, error) {
	var rest []string
	for _, o := range outputs {
		if dir, ok := strings.CutPrefix(o, attest.FormatPerReport+"="); ok {
			if dir == "" {
				return nil, Usagef("--output %q: expected %s=DIR", o, attest.FormatPerReport)
			}
			a.Dirs = append(a.Dirs, dir)
			continue
		}
		rest = append(rest, o)
	}
	if a.SignKey == "" {
		return rest, nil
	}
	if len(a.Dirs) == 0 && !hasFormat(rest, attest.FormatRun) {
		return nil, Usagef("--sign-key signs the verdict's attestation: add --output vsa=PATH or --output vsa-per-report=DIR")
	}
	data, err := attest.ReadKey(a.SignKey, getenv)
	if err == nil {
		a.key, err = attest.ParsePrivateKey(data)
	}
	if err != nil {
		return nil, Usagef("--sign-key: %v", err)
	}
	return rest, nil
}

func hasFormat(outputs []string, format string) bool {
	for _, o := range outputs {
		if strings.HasPrefix(o, format+"=") {
			return true
		}
	}
	return false
}

// CheckFormat tells whether fsar check writes the format: the report
// formats, and the run's attestation.
func CheckFormat(f string) error {
	switch f {
	case attest.FormatRun:
		return nil
	case attest.FormatPerReport:
		return fmt.Errorf("%s writes a folder: use --output %s=DIR", f, f)
	}
	return report.Valid(f)
}

// attester is the check's: what the statement says of where the reports
// and policies came from, and the key.
func (a *Attesting) attester(env *actions.Env, o report.Options, sel *policy.Selected, failOn gate.Verdict, commit string, paths []string) attest.Attester {
	if commit == "" {
		commit = env.LinkSHA()
	}
	repo := env.Repository
	if !ghref.ValidSHA(commit) {
		commit = ""
	}
	return attest.Attester{Key: a.key, Options: attest.Options{
		FailOn:      failOn,
		ResourceURI: attest.ResourceURI(env.ServerURL, repo, commit, paths),
		PolicyURI:   attest.PolicyURI(buildinfo.Version, !sel.NoDefault, sel.Policies, env.ServerURL, repo, sel.Revision(), sel.Bundles...),
		Name:        func(file string) string { return ghref.RepoPath(file, o.WorkDir, o.RepoRoot) },
	}}
}

// withAttestation renders the vsa format with att, the others with render.
func withAttestation(ctx context.Context, render output.Render, att attest.Attester, res *gate.Result) output.Render {
	return func(w io.Writer, format string) error {
		if format != attest.FormatRun {
			return render(w, format)
		}
		b, err := att.Run(ctx, res)
		if err == nil {
			_, err = w.Write(b)
		}
		return err
	}
}

// writeDirs writes the per-report attestations into each folder.
func (a *Attesting) writeDirs(ctx context.Context, att attest.Attester, res *gate.Result) error {
	if len(a.Dirs) == 0 {
		return nil
	}
	outs, err := att.Each(ctx, res)
	if err != nil {
		return fmt.Errorf("--output %s: %w", attest.FormatPerReport, err)
	}
	files := make(map[string][]byte, len(outs))
	for _, o := range outs {
		files[o.Path] = o.Data
	}
	for _, dir := range a.Dirs {
		if err := output.WriteTree(dir, files); err != nil {
			return fmt.Errorf("--output %s=%s: %w", attest.FormatPerReport, dir, err)
		}
	}
	return nil
}
