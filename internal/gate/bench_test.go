package gate

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/proposal"
	"github.com/fsar-gate/fsar/policies"
)

func corpusUnits(b *testing.B) []proposal.Unit {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "lumin-lifeos")
	if _, err := os.Stat(dir); err != nil {
		b.Skip("real report corpus not found")
	}
	units, errs := proposal.Discover([]string{dir})
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	return units
}

func defaultEngine(b testing.TB) *policy.Engine {
	e, err := policy.Load(context.Background(), policy.Options{
		Sources: []policy.Source{{Name: "policies", FS: policies.FS}},
		Now:     time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkCheckCorpus reads and judges the whole real corpus (1,331 twin
// pairs) per iteration, on all cores.
func BenchmarkCheckCorpus(b *testing.B) {
	units := corpusUnits(b)
	e := defaultEngine(b)
	b.ResetTimer()
	for b.Loop() {
		reports, _ := Check(context.Background(), e, units, Options{})
		if len(reports) != 1331 {
			b.Fatalf("%d reports", len(reports))
		}
	}
}
