package proposal

import (
	"strings"
)

// Render writes r in the generator's markdown form, without the SYNOPSIS
// comment later copies carry and without a final newline, as the generator
// does. Fields r lacks are left out. Items must not contain line breaks.
func Render(r *Report) string {
	var b strings.Builder
	b.Grow(len(r.Proposal) + 512)
	b.WriteString(Title)
	header := func(key, value string) {
		b.WriteString("\n- ")
		b.WriteString(key)
		b.WriteString(": ")
		b.WriteString(value)
	}
	if r.Has(FieldID) {
		header("id", r.ID)
	}
	if r.Has(FieldTimestamp) {
		header("timestamp", r.Timestamp)
	}
	if r.Has(FieldSeverity) {
		header("severity", r.SeverityText)
	}
	if r.Has(FieldBlockExecution) {
		if r.BlockExecution {
			header("block_execution", "true")
		} else {
			header("block_execution", "false")
		}
	}
	for _, e := range r.Extra {
		if s, ok := e.Value.(string); ok {
			header(e.Key, s)
		}
	}
	if r.Has(FieldProposal) {
		b.WriteString("\n- proposal:\n\n")
		b.WriteString(r.Proposal)
		b.WriteString("\n")
	}
	section := func(title string, items []Item) {
		b.WriteString("\n")
		b.WriteString(title)
		for _, it := range items {
			b.WriteString("\n- ")
			b.WriteString(it.Text)
		}
		b.WriteString("\n")
	}
	if r.Has(FieldRisks) {
		section("## Risks", r.Risks)
	}
	if r.Has(FieldMitigations) {
		section("## Mitigations", r.Mitigations)
	}
	if r.Has(FieldProposal) && !r.Has(FieldRisks) && !r.Has(FieldMitigations) {
		// The blank line that ends the proposal must stay a line.
		b.WriteString("\n")
		return b.String()
	}
	return strings.TrimSuffix(b.String(), "\n")
}
