package sweep

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	SVGs      int      `json:"svgs"`
	Rendered  int      `json:"rendered"`
	Rects     int      `json:"rects"`
	Polylines int      `json:"polylines"`
	Circles   int      `json:"circles"`
	Texts     int      `json:"texts"`
	Scripts   int      `json:"scripts"`
	Resources int      `json:"resources"`
	BlockFill string   `json:"blockFill"`
	Titles    []string `json:"titles"`
	Title     string   `json:"title"`
}

const pageScript = `(() => {
	const svgs = [...document.querySelectorAll('svg')];
	const block = document.querySelector('svg rect.v-block');
	return {
		svgs: svgs.length,
		rendered: svgs.filter(s => { const r = s.getBoundingClientRect(); return r.width > 300 && r.height > 100; }).length,
		rects: document.querySelectorAll('svg rect').length,
		polylines: document.querySelectorAll('svg polyline').length,
		circles: document.querySelectorAll('svg circle').length,
		texts: document.querySelectorAll('svg text').length,
		scripts: document.scripts.length,
		resources: performance.getEntriesByType('resource').length,
		blockFill: block ? getComputedStyle(block).fill : '',
		titles: [...document.querySelectorAll('figure h3')].map(h => h.textContent),
		title: document.title,
	};
})()`

// TestHTMLInBrowser opens the HTML report in headless Chromium: the four
// charts render (their SVG elements are there, laid out and painted with
// the report's own styles), the page writes nothing to the console, loads
// nothing and has no script at all. The screenshot is kept (and copied to
// $FSAR_SCREENSHOT_DIR when set).
func TestHTMLInBrowser(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	cfg := gen.Default(filepath.Join(dir, "gen"), 400)
	cfg.Broken, cfg.NotReports = 2, 4
	if _, err := gen.Generate(cfg); err != nil {
		t.Fatal(err)
	}
	mixed := mixedFolder(t, dir)
	r := sweepIn(t, dir, Options{Paths: []string{"gen", mixed}, MinReports: 3})
	var page bytes.Buffer
	if err := WriteHTML(&page, r); err != nil {
		t.Fatal(err)
	}
	htmlPath := filepath.Join(dir, "sweep.html")
	if err := os.WriteFile(htmlPath, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	stats, messages, shot := openInBrowser(t, browser, htmlPath)
	shotPath := filepath.Join(t.TempDir(), "sweep.png")
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes); page: %+v", shotPath, len(shot), stats)
	if d := os.Getenv("FSAR_SCREENSHOT_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "sweep.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "sweep.html"), page.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}

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
	// Bars: stacked verdicts for each period, severity bands, top rules,
	// legends; one line per trend measure with a point per period.
	periods := 0
	for _, p := range r.Periods {
		if p.Period != unknownPeriod {
			periods++
		}
	}
	if stats.Rects < len(r.Periods)+len(r.Severity)+len(topRules(r, 10)) || stats.Polylines != len(trendMeasures) || stats.Circles != periods*len(trendMeasures) {
		t.Errorf("%d rects, %d polylines, %d circles: the charts are not all drawn (%d periods)", stats.Rects, stats.Polylines, stats.Circles, len(r.Periods))
	}
	if stats.BlockFill != "rgb(207, 34, 46)" {
		t.Errorf("a block bar is painted %q, want the report's red: the inline styles did not apply", stats.BlockFill)
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
