package proposal

import (
	"encoding/json"
	"strings"
)

// readJSONFast reads the JSON twin as the generator writes it: one object
// whose keys are the seven report fields, each once, with values of the
// generator's types, and strings whose only escapes are the one-letter
// ones. It is a single pass with no decoder, for sweeps that read
// thousands of twins. Anything else (another key, a \u escape, a value of
// another type, an error of any kind) makes it give up, ok false, and the
// caller reads the file with readJSON, which handles every case and says
// what is wrong and where. When ok, the report is the one readJSON gives:
// FuzzReadJSONFast checks that.
func readJSONFast(file string, data []byte, lim Limits) (r *Report, ok bool) {
	s := fastScanner{jsonReader: jsonReader{file: file, data: data, lim: lim}}
	s.ws()
	if !s.byte('{') {
		return nil, false
	}
	r = &Report{File: file, Form: JSON}
	s.ws()
	if s.byte('}') {
		return nil, false // no field: readJSON says it is not a report
	}
	for {
		s.ws()
		keyOff := s.off
		key, ok := s.str()
		if !ok {
			return nil, false
		}
		f, isField := fieldByName(key)
		if !isField || r.Has(f) {
			return nil, false
		}
		s.ws()
		if !s.byte(':') {
			return nil, false
		}
		s.ws()
		valOff := s.off
		var v any
		var itemOffs []int
		switch f {
		case FieldID, FieldTimestamp, FieldProposal:
			v, ok = s.str()
		case FieldSeverity:
			v, ok = s.number()
		case FieldBlockExecution:
			v, ok = s.boolean()
		case FieldRisks, FieldMitigations:
			v, itemOffs, ok = s.strings()
		}
		if !ok {
			return nil, false
		}
		keyPos := s.posAt(keyOff)
		valPos := s.posAt(valOff)
		var itemPos func(int) Pos
		if itemOffs != nil {
			poss := make([]Pos, len(itemOffs))
			for i, off := range itemOffs {
				poss[i] = s.posAt(off)
			}
			itemPos = func(i int) Pos { return poss[i] }
		}
		if err := r.setValue(file, f, v, keyPos, valPos, itemPos); err != nil {
			return nil, false
		}
		s.ws()
		if s.byte('}') {
			break
		}
		if !s.byte(',') {
			return nil, false
		}
	}
	s.ws()
	if s.off != len(data) || r.otherKind() != "" || !r.looksLikeReport() {
		return nil, false
	}
	r.derive()
	return r, true
}

// fastScanner walks the bytes of a JSON document; it keeps the jsonReader's
// forward position counting.
type fastScanner struct {
	jsonReader
	off int
}

// ws skips JSON white space.
func (s *fastScanner) ws() {
	for s.off < len(s.data) {
		switch s.data[s.off] {
		case ' ', '\t', '\r', '\n':
			s.off++
		default:
			return
		}
	}
}

// byte consumes c if it is next.
func (s *fastScanner) byte(c byte) bool {
	if s.off < len(s.data) && s.data[s.off] == c {
		s.off++
		return true
	}
	return false
}

// str reads a string with no escapes but \" \\ \/ \b \f \n \r \t.
func (s *fastScanner) str() (string, bool) {
	if !s.byte('"') {
		return "", false
	}
	start := s.off
	var b *strings.Builder
	for s.off < len(s.data) {
		c := s.data[s.off]
		switch {
		case c == '"':
			var out string
			if b == nil {
				out = string(s.data[start:s.off])
			} else {
				b.Write(s.data[start:s.off])
				out = b.String()
			}
			s.off++
			return out, true
		case c < 0x20:
			return "", false // a control character must be escaped
		case c == '\\':
			if s.off+1 >= len(s.data) {
				return "", false
			}
			var r byte
			switch s.data[s.off+1] {
			case '"', '\\', '/':
				r = s.data[s.off+1]
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			default:
				return "", false // \u and invalid escapes: readJSON
			}
			if b == nil {
				b = &strings.Builder{}
				b.Grow(len(s.data) - start)
			}
			b.Write(s.data[start:s.off])
			b.WriteByte(r)
			s.off += 2
			start = s.off
		default:
			s.off++
		}
	}
	return "", false
}

// number reads a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *fastScanner) number() (json.Number, bool) {
	start := s.off
	s.byte('-')
	switch {
	case s.byte('0'):
	case s.digits() > 0:
	default:
		return "", false
	}
	if s.byte('.') && s.digits() == 0 {
		return "", false
	}
	if s.byte('e') || s.byte('E') {
		if !s.byte('+') {
			s.byte('-')
		}
		if s.digits() == 0 {
			return "", false
		}
	}
	if s.off == start {
		return "", false
	}
	return json.Number(s.data[start:s.off]), true
}

// digits consumes decimal digits and says how many. (number reads a
// leading 0 on its own, so 01 stops after the 0, where no JSON can go on.)
func (s *fastScanner) digits() int {
	n := 0
	for s.off < len(s.data) && s.data[s.off] >= '0' && s.data[s.off] <= '9' {
		s.off++
		n++
	}
	return n
}

// boolean reads true or false.
func (s *fastScanner) boolean() (bool, bool) {
	rest := s.data[s.off:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.off += 4
		return true, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.off += 5
		return false, true
	}
	return false, false
}

// strings reads an array of strings, with the offset of each.
func (s *fastScanner) strings() ([]any, []int, bool) {
	if !s.byte('[') {
		return nil, nil, false
	}
	list, offs := []any{}, []int{}
	s.ws()
	if s.byte(']') {
		return list, offs, true
	}
	for {
		s.ws()
		offs = append(offs, s.off)
		e, ok := s.str()
		if !ok {
			return nil, nil, false
		}
		if list = append(list, e); len(list) > s.lim.items() {
			return nil, nil, false // readJSON says where
		}
		s.ws()
		if s.byte(']') {
			return list, offs, true
		}
		if !s.byte(',') {
			return nil, nil, false
		}
	}
}
