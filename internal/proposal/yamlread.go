package proposal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// readYAML reads a hand-written report: a YAML mapping with the generator's
// field names. data has passed checkText.
func readYAML(file string, data []byte, lim Limits) (*Report, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, notReport(file, Pos{Line: 1, Column: 1}, "empty YAML document: expected a mapping with the FSAR report fields")
		}
		return nil, yamlError(file, err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		p := Pos{Line: more.Line, Column: more.Column}
		if err != nil || !p.IsValid() {
			p = Pos{Line: 1, Column: 1}
		}
		return nil, errAt(file, p, "a second YAML document: expected exactly one report per file")
	}
	if err := checkExpansion(file, &doc, lim.bytes()); err != nil {
		return nil, err
	}
	m := &doc
	if m.Kind == yaml.DocumentNode && len(m.Content) == 1 {
		m = m.Content[0]
	}
	if m.Kind != yaml.MappingNode {
		return nil, notReport(file, nodePos(m), "expected a YAML mapping with the FSAR report fields, found %s", yamlKind(m))
	}
	r := &Report{File: file, Form: YAML}
	seen := map[string]Pos{}
	var fieldErr error // as in readJSON: another kind of report has fields of its own types
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], resolve(m.Content[i+1])
		at := nodePos(k)
		if k.Kind != yaml.ScalarNode {
			return nil, errAt(file, at, "expected a field name, found %s", yamlKind(k))
		}
		key := k.Value
		if first, dup := seen[key]; dup {
			return nil, errAt(file, at, "field %q given twice (first at line %d)", key, first.Line)
		}
		seen[key] = at
		f, isField := fieldByName(key)
		if !isField {
			var val any
			if err := v.Decode(&val); err != nil {
				return nil, yamlError(file, err)
			}
			val, err := stringKeys(val)
			if err != nil {
				return nil, errAt(file, nodePos(v), "%s: %v", key, err)
			}
			r.Extra = append(r.Extra, Extra{Key: key, Value: val, Pos: at})
			continue
		}
		if err := r.setYAML(file, f, v, at, lim); err != nil {
			if errors.Is(err, errLimit) {
				return nil, err
			}
			if fieldErr == nil {
				fieldErr = err
			}
		}
	}
	if err := r.decide(nodePos(m), "YAML mapping", fieldErr); err != nil {
		return nil, err
	}
	r.derive()
	return r, nil
}

// setYAML records field f from its value node.
func (r *Report) setYAML(file string, f Field, v *yaml.Node, at Pos, lim Limits) error {
	val := nodePos(v)
	scalar := v.Kind == yaml.ScalarNode && v.Tag != "!!null"
	switch f {
	case FieldID, FieldTimestamp, FieldProposal:
		if !scalar {
			return errAt(file, val, "%s: expected a string, found %s", f, yamlKind(v))
		}
		return r.setValue(file, f, v.Value, at, val, nil)
	case FieldSeverity:
		if !scalar || (v.Tag != "!!int" && v.Tag != "!!float") {
			return errAt(file, val, "severity: expected a number such as 6 or 12.5, found %s", yamlKind(v))
		}
		sv, exact, ok := parseSeverity(v.Value)
		if !ok {
			return errAt(file, val, "severity %q: expected a decimal number such as 6 or 12.5", clip(v.Value))
		}
		if !exact {
			return errAt(file, val, "%s", inexactSeverity(v.Value, sv))
		}
		r.Severity, r.SeverityText = sv, v.Value
	case FieldBlockExecution:
		if !scalar || v.Tag != "!!bool" {
			return errAt(file, val, "block_execution: expected true or false, found %s", yamlKind(v))
		}
		b, _ := strconv.ParseBool(strings.ToLower(v.Value))
		r.BlockExecution = b
	case FieldRisks, FieldMitigations:
		if v.Kind != yaml.SequenceNode {
			return errAt(file, val, "%s: expected a list of strings, found %s", f, yamlKind(v))
		}
		if len(v.Content) > lim.items() {
			return tooManyItems(file, nodePos(v.Content[lim.items()]), f, lim)
		}
		items := make([]Item, 0, len(v.Content))
		for i, e := range v.Content {
			e = resolve(e)
			if e.Kind != yaml.ScalarNode || e.Tag == "!!null" {
				return errAt(file, nodePos(e), "%s[%d]: expected a string, found %s", f, i, yamlKind(e))
			}
			items = append(items, Item{Text: e.Value, Pos: nodePos(e)})
		}
		r.setList(f, items)
	}
	r.Set(f, at)
	return nil
}

// stringKeys gives mappings with keys of other scalar types (YAML's
// "1: x") string keys, as JSON has them, so that every value a report
// holds can be written as JSON and given to the policies. A key that is
// itself a list or mapping, or two keys that become one, is an error.
func stringKeys(v any) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			e, err := stringKeys(e)
			if err != nil {
				return nil, err
			}
			t[k] = e
		}
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			switch k.(type) {
			case string, int, int64, uint64, float64, bool, nil:
			default:
				return nil, fmt.Errorf("a mapping key is %T: expected a string", k)
			}
			key := fmt.Sprint(k)
			if _, dup := m[key]; dup {
				return nil, fmt.Errorf("two mapping keys read as %q", key)
			}
			e, err := stringKeys(e)
			if err != nil {
				return nil, err
			}
			m[key] = e
		}
		return m, nil
	case []any:
		for i, e := range t {
			e, err := stringKeys(e)
			if err != nil {
				return nil, err
			}
			t[i] = e
		}
	}
	return v, nil
}

// checkExpansion refuses a document whose aliases expand it past budget
// bytes (a scalar counts its length, a list or mapping one more): each
// alias counts as a copy of what it names, across the whole document, as
// decoding it would build them. The error is at the alias that crosses
// the budget.
func checkExpansion(file string, doc *yaml.Node, budget int64) error {
	sizes := map[*yaml.Node]int64{}
	var size func(n *yaml.Node) int64
	size = func(n *yaml.Node) int64 {
		if n.Kind == yaml.AliasNode {
			if n.Alias == nil {
				return 1
			}
			return size(n.Alias)
		}
		if s, ok := sizes[n]; ok {
			if s < 0 {
				return budget + 1 // an anchor inside itself
			}
			return s
		}
		sizes[n] = -1
		s := int64(len(n.Value)) + 1
		for _, c := range n.Content {
			if s += size(c); s > budget {
				break
			}
		}
		sizes[n] = s
		return s
	}
	var total int64
	var walk func(n *yaml.Node) *yaml.Node
	walk = func(n *yaml.Node) *yaml.Node {
		if n.Kind == yaml.AliasNode {
			if total += size(n); total > budget {
				return n
			}
			return nil
		}
		total += int64(len(n.Value)) + 1
		for _, c := range n.Content {
			if at := walk(c); at != nil {
				return at
			}
		}
		if total > budget {
			return n
		}
		return nil
	}
	if at := walk(doc); at != nil {
		return errAt(file, nodePos(at), "YAML aliases expand the document past %s: expected a short document (raise the limit with --max-size)", humanBytes(budget))
	}
	return nil
}

func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func nodePos(n *yaml.Node) Pos {
	if n.Line <= 0 {
		return Pos{Line: 1, Column: 1}
	}
	return Pos{Line: n.Line, Column: n.Column}
}

func yamlKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		}
		return "a string"
	}
	return "nothing"
}

var (
	yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	// yaml.v3 numbers the lines of its parser's errors (unlike its
	// scanner's) from 0; these are the parser's messages.
	yamlParserMsg = regexp.MustCompile(`^did not find expected (<document start>|node content|key|',' or '\]'|',' or '\}'|'-' indicator)`)
)

// yamlError places a yaml.v3 error at its line.
func yamlError(file string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		if yamlParserMsg.MatchString(m[2]) {
			n++
		}
		return errAt(file, Pos{Line: n, Column: 1}, "invalid YAML: %s", m[2])
	}
	return errAt(file, Pos{Line: 1, Column: 1}, "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}
