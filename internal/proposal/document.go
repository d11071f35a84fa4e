package proposal

import (
	"bytes"
	"encoding/json"
	"io"
	"time"

	"github.com/fsar-gate/fsar/internal/escape"
	"gopkg.in/yaml.v3"
)

// Document is a report as fsar prints it and as policies see it: the
// generator's seven fields under their own names and types (present only
// when the report has them), so that it is a drop-in for the generator's
// JSON, and everything derived beside them under other names.
type Document struct {
	ID             *string        `json:"id,omitempty"`
	Timestamp      *string        `json:"timestamp,omitempty"`
	Proposal       *string        `json:"proposal,omitempty"`
	Severity       json.Number    `json:"severity,omitempty"`
	Risks          *[]string      `json:"risks,omitempty"`
	Mitigations    *[]string      `json:"mitigations,omitempty"`
	BlockExecution *bool          `json:"block_execution,omitempty"`
	File           string         `json:"file"`
	Form           Form           `json:"form"`
	Missing        []string       `json:"missing"`
	Time           string         `json:"time,omitempty"`
	TimeNS         *int64         `json:"time_ns,omitempty"`
	Kind           string         `json:"kind"`
	RiskDetails    []RiskDetail   `json:"risk_details"`
	Extra          map[string]any `json:"extra"`
	Markers        []string       `json:"markers"`
	Twin           *TwinDoc       `json:"twin,omitempty"`
	TwinConflicts  []ConflictDoc  `json:"twin_conflicts,omitempty"`
	// Positions is filled only on request (fsar parse --positions).
	Positions map[string]Pos `json:"positions,omitempty"`
}

// RiskDetail is what fsar derives from one risk.
type RiskDetail struct {
	Category string `json:"category,omitempty"`
	Horizon  string `json:"horizon,omitempty"`
}

// TwinDoc names a report's twin file.
type TwinDoc struct {
	File string `json:"file"`
	Form Form   `json:"form"`
}

// ConflictDoc is one disagreement between twins.
type ConflictDoc struct {
	Field     string `json:"field"`
	Value     any    `json:"value"`
	TwinValue any    `json:"twin_value"`
	Pos       *Pos   `json:"pos,omitempty"`
	TwinPos   *Pos   `json:"twin_pos,omitempty"`
}

// Doc builds the Document of r. With positions, it includes every source
// position.
func (r *Report) Doc(positions bool) *Document {
	d := &Document{
		File:        r.File,
		Form:        r.Form,
		Missing:     r.Missing(),
		Kind:        r.Kind,
		RiskDetails: make([]RiskDetail, len(r.Risks)),
		Extra:       make(map[string]any, len(r.Extra)),
		Markers:     make([]string, len(r.Markers)),
	}
	if d.Missing == nil {
		d.Missing = []string{}
	}
	if r.Has(FieldID) {
		d.ID = &r.ID
	}
	if r.Has(FieldTimestamp) {
		d.Timestamp = &r.Timestamp
		d.Time = r.Time.Format(time.RFC3339Nano)
		ns := r.Time.UnixNano()
		d.TimeNS = &ns
	}
	if r.Has(FieldProposal) {
		d.Proposal = &r.Proposal
	}
	if r.Has(FieldSeverity) {
		d.Severity = json.Number(r.SeverityText)
	}
	if r.Has(FieldRisks) {
		t := r.RiskTexts()
		d.Risks = &t
	}
	if r.Has(FieldMitigations) {
		t := r.MitigationTexts()
		d.Mitigations = &t
	}
	if r.Has(FieldBlockExecution) {
		b := r.BlockExecution
		d.BlockExecution = &b
	}
	for i, it := range r.Risks {
		d.RiskDetails[i] = RiskDetail{Category: it.Category, Horizon: it.Horizon}
	}
	for _, e := range r.Extra {
		d.Extra[e.Key] = e.Value
	}
	for i, m := range r.Markers {
		d.Markers[i] = m.Name
	}
	if r.Twin != nil {
		d.Twin = &TwinDoc{File: r.Twin.File, Form: r.Twin.Form}
		d.TwinConflicts = make([]ConflictDoc, len(r.Conflicts))
		for i, c := range r.Conflicts {
			cd := ConflictDoc{Field: c.Field, Value: c.Value, TwinValue: c.TwinValue}
			if positions {
				cd.Pos, cd.TwinPos = posPtr(c.Pos), posPtr(c.TwinPos)
			}
			d.TwinConflicts[i] = cd
		}
	}
	if positions {
		d.Positions = r.Positions()
	}
	return d
}

func posPtr(p Pos) *Pos {
	if !p.IsValid() {
		return nil
	}
	return &p
}

// WriteDocuments writes reports as fsar parse prints them: as one JSON
// array ("json"), one JSON document per line ("jsonl"), or YAML with the
// same keys and values ("yaml").
func WriteDocuments(w io.Writer, format string, docs []*Document) error {
	if format == "yaml" {
		// Through JSON, so that YAML shows the same keys and values.
		raw, err := json.Marshal(docs)
		if err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		if v == nil {
			v = []any{}
		}
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(v); err != nil {
			return err
		}
		return enc.Close()
	}
	// JSON: exact, with invisible characters and the Actions log's
	// command marker escaped (escape.JSONLog).
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if format == "jsonl" {
		for _, d := range docs {
			if err := enc.Encode(d); err != nil {
				return err
			}
		}
	} else {
		if docs == nil {
			docs = []*Document{}
		}
		enc.SetIndent("", "  ")
		if err := enc.Encode(docs); err != nil {
			return err
		}
	}
	_, err := w.Write(escape.JSONLog(buf.Bytes()))
	return err
}
