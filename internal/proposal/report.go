// Package proposal reads FSAR proposal reports: the generator's markdown
// form, its JSON twin, and hand-written YAML. It records where every field
// and list item stands in its file, so that a finding can point at a line.
package proposal

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// Form is the syntax a report was written in.
type Form string

// The forms fsar reads.
const (
	Markdown Form = "markdown"
	JSON     Form = "json"
	YAML     Form = "yaml"
)

// Pos is a position in a file: 1-based line, and 1-based column counted in
// characters (Unicode code points). The zero Pos means "no position".
type Pos struct {
	Line   int `json:"line" yaml:"line"`
	Column int `json:"column" yaml:"column"`
}

// IsValid reports whether p names a place in a file.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Field names one of the seven fields the generator writes.
type Field uint8

// The generator's fields, in the order its JSON form writes them.
const (
	FieldID Field = 1 << iota
	FieldTimestamp
	FieldProposal
	FieldSeverity
	FieldRisks
	FieldMitigations
	FieldBlockExecution
)

// GeneratorFields lists the seven fields in the generator's JSON order.
var GeneratorFields = []Field{FieldID, FieldTimestamp, FieldProposal, FieldSeverity, FieldRisks, FieldMitigations, FieldBlockExecution}

// String returns the field's name as the generator writes it.
func (f Field) String() string {
	switch f {
	case FieldID:
		return "id"
	case FieldTimestamp:
		return "timestamp"
	case FieldProposal:
		return "proposal"
	case FieldSeverity:
		return "severity"
	case FieldRisks:
		return "risks"
	case FieldMitigations:
		return "mitigations"
	case FieldBlockExecution:
		return "block_execution"
	}
	return "unknown"
}

// fieldByName maps a generator field name to its Field.
func fieldByName(name string) (Field, bool) {
	for _, f := range GeneratorFields {
		if f.String() == name {
			return f, true
		}
	}
	return 0, false
}

// Item is one entry of the risks or mitigations list.
type Item struct {
	Text string
	Pos  Pos
	// Category is the text before the first colon ("Slow failure"), for
	// risks only; empty when there is none.
	Category string
	// Horizon is the date of a trailing "by YYYY-MM-DD", for risks only;
	// empty when there is none.
	Horizon string
}

// Extra is a field the generator does not write, kept as read: a string
// from a markdown header line, any JSON or YAML value from the other forms
// (numbers as json.Number).
type Extra struct {
	Key   string
	Value any
	Pos   Pos
}

// Marker is a control marker found in the proposal text: "fsar_block" or
// "fsar_review" (written [fsar_block], in any case).
type Marker struct {
	Name string
	Pos  Pos
}

// Twin names the second file a report was read from.
type Twin struct {
	File   string
	Form   Form
	SHA256 string // of the twin's bytes, as for Report.SHA256
}

// Conflict is a field on which a report and its twin disagree.
type Conflict struct {
	Field     string
	Value     any // this report's value (nil when absent)
	TwinValue any // the twin's value (nil when absent)
	Pos       Pos // in File
	TwinPos   Pos // in Twin.File
}

// Report is one FSAR proposal report as read from one file, or from a pair of
// twin files. Fields the file lacks are absent (Has reports which are
// present); they are not read errors, so that a policy can deny them.
type Report struct {
	File string // path as given, or "-" for standard input
	Form Form
	// SHA256 is the hex digest of the file's bytes as read: what a
	// verdict attestation names it by.
	SHA256 string

	present Field

	ID             string
	Timestamp      string    // as written
	Time           time.Time // Timestamp parsed; zero when absent
	Severity       float64
	SeverityText   string // as written: "6", "6.5"
	BlockExecution bool
	Proposal       string // exactly as written
	Risks          []Item
	Mitigations    []Item

	// Kind is the word before the first colon of the proposal
	// (self_improvement, idea_implementation, ...), or "".
	Kind    string
	Extra   []Extra  // in file order
	Markers []Marker // in order of appearance

	// Positions of the fields: the header line of a markdown field, the key
	// of a JSON or YAML one. Items carry their own.
	Pos map[Field]Pos

	Twin      *Twin
	Conflicts []Conflict
}

// Has reports whether the report has field f.
func (r *Report) Has(f Field) bool { return r.present&f != 0 }

// Set marks field f present, at pos.
func (r *Report) Set(f Field, pos Pos) {
	r.present |= f
	if r.Pos == nil {
		r.Pos = make(map[Field]Pos, len(GeneratorFields))
	}
	r.Pos[f] = pos
}

// Missing lists the generator fields the report lacks, sorted by name.
func (r *Report) Missing() []string {
	var out []string
	for _, f := range GeneratorFields {
		if !r.Has(f) {
			out = append(out, f.String())
		}
	}
	sort.Strings(out)
	return out
}

// Positions returns every known source position keyed by the names
// policies use for fields: "severity", "risks", "risks[1]", "extra.owner",
// "markers[0]".
func (r *Report) Positions() map[string]Pos {
	m := make(map[string]Pos, len(r.Pos)+len(r.Risks)+len(r.Mitigations)+len(r.Extra)+len(r.Markers))
	for f, p := range r.Pos {
		m[f.String()] = p
	}
	for i, it := range r.Risks {
		m[indexKey("risks", i)] = it.Pos
	}
	for i, it := range r.Mitigations {
		m[indexKey("mitigations", i)] = it.Pos
	}
	for _, e := range r.Extra {
		m["extra."+e.Key] = e.Pos
	}
	for i, mk := range r.Markers {
		m[indexKey("markers", i)] = mk.Pos
	}
	return m
}

// PosOf returns the position of a field named as policies name it
// ("risks[1]", "severity"), falling back to the enclosing field, and then
// to the first line of the file.
func (r *Report) PosOf(field string) Pos { return PosIn(r.Positions(), field) }

// PosIn is PosOf over positions already gathered with Positions, for a
// caller that places many findings on one report.
func PosIn(pos map[string]Pos, field string) Pos {
	if p, ok := pos[field]; ok && p.IsValid() {
		return p
	}
	if i := strings.IndexByte(field, '['); i > 0 {
		if p, ok := pos[field[:i]]; ok && p.IsValid() {
			return p
		}
	}
	return Pos{Line: 1, Column: 1}
}

// RiskTexts returns the risks as plain strings.
func (r *Report) RiskTexts() []string { return itemTexts(r.Risks) }

// MitigationTexts returns the mitigations as plain strings.
func (r *Report) MitigationTexts() []string { return itemTexts(r.Mitigations) }

func itemTexts(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Text
	}
	return out
}

func indexKey(name string, i int) string { return name + "[" + strconv.Itoa(i) + "]" }
