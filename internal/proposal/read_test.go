package proposal

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// generated is a report in the generator's exact markdown form.
const generated = `# FSAR Proposal Report
- id: fsar_3730ef09-fe7e-4a38-aecb-e1e458130762
- timestamp: 2026-01-02T00:18:13.191Z
- severity: 6
- block_execution: false
- proposal:

self_improvement: Cache the policy bundle between runs.

## Risks
- Slow failure: unnoticed degradation accumulating by 2028-01-02
- Stale cache: a policy change is not picked up

## Mitigations
- Key the cache by the bundle digest
- Add a --no-cache flag`

// view is the part of a Report the table tests compare.
type view struct {
	Missing        []string
	ID             string
	Timestamp      string
	Severity       float64
	SeverityText   string
	BlockExecution bool
	Proposal       string
	Kind           string
	Risks          []Item
	Mitigations    []Item
	Extra          []Extra
	Markers        []Marker
	Pos            map[Field]Pos
}

func viewOf(r *Report) view {
	return view{
		Missing: r.Missing(), ID: r.ID, Timestamp: r.Timestamp, Severity: r.Severity, SeverityText: r.SeverityText,
		BlockExecution: r.BlockExecution, Proposal: r.Proposal, Kind: r.Kind, Risks: r.Risks, Mitigations: r.Mitigations,
		Extra: r.Extra, Markers: r.Markers, Pos: r.Pos,
	}
}

func at(line, col int) Pos { return Pos{Line: line, Column: col} }

// generatedView is what generated reads to; shift moves every line.
func generatedView(shift int) view {
	l := func(n int) Pos { return at(n+shift, 1) }
	return view{
		ID: "fsar_3730ef09-fe7e-4a38-aecb-e1e458130762", Timestamp: "2026-01-02T00:18:13.191Z",
		Severity: 6, SeverityText: "6", Proposal: "self_improvement: Cache the policy bundle between runs.",
		Kind: "self_improvement",
		Risks: []Item{
			{Text: "Slow failure: unnoticed degradation accumulating by 2028-01-02", Pos: l(11), Category: "Slow failure", Horizon: "2028-01-02"},
			{Text: "Stale cache: a policy change is not picked up", Pos: l(12), Category: "Stale cache"},
		},
		Mitigations: []Item{{Text: "Key the cache by the bundle digest", Pos: l(15)}, {Text: "Add a --no-cache flag", Pos: l(16)}},
		Pos: map[Field]Pos{FieldID: l(2), FieldTimestamp: l(3), FieldSeverity: l(4), FieldBlockExecution: l(5),
			FieldProposal: l(6), FieldRisks: l(10), FieldMitigations: l(14)},
	}
}

func TestReadMarkdownVariants(t *testing.T) {
	bodyWithSections := "self_improvement: Split the gate.\n\n## Plan\n- step one\n- step two\n\n## Risks\nnot really: this is the body\n\n## Mitigations\n* also body"
	tests := []struct {
		name string
		in   string
		want func() view
	}{
		{"generator format", generated, func() view { return generatedView(0) }},
		{"synopsis comment first", "<!-- SYNOPSIS: FSAR Proposal Report -->\n\n" + generated, func() view { return generatedView(2) }},
		{"multi-line comment first", "<!--\n  written by hand\n-->\n" + generated, func() view { return generatedView(3) }},
		{"CRLF line ends", strings.ReplaceAll(generated, "\n", "\r\n"), func() view { return generatedView(0) }},
		{"byte order mark", bom + generated, func() view { return generatedView(0) }},
		{"star bullets", strings.ReplaceAll(generated, "\n- ", "\n* "), func() view { return generatedView(0) }},
		{"trailing newline and spaces after markup", strings.ReplaceAll(generated, "## Risks", "## Risks  ") + "\n", func() view { return generatedView(0) }},
		{"lower-case section headings", strings.Replace(strings.Replace(generated, "## Risks", "## risks", 1), "## Mitigations", "## MITIGATIONS", 1), func() view { return generatedView(0) }},
		{"body with its own headings and bullets", strings.Replace(generated, "self_improvement: Cache the policy bundle between runs.", bodyWithSections, 1), func() view {
			v := generatedView(10)
			v.Pos[FieldID], v.Pos[FieldTimestamp], v.Pos[FieldSeverity], v.Pos[FieldBlockExecution], v.Pos[FieldProposal] = at(2, 1), at(3, 1), at(4, 1), at(5, 1), at(6, 1)
			v.Proposal = bodyWithSections
			return v
		}},
		{"decimal severity", strings.Replace(generated, "severity: 6", "severity: 12.5", 1), func() view {
			v := generatedView(0)
			v.Severity, v.SeverityText = 12.5, "12.5"
			return v
		}},
		{"extra header fields kept", strings.Replace(generated, "- proposal:", "- owner: alice@example.com\n- ticket: OPS-12\n- proposal:", 1), func() view {
			v := generatedView(2)
			for _, f := range []Field{FieldID, FieldTimestamp, FieldSeverity, FieldBlockExecution} {
				v.Pos[f] = at(v.Pos[f].Line-2, 1)
			}
			v.Extra = []Extra{{Key: "owner", Value: "alice@example.com", Pos: at(6, 1)}, {Key: "ticket", Value: "OPS-12", Pos: at(7, 1)}}
			return v
		}},
		{"markers in any case, with positions", strings.Replace(generated, "between runs.", "between runs. [FSAR_Review]\n  then [fsar_block] [fsar_other]", 1), func() view {
			v := generatedView(1)
			for _, f := range []Field{FieldID, FieldTimestamp, FieldSeverity, FieldBlockExecution, FieldProposal} {
				v.Pos[f] = at(v.Pos[f].Line-1, 1)
			}
			v.Proposal = "self_improvement: Cache the policy bundle between runs. [FSAR_Review]\n  then [fsar_block] [fsar_other]"
			v.Markers = []Marker{{Name: "fsar_review", Pos: at(8, 57)}, {Name: "fsar_block", Pos: at(9, 8)}}
			return v
		}},
		{"proposal without a kind", strings.Replace(generated, "self_improvement: Cache", "Cache: the", 1), func() view {
			v := generatedView(0)
			v.Proposal, v.Kind = "Cache: the the policy bundle between runs.", "Cache"
			return v
		}},
		{"proposal whose first words are no kind", strings.Replace(generated, "self_improvement: Cache", "Please cache", 1), func() view {
			v := generatedView(0)
			v.Proposal, v.Kind = "Please cache the policy bundle between runs.", ""
			return v
		}},
		{"missing fields and sections are absent, not errors", "# FSAR Proposal Report\n- id: x\n- proposal:\n\nonly this", func() view {
			return view{Missing: []string{"block_execution", "mitigations", "risks", "severity", "timestamp"}, ID: "x",
				Proposal: "only this", Pos: map[Field]Pos{FieldID: at(2, 1), FieldProposal: at(3, 1)}}
		}},
		{"empty sections are present and empty", "# FSAR Proposal Report\n## Risks\n\n## Mitigations\n", func() view {
			return view{Missing: []string{"block_execution", "id", "proposal", "severity", "timestamp"},
				Risks: []Item{}, Mitigations: []Item{}, Pos: map[Field]Pos{FieldRisks: at(2, 1), FieldMitigations: at(4, 1)}}
		}},
		{"proposal keeping blank lines and a trailing newline", "# FSAR Proposal Report\n- proposal:\n\n\nindented\n\n\n## Risks", func() view {
			return view{Missing: []string{"block_execution", "id", "mitigations", "severity", "timestamp"},
				Proposal: "\nindented\n", Risks: []Item{}, Pos: map[Field]Pos{FieldProposal: at(2, 1), FieldRisks: at(8, 1)}}
		}},
		{"empty list items", "# FSAR Proposal Report\n## Risks\n-\n- \n## Mitigations\n*", func() view {
			return view{Missing: []string{"block_execution", "id", "proposal", "severity", "timestamp"},
				Risks:       []Item{{Text: "", Pos: at(3, 1)}, {Text: "", Pos: at(4, 1)}},
				Mitigations: []Item{{Text: "", Pos: at(6, 1)}}, Pos: map[Field]Pos{FieldRisks: at(2, 1), FieldMitigations: at(5, 1)}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse("r.md", []byte(tt.in), "")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := tt.want()
			if want.Missing == nil {
				want.Missing = nil
			}
			if diff := cmp.Diff(want, viewOf(r)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadGeneratorTime(t *testing.T) {
	r, err := Parse("r.md", []byte(generated), "")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 1, 2, 0, 18, 13, 191e6, time.UTC)
	if !r.Time.Equal(want) {
		t.Errorf("Time = %v, want %v", r.Time, want)
	}
}

const generatedJSON = `{
  "id": "fsar_3730ef09-fe7e-4a38-aecb-e1e458130762",
  "timestamp": "2026-01-02T00:18:13.191Z",
  "proposal": "self_improvement: Cache the policy bundle between runs.",
  "severity": 6,
  "risks": [
    "Slow failure: unnoticed degradation accumulating by 2028-01-02",
    "Stale cache: a policy change is not picked up"
  ],
  "mitigations": ["Key the cache by the bundle digest", "Add a --no-cache flag"],
  "block_execution": false,
  "owner": {"team": "gate"}
}`

const generatedYAML = `# hand-written
id: fsar_3730ef09-fe7e-4a38-aecb-e1e458130762
timestamp: 2026-01-02T00:18:13.191Z
proposal: "self_improvement: Cache the policy bundle between runs."
severity: 6
risks:
  - "Slow failure: unnoticed degradation accumulating by 2028-01-02"
  - "Stale cache: a policy change is not picked up"
mitigations:
  - Key the cache by the bundle digest
  - Add a --no-cache flag
block_execution: false
owner: alice
`

func TestReadOtherForms(t *testing.T) {
	jsonView := generatedView(0)
	jsonView.Pos = map[Field]Pos{FieldID: at(2, 3), FieldTimestamp: at(3, 3), FieldProposal: at(4, 3), FieldSeverity: at(5, 3),
		FieldRisks: at(6, 3), FieldMitigations: at(10, 3), FieldBlockExecution: at(11, 3)}
	jsonView.Risks[0].Pos, jsonView.Risks[1].Pos = at(7, 5), at(8, 5)
	jsonView.Mitigations[0].Pos, jsonView.Mitigations[1].Pos = at(10, 19), at(10, 57)
	jsonView.Extra = []Extra{{Key: "owner", Value: map[string]any{"team": "gate"}, Pos: at(12, 3)}}

	yamlView := generatedView(0)
	yamlView.Pos = map[Field]Pos{FieldID: at(2, 1), FieldTimestamp: at(3, 1), FieldProposal: at(4, 1), FieldSeverity: at(5, 1),
		FieldRisks: at(6, 1), FieldMitigations: at(9, 1), FieldBlockExecution: at(12, 1)}
	yamlView.Risks[0].Pos, yamlView.Risks[1].Pos = at(7, 5), at(8, 5)
	yamlView.Mitigations[0].Pos, yamlView.Mitigations[1].Pos = at(10, 5), at(11, 5)
	yamlView.Extra = []Extra{{Key: "owner", Value: "alice", Pos: at(13, 1)}}

	tests := []struct {
		name, file, in string
		form           Form
		want           view
	}{
		{"json by extension", "r.json", generatedJSON, JSON, jsonView},
		{"yaml by extension", "r.yaml", generatedYAML, YAML, yamlView},
		{"yml by extension", "r.yml", generatedYAML, YAML, yamlView},
		{"json sniffed on stdin", "-", generatedJSON, JSON, jsonView},
		{"yaml sniffed on stdin", "-", generatedYAML, YAML, yamlView},
		{"markdown sniffed on stdin", "-", generated, Markdown, generatedView(0)},
		{"markdown sniffed for another extension", "report.txt", "<!-- x -->\n" + generated, Markdown, generatedView(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.file, []byte(tt.in), "")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if r.Form != tt.form {
				t.Errorf("form = %s, want %s", r.Form, tt.form)
			}
			if diff := cmp.Diff(tt.want, viewOf(r)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadJSONMarkersAndTypes(t *testing.T) {
	r, err := Parse("r.json", []byte(`{"proposal": "x [FSAR_BLOCK] y", "severity": 4.5e1, "risks": []}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Marker{{Name: "fsar_block", Pos: at(1, 14)}}, r.Markers); diff != "" {
		t.Errorf("markers (-want +got):\n%s", diff)
	}
	if r.Severity != 45 || r.SeverityText != "4.5e1" {
		t.Errorf("severity = %v %q", r.Severity, r.SeverityText)
	}
	if !r.Has(FieldRisks) || len(r.Risks) != 0 {
		t.Errorf("risks: has=%v %v", r.Has(FieldRisks), r.Risks)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, file, in string
		pos            Pos
		msg            string // a part of the message
		notReport      bool
	}{
		{"severity not a number", "r.md", strings.Replace(generated, "severity: 6", "severity: high", 1), at(4, 13), `severity "high": expected a number`, false},
		{"severity with a unit", "r.md", strings.Replace(generated, "severity: 6", "severity: 6 points", 1), at(4, 13), "expected a number", false},
		{"block_execution not a boolean", "r.md", strings.Replace(generated, "block_execution: false", "block_execution: yes", 1), at(5, 20), "expected true or false", false},
		{"timestamp not a time", "r.md", strings.Replace(generated, "2026-01-02T00:18:13.191Z", "yesterday", 1), at(3, 14), "expected an ISO 8601 time", false},
		{"header field twice", "r.md", strings.Replace(generated, "- severity: 6", "- severity: 6\n- severity: 7", 1), at(5, 1), `"severity" given twice (first at line 4)`, false},
		{"extra header field twice", "r.md", strings.Replace(generated, "- proposal:", "- owner: a\n- owner: b\n- proposal:", 1), at(7, 1), `"owner" given twice`, false},
		{"risks as a header field", "r.md", strings.Replace(generated, "- proposal:", "- risks: none\n- proposal:", 1), at(6, 1), `"risks" is a section`, false},
		{"header line of another shape", "r.md", strings.Replace(generated, "- severity: 6", "severity = 6", 1), at(4, 1), `expected a header line "- key: value"`, false},
		{"prose in the risks section", "r.md", strings.Replace(generated, "- Stale cache", "Stale cache", 1), at(12, 1), `expected a list item "- text" under "## Risks"`, false},
		{"nested item in mitigations", "r.md", generated + "\n  - nested", at(17, 1), `under "## Mitigations"`, false},
		{"invalid UTF-8", "r.md", strings.Replace(generated, "Cache the", "Cache \xff the", 1), at(8, 25), "invalid UTF-8 (byte 0xff)", false},
		{"invalid UTF-8 after wide characters", "r.md", strings.Replace(generated, "Cache the", "Cäché \xc3", 1), at(8, 25), "invalid UTF-8", false},
		{"NUL byte", "r.md", strings.Replace(generated, "between", "be\x00tween", 1), at(8, 45), "NUL byte", false},
		{"NUL byte in JSON", "r.json", "{\n \"id\": \"a\x00\"}", at(2, 10), "NUL byte", false},
		{"proposal text on the header line", "r.md", "# FSAR Proposal Report\n- proposal: inline\n\n## Risks", at(2, 13), "expected the proposal on the lines below it", false},
		{"unclosed HTML comment", "r.md", "\n<!-- SYNOPSIS\n" + generated, at(2, 1), "never closed", false},
		{"not a report: another markdown document", "README.md", "# fsar\n\nGate FSAR reports.", at(1, 1), `expected the title "# FSAR Proposal Report", found "# fsar"`, true},
		{"not a report: empty file", "r.md", "", at(1, 1), "empty", true},
		{"not a report: a title after prose", "r.md", "hello\n" + generated, at(1, 1), "expected the title", true},
		{"json severity a string", "r.json", "{\n  \"severity\": \"6\"\n}", at(2, 15), "severity: expected a number, found a string", false},
		{"json block_execution a string", "r.json", `{"block_execution": "false"}`, at(1, 21), "block_execution: expected true or false, found a string", false},
		{"json id null", "r.json", `{"id": null}`, at(1, 8), "id: expected a string, found null", false},
		{"json risks not a list", "r.json", `{"risks": "none"}`, at(1, 11), "risks: expected an array of strings", false},
		{"json risk item a number", "r.json", "{\"risks\": [\"a\",\n   7]}", at(2, 4), "risks[1]: expected a string, found a number", false},
		{"json field twice", "r.json", "{\"id\": \"a\",\n \"id\": \"b\"}", at(2, 2), `field "id" given twice (first at line 1)`, false},
		{"json syntax error", "r.json", "{\"id\": \"a\",\n \"severity\": 6,,\n}", at(2, 16), "invalid JSON", false},
		{"json cut short", "r.json", "{\"id\": \"a\"", at(1, 11), "invalid JSON", false},
		{"json trailing data", "r.json", "{\"id\": \"a\"}\n {}", at(2, 2), "unexpected data after the JSON object", false},
		{"json timestamp not a time", "r.json", `{"timestamp": "2026-13-01"}`, at(1, 15), "expected an ISO 8601 time", false},
		{"not a report: json array", "r.json", "[1, 2]", at(1, 1), "expected a JSON object", true},
		{"not a report: json without report fields", "package.json", `{"name": "x"}`, at(1, 1), "it has none of the fields id, timestamp", true},
		{"not a report: a drift report with a timestamp", "drift.json", `{"timestamp": "2026-01-02T00:18:13.191Z", "severity": 3, "drift": 0.4}`, at(1, 1), "it has only timestamp, severity, and neither a proposal nor an fsar_ id", true},
		{"yaml severity a string", "r.yaml", "id: a\nseverity: high\n", at(2, 11), "severity: expected a number", false},
		{"yaml severity in hex", "r.yaml", "severity: 0x10\n", at(1, 11), "expected a decimal number", false},
		{"yaml block_execution a string", "r.yaml", "block_execution: \"no\"\n", at(1, 18), "block_execution: expected true or false", false},
		{"yaml field twice", "r.yaml", "id: a\nseverity: 1\nid: b\n", at(3, 1), `field "id" given twice (first at line 1)`, false},
		{"yaml risks not a list", "r.yaml", "risks: {a: b}\n", at(1, 8), "risks: expected a list of strings, found a mapping", false},
		{"yaml risk item a mapping", "r.yaml", "risks:\n  - a\n  - b: c\n", at(3, 5), "risks[1]: expected a string, found a mapping", false},
		{"yaml syntax error", "r.yaml", "id: a\nrisks: [a, b\n", at(2, 1), "invalid YAML", false},
		{"yaml two documents", "r.yaml", "id: a\n---\nid: b\n", at(2, 1), "a second YAML document", false},
		{"not a report: yaml list", "r.yaml", "- a\n- b\n", at(1, 1), "expected a YAML mapping", true},
		{"not a report: yaml workflow", "ci.yml", "name: ci\non: push\n", at(1, 1), "it has none of the fields", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.file, []byte(tt.in), "")
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", r)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v, want *Error", err, err)
			}
			if e.File != tt.file || e.Pos != tt.pos {
				t.Errorf("error at %s:%d:%d, want %s:%d:%d (%v)", e.File, e.Pos.Line, e.Pos.Column, tt.file, tt.pos.Line, tt.pos.Column, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			wantPrefix := fmt.Sprintf("%s:%d:%d: ", tt.file, tt.pos.Line, tt.pos.Column)
			if !strings.HasPrefix(err.Error(), wantPrefix) {
				t.Errorf("error %q does not start with %q", err, wantPrefix)
			}
			if got := errors.Is(err, ErrNotReport); got != tt.notReport {
				t.Errorf("errors.Is(err, ErrNotReport) = %v, want %v", got, tt.notReport)
			}
		})
	}
}

// TestReadManyMarkers guards against work that grows with the square of
// the markers in one line.
func TestReadManyMarkers(t *testing.T) {
	body := strings.Repeat("[fsar_review]", 200_000)
	r, err := ParseLimited("r.md", []byte("# FSAR Proposal Report\n- proposal:\n\nx"+body+"\n\n## Risks"), "", Limits{MaxItems: 200_000})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Markers) != 200_000 {
		t.Fatalf("%d markers", len(r.Markers))
	}
	if last := r.Markers[len(r.Markers)-1].Pos; last != at(4, 2+13*199_999) {
		t.Errorf("last marker at %v", last)
	}
}

// TestReadManyJSONItems guards the JSON reader the same way.
func TestReadManyJSONItems(t *testing.T) {
	items := strings.TrimSuffix(strings.Repeat("\"a risk\",\n", 100_000), ",\n")
	r, err := ParseLimited("r.json", []byte("{\"proposal\": \"p\", \"risks\": [\n"+items+"]}"), "", Limits{MaxItems: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Risks) != 100_000 || r.Risks[99_999].Pos != at(100_001, 1) {
		t.Fatalf("%d risks, last at %v", len(r.Risks), r.Risks[len(r.Risks)-1].Pos)
	}
}

// TestSizeLimit: a file over the limit is refused, at the place where it
// crosses the limit.
func TestSizeLimit(t *testing.T) {
	_, err := ReadAll("big.md", strings.NewReader(generated), Limits{MaxBytes: 30})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	// Byte 30 is on line 2: "# FSAR Proposal Report\n" is 23 bytes.
	if e.Pos != at(2, 8) || !strings.Contains(e.Msg, "larger than the limit of 30 bytes") {
		t.Errorf("error %v at %v", err, e.Pos)
	}
	if _, err := ReadAll("ok.md", strings.NewReader(generated), Limits{MaxBytes: int64(len(generated))}); err != nil {
		t.Errorf("a file exactly at the limit: %v", err)
	}
	if _, err := ReadAll("ok.md", strings.NewReader(generated), Limits{}); err != nil {
		t.Errorf("the default limit: %v", err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1": 1, "512B": 512, "64KiB": 64 << 10, "10MiB": 10 << 20, "1GiB": 1 << 30} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "ten", "10MB", "2000GiB"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) succeeded", in)
		}
	}
}
