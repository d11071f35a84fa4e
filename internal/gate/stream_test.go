package gate

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// TestStreamEqualsCheck: Stream judges every unit as Check does, and emits
// them in the order they arrived, with the reports as read.
func TestStreamEqualsCheck(t *testing.T) {
	units, errs := proposal.Discover([]string{filepath.Join("..", "..", "proposals")})
	if len(errs) > 0 || len(units) < 19 {
		t.Fatalf("example reports: %d, %v", len(units), errs)
	}
	units = append(units, proposal.Unit{Path: filepath.Join("..", "..", "README.md"), Walked: true})
	e := engine(t, nil)
	want, wantSkipped := Check(t.Context(), e, units, Options{})
	for _, workers := range []int{1, 3} {
		ch := make(chan proposal.Unit)
		go func() {
			for _, u := range units {
				ch <- u
			}
			close(ch)
		}()
		var got []Report
		var skipped []string
		Stream(t.Context(), e, ch, Options{Workers: workers}, func(j Judged) {
			if j.Skipped {
				skipped = append(skipped, j.Unit.Path)
				return
			}
			if j.Read == nil || j.Read.File != j.Report.File {
				t.Errorf("%s: the report as read is missing", j.Report.File)
			}
			got = append(got, j.Report)
		})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%d workers: Stream differs from Check (-want +got):\n%s", workers, diff)
		}
		if diff := cmp.Diff(wantSkipped, skipped); diff != "" {
			t.Errorf("%d workers: skipped (-want +got):\n%s", workers, diff)
		}
	}
}

// TestStreamReadsAsCheck: Stream reads units exactly as Unit.Read does,
// errors included, for the unusual files too.
func TestStreamReadsAsCheck(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join("..", "..", "proposals", "pass", "fsar_proposal_cache-policy-bundle.md"))
	if err != nil {
		t.Fatal(err)
	}
	goodJSON, err := os.ReadFile(filepath.Join("..", "..", "proposals", "block", "fsar_proposal_twin-conflict.json"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"a.md": string(good), "a.json": string(goodJSON),
		"b.md": string(good), "b.json": `{"id": `,
		"empty.md": "", "fsar_empty.md": "", "README.md": "# notes\n", "fsar_notes.md": "# notes\n",
		"notes.json": `{"kind": "drift"}`, "big.md": string(good) + strings.Repeat("x", 300),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	j := func(n string) string { return filepath.Join(dir, n) }
	var units []proposal.Unit
	for _, walked := range []bool{true, false} {
		units = append(units,
			proposal.Unit{Path: j("a.md"), Twin: j("a.json"), Walked: walked},
			proposal.Unit{Path: j("b.md"), Twin: j("b.json"), Walked: walked},
			proposal.Unit{Path: j("c.md"), Twin: j("a.json"), Walked: walked}, // the markdown file is missing
			proposal.Unit{Path: j("a.md"), Twin: j("missing.json"), Walked: walked},
			proposal.Unit{Path: j("empty.md"), Walked: walked},
			proposal.Unit{Path: j("fsar_empty.md"), Walked: walked},
			proposal.Unit{Path: j("README.md"), Walked: walked},
			proposal.Unit{Path: j("fsar_notes.md"), Walked: walked},
			proposal.Unit{Path: j("notes.json"), Walked: walked},
			proposal.Unit{Path: j("big.md"), Walked: walked},
			proposal.Unit{Path: dir, Walked: walked}, // a folder
		)
	}
	e := engine(t, nil)
	for _, maxBytes := range []int64{0, int64(len(good) + 100)} {
		want, wantSkipped := Check(t.Context(), e, units, Options{Limits: proposal.Limits{MaxBytes: maxBytes}})
		errs := 0
		for _, r := range want {
			if r.Verdict == Error {
				errs++
			}
		}
		if len(wantSkipped) < 3 || errs < 10 {
			t.Fatalf("max %d bytes: %d skipped, %d errors: the cases do not cover what they should", maxBytes, len(wantSkipped), errs)
		}
		ch := make(chan proposal.Unit, len(units))
		for _, u := range units {
			ch <- u
		}
		close(ch)
		var got []Report
		var skipped []string
		Stream(t.Context(), e, ch, Options{Limits: proposal.Limits{MaxBytes: maxBytes}}, func(j Judged) {
			if j.Skipped {
				skipped = append(skipped, j.Unit.Path)
				return
			}
			got = append(got, j.Report)
		})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("max %d bytes: Stream differs from Check (-want +got):\n%s", maxBytes, diff)
		}
		if diff := cmp.Diff(wantSkipped, skipped); diff != "" {
			t.Errorf("max %d bytes: skipped (-want +got):\n%s", maxBytes, diff)
		}
	}
}

// slowEval counts the evaluations in progress.
type slowEval struct {
	running, most atomic.Int64
}

func (s *slowEval) Eval(ctx context.Context, _ ast.Value) ([]policy.Finding, error) {
	n := s.running.Add(1)
	for {
		m := s.most.Load()
		if n <= m || s.most.CompareAndSwap(m, n) {
			break
		}
	}
	defer s.running.Add(-1)
	return nil, nil
}

// TestStreamBounded: however many units come, only a few per worker are
// taken before the earlier ones are emitted.
func TestStreamBounded(t *testing.T) {
	file := filepath.Join("..", "..", "proposals", "pass", "fsar_proposal_cache-policy-bundle.md")
	const n, workers = 2000, 3
	var sent, emitted, most atomic.Int64
	ch := make(chan proposal.Unit)
	go func() {
		for range n {
			ch <- proposal.Unit{Path: file}
			sent.Add(1)
		}
		close(ch)
	}()
	ev := &slowEval{}
	Stream(t.Context(), ev, ch, Options{Workers: workers}, func(j Judged) {
		if j.Report.Verdict != Pass {
			t.Fatalf("verdict %s: %v", j.Report.Verdict, j.Report.Errors)
		}
		if d := sent.Load() - emitted.Load(); d > most.Load() {
			most.Store(d)
		}
		emitted.Add(1)
	})
	if emitted.Load() != n {
		t.Errorf("%d emitted, want %d", emitted.Load(), n)
	}
	if m := most.Load(); m > 4*workers+1 {
		t.Errorf("%d units in flight at most, want at most %d", m, 4*workers+1)
	}
	if m := ev.most.Load(); m > workers {
		t.Errorf("%d evaluations at once, want at most %d", m, workers)
	}
}

func TestStreamStdin(t *testing.T) {
	ch := make(chan proposal.Unit, 1)
	ch <- proposal.Unit{Path: proposal.Stdin}
	close(ch)
	var got []Judged
	Stream(context.Background(), &slowEval{}, ch, Options{}, func(j Judged) { got = append(got, j) })
	if len(got) != 1 || got[0].Report.Verdict != Error {
		t.Errorf("stdin: %+v, want an error", got)
	}
}

// TestRunInterrupted: a run whose context ends before the walk is over is
// an error, never a pass of the reports it found so far.
func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res, _ := Run(ctx, &slowEval{}, RunOptions{Source: Source{Paths: []string{filepath.Join("..", "..", "proposals", "pass")}}, AllowEmpty: true})
	if res.Verdict != Error || len(res.Errors) == 0 || !strings.Contains(res.Errors[len(res.Errors)-1].Message, "interrupted") {
		t.Fatalf("verdict %s, errors %+v", res.Verdict, res.Errors)
	}
}

// TestRunDrop: a run that writes each report as it comes (Each) and keeps
// none (Drop) has the counts, verdict and errors of one that keeps them
// all, and is given every unit once, in the walk's order.
func TestRunDrop(t *testing.T) {
	e := engine(t, nil)
	src := Source{Paths: []string{filepath.Join("..", "..", "proposals"), filepath.Join("..", "..", "README.md"), "nowhere"}}
	kept, _ := Run(t.Context(), e, RunOptions{Source: src})
	var seen []string
	dropped, _ := Run(t.Context(), e, RunOptions{Source: src, Drop: true, Each: func(j Judged) {
		seen = append(seen, j.Unit.Path)
	}})
	if len(dropped.Reports) != 0 || len(dropped.Skipped) != 0 {
		t.Errorf("dropped run kept %d reports, %d skipped files", len(dropped.Reports), len(dropped.Skipped))
	}
	if dropped.Count != kept.Count || dropped.Verdict != kept.Verdict || !cmp.Equal(dropped.Errors, kept.Errors) {
		t.Errorf("dropped run: %+v, %s, %v; kept: %+v, %s, %v", dropped.Count, dropped.Verdict, dropped.Errors, kept.Count, kept.Verdict, kept.Errors)
	}
	if len(seen) != kept.Count.Reports+kept.Count.Skipped || !slices.IsSorted(seen[:len(seen)-1]) {
		t.Errorf("Each saw %d units (want %d), in order: %v", len(seen), kept.Count.Reports+kept.Count.Skipped, seen)
	}
}
