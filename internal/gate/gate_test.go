package gate

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// now is the pinned evaluation time of these tests.
var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// TestInputMatchesDocument: the policy input built directly is exactly the
// Document that `fsar parse` prints, through JSON.
func TestInputMatchesDocument(t *testing.T) {
	units, _ := proposal.Discover([]string{filepath.Join("..", "..", "proposals")})
	if len(units) < 19 {
		t.Fatalf("only %d example reports", len(units))
	}
	for _, u := range units {
		res := u.Read(proposal.Limits{}, nil)
		if res.Report == nil {
			t.Fatalf("%s: %v", u.Path, res.Errs)
		}
		got, err := Input(res.Report)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(res.Report.Doc(false))
		if err != nil {
			t.Fatal(err)
		}
		want, err := ast.ValueFromReader(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		if want.Compare(got) != 0 {
			t.Errorf("%s: input differs from the document:\n got %v\nwant %v", u.Path, got, want)
		}
	}
}

func engine(t testing.TB, config map[string]any) *policy.Engine {
	t.Helper()
	e, err := policy.Load(context.Background(), policy.Options{
		Sources: []policy.Source{{Name: "policies", FS: os.DirFS(filepath.Join("..", "..", "policies"))}},
		Config:  config,
		Now:     now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func rulesOf(r Report) []string {
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.Level.String()+":"+f.Rule)
	}
	sort.Strings(ids)
	return ids
}

// TestDefaultRulesOnExamples: every default rule fires on the example made
// for it, with its level, at the right line — and on no other example
// where it should not.
func TestDefaultRulesOnExamples(t *testing.T) {
	e := engine(t, nil)
	units, errs := proposal.Discover([]string{filepath.Join("..", "..", "proposals")})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	reports, skipped := Check(t.Context(), e, units, Options{})
	if len(skipped) != 0 {
		t.Errorf("skipped %v", skipped)
	}
	want := map[string]struct {
		verdict Verdict
		rules   []string
	}{
		"pass/fsar_proposal_cache-policy-bundle.md":  {Pass, nil},
		"pass/fsar_proposal_hand-written.yaml":       {Pass, nil},
		"warn/fsar_proposal_canned-analysis.md":      {Warn, []string{"warn:canned-mitigations", "warn:canned-risks"}},
		"warn/fsar_proposal_horizon-passed.md":       {Warn, []string{"warn:horizon-passed"}},
		"warn/fsar_proposal_id-format.md":            {Warn, []string{"warn:id-format"}},
		"warn/fsar_proposal_stale.md":                {Warn, []string{"warn:stale-report"}},
		"warn/fsar_proposal_timestamp-future.md":     {Warn, []string{"warn:timestamp-future"}},
		"review/fsar_proposal_irreversible.md":       {Review, []string{"review:under-rated-irreversible"}},
		"review/fsar_proposal_review-marker.md":      {Review, []string{"review:under-rated-review-marker"}},
		"review/fsar_proposal_severity-review.md":    {Review, []string{"review:severity-review"}},
		"block/fsar_proposal_block-execution.md":     {Block, []string{"deny:block-execution", "deny:severity-hard"}},
		"block/fsar_proposal_marker-block-edited.md": {Block, []string{"deny:marker-block-edited"}},
		"block/fsar_proposal_missing-severity.md":    {Block, []string{"deny:required-field"}},
		"block/fsar_proposal_mitigations-empty.md":   {Block, []string{"deny:mitigations-empty"}},
		"block/fsar_proposal_risks-empty.md":         {Block, []string{"deny:risks-empty"}},
		"block/fsar_proposal_secret.md":              {Block, []string{"deny:secret"}},
		"block/fsar_proposal_severity-edited.md":     {Block, []string{"deny:severity-edited", "deny:severity-hard"}},
		"block/fsar_proposal_severity-scale.md":      {Block, []string{"deny:block-execution", "deny:severity-hard", "deny:severity-scale"}},
		"block/fsar_proposal_twin-conflict.md":       {Block, []string{"deny:twin-conflict"}},
		"block/fsar_proposal_unmitigated.md":         {Block, []string{"deny:severity-unmitigated", "warn:canned-mitigations"}},
	}
	seen := map[string]bool{}
	for _, r := range reports {
		rel, _ := filepath.Rel(filepath.Join("..", "..", "proposals"), r.File)
		rel = filepath.ToSlash(rel)
		w, ok := want[rel]
		if !ok {
			t.Errorf("unexpected example %s", rel)
			continue
		}
		seen[rel] = true
		if r.Verdict != w.verdict {
			t.Errorf("%s: verdict %s, want %s (%v)", rel, r.Verdict, w.verdict, r.Errors)
		}
		if diff := cmp.Diff(w.rules, rulesOf(r)); diff != "" {
			t.Errorf("%s: rules (-want +got):\n%s", rel, diff)
		}
		for _, f := range r.Findings {
			if f.Location.File != r.File || f.Location.Line < 1 || f.Message == "" || f.Remediation == "" || f.Title == "" {
				t.Errorf("%s: finding not placed or not described: %+v", rel, f)
			}
		}
	}
	for rel := range want {
		if !seen[rel] {
			t.Errorf("example %s not checked", rel)
		}
	}
}

// TestFindingLines: findings point at the line of the field they concern.
func TestFindingLines(t *testing.T) {
	e := engine(t, nil)
	dir := filepath.Join("..", "..", "proposals", "block")
	units, _ := proposal.Discover([]string{filepath.Join(dir, "fsar_proposal_severity-scale.md"), filepath.Join(dir, "fsar_proposal_mitigations-empty.md")})
	reports, _ := Check(t.Context(), e, units, Options{})
	lines := map[string]int{}
	for _, r := range reports {
		for _, f := range r.Findings {
			lines[filepath.Base(r.File)+" "+f.Rule] = f.Location.Line
		}
	}
	want := map[string]int{
		"fsar_proposal_mitigations-empty.md mitigations-empty": 17, // the "## Mitigations" heading
		"fsar_proposal_severity-scale.md block-execution":      7,
		"fsar_proposal_severity-scale.md severity-hard":        6,
		"fsar_proposal_severity-scale.md severity-scale":       6,
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

// TestFieldTypeRule: field-type guards inputs the
// reader never produces (it refuses wrong types); the engine still denies
// them, and a clean input gets no finding at all.
func TestFieldTypeRule(t *testing.T) {
	e := engine(t, nil)
	in := func(doc string) ast.Value {
		v, err := ast.ValueFromReader(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	findings, err := e.Eval(t.Context(), in(`{"id": 7, "timestamp": "2026-11-20T09:30:00Z", "proposal": "x", "severity": "6",
		"risks": ["a", 1], "mitigations": "none", "block_execution": "false", "missing": [], "markers": [], "risk_details": []}`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range findings {
		if f.Rule == "field-type" {
			got = append(got, f.Field)
		}
	}
	sort.Strings(got)
	if diff := cmp.Diff([]string{"block_execution", "id", "mitigations", "risks[1]", "severity"}, got); diff != "" {
		t.Errorf("field-type findings (-want +got):\n%s", diff)
	}
}

// TestConfigChangesThresholds: a threshold in .fsar.yaml changes the
// verdict with no change to the policies.
func TestConfigChangesThresholds(t *testing.T) {
	units, _ := proposal.Discover([]string{filepath.Join("..", "..", "proposals", "review", "fsar_proposal_severity-review.md")})
	for _, tt := range []struct {
		config map[string]any
		want   Verdict
	}{
		{nil, Review},
		{map[string]any{"review_threshold": 35}, Pass},
		{map[string]any{"block_threshold": 30}, Block},
	} {
		reports, _ := Check(t.Context(), engine(t, tt.config), units, Options{})
		if reports[0].Verdict != tt.want {
			t.Errorf("config %v: verdict %s, want %s", tt.config, reports[0].Verdict, tt.want)
		}
	}
}

type failing struct{}

func (failing) Eval(context.Context, ast.Value) ([]policy.Finding, error) {
	return nil, errors.New("builtin error")
}

// TestFailClosed: a report that could not be read or evaluated is an
// error verdict, and the run's verdict is error even when others pass.
func TestFailClosed(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join("..", "..", "proposals", "pass", "fsar_proposal_cache-policy-bundle.md")
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fsar_good.md"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fsar_bad.md"), []byte("# FSAR Proposal Report\n- severity: high\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	units, _ := proposal.Discover([]string{dir})
	reports, _ := Check(t.Context(), engine(t, nil), units, Options{})
	res := &Result{Reports: reports}
	res.Summarize()
	if res.Verdict != Error || res.Count.Error != 1 || res.Count.Pass != 1 {
		t.Errorf("verdict %s, count %+v", res.Verdict, res.Count)
	}
	bad := reports[0]
	if bad.Verdict != Error || len(bad.Errors) != 1 || bad.Errors[0].Location.Line != 2 || bad.Errors[0].Location.Column != 13 {
		t.Errorf("bad report: %+v", bad)
	}

	reports, _ = Check(t.Context(), failing{}, units[1:], Options{})
	if reports[0].Verdict != Error || !strings.Contains(reports[0].Errors[0].Message, "policy evaluation: builtin error") {
		t.Errorf("evaluation error: %+v", reports[0])
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	reports, _ = Check(ctx, engine(t, nil), units[1:], Options{})
	if reports[0].Verdict != Error {
		t.Errorf("cancelled run: %+v", reports[0])
	}

	res = &Result{Errors: []Problem{{Message: "walk failed"}}}
	res.Summarize()
	if res.Verdict != Error {
		t.Errorf("run with a problem: %s", res.Verdict)
	}
}

// TestCheckDeterministic: results come back in the units' order whatever
// the number of workers.
func TestCheckDeterministic(t *testing.T) {
	e := engine(t, nil)
	units, _ := proposal.Discover([]string{filepath.Join("..", "..", "proposals")})
	one, _ := Check(t.Context(), e, units, Options{Workers: 1})
	for _, w := range []int{2, 4, 16} {
		many, _ := Check(t.Context(), e, units, Options{Workers: w})
		if diff := cmp.Diff(one, many); diff != "" {
			t.Errorf("%d workers differ:\n%s", w, diff)
		}
	}
}
