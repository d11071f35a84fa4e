package gate

import (
	"context"
	"runtime"
	"sync"

	"github.com/fsar-gate/fsar/internal/proposal"
)

// Judged is what Stream gives for one unit: the gate's report, and the
// report as read (nil when nothing could be read), so that a caller can
// aggregate facts the gate's report does not carry (its time, its text).
// Skipped units (walked files that are not FSAR reports) come with
// Skipped set, and Kind, the kind of report they are instead ("drift";
// "" when they do not say), and nothing else but Unit.
type Judged struct {
	Unit    proposal.Unit
	Skipped bool
	Kind    string
	Report  Report
	Read    *proposal.Report
}

// Stream reads and evaluates the units that arrive on units, on all cores
// (opts.Workers), and calls emit once for each, in the order the units
// arrived, from one goroutine at a time. Units are read as Unit.Read reads
// them. It returns when units is closed and every unit has been emitted.
// At most a few units per worker are in flight at a time, so memory stays
// bounded however many units there are: emit must not keep the Judged
// values it is given. When ctx ends, the remaining units are still
// emitted, as errors ("not evaluated"). This is fsar's one evaluation
// loop: check and sweep judge every report through it.
func Stream(ctx context.Context, ev Evaluator, units <-chan proposal.Unit, opts Options, emit func(Judged)) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type job struct {
		seq  int
		unit proposal.Unit
	}
	type done struct {
		seq int
		j   Judged
	}
	window := 4 * workers // units in flight: dispatched but not yet emitted
	jobs := make(chan job, workers)
	results := make(chan done, window)
	slots := make(chan struct{}, window)

	var wg sync.WaitGroup
	var stdin sync.Mutex // "-" is read once, by one worker
	for range workers {
		wg.Go(func() {
			for jb := range jobs {
				results <- done{seq: jb.seq, j: judgeUnit(ctx, ev, jb.unit, opts, &stdin)}
			}
		})
	}
	go func() {
		seq := 0
		for u := range units {
			slots <- struct{}{}
			jobs <- job{seq: seq, unit: u}
			seq++
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()

	// Emit in arrival order: results that come early wait in pending,
	// which holds fewer than window entries.
	pending := make(map[int]Judged, window)
	next := 0
	for d := range results {
		pending[d.seq] = d.j
		for {
			j, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			emit(j)
			<-slots
		}
	}
}

// judgeUnit reads one unit and judges it.
func judgeUnit(ctx context.Context, ev Evaluator, u proposal.Unit, opts Options, stdin *sync.Mutex) Judged {
	if u.Path == proposal.Stdin {
		if opts.Stdin == nil {
			return Judged{Unit: u, Report: Report{
				File: u.Path, Verdict: Error, Findings: []Finding{},
				Errors: []Problem{{Message: "standard input cannot be read here"}},
			}}
		}
		stdin.Lock()
		defer stdin.Unlock()
	}
	res := u.Read(opts.Limits, opts.Stdin)
	if res.Skipped {
		return Judged{Unit: u, Skipped: true, Kind: res.Kind}
	}
	return Judged{Unit: u, Report: judge(ctx, ev, res, opts.Waivers), Read: res.Report}
}
