package report

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fsar-gate/fsar/internal/config"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/testkit"
)

// goldenExt names each format's golden file.
var goldenExt = map[string]string{
	"text":     "txt",
	"json":     "json",
	"markdown": "md",
	"junit":    "junit.xml",
	"sarif":    "sarif",
	"github":   "github.txt",
}

var (
	proposalsOnce  sync.Once
	proposalsRes   *gate.Result
	proposalsRules []policy.Rule
)

// proposalsResult is `fsar check --now 2026-11-25T12:00:00Z proposals/`
// run from the repository's root, so that paths are repository-relative.
func proposalsResult(t *testing.T) (*gate.Result, []policy.Rule) {
	t.Helper()
	proposalsOnce.Do(func() {
		t.Chdir(repoRoot(t))
		proposalsRes, proposalsRules = check(t, nil, "proposals")
	})
	if proposalsRes == nil {
		t.Fatal("checking proposals/ failed in an earlier test")
	}
	return proposalsRes, proposalsRules
}

var (
	waivedOnce  sync.Once
	waivedRes   *gate.Result
	waivedRules []policy.Rule
)

// waivedResult is proposalsResult with the waivers of
// testdata/waivers.yaml: in use, expiring, expired and unused.
func waivedResult(t *testing.T) (*gate.Result, []policy.Rule) {
	t.Helper()
	waivedOnce.Do(func() {
		t.Chdir(repoRoot(t))
		path := filepath.Join("internal", "report", "testdata", "waivers.yaml")
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Parse(filepath.ToSlash(path), raw)
		if err != nil {
			t.Fatal(err)
		}
		waivedRes, waivedRules = checkWaived(t, cfg, nil, "proposals")
	})
	if waivedRes == nil {
		t.Fatal("checking proposals/ with waivers failed in an earlier test")
	}
	return waivedRes, waivedRules
}

// TestGoldenWaivers: every format with waivers in use. The waived
// findings are shown and marked (SARIF suppressions, JUnit skipped, a
// notice annotation, their own markdown heading), and do not count.
func TestGoldenWaivers(t *testing.T) {
	res, rules := waivedResult(t)
	statuses := map[string]string{}
	for _, u := range res.Waivers {
		statuses[u.Rule] = u.Status
	}
	want := map[string]string{"block-execution": "in use", "severity-review": "in use", "canned-risks": "expiring", "stale-report": "expired", "id-format": "unused"}
	if diff := cmp.Diff(want, statuses); diff != "" {
		t.Fatalf("waiver statuses (-want +got):\n%s", diff)
	}
	plain, _ := proposalsResult(t)
	if res.Count.Review != plain.Count.Review-1 || res.Count.Pass != plain.Count.Pass+1 || res.Count.Block != plain.Count.Block {
		t.Fatalf("counts %+v, without waivers %+v", res.Count, plain.Count)
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			got := render(t, name, githubOptions(rules), res)
			testkit.Golden(t, filepath.Join(pkgDir(t), "testdata", "golden", "proposals-waived."+goldenExt[name]), got)
		})
	}
}

func TestGoldenEveryFormat(t *testing.T) {
	res, rules := proposalsResult(t)
	if res.Count.Reports != 20 || res.Count.Pass == 0 || res.Count.Warn == 0 || res.Count.Review == 0 || res.Count.Block == 0 {
		t.Fatalf("proposals/ should hold reports of every verdict, got %+v", res.Count)
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			ext, ok := goldenExt[name]
			if !ok {
				t.Fatalf("format %s has no golden file: add it to goldenExt", name)
			}
			got := render(t, name, githubOptions(rules), res)
			testkit.Golden(t, filepath.Join(pkgDir(t), "testdata", "golden", "proposals."+ext), got)
		})
	}
}

// TestSameInputSameBytes: every format writes the same bytes for the same
// result, run after run, and whatever order concurrent evaluation left
// the reports and findings in.
func TestSameInputSameBytes(t *testing.T) {
	res, rules := proposalsResult(t)
	opts := githubOptions(rules)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			first := render(t, name, opts, res)
			if again := render(t, name, opts, res); !bytes.Equal(first, again) {
				t.Fatalf("two runs differ:\n%s", cmp.Diff(string(first), string(again)))
			}
			for range 5 {
				shuffled := *res
				shuffled.Reports = slices.Clone(res.Reports)
				rng.Shuffle(len(shuffled.Reports), func(i, j int) {
					shuffled.Reports[i], shuffled.Reports[j] = shuffled.Reports[j], shuffled.Reports[i]
				})
				for i := range shuffled.Reports {
					fs := slices.Clone(shuffled.Reports[i].Findings)
					rng.Shuffle(len(fs), func(a, b int) { fs[a], fs[b] = fs[b], fs[a] })
					shuffled.Reports[i].Findings = fs
				}
				if got := render(t, name, opts, &shuffled); !bytes.Equal(first, got) {
					t.Fatalf("shuffled reports give other bytes:\n%s", cmp.Diff(string(first), string(got)))
				}
			}
		})
	}
	// The formatters leave the result as it was.
	before, _ := json.Marshal(res)
	for _, name := range Names() {
		render(t, name, opts, res)
	}
	if after, _ := json.Marshal(res); !bytes.Equal(before, after) {
		t.Fatal("a formatter changed the result")
	}
}

// TestTwoChecksSameBytes: two independent checks of proposals/ (each
// evaluating concurrently on all cores) give the same bytes in every
// format.
func TestTwoChecksSameBytes(t *testing.T) {
	res, rules := proposalsResult(t)
	t.Chdir(repoRoot(t))
	again, _ := check(t, nil, "proposals")
	for _, name := range Names() {
		a, b := render(t, name, githubOptions(rules), res), render(t, name, githubOptions(rules), again)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two checks of proposals/ give other bytes:\n%s", name, cmp.Diff(string(a), string(b)))
		}
	}
}
