package policy

import (
	"maps"
	"slices"
	"testing"

	"github.com/fsar-gate/fsar/policies"
)

// loadBundle loads the test bundle, shaped like the default bundle.
func loadBundle(t testing.TB) *Engine {
	t.Helper()
	e, err := Load(t.Context(), Options{Sources: []Source{bundleSource()}, Now: testNow})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return e
}

// defaultSource is the default bundle, as the CLI loads it.
func defaultSource() Source { return Source{Name: "policies", FS: policies.FS} }

// benchSources are the bundles the benchmarks use: the default bundle, the
// test bundle, and a minimal one that measures the engine's own cost.
func benchSources() map[string]Source {
	return map[string]Source{
		"default":  defaultSource(),
		"testdata": bundleSource(),
		"minimal": {Name: "minimal", FS: memFS(map[string]string{"x.rego": regoSrc(
			"package fsar.x",
			"",
			"deny contains {\"msg\": \"m\"} if input.severity > 100",
			"",
			"review contains {\"msg\": \"m\"} if input.severity > 50",
			"",
			"warn contains {\"msg\": \"m\"} if input.block_execution",
		)})},
	}
}

// TestDefaultBundle checks that the default bundle meets this package's
// contract checks, its Rego tests pass in the sandbox, and a clean report
// evaluates without error.
func TestDefaultBundle(t *testing.T) {
	e, err := Load(t.Context(), Options{Sources: []Source{defaultSource()}, Now: testNow})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(e.Rules()) == 0 {
		t.Error("the default bundle has no annotated rules")
	}
	if _, err := e.Eval(t.Context(), realisticInput(t)); err != nil {
		t.Errorf("Eval: %v", err)
	}
	rep, err := Test(t.Context(), TestOptions{Sources: []Source{defaultSource()}})
	if err != nil {
		t.Fatalf("Test: %v", err)
	}
	for _, r := range rep.Results {
		if r.Outcome == TestFail || r.Outcome == TestError {
			t.Errorf("%s:%d %s.%s: %s %s", r.File, r.Line, r.Package, r.Name, r.Outcome, r.Err)
		}
	}
}

func TestBundleEval(t *testing.T) {
	e := loadBundle(t)
	fs, err := e.Eval(t.Context(), realisticInput(t))
	if err != nil {
		t.Fatalf("Eval: %v", err)
	}
	if len(fs) != 0 {
		t.Errorf("the realistic input gave findings: %+v", fs)
	}
	in := value(t, map[string]any{
		"severity": 50, "block_execution": true, "markers": []any{"fsar_block"},
		"risks": []any{"a", "b"}, "mitigations": []any{"a"}, "missing": []any{"timestamp"},
		"kind": "other", "risk_details": []any{map[string]any{"horizon": "2020-01-01"}},
		"time_ns": testNow.AddDate(0, -2, 0).UnixNano(),
	})
	fs, err = e.Eval(t.Context(), in)
	if err != nil {
		t.Fatalf("Eval: %v", err)
	}
	var rules []string
	for _, f := range fs {
		rules = append(rules, f.Level.String()+" "+f.Rule)
	}
	want := []string{
		"deny block-execution", "deny marker-block", "deny severity-hard",
		"warn missing-field", "warn risk-horizon-passed", "warn stale-report", "warn unknown-kind", "warn unmitigated-risks",
	}
	if len(rules) != len(want) {
		t.Fatalf("rules = %q, want %q", rules, want)
	}
	for i := range want {
		if rules[i] != want[i] {
			t.Errorf("rules = %q, want %q", rules, want)
			break
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	srcs := benchSources()
	for _, name := range slices.Sorted(maps.Keys(srcs)) {
		src := srcs[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Load(b.Context(), Options{Sources: []Source{src}, Now: testNow}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEval(b *testing.B) {
	srcs := benchSources()
	for _, name := range slices.Sorted(maps.Keys(srcs)) {
		src := srcs[name]
		e, err := Load(b.Context(), Options{Sources: []Source{src}, Now: testNow})
		if err != nil {
			b.Fatal(err)
		}
		in := realisticInput(b)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Eval(b.Context(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEvalParallel(b *testing.B) {
	srcs := benchSources()
	for _, name := range slices.Sorted(maps.Keys(srcs)) {
		src := srcs[name]
		e, err := Load(b.Context(), Options{Sources: []Source{src}, Now: testNow})
		if err != nil {
			b.Fatal(err)
		}
		in := realisticInput(b)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(1) // with -cpu 2: two goroutines
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := e.Eval(b.Context(), in); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
