package report

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/version"

	"github.com/fsar-gate/fsar/internal/config"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/proposal"
	"github.com/fsar-gate/fsar/policies"
)

// testNow is the pinned evaluation time of every check in these tests.
var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// pkgDir is this package's folder, whatever the working folder.
func pkgDir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller")
	}
	return filepath.Dir(file)
}

// repoRoot is the repository's root folder.
func repoRoot(t testing.TB) string {
	return filepath.Join(pkgDir(t), "..", "..")
}

// check runs what `fsar check --now 2026-11-25T12:00:00Z PATHS` runs, with
// the bundled policies and the extra policy folders, from the current
// folder: the real engine, reader and gate.
func check(t testing.TB, extraPolicies []string, paths ...string) (*gate.Result, []policy.Rule) {
	t.Helper()
	return checkWaived(t, nil, extraPolicies, paths...)
}

// checkWaived is check with the waivers of a configuration.
func checkWaived(t testing.TB, cfg *config.File, extraPolicies []string, paths ...string) (*gate.Result, []policy.Rule) {
	t.Helper()
	if cfg == nil {
		cfg = config.Empty()
	}
	srcs := []policy.Source{{Name: "policies", FS: policies.FS}}
	for _, dir := range extraPolicies {
		srcs = append(srcs, policy.Source{Name: dir, FS: os.DirFS(dir)})
	}
	engine, err := policy.Load(context.Background(), policy.Options{Sources: srcs, Config: cfg.Values, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	units, errs := proposal.Discover(paths)
	res := &gate.Result{
		Schema: gate.Schema,
		DecidedBy: gate.DecidedBy{
			FSARVersion: "dev", FSARCommit: "0123456789abcdef0123456789abcdef01234567-dirty", OPAVersion: version.Version, PolicyDigest: engine.Digest(), Now: testNow,
		},
	}
	for _, e := range errs {
		res.Errors = append(res.Errors, gate.ProblemOf(e))
	}
	var ws *gate.Waivers
	if len(cfg.Waivers) > 0 {
		ws = &gate.Waivers{List: cfg.Waivers, Now: testNow}
	}
	res.Reports, res.Skipped = gate.Check(context.Background(), engine, units, gate.Options{Waivers: ws})
	res.Waivers = ws.Uses(res.Reports)
	res.Summarize()
	return res, engine.Rules()
}

// githubOptions are options as GitHub Actions gives them, pinned.
func githubOptions(rules []policy.Rule) Options {
	return Options{
		Rules:      rules,
		ServerURL:  "https://github.com",
		Repository: "fsar-gate/fsar",
		SHA:        "0123456789abcdef0123456789abcdef01234567",
		RunURL:     "https://github.com/fsar-gate/fsar/actions/runs/1",
	}
}

// render formats res in the named format.
func render(t testing.TB, name string, opts Options, res *gate.Result) []byte {
	t.Helper()
	f, err := New(name, opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Format(&buf, res); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return buf.Bytes()
}
