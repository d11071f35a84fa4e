package sweep

import (
	"cmp"
	"slices"

	"github.com/fsar-gate/fsar/internal/gate"
)

// Schema names the version of the sweep result's JSON form.
const Schema = "fsar.sweep/v1"

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
	Count     Count          `json:"count"`
	// Measures are the shares over the whole sweep.
	Measures []Measure  `json:"measures"`
	Severity []Band     `json:"severity"`
	Rules    []RuleStat `json:"rules"`
	Kinds    []KindStat `json:"kinds"`
	Periods  []Period   `json:"periods"`
	Baseline *Baseline  `json:"baseline,omitempty"`
	Alerts   []Alert    `json:"alerts"`
	// Blocking lists the reports whose verdict is block, by file.
	Blocking      []Blocking     `json:"blocking"`
	TwinConflicts []TwinConflict `json:"twin_conflicts"`
	DuplicateIDs  []DuplicateID  `json:"duplicate_ids"`
	// NotReports lists the files found that are not FSAR reports (drift
	// reports, READMEs): counted, never failures.
	NotReports []string `json:"not_reports"`
	// Errors are the read, walk and evaluation errors, by file.
	Errors []gate.Problem `json:"errors"`

	// Shard is set in the result of one shard of a split sweep; IDs then
	// maps every report id the shard saw to its first file, so that merge
	// can find ids used in more than one shard.
	Shard *Shard            `json:"shard,omitempty"`
	IDs   map[string]string `json:"ids,omitempty"`
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
	// MinReports is the fewest reports a period needs to take part in the
	// comparison of the last two periods.
	MinReports int `json:"min_reports"`
	// AllowEmpty makes a sweep that finds no report clean.
	AllowEmpty bool `json:"allow_empty"`
	// MaxBytes is the largest report file read (--max-size); 0 in results
	// of fsar versions that did not record it.
	MaxBytes int64 `json:"max_bytes"`
	// MaxItems is the most risks, mitigations and markers a report may
	// hold (--max-items); 0 in results of fsar versions that did not
	// record it.
	MaxItems int `json:"max_items"`
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
	Twins      int `json:"twins"`
	NotReports int `json:"not_reports"`
	Pass       int `json:"pass"`
	Warn       int `json:"warn"`
	Review     int `json:"review"`
	Block      int `json:"block"`
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
	Period   string         `json:"period"`
	Reports  int            `json:"reports"`
	Verdicts Verdicts       `json:"verdicts"`
	Flags    map[string]int `json:"flags"`
	Severity map[string]int `json:"severity"`
	// Measures are derived from the counts above.
	Measures []Measure `json:"measures"`
}

// Baseline is the summary of an earlier sweep that this one is compared
// with.
type Baseline struct {
	Now      string    `json:"now"`
	Digest   string    `json:"policy_digest"`
	Reports  int       `json:"reports"`
	Measures []Measure `json:"measures"`
}

// Alert is a share that moved by more than the threshold.
type Alert struct {
	// Name is set for the moves the FSAR spec names: "trust inflation"
	// (canned analyses rising), "incentive drift" (severity falling while
	// texts speak of irreversible change).
	Name    string `json:"name,omitempty"`
	Measure string `json:"measure"`
	// Against is "period" (the last two periods) or "baseline".
	Against     string  `json:"against"`
	From        string  `json:"from"`
	To          string  `json:"to"`
	FromReports int     `json:"from_reports"`
	FromOf      int     `json:"from_of"`
	FromPercent float64 `json:"from_percent"`
	ToReports   int     `json:"to_reports"`
	ToOf        int     `json:"to_of"`
	ToPercent   float64 `json:"to_percent"`
	// Change is ToPercent - FromPercent, in percentage points.
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

// sortLists puts every list of the result in its canonical order.
func (r *Result) sortLists() {
	slices.SortFunc(r.Blocking, func(a, b Blocking) int { return cmp.Compare(a.File, b.File) })
	slices.SortFunc(r.TwinConflicts, func(a, b TwinConflict) int { return cmp.Compare(a.File, b.File) })
	slices.SortFunc(r.DuplicateIDs, func(a, b DuplicateID) int { return cmp.Compare(a.ID, b.ID) })
	slices.Sort(r.NotReports)
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
