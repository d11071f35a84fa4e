package proposal

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
)

// Pair records that r and twin are one report seen in two files (X.md and
// X.json in one folder): r keeps its own fields, and every field on which
// the two disagree becomes a Conflict. The proposal text is compared with
// "\r" removed, since markdown cannot keep a line end's "\r" apart from the
// line end.
func Pair(r, twin *Report) {
	r.Twin = &Twin{File: twin.File, Form: twin.Form, SHA256: twin.SHA256}
	r.Conflicts = r.Conflicts[:0]
	for _, f := range GeneratorFields {
		a, aok := r.value(f)
		b, bok := twin.value(f)
		if aok == bok && (!aok || reflect.DeepEqual(a, b)) {
			continue
		}
		c := Conflict{Field: f.String(), Pos: r.Pos[f], TwinPos: twin.Pos[f]}
		if aok {
			c.Value = a
		}
		if bok {
			c.TwinValue = b
		}
		if f == FieldProposal {
			c.Value, c.TwinValue = nilOr(aok, r.Proposal), nilOr(bok, twin.Proposal)
		}
		r.Conflicts = append(r.Conflicts, c)
	}
	mine, theirs := extraMap(r), extraMap(twin)
	keys := make([]string, 0, len(mine)+len(theirs))
	for k := range mine {
		keys = append(keys, k)
	}
	for k := range theirs {
		if _, ok := mine[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		a, aok := mine[k]
		b, bok := theirs[k]
		if aok && bok && extraText(a.Value) == extraText(b.Value) {
			continue
		}
		c := Conflict{Field: "extra." + k, Pos: a.Pos, TwinPos: b.Pos}
		if aok {
			c.Value = a.Value
		}
		if bok {
			c.TwinValue = b.Value
		}
		r.Conflicts = append(r.Conflicts, c)
	}
}

func nilOr(ok bool, s string) any {
	if !ok {
		return nil
	}
	return s
}

// value returns a field's value in a comparable form.
func (r *Report) value(f Field) (any, bool) {
	if !r.Has(f) {
		return nil, false
	}
	switch f {
	case FieldID:
		return r.ID, true
	case FieldTimestamp:
		return r.Timestamp, true
	case FieldProposal:
		return strings.ReplaceAll(r.Proposal, "\r", ""), true
	case FieldSeverity:
		return r.Severity, true
	case FieldBlockExecution:
		return r.BlockExecution, true
	case FieldRisks:
		return r.RiskTexts(), true
	case FieldMitigations:
		return r.MitigationTexts(), true
	}
	return nil, false
}

func extraMap(r *Report) map[string]Extra {
	m := make(map[string]Extra, len(r.Extra))
	for _, e := range r.Extra {
		m[e.Key] = e
	}
	return m
}

// extraText renders an extra value for comparison: strings as they are,
// anything else as JSON.
func extraText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
