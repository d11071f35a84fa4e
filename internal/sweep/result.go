package sweep

import (
	"cmp"
	"slices"
	"time"

	"github.com/fsar-gate/fsar/internal/gate"
)

// Schema names the version of the sweep result's JSON form. v2 follows
// the shares the policies declare, with windowed trends, the reports new
// since the baseline, and the reports of other kinds by kind.
const Schema = "fsar.sweep/v2"

// Result is one sweep: what was swept, how, and everything its outputs
// show. Its JSON form (Schema) is deterministic — lists sorted, the same
// bytes for the same input and evaluation time — and carries everything
// needed to merge shard results and to serve as the next sweep's baseline.
type Result struct {
	Schema    string         `json:"schema"`
	Verdict   gate.Verdict   `json:"verdict"`
	Clean     bool           `json:"clean"`
	DecidedBy gate.DecidedBy `json:"decided_by"`
	Settings  Settings       `json:"settings"`
	// Facts are what the policies declare for a sweep: the shares, the
	// severity scale, the words of irreversible change.
	Facts Facts `json:"policy_facts"`
	Count Count `json:"count"`
	// Measures are the shares over the whole sweep.
	Measures []Measure  `json:"measures"`
	Severity []Band     `json:"severity"`
	Rules    []RuleStat `json:"rules"`
	Kinds    []KindStat `json:"kinds"`
	Periods  []Period   `json:"periods"`
	Baseline *Baseline  `json:"baseline,omitempty"`
	Alerts   []Alert    `json:"alerts"`
	// NewBlocking are the blocking reports that did not block (or were
	// not there) in the baseline; NoLongerBlocking the baseline's
	// blocking reports that do not block now (or are gone). Both are
	// empty without a baseline that lists its blocking reports.
	NewBlocking      []Blocking `json:"new_blocking"`
	NoLongerBlocking []string   `json:"no_longer_blocking"`
	// Blocking lists the reports whose verdict is block, by file.
	Blocking []Blocking `json:"blocking"`
	// WaivedBlocking lists the reports that would block but for their
	// waivers, with the rules waived; WaivedByApprover counts the waived
	// findings by who approved them; Waivers are the configuration's
	// waivers and how the sweep used them (in use, expiring, expired,
	// unused).
	WaivedBlocking   []Blocking       `json:"waived_blocking,omitempty"`
	WaivedByApprover []ApproverStat   `json:"waived_by_approver,omitempty"`
	Waivers          []gate.WaiverUse `json:"waivers,omitempty"`
	TwinConflicts    []TwinConflict   `json:"twin_conflicts"`
	DuplicateIDs     []DuplicateID    `json:"duplicate_ids"`
	// Others lists the files that are not FSAR reports (drift reports,
	// quality regression reports, READMEs): counted by kind in OtherKinds,
	// never judged, never failures.
	Others     []Other     `json:"other_reports"`
	OtherKinds []KindCount `json:"other_kinds"`
	// Notices say what a reader should know of how the sweep was made:
	// what the policies do not declare, a baseline of other policies, a
	// first sweep without a baseline.
	Notices []string `json:"notices"`
	// Errors are the read, walk and evaluation errors, by file.
	Errors []gate.Problem `json:"errors"`

	// Shard is set in the result of one shard of a split sweep; IDs then
	// maps every report id the shard saw to its first file, so that merge
	// can find ids used in more than one shard.
	Shard *Shard            `json:"shard,omitempty"`
	IDs   map[string]string `json:"ids,omitempty"`

	// Links locate the reports on GitHub for the markdown and HTML
	// outputs; not part of the result's JSON.
	Links Links `json:"-"`
}

// Settings are the sweep's parameters that shape its result.
type Settings struct {
	Paths []string `json:"paths"`
	// Include and Exclude are the glob patterns files were chosen by.
	Include []string `json:"include"`
	Exclude []string `json:"exclude"`
	// Period is the length of a trend period: month, week or day.
	Period string `json:"period"`
	// AlertThreshold is the move of a share, in percentage points, above
	// which an alert fires.
	AlertThreshold float64 `json:"alert_threshold"`
	// Window is how many periods a share's trend is measured across;
	// Streak, how many periods in a row a share must move the bad way to
	// alert (0: never).
	Window int `json:"window"`
	Streak int `json:"streak"`
	// MinReports is the fewest reports a period needs to take part in the
	// trends.
	MinReports int `json:"min_reports"`
	// AllowEmpty makes a sweep that finds no report clean.
	AllowEmpty bool `json:"allow_empty"`
	// MaxBytes is the largest report file read (--max-size); MaxItems the
	// most risks, mitigations and markers a report may hold (--max-items).
	MaxBytes int64 `json:"max_bytes"`
	MaxItems int   `json:"max_items"`
	// BaselineFrom is where a baseline was asked for (a file's path, or
	// "issue"); BaselineMissing is set when there was none yet there: the
	// first sweep.
	BaselineFrom    string `json:"baseline_from,omitempty"`
	BaselineMissing bool   `json:"baseline_missing,omitempty"`
}

// Count sums up the sweep.
type Count struct {
	// Files are the report-type files (.md, .json, .yaml, .yml) found.
	Files int `json:"files"`
	// OtherFiles are files of other types in the folders swept: not read.
	OtherFiles int `json:"other_files"`
	// Reports are the reports read (twins count once), errors included.
	Reports int `json:"reports"`
	// Twins are the reports read from a markdown file and its JSON twin.
	Twins int `json:"twins"`
	// OtherReports are the documents found that are not FSAR reports
	// (twins count once).
	OtherReports int `json:"other_reports"`
	Pass         int `json:"pass"`
	Warn         int `json:"warn"`
	Review       int `json:"review"`
	Block        int `json:"block"`
	// Error counts the reports that could not be read or judged.
	Error int `json:"error"`
	// Errors counts every problem, including those not tied to a report.
	Errors int `json:"errors"`
}

// Verdicts counts reports by verdict.
type Verdicts struct {
	Pass   int `json:"pass"`
	Warn   int `json:"warn"`
	Review int `json:"review"`
	Block  int `json:"block"`
	Error  int `json:"error"`
}

func (v *Verdicts) add(verdict gate.Verdict, n int) {
	switch verdict {
	case gate.Pass:
		v.Pass += n
	case gate.Warn:
		v.Warn += n
	case gate.Review:
		v.Review += n
	case gate.Block:
		v.Block += n
	default:
		v.Error += n
	}
}

func (v *Verdicts) merge(o Verdicts) {
	v.Pass += o.Pass
	v.Warn += o.Warn
	v.Review += o.Review
	v.Block += o.Block
	v.Error += o.Error
}

// Measure is a share of reports over the whole sweep, or in one period.
type Measure struct {
	Name    string  `json:"name"`
	Reports int     `json:"reports"`
	Of      int     `json:"of"`
	Percent float64 `json:"percent"`
}

// Band is how many reports have a severity in one band.
type Band struct {
	Band    string  `json:"band"`
	Reports int     `json:"reports"`
	Percent float64 `json:"percent"`
}

// RuleStat is how often one rule fired.
type RuleStat struct {
	Rule  string `json:"rule"`
	Level string `json:"level"`
	Title string `json:"title,omitempty"`
	// Reports counts the reports with at least one finding of the rule;
	// Findings every finding.
	Reports  int `json:"reports"`
	Findings int `json:"findings"`
	// Waived counts the findings a waiver accepted (among Findings).
	Waived int `json:"waived,omitempty"`
}

// ApproverStat counts what one approver's waivers accepted.
type ApproverStat struct {
	ApprovedBy string `json:"approved_by"`
	Findings   int    `json:"findings"`
	Reports    int    `json:"reports"`
}

// KindStat counts the reports of one proposal kind by verdict.
type KindStat struct {
	Kind    string `json:"kind"`
	Reports int    `json:"reports"`
	Verdicts
}

// Period is one period of report time: its counts, from which its shares
// are derived.
type Period struct {
	Period   string   `json:"period"`
	Reports  int      `json:"reports"`
	Verdicts Verdicts `json:"verdicts"`
	// Shares counts the reports toward each share of rules or text (the
	// verdict and severity shares come from Verdicts and Severity).
	Shares map[string]int `json:"shares"`
	// Severity counts the reports by severity band (none without a scale).
	Severity map[string]int `json:"severity"`
	// Measures are derived from the counts above.
	Measures []Measure `json:"measures"`
	// Incomplete names the shares this period is too young for (its
	// reports are not yet as old as the share needs: ShareDef.MinAgeDays):
	// they are shown, marked, and left out of the trends.
	Incomplete []string `json:"incomplete,omitempty"`
}

// Baseline is the summary of an earlier sweep that this one is compared
// with: its shares, and its blocking reports, to say what is new.
type Baseline struct {
	Now      string    `json:"now"`
	Digest   string    `json:"policy_digest"`
	Paths    []string  `json:"paths"`
	Reports  int       `json:"reports"`
	Measures []Measure `json:"measures"`
	// Blocking are the files of its blocking reports, sorted.
	Blocking []string `json:"blocking"`
	// BlockingOmitted counts the blocking reports of a baseline kept where
	// their files did not fit (a tracking issue): Blocking is then empty,
	// and no report can be said new or no longer blocking.
	BlockingOmitted int `json:"blocking_omitted,omitempty"`
}

// Alert is a share that moved the bad way: across the trend window by
// more than the threshold ("trend"), in each of the last periods
// ("streak"), or against the baseline by more than the threshold
// ("baseline").
type Alert struct {
	// Name is set for the moves the FSAR spec names: "trust inflation"
	// (canned analyses rising), "incentive drift" (under-rated
	// irreversible proposals rising, or severity falling while texts
	// speak of irreversible change no less).
	Name  string `json:"name,omitempty"`
	Share string `json:"share"`
	// Rule is trend, streak or baseline.
	Rule string `json:"rule"`
	// Periods and Values are, for trend and streak, the periods measured
	// and the share in each, in percent.
	Periods []string  `json:"periods,omitempty"`
	Values  []float64 `json:"values,omitempty"`
	// From and To name the ends: the first and last period, or the
	// baseline and this sweep; their shares and, against the baseline,
	// their counts.
	From        string  `json:"from"`
	To          string  `json:"to"`
	FromPercent float64 `json:"from_percent"`
	ToPercent   float64 `json:"to_percent"`
	FromReports int     `json:"from_reports,omitempty"`
	FromOf      int     `json:"from_of,omitempty"`
	ToReports   int     `json:"to_reports,omitempty"`
	ToOf        int     `json:"to_of,omitempty"`
	// Change is the move in percentage points: the trend's change across
	// the window (Theil–Sen), the streak's from its first period to its
	// last, or this sweep's share less the baseline's.
	Change  float64 `json:"change"`
	Message string  `json:"message"`
}

// Blocking is a report whose verdict is block.
type Blocking struct {
	File     string   `json:"file"`
	Twin     string   `json:"twin,omitempty"`
	ID       string   `json:"id,omitempty"`
	Severity *float64 `json:"severity,omitempty"`
	Kind     string   `json:"kind,omitempty"`
	Rules    []string `json:"rules"`
}

// TwinConflict is a report whose markdown file and JSON twin disagree.
type TwinConflict struct {
	File   string   `json:"file"`
	Twin   string   `json:"twin"`
	Fields []string `json:"fields"`
}

// DuplicateID is an id used by more than one report.
type DuplicateID struct {
	ID    string   `json:"id"`
	Files []string `json:"files"`
}

// Other is a document found that is not an FSAR report, and the kind of
// report it is when it says ("drift", "quality_regression"; "" when not).
type Other struct {
	File string `json:"file"`
	Twin string `json:"twin,omitempty"`
	Kind string `json:"kind,omitempty"`
}

// KindCount is how many documents of one other kind were found ("" for
// those that do not say).
type KindCount struct {
	Kind    string `json:"kind"`
	Reports int    `json:"reports"`
}

// sortLists puts every list of the result in its canonical order.
func (r *Result) sortLists() {
	slices.SortFunc(r.Blocking, func(a, b Blocking) int { return cmp.Compare(a.File, b.File) })
	slices.SortFunc(r.WaivedBlocking, func(a, b Blocking) int { return cmp.Compare(a.File, b.File) })
	slices.SortFunc(r.TwinConflicts, func(a, b TwinConflict) int { return cmp.Compare(a.File, b.File) })
	slices.SortFunc(r.DuplicateIDs, func(a, b DuplicateID) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(r.NewBlocking, func(a, b Blocking) int { return cmp.Compare(a.File, b.File) })
	slices.Sort(r.NoLongerBlocking)
	slices.SortFunc(r.Others, func(a, b Other) int { return cmp.Compare(a.File, b.File) })
	slices.SortFunc(r.Errors, compareProblems)
}

func compareProblems(a, b gate.Problem) int {
	return cmp.Or(
		cmp.Compare(a.Location.File, b.Location.File),
		cmp.Compare(a.Location.Line, b.Location.Line),
		cmp.Compare(a.Location.Column, b.Location.Column),
		cmp.Compare(a.Message, b.Message),
	)
}

// WaiverHorizon is how far ahead a sweep lists the waivers that end.
const WaiverHorizon = 30 * 24 * time.Hour

// WaiversToReview are the waivers someone should look at, in file order:
// those that have ended, whose last day is within d of the sweep's
// evaluation time, or that matched no finding (unused: stale, or
// misspelt).
func (r *Result) WaiversToReview(d time.Duration) []gate.WaiverUse {
	var out []gate.WaiverUse
	for _, u := range r.Waivers {
		day, err := time.Parse(time.DateOnly, u.Expires)
		if err != nil || u.Status == "expired" || u.Status == "unused" || day.AddDate(0, 0, 1).Sub(r.DecidedBy.Now) <= d {
			out = append(out, u)
		}
	}
	return out
}
