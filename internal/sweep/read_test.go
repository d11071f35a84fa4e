package sweep

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fsar-gate/fsar/internal/gate"
)

// shapedBy is what decided a sweep, of the shapes fsar writes: results
// written to a file to be read back use it.
var shapedBy = gate.DecidedBy{FSARVersion: "dev", OPAVersion: "1.22.3", PolicyDigest: "sha256:" + strings.Repeat("0a", 32), Now: now}

// edited writes r's JSON form to a file in dir, after edits changed it
// (editJSON), and returns the file's path.
func edited(t *testing.T, dir, name string, r *Result, edits map[string]any) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, editJSON(t, jsonOf(t, r), edits), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// editJSON changes fields of a JSON object. Paths are dotted:
// "shard.count", "measures.0.percent"; a nil value removes the field.
func editJSON(t testing.TB, b []byte, edits map[string]any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for path, v := range edits {
		keys := strings.Split(path, ".")
		var cur any = m
		for _, k := range keys[:len(keys)-1] {
			switch c := cur.(type) {
			case map[string]any:
				cur = c[k]
			case []any:
				i, _ := strconv.Atoi(k)
				cur = c[i]
			}
		}
		last := keys[len(keys)-1]
		switch c := cur.(type) {
		case map[string]any:
			if v == nil {
				delete(c, last)
			} else {
				c[last] = v
			}
		case []any:
			i, _ := strconv.Atoi(last)
			c[i] = v
		default:
			t.Fatalf("%s: no such field in the result", path)
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// writeResult writes r's JSON form, unchanged, to a file in dir.
func writeResult(t *testing.T, dir, name string, r *Result) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, jsonOf(t, r), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantRefused wants err to name the file and say what.
func wantRefused(t *testing.T, err error, path, what string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), what) {
		t.Errorf("err = %v; want it to name %s and say %q", err, path, what)
	}
}

// TestMergeShardCountOutOfRange: a shard's count is the size of what merge
// allocates: a negative one panicked (makeslice), a huge one ran out of
// time and memory. Both are refused, naming the file.
func TestMergeShardCountOutOfRange(t *testing.T) {
	dir := t.TempDir()
	trendFolder(t, dir)
	t.Chdir(dir)
	s1 := sweepIn(t, "", Options{Paths: []string{"r"}, Shard: Shard{Index: 1, Count: 2}, DecidedBy: shapedBy})
	for _, tc := range []struct {
		name  string
		count any
	}{{"negative", -5}, {"zero", 0}, {"huge", 3_000_000_000}, {"over the maximum", 1025}} {
		t.Run(tc.name, func(t *testing.T) {
			path := edited(t, dir, tc.name+".json", s1, map[string]any{"shard.count": tc.count})
			start := time.Now()
			_, err := MergeFiles([]string{path}, "")
			wantRefused(t, err, path, "shard 1/")
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refused after %v", d)
			}
		})
	}
	// Merge itself, given results that were not read from a file.
	bad := *s1
	bad.Shard = &Shard{Index: 1, Count: -5}
	if _, err := Merge([]*Result{&bad}, nil); err == nil || !strings.Contains(err.Error(), "shard 1/-5") {
		t.Errorf("Merge of shard 1/-5: %v", err)
	}
	bad.Shard = &Shard{Index: 0, Count: 2}
	if _, err := Merge([]*Result{&bad}, nil); err == nil || !strings.Contains(err.Error(), "shard 0/2") {
		t.Errorf("Merge of shard 0/2: %v", err)
	}
}

// TestMergeDroppedBlocking: a shard whose blocking reports were edited out
// merged into totals that disagreed with its lists; it is refused, with or
// without its counts edited to match.
func TestMergeDroppedBlocking(t *testing.T) {
	dir := t.TempDir()
	trendFolder(t, dir)
	t.Chdir(dir)
	whole := sweepIn(t, "", Options{Paths: []string{"r"}, Shard: Shard{Index: 1, Count: 1}, DecidedBy: shapedBy})
	if whole.Count.Block != 3 {
		t.Fatalf("the trend folder has %d blocking reports, want 3", whole.Count.Block)
	}
	if _, err := MergeFiles([]string{writeResult(t, dir, "good.json", whole)}, ""); err != nil {
		t.Fatalf("the shard as written: %v", err)
	}
	for _, tc := range []struct {
		name  string
		edits map[string]any
		want  string
	}{
		{"list emptied", map[string]any{"blocking": []any{}}, "blocking lists 0 reports, but count.block is 3"},
		{"count too", map[string]any{"blocking": []any{}, "count.block": 0}, "count.reports is 20, but the reports by verdict"},
		{"every count", map[string]any{"blocking": []any{}, "count.block": 0, "count.pass": whole.Count.Pass + 3}, "kinds: "},
		{"verdict cleaned", map[string]any{"verdict": "review"}, "verdict is not what"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := edited(t, dir, "shard.json", whole, tc.edits)
			_, err := MergeFiles([]string{path}, "")
			wantRefused(t, err, path, tc.want)
		})
	}
}

// TestReadBounded: shard and baseline files are read up to 64 MiB
// (MaxResultBytes), not whole.
func TestReadBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(64<<20 + 1); err != nil { // sparse: cheap to write
		t.Fatal(err)
	}
	f.Close()
	_, err = ReadResult(path)
	wantRefused(t, err, path, "larger than 67108864 bytes")
	_, err = LoadBaseline(path)
	wantRefused(t, err, path, "larger than")
	_, err = MergeFiles([]string{path}, "")
	wantRefused(t, err, path, "larger than")
}

// TestBaselineOutOfRange: a baseline's shares gave "-Inf points" alerts
// and JSON that could not be written; they are refused when read, and a
// baseline that was never read cannot make an alert NaN or infinite.
func TestBaselineOutOfRange(t *testing.T) {
	dir := t.TempDir()
	trendFolder(t, dir)
	t.Chdir(dir)
	first := sweepIn(t, "", Options{Paths: []string{"r/fsar_proposal_jan-*"}, DecidedBy: shapedBy})
	good := writeResult(t, dir, "good.json", first)
	if _, err := LoadBaseline(good); err != nil {
		t.Fatalf("the baseline as written: %v", err)
	}
	bad := map[string]any{"reports": -5, "of": 0, "percent": 1e308, "name": "block"}
	path := edited(t, dir, "bad.json", first, map[string]any{"measures.0": bad})
	_, err := LoadBaseline(path)
	wantRefused(t, err, path, "measures[0] (block)")

	// Given as a value, not read: refused by Run and Merge.
	for _, m := range outOfRange {
		base := first.AsBaseline()
		base.Measures = append([]Measure{m}, base.Measures[1:]...)
		if _, err := Run(t.Context(), defaultEngine(t), Options{Paths: []string{"r"}, Baseline: base, AlertThreshold: 10, MinReports: 1}); err == nil ||
			!strings.Contains(err.Error(), "baseline.measures[0] (block)") {
			t.Errorf("%+v: Run: %v", m, err)
		}
		shard := sweepIn(t, "", Options{Paths: []string{"r"}, Shard: Shard{Index: 1, Count: 1}})
		if _, err := Merge([]*Result{shard}, base); err == nil || !strings.Contains(err.Error(), "baseline.measures[0] (block)") {
			t.Errorf("%+v: Merge: %v", m, err)
		}
	}
}

// outOfRange are shares that are not percentages.
var outOfRange = []Measure{
	{Name: ShareBlock, Reports: -5, Of: 0, Percent: 1e308},
	{Name: ShareBlock, Reports: 1, Of: 10, Percent: -1e308},
	{Name: ShareBlock, Reports: 1, Of: 10, Percent: math.Inf(1)},
	{Name: ShareBlock, Reports: 1, Of: 10, Percent: math.NaN()},
}

// TestReadRefuses: every part of a result read from a file is checked;
// the error names the file and the field.
func TestReadRefuses(t *testing.T) {
	dir := t.TempDir()
	mixedFolder(t, dir)
	trendFolder(t, dir)
	t.Chdir(dir)
	first := sweepIn(t, "", Options{Paths: []string{"r/fsar_proposal_jan-*"}, DecidedBy: shapedBy})
	whole := sweepIn(t, "", Options{Paths: []string{"r"}, Baseline: first.AsBaseline(), MinReports: 10, DecidedBy: shapedBy})
	mixed := sweepIn(t, "", Options{Paths: []string{"reports"}, DecidedBy: shapedBy})
	shard := sweepIn(t, "", Options{Paths: []string{"reports"}, Shard: Shard{Index: 1, Count: 1}, DecidedBy: shapedBy})
	if len(whole.Alerts) == 0 || whole.Baseline == nil || len(mixed.Errors) == 0 || len(shard.IDs) == 0 {
		t.Fatal("the fixtures lack alerts, a baseline, errors or ids")
	}
	for _, r := range []*Result{whole, mixed, shard} {
		if _, err := ReadResult(writeResult(t, dir, "good.json", r)); err != nil {
			t.Fatalf("a result as written: %v", err)
		}
	}
	raw := string(jsonOf(t, whole))
	for _, tc := range []struct {
		name  string
		r     *Result
		edits map[string]any
		raw   string // instead of r and edits
		want  string
	}{
		{"unknown field", whole, map[string]any{"approved": true}, "", `unknown field "approved"`},
		{"unknown nested field", whole, map[string]any{"count.skipped": 1}, "", `unknown field "skipped"`},
		{"two values", nil, nil, raw + "{}", "more than one JSON value"},
		{"not JSON", nil, nil, "<html>", "not a sweep result"},
		{"check result", nil, nil, `{"schema": "fsar.check/v1", "reports": []}`, `schema "fsar.check/v1"`},
		{"no schema", whole, map[string]any{"schema": nil}, "", `schema ""`},
		{"fsar version", whole, map[string]any{"decided_by.fsar_version": "dev [x](https://evil.example)"}, "", "decided_by.fsar_version"},
		{"fsar commit", whole, map[string]any{"decided_by.fsar_commit": "@octo-org/admins"}, "", "decided_by.fsar_commit"},
		{"OPA version", whole, map[string]any{"decided_by.opa_version": "1"}, "", "decided_by.opa_version"},
		{"policy digest", whole, map[string]any{"decided_by.policy_digest": "sha256:test"}, "", "decided_by.policy_digest"},
		{"policy revision", whole, map[string]any{"decided_by.policy_revision": "main"}, "", "decided_by.policy_revision"},
		{"baseline digest", whole, map[string]any{"baseline.policy_digest": "@octo-org/admins"}, "", "baseline.policy_digest"},
		{"baseline time", whole, map[string]any{"baseline.now": "<img src=x>"}, "", "baseline.now"},
		{"baseline reports", whole, map[string]any{"baseline.reports": -5}, "", "baseline.reports -5"},
		{"baseline share", whole, map[string]any{"baseline.measures.0.percent": 1e308}, "", "baseline.measures[0] (block)"},
		{"baseline measure name", whole, map[string]any{"baseline.measures.0.name": "<b>x</b>"}, "", "baseline.measures[0]"},
		{"negative count", whole, map[string]any{"count.files": -1}, "", "count.files -1"},
		{"huge count", whole, map[string]any{"count.other_files": 1 << 62}, "", "count.other_files"},
		{"verdicts do not add up", whole, map[string]any{"count.reports": 21}, "", "count.reports is 21"},
		{"period", whole, map[string]any{"settings.period": "year"}, "", "settings.period"},
		{"threshold", whole, map[string]any{"settings.alert_threshold": -1}, "", "settings.alert_threshold"},
		{"min reports", whole, map[string]any{"settings.min_reports": -1}, "", "settings.min_reports"},
		{"max bytes", whole, map[string]any{"settings.max_bytes": -1}, "", "settings.max_bytes"},
		{"glob", whole, map[string]any{"settings.include": []any{"["}}, "", "settings.include/exclude"},
		{"share", whole, map[string]any{"measures.2.percent": 1e308}, "", "measures[2] (canned)"},
		{"share of", whole, map[string]any{"measures.2.of": 0}, "", "measures[2] (canned)"},
		{"measure missing", whole, map[string]any{"measures": []any{}}, "", "measures: 0 measures"},
		{"period label", whole, map[string]any{"periods.0.period": "[x](https://evil.example)"}, "", "periods[0]"},
		{"period order", whole, map[string]any{"periods.0.period": "2026-03"}, "", "periods[1]"},
		{"period share", whole, map[string]any{"periods.0.shares.evil": 1}, "", "periods[0].shares"},
		{"period share count", whole, map[string]any{"periods.0.shares.canned": 11}, "", "periods[0].shares.canned"},
		{"period severity", whole, map[string]any{"periods.0.severity.low": 0}, "", "periods[0] (2026-01): the severity bands hold"},
		{"period incomplete forged", whole, map[string]any{"periods.0.incomplete": []any{"stale"}}, "", "periods is not what"},
		{"share forged", whole, map[string]any{"policy_facts.shares.2.name": "<b>"}, "", "policy_facts.shares[2]: name"},
		{"share of fsar's own", whole, map[string]any{"policy_facts.shares.2.from": "verdict"}, "", "policy_facts.shares[2] (canned): from"},
		{"share direction", whole, map[string]any{"policy_facts.shares.2.bad": "sideways"}, "", "policy_facts.shares[2] (canned): bad"},
		{"shares out of order", whole, map[string]any{
			"policy_facts.shares.0": map[string]any{"name": "review", "label": "review", "from": "verdict", "bad": "rise"},
			"policy_facts.shares.1": map[string]any{"name": "block", "label": "blocked", "from": "verdict", "bad": "rise"},
		}, "", "expected the block and review shares first"},
		{"scale", whole, map[string]any{"policy_facts.severity_scale.review": 99}, "", "policy_facts.severity_scale"},
		{"scale dropped", whole, map[string]any{"policy_facts.severity_scale": nil}, "", "the severity share goes with a severity scale"},
		{"terms", whole, map[string]any{"policy_facts.irreversible_terms": []any{" "}}, "", "policy_facts.irreversible_terms"},
		{"notice forged", whole, map[string]any{"notices": []any{"[x](https://evil.example)"}}, "", "notices is not what"},
		{"window", whole, map[string]any{"settings.window": 1}, "", "settings: --window 1"},
		{"new blocking forged", whole, map[string]any{"new_blocking": []any{map[string]any{"file": "x.md", "rules": []any{}}}}, "", "new_blocking[0] (\"x.md\")"},
		{"no longer blocking forged", whole, map[string]any{"no_longer_blocking": []any{"x.md"}}, "", "no_longer_blocking is not what"},
		{"period reports", whole, map[string]any{"periods.0.reports": 9}, "", "periods[0] (2026-01): reports is 9"},
		{"period share", whole, map[string]any{"periods.0.measures.0.percent": 99}, "", "periods[0].measures[0] (block)"},
		{"rule level", whole, map[string]any{"rules.0.level": "<img src=x>"}, "", "rules[0]"},
		{"rule reports", whole, map[string]any{"rules.0.reports": 0}, "", "rules[0]"},
		{"kind", whole, map[string]any{"kinds.0.reports": 1}, "", "kinds[0]"},
		{"band", whole, map[string]any{"severity.0.band": "<b>"}, "", "severity[0]: band"},
		{"band percent", whole, map[string]any{"severity.0.percent": 1e308}, "", "severity is not what"},
		{"alerts forged", whole, map[string]any{"alerts.0.message": "[x](https://evil.example)"}, "", "alerts is not what"},
		{"alerts dropped", whole, map[string]any{"alerts": []any{}, "clean": true}, "", "alerts is not what"},
		{"clean forged", whole, map[string]any{"clean": true}, "", "clean is not what"},
		{"errors dropped", mixed, map[string]any{"errors": []any{}}, "", "errors lists 0 errors"},
		{"other reports dropped", mixed, map[string]any{"other_reports": []any{}}, "", "other_reports lists 0 files"},
		{"other kinds forged", mixed, map[string]any{"other_kinds.0.reports": 5}, "", "other_kinds count 7 reports"},
		{"error line", mixed, map[string]any{"errors.0.location.line": -1}, "", "errors[0]"},
		{"duplicate ids", mixed, map[string]any{"duplicate_ids.0.files": []any{"one"}}, "", "duplicate_ids[0]"},
		{"ids of a whole sweep", mixed, map[string]any{"ids": map[string]any{"fsar_x": "a.md"}}, "", "ids: only a shard"},
		{"ids", shard, map[string]any{"ids": map[string]any{"": "a.md"}}, "", "ids: "},
		{"shard index", shard, map[string]any{"shard.index": 2}, "", "shard 2/1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var path string
			if tc.r == nil {
				path = filepath.Join(dir, "bad.json")
				if err := os.WriteFile(path, []byte(tc.raw), 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				path = edited(t, dir, "bad.json", tc.r, tc.edits)
			}
			_, err := ReadResult(path)
			wantRefused(t, err, path, tc.want)
		})
	}
}

// TestPeriodLabelsAccepted: every period label a sweep writes is of the
// shape a reader wants, from year 0 to 9999.
func TestPeriodLabelsAccepted(t *testing.T) {
	for _, d := range []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(0, 1, 3, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(2026, 11, 25, 12, 0, 0, 0, time.FixedZone("", -11*3600)),
	} {
		for period, re := range periodLabels {
			if label := periodOf(d, period); !re.MatchString(label) {
				t.Errorf("%v by %s: label %q refused", d, period, label)
			}
		}
	}
}
