package sweep

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
)

// Shares a sweep follows. Two come from the verdicts and are always
// there; the others come from the policies (see Learn): a rule's METADATA
// says which share its findings count a report toward (custom.share), and
// data.fsar.lib.sweep gives the severity scale (for the share of reports
// at or above the review threshold) and the words that make a text speak
// of irreversible change. Adding a share of another source (reports with
// a waived finding, say) is one more name in fixedShares, one more entry
// in Learn and one more line in acc.addJudged, where a report counts
// toward it; everything else (per-period counts, measures, trends,
// alerts, charts, checks of a result read back) follows the facts.
const (
	ShareBlock        = "block"
	ShareReview       = "review"
	ShareHighSeverity = "high_severity"
	ShareIrreversible = "irreversible_text"
	// ShareWaived counts the reports with a waived finding: a share that
	// keeps rising is findings accepted instead of fixed.
	ShareWaived = "waived"

	// Shares the default policies declare, which fsar names for people
	// and whose rise the FSAR spec names.
	shareCanned     = "canned"
	shareStale      = "stale"
	shareUnderRated = "under_rated_irreversible"
)

// Where a share's count comes from.
const (
	fromVerdict  = "verdict"  // the report's verdict
	fromRules    = "rules"    // a finding of one of Rules
	fromSeverity = "severity" // a severity at or above the review threshold
	fromText     = "text"     // the proposal names an irreversible-change term
	fromWaived   = "waived"   // a finding accepted by a waiver
)

// fixedShares are fsar's own shares, by where each comes from; every
// other share comes from rules.
var fixedShares = map[string]string{
	ShareBlock: fromVerdict, ShareReview: fromVerdict, ShareHighSeverity: fromSeverity, ShareIrreversible: fromText,
	ShareWaived: fromWaived,
}

// Directions in which a share's move is bad, and alerts.
const (
	badRise = "rise"
	badFall = "fall"
)

// Names of the alerts the FSAR spec asks for.
const (
	TrustInflation = "trust inflation"
	IncentiveDrift = "incentive drift"
	// WaiverCreep: ever more reports pass by waivers, not by being fixed.
	WaiverCreep = "waiver creep"
)

// ShareDef says what one share counts, and when its move is an alert.
type ShareDef struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	// From is where the count comes from: verdict, rules, severity or
	// text.
	From string `json:"from"`
	// Rules are, for a share from rules, the rules whose findings count a
	// report toward it (custom.share).
	Rules []string `json:"rules,omitempty"`
	// Bad is the direction in which a move is bad, rise or fall: only such
	// moves alert. Empty for a share that is shown but never alerts on its
	// own (irreversible_text, which incentive drift reads).
	Bad string `json:"bad,omitempty"`
	// MinAgeDays is how old a period's reports must be for the share to
	// mean anything (stale: max_age_days): a younger period is incomplete
	// for it, and left out of its trends.
	MinAgeDays float64 `json:"min_age_days,omitempty"`
	// Alert names the alert a bad move of the share is, when the FSAR spec
	// names it.
	Alert string `json:"alert,omitempty"`
}

// Scale is the severity scale and the thresholds that cut it into bands.
type Scale struct {
	Min    float64 `json:"min"`
	Review float64 `json:"review"`
	Block  float64 `json:"block"`
	Max    float64 `json:"max"`
}

// Facts is what a sweep knows of the policies that judged it: the shares
// it follows, the severity scale, and the words of irreversible change.
type Facts struct {
	Shares            []ShareDef `json:"shares"`
	Scale             *Scale     `json:"severity_scale,omitempty"`
	IrreversibleTerms []string   `json:"irreversible_terms,omitempty"`
}

// SweepDocument is the data document of the policies a sweep reads.
const SweepDocument = "data.fsar.lib.sweep"

// knowing is an evaluator that can say what its policies declare
// (*policy.Engine).
type knowing interface {
	Rules() []policy.Rule
	Document(ctx context.Context, path string) (any, bool, error)
}

var _ knowing = (*policy.Engine)(nil)

// shareLabels name fsar's own shares and the default policies' for
// people; another share is named by its name.
var shareLabels = map[string]string{
	ShareBlock:        "blocked",
	ShareReview:       "review",
	ShareIrreversible: "irreversible in text",
	ShareWaived:       "waived",
	shareCanned:       "canned analysis",
	shareStale:        "stale",
	shareUnderRated:   "under-rated irreversible",
}

// shareOrder puts the default policies' shares first, in this order.
var shareOrder = []string{shareCanned, shareStale, shareUnderRated}

// Learn reads what the policies of ev declare for a sweep: the shares of
// their rules' METADATA, and data.fsar.lib.sweep (see policies/README.md).
// An evaluator that cannot say (a test's) declares nothing: the sweep
// follows the verdict shares only. A document of the wrong shape is an
// error naming what is wrong.
func Learn(ctx context.Context, ev gate.Evaluator) (Facts, error) {
	f := Facts{Shares: []ShareDef{
		{Name: ShareBlock, Label: shareLabels[ShareBlock], From: fromVerdict, Bad: badRise},
		{Name: ShareReview, Label: shareLabels[ShareReview], From: fromVerdict, Bad: badRise},
	}}
	k, ok := ev.(knowing)
	if !ok {
		return f, nil
	}
	byShare := map[string][]string{}
	for _, r := range k.Rules() {
		if r.Share != "" {
			byShare[r.Share] = append(byShare[r.Share], r.ID)
		}
	}
	names := slices.SortedFunc(maps.Keys(byShare), func(a, b string) int {
		ia, ib := slices.Index(shareOrder, a), slices.Index(shareOrder, b)
		if ia < 0 {
			ia = len(shareOrder)
		}
		if ib < 0 {
			ib = len(shareOrder)
		}
		return cmp.Or(cmp.Compare(ia, ib), strings.Compare(a, b))
	})
	for _, name := range names {
		if _, fixed := fixedShares[name]; fixed {
			return f, fmt.Errorf("custom.share %q of rule %s: the name of one of fsar's own shares", name, byShare[name][0])
		}
		d := ShareDef{Name: name, Label: labelOf(name), From: fromRules, Rules: byShare[name], Bad: badRise}
		switch name {
		case shareCanned:
			d.Alert = TrustInflation
		case shareUnderRated:
			d.Alert = IncentiveDrift
		}
		f.Shares = append(f.Shares, d)
	}
	doc, ok, err := k.Document(ctx, SweepDocument)
	if err != nil || !ok {
		return f, err
	}
	if err := f.read(doc); err != nil {
		return f, fmt.Errorf("%s: %w", SweepDocument, err)
	}
	return f, nil
}

func labelOf(name string) string {
	if l, ok := shareLabels[name]; ok {
		return l
	}
	return strings.ReplaceAll(name, "_", " ")
}

// Bounds of what data.fsar.lib.sweep may hold.
const (
	maxTerms   = 100
	maxTermLen = 100
)

// read takes the sweep document: its severity scale, irreversible terms
// and minimum ages, each checked.
func (f *Facts) read(doc any) error {
	m, ok := doc.(map[string]any)
	if !ok {
		return fmt.Errorf("expected an object, found %s", jsonKind(doc))
	}
	if v, ok := m["severity_scale"]; ok {
		s, err := readScale(v)
		if err != nil {
			return fmt.Errorf("severity_scale: %w", err)
		}
		f.Scale = s
		f.Shares = append(f.Shares, ShareDef{
			Name: ShareHighSeverity, Label: "severity " + fmtNum(s.Review) + "+", From: fromSeverity, Bad: badFall,
			Alert: IncentiveDrift,
		})
	}
	if v, ok := m["irreversible_terms"]; ok {
		terms, err := readTerms(v)
		if err != nil {
			return fmt.Errorf("irreversible_terms: %w", err)
		}
		f.IrreversibleTerms = terms
		if len(terms) > 0 {
			f.Shares = append(f.Shares, ShareDef{Name: ShareIrreversible, Label: shareLabels[ShareIrreversible], From: fromText})
		}
	}
	if v, ok := m["min_age_days"]; ok {
		ages, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("min_age_days: expected an object of share names to numbers of days, found %s", jsonKind(v))
		}
		for _, name := range slices.Sorted(maps.Keys(ages)) {
			days, ok := number(ages[name])
			if !ok || days < 0 || days > 1e6 {
				return fmt.Errorf("min_age_days.%s: expected a number of days from 0 to 1000000", quote(name))
			}
			if i := slices.IndexFunc(f.Shares, func(d ShareDef) bool { return d.Name == name }); i >= 0 {
				f.Shares[i].MinAgeDays = days
			}
		}
	}
	return nil
}

func readScale(v any) (*Scale, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected an object with min, review, block and max, found %s", jsonKind(v))
	}
	var s Scale
	for _, f := range []struct {
		key string
		dst *float64
	}{{"min", &s.Min}, {"review", &s.Review}, {"block", &s.Block}, {"max", &s.Max}} {
		x, ok := number(m[f.key])
		if !ok {
			return nil, fmt.Errorf("%s: expected a number", f.key)
		}
		*f.dst = x
	}
	if !(s.Min <= s.Review && s.Review <= s.Block && s.Block <= s.Max) {
		return nil, fmt.Errorf("expected min <= review <= block <= max, found %v, %v, %v, %v", s.Min, s.Review, s.Block, s.Max)
	}
	return &s, nil
}

func readTerms(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok || len(list) > maxTerms {
		return nil, fmt.Errorf("expected a list of at most %d words", maxTerms)
	}
	var terms []string
	for i, t := range list {
		s, ok := t.(string)
		if !ok || strings.TrimSpace(s) == "" || len(s) > maxTermLen {
			return nil, fmt.Errorf("[%d]: expected a word or phrase of 1 to %d characters", i, maxTermLen)
		}
		terms = append(terms, s)
	}
	return terms, nil
}

// number reads a finite JSON number.
func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	x, err := n.Float64()
	return x, err == nil && !math.IsInf(x, 0) && !math.IsNaN(x)
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

// share returns the share of that name.
func (f *Facts) share(name string) (ShareDef, bool) {
	i := slices.IndexFunc(f.Shares, func(d ShareDef) bool { return d.Name == name })
	if i < 0 {
		return ShareDef{}, false
	}
	return f.Shares[i], true
}

// Label names a share for people.
func (f *Facts) Label(name string) string {
	if d, ok := f.share(name); ok {
		return d.Label
	}
	return labelOf(name)
}

// ruleShares maps each rule id to the shares its findings count toward.
func (f *Facts) ruleShares() map[string][]string {
	m := map[string][]string{}
	for _, d := range f.Shares {
		for _, id := range d.Rules {
			m[id] = append(m[id], d.Name)
		}
	}
	return m
}

// counted are the shares counted per period in Period.Shares: all but
// those of verdicts and severity, which come from the verdicts and bands.
func (f *Facts) counted() []string {
	var names []string
	for _, d := range f.Shares {
		if d.From != fromVerdict && d.From != fromSeverity {
			names = append(names, d.Name)
		}
	}
	return names
}

// Severity bands: the scale cut at the review and block thresholds, and
// the reports outside it or without a severity.
const (
	bandLow        = "low"
	bandReview     = "review"
	bandBlock      = "block"
	bandOutOfScale = "out_of_scale"
	bandNone       = "none"
)

// bandNames are the bands of a sweep with a scale, in order; a sweep
// without one has none.
func (f *Facts) bandNames() []string {
	if f.Scale == nil {
		return nil
	}
	return []string{bandLow, bandReview, bandBlock, bandOutOfScale, bandNone}
}

// BandLabel names a band for people, with its bounds.
func (f *Facts) BandLabel(band string) string {
	s := f.Scale
	if s == nil {
		return band
	}
	switch band {
	case bandLow:
		return fmt.Sprintf("below %s", fmtNum(s.Review))
	case bandReview:
		return fmt.Sprintf("%s to below %s", fmtNum(s.Review), fmtNum(s.Block))
	case bandBlock:
		return fmt.Sprintf("%s to %s", fmtNum(s.Block), fmtNum(s.Max))
	case bandOutOfScale:
		return fmt.Sprintf("outside %s to %s", fmtNum(s.Min), fmtNum(s.Max))
	}
	return "no severity"
}

// bandOf returns the band of a report's severity (nil: none).
func (s *Scale) bandOf(sev *float64) string {
	switch {
	case sev == nil:
		return bandNone
	case math.IsNaN(*sev) || *sev < s.Min || *sev > s.Max:
		return bandOutOfScale
	case *sev < s.Review:
		return bandLow
	case *sev < s.Block:
		return bandReview
	}
	return bandBlock
}

// notices say what the policies do not declare, and so what the sweep
// does not follow.
func (f *Facts) notices() []string {
	var out []string
	if !slices.ContainsFunc(f.Shares, func(d ShareDef) bool { return d.From == fromRules }) {
		out = append(out, "the policies declare no shares (custom.share in a rule's METADATA): only the blocked and review shares are followed")
	}
	if f.Scale == nil {
		out = append(out, "the policies declare no severity scale ("+SweepDocument+".severity_scale): reports are not banded by severity, and the severity share is not followed")
	}
	if len(f.IrreversibleTerms) == 0 {
		out = append(out, "the policies declare no words of irreversible change ("+SweepDocument+".irreversible_terms): the share of texts that use them is not followed")
	}
	return out
}

// withWaived are the facts of a sweep with waivers: the waived share too.
func (f Facts) withWaived() Facts {
	if slices.ContainsFunc(f.Shares, func(d ShareDef) bool { return d.Name == ShareWaived }) {
		return f
	}
	f.Shares = append(slices.Clone(f.Shares), ShareDef{Name: ShareWaived, Label: shareLabels[ShareWaived], From: fromWaived, Bad: badRise, Alert: WaiverCreep})
	return f
}

func (f *Facts) has(share string) bool {
	return slices.ContainsFunc(f.Shares, func(d ShareDef) bool { return d.Name == share })
}
