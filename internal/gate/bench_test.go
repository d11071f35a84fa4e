package gate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
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
		res := u.Read(proposal.Limits{}, nil)
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

// ruleCosts are one-rule bundles, each with ten copies of one construct,
// for BenchmarkRuleCost: what a construct costs per report is its time
// less base's, divided by ten. The figures in policies/README.md come from
// here. metadata and finding_metadata are rule and finding with the rule
// annotated and its id read with rego.metadata.rule(): the compiler stage
// that folds the annotation (internal/policy/metadata.go) makes them cost
// the same.
var ruleCosts = []struct{ name, body string }{
	{"base", ""},
	{"rule", `input.severity > 1000`},
	{"rule_ref", `input.severity > c`},
	{"function", `big(input.severity)`},
	{"every3", `every r in input.risks { is_string(r) }; input.severity > 1000`},
	{"comprehension3", `count([r | some r in input.risks; is_string(r)]) == 100`},
	{"finding", `input.severity < 1000; f := sprintf("%d risks", [count(input.risks)])`},
	{"metadata", `input.severity > 1000`},
	{"finding_metadata", `input.severity < 1000; f := sprintf("%d risks", [count(input.risks)])`},
}

func BenchmarkRuleCost(b *testing.B) {
	units := corpusUnits(b)
	inputs := make([]ast.Value, 0, 400)
	for _, u := range units[:400] {
		in, err := Input(u.Read(proposal.Limits{}, nil).Report)
		if err != nil {
			b.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	for _, rc := range ruleCosts {
		src := "package fsar.x\n\nc := 1000\n\nbig(x) if x > 1000\n\ndeny contains {\"msg\": \"m\"} if input.severity > 1000\n"
		for i := range 10 {
			if rc.body == "" {
				break
			}
			head, meta := fmt.Sprintf(`{"msg": "m%d"}`, i), ""
			switch rc.name {
			case "finding":
				head = fmt.Sprintf(`{"msg": f, "rule": "r%d", "field": "risks"}`, i)
			case "metadata":
				head = `{"msg": "m", "rule": rego.metadata.rule().custom.id}`
			case "finding_metadata":
				head = `{"msg": f, "rule": rego.metadata.rule().custom.id, "field": "risks"}`
			}
			if strings.HasPrefix(rc.name, "finding") || rc.name == "metadata" {
				meta = fmt.Sprintf("# METADATA\n# title: Rule %d\n# custom:\n#   id: r%d\n#   level: warn\n#   remediation: Act.\n", i, i)
			}
			src += fmt.Sprintf("\n%swarn contains %s if { %s }\n", meta, head, rc.body)
		}
		e, err := policy.Load(context.Background(), policy.Options{
			Sources: []policy.Source{{Name: "x", FS: fstest.MapFS{"x.rego": &fstest.MapFile{Data: []byte(src)}}}},
			Now:     time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		})
		if err != nil {
			b.Fatal(rc.name, err)
		}
		b.Run(rc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, in := range inputs {
					if _, err := e.Eval(context.Background(), in); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(inputs))/1000, "µs/report")
		})
	}
}
