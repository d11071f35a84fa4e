package sweep

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNewSinceBaseline: over two sweeps, the report that starts blocking
// is new, the one that stops is no longer blocking, and the one that
// blocks in both is neither; text, markdown and HTML lead with them, the
// tracking issue's title counts them, and --fail-on new-block fails only
// on new ones.
func TestNewSinceBaseline(t *testing.T) {
	dir := t.TempDir()
	blocking := func(id string) fx {
		f := canned(id, "2026-01-02T10:00:00.000Z", "idea_implementation: Purge the archive.", "48")
		f.block = true
		return f
	}
	passing := func(id string) fx {
		return analysed(id, "2026-01-02T10:00:00.000Z", "idea_implementation: Add a cache.", "6")
	}
	ids := []string{"fsar_aaaaaaaa-0000-4000-8000-000000000001", "fsar_bbbbbbbb-0000-4000-8000-000000000002", "fsar_cccccccc-0000-4000-8000-000000000003"}
	writeFiles(t, dir, map[string]string{
		"r/fsar_proposal_a.md": blocking(ids[0]).md(), // stops blocking
		"r/fsar_proposal_b.md": passing(ids[1]).md(),  // starts blocking
		"r/fsar_proposal_c.md": blocking(ids[2]).md(), // blocks in both
	})
	t.Chdir(dir)
	first := sweepIn(t, "", Options{Paths: []string{"r"}, DecidedBy: shapedBy})
	path := writeResult(t, dir, "first.json", first)
	writeFiles(t, dir, map[string]string{"r/fsar_proposal_a.md": passing(ids[0]).md(), "r/fsar_proposal_b.md": blocking(ids[1]).md()})
	base, err := LoadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(base.Blocking, []string{filepath.Join("r", "fsar_proposal_a.md"), filepath.Join("r", "fsar_proposal_c.md")}) {
		t.Fatalf("baseline blocking %v", base.Blocking)
	}
	second := sweepIn(t, "", Options{Paths: []string{"r"}, Baseline: base, DecidedBy: shapedBy})
	var news []string
	for _, b := range second.NewBlocking {
		news = append(news, b.File)
	}
	if diff := cmp.Diff([]string{filepath.Join("r", "fsar_proposal_b.md")}, news); diff != "" {
		t.Errorf("new blocking (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{filepath.Join("r", "fsar_proposal_a.md")}, second.NoLongerBlocking); diff != "" {
		t.Errorf("no longer blocking (-want +got):\n%s", diff)
	}
	if !second.Fails(FailOn{NewBlock: true}) || !second.Fails(FailOn{Block: true}) {
		t.Error("a new blocking report does not fail the sweep")
	}
	if title := IssueTitle(second); !strings.Contains(title, ": 1 new blocking report, 2 blocking reports") {
		t.Errorf("issue title %q", title)
	}
	// Against itself, nothing is new: new-block passes, block does not.
	again := sweepIn(t, "", Options{Paths: []string{"r"}, Baseline: second.AsBaseline(), DecidedBy: shapedBy})
	if len(again.NewBlocking) != 0 || len(again.NoLongerBlocking) != 0 || again.Fails(FailOn{NewBlock: true}) || !again.Fails(FailOn{Block: true}) {
		t.Errorf("against itself: new %v, no longer %v", again.NewBlocking, again.NoLongerBlocking)
	}
	// Without a baseline every blocking report is new.
	if !first.Fails(FailOn{NewBlock: true}) {
		t.Error("without a baseline, a blocking report is not new")
	}

	// Every output leads with them: before the verdicts' table and the
	// alerts, each file named.
	for format, marks := range map[string][]string{
		"text":     {"since the baseline of ", "new blocking reports (1):", "no longer blocking (fixed, or gone) (1):", "alerts ("},
		"markdown": {"### Since the baseline of ", "### New blocking reports (1)", "### No longer blocking (fixed, or gone) (1)", "| verdict | reports |"},
		"html":     {"<h2>Since the baseline of ", "<h3>New blocking reports</h3>", "<h3>No longer blocking (fixed, or gone)</h3>", "<h2>Alerts</h2>"},
	} {
		var buf bytes.Buffer
		if err := Write(&buf, format, second); err != nil {
			t.Fatal(err)
		}
		out, at := buf.String(), -1
		for _, m := range marks {
			i := strings.Index(out, m)
			if i <= at {
				t.Errorf("%s: %q is not where it should be (at %d, after %d)", format, m, i, at)
			}
			at = i
		}
		for _, f := range []string{"fsar_proposal_a", "fsar_proposal_b"} {
			if !strings.Contains(out, f) && !strings.Contains(out, strings.ReplaceAll(f, "_", `\_`)) {
				t.Errorf("%s does not name %s", format, f)
			}
		}
	}
}

// TestBaselineInIssue: the tracking issue's body carries the sweep's
// baseline whole and reads back to it; the summary is cut to leave it
// room; a baseline with too many blocking reports for an issue is kept
// without them, and the next sweep says so and counts every block as
// new; a block that was tampered with is refused, not ignored.
func TestBaselineInIssue(t *testing.T) {
	dir := t.TempDir()
	trendFolder(t, dir)
	r := sweepIn(t, dir, Options{Paths: []string{"r"}, DecidedBy: shapedBy})
	body, err := IssueBody(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(body, TrackingMarker(r)+"\n## FSAR policy sweep") {
		t.Errorf("the body does not start with the summary:\n%.200s", body)
	}
	b, ok, err := BaselineFromIssue(strings.ReplaceAll(body, "\n", "\r\n")) // GitHub may give CRLF back
	if err != nil || !ok {
		t.Fatalf("read back: %v, %v", ok, err)
	}
	if diff := cmp.Diff(r.AsBaseline(), b); diff != "" {
		t.Errorf("baseline read back (-want +got):\n%s", diff)
	}
	if _, ok, err := BaselineFromIssue("<!-- fsar-sweep-tracking-issue paths=0 -->\nan earlier fsar's summary"); ok || err != nil {
		t.Errorf("a body without a block: %v, %v", ok, err)
	}

	// Thousands of blocking reports: the summary is cut, the block kept.
	big := *r
	big.Blocking = slices.Clone(r.Blocking)
	for i := range 30000 {
		big.Blocking = append(big.Blocking, Blocking{File: fmt.Sprintf("audit/reports/%05d/fsar_proposal_%x.md", i, i*7919), Rules: []string{"block-execution"}})
	}
	big.Count.Reports = 40000
	big.Measures = nil
	for _, m := range r.Measures {
		m.Reports, m.Of = m.Reports*2000, 40000
		m.Percent = percent(m.Reports, m.Of)
		big.Measures = append(big.Measures, m)
	}
	body, err = IssueBody(&big)
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > issueBodyRoom {
		t.Errorf("body of %d bytes, more than an issue holds", len(body))
	}
	b, ok, err = BaselineFromIssue(body)
	if err != nil || !ok || b.BlockingOmitted != 30003 || len(b.Blocking) != 0 {
		t.Fatalf("a baseline too large for an issue: %v, %v, %+v", ok, err, b)
	}
	next := sweepIn(t, "", Options{Paths: []string{"r"}, Baseline: b, DecidedBy: shapedBy})
	if len(next.NewBlocking) != 0 || !next.Fails(FailOn{NewBlock: true}) ||
		!slices.ContainsFunc(next.Notices, func(n string) bool { return strings.Contains(n, "30,003 blocking reports were not kept with it") }) {
		t.Errorf("after a baseline without its blocking reports: new %v, notices %q", next.NewBlocking, next.Notices)
	}

	// Tampered blocks are refused.
	body, _ = IssueBody(r)
	head, _, _ := strings.Cut(body, baselineBlockHead)
	for name, block := range map[string]string{
		"not base64":  baselineBlockHead + "\n!!!!\n-->",
		"not gzipped": baselineBlockHead + "\nAAAA\n-->",
		"not closed":  baselineBlockHead + "\nAAAA\n",
		"not a baseline": func() string {
			s, _ := baselineBlock(&Baseline{Now: "x"})
			return s
		}(),
	} {
		if _, _, err := BaselineFromIssue(head + block); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A gzip bomb: 8 MiB of zeros in a few kilobytes is refused at 4 MiB.
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	if _, err := zw.Write(make([]byte, 8<<20)); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	bomb := baselineBlockHead + "\n" + base64.StdEncoding.EncodeToString(z.Bytes()) + "\n" + baselineBlockTail
	if _, _, err := BaselineFromIssue(head + bomb); err == nil || !strings.Contains(err.Error(), "holds more than 4194304 bytes") {
		t.Errorf("a gzip bomb: %v", err)
	}
	// A block with a share its counts do not make is refused too.
	forged := r.AsBaseline()
	forged.Measures[0].Percent = 99
	block, _ := baselineBlock(forged)
	if _, _, err := BaselineFromIssue(head + block); err == nil || !strings.Contains(err.Error(), "baseline.measures[0] (block)") {
		t.Errorf("a forged share: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "body.md"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
