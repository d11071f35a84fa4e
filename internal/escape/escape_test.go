package escape

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fsar-gate/fsar/internal/testkit"
)

func TestCodeShowsTextExactly(t *testing.T) {
	for _, s := range []string{
		"plain", "a`b", "``", "`", "` x `", " lead", "trail ", " both ", "   ",
		"x ```````````` y", "</details> --> @org/team", "a|b", `back\slash`, "é ✅ 💥",
	} {
		for _, inTable := range []bool{false, true} {
			got := Code(s, 0, inTable)
			spans, outside := testkit.MarkdownSpans(got)
			if len(spans) != 1 || outside != "\x00" {
				t.Errorf("Code(%q, table=%v) = %q: want exactly one span, got %q outside %q", s, inTable, got, spans, outside)
				continue
			}
			want := Terminal(s)
			if inTable {
				want = strings.ReplaceAll(want, "|", `\|`)
			}
			if spans[0] != want {
				t.Errorf("Code(%q, table=%v) = %q shows %q, want %q", s, inTable, got, spans[0], want)
			}
			if inTable && strings.Contains(strings.ReplaceAll(got, `\|`, ""), "|") {
				t.Errorf("Code(%q, table) = %q leaves a bare | that would split the cell", s, got)
			}
		}
	}
	if got := Code("", 0, false); got != "∅" {
		t.Errorf("empty: %q", got)
	}
	if got := Code("a\nb\r\x1b[31m", 0, false); strings.ContainsAny(got, "\n\r\x1b") {
		t.Errorf("line breaks or escapes survive: %q", got)
	}
	if got := Code(strings.Repeat("x", 100), 10, false); utf8.RuneCountInString(got) != 12 || !strings.HasSuffix(got, "…`") {
		t.Errorf("cut: %q", got)
	}
}

func FuzzCode(f *testing.F) {
	for _, s := range []string{"a`b", "`` x", "|", " ` ", "##[x", "\n::error::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Code(s, 0, false)
		if strings.ContainsAny(got, "\n\r") || strings.Contains(got, "##[") {
			t.Fatalf("Code(%q) = %q", s, got)
		}
		if s == "" {
			return
		}
		spans, outside := testkit.MarkdownSpans(got)
		if len(spans) != 1 || outside != "\x00" || spans[0] != Terminal(s) {
			t.Fatalf("Code(%q) = %q reads back as %q, outside %q", s, got, spans, outside)
		}
	})
}

func TestMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain words, 12.5 (ok)", "plain words, 12.5 (ok)"},
		{"a_b *c* `d` [e](f) ~g~ $h$ |i| \\j", `a\_b \*c\* \` + "`" + `d\` + "`" + ` \[e\](f) \~g\~ \$h\$ \|i\| \\j`},
		{"<details> & -->", "&lt;details&gt; &amp; --&gt;"},
		{"@org/team and a@b.c", "@\u200dorg/team and a@\u200db.c"},
		{"#123 but # 1 and C#", "\\#\u200d123 but # 1 and C#"},
		{"a #123 but # 1 and C#", "a #\u200d123 but # 1 and C#"},
		{":smile: 12:30 https://x.y www.z.com", ":\u200dsmile: 12:30 https:\u200d//x.y w\u200dww.z.com"},
		{"line\nbreak", `line\\nbreak`},
		{"##[error]x", `\##\[error\]x`},
		// At the start of a line nothing may begin a block.
		{"- item", `\- item`},
		{"+ item", `\+ item`},
		{"= underline", `\= underline`},
		{"# heading", `\# heading`},
		{"12. ordered", `12\. ordered`},
		{"3) ordered", `3\) ordered`},
		{"> quote", "&gt; quote"},
		{"2026 is a year. 1.5", "2026 is a year. 1.5"},
	} {
		if got := Markdown(tc.in, 0); got != tc.want {
			t.Errorf("Markdown(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	if got := Markdown(strings.Repeat("é", 50), 10); utf8.RuneCountInString(got) != 10 {
		t.Errorf("cut to 10 runes: %q", got)
	}
}

func TestHTMLComment(t *testing.T) {
	for _, s := range []string{"--> x", "<!-- y", "--!>", "a -- b", "->", "<", "x\n-->"} {
		got := HTMLComment(s)
		if strings.ContainsAny(got, "<>\n") || strings.Contains(got, "--") || strings.Contains(got, "-") {
			t.Errorf("HTMLComment(%q) = %q", s, got)
		}
	}
}

func TestHTML(t *testing.T) {
	if got := HTML(`<b>"x" & @y</b>`); got != "&lt;b&gt;&quot;x&quot; &amp; @\u200dy&lt;/b&gt;" {
		t.Errorf("htmlText = %q", got)
	}
}

func TestWorkflowEscaping(t *testing.T) {
	for _, s := range []string{"plain", "100% sure", "%0A literal", "a\nb\r\nc", "::error::x", "a,b:c", "%25%3A%2C", "%"} {
		data := WorkflowData(s)
		if strings.ContainsAny(data, "\r\n") {
			t.Errorf("WorkflowData(%q) = %q keeps a line break", s, data)
		}
		if got := testkit.WorkflowData(data); got != s {
			t.Errorf("WorkflowData(%q) = %q reads back as %q", s, data, got)
		}
		prop := WorkflowProperty(s)
		if strings.ContainsAny(prop, "\r\n:,") {
			t.Errorf("WorkflowProperty(%q) = %q keeps a separator", s, prop)
		}
		if got := testkit.WorkflowProperty(prop); got != Terminal(s) {
			t.Errorf("WorkflowProperty(%q) = %q reads back as %q, want %q", s, prop, got, Terminal(s))
		}
	}
}

func TestLogLine(t *testing.T) {
	for _, tc := range []struct {
		in      string
		command bool
		want    string
	}{
		{"::error::x", true, "::error::x"},
		{"::error::x", false, "fsar: ::error::x"},
		{"  ::warning::x", false, "fsar:   ::warning::x"},
		{"fsar: ok ##[error] x", false, `fsar: ok #\u0023[error] x`},
		{"::notice::a ###[b", true, `::notice::a ##\u0023[b`},
	} {
		if got := LogLine(tc.in, tc.command); got != tc.want {
			t.Errorf("LogLine(%q, %v) = %q, want %q", tc.in, tc.command, got, tc.want)
		}
	}
}

func TestTerminalNeutralises(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ok", "ok"},
		{"a\nb\tc\r", `a\nb\tc\u000d`},
		{"\x1b[31mred", `\u001b[31mred`},
		{"ltr\u202erlo\u2066iso", `ltr\u202erlo\u2066iso`},
		{"ls\u2028ps\u2029", `ls\u2028ps\u2029`},
		{"##[error]", `#\u0023[error]`},
		{"###[x", `##\u0023[x`},
		{"bad\xffutf8", `bad\xffutf8`},
	} {
		got := Terminal(tc.in)
		if got != tc.want {
			t.Errorf("Terminal(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.Contains(got, "##[") || !utf8.ValidString(got) {
			t.Errorf("Terminal(%q) = %q", tc.in, got)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 5, "hello"},
		{"hello!", 5, "hell…"},
		{"ééééé é", 3, "éé…"},
		{"x", 0, "x"},
	} {
		if got := Truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

var (
	mentionRE = regexp.MustCompile(`@[A-Za-z0-9]`)
	// GitHub's www autolinks start a line or follow a non-word character.
	wwwRE = regexp.MustCompile(`(?i)(^|[^A-Za-z0-9_])www\.`)
)

// FuzzMarkdown: whatever the text, Markdown gives one line in which no
// character outside a backslash escape can make markup, no HTML can open,
// no mention, reference or autolink can form, and no workflow command
// can start.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{"- x", "# h", "1. x", "[a](b)", "@org/team", "#12", "<b>", "|a|", "https://x", "::error::x", "##[x", "a\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Markdown(s, 0)
		if strings.ContainsAny(got, "\n\r<>") || strings.Contains(got, "##[") {
			t.Fatalf("Markdown(%q) = %q", s, got)
		}
		spans, outside := testkit.MarkdownSpans(got)
		if len(spans) != 0 {
			t.Fatalf("Markdown(%q) = %q holds a code span", s, got)
		}
		for _, c := range "*_[]|~`$\\" {
			if strings.ContainsRune(outside, c) {
				t.Fatalf("Markdown(%q) = %q leaves %q unescaped", s, got, c)
			}
		}
		if outside != "" && strings.ContainsRune("-+=#", rune(outside[0])) {
			t.Fatalf("Markdown(%q) = %q starts a block", s, got)
		}
		if strings.Contains(outside, "://") || mentionRE.MatchString(outside) || wwwRE.MatchString(outside) {
			t.Fatalf("Markdown(%q) = %q leaves a link or a mention", s, got)
		}
	})
}
