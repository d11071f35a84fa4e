package proposal

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// numberPattern is JSON's number grammar: what severity may be written as.
var numberPattern = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// parseSeverity reads a severity as written: ok is false when it is not a
// finite number. Policies see the severity as the exact decimal written;
// the outputs, the sweep's bands and the twin comparison use the float64
// it is read as. So that they all see one number, a severity must be
// exactly that float64's decimal (inexact reports which is not): at most
// 15 significant digits always are, and 44.99999999999999999999 (read as
// 45) is not.
func parseSeverity(text string) (v float64, exact, ok bool) {
	if !numberPattern.MatchString(text) {
		return 0, false, false
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false, false
	}
	return v, sameDecimal(text, strconv.FormatFloat(v, 'g', -1, 64)), true
}

// inexactSeverity is the error message for a severity that is not the
// number it is read as.
func inexactSeverity(text string, v float64) string {
	return fmt.Sprintf("severity %q has more digits than fsar keeps and would be read as %s: write it with at most 15 significant digits",
		clip(text), strconv.FormatFloat(v, 'g', -1, 64))
}

// sameDecimal tells whether two JSON numbers are the same decimal value.
func sameDecimal(a, b string) bool {
	na, oka := normalDecimal(a)
	nb, okb := normalDecimal(b)
	return oka && okb && na == nb
}

// normalDecimal writes a JSON number as sign, significant digits and the
// position of the decimal point: "-12.50e1" and "-125" are both "-125@3";
// every zero is "0".
func normalDecimal(s string) (string, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	exp := 0
	if hasExp {
		var err error
		if exp, err = strconv.Atoi(expText); err != nil || exp > 1<<20 || exp < -(1<<20) {
			return "", false
		}
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits, point := intPart+frac, len(intPart)+exp
	for len(digits) > 0 && digits[0] == '0' {
		digits, point = digits[1:], point-1
	}
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		return "0", true
	}
	sign := ""
	if neg {
		sign = "-"
	}
	return sign + digits + "@" + strconv.Itoa(point), true
}

// parseTimestamp reads an ISO 8601 / RFC 3339 time such as
// 2026-01-02T00:18:13.191Z.
func parseTimestamp(text string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// reserved header keys that are sections in markdown.
func isSectionName(key string) bool { return key == "risks" || key == "mitigations" }

// setHeader records a markdown header field. at is the line's position,
// val the position of its value.
func (r *Report) setHeader(file, key, value string, at, val Pos) error {
	switch key {
	case "id":
		r.ID = value
		r.Set(FieldID, at)
	case "timestamp":
		t, ok := parseTimestamp(value)
		if !ok {
			return errAt(file, val, "timestamp %q: expected an ISO 8601 time such as 2026-01-02T00:18:13.191Z", clip(value))
		}
		r.Timestamp, r.Time = value, t
		r.Set(FieldTimestamp, at)
	case "severity":
		v, exact, ok := parseSeverity(value)
		if !ok {
			return errAt(file, val, "severity %q: expected a number such as 6 or 12.5", clip(value))
		}
		if !exact {
			return errAt(file, val, "%s", inexactSeverity(value, v))
		}
		r.Severity, r.SeverityText = v, value
		r.Set(FieldSeverity, at)
	case "block_execution":
		switch value {
		case "true":
			r.BlockExecution = true
		case "false":
			r.BlockExecution = false
		default:
			return errAt(file, val, "block_execution %q: expected true or false", clip(value))
		}
		r.Set(FieldBlockExecution, at)
	default:
		if isSectionName(key) {
			return errAt(file, at, "%q is a section (\"## %s%s\"), not a header field", key, strings.ToUpper(key[:1]), key[1:])
		}
		r.Extra = append(r.Extra, Extra{Key: key, Value: value, Pos: at})
	}
	return nil
}

// derive fills what follows from the fields: the kind, risk categories and
// horizons.
func (r *Report) derive() {
	r.Kind = proposalKind(r.Proposal)
	for i := range r.Risks {
		it := &r.Risks[i]
		it.Category = riskCategory(it.Text)
		it.Horizon = horizon(it.Text)
	}
}

// horizon returns the date of a trailing "by YYYY-MM-DD" (after a space or
// at the start), when it is a real date.
func horizon(t string) string {
	t = strings.TrimRight(t, " \t\r\n")
	const n = len("by 2006-01-02")
	if len(t) < n {
		return ""
	}
	tail := t[len(t)-n:]
	if tail[:3] != "by " || (len(t) > n && !isSpace(t[len(t)-n-1])) {
		return ""
	}
	date := tail[3:]
	for i := 0; i < len(date); i++ {
		if i == 4 || i == 7 {
			if date[i] != '-' {
				return ""
			}
		} else if date[i] < '0' || date[i] > '9' {
			return ""
		}
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return ""
	}
	return date
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// proposalKind returns the word before the first colon of the proposal,
// when the text starts with one word and a colon.
func proposalKind(p string) string {
	p = strings.TrimLeft(p, " \t\r\n")
	colon := strings.IndexByte(p, ':')
	if colon <= 0 {
		return ""
	}
	word := p[:colon]
	for i := 0; i < len(word); i++ {
		c := word[i]
		if !isWordByte(c) {
			return ""
		}
	}
	return word
}

// isWordByte reports whether c may stand in a kind or a header key.
func isWordByte(c byte) bool {
	return c == '_' || c == '-' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// riskCategory returns the text before a risk's first colon ("Slow
// failure"), or "".
func riskCategory(t string) string {
	colon := strings.IndexByte(t, ':')
	if colon <= 0 {
		return ""
	}
	c := strings.TrimSpace(t[:colon])
	if strings.ContainsAny(c, "\n") {
		return ""
	}
	return c
}

// eachMarker calls fn for each marker in s, with its byte offset.
func eachMarker(s string, fn func(name string, off int)) {
	for off := 0; off < len(s); {
		k := strings.IndexByte(s[off:], '[')
		if k < 0 {
			return
		}
		if name, n := markerAt(s[off+k:]); n > 0 {
			fn(name, off+k)
			off += k + n
			continue
		}
		off += k + 1
	}
}

// scanMarkers finds markers in a proposal read from a form without line
// structure (JSON, YAML): each is placed at the proposal's own position.
func scanMarkers(p string, at Pos) []Marker {
	var out []Marker
	eachMarker(p, func(name string, _ int) { out = append(out, Marker{Name: name, Pos: at}) })
	return out
}

// looksLikeReport tells a JSON or YAML document that is an FSAR report,
// however incomplete, from another document that shares a field name with
// one (a drift report with a timestamp): it has a proposal, or an id of the
// generator's form, or at least three of the seven fields.
func (r *Report) looksLikeReport() bool {
	if r.Has(FieldProposal) || (r.Has(FieldID) && strings.HasPrefix(r.ID, "fsar_")) {
		return true
	}
	return len(GeneratorFields)-len(r.Missing()) >= 3
}

// decide says what a JSON or YAML document read whole is (form names
// it: "JSON object"): another kind of report when its id says so (see
// otherKind), else an FSAR report whose first wrong field is fieldErr,
// else not a report at all when it does not look like one; nil when it is
// an FSAR report.
func (r *Report) decide(pos Pos, form string, fieldErr error) error {
	if k := r.otherKind(); k != "" {
		return otherReport(r.File, pos, k, fmt.Sprintf("%s is a report of another kind, %s (its id is %q): not an FSAR report", form, k, clip(r.ID)))
	}
	if fieldErr != nil {
		return fieldErr
	}
	if !r.looksLikeReport() {
		return notReport(r.File, pos, "%s is not an FSAR report: %s", form, r.fieldCensus())
	}
	return nil
}

// fieldCensus says which generator fields a document has, for the error
// about one that is not a report.
func (r *Report) fieldCensus() string {
	var have []string
	for _, f := range GeneratorFields {
		if r.Has(f) {
			have = append(have, f.String())
		}
	}
	if len(have) == 0 {
		return "it has none of the fields id, timestamp, proposal, severity, risks, mitigations, block_execution"
	}
	return "it has only " + strings.Join(have, ", ") + ", and neither a proposal nor an fsar_ id (expected at least three of the seven fields)"
}
