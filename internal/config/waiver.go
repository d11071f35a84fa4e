package config

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Waiver accepts a rule's findings on some reports, for a reason, by
// someone, until a date: the finding is still computed and shown, marked
// waived, but does not count toward the verdict.
type Waiver struct {
	Rule string `json:"rule"`
	// Reports are report ids and repository paths (globs, ** for any
	// folders) the waiver covers.
	Reports    []string `json:"reports"`
	Reason     string   `json:"reason"`
	ApprovedBy string   `json:"approved_by"`
	// Expires is the last day the waiver holds (UTC), as written.
	Expires string `json:"expires"`
	Ticket  string `json:"ticket,omitempty"`
	// Source is where the waiver is written: file:line.
	Source string `json:"source"`

	until      time.Time // the end of Expires: the waiver holds before it
	pos        Pos
	rulePos    Pos
	expiresPos Pos
}

// HoldsAt tells whether the waiver holds at t: on or before its last day.
func (w *Waiver) HoldsAt(t time.Time) bool { return t.Before(w.until) }

// Until is the end of the waiver's last day.
func (w *Waiver) Until() time.Time { return w.until }

var waiverFields = []string{"rule", "reports", "reason", "approved_by", "expires", "ticket"}

// parseWaivers reads the waivers list.
func parseWaivers(file string, n *yaml.Node) ([]Waiver, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(file, n, "waivers: expected a list of waivers (- rule: ...), got %s", describe(n))
	}
	ws := make([]Waiver, 0, len(n.Content))
	for i, item := range n.Content {
		w, err := parseWaiver(file, i+1, item)
		if err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, nil
}

func parseWaiver(file string, index int, n *yaml.Node) (Waiver, error) {
	w := Waiver{pos: Pos{File: file, Line: n.Line, Column: n.Column}}
	w.Source = fmt.Sprintf("%s:%d", file, n.Line)
	name := fmt.Sprintf("waivers[%d]", index)
	if n.Kind != yaml.MappingNode {
		return w, errAt(file, n, "%s: expected a mapping with rule, reports, reason, approved_by and expires, got %s", name, describe(n))
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(waiverFields, k.Value) {
			msg := fmt.Sprintf("%s: unknown field %q", name, k.Value)
			if s := Suggest(k.Value, waiverFields); s != "" {
				msg += fmt.Sprintf(": did you mean %q?", s)
			} else {
				msg += ": expected " + strings.Join(waiverFields, ", ")
			}
			return w, errAt(file, k, "%s", msg)
		}
		if _, dup := seen[k.Value]; dup {
			return w, errAt(file, k, "%s: %s is set twice", name, k.Value)
		}
		seen[k.Value] = v
	}
	str := func(field string, required bool) (string, error) {
		v, ok := seen[field]
		if !ok {
			if required {
				return "", errAt(file, n, "%s: %s is missing: a waiver says %s", name, field, strings.Join(waiverFields[:5], ", "))
			}
			return "", nil
		}
		if v.Kind != yaml.ScalarNode || (v.Tag != "!!str" && v.Tag != "!!timestamp") || strings.TrimSpace(v.Value) == "" {
			return "", errAt(file, v, "%s: %s: expected a non-empty string, got %s", name, field, describe(v))
		}
		return strings.TrimSpace(v.Value), nil
	}
	var err error
	if w.Rule, err = str("rule", true); err != nil {
		return w, err
	}
	w.rulePos = nodePos(file, seen["rule"])
	if w.Reason, err = str("reason", true); err != nil {
		return w, err
	}
	if w.ApprovedBy, err = str("approved_by", true); err != nil {
		return w, err
	}
	if w.Expires, err = str("expires", true); err != nil {
		return w, err
	}
	w.expiresPos = nodePos(file, seen["expires"])
	day, perr := time.Parse(time.DateOnly, w.Expires)
	if perr != nil {
		return w, errAt(file, seen["expires"], "%s: expires %q: expected a date, YYYY-MM-DD (the last day the waiver holds)", name, w.Expires)
	}
	w.until = day.AddDate(0, 0, 1)
	if w.Ticket, err = str("ticket", false); err != nil {
		return w, err
	}
	if w.Ticket != "" {
		if u, err := url.Parse(w.Ticket); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return w, errAt(file, seen["ticket"], "%s: ticket %q: expected an http(s) URL", name, w.Ticket)
		}
	}
	rep, ok := seen["reports"]
	if !ok {
		return w, errAt(file, n, "%s: reports is missing: the report ids or paths the waiver covers", name)
	}
	if rep.Kind != yaml.SequenceNode || len(rep.Content) == 0 {
		return w, errAt(file, rep, "%s: reports: expected a list of report ids or repository paths (globs), got %s", name, describe(rep))
	}
	for _, r := range rep.Content {
		if r.Kind != yaml.ScalarNode || r.Tag != "!!str" || strings.TrimSpace(r.Value) == "" {
			return w, errAt(file, r, "%s: reports: expected a report id or path, got %s", name, describe(r))
		}
		entry := strings.TrimSpace(r.Value)
		if strings.HasPrefix(entry, "/") || strings.HasPrefix(entry, "../") || entry == ".." {
			return w, errAt(file, r, "%s: reports: %q: expected a report id, or a path relative to the repository's root", name, entry)
		}
		if _, err := path.Match(entry, ""); err != nil {
			return w, errAt(file, r, "%s: reports: %q: not a valid glob: %v", name, entry, err)
		}
		w.Reports = append(w.Reports, entry)
	}
	return w, nil
}

func nodePos(file string, n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: file}
	}
	return Pos{File: file, Line: n.Line, Column: n.Column}
}

// waiverValues are the waivers as the policies see them.
func waiverValues(ws []Waiver) []any {
	out := make([]any, 0, len(ws))
	for _, w := range ws {
		reports := make([]any, len(w.Reports))
		for i, r := range w.Reports {
			reports[i] = r
		}
		m := map[string]any{"rule": w.Rule, "reports": reports, "reason": w.Reason, "approved_by": w.ApprovedBy, "expires": w.Expires}
		if w.Ticket != "" {
			m["ticket"] = w.Ticket
		}
		out = append(out, m)
	}
	return out
}

// RuleInfo says what a run knows of a rule id: whether a policy declares
// it, and whether its findings may be waived.
type RuleInfo func(id string) (known, waivable bool)

// CheckWaivers checks the waivers against the rules the policies declare
// (rules lists their ids, for suggestions) and today: every rule known
// and waivable, every expiry at most max_waiver_days after now.
func (f *File) CheckWaivers(now time.Time, info RuleInfo, rules []string) error {
	maxDays := f.Int("max_waiver_days")
	lastAllowed := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, maxDays)
	for i := range f.Waivers {
		w := &f.Waivers[i]
		known, waivable := info(w.Rule)
		switch {
		case !known:
			msg := fmt.Sprintf("waiver for rule %q: no policy declares that rule", w.Rule)
			if s := Suggest(w.Rule, rules); s != "" {
				msg += fmt.Sprintf(": did you mean %q?", s)
			}
			return &Error{Pos: w.rulePos, Msg: msg + " (fsar policy doc lists the rules)"}
		case !waivable:
			return &Error{Pos: w.rulePos, Msg: fmt.Sprintf("rule %s cannot be waived (its METADATA says custom.waivable: false): fix the report instead", w.Rule)}
		case w.until.AddDate(0, 0, -1).After(lastAllowed):
			return &Error{Pos: w.expiresPos, Msg: fmt.Sprintf("expires %s is more than max_waiver_days (%d) after today, %s: a waiver is reviewed again before then",
				w.Expires, maxDays, now.UTC().Format(time.DateOnly))}
		}
	}
	return nil
}

// Pos is where the waiver is written.
func (w *Waiver) Position() Pos { return w.pos }

// AddWaivers adds the waivers of a waivers file: a mapping whose only key
// is waivers.
func (f *File) AddWaivers(name string, data []byte) error {
	w, err := Parse(name, data)
	if err != nil {
		return err
	}
	for k := range w.Values {
		if k != "waivers" {
			return &Error{Pos: nodePos(name, w.pos[k]), Msg: fmt.Sprintf("%s: a waivers file holds only waivers (the configuration goes in .fsar.yaml or --config)", k)}
		}
	}
	f.Waivers = append(f.Waivers, w.Waivers...)
	f.Values["waivers"] = waiverValues(f.Waivers)
	return nil
}
