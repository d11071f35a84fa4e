package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// MaxShards is the most shards a sweep can be split into (--shard I/N).
const MaxShards = proposal.MaxShards

// maxCount bounds every count of a result that is read or merged: a
// trillion reports, more than any sweep, and far below where sums over
// MaxShards shards could overflow.
const maxCount = 1 << 40

// validThreshold tells whether x is an alert threshold: a number of
// percentage points, 0 or more (not NaN, not infinite).
func validThreshold(x float64) bool { return x >= 0 && !math.IsInf(x, 1) }

// quote quotes an untrusted value for an error message, cut short.
func quote(s string) string { return strconv.Quote(escape.Truncate(s, 80)) }

// periodLabels are the shapes of the period labels (periodOf), by period.
// (The ISO week of 0000-01-01 is in year -1: "-001-W52".)
var periodLabels = map[string]*regexp.Regexp{
	PeriodMonth: regexp.MustCompile(`^[0-9]{4}-(?:0[1-9]|1[0-2])$`),
	PeriodWeek:  regexp.MustCompile(`^(?:[0-9]{4}|-[0-9]{3})-W(?:0[1-9]|[1-4][0-9]|5[0-3])$`),
	PeriodDay:   regexp.MustCompile(`^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$`),
}

// validShapes checks the shape of what decided the sweep, and of the
// policy digest of its baseline: they are shown in every output, and a
// result file is untrusted.
func validShapes(r *Result) error {
	if err := r.DecidedBy.Validate(); err != nil {
		return err
	}
	if r.Baseline != nil {
		return r.Baseline.validShapes()
	}
	return nil
}

// validShapes checks the shape of the baseline's policy digest, shown in
// every output, when the baseline comes from a file or an issue.
func (b *Baseline) validShapes() error {
	if !gate.ValidDigest(b.Digest) {
		return fmt.Errorf("baseline.policy_digest %s: expected \"sha256:\" and 64 lowercase hex digits", quote(b.Digest))
	}
	return nil
}

// validate checks that a result, read from a file or given to Merge,
// agrees with itself: every count in range (0 to maxCount) and equal to
// what its lists and other counts make it — the verdicts add up to the
// reports, the blocking list, other files and errors are as long as their
// counts, the kinds, severity bands and periods hold every report — the
// shard within its count (at most MaxShards), every share a finite
// percentage that its counts make, and the verdict, shares, trends and
// alerts what one would derive from the counts (as Merge derives them).
func (r *Result) validate() error {
	if r.Schema != Schema {
		return fmt.Errorf("schema %s, expected %q", quote(r.Schema), Schema)
	}
	if r.Verdict < gate.Pass || r.Verdict > gate.Error {
		return fmt.Errorf("verdict %s: unknown", r.Verdict)
	}
	if err := r.Settings.validate(); err != nil {
		return err
	}
	if err := r.Facts.validate(); err != nil {
		return err
	}
	if s := r.Shard; s != nil {
		if s.Count < 1 || s.Count > MaxShards || s.Index < 1 || s.Index > s.Count {
			return fmt.Errorf("shard %s: expected I/N with 1 <= I <= N <= %d", s, MaxShards)
		}
	} else if len(r.IDs) > 0 {
		return errors.New("ids: only a shard's result maps report ids to files")
	}
	if err := r.Count.validate(); err != nil {
		return err
	}
	if err := r.validLists(); err != nil {
		return err
	}
	if err := r.validStats(); err != nil {
		return err
	}
	if err := r.Facts.validMeasures("measures", r.Measures, r.Count.Reports); err != nil {
		return err
	}
	if b := r.Baseline; b != nil {
		if err := b.validate(); err != nil {
			return err
		}
	}
	return r.validDerived()
}

func (s Settings) validate() error {
	if _, ok := periodLabels[s.Period]; !ok {
		return fmt.Errorf("settings.period %s: expected month, week or day", quote(s.Period))
	}
	// As a baseline made from this result will hold them (Baseline.validate).
	for i, p := range s.Paths {
		if p == "" || len(p) > maxText {
			return fmt.Errorf("settings.paths[%d]: expected a path", i)
		}
	}
	for _, g := range append(slices.Clone(s.Include), s.Exclude...) {
		if proposal.ValidGlob(g) != nil {
			return fmt.Errorf("settings.include/exclude: %s is not a glob pattern", quote(g))
		}
	}
	if !validThreshold(s.AlertThreshold) {
		return fmt.Errorf("settings.alert_threshold %v: expected a number of percentage points, 0 or more", s.AlertThreshold)
	}
	if err := inRange("settings.min_reports", s.MinReports); err != nil {
		return err
	}
	if s.MaxItems < 0 {
		return fmt.Errorf("settings.max_items %d: expected a number of items", s.MaxItems)
	}
	if s.MaxBytes < 0 {
		return fmt.Errorf("settings.max_bytes %d: expected a number of bytes", s.MaxBytes)
	}
	if err := validWindow(s); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	if len(s.BaselineFrom) > maxText {
		return fmt.Errorf("settings.baseline_from: longer than %d bytes", maxText)
	}
	return nil
}

// maxText bounds a piece of free text in a result (a notice, a label).
const maxText = 4096

// validate checks what the policies declared, as a result holds it: the
// shares (fsar's own, and those of rules), the scale and the terms.
func (f *Facts) validate() error {
	seen := map[string]bool{}
	for i, d := range f.Shares {
		name := fmt.Sprintf("policy_facts.shares[%d]", i)
		if !policy.ValidShareName(d.Name) || seen[d.Name] {
			return fmt.Errorf("%s: name %s: expected a share's name, once", name, quote(d.Name))
		}
		seen[d.Name] = true
		if d.Label == "" || len(d.Label) > maxText {
			return fmt.Errorf("%s (%s): a label of 1 to %d bytes", name, d.Name, maxText)
		}
		want, fixed := fixedShares[d.Name]
		if !fixed {
			want = fromRules
		}
		if d.From != want || (d.From == fromRules) != (len(d.Rules) > 0) {
			return fmt.Errorf("%s (%s): from %s with %d rules: expected from %s, with rules exactly when from rules", name, d.Name, quote(d.From), len(d.Rules), want)
		}
		for _, id := range d.Rules {
			if id == "" || len(id) > maxText {
				return fmt.Errorf("%s (%s): a rule without an id", name, d.Name)
			}
		}
		if d.Bad != "" && d.Bad != badRise && d.Bad != badFall {
			return fmt.Errorf("%s (%s): bad %s: expected rise or fall", name, d.Name, quote(d.Bad))
		}
		if !(d.MinAgeDays >= 0 && d.MinAgeDays <= 1e6) {
			return fmt.Errorf("%s (%s): min_age_days %v: expected 0 to 1000000", name, d.Name, d.MinAgeDays)
		}
		if d.Alert != "" && d.Alert != TrustInflation && d.Alert != IncentiveDrift && d.Alert != WaiverCreep {
			return fmt.Errorf("%s (%s): alert %s: expected %q, %q or %q", name, d.Name, quote(d.Alert), TrustInflation, IncentiveDrift, WaiverCreep)
		}
	}
	if !seen[ShareBlock] || !seen[ShareReview] || f.Shares[0].Name != ShareBlock || f.Shares[1].Name != ShareReview {
		return errors.New("policy_facts.shares: expected the block and review shares first")
	}
	if s := f.Scale; s != nil {
		for _, x := range []float64{s.Min, s.Review, s.Block, s.Max} {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return errors.New("policy_facts.severity_scale: a bound is not a number")
			}
		}
		if !(s.Min <= s.Review && s.Review <= s.Block && s.Block <= s.Max) {
			return errors.New("policy_facts.severity_scale: expected min <= review <= block <= max")
		}
	}
	if seen[ShareHighSeverity] != (f.Scale != nil) {
		return errors.New("policy_facts: the severity share goes with a severity scale, and only with one")
	}
	if len(f.IrreversibleTerms) > maxTerms || seen[ShareIrreversible] != (len(f.IrreversibleTerms) > 0) {
		return errors.New("policy_facts: the irreversible_text share goes with irreversible terms (at most 100), and only with them")
	}
	for _, t := range f.IrreversibleTerms {
		if strings.TrimSpace(t) == "" || len(t) > maxTermLen {
			return fmt.Errorf("policy_facts.irreversible_terms: %s: expected a word or phrase of 1 to %d characters", quote(t), maxTermLen)
		}
	}
	return nil
}

// inRange checks a count.
func inRange(name string, n int) error {
	if n < 0 || n > maxCount {
		return fmt.Errorf("%s %d: expected a count from 0 to %d", name, n, maxCount)
	}
	return nil
}

func (c Count) validate() error {
	for _, f := range []struct {
		name string
		n    int
	}{
		{"files", c.Files}, {"other_files", c.OtherFiles}, {"reports", c.Reports}, {"twins", c.Twins},
		{"other_reports", c.OtherReports}, {"pass", c.Pass}, {"warn", c.Warn}, {"review", c.Review},
		{"block", c.Block}, {"error", c.Error}, {"errors", c.Errors},
	} {
		if err := inRange("count."+f.name, f.n); err != nil {
			return err
		}
	}
	if sum := c.Pass + c.Warn + c.Review + c.Block + c.Error; sum != c.Reports {
		return fmt.Errorf("count.reports is %d, but the reports by verdict (pass, warn, review, block, error) add up to %d", c.Reports, sum)
	}
	if c.Twins > c.Reports {
		return fmt.Errorf("count.twins is %d, more than the %d reports", c.Twins, c.Reports)
	}
	if c.Files < c.Reports+c.OtherReports {
		return fmt.Errorf("count.files is %d, fewer than the %d reports and %d other reports read from them", c.Files, c.Reports, c.OtherReports)
	}
	if c.Error > c.Errors {
		return fmt.Errorf("count.error is %d, more than count.errors %d (every report in error has its errors listed)", c.Error, c.Errors)
	}
	return nil
}

// verdicts returns the reports by verdict.
func (c Count) verdicts() Verdicts {
	return Verdicts{Pass: c.Pass, Warn: c.Warn, Review: c.Review, Block: c.Block, Error: c.Error}
}

// validate checks that every count is in range, and returns their sum.
func (v Verdicts) validate(name string) (int, error) {
	for _, f := range []struct {
		name string
		n    int
	}{{"pass", v.Pass}, {"warn", v.Warn}, {"review", v.Review}, {"block", v.Block}, {"error", v.Error}} {
		if err := inRange(name+"."+f.name, f.n); err != nil {
			return 0, err
		}
	}
	return v.Pass + v.Warn + v.Review + v.Block + v.Error, nil
}

// validLists checks the lists against their counts.
func (r *Result) validLists() error {
	c := r.Count
	if len(r.Blocking) != c.Block {
		return fmt.Errorf("blocking lists %d reports, but count.block is %d", len(r.Blocking), c.Block)
	}
	if len(r.Others) != c.OtherReports {
		return fmt.Errorf("other_reports lists %d files, but count.other_reports is %d", len(r.Others), c.OtherReports)
	}
	kinds := 0
	for i, k := range r.OtherKinds {
		if k.Reports < 1 || len(k.Kind) > maxText || (i > 0 && k.Kind <= r.OtherKinds[i-1].Kind) {
			return fmt.Errorf("other_kinds[%d]: %s: expected each kind once, in order, with 1 or more reports", i, quote(k.Kind))
		}
		kinds += k.Reports
	}
	if kinds != c.OtherReports {
		return fmt.Errorf("other_kinds count %d reports, but count.other_reports is %d", kinds, c.OtherReports)
	}
	for i, n := range r.Notices {
		if n == "" || len(n) > maxText {
			return fmt.Errorf("notices[%d]: expected 1 to %d bytes", i, maxText)
		}
	}
	if len(r.Errors) != c.Errors {
		return fmt.Errorf("errors lists %d errors, but count.errors is %d", len(r.Errors), c.Errors)
	}
	for i, b := range r.Blocking {
		if b.File == "" {
			return fmt.Errorf("blocking[%d]: no file", i)
		}
		if b.Severity != nil && (math.IsNaN(*b.Severity) || math.IsInf(*b.Severity, 0)) {
			return fmt.Errorf("blocking[%d] (%s): severity is not a number", i, quote(b.File))
		}
	}
	for i, b := range r.WaivedBlocking {
		if b.File == "" || len(b.Rules) == 0 || (b.Severity != nil && (math.IsNaN(*b.Severity) || math.IsInf(*b.Severity, 0))) {
			return fmt.Errorf("waived_blocking[%d]: expected a file, its waived rules and a finite severity", i)
		}
	}
	if len(r.WaivedBlocking) > c.Reports {
		return fmt.Errorf("waived_blocking lists %d reports, of %d", len(r.WaivedBlocking), c.Reports)
	}
	for i, a := range r.WaivedByApprover {
		if a.ApprovedBy == "" || len(a.ApprovedBy) > maxText || a.Reports < 1 || a.Reports > a.Findings || a.Reports > c.Reports || a.Findings > maxCount {
			return fmt.Errorf("waived_by_approver[%d]: expected an approver with 1 <= reports <= findings", i)
		}
	}
	for i, u := range r.Waivers {
		switch {
		case u.Rule == "" || u.Source == "" || len(u.Rule)+len(u.Reason)+len(u.ApprovedBy)+len(u.Source)+len(u.Ticket)+len(u.Expires) > maxText:
			return fmt.Errorf("waivers[%d]: expected a rule and its source, in at most %d bytes", i, maxText)
		case u.Status != "in use" && u.Status != "expiring" && u.Status != "expired" && u.Status != "unused":
			return fmt.Errorf("waivers[%d]: status %s: expected in use, expiring, expired or unused", i, quote(u.Status))
		case u.WaivedReports < 0 || u.WaivedReports > u.WaivedFindings || u.WaivedReports > c.Reports || u.WaivedFindings > maxCount:
			return fmt.Errorf("waivers[%d]: expected 0 <= waived_reports <= waived_findings", i)
		}
	}
	for i, tc := range r.TwinConflicts {
		if tc.File == "" || tc.Twin == "" {
			return fmt.Errorf("twin_conflicts[%d]: expected a file and its twin", i)
		}
	}
	for i, d := range r.DuplicateIDs {
		if d.ID == "" || len(d.Files) < 2 || slices.Contains(d.Files, "") {
			return fmt.Errorf("duplicate_ids[%d]: expected an id and the two or more files that use it", i)
		}
	}
	for i, o := range r.Others {
		if o.File == "" || len(o.Kind) > maxText {
			return fmt.Errorf("other_reports[%d]: expected a file, and a kind of at most %d bytes", i, maxText)
		}
	}
	for i, b := range r.NewBlocking {
		if !slices.ContainsFunc(r.Blocking, func(x Blocking) bool { return x.File == b.File }) {
			return fmt.Errorf("new_blocking[%d] (%s): not among the blocking reports", i, quote(b.File))
		}
	}
	for i, e := range r.Errors {
		if e.Location.Line < 0 || e.Location.Column < 0 {
			return fmt.Errorf("errors[%d]: line %d, column %d: expected 0 or more", i, e.Location.Line, e.Location.Column)
		}
	}
	if len(r.IDs) > c.Reports {
		return fmt.Errorf("ids maps %d report ids, but count.reports is %d", len(r.IDs), c.Reports)
	}
	for _, id := range slices.Sorted(maps.Keys(r.IDs)) {
		if id == "" || r.IDs[id] == "" {
			return fmt.Errorf("ids: %s maps to %s: expected a report id and a file", quote(id), quote(r.IDs[id]))
		}
	}
	return nil
}

// validStats checks the rules, kinds, severity bands and periods against
// the counts.
func (r *Result) validStats() error {
	c := r.Count
	for i, rs := range r.Rules {
		if rs.Rule == "" {
			return fmt.Errorf("rules[%d]: no rule id", i)
		}
		if _, err := policy.ParseLevel(rs.Level); err != nil {
			return fmt.Errorf("rules[%d] (%s): level %s: expected deny, review or warn", i, quote(rs.Rule), quote(rs.Level))
		}
		if rs.Reports < 1 || rs.Reports > rs.Findings || rs.Reports > c.Reports || rs.Findings > maxCount || rs.Waived < 0 || rs.Waived > rs.Findings {
			return fmt.Errorf("rules[%d] (%s): %d reports with %d findings, of %d reports: expected 1 <= reports <= findings, and no more reports than the sweep has",
				i, quote(rs.Rule), rs.Reports, rs.Findings, c.Reports)
		}
	}

	var kinds Verdicts
	kindReports := 0
	for i, k := range r.Kinds {
		sum, err := k.validate(fmt.Sprintf("kinds[%d]", i))
		if err != nil {
			return err
		}
		if k.Reports != sum {
			return fmt.Errorf("kinds[%d] (%s): reports is %d, but its reports by verdict add up to %d", i, quote(k.Kind), k.Reports, sum)
		}
		kindReports += k.Reports
		kinds.merge(k.Verdicts)
	}
	if kindReports != c.Reports || kinds != c.verdicts() {
		return fmt.Errorf("kinds: %d reports (%+v), but count has %d (%+v)", kindReports, kinds, c.Reports, c.verdicts())
	}

	bandNames := r.Facts.bandNames()
	bands := map[string]int{}
	bandReports := 0
	for i, b := range r.Severity {
		if !slices.Contains(bandNames, b.Band) {
			return fmt.Errorf("severity[%d]: band %s: expected one of %s", i, quote(b.Band), strings.Join(bandNames, ", "))
		}
		if b.Reports < 1 || b.Reports > c.Reports {
			return fmt.Errorf("severity[%d] (%s): %d reports, of %d", i, b.Band, b.Reports, c.Reports)
		}
		bands[b.Band] += b.Reports
		bandReports += b.Reports
	}
	if bandNames != nil && bandReports != c.Reports {
		return fmt.Errorf("severity: the bands hold %d reports, but count.reports is %d", bandReports, c.Reports)
	}

	label := periodLabels[r.Settings.Period]
	var periods Verdicts
	periodReports := 0
	severity := map[string]int{}
	for i, p := range r.Periods {
		name := fmt.Sprintf("periods[%d]", i)
		if p.Period != unknownPeriod && !label.MatchString(p.Period) {
			return fmt.Errorf("%s: %s is not a %s", name, quote(p.Period), r.Settings.Period)
		}
		if i > 0 && p.Period <= r.Periods[i-1].Period {
			return fmt.Errorf("%s: %s is out of order, or given twice", name, quote(p.Period))
		}
		sum, err := p.Verdicts.validate(name + ".verdicts")
		if err != nil {
			return err
		}
		if p.Reports != sum {
			return fmt.Errorf("%s (%s): reports is %d, but its reports by verdict add up to %d", name, p.Period, p.Reports, sum)
		}
		if err := validKeys(name+".shares", p.Shares, r.Facts.counted(), p.Reports); err != nil {
			return err
		}
		if err := validKeys(name+".severity", p.Severity, bandNames, p.Reports); err != nil {
			return err
		}
		inBands := 0
		for _, b := range bandNames {
			inBands += p.Severity[b]
			severity[b] += p.Severity[b]
		}
		if bandNames != nil && inBands != p.Reports {
			return fmt.Errorf("%s (%s): the severity bands hold %d reports, but reports is %d", name, p.Period, inBands, p.Reports)
		}
		if err := r.Facts.validMeasures(name+".measures", p.Measures, p.Reports); err != nil {
			return err
		}
		periodReports += p.Reports
		periods.merge(p.Verdicts)
	}
	if periodReports != c.Reports || periods != c.verdicts() {
		return fmt.Errorf("periods: %d reports (%+v), but count has %d (%+v)", periodReports, periods, c.Reports, c.verdicts())
	}
	for _, b := range bandNames {
		if severity[b] != bands[b] {
			return fmt.Errorf("periods: %d reports in severity band %s, but severity has %d", severity[b], b, bands[b])
		}
	}
	return nil
}

// validKeys checks that m has exactly the keys names, each a count of at
// most n.
func validKeys(field string, m map[string]int, names []string, n int) error {
	if len(m) != len(names) {
		return fmt.Errorf("%s: expected exactly the keys %s", field, strings.Join(names, ", "))
	}
	for _, k := range names {
		v, ok := m[k]
		if !ok {
			return fmt.Errorf("%s: expected exactly the keys %s", field, strings.Join(names, ", "))
		}
		if v < 0 || v > n {
			return fmt.Errorf("%s.%s is %d, of %d reports", field, k, v, n)
		}
	}
	return nil
}

// validMeasures checks a set of shares: one per share the facts declare,
// in order, each of the of reports, its percentage what its counts make it.
func (f *Facts) validMeasures(field string, ms []Measure, of int) error {
	if len(ms) != len(f.Shares) {
		return fmt.Errorf("%s: %d measures, expected one for each of the %d shares", field, len(ms), len(f.Shares))
	}
	for i, m := range ms {
		if m.Name != f.Shares[i].Name {
			return fmt.Errorf("%s[%d]: %s, expected %s", field, i, quote(m.Name), f.Shares[i].Name)
		}
	}
	return validShares(field, ms, of)
}

// validShares checks shares of of reports: each a share's name, once, its
// percentage what its counts make it.
func validShares(field string, ms []Measure, of int) error {
	seen := map[string]bool{}
	for i, m := range ms {
		if !policy.ValidShareName(m.Name) || seen[m.Name] {
			return fmt.Errorf("%s[%d]: %s: expected a share's name, once", field, i, quote(m.Name))
		}
		seen[m.Name] = true
		if m.Of != of {
			return fmt.Errorf("%s[%d] (%s): of %d, but there are %d reports", field, i, m.Name, m.Of, of)
		}
		if m.Reports < 0 || m.Reports > m.Of {
			return fmt.Errorf("%s[%d] (%s): %d reports of %d", field, i, m.Name, m.Reports, m.Of)
		}
		if !(m.Percent >= 0 && m.Percent <= 100) || m.Percent != percent(m.Reports, m.Of) {
			return fmt.Errorf("%s[%d] (%s): %v%%, but %d of %d is %v%%", field, i, m.Name, m.Percent, m.Reports, m.Of, percent(m.Reports, m.Of))
		}
	}
	return nil
}

func (b *Baseline) validate() error {
	if _, err := time.Parse(time.RFC3339Nano, b.Now); err != nil {
		return fmt.Errorf("baseline.now %s: expected a time such as 2026-11-25T12:00:00Z", quote(b.Now))
	}
	if err := inRange("baseline.reports", b.Reports); err != nil {
		return err
	}
	for i, p := range b.Paths {
		if p == "" || len(p) > maxText {
			return fmt.Errorf("baseline.paths[%d]: expected a path", i)
		}
	}
	if err := inRange("baseline.blocking_omitted", b.BlockingOmitted); err != nil {
		return err
	}
	if len(b.Blocking) > b.Reports || (b.BlockingOmitted > 0 && len(b.Blocking) > 0) || b.BlockingOmitted > b.Reports {
		return fmt.Errorf("baseline: %d blocking reports listed, %d left out, of %d reports", len(b.Blocking), b.BlockingOmitted, b.Reports)
	}
	for i, f := range b.Blocking {
		if f == "" || (i > 0 && f <= b.Blocking[i-1]) {
			return fmt.Errorf("baseline.blocking[%d]: %s: expected files, each once, sorted", i, quote(f))
		}
	}
	return validShares("baseline.measures", b.Measures, b.Reports)
}

// validDerived checks that what is derived from the counts — the
// verdict, clean, count.errors, the shares, the severity bands' and
// periods' shares, the alerts, the duplicate ids and the order of every
// list — is what Merge derives from them.
func (r *Result) validDerived() error {
	a := newAcc(r.Settings.Period, r.Facts)
	a.addResult(r)
	want := a.result(r.Settings, r.DecidedBy, r.Baseline, r.Shard)
	got := *r
	got.Settings.Paths = nonNil(got.Settings.Paths)
	got.Settings.Include = nonNil(got.Settings.Include)
	got.Settings.Exclude = nonNil(got.Settings.Exclude)
	got.Severity, got.Rules, got.Kinds, got.Periods = nonNil(got.Severity), nonNil(got.Rules), nonNil(got.Kinds), nonNil(got.Periods)
	got.Alerts, got.Blocking, got.TwinConflicts = nonNil(got.Alerts), nonNil(got.Blocking), nonNil(got.TwinConflicts)
	got.DuplicateIDs, got.Others, got.Errors = nonNil(got.DuplicateIDs), nonNil(got.Others), nonNil(got.Errors)
	got.NewBlocking, got.NoLongerBlocking, got.OtherKinds = nonNil(got.NewBlocking), nonNil(got.NoLongerBlocking), nonNil(got.OtherKinds)
	got.Notices, got.Facts.Shares = nonNil(got.Notices), nonNil(got.Facts.Shares)
	gb, err := json.Marshal(&got)
	if err != nil {
		return err
	}
	wb, err := json.Marshal(want)
	if err != nil {
		return err
	}
	if bytes.Equal(gb, wb) {
		return nil
	}
	var gm, wm map[string]json.RawMessage
	if err := json.Unmarshal(gb, &gm); err != nil {
		return err
	}
	if err := json.Unmarshal(wb, &wm); err != nil {
		return err
	}
	keys := slices.Collect(maps.Keys(wm))
	for k := range gm {
		if _, ok := wm[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !bytes.Equal(gm[k], wm[k]) {
			return fmt.Errorf("%s is not what the result's own counts and lists make it", k)
		}
	}
	return errors.New("the result is not what its own counts and lists make it")
}
