package sweep

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fsar-gate/fsar/internal/sweep/gen"
)

// chromium finds the browser: $FSAR_CHROMIUM, or Debian's chromium. When
// there is none the test fails in CI (which installs it) and skips
// elsewhere.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("FSAR_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no headless browser: install Debian's chromium (apt-get install -y chromium) or set FSAR_CHROMIUM"
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " — CI must run this test")
	}
	t.Skip(msg)
	return ""
}

// pageStats is what the test reads from the rendered page.
type pageStats struct {
	SVGs         int      `json:"svgs"`
	Rendered     int      `json:"rendered"`
	Panels       []string `json:"panels"`
	BlockBars    int      `json:"blockBars"`
	BlockTallest float64  `json:"blockTallest"`
	Polylines    int      `json:"polylines"`
	Markers      int      `json:"markers"`
	Hollow       int      `json:"hollow"`
	Direct       []string `json:"direct"`
	DirectGap    float64  `json:"directGap"`
	Incomplete   int      `json:"incomplete"`
	Scripts      int      `json:"scripts"`
	Resources    int      `json:"resources"`
	BlockFill    string   `json:"blockFill"`
	Titles       []string `json:"titles"`
	Links        int      `json:"links"`
	BlockRows    int      `json:"blockRows"`
	WrappedPath  bool     `json:"wrappedPath"`
	Title        string   `json:"title"`
}

const pageScript = `(() => {
	const svgs = [...document.querySelectorAll('svg')];
	const blocks = [...document.querySelectorAll('svg rect.v-block')];
	const direct = [...document.querySelectorAll('svg text.direct')].map(t => t.getBoundingClientRect()).sort((a, b) => a.top - b.top);
	let gap = 1e9;
	for (let i = 1; i < direct.length; i++) gap = Math.min(gap, direct[i].top - direct[i-1].bottom);
	const path = document.querySelector('td.path a, td.path');
	return {
		svgs: svgs.length,
		rendered: svgs.filter(s => { const r = s.getBoundingClientRect(); return r.width > 300 && r.height > 100; }).length,
		panels: [...document.querySelectorAll('svg text.panel')].map(t => t.textContent),
		blockBars: blocks.length,
		blockTallest: Math.max(0, ...blocks.map(b => b.getBoundingClientRect().height)),
		polylines: document.querySelectorAll('svg polyline').length,
		markers: document.querySelectorAll('svg path[class^="s"]:not(.key)').length,
		hollow: document.querySelectorAll('svg path.hollow').length,
		direct: [...document.querySelectorAll('svg text.direct')].map(t => t.textContent),
		directGap: direct.length > 1 ? gap : 0,
		incomplete: document.querySelectorAll('svg rect.incomplete').length,
		scripts: document.scripts.length,
		resources: performance.getEntriesByType('resource').length,
		blockFill: blocks.length ? getComputedStyle(blocks[0]).fill : '',
		titles: [...document.querySelectorAll('figure h3')].map(h => h.textContent),
		links: document.querySelectorAll('td.path a[href^="https://github.com/"]').length,
		blockRows: document.querySelectorAll('td.path a[href^="https://github.com/"], td.path').length,
		wrappedPath: !!document.querySelector('td.path wbr'),
		title: document.title,
	};
})()`

// TestHTMLInBrowser opens the HTML report of the real corpus, of twelve
// months of generated reports (with other reports beside them, errors,
// and a newest month too young for the stale share) and of a sweep with a
// baseline in headless Chromium, and checks what a person would see: the
// four charts render; every verdict that any report has gets a panel of
// its own, so that the blocking reports show as bars of a real height;
// every share line has its markers and a name at its end, no two names
// overlapping; a period too young for a share is shaded and its markers
// hollow; the blocking reports link to their files on GitHub, their paths
// wrapping at slashes; the page writes nothing to the console, loads
// nothing and has no script at all. The screenshots are kept (and copied
// to $FSAR_SCREENSHOT_DIR when set), to be looked at.
func TestHTMLInBrowser(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	cfg := gen.Default(filepath.Join(dir, "gen"), 2400)
	cfg.Broken, cfg.NotReports = 2, 6
	if _, err := gen.Generate(cfg); err != nil {
		t.Fatal(err)
	}
	links := Links{ServerURL: "https://github.com", Repository: "octo-org/reports", SHA: strings.Repeat("a", 40)}
	cases := map[string]func(t *testing.T) *Result{
		// The newest month, December 2025, is too young for stale on the
		// 20th of January 2026.
		"generated": func(t *testing.T) *Result {
			t.Chdir(dir)
			return sweepAt(t, time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC), Options{Paths: []string{"gen"}, MinReports: 10, Streak: 3})
		},
		"corpus": func(t *testing.T) *Result {
			return sweepIn(t, "", Options{Paths: []string{corpusDir(t)}, MinReports: 10, Streak: 3})
		},
		"baseline": func(t *testing.T) *Result {
			mixedFolder(t, dir)
			base := sweepIn(t, dir, Options{Paths: []string{"reports/fsar_proposal_c.md"}}).AsBaseline()
			return sweepIn(t, "", Options{Paths: []string{"reports"}, Baseline: base})
		},
	}
	for _, name := range []string{"generated", "corpus", "baseline"} {
		t.Run(name, func(t *testing.T) {
			r := cases[name](t)
			r.Links = links
			if name == "corpus" { // the corpus's folder as if a repository's root
				wd, err := os.Getwd()
				if err != nil {
					t.Fatal(err)
				}
				r.Links.WorkDir, r.Links.RepoRoot = wd, filepath.Join(wd, "..", "..", "..", "shared", "corpus")
			}
			var page bytes.Buffer
			if err := WriteHTML(&page, r); err != nil {
				t.Fatal(err)
			}
			htmlPath := filepath.Join(dir, name+".html")
			if err := os.WriteFile(htmlPath, page.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			stats, messages, shot := openInBrowser(t, browser, htmlPath)
			shotPath := filepath.Join(dir, name+".png")
			if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s (%d bytes); page: %+v", shotPath, len(shot), stats)
			if d := os.Getenv("FSAR_SCREENSHOT_DIR"); d != "" {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
				for ext, data := range map[string][]byte{".png": shot, ".html": page.Bytes()} {
					if err := os.WriteFile(filepath.Join(d, "sweep-"+name+ext), data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			checkPage(t, r, stats, messages, shot)
		})
	}
}

// checkPage checks what the browser saw of r's page.
func checkPage(t *testing.T, r *Result, stats pageStats, messages []chromedp.ConsoleMessage, shot []byte) {
	t.Helper()
	for _, m := range messages {
		t.Errorf("console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1)
	}
	if stats.SVGs != 4 || stats.Rendered != 4 {
		t.Errorf("%d SVG charts, %d of them laid out at a readable size; want 4 and 4", stats.SVGs, stats.Rendered)
	}
	wantTitles := []string{"Verdicts over time", "Shares over time", "Severity distribution", "Top rules"}
	if !slices.Equal(stats.Titles, wantTitles) {
		t.Errorf("chart titles %q, want %q", stats.Titles, wantTitles)
	}
	// One panel per verdict some report has; the blocking reports' bars
	// are there, one per period with any, and tall enough to see.
	var panels []string
	for _, v := range verdictClasses {
		n := r.Count.verdicts().of(v.name)
		if n > 0 {
			panels = append(panels, v.name+": "+count(n, "report"))
		}
	}
	if !slices.Equal(stats.Panels, panels) {
		t.Errorf("verdict panels %q, want %q", stats.Panels, panels)
	}
	withBlocks := 0
	for _, p := range r.Periods {
		if p.Verdicts.Block > 0 {
			withBlocks++
		}
	}
	if r.Count.Block == 0 || stats.BlockBars != withBlocks || stats.BlockTallest < 20 {
		t.Errorf("%d block bars (want %d, one per period with blocks), the tallest %.1f px high: the blocks are not visible", stats.BlockBars, withBlocks, stats.BlockTallest)
	}
	// A line per alerting share, a marker per share and known period, a
	// name at each line's end, none over another.
	var shares, periods, hollow, incomplete int
	for _, d := range r.Facts.Shares {
		if d.Bad != "" {
			shares++
		}
	}
	for _, p := range r.Periods {
		if p.Period == unknownPeriod {
			continue
		}
		periods++
		hollow += len(p.Incomplete)
		if len(p.Incomplete) > 0 {
			incomplete++
		}
	}
	if (periods > 1 && stats.Polylines != shares) || stats.Markers != shares*periods || len(stats.Direct) != shares || stats.DirectGap < 0 {
		t.Errorf("%d lines, %d markers, names %q (closest %.1f px apart): want %d lines, %d markers, %d names apart",
			stats.Polylines, stats.Markers, stats.Direct, stats.DirectGap, shares, shares*periods, shares)
	}
	if stats.Hollow != hollow || stats.Incomplete != incomplete {
		t.Errorf("%d hollow markers, %d shaded periods; want %d and %d", stats.Hollow, stats.Incomplete, hollow, incomplete)
	}
	if stats.BlockFill != "rgb(207, 34, 46)" {
		t.Errorf("a block bar is painted %q, want the report's red: the inline styles did not apply", stats.BlockFill)
	}
	if stats.Links < min(len(r.Blocking), htmlListLimit) || !stats.WrappedPath {
		t.Errorf("%d links to GitHub for %d blocking reports, paths wrapped at slashes: %v", stats.Links, len(r.Blocking), stats.WrappedPath)
	}
	if stats.Scripts != 0 || stats.Resources != 0 {
		t.Errorf("%d scripts, %d resources loaded; want none", stats.Scripts, stats.Resources)
	}
	if len(shot) < 20000 || !bytes.HasPrefix(shot, []byte("\x89PNG")) {
		t.Errorf("screenshot of %d bytes is not a PNG of a page", len(shot))
	}
}

// openInBrowser loads a page in a fresh headless Chromium and returns what
// the page shows, what it wrote to the console, and a screenshot.
func openInBrowser(t *testing.T, browser, htmlPath string) (pageStats, []chromedp.ConsoleMessage, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	)
	defer cancelAlloc()
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()

	// Listen to the console (console API calls, uncaught exceptions, the
	// browser log: failed loads, Content Security Policy violations)
	// before the page loads.
	var mu sync.Mutex
	var messages []chromedp.ConsoleMessage
	if err := chromedp.Do(tabCtx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting %s: %v", browser, err)
	}
	console := chromedp.Console(tabCtx)
	listening := make(chan struct{})
	go func() {
		defer close(listening)
		for m, err := range console {
			if err != nil {
				return
			}
			mu.Lock()
			messages = append(messages, m)
			mu.Unlock()
		}
	}()

	if err := chromedp.Do(tabCtx, chromedp.Navigate("file://"+htmlPath), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	stats, err := chromedp.Run(tabCtx, chromedp.Evaluate[pageStats](pageScript))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(tabCtx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // late console messages
	cancelTab()
	<-listening

	mu.Lock()
	defer mu.Unlock()
	return stats, messages, shot
}

// TestBrowserSeesErrors: the harness itself notices a page that writes an
// error to the console, throws, or tries to load from elsewhere.
func TestBrowserSeesErrors(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	pages := map[string]string{
		// A script runs: it writes an error, then throws.
		"script.html": `<!DOCTYPE html><html><body><script>console.error("boom"); throw new Error("bang")</script></body></html>`,
		// The report's policy forbids loading: an image from the network
		// and an inline script are blocked, and the browser says so.
		"blocked.html": `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"></head>` +
			`<body><img src="https://example.invalid/x.png"><script>document.title = "ran"</script></body></html>`,
	}
	want := map[string][]chromedp.ConsoleType{
		"script.html":  {chromedp.ConsoleError, chromedp.ConsoleException},
		"blocked.html": {chromedp.ConsoleError, chromedp.ConsoleError},
	}
	for name, body := range pages {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, messages, _ := openInBrowser(t, browser, path)
		var got []chromedp.ConsoleType
		for _, m := range messages {
			t.Logf("%s: console %s: %s", name, m.Type, m.Text)
			got = append(got, m.Type)
		}
		if !slices.Equal(got, want[name]) {
			t.Errorf("%s: console messages of types %v, want %v", name, got, want[name])
		}
	}
}
