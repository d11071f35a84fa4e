package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSelection: the default configuration file is read when it exists,
// data documents merge, a policy folder adds to the bundle, and a broken
// document names its file.
func TestSelection(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for name, body := range map[string]string{
		".fsar.yaml":         "review_threshold: 20\n",
		"a.json":             `{"teams": {"a": 1}}`,
		"b.yaml":             "teams:\n  b: 2\n",
		"broken.yaml":        "x: [",
		"policy/extra.rego":  "package fsar.extra\n\nwarn contains {\"rule\": \"x\", \"msg\": \"x\"} if false\n",
		"policy/.git/x.rego": "not rego",
	} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sel, err := Selection{Policies: []string{"policy"}, Data: []string{"a.json", "b.yaml"}}.Open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := sel.Configuration()
	if err != nil || cfg.Values["review_threshold"] != 20 {
		t.Errorf("config %v %v", cfg, err)
	}
	data, err := sel.DataDocs()
	if teams, _ := data["teams"].(map[string]any); err != nil || len(teams) != 2 {
		t.Errorf("data %v %v", data, err)
	}
	srcs, err := sel.Sources()
	if err != nil || len(srcs) != 2 || srcs[0].Name != "policies" || srcs[1].Name != "policy" || sel.Revision() != "" {
		t.Errorf("sources %+v %v", srcs, err)
	}
	if _, err := sel.Load(t.Context(), time.Now()); err != nil {
		t.Fatal(err)
	}
	broken, _ := Selection{Config: "broken.yaml"}.Open(t.Context())
	if _, err := broken.Load(t.Context(), time.Now()); err == nil || !strings.Contains(err.Error(), "broken.yaml: invalid YAML") {
		t.Errorf("err = %v", err)
	}
	missing, _ := Selection{Policies: []string{"nowhere"}}.Open(t.Context())
	if _, err := missing.Sources(); err == nil || !strings.Contains(err.Error(), "--policy nowhere") {
		t.Errorf("err = %v", err)
	}
}

// TestSelectionStaysInTheRepository: configuration, data and policy files
// in the repository may not lead out of it through a symbolic link (a pull
// request could make a rule echo any file of the runner), nor be named
// pipes; a file named outside the repository by the workflow is read.
// (Issue 12, defect 6.)
func TestSelectionStaysInTheRepository(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "credentials.json")
	if err := os.WriteFile(secret, []byte(`{"auths": {"registry": "c2VjcmV0"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "leak.rego"), []byte("package fsar.leak\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	t.Chdir(repo)
	if err := os.MkdirAll("policy", 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		".fsar.yaml":       secret,
		"data.json":        secret,
		"policy/leak.rego": filepath.Join(outside, "leak.rego"),
		"linked-policy":    outside,
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for name, sel := range map[string]Selection{
		"default config":       {},
		"config":               {Config: ".fsar.yaml"},
		"data":                 {Data: []string{"data.json"}},
		"a link in a folder":   {Policies: []string{"policy"}},
		"a folder that a link": {Policies: []string{"linked-policy"}},
	} {
		opened, err := sel.Open(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		_, err = opened.Load(t.Context(), now)
		if err == nil || !strings.Contains(err.Error(), "a symbolic link out of the repository") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// Named outside the repository by the workflow: read (and, not being
	// a configuration, refused for its keys, not for where it is).
	opened, _ := Selection{Config: secret}.Open(t.Context())
	if _, err := opened.Load(t.Context(), now); err == nil || !strings.Contains(err.Error(), `credentials.json:1:2: unknown key "auths"`) {
		t.Errorf("a configuration named outside the repository: %v", err)
	}
	// A named pipe is refused, not waited on.
	if err := os.Remove(".fsar.yaml"); err != nil {
		t.Fatal(err)
	}
	if err := mkfifo(".fsar.yaml"); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	opened, _ = Selection{}.Open(t.Context())
	if _, err := opened.Load(t.Context(), now); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a named pipe: err = %v", err)
	}
}

// TestSelectionLimits: the selection's limits reach Load's engine and
// Test (unless TestOptions has its own).
func TestSelectionLimits(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	files := map[string]string{
		"policy/hostile.rego": hostileLoop,
		"policy/hostile_test.rego": regoSrc(
			"package fsar.hostile_test",
			"",
			"import data.fsar.hostile",
			"",
			`test_loop if count(hostile.deny) == 0 with input as {"proposal": sprintf("%3000s", [""])}`,
		),
	}
	for name, body := range files {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lim := Limits{EvalTimeout: 200 * time.Millisecond, MemoryLimit: 1 << 40}
	sel, err := Selection{Policies: []string{"policy"}, NoDefault: true, Limits: lim}.Open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	e, err := sel.Load(t.Context(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if e.limits != lim {
		t.Errorf("engine limits %+v, want %+v", e.limits, lim)
	}
	if _, err := e.Eval(t.Context(), realisticInput(t)); err == nil || !strings.Contains(err.Error(), "exceeded the 200ms deadline") {
		t.Errorf("Eval: %v, want the selection's deadline", err)
	}
	for _, c := range []struct {
		own  Limits
		want string
	}{
		{Limits{}, "exceeded the 200ms deadline"},
		{Limits{EvalTimeout: 100 * time.Millisecond}, "exceeded the 100ms deadline"},
	} {
		rep, err := sel.Test(t.Context(), TestOptions{Limits: c.own})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Results) != 1 || !strings.Contains(rep.Results[0].Err, c.want) {
			t.Errorf("Test with %+v: %+v, want %q", c.own, rep.Results, c.want)
		}
	}
}
