package policy

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// testNow is the pinned evaluation time of the tests.
var testNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// memFS builds a file system from name -> Rego source.
func memFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}

// optsFor returns Load options for inline policies named "policies/...".
func optsFor(files map[string]string) Options {
	return Options{
		Sources: []Source{{Name: "policies", FS: memFS(files)}},
		Now:     testNow,
	}
}

// mustLoad loads inline policies or fails the test.
func mustLoad(t testing.TB, files map[string]string) *Engine {
	t.Helper()
	e, err := Load(t.Context(), optsFor(files))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return e
}

// value converts a Go value to an AST value or fails the test.
func value(t testing.TB, v any) ast.Value {
	t.Helper()
	x, err := ast.InterfaceToValue(v)
	if err != nil {
		t.Fatalf("InterfaceToValue: %v", err)
	}
	return x
}

// compilePolicies compiles the policies of src (not their tests) with the
// configuration, and returns the compiler and the policy files.
func compilePolicies(t *testing.T, src Source, config map[string]any) (*ast.Compiler, []file) {
	t.Helper()
	files, err := readSources([]Source{src})
	if err != nil {
		t.Fatal(err)
	}
	var policyFiles []file
	for _, f := range files {
		if !f.test {
			policyFiles = append(policyFiles, f)
		}
	}
	c, _, _, err := compileFiles(t.Context(), policyFiles, nil, config, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, policyFiles
}

// regoSrc joins lines into a module source.
func regoSrc(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// realisticInput is a report as fsar parse prints it: a ~3 KB proposal,
// severity 6, three risks and mitigations.
func realisticInput(t testing.TB) ast.Value {
	t.Helper()
	para := "The generator proposes to refactor the retry loop of the ingestion worker so that " +
		"transient failures back off exponentially, with jitter, and give up after a bounded " +
		"number of attempts instead of spinning. The change touches the worker, its tests and " +
		"the operational runbook. "
	proposal := "idea_implementation: " + strings.Repeat(para, 12)
	ts := time.Date(2026, 1, 10, 9, 30, 0, 0, time.UTC)
	return value(t, map[string]any{
		"id":        "fsar_3f2c9a1e-8b7d-4c6a-9e21-5d4b3a2f1e0c",
		"timestamp": "2026-01-10T09:30:00Z",
		"proposal":  proposal,
		"severity":  6,
		"risks": []any{
			"Slow failure: retries could hide a persistent outage (horizon 2027-12-31)",
			"Load: synchronized retries could overload the upstream",
			"Operations: the runbook may drift from the code",
		},
		"mitigations": []any{
			"Alert when the give-up counter rises",
			"Add full jitter to the backoff",
			"Link the runbook section from the code comment",
		},
		"block_execution": false,
		"file":            "reports/fsar_3f2c9a1e-8b7d-4c6a-9e21-5d4b3a2f1e0c.md",
		"form":            "markdown",
		"missing":         []any{},
		"kind":            "idea_implementation",
		"time":            ts.Format(time.RFC3339Nano),
		"time_ns":         ts.UnixNano(),
		"risk_details": []any{
			map[string]any{"category": "Slow failure", "horizon": "2027-12-31"},
			map[string]any{"category": "Load"},
			map[string]any{"category": "Operations"},
		},
		"extra":   map[string]any{},
		"markers": []any{},
	})
}
