package policy

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// hostileTests are Rego tests that loop, and that build, for hours.
func hostileTests(t *testing.T) []Source {
	t.Helper()
	return []Source{{Name: "policies", FS: memFS(map[string]string{
		"ok.rego": "package fsar.ok\n\ndeny contains {\"msg\": \"m\"} if input.severity > 100\n",
		"hostile_test.rego": regoSrc(
			"package fsar.hostile_test",
			"",
			`chars := split(sprintf("%3000s", [""]), "")`,
			"",
			"test_loop if {",
			"\tsome a in chars",
			"\tsome b in chars",
			"\tsome c in chars",
			"\tconcat(\"\", [a, b, c]) == \"x\"",
			"}",
			"",
			"test_build if {",
			"\tcount([[a, b, c] | some a in chars; some b in chars; some c in chars]) > 1",
			"}",
			"",
			"test_fine if count(chars) == 3000",
		),
	})}}
}

// TestTestDeadline: a Rego test that runs too long is a TestError that
// names the deadline; the others run.
func TestTestDeadline(t *testing.T) {
	const timeout = 300 * time.Millisecond
	start := time.Now()
	rep, err := Test(t.Context(), TestOptions{Sources: hostileTests(t), Limits: Limits{EvalTimeout: timeout, MemoryLimit: -1}})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("Test: %v", err)
	}
	got := map[string]TestResult{}
	for _, r := range rep.Results {
		got[r.Name] = r
	}
	for _, name := range []string{"test_loop", "test_build"} {
		r := got[name]
		if r.Outcome != TestError || !strings.Contains(r.Err, "policy evaluation exceeded the 300ms deadline") {
			t.Errorf("%s: %s %q, want an error naming the deadline", name, r.Outcome, r.Err)
		}
		if !strings.HasPrefix(r.Err, "policies/hostile_test.rego:") && !strings.HasPrefix(r.Err, "policy evaluation") {
			t.Errorf("%s: error %q", name, r.Err)
		}
	}
	if r := got["test_fine"]; r.Outcome != TestPass {
		t.Errorf("test_fine: %s %s", r.Outcome, r.Err)
	}
	if rep.OK() {
		t.Error("the report is OK")
	}
	if elapsed > 2*timeout+10*time.Second {
		t.Errorf("Test returned after %v, for a %v deadline per test", elapsed, timeout)
	}
}

// TestTestMemoryLimit: Rego tests that build a huge value are stopped by
// the memory limit, and Test fails with an error naming it.
func TestTestMemoryLimit(t *testing.T) {
	base := heapNow()
	limit := base + 128*mib
	stop := heapPeak()
	_, err := Test(t.Context(), TestOptions{Sources: hostileTests(t), Run: "test_build",
		Limits: Limits{EvalTimeout: 2 * time.Minute, MemoryLimit: int64(limit)}})
	peak := stop()
	if !errors.Is(err, ErrMemoryLimit) {
		t.Fatalf("error %v: want ErrMemoryLimit", err)
	}
	if !strings.Contains(err.Error(), "memory limit") || !strings.Contains(err.Error(), "test_build") {
		t.Errorf("error %q does not name the memory limit and the test", err)
	}
	t.Logf("heap: %d MiB before, limit %d MiB, peak %d MiB", base/mib, limit/mib, peak/mib)
	if peak > limit+384*mib {
		t.Errorf("the heap peaked at %d MiB, for a limit of %d MiB", peak/mib, limit/mib)
	}
}
