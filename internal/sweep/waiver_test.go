package sweep

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fsar-gate/fsar/internal/config"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/sweep/gen"
)

// TestWaiversSwept: a sweep with waivers counts the waived findings by
// rule and by approver, lists the reports that would block but for their
// waivers (and no longer as blocking), follows the waived share per
// period, lists the waivers that end soon, and merges from shards to the
// same result.
func TestWaiversSwept(t *testing.T) {
	dir := t.TempDir()
	cfg := gen.Default(filepath.Join(dir, "gen"), 200)
	cfg.Months = 4
	if _, err := gen.Generate(cfg); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	plain := sweepIn(t, "", Options{Paths: []string{"gen"}})
	if plain.Count.Block == 0 {
		t.Fatal("the generated corpus has no blocking report")
	}
	now := testBy.Now
	f, err := config.Parse("w.yaml", []byte(`waivers:
  - rule: block-execution
    reports: ["gen/**"]
    reason: a test of waivers
    approved_by: alice
    expires: `+now.AddDate(0, 0, 20).Format("2006-01-02")+`
  - rule: severity-hard
    reports: ["gen/**"]
    reason: a test of waivers
    approved_by: bob
    expires: `+now.AddDate(0, 0, 90).Format("2006-01-02")+`
  - rule: id-format
    reports: [nothing]
    reason: never used
    approved_by: carol
    expires: `+now.AddDate(0, 0, 90).Format("2006-01-02")+`
`))
	if err != nil {
		t.Fatal(err)
	}
	ws := &gate.Waivers{List: f.Waivers, Now: now}
	opts := Options{Paths: []string{"gen"}, Waivers: ws}
	r := sweepIn(t, "", opts)

	if r.Count.Block >= plain.Count.Block || len(r.WaivedBlocking) == 0 || len(r.Blocking) != r.Count.Block {
		t.Fatalf("block %d (was %d), waived blocking %d", r.Count.Block, plain.Count.Block, len(r.WaivedBlocking))
	}
	for _, b := range r.Blocking {
		for _, rule := range b.Rules {
			if rule == "block-execution" || rule == "severity-hard" {
				t.Errorf("%s: the waived rule %s is listed as a blocker", b.File, rule)
			}
		}
	}
	byRule := map[string]RuleStat{}
	for _, rs := range r.Rules {
		byRule[rs.Rule] = rs
	}
	if rs := byRule["block-execution"]; rs.Waived == 0 || rs.Waived != rs.Findings {
		t.Errorf("block-execution: %+v", rs)
	}
	approvers := map[string]int{}
	for _, a := range r.WaivedByApprover {
		approvers[a.ApprovedBy] = a.Findings
	}
	if approvers["alice"] != byRule["block-execution"].Waived || approvers["bob"] != byRule["severity-hard"].Waived || len(approvers) != 2 {
		t.Errorf("by approver %v, rules %+v %+v", approvers, byRule["block-execution"], byRule["severity-hard"])
	}
	statuses := map[string]string{}
	for _, u := range r.Waivers {
		statuses[u.ApprovedBy] = u.Status
	}
	if diff := cmp.Diff(map[string]string{"alice": "in use", "bob": "in use", "carol": "unused"}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	// To look at: alice's ends within 30 days, carol's matched nothing;
	// bob's holds for 90 days and is in use.
	var look []string
	for _, u := range r.WaiversToReview(WaiverHorizon) {
		look = append(look, u.ApprovedBy+" "+u.Status)
	}
	if diff := cmp.Diff([]string{"alice in use", "carol unused"}, look); diff != "" {
		t.Errorf("waivers to look at (-want +got):\n%s", diff)
	}
	// The waived share, per period and over the sweep.
	waived := 0
	for _, m := range r.Measures {
		if m.Name == ShareWaived {
			waived = m.Reports
		}
	}
	perPeriod := 0
	for _, p := range r.Periods {
		perPeriod += p.Shares[ShareWaived]
	}
	if waived == 0 || waived != perPeriod || !r.Facts.has(ShareWaived) || plain.Facts.has(ShareWaived) {
		t.Errorf("waived share %d, per period %d", waived, perPeriod)
	}

	// Shards merge to the same result.
	want := jsonOf(t, r)
	var parts []*Result
	for i := 1; i <= 3; i++ {
		o := opts
		o.Shard = Shard{Index: i, Count: 3}
		parts = append(parts, roundTrip(t, sweepIn(t, "", o)))
	}
	merged, err := Merge(parts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := jsonOf(t, merged); !bytes.Equal(got, want) {
		t.Errorf("merge of 3 shards differs from one run:\n%s", cmp.Diff(string(want), string(got)))
	}
}

// TestWaiverCreep: a waived share that rises month after month is itself
// an alert, "waiver creep", naming the window.
func TestWaiverCreep(t *testing.T) {
	dir := t.TempDir()
	cfg := gen.Default(filepath.Join(dir, "c"), 1200)
	cfg.Flat, cfg.PerMonth, cfg.NotReports = true, true, 0
	if _, err := gen.Generate(cfg); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	f, err := config.Parse("w.yaml", []byte(`waivers:
  - rule: canned-risks
    reports: ["c/2025-09/*", "c/2025-10/*", "c/2025-11/*", "c/2025-12/*"]
    reason: accepted rather than fixed, month after month
    approved_by: ops
    expires: 2026-03-31
`))
	if err != nil {
		t.Fatal(err)
	}
	by := testBy
	by.Now = time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)
	ws := &gate.Waivers{List: f.Waivers, Now: by.Now}
	r := sweepIn(t, "", Options{Paths: []string{"c"}, Waivers: ws, DecidedBy: by})
	var creep []string
	for _, a := range r.Alerts {
		if a.Name == WaiverCreep {
			creep = append(creep, a.Message)
		}
	}
	if len(creep) != 1 || !strings.Contains(creep[0], "the waived share rose by") || !strings.Contains(creep[0], "2025-07 to 2025-12") {
		t.Fatalf("waiver creep alerts %q; all alerts %+v", creep, r.Alerts)
	}
	// Without waivers, nothing of the kind.
	r = sweepIn(t, "", Options{Paths: []string{"c"}, DecidedBy: by})
	for _, a := range r.Alerts {
		if a.Name == WaiverCreep {
			t.Errorf("an alert without waivers: %+v", a)
		}
	}
}
