package proposal

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// content is what a report says, without where it says it.
type content struct {
	Missing                                  []string
	ID, Timestamp, SeverityText, Proposal    string
	BlockExecution                           bool
	Kind                                     string
	Risks, Categories, Horizons, Mitigations []string
	Extra                                    []string
	Markers                                  []string
}

func contentOf(r *Report) content {
	c := content{Missing: r.Missing(), ID: r.ID, Timestamp: r.Timestamp, SeverityText: r.SeverityText,
		Proposal: r.Proposal, BlockExecution: r.BlockExecution, Kind: r.Kind,
		Risks: r.RiskTexts(), Mitigations: r.MitigationTexts()}
	for _, it := range r.Risks {
		c.Categories = append(c.Categories, it.Category)
		c.Horizons = append(c.Horizons, it.Horizon)
	}
	for _, e := range r.Extra {
		c.Extra = append(c.Extra, e.Key+"="+e.Value.(string))
	}
	for _, m := range r.Markers {
		c.Markers = append(c.Markers, m.Name)
	}
	return c
}

// seeds are the project's own reports: the fixtures here and proposals/.
func seeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, pattern := range []string{"testdata/*.md", "../../proposals/*/*.md"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}

// FuzzReadMarkdown reads arbitrary input as markdown. It must never panic;
// a failure must be a positioned *Error; and a report that reads must read
// the same after Render writes it in the generator's format.
func FuzzReadMarkdown(f *testing.F) {
	f.Add([]byte(generated))
	f.Add([]byte(strings.ReplaceAll(generated, "\n", "\r\n")))
	f.Add([]byte("<!-- SYNOPSIS: FSAR Proposal Report -->\n\n" + generated))
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("f.md", data, Markdown)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !e.Pos.IsValid() || e.File != "f.md" {
				t.Fatalf("error without a position: %#v", err)
			}
			return
		}
		out := Render(r)
		r2, err := Parse("f.md", []byte(out), Markdown)
		if err != nil {
			t.Fatalf("rendered report does not read: %v\ninput: %q\nrendered: %q", err, data, out)
		}
		// reflect.DeepEqual first: cmp.Diff of large unequal texts is slow
		// enough to look like a hang to the fuzzer.
		if a, b := contentOf(r), contentOf(r2); !reflect.DeepEqual(a, b) {
			t.Fatalf("read → render → read changed the report:\nfirst:  %.2000q\nsecond: %.2000q\ninput: %.2000q\nrendered: %.2000q", fmt.Sprintf("%+v", a), fmt.Sprintf("%+v", b), data, out)
		}
	})
}

// FuzzReadAny reads arbitrary input in every form: never a panic, and a
// failure is always a positioned *Error naming the file.
func FuzzReadAny(f *testing.F) {
	f.Add([]byte(generatedJSON), uint8(0))
	f.Add([]byte(generatedYAML), uint8(1))
	f.Add([]byte(generated), uint8(2))
	f.Add([]byte(`{"risks": [1, {"a": null}], "severity": -0.5e-3}`), uint8(0))
	f.Add([]byte("risks: &a [x, *a]\nseverity: .inf\n"), uint8(1))
	forms := []Form{JSON, YAML, Markdown, ""}
	f.Fuzz(func(t *testing.T, data []byte, form uint8) {
		r, err := Parse("f", data, forms[int(form)%len(forms)])
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !e.Pos.IsValid() || e.File != "f" {
				t.Fatalf("error without a position: %#v", err)
			}
			return
		}
		// What reads must render and print without trouble.
		_ = Render(r)
		if _, err := json.Marshal(r.Doc(true)); err != nil {
			t.Fatalf("document does not marshal: %v", err)
		}
	})
}

// FuzzReadYAML reads arbitrary input as YAML within small limits. It must
// never panic; a failure must be a positioned *Error; and a report that
// reads holds no more than its limits allow, aliases expanded: at most
// MaxItems risks and mitigations, and an input for the policies no larger
// than a few times the size budget (JSON may escape a byte as six).
func FuzzReadYAML(f *testing.F) {
	f.Add([]byte(generatedYAML))
	f.Add([]byte("proposal: x\ns: &s \"abcdefgh\"\nrisks: [*s, *s, *s, *s]\nowner: {a: *s, b: [*s, *s]}\n"))
	f.Add([]byte("a: &a [1, 2]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\nproposal: x\n"))
	f.Add([]byte("proposal: x\nrisks: &r [a, b]\nmitigations: *r\nseverity: 4.5e1\n"))
	f.Add([]byte("id: fsar_x\nextra: &e {k: &k [*e]}\n"))
	lim := Limits{MaxBytes: 4 << 10, MaxItems: 8}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > int(lim.MaxBytes) {
			return // the file limit is the reader's caller's
		}
		r, err := ParseLimited("f.yaml", data, YAML, lim)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !e.Pos.IsValid() || e.File != "f.yaml" {
				t.Fatalf("error without a position: %#v", err)
			}
			return
		}
		if len(r.Risks) > lim.MaxItems || len(r.Mitigations) > lim.MaxItems {
			t.Fatalf("%d risks and %d mitigations, over the limit", len(r.Risks), len(r.Mitigations))
		}
		b, err := json.Marshal(r.Doc(true))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 6*int(lim.MaxBytes)+16<<10 {
			t.Fatalf("a %d-byte document reads as %d bytes", len(data), len(b))
		}
	})
}
