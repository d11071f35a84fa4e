package gate

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/fsar-gate/fsar/internal/config"
	"github.com/fsar-gate/fsar/internal/ghref"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// ExpiringWithin is how soon before its end a waiver in use is said to
// expire (a waiver-expiring finding).
const ExpiringWithin = 14 * 24 * time.Hour

// The rules of the findings fsar adds for waivers.
const (
	RuleWaiverExpired  = "waiver-expired"
	RuleWaiverExpiring = "waiver-expiring"
)

// Waivers are the waivers a run applies, at its evaluation time.
type Waivers struct {
	List []config.Waiver
	Now  time.Time
	// RepoPath gives a report file's repository path, which the waivers'
	// globs match; the path as given (when relative) when nil.
	RepoPath func(file string) string
	// Changed, on a pull request, tells whether it adds or changes a
	// report (its file or its twin): no waiver applies to such a report.
	// A waiver is a reviewed decision about a report as it is on the base
	// branch; a report a pull request brings could copy a waived report's
	// id or land in a waived folder. nil outside a pull request.
	Changed func(file, twin string) bool
}

// RuleWaiverNotApplied is the rule of the finding that says a waiver
// would have matched a report that the pull request adds or changes.
const RuleWaiverNotApplied = "waiver-not-applied"

// Waived is the waiver that accepted a finding: it is shown, but does
// not count toward the verdict.
type Waived struct {
	Reason     string `json:"reason"`
	ApprovedBy string `json:"approved_by"`
	Expires    string `json:"expires"`
	Ticket     string `json:"ticket,omitempty"`
	// Source is where the waiver is written, file:line.
	Source string `json:"source"`
}

func waivedBy(w *config.Waiver) *Waived {
	return &Waived{Reason: w.Reason, ApprovedBy: w.ApprovedBy, Expires: w.Expires, Ticket: w.Ticket, Source: w.Source}
}

// covers tells whether the waiver names the report: by its id, or by a
// glob of its repository path or its twin's.
func (ws *Waivers) covers(w *config.Waiver, rep *Report) bool {
	paths := []string{ws.repoPath(rep.File)}
	if rep.Twin != "" {
		paths = append(paths, ws.repoPath(rep.Twin))
	}
	for _, r := range w.Reports {
		if rep.ID != "" && r == rep.ID {
			return true
		}
		for _, p := range paths {
			if p != "" && proposal.MatchGlob(r, p) {
				return true
			}
		}
	}
	return false
}

// repoPath is the path a waiver's globs match: the file's repository
// path, or, for a file outside the repository, the path as given (which
// a name pattern, without a slash, still matches).
func (ws *Waivers) repoPath(file string) string {
	if ws.RepoPath != nil {
		if p := ws.RepoPath(file); p != "" {
			return p
		}
	}
	if p := ghref.RepoPath(file, "", ""); p != "" {
		return p
	}
	return filepath.ToSlash(filepath.Clean(file))
}

// apply marks the findings of rep that a holding waiver accepts (the
// first, in file order), and adds a warn finding for each waiver of its
// findings that has expired, or is in use and expires within
// ExpiringWithin.
func (ws *Waivers) apply(rep *Report) {
	if ws == nil || len(ws.List) == 0 {
		return
	}
	changed := ws.Changed != nil && ws.Changed(rep.File, rep.Twin)
	var expired, expiring, notApplied []int // waiver indexes, once each
	for i := range rep.Findings {
		f := &rep.Findings[i]
		for j := range ws.List {
			w := &ws.List[j]
			if w.Rule != f.Rule || !ws.covers(w, rep) {
				continue
			}
			if changed {
				if !slices.Contains(notApplied, j) {
					notApplied = append(notApplied, j)
				}
				break
			}
			if !w.HoldsAt(ws.Now) {
				if !slices.Contains(expired, j) {
					expired = append(expired, j)
				}
				continue
			}
			f.Waived = waivedBy(w)
			if w.Until().Sub(ws.Now) <= ExpiringWithin && !slices.Contains(expiring, j) {
				expiring = append(expiring, j)
			}
			break
		}
	}
	for _, j := range expired {
		w := &ws.List[j]
		if waivedFor(rep, w.Rule) {
			continue // another waiver holds
		}
		rep.Findings = append(rep.Findings, ws.finding(w, RuleWaiverExpired, "Waiver expired",
			fmt.Sprintf("the waiver of %s for this report (approved by %s: %s) expired on %s: its findings count again", w.Rule, w.ApprovedBy, w.Reason, w.Expires),
			"Fix the report, or renew the waiver with a new expiry, reason and approval."))
	}
	for _, j := range notApplied {
		w := &ws.List[j]
		rep.Findings = append(rep.Findings, ws.finding(w, RuleWaiverNotApplied, "Waiver not applied to a changed report",
			fmt.Sprintf("the waiver of %s (approved by %s) names this report, but this pull request adds or changes it, so no waiver applies: a waiver accepts a report as it is on the base branch", w.Rule, w.ApprovedBy),
			"Have the report reviewed as it is now (a review verdict can be approved with the label), or merge it first and waive it in a change of its own."))
	}
	for _, j := range expiring {
		w := &ws.List[j]
		rep.Findings = append(rep.Findings, ws.finding(w, RuleWaiverExpiring, "Waiver expiring",
			fmt.Sprintf("the waiver of %s for this report (approved by %s) holds until %s, %s: then its findings count again", w.Rule, w.ApprovedBy, w.Expires, daysLeft(w, ws.Now)),
			"Fix the report before the waiver ends, or renew it with a new expiry, reason and approval."))
	}
}

func waivedFor(rep *Report, rule string) bool {
	for _, f := range rep.Findings {
		if f.Rule == rule && f.Waived != nil {
			return true
		}
	}
	return false
}

// finding is a warn finding about waiver w, placed at the waiver.
func (ws *Waivers) finding(w *config.Waiver, rule, title, msg, remediation string) Finding {
	p := w.Position()
	return Finding{Level: policy.Warn, Rule: rule, Title: title, Message: msg, Remediation: remediation, Package: "fsar",
		Location: Location{File: filepath.FromSlash(p.File), Line: p.Line, Column: p.Column}}
}

// WaiverUse is a waiver as a run used it.
type WaiverUse struct {
	config.Waiver
	// Status is "in use", "expiring" (in use, and ends within
	// ExpiringWithin), "expired" or "unused" (it holds but matched no
	// finding of the run).
	Status string `json:"status"`
	// WaivedFindings and WaivedReports count what it waived in this run.
	WaivedFindings int `json:"waived_findings"`
	WaivedReports  int `json:"waived_reports"`
}

// Uses says how the run's reports used each waiver, in file order.
func (ws *Waivers) Uses(reports []Report) []WaiverUse {
	t := ws.Tally()
	for _, r := range reports {
		t.Add(r)
	}
	return t.Uses()
}

// WaiverTally counts, report by report, what each waiver waived: a run
// that does not keep its reports (streamed text) still says how each
// waiver was used.
type WaiverTally struct {
	ws       *Waivers
	uses     []WaiverUse
	bySource map[string]*WaiverUse
}

// Tally starts counting; nil without waivers (Add and Uses then do
// nothing).
func (ws *Waivers) Tally() *WaiverTally {
	if ws == nil || len(ws.List) == 0 {
		return nil
	}
	t := &WaiverTally{ws: ws, uses: make([]WaiverUse, len(ws.List)), bySource: map[string]*WaiverUse{}}
	for i := range ws.List {
		t.uses[i] = WaiverUse{Waiver: ws.List[i]}
		t.bySource[ws.List[i].Source] = &t.uses[i]
	}
	return t
}

// Add counts one judged report.
func (t *WaiverTally) Add(r Report) {
	if t == nil {
		return
	}
	seen := map[string]bool{}
	for _, f := range r.Findings {
		if f.Waived == nil {
			continue
		}
		if u := t.bySource[f.Waived.Source]; u != nil {
			u.WaivedFindings++
			if !seen[f.Waived.Source] {
				seen[f.Waived.Source] = true
				u.WaivedReports++
			}
		}
	}
}

// Uses are the waivers with their use and status, in file order.
func (t *WaiverTally) Uses() []WaiverUse {
	if t == nil {
		return nil
	}
	out := t.uses
	for i := range out {
		u := &out[i]
		switch {
		case !u.HoldsAt(t.ws.Now):
			u.Status = "expired"
		case u.WaivedFindings == 0:
			u.Status = "unused"
		case u.Until().Sub(t.ws.Now) <= ExpiringWithin:
			u.Status = "expiring"
		default:
			u.Status = "in use"
		}
	}
	return out
}

// daysLeft says when a waiver's last day is, from today (UTC).
func daysLeft(w *config.Waiver, now time.Time) string {
	today := now.UTC().Truncate(24 * time.Hour)
	switch n := int(w.Until().AddDate(0, 0, -1).Sub(today).Hours() / 24); n {
	case 0:
		return "its last day is today"
	case 1:
		return "its last day is tomorrow"
	default:
		return fmt.Sprintf("its last day is in %d days", n)
	}
}
