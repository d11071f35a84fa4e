// Package config reads fsar's configuration file (.fsar.yaml) strictly:
// every key known, every value of its type, every error at its
// file:line:column. What is not right is an error, never a default: a
// misspelt threshold that silently kept the default would let the gate
// pass what it should not.
//
// The keys are fsar's own (Core: the thresholds the default policies and
// the sweeps read, and the waivers) and those a policy package declares
// in its METADATA (custom.config), which the engine knows only once the
// policies are compiled: Parse keeps the keys it does not know, and
// Resolve checks them against the declared ones.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Type is the type of a key's value.
type Type string

const (
	Number      Type = "number"       // any finite number
	NonNegative Type = "non-negative" // a finite number >= 0
	Positive    Type = "positive"     // an integer >= 1
	Integer     Type = "integer"
	String      Type = "string"
	Boolean     Type = "boolean"
	List        Type = "array"
	Object      Type = "object"
	WaiverList  Type = "waivers"
)

// Key is one configuration key.
type Key struct {
	Name        string
	Type        Type
	Default     any // nil: none
	Description string
	// Package declares the key: "" for fsar's own.
	Package string
}

// Core are fsar's own keys. The defaults of the first six are also the
// default policies' (policies/fsar/lib/config/config.rego); a test holds them equal.
var Core = []Key{
	{Name: "severity_min", Type: Number, Default: 0, Description: "lowest severity on the generator's scale (severity-scale)"},
	{Name: "severity_max", Type: Number, Default: 75, Description: "highest severity on the generator's scale (severity-scale)"},
	{Name: "review_threshold", Type: Number, Default: 25, Description: "severity from which a human must review (severity-review, severity-unmitigated); below block_threshold"},
	{Name: "block_threshold", Type: Number, Default: 45, Description: "severity from which a report blocks (severity-hard, under-rated-irreversible)"},
	{Name: "review_marker_min_severity", Type: Number, Default: 30, Description: "least severity of a report carrying [fsar_review] (under-rated-review-marker)"},
	{Name: "max_age_days", Type: NonNegative, Default: 30, Description: "days after which a report is stale (stale-report)"},
	{Name: "max_waiver_days", Type: Positive, Default: 180, Description: "how far ahead a waiver may expire, in days"},
	{Name: "waivers", Type: WaiverList, Description: "accepted findings: rule, reports, reason, approved_by, expires, ticket"},
}

// Pos is a place in the configuration file.
type Pos struct {
	File   string
	Line   int
	Column int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Error is a problem with the configuration, at its place.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

func errAt(file string, n *yaml.Node, format string, args ...any) *Error {
	p := Pos{File: file}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

// File is a configuration file read.
type File struct {
	Name string
	// Values are the keys set, as the policies read them (data.fsar.config):
	// numbers, strings, lists and objects; the waivers as objects.
	Values map[string]any
	// Waivers are the waivers, in file order.
	Waivers []Waiver
	// pos is where each key set is, and val its value.
	pos map[string]*yaml.Node
	val map[string]*yaml.Node
	// unknown are the keys Core does not know, for Resolve.
	unknown []string
}

// Empty is the configuration of no file: every default.
func Empty() *File {
	return &File{Values: map[string]any{}, pos: map[string]*yaml.Node{}, val: map[string]*yaml.Node{}}
}

// Parse reads a configuration file's YAML (JSON is YAML too): a mapping
// whose keys are Core's, or left for Resolve.
func Parse(name string, data []byte) (*File, error) {
	f := Empty()
	f.Name = name
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, &Error{Pos: Pos{File: name}, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		// A second document would be read by no one: refused, not ignored.
		return nil, errAt(name, &more, "a second YAML document (after ---): expected one configuration")
	}
	if len(doc.Content) == 0 {
		return f, nil // an empty file: the defaults
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errAt(name, root, "expected a mapping of configuration keys (such as block_threshold: 45), got %s", describe(root))
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
			return nil, errAt(name, k, "expected a key name, got %s", describe(k))
		}
		if prev, dup := f.pos[k.Value]; dup {
			return nil, errAt(name, k, "%s is set twice (first at line %d)", k.Value, prev.Line)
		}
		f.pos[k.Value], f.val[k.Value] = k, v
		i := slices.IndexFunc(Core, func(c Key) bool { return c.Name == k.Value })
		if i < 0 {
			f.unknown = append(f.unknown, k.Value)
			val, err := decode(v)
			if err != nil {
				return nil, errAt(name, v, "%s: %v", k.Value, err)
			}
			f.Values[k.Value] = val
			continue
		}
		if Core[i].Type == WaiverList {
			ws, err := parseWaivers(name, v)
			if err != nil {
				return nil, err
			}
			f.Waivers = ws
			f.Values[k.Value] = waiverValues(ws)
			continue
		}
		val, err := typed(name, k.Value, Core[i].Type, v)
		if err != nil {
			return nil, err
		}
		f.Values[k.Value] = val
	}
	if err := f.relations(); err != nil {
		return nil, err
	}
	return f, nil
}

// relations checks what no single value shows: the review threshold is
// below the block threshold, the scale's ends in order.
func (f *File) relations() error {
	num := func(key string) float64 {
		if v, ok := f.Values[key]; ok {
			return toFloat(v)
		}
		return toFloat(coreDefault(key))
	}
	at := func(keys ...string) *yaml.Node {
		for _, k := range keys {
			if n := f.pos[k]; n != nil {
				return n
			}
		}
		return nil
	}
	if r, b := num("review_threshold"), num("block_threshold"); r >= b {
		return errAt(f.Name, at("review_threshold", "block_threshold"),
			"review_threshold %s must be below block_threshold %s (a report between them needs a human; at block_threshold it blocks)", fmtNum(r), fmtNum(b))
	}
	if lo, hi := num("severity_min"), num("severity_max"); lo > hi {
		return errAt(f.Name, at("severity_min", "severity_max"), "severity_min %s is above severity_max %s", fmtNum(lo), fmtNum(hi))
	}
	return nil
}

func coreDefault(key string) any {
	for _, k := range Core {
		if k.Name == key {
			return k.Default
		}
	}
	return nil
}

// Int is the integer value of key, or its default.
func (f *File) Int(key string) int {
	if v, ok := f.Values[key]; ok {
		return int(toFloat(v))
	}
	return int(toFloat(coreDefault(key)))
}

// Resolve checks the keys Parse did not know against the keys the
// policies declare: an undeclared key is an error with the nearest known
// name; a declared one must have its type.
func (f *File) Resolve(declared []Key) error {
	for _, name := range f.unknown {
		i := slices.IndexFunc(declared, func(k Key) bool { return k.Name == name })
		n := f.pos[name]
		if i < 0 {
			known := make([]string, 0, len(Core)+len(declared))
			for _, k := range append(slices.Clone(Core), declared...) {
				known = append(known, k.Name)
			}
			msg := fmt.Sprintf("unknown key %q", name)
			if s := Suggest(name, known); s != "" {
				msg += fmt.Sprintf(": did you mean %q?", s)
			} else {
				msg += ": expected one of " + strings.Join(known, ", ")
			}
			return errAt(f.Name, n, "%s", msg)
		}
		if err := checkType(name, declared[i].Type, f.Values[name]); err != nil {
			return errAt(f.Name, f.val[name], "%v", err)
		}
	}
	return nil
}

// typed reads v as a value of type t.
func typed(file, key string, t Type, v *yaml.Node) (any, error) {
	val, err := decode(v)
	if err != nil {
		return nil, errAt(file, v, "%s: %v", key, err)
	}
	if err := checkType(key, t, val); err != nil {
		return nil, errAt(file, v, "%v", err)
	}
	return val, nil
}

// checkType tells whether val, as decoded, is of type t.
func checkType(key string, t Type, val any) error {
	wrong := func(want string) error {
		return fmt.Errorf("%s: expected %s, got %s", key, want, describeValue(val))
	}
	switch t {
	case Number, NonNegative, Positive, Integer:
		x, ok := number(val)
		switch {
		case !ok:
			return wrong("a number")
		case t == NonNegative && x < 0:
			return wrong("a number of 0 or more")
		case (t == Positive || t == Integer) && x != math.Trunc(x):
			return wrong("a whole number")
		case t == Positive && x < 1:
			return wrong("a whole number of 1 or more")
		}
	case String:
		if _, ok := val.(string); !ok {
			return wrong("a string")
		}
	case Boolean:
		if _, ok := val.(bool); !ok {
			return wrong("true or false")
		}
	case List:
		if _, ok := val.([]any); !ok {
			return wrong("a list")
		}
	case Object:
		if _, ok := val.(map[string]any); !ok {
			return wrong("a mapping")
		}
	default:
		return fmt.Errorf("%s: unknown type %q", key, t)
	}
	return nil
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func toFloat(v any) float64 { x, _ := number(v); return x }

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// decode turns a node into plain values: strings, ints, finite floats,
// booleans, lists and mappings with string keys. A date stays a string.
func decode(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return nil, errors.New("aliases are not allowed in the configuration")
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!int":
			i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
			if err != nil || i > 1<<53 || i < -(1<<53) {
				return nil, fmt.Errorf("the integer %s is out of range", n.Value)
			}
			return int(i), nil
		case "!!float":
			var x float64
			if err := n.Decode(&x); err != nil {
				return nil, err
			}
			if math.IsInf(x, 0) || math.IsNaN(x) {
				return nil, fmt.Errorf("%s is not a finite number", n.Value)
			}
			return x, nil
		case "!!bool":
			var b bool
			err := n.Decode(&b)
			return b, err
		case "!!null":
			return nil, errors.New("no value (null): remove the key to keep the default")
		}
		return n.Value, nil // strings, timestamps as written
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := decode(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, errors.New("a mapping key must be a name")
			}
			v, err := decode(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out[k.Value] = v
		}
		return out, nil
	}
	return nil, errors.New("an unexpected YAML node")
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	v, err := decode(n)
	if err != nil {
		return strconv.Quote(n.Value)
	}
	return describeValue(v)
}

func describeValue(v any) string {
	switch x := v.(type) {
	case string:
		if _, err := strconv.ParseFloat(x, 64); err == nil {
			return fmt.Sprintf("the string %q (a quoted number is a string: remove the quotes)", x)
		}
		return fmt.Sprintf("the string %q", x)
	case int, float64:
		return fmt.Sprintf("the number %v", x)
	case bool:
		return fmt.Sprintf("%v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	case nil:
		return "no value"
	}
	return fmt.Sprintf("%v", v)
}

// Suggest is the known name nearest to name, when it is near enough to
// be a slip of the keyboard: at most a third of its letters (and at
// least one) apart by Damerau-Levenshtein distance, and nearer than any
// other name.
func Suggest(name string, known []string) string {
	best, bestD, tie := "", math.MaxInt, false
	for _, k := range known {
		d := distance(strings.ToLower(name), k)
		switch {
		case d < bestD:
			best, bestD, tie = k, d, false
		case d == bestD:
			tie = true
		}
	}
	if tie || bestD > max(1, len(best)/3) {
		return ""
	}
	return best
}

// distance is the optimal string alignment distance: insertions,
// deletions, substitutions and transpositions of neighbours.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
