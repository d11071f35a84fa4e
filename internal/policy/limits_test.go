package policy

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The hostile policies: each would run for hours, or take gigabytes,
// against a real report. chars is the ~3,000 characters of the report's
// proposal, so a triple loop over them is 2.7e10 steps.
const (
	hostileChars = "chars := split(input.proposal, \"\")"

	// hostileLoop runs without allocating much.
	hostileLoop = `package fsar.hostile

` + hostileChars + `

deny contains {"msg": "never"} if {
	some a in chars
	some b in chars
	some c in chars
	concat("", [a, b, c]) == "\u0000"
}
`

	// hostileBuild builds an array of 2.7e10 triples.
	hostileBuild = `package fsar.hostile

` + hostileChars + `

deny contains {"msg": sprintf("%d", [count(triples)])} if {
	triples := [[a, b, c] | some a in chars; some b in chars; some c in chars]
}
`

	// hostileStrings builds 9 million copies of the proposal, fast.
	hostileStrings = `package fsar.hostile

` + hostileChars + `

deny contains {"msg": "m"} if {
	copies := [concat(a, [b, input.proposal]) | some a in chars; some b in chars]
	count(copies) > 1
}
`

	// hostileSet is the same through sets and nested comprehensions, of
	// the characters' positions (their values repeat).
	hostileSet = `package fsar.hostile

` + hostileChars + `

deny contains {"msg": "m"} if {
	pairs := {[i, j] | some i, _ in chars; some j, _ in chars}
	count({[p, k] | some p in pairs; some k, _ in chars}) > 1
}
`
)

// heapPeak samples HeapAlloc until stop is called, and returns its peak.
func heapPeak() (stop func() uint64) {
	done := make(chan struct{})
	var peak uint64
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// heapNow returns HeapAlloc after a collection.
func heapNow() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

const mib = 1 << 20

// TestEvalDeadline: a hostile policy ends, soon after the deadline, in an
// EvalError that names it.
func TestEvalDeadline(t *testing.T) {
	for name, src := range map[string]string{"loop": hostileLoop, "build": hostileBuild, "set": hostileSet, "strings": hostileStrings} {
		t.Run(name, func(t *testing.T) {
			const timeout = 300 * time.Millisecond
			opts := optsFor(map[string]string{"hostile.rego": src})
			opts.EvalTimeout = timeout
			opts.MemoryLimit = -1 // the deadline alone
			e, err := Load(t.Context(), opts)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			start := time.Now()
			fs, err := e.Eval(t.Context(), realisticInput(t))
			elapsed := time.Since(start)
			if err == nil {
				t.Fatalf("Eval gave %d findings and no error", len(fs))
			}
			var ee *EvalError
			if !errors.As(err, &ee) || !errors.Is(err, ErrEvalTimeout) || errors.Is(err, ErrMemoryLimit) {
				t.Errorf("error %T %v: want an *EvalError that is ErrEvalTimeout", err, err)
			}
			if want := "policy evaluation exceeded the 300ms deadline"; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
			if fs != nil {
				t.Errorf("findings with the error: %+v", fs)
			}
			// A loose bound, for a loaded machine: hours without the deadline.
			if elapsed > timeout+10*time.Second {
				t.Errorf("Eval returned %v after the start, for a %v deadline", elapsed, timeout)
			}
		})
	}
}

// TestEvalMemoryLimit: a policy that builds a huge value is stopped when
// the heap grows by more than the limit while it runs, with an error that
// names it, and the heap stays within a few hundred MiB of it. Evaluations
// that start after it are not blamed for its garbage, nor for memory the
// program held before they started.
func TestEvalMemoryLimit(t *testing.T) {
	for name, src := range map[string]string{"build": hostileBuild, "strings": hostileStrings} {
		t.Run(name, func(t *testing.T) {
			base := heapNow()
			limit := uint64(128 * mib)
			opts := optsFor(map[string]string{"hostile.rego": src})
			opts.EvalTimeout = 2 * time.Minute // the memory limit must stop it first
			opts.MemoryLimit = int64(limit)
			e, err := Load(t.Context(), opts)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			stop := heapPeak()
			_, err = e.Eval(t.Context(), realisticInput(t))
			peak := stop()
			if !errors.Is(err, ErrMemoryLimit) || errors.Is(err, ErrEvalTimeout) {
				t.Fatalf("error %v: want ErrMemoryLimit", err)
			}
			if want := "policy evaluation exceeded the "; !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "memory limit") {
				t.Errorf("error %q does not name the memory limit", err)
			}
			t.Logf("heap: %d MiB before, limit %d MiB of growth, peak %d MiB", base/mib, limit/mib, peak/mib)
			if peak > base+limit+384*mib {
				t.Errorf("the heap peaked at %d MiB, for a limit of %d MiB of growth from %d MiB", peak/mib, limit/mib, base/mib)
			}

			// Right after, with the stopped evaluation's garbage perhaps
			// not collected yet, an ordinary evaluation is unaffected.
			fine, err := Load(t.Context(), Options{Sources: []Source{defaultSource()}, Now: testNow,
				Limits: Limits{MemoryLimit: int64(limit)}})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			for range 20 {
				if _, err := fine.Eval(t.Context(), realisticInput(t)); err != nil {
					t.Fatalf("an ordinary evaluation after the stopped one: %v", err)
				}
				time.Sleep(watchInterval / 2)
			}
			// Memory the program holds (results it keeps) is not growth.
			held := make([][]byte, 0, 64)
			for range 48 {
				held = append(held, make([]byte, 4*mib))
			}
			time.Sleep(3 * watchInterval) // held for a while, as results are
			for range 20 {
				if _, err := fine.Eval(t.Context(), realisticInput(t)); err != nil {
					t.Fatalf("an ordinary evaluation while the program holds %d MiB: %v", 4*len(held), err)
				}
				time.Sleep(watchInterval / 2)
			}
			runtime.KeepAlive(held)
		})
	}
}

// TestEvalLimitsCancel: the caller's context still cancels an evaluation
// that runs under the limits, as an ordinary cancellation.
func TestEvalLimitsCancel(t *testing.T) {
	e := mustLoad(t, map[string]string{"hostile.rego": hostileLoop})
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := e.Eval(ctx, realisticInput(t))
	if err == nil || errors.Is(err, ErrEvalTimeout) || errors.Is(err, ErrMemoryLimit) {
		t.Fatalf("error %v: want a cancellation", err)
	}
	if !strings.Contains(err.Error(), "evaluation cancelled") {
		t.Errorf("error %q does not say the evaluation was cancelled", err)
	}
}

// TestEvalNoLimits: negative limits turn them off; evaluation is as before.
func TestEvalNoLimits(t *testing.T) {
	opts := Options{Sources: []Source{defaultSource()}, Now: testNow, Limits: Limits{EvalTimeout: -1, MemoryLimit: -1}}
	e, err := Load(t.Context(), opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if _, err := e.Eval(t.Context(), realisticInput(t)); err != nil {
		t.Errorf("Eval: %v", err)
	}
}

// TestLoadConstantLimit: an input-independent rule is computed once at
// Load, under the same limits; exceeding one fails Load, naming the limit
// and the rule. The rules loop without keeping what they visit (no
// character is "x"), so that the deadline, not the memory limit, is the
// one they exceed however fast the machine is.
func TestLoadConstantLimit(t *testing.T) {
	for name, c := range map[string]struct {
		src  string
		want []string
	}{
		"one rule": {regoSrc(
			"package fsar.hostile",
			"",
			"big := n if {",
			`	chars := split(sprintf("%3000s", [""]), "")`,
			`	n := count([1 | some a in chars; some b in chars; some c in chars; a == "x"])`,
			"}",
			"",
			`deny contains {"msg": "m"} if big > input.severity`,
		), []string{"policies/hostile.rego:3:", "exceeded the 300ms deadline", "computing fsar.hostile.big ("}},
		// Computed together, the rule to blame is not known: both named.
		"two rules": {regoSrc(
			"package fsar.hostile",
			"",
			`chars := split(sprintf("%3000s", [""]), "")`,
			"",
			`big := count([1 | some a in chars; some b in chars; some c in chars; a == "x"])`,
			"",
			`deny contains {"msg": "m"} if big > input.severity`,
		), []string{"exceeded the 300ms deadline", "computing fsar.hostile.big, fsar.hostile.chars ("}},
	} {
		t.Run(name, func(t *testing.T) {
			opts := optsFor(map[string]string{"hostile.rego": c.src})
			opts.EvalTimeout = 300 * time.Millisecond
			_, err := Load(t.Context(), opts)
			var le *LoadError
			if !errors.As(err, &le) || !errors.Is(err, ErrEvalTimeout) {
				t.Fatalf("error %T %v: want a *LoadError that is ErrEvalTimeout", err, err)
			}
			for _, want := range c.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}

func TestLimitsDefaults(t *testing.T) {
	for _, c := range []struct {
		in      Limits
		timeout time.Duration
		memory  uint64
	}{
		{Limits{}, 5 * time.Second, 100 << 20},
		{Limits{EvalTimeout: time.Second, MemoryLimit: 1 << 20}, time.Second, 1 << 20},
		{Limits{EvalTimeout: -1, MemoryLimit: -1}, 0, 0},
	} {
		if got := c.in.timeout(); got != c.timeout {
			t.Errorf("%+v: timeout %v, want %v", c.in, got, c.timeout)
		}
		if got := c.in.memory(); got != c.memory {
			t.Errorf("%+v: memory %v, want %v", c.in, got, c.memory)
		}
	}
	if got := (&LimitError{MemoryLimit: 1 << 30, Heap: 1536 << 20}).Error(); got != "policy evaluation exceeded the 1 GiB memory limit (the heap grew by 1.5 GiB while it ran)" {
		t.Errorf("memory LimitError: %q", got)
	}
	if got := (&LimitError{Timeout: 5 * time.Second}).Error(); got != "policy evaluation exceeded the 5s deadline (evaluation timeout)" {
		t.Errorf("deadline LimitError: %q", got)
	}
}
