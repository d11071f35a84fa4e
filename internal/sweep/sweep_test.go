package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/proposal"
	"github.com/fsar-gate/fsar/internal/sweep/gen"
)

// TestCorpus sweeps the real corpus: 1,331 reports in 2,662 files, every
// verdict, rule, kind, band and period counted.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	r := sweepIn(t, "", Options{Paths: []string{dir}, MinReports: 10})
	want := Count{Files: 2662, Reports: 1331, Twins: 1331, Warn: 1326, Block: 5}
	if diff := cmp.Diff(want, r.Count); diff != "" {
		t.Errorf("count (-want +got):\n%s", diff)
	}
	if r.Verdict != gate.Block || r.Clean {
		t.Errorf("verdict %s, clean %v; want block, not clean", r.Verdict, r.Clean)
	}
	rules := map[string]int{}
	for _, rs := range r.Rules {
		rules[rs.Rule] = rs.Reports
	}
	wantRules := map[string]int{"canned-risks": 1331, "canned-mitigations": 1331, "stale-report": 1331, "block-execution": 5, "severity-hard": 5}
	if diff := cmp.Diff(wantRules, rules); diff != "" {
		t.Errorf("reports per rule (-want +got):\n%s", diff)
	}
	kinds := map[string]int{}
	for _, k := range r.Kinds {
		kinds[k.Kind] = k.Reports
	}
	if diff := cmp.Diff(map[string]int{"idea_implementation": 1222, "self_improvement": 95, "implement_idea": 14}, kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Band{{Band: bandLow, Reports: 1326, Percent: 99.62}, {Band: bandBlock, Reports: 5, Percent: 0.38}}, r.Severity); diff != "" {
		t.Errorf("severity (-want +got):\n%s", diff)
	}
	var periods []string
	total := 0
	for _, p := range r.Periods {
		periods = append(periods, p.Period)
		total += p.Reports
		if p.Shares[shareCanned] != p.Reports || p.Shares[shareStale] != p.Reports {
			t.Errorf("period %s: %d canned, %d stale of %d; want all", p.Period, p.Shares[shareCanned], p.Shares[shareStale], p.Reports)
		}
	}
	if !slices.Equal(periods, []string{"2025-12", "2026-01"}) || total != 1331 {
		t.Errorf("periods %v with %d reports; want 2025-12 and 2026-01 with 1331", periods, total)
	}
	if len(r.Blocking) != 5 || len(r.TwinConflicts) != 0 || len(r.DuplicateIDs) != 0 || len(r.Errors) != 0 || len(r.Others) != 0 {
		t.Errorf("blocking %d, conflicts %d, duplicate ids %d, errors %d, not reports %d; want 5, 0, 0, 0, 0",
			len(r.Blocking), len(r.TwinConflicts), len(r.DuplicateIDs), len(r.Errors), len(r.Others))
	}
	for _, b := range r.Blocking {
		if !slices.Equal(b.Rules, []string{"block-execution", "severity-hard"}) || b.Severity == nil || *b.Severity != 48 {
			t.Errorf("blocking %s: rules %v, severity %v", b.File, b.Rules, sevText(b.Severity))
		}
	}
	// Every report is canned and stale in both months: nothing moves.
	if len(r.Alerts) != 0 {
		t.Errorf("alerts: %+v", r.Alerts)
	}
}

// TestMixedFolder sweeps a folder that mixes FSAR reports with other
// reports, broken ones, links and a hidden folder: the others are counted,
// the broken ones listed as errors, and every good report still judged.
func TestMixedFolder(t *testing.T) {
	dir := t.TempDir()
	path := mixedFolder(t, dir)
	r := sweepIn(t, dir, Options{Paths: []string{path}})

	want := Count{
		// a.md a.json b.md b.json c.md d.json e.yaml, 3 other reports,
		// broken.md, badtwin.md badtwin.json, archive/old.md, link_inside.md
		Files: 15, OtherFiles: 1, Reports: 9, Twins: 2, OtherReports: 3,
		Warn: 3, Review: 1, Block: 3, Error: 2, Errors: 3,
	}
	if diff := cmp.Diff(want, r.Count); diff != "" {
		t.Errorf("count (-want +got):\n%s", diff)
	}
	if r.Verdict != gate.Error || r.Clean {
		t.Errorf("verdict %s, clean %v; want error", r.Verdict, r.Clean)
	}
	j := func(name string) string { return filepath.Join("reports", name) }
	wantOthers := []Other{{File: j("README.md"), Kind: "audit_reports"}, {File: j("drift_report_2026-01-05.json")}, {File: j("quality_regression_2026-01-06.md"), Kind: "quality_regression"}}
	if diff := cmp.Diff(wantOthers, r.Others); diff != "" {
		t.Errorf("other reports (-want +got):\n%s", diff)
	}
	var errs []string
	for _, e := range r.Errors {
		errs = append(errs, e.String())
	}
	wantErrs := []string{
		j("fsar_proposal_badtwin.json") + ":1:65: invalid JSON",
		j("fsar_proposal_broken.md") + ":4:13: ",
		j("link_outside.md") + ": symbolic link points outside the folder being read; not followed",
	}
	if len(errs) != len(wantErrs) {
		t.Fatalf("errors %q, want %d", errs, len(wantErrs))
	}
	for i := range errs {
		if !strings.HasPrefix(errs[i], wantErrs[i]) {
			t.Errorf("error %d = %q, want it to start with %q", i, errs[i], wantErrs[i])
		}
	}
	var blocking []string
	for _, b := range r.Blocking {
		blocking = append(blocking, b.File+": "+strings.Join(b.Rules, ","))
	}
	wantBlocking := []string{
		j("fsar_proposal_b.md") + ": twin-conflict",
		j("fsar_proposal_c.md") + ": block-execution,severity-hard",
		j("link_inside.md") + ": block-execution,severity-hard",
	}
	if diff := cmp.Diff(wantBlocking, blocking); diff != "" {
		t.Errorf("blocking (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]TwinConflict{{File: j("fsar_proposal_b.md"), Twin: j("fsar_proposal_b.json"), Fields: []string{"severity"}}}, r.TwinConflicts); diff != "" {
		t.Errorf("twin conflicts (-want +got):\n%s", diff)
	}
	wantDups := []DuplicateID{
		{ID: "fsar_aaaaaaaa-0000-4000-8000-000000000001", Files: []string{j("fsar_proposal_a.md"), j("fsar_proposal_d.json")}},
		{ID: "fsar_cccccccc-0000-4000-8000-000000000003", Files: []string{j("fsar_proposal_c.md"), j("link_inside.md")}},
	}
	if diff := cmp.Diff(wantDups, r.DuplicateIDs); diff != "" {
		t.Errorf("duplicate ids (-want +got):\n%s", diff)
	}
	var periods []string
	for _, p := range r.Periods {
		periods = append(periods, fmt.Sprintf("%s:%d", p.Period, p.Reports))
	}
	// broken.md is an error before its timestamp is read: unknown.
	if diff := cmp.Diff([]string{"2025-12:1", "2026-01:3", "2026-02:4", "unknown:1"}, periods); diff != "" {
		t.Errorf("periods (-want +got):\n%s", diff)
	}
}

// TestIncludeExclude: the globs choose files by name or path; an excluded
// folder is not entered.
func TestIncludeExclude(t *testing.T) {
	dir := t.TempDir()
	path := mixedFolder(t, dir)
	t.Chdir(dir)
	for _, tc := range []struct {
		name             string
		include, exclude []string
		reports, files   int
		notReports       int
	}{
		{"all", nil, nil, 9, 15, 3},
		{"exclude a folder", nil, []string{"archive/**"}, 8, 14, 3},
		{"exclude by name", nil, []string{"archive"}, 8, 14, 3},
		{"include FSAR files", []string{"fsar_*"}, nil, 8, 11, 0},
		{"include markdown only", []string{"*.md"}, nil, 7, 9, 2},
		{"include a path", []string{"archive/*.md"}, nil, 1, 1, 0},
		{"include any depth", []string{"**/fsar_proposal_*.md"}, nil, 6, 6, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sweepIn(t, "", Options{Paths: []string{path}, Include: tc.include, Exclude: tc.exclude, AllowEmpty: true})
			if r.Count.Reports != tc.reports || r.Count.Files != tc.files || r.Count.OtherReports != tc.notReports {
				t.Errorf("reports %d, files %d, not reports %d; want %d, %d, %d",
					r.Count.Reports, r.Count.Files, r.Count.OtherReports, tc.reports, tc.files, tc.notReports)
			}
		})
	}
}

// TestGlobArguments: a quoted glob is expanded; one that matches nothing
// is an error, as is a missing path.
func TestGlobArguments(t *testing.T) {
	dir := t.TempDir()
	mixedFolder(t, dir)
	r := sweepIn(t, dir, Options{Paths: []string{"reports/fsar_proposal_[ab].md", "nowhere/*.md", "missing"}})
	if r.Count.Reports != 2 || r.Count.Twins != 2 {
		t.Errorf("reports %d, twins %d; want the 2 twin pairs a and b", r.Count.Reports, r.Count.Twins)
	}
	var msgs []string
	for _, e := range r.Errors {
		msgs = append(msgs, e.String())
	}
	want := []string{"missing: stat: no such file or directory", "nowhere/*.md: no file matches the pattern"}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// TestNamedFiles: naming both twins, or a glob matching both, reads the
// report once; a file a glob matches that is not a report is counted, one
// named is an error.
func TestNamedFiles(t *testing.T) {
	dir := t.TempDir()
	mixedFolder(t, dir)
	r := sweepIn(t, dir, Options{Paths: []string{"reports/fsar_proposal_a.md", "reports/fsar_proposal_a.json", "reports/fsar_proposal_a.md"}})
	if r.Count.Reports != 1 || r.Count.Twins != 1 || r.Count.Files != 2 || len(r.DuplicateIDs) != 0 {
		t.Errorf("twins named: %+v, duplicate ids %v", r.Count, r.DuplicateIDs)
	}
	// A glob over the folder's entries finds what a sweep of the folder
	// finds, the link out of it refused.
	folder := sweepIn(t, "", Options{Paths: []string{"reports"}})
	r = sweepIn(t, "", Options{Paths: []string{"reports/*"}})
	if r.Count != folder.Count {
		t.Errorf("reports/*: %+v, want %+v", r.Count, folder.Count)
	}
	r = sweepIn(t, "", Options{Paths: []string{"reports/README.md"}})
	if r.Count.Reports != 1 || r.Count.Error != 1 || r.Count.OtherReports != 0 {
		t.Errorf("README.md named: %+v", r.Count)
	}
}

func TestEmpty(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"r/README.md": "# nothing here\n"})
	r := sweepIn(t, dir, Options{Paths: []string{"r"}})
	if r.Verdict != gate.Error || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "no FSAR report found in r") {
		t.Errorf("verdict %s, errors %v; want the no-report error", r.Verdict, r.Errors)
	}
	r = sweepIn(t, "", Options{Paths: []string{"r"}, AllowEmpty: true})
	if r.Verdict != gate.Pass || !r.Clean || r.Count.OtherReports != 1 {
		t.Errorf("allowed empty: verdict %s, clean %v, %+v", r.Verdict, r.Clean, r.Count)
	}
}

// trendFolder writes two months of reports in which canned analyses rise
// from none to all (trust inflation) and irreversible proposals go from
// rated at 48 to rated at 6 (incentive drift).
func trendFolder(t testing.TB, dir string) {
	t.Helper()
	files := map[string]string{}
	for i := range 10 {
		id := fmt.Sprintf("fsar_00000000-0000-4000-8000-%012d", i)
		f := analysed(id, fmt.Sprintf("2026-01-%02dT10:00:00.000Z", i+1), "idea_implementation: Add a cache.", "6")
		if i < 3 {
			f.proposal = "idea_implementation: Purge old rows: irreversible."
			f.severity, f.block = "48", true
		}
		files[fmt.Sprintf("r/fsar_proposal_jan-%02d.md", i)] = f.md()
		id = fmt.Sprintf("fsar_00000000-0000-4000-9000-%012d", i)
		g := canned(id, fmt.Sprintf("2026-02-%02dT10:00:00.000Z", i+1), "idea_implementation: Add a cache.", "6")
		if i < 5 {
			g.proposal = "idea_implementation: Purge old rows: irreversible."
		}
		files[fmt.Sprintf("r/fsar_proposal_feb-%02d.md", i)] = g.md()
	}
	writeFiles(t, dir, files)
}

// TestAlerts: the trend of each share across its window (here the two
// months there are) alerts when it goes the bad way by more than the
// threshold, naming the share, the periods, the values and the statistic;
// trust inflation and incentive drift are named; a share moving the good
// way (blocked reports falling) does not alert.
func TestAlerts(t *testing.T) {
	dir := t.TempDir()
	trendFolder(t, dir)
	r := sweepIn(t, dir, Options{Paths: []string{"r"}, MinReports: 10})
	var got []string
	for _, a := range r.Alerts {
		got = append(got, a.Message)
	}
	want := []string{
		"the review share rose by 50 points across 2026-01 to 2026-02 (Theil–Sen trend of the 2 months with enough reports: 0%, 50%; threshold 10)",
		"trust inflation: the canned analysis share rose by 100 points across 2026-01 to 2026-02 (Theil–Sen trend of the 2 months with enough reports: 0%, 100%; threshold 10)",
		"incentive drift: the under-rated irreversible share rose by 50 points across 2026-01 to 2026-02 (Theil–Sen trend of the 2 months with enough reports: 0%, 50%; threshold 10)",
		"incentive drift: the severity 25+ share fell by 30 points across 2026-01 to 2026-02 (Theil–Sen trend of the 2 months with enough reports: 30%, 0%; threshold 10), while the share of texts speaking of irreversible change did not fall",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}
	if r.Clean {
		t.Error("a sweep with alerts is clean")
	}
	a := r.Alerts[1]
	if a.Name != TrustInflation || a.Share != shareCanned || a.Rule != ruleTrend || a.From != "2026-01" || a.To != "2026-02" ||
		a.FromPercent != 0 || a.ToPercent != 100 || a.Change != 100 || !slices.Equal(a.Periods, []string{"2026-01", "2026-02"}) {
		t.Errorf("trust inflation alert: %+v", a)
	}

	// A higher threshold silences the smaller moves; too few reports per
	// period silence all.
	r = sweepIn(t, "", Options{Paths: []string{"r"}, MinReports: 10, AlertThreshold: 60})
	if len(r.Alerts) != 1 || r.Alerts[0].Name != TrustInflation {
		t.Errorf("threshold 60: %+v", r.Alerts)
	}
	r = sweepIn(t, "", Options{Paths: []string{"r"}, MinReports: 11})
	if len(r.Alerts) != 0 {
		t.Errorf("min reports 11: %+v", r.Alerts)
	}
	// By day, the trend across the last six days (the 5th to the 10th of
	// February) is flat.
	r = sweepIn(t, "", Options{Paths: []string{"r"}, Period: PeriodDay})
	if len(r.Periods) != 20 || len(r.Alerts) != 0 {
		t.Errorf("by day: %d periods, alerts %+v", len(r.Periods), r.Alerts)
	}
	r = sweepIn(t, "", Options{Paths: []string{"r"}, Period: PeriodWeek})
	if r.Periods[0].Period != "2026-W01" || r.Periods[len(r.Periods)-1].Period != "2026-W07" {
		t.Errorf("by week: %v .. %v", r.Periods[0].Period, r.Periods[len(r.Periods)-1].Period)
	}
}

// TestBaseline: a sweep's JSON is the next sweep's baseline, and a move
// the bad way against it is an alert.
func TestBaseline(t *testing.T) {
	dir := t.TempDir()
	trendFolder(t, dir)
	t.Chdir(dir)
	// The baseline: January only.
	first := sweepIn(t, "", Options{Paths: []string{"r/fsar_proposal_jan-*"}, DecidedBy: shapedBy})
	path := filepath.Join(dir, "base.json")
	if err := os.WriteFile(path, jsonOf(t, first), 0o644); err != nil {
		t.Fatal(err)
	}
	base, err := LoadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	r := sweepIn(t, "", Options{Paths: []string{"r"}, Baseline: base, MinReports: 11})
	var got []string
	for _, a := range r.Alerts {
		if a.Rule != ruleBaseline {
			t.Errorf("alert of rule %s with too few reports per period: %s", a.Rule, a.Message)
		}
		got = append(got, a.Name+"|"+a.Share)
	}
	want := []string{"|review", "trust inflation|canned", "incentive drift|under_rated_irreversible", "incentive drift|high_severity"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alerts against the baseline (-want +got):\n%s", diff)
	}
	if a := r.Alerts[1]; a.From != "the baseline of 2026-11-25T12:00:00Z" || a.To != "this sweep of 2026-11-25T12:00:00Z" || a.FromOf != 10 || a.ToOf != 20 || a.ToReports != 10 {
		t.Errorf("trust inflation against the baseline: %+v", a)
	}
	// The baseline swept other paths, with other policies: both said.
	if !slices.ContainsFunc(r.Notices, func(n string) bool {
		return strings.HasPrefix(n, "the baseline swept r/fsar_proposal_jan-*, this sweep r")
	}) ||
		!slices.ContainsFunc(r.Notices, func(n string) bool { return strings.Contains(n, "judged with other policies or configuration") }) {
		t.Errorf("notices %q", r.Notices)
	}
	// A shard's result is not a baseline.
	shard := sweepIn(t, "", Options{Paths: []string{"r"}, Shard: Shard{Index: 1, Count: 2}, DecidedBy: shapedBy})
	if err := os.WriteFile(path, jsonOf(t, shard), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadBaseline(path); err == nil || !strings.Contains(err.Error(), "merge the shards first") {
		t.Errorf("a shard as baseline: %v", err)
	}
	if err := os.WriteFile(path, []byte(`{"schema": "fsar.check/v1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadBaseline(path); err == nil || !strings.Contains(err.Error(), `schema "fsar.check/v1"`) {
		t.Errorf("a check result as baseline: %v", err)
	}
	// A baseline that does not exist yet: the first sweep, for the caller
	// to allow.
	if _, err := LoadBaseline(filepath.Join(dir, "nowhere.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing baseline: %v", err)
	}
}

// TestDeterministic: the same input and evaluation time give the same JSON
// bytes, whatever the number of workers.
func TestDeterministic(t *testing.T) {
	dir := t.TempDir()
	path := mixedFolder(t, dir)
	t.Chdir(dir)
	want := jsonOf(t, sweepIn(t, "", Options{Paths: []string{path}, Workers: 1}))
	for _, workers := range []int{2, 8} {
		got := jsonOf(t, sweepIn(t, "", Options{Paths: []string{path}, Workers: workers}))
		if !bytes.Equal(got, want) {
			t.Errorf("%d workers: JSON differs from 1 worker's", workers)
		}
	}
}

// TestMergeEqualsOneRun: for N = 1 to 4, the merge of the N shard results
// (read back from their JSON) is byte for byte the result of one run — on
// a generated corpus with reused ids across shards, twin conflicts, other
// reports and broken files, and on the mixed folder.
func TestMergeEqualsOneRun(t *testing.T) {
	dir := t.TempDir()
	cfg := gen.Default(filepath.Join(dir, "gen"), 200)
	cfg.Broken, cfg.NotReports, cfg.ConflictEvery, cfg.DuplicateEvery, cfg.Months = 3, 6, 37, 23, 4
	if _, err := gen.Generate(cfg); err != nil {
		t.Fatal(err)
	}
	mixed := mixedFolder(t, dir)
	t.Chdir(dir)
	// A glob that matches both twins, and folders that overlap, find some
	// reports twice: each must still be in exactly one shard.
	for _, paths := range [][]string{{"gen"}, {mixed}, {"gen", mixed}, {mixed + "/*"}, {mixed, mixed + "/archive"}} {
		opts := Options{Paths: paths, MinReports: 1}
		one := sweepIn(t, "", opts)
		want := jsonOf(t, one)
		if len(one.DuplicateIDs) == 0 || one.Count.Error == 0 || one.Count.OtherReports == 0 || len(one.TwinConflicts) == 0 {
			t.Fatalf("%v: the corpus lacks reused ids, errors, other reports or twin conflicts: %+v", paths, one.Count)
		}
		for n := 1; n <= 4; n++ {
			var parts []*Result
			reports := 0
			for i := n; i >= 1; i-- { // any order
				o := opts
				o.Shard = Shard{Index: i, Count: n}
				part := sweepIn(t, "", o)
				reports += part.Count.Reports
				parts = append(parts, roundTrip(t, part))
			}
			if reports != one.Count.Reports {
				t.Errorf("%v, %d shards: %d reports in all, want %d", paths, n, reports, one.Count.Reports)
			}
			merged, err := Merge(parts, nil)
			if err != nil {
				t.Fatalf("%v, %d shards: %v", paths, n, err)
			}
			if got := jsonOf(t, merged); !bytes.Equal(got, want) {
				t.Errorf("%v: merge of %d shards differs from one run:\n%s", paths, n, cmp.Diff(string(want), string(got)))
			}
		}
	}
}

func TestMergeRefuses(t *testing.T) {
	dir := t.TempDir()
	trendFolder(t, dir)
	t.Chdir(dir)
	part := func(i, n int, opts Options) *Result {
		opts.Paths = []string{"r"}
		opts.Shard = Shard{Index: i, Count: n}
		return roundTrip(t, sweepIn(t, "", opts))
	}
	whole := roundTrip(t, sweepIn(t, "", Options{Paths: []string{"r"}}))
	other := testBy
	other.PolicyDigest = "sha256:other"
	for _, tc := range []struct {
		name  string
		parts []*Result
		want  string
	}{
		{"nothing", nil, "at least one"},
		{"not a shard", []*Result{whole}, "not a shard's result"},
		{"missing", []*Result{part(1, 3, Options{})}, "missing shard results: 2/3, 3/3"},
		{"twice", []*Result{part(1, 2, Options{}), part(1, 2, Options{})}, "shard 1/2 is given twice"},
		{"other count", []*Result{part(1, 2, Options{}), part(2, 3, Options{})}, "but result 1 is of 2 shards"},
		{"other period", []*Result{part(1, 2, Options{}), part(2, 2, Options{Period: PeriodDay})}, "other settings"},
		{"other policies", []*Result{part(1, 2, Options{}), part(2, 2, Options{DecidedBy: other})}, "policy digest sha256:other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Merge(tc.parts, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Merge: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestMergeMaxSize: shards read with different --max-size may judge a
// report differently; merge refuses them, as other settings.
func TestMergeMaxSize(t *testing.T) {
	dir := t.TempDir()
	trendFolder(t, dir)
	t.Chdir(dir)
	part := func(i int, maxBytes int64) *Result {
		return roundTrip(t, sweepIn(t, "", Options{Paths: []string{"r"}, Shard: Shard{Index: i, Count: 2}, Limits: proposal.Limits{MaxBytes: maxBytes}}))
	}
	if _, err := Merge([]*Result{part(1, 0), part(2, 1<<20)}, nil); err == nil || !strings.Contains(err.Error(), "other settings") || !strings.Contains(err.Error(), `"max_bytes":1048576`) {
		t.Errorf("shards of different --max-size merged: %v", err)
	}
	// The default and the same size given are one setting.
	if _, err := Merge([]*Result{part(1, 0), part(2, 10<<20)}, nil); err != nil {
		t.Errorf("the default --max-size given: %v", err)
	}
}

// TestShardsStable: a report's shard depends only on its path relative to
// the folder swept, so that every machine of a matrix splits alike.
func TestShardsStable(t *testing.T) {
	keys := []string{"fsar_proposal_a.md", "2026-01/fsar_proposal_b.md", "x/y/z.json", "fsar_proposal_2026-01-01T00-47-28-961Z.md"}
	var got []int
	for _, k := range keys {
		for i := 1; i <= 4; i++ {
			if (Shard{Index: i, Count: 4}).Owns(k) {
				got = append(got, i)
			}
		}
	}
	// FNV-1a 64 of the key, modulo 4, plus 1: fixed forever.
	if diff := cmp.Diff([]int{4, 4, 3, 1}, got); diff != "" {
		t.Errorf("shards of %v (-want +got):\n%s", keys, diff)
	}
	// The same folder under another absolute path splits alike.
	a, b := t.TempDir(), t.TempDir()
	mixedFolder(t, a)
	mixedFolder(t, b)
	ra := sweepIn(t, "", Options{Paths: []string{filepath.Join(a, "reports")}, Shard: Shard{Index: 2, Count: 3}})
	rb := sweepIn(t, "", Options{Paths: []string{filepath.Join(b, "reports")}, Shard: Shard{Index: 2, Count: 3}})
	if ra.Count != rb.Count || len(ra.IDs) != len(rb.IDs) {
		t.Errorf("the same folder in two places splits differently: %+v vs %+v", ra.Count, rb.Count)
	}
}

// TestCheckAndSweepAgree: fsar check and fsar sweep of the same folder
// judge the same reports the same way — by construction, since both go
// through gate.Judge — here on the mixed folder, with twins, other
// reports, links and errors, given as a folder, as a glob and with a
// report also named on its own.
func TestCheckAndSweepAgree(t *testing.T) {
	dir := t.TempDir()
	path := mixedFolder(t, dir)
	t.Chdir(dir)
	for _, paths := range [][]string{{path}, {"reports/*"}, {path, "reports/fsar_proposal_c.md", path}} {
		sw := sweepIn(t, "", Options{Paths: paths})
		ck, _ := gate.Run(t.Context(), defaultEngine(t), gate.RunOptions{Source: gate.Source{Paths: paths}, DecidedBy: testBy})
		c := ck.Count
		got := Count{
			Reports: c.Reports, OtherReports: c.Skipped, Pass: c.Pass, Warn: c.Warn, Review: c.Review, Block: c.Block, Error: c.Error,
			Errors: len(ck.Errors) + c.Error, Files: sw.Count.Files, OtherFiles: sw.Count.OtherFiles, Twins: sw.Count.Twins,
		}
		if diff := cmp.Diff(sw.Count, got); diff != "" {
			t.Errorf("%v: check's counts differ from sweep's (-sweep +check):\n%s", paths, diff)
		}
		var blocking []string
		for _, r := range ck.Reports {
			if r.Verdict == gate.Block {
				blocking = append(blocking, r.File)
			}
		}
		var swept []string
		for _, b := range sw.Blocking {
			swept = append(swept, b.File)
		}
		if diff := cmp.Diff(swept, blocking); diff != "" || len(blocking) == 0 {
			t.Errorf("%v: blocking reports (-sweep +check):\n%s", paths, diff)
		}
	}
}

// TestMergeBaselineIsOneRunsBaseline: merging shards with --baseline FILE
// gives what one run with --baseline FILE gives, byte for byte, whether
// the file holds an earlier sweep or does not exist yet (the first sweep).
func TestMergeBaselineIsOneRunsBaseline(t *testing.T) {
	dir := t.TempDir()
	trendFolder(t, dir)
	t.Chdir(dir)
	writeResult(t, dir, "base.json", sweepIn(t, "", Options{Paths: []string{"r/fsar_proposal_jan-*"}, DecidedBy: shapedBy}))
	var shards []string
	for i := 1; i <= 2; i++ {
		part := sweepIn(t, "", Options{Paths: []string{"r"}, MinReports: 10, Shard: Shard{Index: i, Count: 2}, DecidedBy: shapedBy})
		shards = append(shards, writeResult(t, dir, fmt.Sprintf("shard-%d.json", i), part))
	}
	for _, file := range []string{"base.json", "not-yet.json"} {
		opts := Options{Paths: []string{"r"}, MinReports: 10, BaselineFrom: file, DecidedBy: shapedBy}
		base, err := LoadBaseline(file)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			opts.BaselineMissing = true
		case err != nil:
			t.Fatal(err)
		default:
			opts.Baseline = base
		}
		want := jsonOf(t, sweepIn(t, "", opts))
		merged, err := MergeFiles(shards, file)
		if err != nil {
			t.Fatalf("--baseline %s: %v", file, err)
		}
		if got := jsonOf(t, merged); !bytes.Equal(got, want) {
			t.Errorf("--baseline %s: the merge differs from one run:\n%s", file, cmp.Diff(string(want), string(got)))
		}
	}
}
