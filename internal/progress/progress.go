// Package progress shows how far a run over many reports has come, on a
// terminal: reports judged, reports per second and the time left,
// rewritten in place. Check and sweep both show it (through gate.Judge).
package progress

import (
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Progress is the display. Give it only a terminal: it writes carriage
// returns and erase codes. Its counts may be changed from any goroutine.
type Progress struct {
	w     io.Writer
	verb  string // "checking", "sweeping"
	now   func() time.Time
	start time.Time
	total atomic.Int64 // units found by the walk so far
	done  atomic.Int64 // units judged
	// complete is set when the walk is over: total is final.
	complete atomic.Bool

	mu    sync.Mutex // guards the terminal: the display and Writer's writes
	shown bool       // the display's line is on the terminal
	stop  chan struct{}
	wg    sync.WaitGroup
}

// New returns a display writing to w, saying verb ("checking"); now is the
// clock (time.Now when nil).
func New(w io.Writer, verb string, now func() time.Time) *Progress {
	if now == nil {
		now = time.Now
	}
	return &Progress{w: w, verb: verb, now: now, start: now()}
}

// Start shows the display every interval once delay has passed, until
// Stop: a run shorter than delay shows nothing.
func (p *Progress) Start(delay, interval time.Duration) {
	p.start = p.now()
	p.stop = make(chan struct{})
	p.wg.Go(func() {
		select {
		case <-p.stop:
			return
		case <-time.After(delay):
		}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			p.draw()
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	})
}

func (p *Progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r"+p.Line()+"\x1b[K")
	p.shown = true
}

// Stop ends the display and erases its line.
func (p *Progress) Stop() {
	if p.stop == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.stop = nil
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// Found counts a unit the walk found; Walked says the walk is over;
// Judged counts a unit judged.
func (p *Progress) Found()  { p.total.Add(1) }
func (p *Progress) Walked() { p.complete.Store(true) }
func (p *Progress) Judged() { p.done.Add(1) }

// Writer returns a writer to out (the same terminal as the display's) that
// first erases the display's line, so that what a run prints as it goes
// is never written over the display; the next tick draws it again below.
// Each Write should hold whole lines.
func (p *Progress) Writer(out io.Writer) io.Writer { return &writer{p: p, out: out} }

type writer struct {
	p   *Progress
	out io.Writer
}

func (w *writer) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	if w.p.shown {
		fmt.Fprint(w.p.w, "\r\x1b[K")
		w.p.shown = false
	}
	return w.out.Write(b)
}

// Line is the display's current text.
func (p *Progress) Line() string {
	done, total := p.done.Load(), p.total.Load()
	elapsed := p.now().Sub(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed
	}
	of := thousands(total) + "+"
	if p.complete.Load() {
		of = thousands(total)
	}
	line := fmt.Sprintf("%s: %s of %s reports, %s reports/s", p.verb, thousands(done), of, thousands(int64(rate+0.5)))
	switch {
	case !p.complete.Load() || rate == 0:
		line += ", time left: counting"
	default:
		left := time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second)
		line += ", " + left.String() + " left"
	}
	return line
}

// thousands formats n with thousands separators: 100,000.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
