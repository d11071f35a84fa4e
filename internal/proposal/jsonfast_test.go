package proposal

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sameAsDecoder checks that when readJSONFast reads data, readJSONDecoder
// reads it too, to the same report.
func sameAsDecoder(t *testing.T, data []byte) (fast bool) {
	t.Helper()
	data, err := checkText("f.json", data)
	if err != nil {
		return false
	}
	r, ok := readJSONFast("f.json", data, Limits{})
	if !ok {
		return false
	}
	want, err := readJSONDecoder("f.json", data, Limits{})
	if err != nil {
		t.Fatalf("the fast reader read what the decoder refuses (%v):\n%.2000q", err, data)
	}
	// reflect.DeepEqual first: it is fast on large unequal values.
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("the fast reader and the decoder differ:\nfast:    %.3000s\ndecoder: %.3000s\ninput: %.2000q",
			fmt.Sprintf("%+v", *r), fmt.Sprintf("%+v", *want), data)
	}
	return true
}

// TestReadJSONFastCorpus: every JSON twin of the real corpus takes the fast
// path, and reads to exactly what the decoder gives.
func TestReadJSONFastCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusDir(t), "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no JSON twins: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !sameAsDecoder(t, data) {
			t.Errorf("%s: the fast reader gave up on a generator twin", f)
		}
	}
}

// TestReadJSONFastGivesUp: what the fast reader leaves to the decoder, and
// what it reads itself.
func TestReadJSONFastGivesUp(t *testing.T) {
	ok := []string{
		strings.Replace(generatedJSON, ",\n  \"owner\": {\"team\": \"gate\"}", "", 1),
		`{"id":"fsar_x","proposal":"a\"b\\c\/d\b\f\n\r\t","severity":-0.5e+3,"block_execution":true,"risks":[],"mitigations":[ "x" , "y" ]}`,
		"{\"proposal\": \"\u00e9t\u00e9 \U0001F600\", \"severity\": 0, \"timestamp\": \"2026-01-02T00:18:13.191Z\"}\n\n",
		`{"proposal": "p", "severity": 1E2, "risks": ["r"]}`,
		`{"proposal": "p", "severity": 10.25}`,
	}
	giveUp := []string{
		generatedJSON, // an extra field: the decoder keeps its value
		``,
		`[]`,
		`{}`,
		`{"proposal": "p", "extra": 1}`,
		`{"proposal": "p", "proposal": "q"}`,
		`{"proposal": "\u00e9"}`,
		`{"proposal": "a\qb"}`,
		"{\"proposal\": \"a\tb\"}",
		`{"proposal": "p", "severity": "6"}`,
		`{"proposal": "p", "severity": 01}`,
		`{"proposal": "p", "severity": 1.}`,
		`{"proposal": "p", "severity": -}`,
		`{"proposal": "p", "severity": 1e}`,
		`{"proposal": "p", "severity": null}`,
		`{"proposal": "p", "block_execution": "true"}`,
		`{"proposal": "p", "block_execution": tru}`,
		`{"proposal": "p", "risks": [1]}`,
		`{"proposal": "p", "risks": ["a",]}`,
		`{"proposal": "p", "risks": "a"}`,
		`{"proposal": "p",}`,
		`{"proposal": "p"} x`,
		`{"proposal": "p"`,
		`{"proposal" "p"}`,
		`{"timestamp": "yesterday", "proposal": "p"}`,
		`{"severity": 1, "block_execution": false}`,
	}
	for _, s := range ok {
		if !sameAsDecoder(t, []byte(s)) {
			t.Errorf("gave up on %q", s)
		}
	}
	for _, s := range giveUp {
		if _, ok := readJSONFast("f.json", []byte(s), Limits{}); ok {
			t.Errorf("read %q, which is the decoder's to read or refuse", s)
		}
	}
}

// FuzzReadJSONFast: on any input, the fast reader either gives up or reads
// exactly what the decoder reads.
func FuzzReadJSONFast(f *testing.F) {
	f.Add([]byte(generatedJSON))
	f.Add([]byte(strings.Replace(generatedJSON, ",\n  \"owner\": {\"team\": \"gate\"}", "", 1)))
	f.Add([]byte(`{"id":"fsar_x","proposal":"a\"b\n[fsar_block]","severity":-0.5e+3,"block_execution":true,"risks":[],"mitigations":["x"]}`))
	f.Add([]byte(strings.ReplaceAll(generatedJSON, "\n", "\r\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsDecoder(t, data)
	})
}
