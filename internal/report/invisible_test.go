package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
)

// hidden holds the characters a reader cannot see: a right-to-left
// override, a zero-width space, a word joiner, a byte-order mark and tag
// characters spelling "hi" (U+E0068, U+E0069).
const hidden = "a\u202eb\u200bc\u2060d\ufeffe\U000E0068\U000E0069f"

// TestInvisibleCharactersShown: every format shows invisible characters
// escaped — text, markdown, SARIF messages, JUnit and annotations — and
// JSON keeps them exact but writes them as \u escapes; a GH-123 reference
// does not link in markdown. (Issue 12, defect 12.)
func TestInvisibleCharactersShown(t *testing.T) {
	res := &gate.Result{Schema: gate.Schema, Reports: []gate.Report{{
		File: "r.md", ID: "fsar_" + hidden, Verdict: gate.Block,
		Findings: []gate.Finding{{Level: policy.Deny, Rule: "r", Message: "proposal says " + hidden + " and GH-123", Location: gate.Location{File: "r.md", Line: 3}}},
	}}}
	res.Summarize()
	raw := []string{"\u202e", "\u200b", "\u2060", "\ufeff", "\U000E0068"}
	for _, format := range Names() {
		f, err := New(format, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := f.Format(&b, res); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, r := range raw {
			if strings.Contains(out, r) {
				t.Errorf("%s output holds %U as itself", format, []rune(r)[0])
			}
		}
		switch format {
		case "json":
			var back gate.Result
			if err := json.Unmarshal(b.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
			if back.Reports[0].ID != "fsar_"+hidden {
				t.Errorf("json changed the id: %q", back.Reports[0].ID)
			}
			if !strings.Contains(out, `a\u202eb\u200bc\u2060d\ufeffe\udb40\udc68\udb40\udc69f`) {
				t.Errorf("json does not escape them:\n%s", out)
			}
		case "markdown":
			if strings.Contains(out, "GH-123") {
				t.Errorf("markdown links GH-123")
			}
		default:
			if !strings.Contains(out, `\u202e`) {
				t.Errorf("%s does not show U+202E escaped:\n%s", format, out)
			}
		}
	}
}
