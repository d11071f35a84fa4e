package report

import (
	"regexp"
	"strings"
	"testing"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/testkit"
)

// TestFooterInert: what decided the run comes from the result file that
// fsar publish reads, untrusted. GitHub reads markdown inside <sub>, so
// every field of it must be escaped as markdown: none may become a link,
// an image, a mention, a reference or HTML in the comment and the check
// summary.
func TestFooterInert(t *testing.T) {
	hostile := []string{
		"[click](https://evil.example/x)",
		"![pixel](https://evil.example/p.png)",
		"<img src=x onerror=alert(1)>",
		"</sub><a href=https://evil.example>x</a>",
		"@octo-org/admins #1 GH-2 :shipit:",
		"https://evil.example www.evil.example",
		"[ref][1]\n\n[1]: https://evil.example",
		"`` ` <b>code</b> `` **bold** _it_ ~~gone~~",
		"\\[escaped\\](https://evil.example)",
		"1.2.3-GH-2",
		"0123456789abcdef0123456789abcdef01234567",
	}
	links := regexp.MustCompile(`\]\(|\]\[|!\[|://|(?i)www\.`)
	// Mentions, issue references (#1, GH-1), emoji and commit ids, which
	// GitHub links in text.
	live := regexp.MustCompile(`@[A-Za-z0-9]|#[0-9]|(?i:gh-[0-9])|:[a-z]+:|[0-9a-f]{7}`)
	for _, h := range hostile {
		res := &gate.Result{Schema: gate.Schema, DecidedBy: gate.DecidedBy{
			FSARVersion: h, FSARCommit: h, OPAVersion: h, PolicyDigest: h, PolicyRevision: h, Now: testNow,
		}}
		res.Summarize()
		out := string(render(t, "markdown", Options{}, res))
		i := strings.LastIndex(out, "\n<sub>Decided by fsar ")
		if i < 0 {
			t.Fatalf("%q: no footer in %q", h, out)
		}
		footer := strings.TrimSuffix(out[i+1:], "\n")
		if strings.Contains(footer, "\n") {
			t.Errorf("%q: the footer is more than one line: %q", h, footer)
		}
		inner, open := strings.CutPrefix(footer, "<sub>")
		inner, closed := strings.CutSuffix(inner, "</sub>")
		if !open || !closed {
			t.Fatalf("%q: footer %q is not one <sub> element", h, footer)
		}
		_, outside := testkit.MarkdownSpans(inner)
		for _, bad := range []string{"<", ">", "[", "]", "`", "*", "_", "~"} {
			if strings.Contains(outside, bad) {
				t.Errorf("%q: raw %q outside code spans in the footer: %q", h, bad, footer)
			}
		}
		if m := links.FindString(outside); m != "" {
			t.Errorf("%q: the footer has a live link or image (%q): %q", h, m, footer)
		}
		if m := live.FindString(outside); m != "" {
			t.Errorf("%q: the footer has a live mention, reference or emoji %q: %q", h, m, footer)
		}
	}
}

// TestFooterWellFormed: well-formed values read as before, each a code
// span, shown exactly.
func TestFooterWellFormed(t *testing.T) {
	res := &gate.Result{Schema: gate.Schema, DecidedBy: gate.DecidedBy{
		FSARVersion: "v1.2.3-rc.1+build.5", FSARCommit: strings.Repeat("fedcba9876", 4), OPAVersion: "1.22.3",
		PolicyDigest:   "sha256:" + strings.Repeat("ab", 32),
		PolicyRevision: strings.Repeat("0123456789", 4), Now: testNow,
	}}
	res.Summarize()
	out := string(render(t, "markdown", Options{}, res))
	want := "\n---\n<sub>Decided by fsar `v1.2.3-rc.1+build.5` (commit `" + strings.Repeat("fedcba9876", 4) + "`) with OPA `1.22.3`, policies `sha256:" + strings.Repeat("ab", 32) +
		"` at revision `" + strings.Repeat("0123456789", 4) + "`, at 2026-11-25T12:00:00Z.</sub>\n"
	if !strings.HasSuffix(out, want) {
		t.Errorf("footer:\n%q\nwant it to end with\n%q", out[max(0, len(out)-len(want)):], want)
	}
}
