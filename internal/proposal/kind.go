package proposal

import (
	"errors"
	"path/filepath"
	"strings"
)

// A reports folder holds other kinds of reports beside FSAR reports: the
// generator's own folder holds drift reports and quality regression
// reports, in markdown and JSON, some with id, timestamp and severity
// fields of their own. A document is an FSAR report when its markdown
// title or its JSON or YAML id says so, or its file name starts with
// "fsar"; a markdown file with another level-1 title, or a JSON or YAML
// document whose id has another prefix, is a report of another kind,
// named by that title or prefix: "drift", "quality_regression".

// maxKindLen bounds a kind's length: it comes from a document's text.
const maxKindLen = 64

// FSARName tells whether a file's name says it is an FSAR report (it
// starts with "fsar"): such a file that cannot be read is an error, never
// another kind of report.
func FSARName(path string) bool { return strings.HasPrefix(filepath.Base(path), "fsar") }

// kindOfTitle returns the kind a markdown level-1 title names ("# Drift
// Report": "drift"), or "" when the line is not a level-1 title.
func kindOfTitle(line string) string {
	t, ok := strings.CutPrefix(structural(line), "# ")
	if !ok {
		return ""
	}
	return kindOfWords(strings.FieldsFunc(t, func(c rune) bool { return !asciiAlnum(c) }))
}

// kindOfID returns the kind an id's prefix names ("drift_56f3d7ef-…":
// "drift"; "quality_regression_…": "quality_regression"): its leading
// words of letters only, separated by "_" and followed by more. It returns
// "fsar" for an FSAR id, and "" when the id has no such prefix.
func kindOfID(id string) string {
	if len(id) >= 5 && strings.EqualFold(id[:5], "fsar_") {
		return "fsar" // the common case, without splitting
	}
	parts := strings.Split(id, "_")
	n := 0
	for n < len(parts)-1 && lettersOnly(parts[n]) {
		n++
	}
	if n > 0 && strings.EqualFold(parts[0], "fsar") {
		return "fsar"
	}
	return kindOfWords(parts[:n])
}

func lettersOnly(s string) bool {
	for _, c := range s {
		if !asciiLetter(c) {
			return false
		}
	}
	return s != ""
}

func asciiLetter(c rune) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func asciiAlnum(c rune) bool  { return asciiLetter(c) || c >= '0' && c <= '9' }

// kindOfWords joins words into a kind: lower case, "_" between them, a
// last word "report" left out (so that the title "Drift Report" and the
// id prefix "drift_" name the same kind).
func kindOfWords(words []string) string {
	if n := len(words); n > 1 && strings.EqualFold(words[n-1], "report") {
		words = words[:n-1]
	}
	k := strings.ToLower(strings.Join(words, "_"))
	if len(k) > maxKindLen {
		k = k[:maxKindLen]
	}
	return k
}

// otherKind returns the kind of report a JSON or YAML document is by its
// id when that is not an FSAR report ("drift"), and "" when its id does
// not say so: no id, an fsar_ id, an id without a word prefix, or a file
// whose name says it is an FSAR report.
func (r *Report) otherKind() string {
	if FSARName(r.File) || !r.Has(FieldID) {
		return ""
	}
	if k := kindOfID(r.ID); k != "fsar" {
		return k
	}
	return ""
}

// KindOf returns the kind of report a read error says a file is instead
// of an FSAR report, or "" when it does not say (see ErrNotReport).
func KindOf(err error) string {
	var e *Error
	if errors.As(err, &e) && errors.Is(err, ErrNotReport) {
		return e.Kind
	}
	return ""
}

// OtherNote says what a skipped document is, for people: "not an FSAR
// report", with its kind when it says ("not an FSAR report; a report of
// another kind: drift"). The kind is report text: escape it for where it
// goes.
func OtherNote(kind string) string {
	if kind == "" {
		return "not an FSAR report"
	}
	return "not an FSAR report; a report of another kind: " + kind
}

// otherReport is the error for a document of another kind.
func otherReport(file string, pos Pos, kind, what string) *Error {
	e := notReport(file, pos, "%s", what)
	e.Kind = kind
	return e
}
