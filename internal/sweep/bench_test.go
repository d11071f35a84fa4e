package sweep

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/sweep/gen"
	"github.com/fsar-gate/fsar/policies"
)

var benchNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func benchEngine(b testing.TB) *policy.Engine {
	e, err := policy.Load(context.Background(), policy.Options{
		Sources: []policy.Source{{Name: "policies", FS: policies.FS}},
		Now:     benchNow,
	})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkSweepCorpus sweeps the real corpus (1,331 twin pairs) per
// iteration, on all cores.
func BenchmarkSweepCorpus(b *testing.B) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "lumin-lifeos")
	if _, err := os.Stat(dir); err != nil {
		b.Skip("real report corpus not found")
	}
	e := benchEngine(b)
	for b.Loop() {
		r, err := Run(context.Background(), e, Options{Paths: []string{dir}, DecidedBy: gate.DecidedBy{Now: benchNow}})
		if err != nil || r.Count.Reports != 1331 {
			b.Fatal(err, r.Count)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1331/1000, "µs/report")
}

// BenchmarkSweepGenerated sweeps a generated corpus of 2,000 reports per
// iteration.
func BenchmarkSweepGenerated(b *testing.B) {
	const n = 2000
	dir := b.TempDir()
	if _, err := gen.Generate(gen.Default(dir, n)); err != nil {
		b.Fatal(err)
	}
	e := benchEngine(b)
	b.ResetTimer()
	for b.Loop() {
		r, err := Run(context.Background(), e, Options{Paths: []string{dir}, DecidedBy: gate.DecidedBy{Now: benchNow}})
		if err != nil || r.Count.Reports != n {
			b.Fatal(err, r.Count)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n/1000, "µs/report")
}
