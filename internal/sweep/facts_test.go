package sweep

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/policies"
)

// loadWith loads policies at the tests' time: the bundled ones (unless
// only), the modules given, and the configuration.
func loadWith(t *testing.T, only bool, modules map[string]string, config map[string]any) *policy.Engine {
	t.Helper()
	var sources []policy.Source
	if !only {
		sources = append(sources, policy.Source{Name: "policies", FS: policies.FS})
	}
	if len(modules) > 0 {
		fsys := fstest.MapFS{}
		for name, src := range modules {
			fsys[name] = &fstest.MapFile{Data: []byte(src)}
		}
		sources = append(sources, policy.Source{Name: "mine", FS: fsys})
	}
	e, err := policy.Load(t.Context(), policy.Options{Sources: sources, Now: now, Config: config})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func shareNames(f Facts) []string {
	var names []string
	for _, d := range f.Shares {
		names = append(names, d.Name)
	}
	return names
}

// TestPolicyKnowledge: what a sweep follows comes from the policies, not
// from Go: the bundled rules' custom.share, the configured thresholds and
// the policies' words; a policy set of one's own declares its own shares;
// one that declares nothing is swept without them, and the sweep says so.
func TestPolicyKnowledge(t *testing.T) {
	dir := t.TempDir()
	trendFolder(t, dir)
	t.Chdir(dir)

	// The bundled policies.
	f, err := Learn(t.Context(), loadWith(t, false, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{ShareBlock, ShareReview, shareCanned, shareStale, shareUnderRated, ShareHighSeverity, ShareIrreversible}, shareNames(f)); diff != "" {
		t.Errorf("shares (-want +got):\n%s", diff)
	}
	if d, _ := f.share(shareCanned); !slices.Equal(d.Rules, []string{"canned-mitigations", "canned-risks"}) || d.Alert != TrustInflation {
		t.Errorf("canned: %+v", d)
	}
	if d, _ := f.share(shareStale); d.MinAgeDays != 30 {
		t.Errorf("stale needs %v days", d.MinAgeDays)
	}

	// Thresholds changed in the configuration move the bands, the
	// severity share and the stale share's age with them.
	e := loadWith(t, false, nil, map[string]any{"review_threshold": 20, "block_threshold": 50, "max_age_days": 400})
	r, err := Run(t.Context(), e, Options{Paths: []string{"r"}, AlertThreshold: 10, MinReports: 1, DecidedBy: testBy})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Facts.Label(ShareHighSeverity); got != "severity 20+" {
		t.Errorf("severity share %q", got)
	}
	var bands []string
	for _, b := range r.Severity {
		bands = append(bands, r.Facts.BandLabel(b.Band))
	}
	// The 48s are in the review band now that blocking starts at 50.
	if diff := cmp.Diff([]string{"below 20", "20 to below 50"}, bands); diff != "" {
		t.Errorf("bands (-want +got):\n%s", diff)
	}
	if d, _ := r.Facts.share(shareStale); d.MinAgeDays != 400 || !slices.Contains(r.Periods[len(r.Periods)-1].Incomplete, shareStale) {
		t.Errorf("stale needs %v days; the newest period incomplete for %v", d.MinAgeDays, r.Periods[len(r.Periods)-1].Incomplete)
	}

	// A policy set of one's own, with a share of its own and no
	// fsar.lib.sweep: followed as it declares, and no more.
	mine := loadWith(t, true, map[string]string{"mine.rego": `# METADATA
# title: Mine
package fsar.mine

# METADATA
# title: Long proposals
# custom:
#   id: long-proposal
#   level: warn
#   share: long_proposal
warn contains {"msg": "long", "rule": "long-proposal"} if count(input.proposal) > 40
`}, nil)
	r, err = Run(t.Context(), mine, Options{Paths: []string{"r"}, AlertThreshold: 10, MinReports: 1, DecidedBy: testBy})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{ShareBlock, ShareReview, "long_proposal"}, shareNames(r.Facts)); diff != "" {
		t.Errorf("shares of one's own policies (-want +got):\n%s", diff)
	}
	if r.Facts.Scale != nil || len(r.Severity) != 0 || r.Measures[2].Reports != 8 {
		t.Errorf("scale %v, severity %v, long proposals %+v", r.Facts.Scale, r.Severity, r.Measures[2])
	}
	wantNotices := []string{
		"the policies declare no severity scale (data.fsar.lib.sweep.severity_scale): reports are not banded by severity, and the severity share is not followed",
		"the policies declare no words of irreversible change (data.fsar.lib.sweep.irreversible_terms): the share of texts that use them is not followed",
	}
	if diff := cmp.Diff(wantNotices, r.Notices); diff != "" {
		t.Errorf("notices (-want +got):\n%s", diff)
	}

	// One that declares nothing: the verdicts' shares only, the charts it
	// cannot draw replaced by what it lacks, and said.
	bare := loadWith(t, true, map[string]string{"bare.rego": "package fsar.bare\n\ndeny contains \"never\" if false\n"}, nil)
	r, err = Run(t.Context(), bare, Options{Paths: []string{"r"}, AlertThreshold: 10, MinReports: 1, DecidedBy: testBy})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{ShareBlock, ShareReview}, shareNames(r.Facts)); diff != "" || len(r.Notices) != 3 ||
		!strings.HasPrefix(r.Notices[0], "the policies declare no shares (custom.share in a rule's METADATA)") {
		t.Errorf("shares %v, notices %q", shareNames(r.Facts), r.Notices)
	}
	if err := r.validate(); err != nil {
		t.Errorf("the result of a bare policy set is refused: %v", err)
	}
	var page, text bytes.Buffer
	if err := WriteHTML(&page, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "The policies declare no severity scale: no bands.") || strings.Count(page.String(), "<svg ") != 2 || // verdicts and shares; no bands, no rule fired
		!strings.Contains(text.String(), "the policies declare no shares") || strings.Contains(text.String(), "\nseverity:\n") {
		t.Errorf("the outputs do not say what the policies do not declare: %d svgs\n%s", strings.Count(page.String(), "<svg "), text.String())
	}

	// A sweep document of the wrong shape is an error, not a guess.
	bad := loadWith(t, true, map[string]string{
		"bare.rego":  "package fsar.bare\n\ndeny contains \"never\" if false\n",
		"sweep.rego": "package fsar.lib.sweep\n\nseverity_scale := {\"min\": 0, \"review\": 50, \"block\": 45, \"max\": 75}\n",
	}, nil)
	if _, err := Run(t.Context(), bad, Options{Paths: []string{"r"}, AlertThreshold: 10, MinReports: 1, DecidedBy: testBy}); err == nil ||
		!strings.Contains(err.Error(), "data.fsar.lib.sweep: severity_scale: expected min <= review <= block <= max") {
		t.Errorf("a scale out of order: %v", err)
	}
}
