package sweep

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// Rules whose findings the trend measures count.
const (
	ruleCannedRisks       = "canned-risks"
	ruleCannedMitigations = "canned-mitigations"
	ruleStale             = "stale-report"
	ruleUnderRatedIrrev   = "under-rated-irreversible"
)

// Flags counted per period, besides verdicts and severity bands.
const (
	flagCanned       = "canned"
	flagStale        = "stale"
	flagUnderRated   = "under_rated_irreversible"
	flagIrreversible = "irreversible_text"
)

var flagNames = []string{flagCanned, flagIrreversible, flagStale, flagUnderRated}

// Severity bands: the generator's scale (0 to 75) cut at the review (25)
// and block (45) thresholds of the FSAR gates.
const (
	bandNone       = "none"
	bandOutOfScale = "out of scale"
)

var bandNames = []string{"0-9", "10-24", "25-44", "45-75", bandOutOfScale, bandNone}

// bandOf returns the severity band of a report's severity (nil: none).
func bandOf(sev *float64) string {
	switch {
	case sev == nil:
		return bandNone
	case math.IsNaN(*sev) || *sev < 0 || *sev > 75:
		return bandOutOfScale
	case *sev < 10:
		return "0-9"
	case *sev < 25:
		return "10-24"
	case *sev < 45:
		return "25-44"
	}
	return "45-75"
}

// unknownPeriod holds the reports without a readable timestamp.
const unknownPeriod = "unknown"

// Periods of report time.
const (
	PeriodMonth = "month"
	PeriodWeek  = "week"
	PeriodDay   = "day"
)

// periodOf returns the period of time t, in UTC: 2026-01, 2026-W01 (ISO
// week) or 2026-01-02. The labels sort in time order.
func periodOf(t time.Time, period string) string {
	if t.IsZero() {
		return unknownPeriod
	}
	t = t.UTC()
	switch period {
	case PeriodWeek:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case PeriodDay:
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01")
}

// ValidPeriod checks a --period value.
func ValidPeriod(p string) error {
	switch p {
	case PeriodMonth, PeriodWeek, PeriodDay:
		return nil
	}
	return fmt.Errorf("period %q: expected month, week or day", p)
}

// periodAcc counts one period.
type periodAcc struct {
	reports  int
	verdicts Verdicts
	flags    map[string]int
	severity map[string]int
}

// acc accumulates a sweep as reports arrive: counts and the short lists the
// outputs need, never the reports themselves.
type acc struct {
	period     string
	count      Count
	rules      map[string]*RuleStat
	kinds      map[string]*KindStat
	periods    map[string]*periodAcc
	bands      map[string]int
	blocking   []Blocking
	conflicts  []TwinConflict
	ids        map[string]string   // id -> first file (the smallest path)
	dups       map[string][]string // id -> every file, for ids used more than once
	notReports []string
	errors     []gate.Problem
}

func newAcc(period string) *acc {
	return &acc{
		period:  period,
		rules:   map[string]*RuleStat{},
		kinds:   map[string]*KindStat{},
		periods: map[string]*periodAcc{},
		bands:   map[string]int{},
		ids:     map[string]string{},
		dups:    map[string][]string{},
	}
}

func (a *acc) periodAt(key string) *periodAcc {
	p := a.periods[key]
	if p == nil {
		p = &periodAcc{flags: map[string]int{}, severity: map[string]int{}}
		a.periods[key] = p
	}
	return p
}

// addJudged counts one judged unit.
func (a *acc) addJudged(j gate.Judged, files int) {
	a.count.Files += files
	if j.Skipped {
		a.count.NotReports++
		a.notReports = append(a.notReports, j.Unit.Path)
		return
	}
	rep := &j.Report
	a.count.Reports++
	if rep.Twin != "" && j.Read != nil && j.Read.Twin != nil {
		a.count.Twins++
	}
	a.countVerdict(&a.count, rep.Verdict)
	if rep.Verdict == gate.Error {
		if len(rep.Errors) == 0 {
			a.errors = append(a.errors, gate.Problem{Location: gate.Location{File: rep.File}, Message: "the report could not be judged"})
		}
		a.errors = append(a.errors, rep.Errors...)
	}

	// Rules: each finding, and each report once per rule.
	flags := map[string]bool{}
	var ruleIDs []string
	for _, f := range rep.Findings {
		rs := a.rules[f.Rule]
		if rs == nil {
			rs = &RuleStat{Rule: strings.Clone(f.Rule), Level: f.Level.String(), Title: strings.Clone(f.Title)}
			a.rules[f.Rule] = rs
		}
		rs.Findings++
		if !slices.Contains(ruleIDs, f.Rule) {
			ruleIDs = append(ruleIDs, f.Rule)
			rs.Reports++
		}
		switch f.Rule {
		case ruleCannedRisks, ruleCannedMitigations:
			flags[flagCanned] = true
		case ruleStale:
			flags[flagStale] = true
		case ruleUnderRatedIrrev:
			flags[flagUnderRated] = true
		}
	}
	var when time.Time
	if r := j.Read; r != nil {
		if r.Has(proposal.FieldTimestamp) {
			when = r.Time
		}
		if r.Has(proposal.FieldProposal) && speaksOfIrreversible(r.Proposal) {
			flags[flagIrreversible] = true
		}
		if len(r.Conflicts) > 0 && r.Twin != nil {
			tc := TwinConflict{File: rep.File, Twin: r.Twin.File}
			for _, c := range r.Conflicts {
				tc.Fields = append(tc.Fields, c.Field)
			}
			a.conflicts = append(a.conflicts, tc)
		}
	}
	band := bandOf(rep.Severity)
	a.bands[band]++

	kind := rep.Kind
	ks := a.kinds[kind]
	if ks == nil {
		kind = strings.Clone(kind)
		ks = &KindStat{Kind: kind}
		a.kinds[kind] = ks
	}
	ks.Reports++
	ks.add(rep.Verdict, 1)

	p := a.periodAt(periodOf(when, a.period))
	p.reports++
	p.verdicts.add(rep.Verdict, 1)
	p.severity[band]++
	for f := range flags {
		p.flags[f]++
	}

	if rep.Verdict == gate.Block {
		var blockers []string
		for _, f := range rep.Findings {
			if f.Level == policy.Deny && !slices.Contains(blockers, f.Rule) {
				blockers = append(blockers, f.Rule)
			}
		}
		slices.Sort(blockers)
		a.blocking = append(a.blocking, Blocking{
			File: rep.File, Twin: rep.Twin, ID: strings.Clone(rep.ID), Severity: rep.Severity, Kind: strings.Clone(rep.Kind), Rules: blockers,
		})
	}
	if rep.ID != "" {
		// A clone: the id may be a slice of the whole report's text.
		a.addID(strings.Clone(rep.ID), rep.File)
	}
}

func (a *acc) countVerdict(c *Count, v gate.Verdict) {
	switch v {
	case gate.Pass:
		c.Pass++
	case gate.Warn:
		c.Warn++
	case gate.Review:
		c.Review++
	case gate.Block:
		c.Block++
	default:
		c.Error++
	}
}

// addID records that file uses id.
func (a *acc) addID(id, file string) {
	first, seen := a.ids[id]
	if !seen {
		a.ids[id] = file
		return
	}
	if first == file {
		return
	}
	files := a.dups[id]
	if files == nil {
		files = []string{first}
	}
	if !slices.Contains(files, file) {
		files = append(files, file)
	}
	a.dups[id] = files
	if file < first {
		a.ids[id] = file
	}
}

// speaksOfIrreversible reports whether a proposal text speaks of an
// irreversible change, as the generator's heuristic reads it: the words
// "irreversible" or "data loss", in any case.
func speaksOfIrreversible(text string) bool {
	return containsFold(text, "irreversible") || containsFold(text, "data loss")
}

// containsFold is strings.Contains ignoring ASCII case, without copying.
func containsFold(s, sub string) bool {
	n := len(sub)
	first := sub[0]
	for i := 0; i+n <= len(s); i++ {
		c := s[i] | 0x20
		if c != first {
			continue
		}
		if strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

// addResult adds a shard's result, for merge.
func (a *acc) addResult(r *Result) {
	c := r.Count
	a.count.Files += c.Files
	a.count.OtherFiles += c.OtherFiles
	a.count.Reports += c.Reports
	a.count.Twins += c.Twins
	a.count.NotReports += c.NotReports
	a.count.Pass += c.Pass
	a.count.Warn += c.Warn
	a.count.Review += c.Review
	a.count.Block += c.Block
	a.count.Error += c.Error
	for _, rs := range r.Rules {
		cur := a.rules[rs.Rule]
		if cur == nil {
			cp := rs
			a.rules[rs.Rule] = &cp
			continue
		}
		cur.Reports += rs.Reports
		cur.Findings += rs.Findings
	}
	for _, ks := range r.Kinds {
		cur := a.kinds[ks.Kind]
		if cur == nil {
			cur = &KindStat{Kind: ks.Kind}
			a.kinds[ks.Kind] = cur
		}
		cur.Reports += ks.Reports
		cur.merge(ks.Verdicts)
	}
	for _, b := range r.Severity {
		a.bands[b.Band] += b.Reports
	}
	for _, p := range r.Periods {
		cur := a.periodAt(p.Period)
		cur.reports += p.Reports
		cur.verdicts.merge(p.Verdicts)
		for k, n := range p.Flags {
			cur.flags[k] += n
		}
		for k, n := range p.Severity {
			cur.severity[k] += n
		}
	}
	a.blocking = append(a.blocking, r.Blocking...)
	a.conflicts = append(a.conflicts, r.TwinConflicts...)
	a.notReports = append(a.notReports, r.NotReports...)
	a.errors = append(a.errors, r.Errors...)
	for _, id := range slices.Sorted(maps.Keys(r.IDs)) {
		a.addID(id, r.IDs[id])
	}
	for _, d := range r.DuplicateIDs {
		for _, f := range d.Files {
			a.addID(d.ID, f)
		}
	}
}

// result builds the sweep's result from the counts: shares, trends and
// alerts derived, every list sorted. A shard's result (shard not nil) keeps
// the id index that merge needs.
func (a *acc) result(s Settings, by gate.DecidedBy, base *Baseline, shard *Shard) *Result {
	r := &Result{
		Schema:        Schema,
		DecidedBy:     by,
		Settings:      s,
		Count:         a.count,
		Baseline:      base,
		Blocking:      nonNil(a.blocking),
		TwinConflicts: nonNil(a.conflicts),
		NotReports:    nonNil(a.notReports),
		Errors:        nonNil(a.errors),
		DuplicateIDs:  []DuplicateID{},
		Alerts:        []Alert{},
	}
	r.Settings.Paths = nonNil(r.Settings.Paths)
	r.Settings.Include = nonNil(r.Settings.Include)
	r.Settings.Exclude = nonNil(r.Settings.Exclude)
	r.Count.Errors = len(r.Errors)
	for _, id := range slices.Sorted(maps.Keys(a.dups)) {
		files := slices.Clone(a.dups[id])
		slices.Sort(files)
		r.DuplicateIDs = append(r.DuplicateIDs, DuplicateID{ID: id, Files: files})
	}
	if shard != nil {
		sh := *shard
		r.Shard = &sh
		r.IDs = maps.Clone(a.ids)
	}
	r.sortLists()

	for _, name := range bandNames {
		if n := a.bands[name]; n > 0 {
			r.Severity = append(r.Severity, Band{Band: name, Reports: n, Percent: percent(n, r.Count.Reports)})
		}
	}
	r.Severity = nonNil(r.Severity)
	for _, id := range slices.Sorted(maps.Keys(a.rules)) {
		r.Rules = append(r.Rules, *a.rules[id])
	}
	r.Rules = nonNil(r.Rules)
	for _, k := range slices.Sorted(maps.Keys(a.kinds)) {
		r.Kinds = append(r.Kinds, *a.kinds[k])
	}
	r.Kinds = nonNil(r.Kinds)

	total := &periodAcc{flags: map[string]int{}, severity: map[string]int{}}
	for _, key := range slices.Sorted(maps.Keys(a.periods)) {
		p := a.periods[key]
		total.reports += p.reports
		total.verdicts.merge(p.verdicts)
		for k, n := range p.flags {
			total.flags[k] += n
		}
		for k, n := range p.severity {
			total.severity[k] += n
		}
		r.Periods = append(r.Periods, Period{
			Period: key, Reports: p.reports, Verdicts: p.verdicts,
			Flags: fillKeys(p.flags, flagNames), Severity: fillKeys(p.severity, bandNames),
			Measures: measuresOf(p),
		})
	}
	r.Periods = nonNil(r.Periods)
	r.Measures = measuresOf(total)

	r.Verdict = gate.Pass
	switch {
	case len(r.Errors) > 0 || r.Count.Error > 0:
		r.Verdict = gate.Error
	case r.Count.Block > 0:
		r.Verdict = gate.Block
	case r.Count.Review > 0:
		r.Verdict = gate.Review
	case r.Count.Warn > 0:
		r.Verdict = gate.Warn
	}
	r.Alerts = alerts(r)
	r.Clean = r.Verdict != gate.Error && r.Count.Block == 0 && len(r.Alerts) == 0
	return r
}

// fillKeys returns m with every name present (zero when absent), so that
// the JSON form always has the same keys.
func fillKeys(m map[string]int, names []string) map[string]int {
	out := make(map[string]int, len(names))
	for _, n := range names {
		out[n] = m[n]
	}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// percent is n of total in percent, rounded to two decimals.
func percent(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return round2(100 * float64(n) / float64(total))
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Measure names, in the order they are shown.
const (
	MeasureBlock        = "block"
	MeasureReview       = "review"
	MeasureCanned       = "canned"
	MeasureStale        = "stale"
	MeasureUnderRated   = "under_rated_irreversible"
	MeasureIrreversible = "irreversible_text"
	MeasureHighSeverity = "high_severity"
	measureBandPrefix   = "severity:"
)

// measureLabels names the measures for people.
var measureLabels = map[string]string{
	MeasureBlock:        "blocked",
	MeasureReview:       "review",
	MeasureCanned:       "canned analysis",
	MeasureStale:        "stale",
	MeasureUnderRated:   "under-rated irreversible",
	MeasureIrreversible: "irreversible in text",
	MeasureHighSeverity: "severity 25+",
}

// MeasureLabel returns the name of a measure for people.
func MeasureLabel(name string) string {
	if l, ok := measureLabels[name]; ok {
		return l
	}
	if b, ok := strings.CutPrefix(name, measureBandPrefix); ok {
		return "severity " + b
	}
	return name
}

// measuresOf derives the shares of one period, or of the whole sweep.
func measuresOf(p *periodAcc) []Measure {
	n := p.reports
	m := func(name string, k int) Measure {
		return Measure{Name: name, Reports: k, Of: n, Percent: percent(k, n)}
	}
	out := []Measure{
		m(MeasureBlock, p.verdicts.Block),
		m(MeasureReview, p.verdicts.Review),
		m(MeasureCanned, p.flags[flagCanned]),
		m(MeasureStale, p.flags[flagStale]),
		m(MeasureUnderRated, p.flags[flagUnderRated]),
		m(MeasureIrreversible, p.flags[flagIrreversible]),
		m(MeasureHighSeverity, p.severity["25-44"]+p.severity["45-75"]),
	}
	for _, b := range bandNames {
		out = append(out, m(measureBandPrefix+b, p.severity[b]))
	}
	return out
}

func measureByName(ms []Measure, name string) (Measure, bool) {
	i := slices.IndexFunc(ms, func(m Measure) bool { return m.Name == name })
	if i < 0 {
		return Measure{}, false
	}
	return ms[i], true
}

// Names of the alerts the FSAR spec asks for.
const (
	TrustInflation = "trust inflation"
	IncentiveDrift = "incentive drift"
)

// alerts compares the last two periods that have enough reports, and the
// whole sweep with its baseline.
func alerts(r *Result) []Alert {
	out := []Alert{}
	var last []Period
	for i := len(r.Periods) - 1; i >= 0 && len(last) < 2; i-- {
		p := r.Periods[i]
		if p.Period != unknownPeriod && p.Reports >= max(r.Settings.MinReports, 1) {
			last = append(last, p)
		}
	}
	if len(last) == 2 {
		out = append(out, compare(r.Settings.AlertThreshold, "period", last[1].Period, last[0].Period, last[1].Measures, last[0].Measures)...)
	}
	if b := r.Baseline; b != nil {
		out = append(out, compare(r.Settings.AlertThreshold, "baseline",
			"the baseline of "+b.Now, "this sweep of "+r.DecidedBy.Now.UTC().Format(time.RFC3339Nano), b.Measures, r.Measures)...)
	}
	return out
}

// compare returns an alert for every measure whose share moved by more
// than threshold points from one set of measures to another. A share of
// no reports (an empty baseline, an empty sweep) is no data: it is
// compared with nothing. So is a share that is not a percentage, which
// only a result that was not checked (DecodeResult) can hold: no alert is
// ever NaN or infinite.
func compare(threshold float64, against, from, to string, before, after []Measure) []Alert {
	var out []Alert
	hasData := func(m Measure) bool { return m.Of > 0 && m.Percent >= 0 && m.Percent <= 100 }
	irrevUp := false
	if a, ok := measureByName(after, MeasureIrreversible); ok && hasData(a) {
		if b, ok := measureByName(before, MeasureIrreversible); ok && hasData(b) {
			irrevUp = a.Reports > 0 && a.Percent >= b.Percent
		}
	}
	for _, am := range after {
		bm, ok := measureByName(before, am.Name)
		if !ok || !hasData(am) || !hasData(bm) {
			continue
		}
		change := round2(am.Percent - bm.Percent)
		if !(math.Abs(change) > threshold) {
			continue
		}
		al := Alert{
			Measure: am.Name, Against: against, From: from, To: to,
			FromReports: bm.Reports, FromOf: bm.Of, FromPercent: bm.Percent,
			ToReports: am.Reports, ToOf: am.Of, ToPercent: am.Percent,
			Change: change,
		}
		switch {
		case am.Name == MeasureCanned && change > 0:
			al.Name = TrustInflation
		case am.Name == MeasureUnderRated && change > 0:
			al.Name = IncentiveDrift
		case am.Name == MeasureHighSeverity && change < 0 && irrevUp:
			al.Name = IncentiveDrift
		}
		al.Message = alertMessage(al, threshold)
		out = append(out, al)
	}
	slices.SortStableFunc(out, func(x, y Alert) int {
		return cmp.Compare(measureRank(x.Measure), measureRank(y.Measure))
	})
	return out
}

// measureRank orders alerts: named measures first, in their order, then
// the severity bands.
func measureRank(name string) int {
	order := []string{MeasureBlock, MeasureReview, MeasureCanned, MeasureStale, MeasureUnderRated, MeasureIrreversible, MeasureHighSeverity}
	if i := slices.Index(order, name); i >= 0 {
		return i
	}
	if b, ok := strings.CutPrefix(name, measureBandPrefix); ok {
		return len(order) + slices.Index(bandNames, b)
	}
	return 100
}

func alertMessage(a Alert, threshold float64) string {
	verb := "rose"
	if a.Change < 0 {
		verb = "fell"
	}
	var b strings.Builder
	if a.Name != "" {
		b.WriteString(a.Name + ": ")
	}
	fmt.Fprintf(&b, "the %s share %s from %s%% (%d of %d reports) in %s to %s%% (%d of %d) in %s, %s points (threshold %s)",
		MeasureLabel(a.Measure), verb,
		fmtNum(a.FromPercent), a.FromReports, a.FromOf, a.From,
		fmtNum(a.ToPercent), a.ToReports, a.ToOf, a.To,
		signed(a.Change), fmtNum(threshold))
	if a.Name == IncentiveDrift && a.Measure == MeasureHighSeverity {
		b.WriteString(", while the share of texts speaking of irreversible change did not fall")
	}
	return b.String()
}
