package gate

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

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

// BenchmarkEvalCorpus evaluates the default bundle over the inputs of the
// whole real corpus, read beforehand: the policy cost alone, one goroutine.
func BenchmarkEvalCorpus(b *testing.B) {
	units := corpusUnits(b)
	e := defaultEngine(b)
	inputs := make([]ast.Value, 0, len(units))
	for _, u := range units {
		res := u.Read(0, nil)
		if res.Report == nil {
			b.Fatal(res.Errs)
		}
		in, err := Input(res.Report)
		if err != nil {
			b.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, in := range inputs {
			if _, err := e.Eval(context.Background(), in); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(inputs))/1000, "µs/report")
}
