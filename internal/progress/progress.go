package sweep

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Progress shows how far a sweep has come on a terminal: reports judged,
// reports per second and the time left, rewritten in place every tick.
// Give it only a terminal: it writes carriage returns and erase codes.
type Progress struct {
	w        io.Writer
	now      func() time.Time
	start    time.Time
	total    atomic.Int64 // units found by the walk so far
	done     atomic.Int64 // units judged
	complete atomic.Bool  // the walk is over: total is final
	stop     chan struct{}
	wg       sync.WaitGroup
}

// NewProgress returns a progress display writing to w.
func NewProgress(w io.Writer, now func() time.Time) *Progress {
	if now == nil {
		now = time.Now
	}
	return &Progress{w: w, now: now}
}

// Start shows the display every interval until Stop.
func (p *Progress) Start(interval time.Duration) {
	p.start = p.now()
	p.stop = make(chan struct{})
	p.wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				fmt.Fprint(p.w, "\r"+p.Line()+"\x1b[K")
			}
		}
	})
}

// Stop ends the display and erases its line.
func (p *Progress) Stop() {
	if p.stop == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.stop = nil
	fmt.Fprint(p.w, "\r\x1b[K")
}

func (p *Progress) found()  { p.total.Add(1) }
func (p *Progress) walked() { p.complete.Store(true) }
func (p *Progress) judged() { p.done.Add(1) }

// Line is the display's current text.
func (p *Progress) Line() string {
	done, total := p.done.Load(), p.total.Load()
	elapsed := p.now().Sub(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed
	}
	of := fmt.Sprintf("%s+", thousands(int(total)))
	if p.complete.Load() {
		of = thousands(int(total))
	}
	line := fmt.Sprintf("sweeping: %s of %s reports, %s reports/s", thousands(int(done)), of, thousands(int(rate+0.5)))
	switch {
	case !p.complete.Load() || rate == 0:
		line += ", time left: counting"
	default:
		left := time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second)
		line += ", " + left.String() + " left"
	}
	return line
}
