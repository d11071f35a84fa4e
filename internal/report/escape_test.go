package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// mdScan splits one line of markdown into its code spans and the text
// outside them, as CommonMark reads inline code: a backslash escapes the
// next ASCII punctuation outside spans; a run of n backticks opens a span
// that the next run of exactly n backticks closes; an unclosed run is
// literal text. In the outside text, each code span is written as NUL and
// each backslash-escaped character as \x01, so that what is left is what
// a markdown reader could take as markup.
func mdScan(line string) (spans []string, outside string) {
	var out strings.Builder
	for i := 0; i < len(line); {
		c := line[i]
		if c == '\\' && i+1 < len(line) && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", line[i+1]) >= 0 {
			out.WriteByte(1)
			i += 2
			continue
		}
		if c != '`' {
			out.WriteByte(c)
			i++
			continue
		}
		n := 0
		for i+n < len(line) && line[i+n] == '`' {
			n++
		}
		closeAt := -1
		for j := i + n; j < len(line); {
			if line[j] != '`' {
				j++
				continue
			}
			m := 0
			for j+m < len(line) && line[j+m] == '`' {
				m++
			}
			if m == n {
				closeAt = j
				break
			}
			j += m
		}
		if closeAt < 0 {
			out.WriteString(line[i : i+n])
			i += n
			continue
		}
		content := line[i+n : closeAt]
		if len(content) >= 2 && content[0] == ' ' && content[len(content)-1] == ' ' && strings.Trim(content, " ") != "" {
			content = content[1 : len(content)-1]
		}
		spans = append(spans, content)
		out.WriteString("\x00") // where a span was
		i = closeAt + n
	}
	return spans, out.String()
}

func TestCodeSpanShowsTextExactly(t *testing.T) {
	for _, s := range []string{
		"plain", "a`b", "``", "`", "` x `", " lead", "trail ", " both ", "   ",
		"x ```````````` y", "</details> --> @org/team", "a|b", `back\slash`, "é ✅ 💥",
	} {
		for _, inTable := range []bool{false, true} {
			got := codeSpan(s, 0, inTable)
			spans, outside := mdScan(got)
			if len(spans) != 1 || outside != "\x00" {
				t.Errorf("codeSpan(%q, table=%v) = %q: want exactly one span, got %q outside %q", s, inTable, got, spans, outside)
				continue
			}
			want := Clean(s)
			if inTable {
				want = strings.ReplaceAll(want, "|", `\|`)
			}
			if spans[0] != want {
				t.Errorf("codeSpan(%q, table=%v) = %q shows %q, want %q", s, inTable, got, spans[0], want)
			}
			if inTable && strings.Contains(strings.ReplaceAll(got, `\|`, ""), "|") {
				t.Errorf("codeSpan(%q, table) = %q leaves a bare | that would split the cell", s, got)
			}
		}
	}
	if got := codeSpan("", 0, false); got != "∅" {
		t.Errorf("empty: %q", got)
	}
	if got := codeSpan("a\nb\r\x1b[31m", 0, false); strings.ContainsAny(got, "\n\r\x1b") {
		t.Errorf("line breaks or escapes survive: %q", got)
	}
	if got := codeSpan(strings.Repeat("x", 100), 10, false); utf8.RuneCountInString(got) != 12 || !strings.HasSuffix(got, "…`") {
		t.Errorf("cut: %q", got)
	}
}

func FuzzCodeSpan(f *testing.F) {
	for _, s := range []string{"a`b", "`` x", "|", " ` ", "##[x", "\n::error::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := codeSpan(s, 0, false)
		if strings.ContainsAny(got, "\n\r") || strings.Contains(got, "##[") {
			t.Fatalf("codeSpan(%q) = %q", s, got)
		}
		if s == "" {
			return
		}
		spans, outside := mdScan(got)
		if len(spans) != 1 || outside != "\x00" || spans[0] != Clean(s) {
			t.Fatalf("codeSpan(%q) = %q reads back as %q, outside %q", s, got, spans, outside)
		}
	})
}

func TestMDText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain words, 12.5 (ok)", "plain words, 12.5 (ok)"},
		{"a_b *c* `d` [e](f) ~g~ $h$ |i| \\j", `a\_b \*c\* \` + "`" + `d\` + "`" + ` \[e\](f) \~g\~ \$h\$ \|i\| \\j`},
		{"<details> & -->", "&lt;details&gt; &amp; --&gt;"},
		{"@org/team and a@b.c", "@\u200dorg/team and a@\u200db.c"},
		{"#123 but # 1 and C#", "#\u200d123 but # 1 and C#"},
		{":smile: 12:30 https://x.y www.z.com", ":\u200dsmile: 12:30 https:\u200d//x.y w\u200dww.z.com"},
		{"line\nbreak", `line\\nbreak`},
		{"##[error]x", `#\\u0023\[error\]x`},
	} {
		if got := mdText(tc.in, 0); got != tc.want {
			t.Errorf("mdText(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	if got := mdText(strings.Repeat("é", 50), 10); utf8.RuneCountInString(got) != 10 {
		t.Errorf("cut to 10 runes: %q", got)
	}
}

func TestHTMLComment(t *testing.T) {
	for _, s := range []string{"--> x", "<!-- y", "--!>", "a -- b", "->", "<", "x\n-->"} {
		got := htmlComment(s)
		if strings.ContainsAny(got, "<>\n") || strings.Contains(got, "--") || strings.Contains(got, "-") {
			t.Errorf("htmlComment(%q) = %q", s, got)
		}
	}
}

func TestHTMLText(t *testing.T) {
	if got := htmlText(`<b>"x" & @y</b>`); got != "&lt;b&gt;&quot;x&quot; &amp; @\u200dy&lt;/b&gt;" {
		t.Errorf("htmlText = %q", got)
	}
}

// unescapeCommand undoes the runner's escaping, as the Actions runner does.
func unescapeData(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(s)
}

func unescapeProperty(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace(s)
}

func TestGitHubEscaping(t *testing.T) {
	for _, s := range []string{"plain", "100% sure", "%0A literal", "a\nb\r\nc", "::error::x", "a,b:c", "%25%3A%2C", "%"} {
		data := ghData(s)
		if strings.ContainsAny(data, "\r\n") {
			t.Errorf("ghData(%q) = %q keeps a line break", s, data)
		}
		if got := unescapeData(data); got != s {
			t.Errorf("ghData(%q) = %q reads back as %q", s, data, got)
		}
		prop := ghProperty(s)
		if strings.ContainsAny(prop, "\r\n:,") {
			t.Errorf("ghProperty(%q) = %q keeps a separator", s, prop)
		}
		if got := unescapeProperty(prop); got != Clean(s) {
			t.Errorf("ghProperty(%q) = %q reads back as %q, want %q", s, prop, got, Clean(s))
		}
	}
}

func TestSafeLogLine(t *testing.T) {
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
		if got := safeLogLine(tc.in, tc.command); got != tc.want {
			t.Errorf("safeLogLine(%q, %v) = %q, want %q", tc.in, tc.command, got, tc.want)
		}
	}
}

func TestCleanNeutralises(t *testing.T) {
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
		got := Clean(tc.in)
		if got != tc.want {
			t.Errorf("Clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.Contains(got, "##[") || !utf8.ValidString(got) {
			t.Errorf("Clean(%q) = %q", tc.in, got)
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
		if got := truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestBlobURL(t *testing.T) {
	o := Options{ServerURL: "https://github.example.com/", Repository: "acme/gate", SHA: "abcdef0123456789"}
	for _, tc := range []struct {
		file string
		line int
		want string
	}{
		{"reports/a.md", 12, "https://github.example.com/acme/gate/blob/abcdef0123456789/reports/a.md?plain=1#L12"},
		{"reports/a.json", 3, "https://github.example.com/acme/gate/blob/abcdef0123456789/reports/a.json#L3"},
		{"reports/a.yaml", 0, "https://github.example.com/acme/gate/blob/abcdef0123456789/reports/a.yaml"},
		{"./x/../r (1)&[a]@b.md", 1, "https://github.example.com/acme/gate/blob/abcdef0123456789/r%20%281%29%26%5Ba%5D%40b.md?plain=1#L1"},
		{"r\n::error::x#L1.md", 1, "https://github.example.com/acme/gate/blob/abcdef0123456789/r%0A%3A%3Aerror%3A%3Ax%23L1.md?plain=1#L1"},
		{"-", 1, ""},
		{"../outside.md", 1, ""},
		{"/abs/a.md", 1, ""},
	} {
		if got := o.blobURL(tc.file, tc.line); got != tc.want {
			t.Errorf("blobURL(%q, %d)\n got %q\nwant %q", tc.file, tc.line, got, tc.want)
		}
	}
	for _, bad := range []Options{
		{ServerURL: "javascript:alert(1)", Repository: "a/b", SHA: "abcdef0"},
		{ServerURL: "https://x", Repository: "a/b/c", SHA: "abcdef0"},
		{ServerURL: "https://x", Repository: "a/b", SHA: "main"},
		{ServerURL: "https://x) [y](z", Repository: "a/b", SHA: "abcdef0"},
		{ServerURL: "", Repository: "a/b", SHA: "abcdef0"},
	} {
		if got := bad.blobURL("a.md", 1); got != "" {
			t.Errorf("%+v links to %q", bad, got)
		}
	}
}

func TestRepoPath(t *testing.T) {
	o := Options{WorkDir: "/ws/repo/sub", RepoRoot: "/ws/repo"}
	for file, want := range map[string]string{
		"a.md":             "sub/a.md",
		"../b.md":          "b.md",
		"/ws/repo/c/d.md":  "c/d.md",
		"/elsewhere/e.md":  "",
		"../../outside.md": "",
		"-":                "",
	} {
		if got := o.repoPath(file); got != want {
			t.Errorf("repoPath(%q) = %q, want %q", file, got, want)
		}
	}
	if got := (&Options{}).repoPath("./x/y.md"); got != "x/y.md" {
		t.Errorf("no roots: %q", got)
	}
}

func TestSARIFMessage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain [fsar_block] marker", "plain [fsar_block] marker"},
		{"see [here](1)", `see \[here\](1)`},
		{`a\ [x](y)`, `a\\ \[x\](y)`},
		{"{0} set", "{{0}} set"},
		{"{not a placeholder}", "{not a placeholder}"},
	} {
		if got := sarifMessage(tc.in); got != tc.want {
			t.Errorf("sarifMessage(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPascalNameAndSemver(t *testing.T) {
	for in, want := range map[string]string{
		"severity-hard": "SeverityHard", "fsar.example.deny": "FsarExampleDeny", "::error::": "Error", "": "Rule", "1st": "Rule1st",
	} {
		if got := pascalName(in); got != want {
			t.Errorf("pascalName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"v1.2.3": "1.2.3", "1.0.0-rc.1+b": "1.0.0-rc.1+b", "dev": "", "v1.2": ""} {
		if got := semver(in); got != want {
			t.Errorf("semver(%q) = %q, want %q", in, got, want)
		}
	}
}
