package policy

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// Evaluation limits.
//
// A policy is a program: a custom policy (--policy DIR) can loop over a
// huge collection or build a huge value, and OPA would evaluate it until
// the job times out, taking gigabytes on the way. A gate must fail closed,
// and fast, so every evaluation runs under two limits:
//
//   - a deadline, Limits.EvalTimeout (DefaultEvalTimeout, 5s), for each
//     evaluation: one report in Engine.Eval, the input-independent rules
//     that Load computes once, one Rego test in Test;
//   - a memory limit, Limits.MemoryLimit (DefaultMemoryLimit, 100 MiB), on
//     how much the Go heap of the process grows while an evaluation runs.
//
// Exceeding either stops the evaluation with a *LimitError that names the
// limit (errors.Is(err, ErrEvalTimeout) or ErrMemoryLimit): Eval returns it
// in an *EvalError, so the report is an error and no finding comes back.
//
// How they are enforced, and the trade-offs. OPA's evaluator polls a
// topdown.Cancel flag before every expression, and the built-ins that
// build large values in a loop (numbers.range, net.cidr_expand, concat,
// replace, regex.replace, ...) poll it as they go. An evaluation passes
// OPA its own flag (rego.EvalExternalCancel) and registers itself with one
// watcher goroutine; the hot path is a time.Now, a mutex-guarded append
// and removal, and no goroutine or timer per evaluation (OPA would
// otherwise start a goroutine per evaluation to watch the context). The
// watcher runs only while evaluations do: every watchInterval it raises
// the flag of each evaluation that is past its deadline or whose context
// is done, and reads the heap size from runtime/metrics (no
// stop-the-world, unlike runtime.ReadMemStats) and stops every evaluation
// in progress whose memory limit is below it. So:
//
//   - Limits are enforced to within watchInterval (10ms), plus what one
//     step of evaluation does before it polls the flag.
//   - The heap is the process's, not an evaluation's: Go cannot attribute
//     memory to a goroutine. When it is exceeded, every evaluation in
//     progress stops, innocent ones included; with reports evaluated in
//     parallel the whole run then fails closed, which is what a gate
//     wants when a policy is blowing up. The stopped evaluations' garbage
//     would then still count against those that start next, so after a
//     stop for memory the watcher leaves the memory limit alone until the
//     stopped evaluations have returned and it has forced one collection.
//   - The heap counts garbage not yet collected (it is the figure that
//     runtime.MemStats calls HeapAlloc). With the default GOGC it peaks at
//     about twice the live data; fsar check of a 1,331-report corpus
//     stays under 90 MiB resident, far from the default limit. GOGC=off,
//     or a host program that keeps a large heap of its own, needs a
//     higher limit.
//   - A single built-in call that allocates a huge value without polling
//     the flag cannot be stopped midway: the sandbox removes the built-ins
//     whose result size is set by an argument (see sandbox.go). What
//     remains, such as serialising a value made of many references to one
//     large value, can still allocate past the limit before the flag is
//     looked at again; the limit then stops the evaluation as soon as the
//     call returns.

// The defaults of Limits.
const (
	DefaultEvalTimeout       = 5 * time.Second
	DefaultMemoryLimit int64 = 100 << 20 // 100 MiB: a runaway policy stops under 200 MB resident
)

// Limits bound policy evaluation (see Options and TestOptions).
type Limits struct {
	// EvalTimeout bounds each evaluation: one report in Engine.Eval, the
	// input-independent rules Load computes once, one test in Test. Zero
	// means DefaultEvalTimeout (5s); a negative value means no deadline.
	EvalTimeout time.Duration
	// MemoryLimit, in bytes, bounds how much the Go heap of the process
	// may grow while an evaluation runs: when it grows past the heap at
	// the start of the oldest evaluation in progress by more, every
	// evaluation in progress with this limit stops. A limit on growth, not
	// on the heap, so that a run that keeps many results (fsar check of a
	// large folder) is not stopped for the memory its results hold. Zero
	// means DefaultMemoryLimit (100 MiB); a negative value means no limit.
	MemoryLimit int64
}

// timeout returns the deadline of one evaluation, 0 for none.
func (l Limits) timeout() time.Duration {
	switch {
	case l.EvalTimeout == 0:
		return DefaultEvalTimeout
	case l.EvalTimeout < 0:
		return 0
	}
	return l.EvalTimeout
}

// memory returns the heap limit in bytes, 0 for none.
func (l Limits) memory() uint64 {
	switch {
	case l.MemoryLimit == 0:
		return uint64(DefaultMemoryLimit)
	case l.MemoryLimit < 0:
		return 0
	}
	return uint64(l.MemoryLimit)
}

// active reports whether there is a limit to watch.
func (l Limits) active() bool { return l.timeout() > 0 || l.memory() > 0 }

// The limits, for errors.Is on an error that a limit caused.
var (
	ErrEvalTimeout = errors.New("policy evaluation exceeded its deadline")
	ErrMemoryLimit = errors.New("policy evaluation exceeded the memory limit")
)

// LimitError reports an evaluation stopped by one of its Limits. It is
// ErrEvalTimeout or ErrMemoryLimit for errors.Is.
type LimitError struct {
	Timeout     time.Duration // the deadline exceeded; 0 when it was the memory limit
	MemoryLimit uint64        // the memory limit exceeded, in bytes; 0 when it was the deadline
	Heap        uint64        // how much the heap had grown when the memory limit was exceeded
}

// Error names the limit.
func (e *LimitError) Error() string {
	if e.Timeout > 0 {
		return fmt.Sprintf("policy evaluation exceeded the %v deadline (evaluation timeout)", e.Timeout)
	}
	return fmt.Sprintf("policy evaluation exceeded the %s memory limit (the heap grew by %s while it ran)",
		formatBytes(e.MemoryLimit), formatBytes(e.Heap))
}

// Is reports whether target is the sentinel of the limit exceeded.
func (e *LimitError) Is(target error) bool {
	switch target {
	case ErrEvalTimeout:
		return e.Timeout > 0
	case ErrMemoryLimit:
		return e.MemoryLimit > 0
	}
	return false
}

// formatBytes renders a size in the largest binary unit that keeps it
// at least 1, with at most one decimal: "1 GiB", "1.5 GiB", "200 MiB".
func formatBytes(n uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	s := fmt.Sprintf("%.1f", v)
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		s = s[:len(s)-2]
	}
	return s + " " + units[i]
}

// watchInterval is how often the watcher looks at the evaluations in
// progress and at the heap.
const watchInterval = 10 * time.Millisecond

// heapMetric is the heap occupied by objects, live or not yet swept: the
// figure runtime.MemStats calls HeapAlloc.
const heapMetric = "/memory/classes/heap/objects:bytes"

// Why an evaluation stopped.
const (
	running uint32 = iota
	stoppedDeadline
	stoppedMemory
	stoppedContext // the caller's context is done
)

// evalRun is one evaluation in progress (or one Test run) under the
// watcher. It is the topdown.Cancel that OPA polls.
type evalRun struct {
	state    atomic.Uint32 // running, or why it stopped
	ctx      context.Context
	cancel   context.CancelCauseFunc // called with the cause when stopped, or nil
	deadline time.Time               // zero: none
	timeout  time.Duration
	memory   uint64 // 0: none
	base     uint64 // the heap when the run started, as the watcher last saw it
	heap     uint64 // the growth when stopped for memory; written and read under guard.mu
	idx      int    // in guard.runs
}

// Cancel stops the evaluation as if its context were done. It is part of
// topdown.Cancel; OPA does not call it on an external Cancel.
func (r *evalRun) Cancel() { r.stop(stoppedContext) }

// Cancelled reports whether the evaluation must stop. OPA calls it before
// every expression.
func (r *evalRun) Cancelled() bool { return r.state.Load() != running }

// stop raises the flag, once, and cancels the run's context if it has one.
func (r *evalRun) stop(why uint32) {
	if r.state.CompareAndSwap(running, why) && r.cancel != nil {
		if err := r.limitError(); err != nil {
			r.cancel(err)
		} else {
			r.cancel(context.Canceled)
		}
	}
}

// limitError returns the *LimitError when a limit stopped the run, else
// nil. Read it after guard.end, or under guard.mu.
func (r *evalRun) limitError() *LimitError {
	switch r.state.Load() {
	case stoppedDeadline:
		return &LimitError{Timeout: r.timeout}
	case stoppedMemory:
		return &LimitError{MemoryLimit: r.memory, Heap: r.heap}
	}
	return nil
}

// guard is the watcher of the evaluations in progress.
type guard struct {
	mu       sync.Mutex
	runs     []*evalRun
	watching bool // the watcher goroutine runs
	started  bool // a run started since the watcher's last look
	reclaim  bool // runs were stopped for memory: collect their garbage once they end
	heap     func() uint64
	lastHeap atomic.Uint64 // the heap at the watcher's last look: the base of runs that start
}

// evalGuard watches every evaluation of the process: the heap is shared.
var evalGuard = &guard{heap: readHeap}

// readHeap returns the size of the heap's objects.
func readHeap() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0 // not supported by this Go: no memory limit rather than a false one
	}
	return s[0].Value.Uint64()
}

// start registers an evaluation with the limits, starting the watcher if
// it is not running. ctx is polled by the watcher; cancel, when not nil,
// is called with the cause when the run is stopped.
func (g *guard) start(ctx context.Context, lim Limits, cancel context.CancelCauseFunc) *evalRun {
	r := &evalRun{ctx: ctx, cancel: cancel, timeout: lim.timeout(), memory: lim.memory()}
	if r.timeout > 0 {
		r.deadline = time.Now().Add(r.timeout)
	}
	g.mu.Lock()
	if r.memory > 0 {
		// While the watcher runs, its last figure is at most watchInterval
		// old and costs nothing; a run that starts it reads the heap.
		if !g.watching {
			g.lastHeap.Store(g.heap())
		}
		r.base = g.lastHeap.Load()
	}
	r.idx = len(g.runs)
	g.runs = append(g.runs, r)
	g.started = true
	if !g.watching {
		g.watching = true
		go g.watch()
	}
	g.mu.Unlock()
	return r
}

// end unregisters a run. After it, the run is not stopped any more.
func (g *guard) end(r *evalRun) {
	g.mu.Lock()
	last := len(g.runs) - 1
	moved := g.runs[last]
	g.runs[r.idx], moved.idx = moved, r.idx
	g.runs[last] = nil
	g.runs = g.runs[:last]
	g.mu.Unlock()
}

// watch looks at the runs every watchInterval, and returns once a look
// finds none in progress and none started since the previous look: a
// sweep that evaluates report after report keeps one watcher.
func (g *guard) watch() {
	t := time.NewTicker(watchInterval)
	defer t.Stop()
	for range t.C {
		if g.reclaimable() {
			runtime.GC()
		}
		if !g.look() {
			return
		}
	}
}

// reclaimable reports whether runs stopped for memory have all ended, so
// that a collection now frees what they built. Until it has run, the heap
// still holds their garbage, and a look would stop the evaluations that
// started since for memory that is not theirs; so after a stop for memory
// the watcher checks no memory limit until the stopped runs have ended and
// a collection has run (deadlines are still checked).
func (g *guard) reclaimable() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.reclaim {
		return false
	}
	for _, r := range g.runs {
		if r.state.Load() == stoppedMemory {
			return false
		}
	}
	g.reclaim = false
	return true
}

// look stops the runs that are past their deadline, whose context is
// done, or whose memory limit the heap exceeds. It returns false, with
// the watcher marked as stopped, when there was nothing to watch.
func (g *guard) look() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.runs) == 0 && !g.started {
		g.watching = false
		return false
	}
	g.started = false
	var heap uint64
	for _, r := range g.runs {
		if r.memory > 0 && r.state.Load() == running && !g.reclaim {
			heap = g.heap()
			g.lastHeap.Store(heap)
			break
		}
	}
	now := time.Now()
	for _, r := range g.runs {
		switch {
		case r.state.Load() != running:
		case r.ctx.Err() != nil:
			r.stop(stoppedContext)
		case r.timeout > 0 && now.After(r.deadline):
			r.stop(stoppedDeadline)
		case r.memory > 0 && heap > r.base+r.memory:
			r.heap = heap - r.base
			r.stop(stoppedMemory)
			g.reclaim = true
		}
	}
	return true
}
