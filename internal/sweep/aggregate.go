package sweep

import (
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

// periodSpan returns when a period label's period starts and ends (the
// end excluded), and false for unknownPeriod or a label that is not one.
func periodSpan(label, period string) (start, end time.Time, ok bool) {
	switch period {
	case PeriodWeek:
		var y, w int
		if n, _ := fmt.Sscanf(label, "%d-W%d", &y, &w); n != 2 {
			return start, end, false
		}
		// The ISO week 1 holds January 4th; weeks start on Monday.
		jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+7*(w-1))
		return monday, monday.AddDate(0, 0, 7), true
	case PeriodDay:
		t, err := time.Parse("2006-01-02", label)
		return t, t.AddDate(0, 0, 1), err == nil
	}
	t, err := time.Parse("2006-01", label)
	return t, t.AddDate(0, 1, 0), err == nil
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
	shares   map[string]int
	severity map[string]int
}

func newPeriodAcc() *periodAcc {
	return &periodAcc{shares: map[string]int{}, severity: map[string]int{}}
}

func (p *periodAcc) merge(o *periodAcc) {
	p.reports += o.reports
	p.verdicts.merge(o.verdicts)
	for k, n := range o.shares {
		p.shares[k] += n
	}
	for k, n := range o.severity {
		p.severity[k] += n
	}
}

// acc accumulates a sweep as reports arrive: counts and the short lists the
// outputs need, never the reports themselves.
type acc struct {
	period     string
	facts      Facts
	ruleShares map[string][]string // rule id -> the shares its findings count toward
	count      Count
	rules      map[string]*RuleStat
	kinds      map[string]*KindStat
	periods    map[string]*periodAcc
	bands      map[string]int
	blocking   []Blocking
	waivedBlk  []Blocking
	approvers  map[string]*ApproverStat
	waivers    *gate.WaiverTally
	merged     *mergedWaivers
	conflicts  []TwinConflict
	ids        map[string]string   // id -> first file (the smallest path)
	dups       map[string][]string // id -> every file, for ids used more than once
	others     []Other
	otherKinds map[string]int
	errors     []gate.Problem
}

func newAcc(period string, facts Facts) *acc {
	return &acc{
		period:     period,
		facts:      facts,
		ruleShares: facts.ruleShares(),
		rules:      map[string]*RuleStat{},
		kinds:      map[string]*KindStat{},
		periods:    map[string]*periodAcc{},
		bands:      map[string]int{},
		ids:        map[string]string{},
		dups:       map[string][]string{},
		otherKinds: map[string]int{},
		approvers:  map[string]*ApproverStat{},
	}
}

func (a *acc) periodAt(key string) *periodAcc {
	p := a.periods[key]
	if p == nil {
		p = newPeriodAcc()
		a.periods[key] = p
	}
	return p
}

// addJudged counts one judged unit.
func (a *acc) addJudged(j gate.Judged, files int) {
	a.count.Files += files
	if j.Skipped {
		a.count.OtherReports++
		a.others = append(a.others, Other{File: j.Unit.Path, Twin: j.Unit.Twin, Kind: j.Kind})
		a.otherKinds[j.Kind]++
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

	// Rules: each finding, and each report once per rule; the shares its
	// findings count the report toward.
	shares := map[string]bool{}
	var ruleIDs, approvers, waivedDeny []string
	for _, f := range rep.Findings {
		rs := a.rules[f.Rule]
		if rs == nil {
			rs = &RuleStat{Rule: strings.Clone(f.Rule), Level: f.Level.String(), Title: strings.Clone(f.Title)}
			a.rules[f.Rule] = rs
		}
		rs.Findings++
		if w := f.Waived; w != nil {
			rs.Waived++
			if a.facts.has(ShareWaived) {
				shares[ShareWaived] = true
			}
			as := a.approvers[w.ApprovedBy]
			if as == nil {
				as = &ApproverStat{ApprovedBy: strings.Clone(w.ApprovedBy)}
				a.approvers[w.ApprovedBy] = as
			}
			as.Findings++
			if !slices.Contains(approvers, w.ApprovedBy) {
				approvers = append(approvers, w.ApprovedBy)
				as.Reports++
			}
			if f.Level == policy.Deny && !slices.Contains(waivedDeny, f.Rule) {
				waivedDeny = append(waivedDeny, f.Rule)
			}
		}
		if !slices.Contains(ruleIDs, f.Rule) {
			ruleIDs = append(ruleIDs, f.Rule)
			rs.Reports++
		}
		for _, s := range a.ruleShares[f.Rule] {
			shares[s] = true
		}
	}
	var when time.Time
	if r := j.Read; r != nil {
		if r.Has(proposal.FieldTimestamp) {
			when = r.Time
		}
		if len(a.facts.IrreversibleTerms) > 0 && r.Has(proposal.FieldProposal) && containsAny(r.Proposal, a.facts.IrreversibleTerms) {
			shares[ShareIrreversible] = true
		}
		if len(r.Conflicts) > 0 && r.Twin != nil {
			tc := TwinConflict{File: rep.File, Twin: r.Twin.File}
			for _, c := range r.Conflicts {
				tc.Fields = append(tc.Fields, c.Field)
			}
			a.conflicts = append(a.conflicts, tc)
		}
	}
	p := a.periodAt(periodOf(when, a.period))
	if s := a.facts.Scale; s != nil {
		band := s.bandOf(rep.Severity)
		a.bands[band]++
		p.severity[band]++
	}

	kind := rep.Kind
	ks := a.kinds[kind]
	if ks == nil {
		kind = strings.Clone(kind)
		ks = &KindStat{Kind: kind}
		a.kinds[kind] = ks
	}
	ks.Reports++
	ks.add(rep.Verdict, 1)

	p.reports++
	p.verdicts.add(rep.Verdict, 1)
	for s := range shares {
		p.shares[s]++
	}

	a.waivers.Add(*rep)
	if len(waivedDeny) > 0 && rep.Verdict != gate.Block && rep.Verdict != gate.Error {
		slices.Sort(waivedDeny)
		a.waivedBlk = append(a.waivedBlk, Blocking{
			File: rep.File, Twin: rep.Twin, ID: strings.Clone(rep.ID), Severity: rep.Severity, Kind: strings.Clone(rep.Kind), Rules: waivedDeny,
		})
	}
	if rep.Verdict == gate.Block {
		var blockers []string
		for _, f := range rep.Findings {
			if f.Level == policy.Deny && f.Waived == nil && !slices.Contains(blockers, f.Rule) {
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

// containsAny reports whether text contains one of the lower-case terms
// once lowered, exactly as the policies read it (contains(lower(text), t)).
func containsAny(text string, terms []string) bool {
	lower := strings.ToLower(text)
	for _, t := range terms {
		if strings.Contains(lower, t) {
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
	a.count.OtherReports += c.OtherReports
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
		cur.Waived += rs.Waived
	}
	for _, as := range r.WaivedByApprover {
		cur := a.approvers[as.ApprovedBy]
		if cur == nil {
			cp := as
			a.approvers[as.ApprovedBy] = &cp
			continue
		}
		cur.Findings += as.Findings
		cur.Reports += as.Reports
	}
	a.waivedBlk = append(a.waivedBlk, r.WaivedBlocking...)
	a.mergeWaivers(r.Waivers)
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
		a.periodAt(p.Period).merge(&periodAcc{reports: p.Reports, verdicts: p.Verdicts, shares: p.Shares, severity: p.Severity})
	}
	a.blocking = append(a.blocking, r.Blocking...)
	a.conflicts = append(a.conflicts, r.TwinConflicts...)
	a.others = append(a.others, r.Others...)
	for _, k := range r.OtherKinds {
		a.otherKinds[k.Kind] += k.Reports
	}
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

// result builds the sweep's result from the counts: shares, trends,
// alerts, what is new since the baseline and the notices derived, every
// list sorted. A shard's result (shard not nil) keeps the id index that
// merge needs, and leaves what is new to the merge.
func (a *acc) result(s Settings, by gate.DecidedBy, base *Baseline, shard *Shard) *Result {
	r := &Result{
		Schema:           Schema,
		DecidedBy:        by,
		Settings:         s,
		Facts:            a.facts,
		Count:            a.count,
		Baseline:         base,
		Blocking:         nonNil(a.blocking),
		WaivedBlocking:   a.waivedBlk,
		Waivers:          a.waiverUses(),
		TwinConflicts:    nonNil(a.conflicts),
		Others:           nonNil(a.others),
		Errors:           nonNil(a.errors),
		DuplicateIDs:     []DuplicateID{},
		NewBlocking:      []Blocking{},
		NoLongerBlocking: []string{},
		OtherKinds:       []KindCount{},
	}
	r.Facts.Shares = nonNil(r.Facts.Shares)
	r.Settings.Paths = nonNil(r.Settings.Paths)
	r.Settings.Include = nonNil(r.Settings.Include)
	r.Settings.Exclude = nonNil(r.Settings.Exclude)
	r.Count.Errors = len(r.Errors)
	for _, id := range slices.Sorted(maps.Keys(a.dups)) {
		files := slices.Clone(a.dups[id])
		slices.Sort(files)
		r.DuplicateIDs = append(r.DuplicateIDs, DuplicateID{ID: id, Files: files})
	}
	for _, k := range slices.Sorted(maps.Keys(a.otherKinds)) {
		r.OtherKinds = append(r.OtherKinds, KindCount{Kind: k, Reports: a.otherKinds[k]})
	}
	if shard != nil {
		sh := *shard
		r.Shard = &sh
		r.IDs = maps.Clone(a.ids)
	}
	r.sortLists()

	for _, name := range a.facts.bandNames() {
		if n := a.bands[name]; n > 0 {
			r.Severity = append(r.Severity, Band{Band: name, Reports: n, Percent: percent(n, r.Count.Reports)})
		}
	}
	r.Severity = nonNil(r.Severity)
	for _, id := range slices.Sorted(maps.Keys(a.rules)) {
		r.Rules = append(r.Rules, *a.rules[id])
	}
	for _, who := range slices.Sorted(maps.Keys(a.approvers)) {
		r.WaivedByApprover = append(r.WaivedByApprover, *a.approvers[who])
	}
	r.Rules = nonNil(r.Rules)
	for _, k := range slices.Sorted(maps.Keys(a.kinds)) {
		r.Kinds = append(r.Kinds, *a.kinds[k])
	}
	r.Kinds = nonNil(r.Kinds)

	total := newPeriodAcc()
	for _, key := range slices.Sorted(maps.Keys(a.periods)) {
		p := a.periods[key]
		total.merge(p)
		r.Periods = append(r.Periods, Period{
			Period: key, Reports: p.reports, Verdicts: p.verdicts,
			Shares: fillKeys(p.shares, a.facts.counted()), Severity: fillKeys(p.severity, a.facts.bandNames()),
			Measures:   a.facts.measuresOf(p),
			Incomplete: a.facts.incomplete(key, s.Period, by.Now),
		})
	}
	r.Periods = nonNil(r.Periods)
	r.Measures = a.facts.measuresOf(total)

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
	if shard == nil {
		r.compareBlocking()
	}
	r.Notices = r.notices()
	r.Clean = r.Verdict != gate.Error && r.Count.Block == 0 && len(r.Alerts) == 0
	return r
}

// fillKeys returns m with exactly the names as keys (zero when absent),
// so that the JSON form always has the same keys.
func fillKeys(m map[string]int, names []string) map[string]int {
	out := make(map[string]int, len(names))
	for _, n := range names {
		out[n] = m[n]
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

// measuresOf derives the shares of one period, or of the whole sweep, in
// the order of the facts' shares.
func (f *Facts) measuresOf(p *periodAcc) []Measure {
	out := make([]Measure, 0, len(f.Shares))
	for _, d := range f.Shares {
		var k int
		switch d.From {
		case fromVerdict:
			if d.Name == ShareBlock {
				k = p.verdicts.Block
			} else {
				k = p.verdicts.Review
			}
		case fromSeverity:
			k = p.severity[bandReview] + p.severity[bandBlock]
		default:
			k = p.shares[d.Name]
		}
		out = append(out, Measure{Name: d.Name, Reports: k, Of: p.reports, Percent: percent(k, p.reports)})
	}
	return out
}

// incomplete names the shares a period is too young for at now: those
// whose reports must be MinAgeDays old, when the period ended less than
// that long before now.
func (f *Facts) incomplete(label, period string, now time.Time) []string {
	_, end, ok := periodSpan(label, period)
	if !ok {
		return nil
	}
	var out []string
	for _, d := range f.Shares {
		if d.MinAgeDays > 0 && end.Add(time.Duration(d.MinAgeDays*24*float64(time.Hour))).After(now) {
			out = append(out, d.Name)
		}
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

// compareBlocking lists what blocks now and did not in the baseline, and
// what blocked then and does not now. Without a baseline, or one whose
// blocking reports were left out, there is nothing to say.
func (r *Result) compareBlocking() {
	b := r.Baseline
	if b == nil || b.BlockingOmitted > 0 {
		return
	}
	now := map[string]bool{}
	for _, x := range r.Blocking {
		now[x.File] = true
		if _, found := slices.BinarySearch(b.Blocking, x.File); !found {
			r.NewBlocking = append(r.NewBlocking, x)
		}
	}
	for _, f := range b.Blocking {
		if !now[f] {
			r.NoLongerBlocking = append(r.NoLongerBlocking, f)
		}
	}
}

// notices derives what a reader should know of how the sweep was made.
func (r *Result) notices() []string {
	out := r.Facts.notices()
	s := r.Settings
	if s.BaselineMissing {
		out = append(out, fmt.Sprintf("no baseline yet (%s): this is the first sweep, compared with nothing; its result is the next sweep's baseline, and until then every blocking report counts as new", s.BaselineFrom))
	}
	b := r.Baseline
	if b == nil {
		return nonNil(out)
	}
	if b.Digest != r.DecidedBy.PolicyDigest {
		out = append(out, fmt.Sprintf("the baseline of %s was judged with other policies or configuration (%s; now %s): a move against it may come from them, not from the reports",
			b.Now, shortDigest(b.Digest), shortDigest(r.DecidedBy.PolicyDigest)))
	}
	if !slices.Equal(b.Paths, r.Settings.Paths) {
		out = append(out, fmt.Sprintf("the baseline swept %s, this sweep %s: the reports compared are not the same set",
			strings.Join(b.Paths, ", "), strings.Join(r.Settings.Paths, ", ")))
	}
	var missing []string
	for _, m := range r.Measures {
		if _, ok := measureByName(b.Measures, m.Name); !ok {
			missing = append(missing, r.Facts.Label(m.Name))
		}
	}
	if len(missing) > 0 {
		out = append(out, "the baseline has no "+strings.Join(missing, ", ")+" share: not compared")
	}
	if b.BlockingOmitted > 0 {
		out = append(out, fmt.Sprintf("the baseline's %s were not kept with it (too many for a tracking issue): no report is said new or no longer blocking, and every blocking report counts as new; keep the JSON result as the baseline instead (--baseline FILE)",
			count(b.BlockingOmitted, "blocking report")))
	}
	if b.Reports == 0 {
		out = append(out, "the baseline has no reports: no share is compared with it")
	}
	return nonNil(out)
}

// shortDigest shortens a policy digest for a sentence.
func shortDigest(d string) string {
	if len(d) > 19 {
		return d[:19] + "…"
	}
	return d
}

// merged are the waivers' uses read from shard results, summed.
type mergedWaivers struct {
	order []string
	uses  map[string]*gate.WaiverUse
}

// mergeWaivers adds a shard's waiver uses: the same waivers, their counts
// summed; a waiver is expired in every shard or none, unused only when no
// shard used it, expiring when any shard says so.
func (a *acc) mergeWaivers(us []gate.WaiverUse) {
	if len(us) == 0 {
		return
	}
	if a.merged == nil {
		a.merged = &mergedWaivers{uses: map[string]*gate.WaiverUse{}}
	}
	m := a.merged
	for _, u := range us {
		cur := m.uses[u.Source]
		if cur == nil {
			cp := u
			m.uses[u.Source] = &cp
			m.order = append(m.order, u.Source)
			continue
		}
		cur.WaivedFindings += u.WaivedFindings
		cur.WaivedReports += u.WaivedReports
		switch {
		case cur.Status == "expired" || u.Status == "expired":
			cur.Status = "expired"
		case cur.Status == "expiring" || u.Status == "expiring":
			cur.Status = "expiring"
		case cur.WaivedFindings > 0:
			cur.Status = "in use"
		}
	}
}

// waiverUses are the waivers' uses: counted by this sweep, or merged from
// its shards.
func (a *acc) waiverUses() []gate.WaiverUse {
	if a.merged != nil {
		out := make([]gate.WaiverUse, 0, len(a.merged.order))
		for _, src := range a.merged.order {
			out = append(out, *a.merged.uses[src])
		}
		return out
	}
	return a.waivers.Uses()
}
