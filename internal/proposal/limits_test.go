package proposal

import (
	"encoding/json"
	"errors"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestSeverityIsOneNumber: a severity is the number every consumer sees.
// Policies get the decimal as written, outputs and twin comparison the
// float64 it is read as; one with more digits than a float64 keeps (here
// read as 45, the block threshold, while the decimal is below it) is a
// read error in every form, with its place. (Issue 12, defect 2.)
func TestSeverityIsOneNumber(t *testing.T) {
	const sev = "44.99999999999999999999"
	for name, tc := range map[string]struct {
		file, data string
		line, col  int
	}{
		"markdown": {"r.md", strings.Replace(generated, "- severity: 6", "- severity: "+sev, 1), 4, 13},
		"json":     {"r.json", strings.Replace(generatedJSON, `"severity": 6`, `"severity": `+sev, 1), 5, 15},
		"yaml":     {"r.yaml", strings.Replace(generatedYAML, "severity: 6", "severity: "+sev, 1), 5, 11},
	} {
		_, err := Parse(tc.file, []byte(tc.data), "")
		want := `severity "` + sev + `" has more digits than fsar keeps and would be read as 45`
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", name, err, want)
			continue
		}
		var e *Error
		if errors.As(err, &e) && (e.Pos.Line != tc.line || e.Pos.Column != tc.col) {
			t.Errorf("%s: error at %d:%d, want %d:%d", name, e.Pos.Line, e.Pos.Column, tc.line, tc.col)
		}
	}
	for _, ok := range []string{"6", "12.5", "6.50", "4.5e1", "0.1", "-3", "74.99999999999999"} {
		if _, exact, valid := parseSeverity(ok); !valid || !exact {
			t.Errorf("parseSeverity(%q) refused", ok)
		}
	}
	for _, bad := range []string{"1e-400", "0.1000000000000000000001", "1e99999999999999999999", "9007199254740993"} {
		if _, exact, valid := parseSeverity(bad); valid && exact {
			t.Errorf("parseSeverity(%q) accepted", bad)
		}
	}
	// Twins that write one number two ways agree.
	md, err := Parse("t.md", []byte(strings.Replace(generated, "- severity: 6", "- severity: 45.0", 1)), "")
	if err != nil {
		t.Fatal(err)
	}
	js, err := Parse("t.json", []byte(strings.Replace(generatedJSON, `"severity": 6`, `"severity": 4.5e1`, 1)), "")
	if err != nil {
		t.Fatal(err)
	}
	Pair(md, js)
	for _, c := range md.Conflicts {
		if c.Field == "severity" {
			t.Errorf("45.0 and 4.5e1 conflict: %+v", c)
		}
	}
}

// TestYAMLAliasesBounded: aliases may not expand a YAML report past the
// size limit, counted across the whole document, whatever field they are
// in; the error is at the alias that crosses it. (Issue 12, defect 3.)
func TestYAMLAliasesBounded(t *testing.T) {
	big := strings.Repeat("x", 10_000)
	var extra strings.Builder
	extra.WriteString("proposal: \"idea_implementation: x\"\nbase: &s \"" + big + "\"\n")
	for i := range 2000 {
		extra.WriteString("k" + strconv.Itoa(i) + ": [*s, *s, *s, *s, *s]\n")
	}
	var risks strings.Builder
	risks.WriteString("proposal: \"idea_implementation: x\"\ns: &s \"" + big + "\"\nrisks: [")
	for i := range 100_000 {
		if i > 0 {
			risks.WriteString(", ")
		}
		risks.WriteString("*s")
	}
	risks.WriteString("]\n")
	for name, doc := range map[string]string{"extra keys": extra.String(), "risks": risks.String()} {
		_, err := Parse("r.yaml", []byte(doc), "")
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Msg, "YAML aliases expand the document past 10 MiB") || e.Pos.Line < 3 {
			t.Errorf("%s (%d bytes): err = %v", name, len(doc), err)
		}
	}
	// A few aliases, as people write them, are fine.
	ok := "proposal: \"idea_implementation: x\"\nrisk: &r \"Slow failure: drift\"\nrisks: [*r, *r]\nmitigations: [\"Review\"]\n"
	if r, err := Parse("r.yaml", []byte(ok), ""); err != nil || len(r.Risks) != 2 {
		t.Errorf("two aliases: %v", err)
	}
	// The budget is the size limit: a smaller limit refuses sooner.
	if _, err := ParseLimited("r.yaml", []byte(ok), "", Limits{MaxBytes: 64}); err == nil {
		t.Error("a 64-byte budget accepted a document that expands past it")
	}
}

// TestListsBounded: a report lists at most MaxItems risks and as many
// mitigations, in every form; the error names the first item past the
// limit. (Issue 12, defect 4.)
func TestListsBounded(t *testing.T) {
	const n = 30
	lim := Limits{MaxItems: n - 1}
	md := "# FSAR Proposal Report\n- proposal:\n\nx\n\n## Risks\n" + strings.Repeat("- r\n", n)
	js := `{"proposal": "x", "mitigations": [` + strings.TrimSuffix(strings.Repeat(`"m", `, n), ", ") + `]}`
	jsPretty := "{\"proposal\": \"x\", \"risks\": [\n" + strings.TrimSuffix(strings.Repeat("\"r\",\n", n), ",\n") + "]}"
	yml := "proposal: x\nrisks:\n" + strings.Repeat("  - r\n", n)
	for _, tc := range []struct {
		file, data string
		want       Pos
	}{
		{"r.md", md, at(6+n, 1)},
		{"r.json", js, at(1, 35+5*(n-1))},
		{"r.json", jsPretty, at(1+n, 1)},
		{"r.yaml", yml, at(2+n, 5)},
	} {
		_, err := ParseLimited(tc.file, []byte(tc.data), "", lim)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Msg, "more than 29 items") || e.Pos != tc.want {
			t.Errorf("%s: err = %v, want one at %v", tc.file, err, tc.want)
		}
		if _, err := ParseLimited(tc.file, []byte(tc.data), "", Limits{MaxItems: n}); err != nil {
			t.Errorf("%s at the limit: %v", tc.file, err)
		}
	}
	// The default: 10,000.
	if _, err := Parse("r.md", []byte("# FSAR Proposal Report\n- proposal:\n\nx\n\n## Risks\n"+strings.Repeat("- r\n", DefaultMaxItems+1)), ""); err == nil {
		t.Error("10,001 risks read")
	}
}

// TestYAMLExtraNumberKeys: a hand-written field whose mapping has number
// keys reads with string keys, as JSON has them, so that the report can
// be printed and judged (it was an error naming a Go type, and fsar parse
// printed nothing at all). Found by FuzzReadYAML.
func TestYAMLExtraNumberKeys(t *testing.T) {
	r, err := Parse("r.yaml", []byte("proposal: x\nversions:\n  1: first\n  2.5: [a, {3: b}]\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(r.Doc(false)); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"1": "first", "2.5": []any{"a", map[string]any{"3": "b"}}}
	if !reflect.DeepEqual(r.Extra[0].Value, want) {
		t.Errorf("versions = %#v", r.Extra[0].Value)
	}
	if _, err := Parse("r.yaml", []byte("proposal: x\nversions:\n  1: a\n  1.0: b\n"), ""); err == nil || !strings.Contains(err.Error(), `two mapping keys read as "1"`) {
		t.Errorf("err = %v", err)
	}
}

// TestParseJSONShowsInvisibles: fsar parse keeps a report exact in JSON but
// writes its invisible characters (here a right-to-left override) as \u
// escapes, and never a raw "##[". (Issue 12, defect 12.)
func TestParseJSONShowsInvisibles(t *testing.T) {
	r, err := Parse("r.md", []byte(strings.Replace(generated, "Cache the policy", "Cache \u202ethe ##[error] policy", 1)), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"json", "jsonl"} {
		var b strings.Builder
		if err := WriteDocuments(&b, format, []*Document{r.Doc(false)}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "\u202e") || strings.Contains(b.String(), "##[") || !strings.Contains(b.String(), `Cache \u202ethe`) {
			t.Errorf("%s:\n%s", format, b.String())
		}
	}
}

// TestMarkersBounded: markers are objects in the policies' input, so a
// proposal holds at most MaxItems of them. (Issue 12, defect 4.)
func TestMarkersBounded(t *testing.T) {
	doc := "# FSAR Proposal Report\n- proposal:\n\nx" + strings.Repeat("[fsar_review]", 11) + "\n\n## Risks"
	_, err := ParseLimited("r.md", []byte(doc), "", Limits{MaxItems: 10})
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Msg, "more than 10 [fsar_block] and [fsar_review] markers") || e.Pos != at(4, 2+13*10) {
		t.Errorf("err = %v", err)
	}
}

// TestManyLinesBounded: a markdown file's lines cost four bytes each to
// index, so ten million of them stay far under the memory limit. (Issue
// 12: a 10 MiB file of line breaks took a gigabyte.)
func TestManyLinesBounded(t *testing.T) {
	data := []byte("# FSAR Proposal Report\n- proposal:\n\nx" + strings.Repeat("\n", 10<<20) + "y\n\n## Risks\n- r")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r, err := ParseLimited("r.md", data, "", Limits{MaxBytes: 11 << 20})
	runtime.ReadMemStats(&after)
	if err != nil || len(r.Risks) != 1 {
		t.Fatalf("%v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 100<<20 {
		t.Errorf("reading 10 MiB of line breaks allocated %d MB", grew>>20)
	}
}
