package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/policies"
)

// now is the pinned evaluation time of these tests.
var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// testBy is what the tests record as having judged: fixed, so that golden
// files do not change with every edit of the policies.
var testBy = gate.DecidedBy{FSARVersion: "test", OPAVersion: "test", PolicyDigest: "sha256:test", Now: now}

var (
	engineOnce sync.Once
	engineVal  *policy.Engine
	engineErr  error
)

// defaultEngine is the bundled policies at now, loaded once for all tests.
func defaultEngine(t testing.TB) *policy.Engine {
	t.Helper()
	engineOnce.Do(func() {
		engineVal, engineErr = policy.Load(context.Background(), policy.Options{
			Sources: []policy.Source{{Name: "policies", FS: policies.FS}},
			Now:     now,
		})
	})
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engineVal
}

// engineAt is the bundled policies at another evaluation time.
func engineAt(t testing.TB, at time.Time) *policy.Engine {
	t.Helper()
	e, err := policy.Load(t.Context(), policy.Options{Sources: []policy.Source{{Name: "policies", FS: policies.FS}}, Now: at})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// sweepAt runs a sweep in the current folder as sweepIn does, with the
// bundled policies at another evaluation time.
func sweepAt(t testing.TB, at time.Time, opts Options) *Result {
	t.Helper()
	opts.DecidedBy = testBy
	opts.DecidedBy.Now = at
	if opts.AlertThreshold == 0 {
		opts.AlertThreshold = 10
	}
	r, err := Run(t.Context(), engineAt(t, at), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.validate(); err != nil {
		t.Fatalf("the sweep's own result is refused: %v", err)
	}
	return r
}

// testFacts are what the bundled policies declare for a sweep.
func testFacts(t testing.TB) Facts {
	t.Helper()
	f, err := Learn(t.Context(), defaultEngine(t))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// corpusDir is the real corpus, beside the repository; tests that need it
// skip without.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "lumin-lifeos")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("real report corpus not found at " + dir)
	}
	return dir
}

// fx is a report fixture.
type fx struct {
	id, ts, proposal string
	severity         string // as written; "" leaves the field out
	block            bool
	risks, mits      []string
}

var (
	cannedRisks = []string{
		"Slow failure: unnoticed degradation accumulating by 2028-01-01",
		"Unintended consequence: incentives shift toward short-term metrics, long-term reliability decays",
		"Incentive drift: stakeholders habituate to optimistic outputs, raising risk of silent defects",
	}
	cannedMits = []string{
		"Add scheduled adversarial audits with hard pass/fail gates",
		"Track leading indicators for drift and trust inflation; alert on trend change",
		"Prefer reversible rollouts; keep rollback artifacts warm and tested",
	}
	realRisks = []string{"Capacity: the queue backs up under month-end load by 2028-01-01", "Security: the endpoint skips the tenant check"}
	realMits  = []string{"Load-test at twice the month-end peak", "Add a tenant check and a test for it"}
)

// canned returns a canned report fixture.
func canned(id, ts, proposal, severity string) fx {
	return fx{id: id, ts: ts, proposal: proposal, severity: severity, risks: cannedRisks, mits: cannedMits}
}

// analysed returns a report fixture with a real analysis.
func analysed(id, ts, proposal, severity string) fx {
	return fx{id: id, ts: ts, proposal: proposal, severity: severity, risks: realRisks, mits: realMits}
}

// md renders a fixture in the generator's markdown form.
func (f fx) md() string {
	var b strings.Builder
	b.WriteString("<!-- SYNOPSIS: FSAR Proposal Report -->\n\n# FSAR Proposal Report\n")
	fmt.Fprintf(&b, "- id: %s\n- timestamp: %s\n", f.id, f.ts)
	if f.severity != "" {
		fmt.Fprintf(&b, "- severity: %s\n", f.severity)
	}
	fmt.Fprintf(&b, "- block_execution: %t\n- proposal:\n\n%s\n\n## Risks\n", f.block, f.proposal)
	for _, r := range f.risks {
		b.WriteString("- " + r + "\n")
	}
	b.WriteString("\n## Mitigations")
	for _, m := range f.mits {
		b.WriteString("\n- " + m)
	}
	return b.String()
}

// json renders a fixture in the generator's JSON form.
func (f fx) json() string {
	m := map[string]any{"id": f.id, "timestamp": f.ts, "proposal": f.proposal, "risks": f.risks, "mitigations": f.mits, "block_execution": f.block}
	if f.severity != "" {
		m["severity"] = json.Number(f.severity)
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	return string(b)
}

// writeFiles writes files under dir, creating folders.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// mixedFolder writes, under dir, a reports folder that mixes FSAR reports
// (twins, single files, YAML, a twin conflict, reused ids, a symbolic link
// inside the folder) with other reports, broken reports, a link out of the
// folder, a hidden folder and a file of another type. It returns the
// folder's path relative to dir.
func mixedFolder(t testing.TB, dir string) string {
	t.Helper()
	a := canned("fsar_aaaaaaaa-0000-4000-8000-000000000001", "2026-01-02T10:00:00.000Z", "idea_implementation: Add a cache to the report exporter.", "6")
	b := canned("fsar_bbbbbbbb-0000-4000-8000-000000000002", "2026-01-03T10:00:00.000Z", "self_improvement: Split the scheduler.", "6")
	bTwin := b
	bTwin.severity = "16"
	c := canned("fsar_cccccccc-0000-4000-8000-000000000003", "2026-02-01T08:00:00.000Z", "idea_implementation: Drop the legacy column: an irreversible migration.", "48")
	c.block = true
	d := a // reuses a's id
	d.ts = "2026-02-02T09:00:00.000Z"
	old := canned("fsar_dddddddd-0000-4000-8000-000000000004", "2025-12-30T23:00:00.000Z", "implement_idea: Rename a field.", "6")
	writeFiles(t, dir, map[string]string{
		"reports/fsar_proposal_a.md":   a.md(),
		"reports/fsar_proposal_a.json": a.json(),
		"reports/fsar_proposal_b.md":   b.md(),
		"reports/fsar_proposal_b.json": bTwin.json(),
		"reports/fsar_proposal_c.md":   c.md(),
		"reports/fsar_proposal_d.json": d.json(),
		"reports/fsar_proposal_e.yaml": "id: fsar_eeeeeeee-0000-4000-8000-000000000005\ntimestamp: 2026-02-03T12:00:00.000Z\n" +
			"proposal: \"idea_implementation: Touch payments. [fsar_review]\"\nseverity: 30\nblock_execution: false\n" +
			"risks:\n  - \"Security: the endpoint skips the tenant check\"\nmitigations:\n  - \"Add a tenant check and a test for it\"\n",
		"reports/drift_report_2026-01-05.json":       `{"type": "drift_report", "generated_at": "2026-01-05T00:00:00Z", "drift_score": 0.12}`,
		"reports/quality_regression_2026-01-06.md":   "# Quality Regression Report\n\n- regressions: 2\n",
		"reports/README.md":                          "# Audit reports\n\nFSAR reports and other audit output.\n",
		"reports/notes.txt":                          "not a report type: ignored",
		"reports/fsar_proposal_broken.md":            "# FSAR Proposal Report\n- id: fsar_broken\n- timestamp: 2026-01-04T00:00:00.000Z\n- severity: high\n- block_execution: false\n- proposal:\n\nbroken\n",
		"reports/fsar_proposal_badtwin.md":           analysed("fsar_ffffffff-0000-4000-8000-000000000006", "2026-01-07T00:00:00.000Z", "idea_implementation: Add retries.", "6").md(),
		"reports/fsar_proposal_badtwin.json":         `{"id": "fsar_ffffffff-0000-4000-8000-000000000006", "severity": `,
		"reports/.git/fsar_proposal_hidden.md":       a.md(),
		"reports/archive/fsar_proposal_old.md":       old.md(),
		"outside/fsar_proposal_x.md":                 a.md(),
		"reports/archive/.hidden/fsar_proposal_y.md": a.md(),
	})
	// A link to a report inside the folder is read (it reuses c's id); one
	// to a report outside is refused.
	if err := os.Symlink("fsar_proposal_c.md", filepath.Join(dir, "reports", "link_inside.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("..", "outside", "fsar_proposal_x.md"), filepath.Join(dir, "reports", "link_outside.md")); err != nil {
		t.Fatal(err)
	}
	return "reports"
}

// sweepIn runs a sweep with the default engine in dir (paths relative to
// it) and returns the result.
func sweepIn(t testing.TB, dir string, opts Options) *Result {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	if opts.DecidedBy.Equal(gate.DecidedBy{}) {
		opts.DecidedBy = testBy
	}
	if opts.AlertThreshold == 0 {
		opts.AlertThreshold = 10
	}
	if opts.MinReports == 0 {
		opts.MinReports = 1
	}
	r, err := Run(t.Context(), defaultEngine(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	// Every result a sweep gives agrees with itself as a reader checks it.
	if err := r.validate(); err != nil {
		t.Fatalf("the sweep's own result is refused: %v", err)
	}
	return r
}

// jsonOf is the result's JSON form.
func jsonOf(t testing.TB, r *Result) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// roundTrip is the result as merge reads it: through its JSON form.
func roundTrip(t testing.TB, r *Result) *Result {
	t.Helper()
	var back Result
	if err := json.Unmarshal(jsonOf(t, r), &back); err != nil {
		t.Fatal(err)
	}
	return &back
}
