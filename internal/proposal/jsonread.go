package proposal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// readJSON reads the generator's JSON twin, or any JSON object with the
// same field names. data has passed checkText.
func readJSON(file string, data []byte, lim Limits) (*Report, error) {
	if r, ok := readJSONFast(file, data, lim); ok {
		return r, nil
	}
	return readJSONDecoder(file, data, lim)
}

// readJSONDecoder reads any JSON document with encoding/json's decoder,
// token by token, and says what is wrong and where.
func readJSONDecoder(file string, data []byte, lim Limits) (*Report, error) {
	j := &jsonReader{file: file, data: data, dec: json.NewDecoder(bytes.NewReader(data)), lim: lim}
	j.dec.UseNumber()
	r, err := j.read()
	if err != nil {
		return nil, err
	}
	r.derive()
	return r, nil
}

type jsonReader struct {
	file string
	data []byte
	dec  *json.Decoder
	lim  Limits
	// The reader moves forward only: positions are counted on from the
	// last one, so a file with many items costs one pass.
	lastOff int
	lastPos Pos
}

// posAt returns the position of byte offset off.
func (j *jsonReader) posAt(off int) Pos {
	if off < j.lastOff || j.lastPos.Line == 0 {
		j.lastOff, j.lastPos = 0, Pos{Line: 1, Column: 1}
	}
	if off > len(j.data) {
		off = len(j.data)
	}
	p := j.lastPos
	seg := j.data[j.lastOff:off]
	if nl := bytes.LastIndexByte(seg, '\n'); nl >= 0 {
		p.Line += bytes.Count(seg, []byte{'\n'})
		p.Column = 1 + utf8.RuneCount(seg[nl+1:])
	} else {
		p.Column += utf8.RuneCount(seg)
	}
	j.lastOff, j.lastPos = off, p
	return p
}

// nextOff returns the offset of the next token: past white space and the
// separators the decoder has not consumed yet.
func (j *jsonReader) nextOff() int {
	off := int(j.dec.InputOffset())
	for off < len(j.data) {
		switch j.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		return off
	}
	return off
}

// next returns the position of the next token.
func (j *jsonReader) next() Pos { return j.posAt(j.nextOff()) }

// list reads the array value of list f token by token, keeping each
// element's position.
func (j *jsonReader) list(f Field) ([]any, []Pos, error) {
	if _, err := j.dec.Token(); err != nil { // '['
		return nil, nil, j.syntax(err)
	}
	list, poss := []any{}, []Pos{}
	for j.dec.More() {
		p := j.next()
		if len(list) == j.lim.items() {
			return nil, nil, tooManyItems(j.file, p, f, j.lim)
		}
		var e any
		if err := j.dec.Decode(&e); err != nil {
			return nil, nil, j.syntax(err)
		}
		list, poss = append(list, e), append(poss, p)
	}
	if _, err := j.dec.Token(); err != nil { // ']'
		return nil, nil, j.syntax(err)
	}
	return list, poss, nil
}

// syntax converts a decoder error into a positioned read error.
func (j *jsonReader) syntax(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read before the offending one.
		off := int(se.Offset)
		return errAt(j.file, j.posAt(off), "invalid JSON: %s", se.Error())
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errAt(j.file, j.posAt(len(j.data)), "invalid JSON: unexpected end of input")
	}
	return errAt(j.file, j.next(), "invalid JSON: %v", err)
}

func (j *jsonReader) read() (*Report, error) {
	start := j.next()
	tok, err := j.dec.Token()
	if err != nil {
		return nil, j.syntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, notReport(j.file, start, "expected a JSON object with the FSAR report fields, found %s", jsonKind(tok))
	}
	r := &Report{File: j.file, Form: JSON}
	seen := map[string]Pos{}
	// A field of the wrong type is an error of an FSAR report, but only
	// once the id has said it is one: another kind of report has fields
	// of its own types.
	var fieldErr error
	for j.dec.More() {
		keyPos := j.next()
		tok, err := j.dec.Token()
		if err != nil {
			return nil, j.syntax(err)
		}
		key := tok.(string) // object keys are always strings
		if first, dup := seen[key]; dup {
			return nil, errAt(j.file, keyPos, "field %q given twice (first at line %d)", key, first.Line)
		}
		seen[key] = keyPos
		valOff := j.nextOff()
		valPos := j.posAt(valOff)
		f, isField := fieldByName(key)
		var v any
		var itemPos func(int) Pos
		if (f == FieldRisks || f == FieldMitigations) && valOff < len(j.data) && j.data[valOff] == '[' {
			list, poss, err := j.list(f)
			if err != nil {
				return nil, err
			}
			v, itemPos = list, func(i int) Pos { return poss[i] }
		} else if err := j.dec.Decode(&v); err != nil {
			return nil, j.syntax(err)
		}
		if !isField {
			r.Extra = append(r.Extra, Extra{Key: key, Value: v, Pos: keyPos})
			continue
		}
		if err := r.setValue(j.file, f, v, keyPos, valPos, itemPos); err != nil && fieldErr == nil {
			fieldErr = err
		}
	}
	if _, err := j.dec.Token(); err != nil { // the closing brace
		return nil, j.syntax(err)
	}
	if rest := j.next(); j.nextOff() < len(j.data) {
		return nil, errAt(j.file, rest, "unexpected data after the JSON object: expected the end of the file")
	}
	if err := r.decide(start, "JSON object", fieldErr); err != nil {
		return nil, err
	}
	return r, nil
}

// setValue records field f with a decoded value v (JSON: string,
// json.Number, bool, []any, map[string]any, nil). itemPos gives the
// position of list item i; nil places items at the list's value.
func (r *Report) setValue(file string, f Field, v any, at, val Pos, itemPos func(i int) Pos) error {
	wrong := func(want string) error {
		return errAt(file, val, "%s: expected %s, found %s", f, want, jsonKind(v))
	}
	switch f {
	case FieldID, FieldTimestamp, FieldProposal:
		s, ok := v.(string)
		if !ok {
			return wrong("a string")
		}
		switch f {
		case FieldID:
			r.ID = s
		case FieldTimestamp:
			t, ok := parseTimestamp(s)
			if !ok {
				return errAt(file, val, "timestamp %q: expected an ISO 8601 time such as 2026-01-02T00:18:13.191Z", clip(s))
			}
			r.Timestamp, r.Time = s, t
		case FieldProposal:
			r.Proposal = s
			r.Markers = scanMarkers(s, val)
		}
	case FieldSeverity:
		n, ok := v.(json.Number)
		if !ok {
			return wrong("a number")
		}
		fv, exact, ok := parseSeverity(n.String())
		if !ok {
			return errAt(file, val, "severity %s: expected a finite number", n)
		}
		if !exact {
			return errAt(file, val, "%s", inexactSeverity(n.String(), fv))
		}
		r.Severity, r.SeverityText = fv, n.String()
	case FieldBlockExecution:
		b, ok := v.(bool)
		if !ok {
			return wrong("true or false")
		}
		r.BlockExecution = b
	case FieldRisks, FieldMitigations:
		list, ok := v.([]any)
		if !ok {
			return wrong("an array of strings")
		}
		items := make([]Item, len(list))
		for i, e := range list {
			p := val
			if itemPos != nil {
				p = itemPos(i)
			}
			s, ok := e.(string)
			if !ok {
				return errAt(file, p, "%s[%d]: expected a string, found %s", f, i, jsonKind(e))
			}
			items[i] = Item{Text: s, Pos: p}
		}
		r.setList(f, items)
	}
	r.Set(f, at)
	return nil
}

// setList stores the risks or the mitigations.
func (r *Report) setList(f Field, items []Item) {
	if f == FieldRisks {
		r.Risks = items
	} else {
		r.Mitigations = items
	}
}

// jsonKind names the JSON type of a decoded value or token.
func jsonKind(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64, int, int64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return fmt.Sprintf("%q", string(t))
	}
	return fmt.Sprintf("%T", v)
}
