package proposal

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// corpusDir is the folder of real reports that the project's setup places
// beside the repository.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "lumin-lifeos")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real report corpus not found at %s (a clone outside the fsar workplace): %v", dir, err)
	}
	return dir
}

// generatorJSON is the generator's JSON form.
type generatorJSON struct {
	ID             string   `json:"id"`
	Timestamp      string   `json:"timestamp"`
	Proposal       string   `json:"proposal"`
	Severity       float64  `json:"severity"`
	Risks          []string `json:"risks"`
	Mitigations    []string `json:"mitigations"`
	BlockExecution bool     `json:"block_execution"`
}

// TestCorpusConformance reads every real markdown report and compares it
// with its JSON twin, parsed independently by encoding/json.
func TestCorpusConformance(t *testing.T) {
	dir := corpusDir(t)
	mds, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(mds) != 1331 {
		t.Fatalf("found %d markdown reports, want 1331", len(mds))
	}
	rendered := 0
	for _, md := range mds {
		raw, err := os.ReadFile(strings.TrimSuffix(md, ".md") + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var want generatorJSON
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("%s: %v", md, err)
		}
		r, err := ReadFile(md, Limits{})
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if len(r.Missing()) != 0 {
			t.Errorf("%s: fields missing: %v", md, r.Missing())
		}
		got := generatorJSON{
			ID: r.ID, Timestamp: r.Timestamp, Proposal: strings.ReplaceAll(r.Proposal, "\r", ""),
			Severity: r.Severity, Risks: r.RiskTexts(), Mitigations: r.MitigationTexts(), BlockExecution: r.BlockExecution,
		}
		want.Proposal = strings.ReplaceAll(want.Proposal, "\r", "")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s differs from its JSON twin (-json +markdown):\n%s", md, diff)
		}
		// The JSON reader agrees too, and the twins are found equal.
		j, err := ReadFile(strings.TrimSuffix(md, ".md")+".json", Limits{})
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		Pair(r, j)
		if len(r.Conflicts) != 0 {
			t.Errorf("%s: twins disagree: %+v", md, r.Conflicts)
		}
		// Rendering the JSON twin gives the markdown file, byte for byte,
		// after the SYNOPSIS line later copies carry.
		mdRaw, err := os.ReadFile(md)
		if err != nil {
			t.Fatal(err)
		}
		body := strings.TrimPrefix(string(mdRaw), "<!-- SYNOPSIS: FSAR Proposal Report -->\n\n")
		if got := Render(j); got != body {
			rendered++
			if !strings.Contains(j.Proposal, "\r") {
				t.Errorf("%s: Render(JSON twin) differs from the markdown file", md)
			}
		}
	}
	if rendered > 1 {
		t.Errorf("%d renders differ from their markdown file, want at most the one whose JSON holds a \\r", rendered)
	}
}
