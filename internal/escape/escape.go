// Package escape makes untrusted text (report contents, file names, rule
// ids and messages from custom policies, pull-request text, result files)
// safe in each place fsar writes it: a terminal or log line, inline
// markdown, a markdown code span, HTML text and comments, and GitHub
// Actions workflow commands. Each function names its target; text escaped
// for one target is shown there as itself and does nothing else. Every
// package that writes untrusted text uses these functions and no others.
package escape

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// zwj is a zero-width joiner: put after "@", "#" or ":" it keeps GitHub
// from reading a mention, an issue reference, an autolink or an emoji
// shortcode, and does not change what a reader sees.
const zwj = "\u200d"

// legacyCommand starts a workflow command anywhere in a line of the
// GitHub Actions log.
const legacyCommand = "##["

// Terminal makes untrusted text safe to print on a terminal or in a log:
// control characters (escape sequences, carriage returns, line breaks),
// line and paragraph separators and bidirectional controls become visible
// escapes, so report text can neither recolour the screen, fake a line of
// its own nor reorder what is shown; and the GitHub Actions runner's
// legacy command marker "##[" is broken up, so a log line cannot become a
// workflow command. Invalid UTF-8 bytes are shown as \xNN.
func Terminal(s string) string { return terminal(s, true) }

// terminal is Terminal; breakCommands says whether to break "##[" (text
// that escapes "[" itself has no need to).
func terminal(s string, breakCommands bool) string {
	clean := utf8.ValidString(s)
	for _, r := range s {
		if !clean || unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean && (!breakCommands || !strings.Contains(s, legacyCommand)) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	if !breakCommands {
		return b.String()
	}
	return strings.ReplaceAll(b.String(), legacyCommand, `#\u0023[`)
}

// unsafeRune tells whether r must not be printed as itself: a control
// character, a line or paragraph separator, or an invisible one.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || Invisible(r)
}

// Invisible tells whether r is a character a reader cannot see that can
// change what is read: Unicode's format characters (category Cf) — the
// bidirectional controls that reorder text (U+202E), the zero-width
// characters that hide inside words or split them (U+200B, U+2060,
// U+FEFF), and the tag characters that spell text nobody sees
// (U+E0000–U+E007F).
func Invisible(r rune) bool {
	return r >= 0xad && unicode.Is(unicode.Cf, r)
}

// Visible shows every invisible character of s as \uXXXX and leaves the
// rest as it is, line breaks included: for text whose format keeps lines
// (SARIF messages) but whose reader must see what is there.
func Visible(s string) string {
	if !strings.ContainsFunc(s, Invisible) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if Invisible(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Truncate cuts s to at most n runes, marking the cut with "…"; n <= 0
// means no cut.
func Truncate(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s[:i] + "…"
}

// Markdown escapes s for inline markdown text — a paragraph, a list item
// or a table cell, at the start of a line or after other text — after
// Terminal and cut to n runes (no cut when n is 0). The result is one
// line. Every character that means something inline is escaped (with a
// backslash, or as an entity for <, > and &), and so is a start that would
// begin a block (a list, heading, quote or setext underline); "@"
// mentions, "#123" and "GH-123" references, "word:" emoji and "scheme://" or "www."
// autolinks get a zero-width joiner that breaks them without changing
// what is shown.
func Markdown(s string, n int) string {
	s = Truncate(terminal(s, false), n) // "##[" is broken by escaping "["
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	start := blockStart(s)
	for i, r := range s {
		next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
		if i == start {
			b.WriteByte('\\')
		}
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '~', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '#':
			b.WriteRune(r)
			if unicode.IsDigit(next) {
				b.WriteString(zwj)
			}
		case '-':
			// GH-123 is a link to issue 123.
			b.WriteRune(r)
			if unicode.IsDigit(next) && i >= 2 && strings.EqualFold(s[i-2:i], "gh") {
				b.WriteString(zwj)
			}
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '@':
			b.WriteString("@" + zwj)
		case ':':
			b.WriteRune(r)
			if next == '/' || unicode.IsLetter(next) || next == '+' || next == '-' {
				b.WriteString(zwj)
			}
		case 'w', 'W':
			b.WriteRune(r)
			if len(s) >= i+4 && strings.EqualFold(s[i:i+4], "www.") && (i == 0 || !isWordByte(s[i-1])) {
				b.WriteString(zwj)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// blockStart returns the index of the character that would make s, at
// the start of a line, begin a markdown block — "-", "+", "=" or "#"
// first, or the "." or ")" after leading digits (an ordered list) — or -1.
// ">" needs nothing: Markdown writes it as an entity.
func blockStart(s string) int {
	if s == "" {
		return -1
	}
	switch s[0] {
	case '-', '+', '=', '#':
		return 0
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') {
		return i
	}
	return -1
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// Code renders s as an inline markdown code span, after Terminal and cut
// to n runes (no cut when n is 0): the fence is one backtick longer than
// the longest run of backticks in s, and a space pads each side when s
// starts or ends with a backtick, or starts and ends with a space without
// being all spaces (CommonMark strips one from each side then), so the
// span always closes where fsar closes it and shows s exactly. Nothing in
// a code span is markdown or HTML, and GitHub reads no mention in it. In a
// table cell (inTable) "|" is written "\|", which GitHub's table parser
// turns back into "|" before it reads the span. Empty text is shown as an
// empty-set sign outside any span.
func Code(s string, n int, inTable bool) string {
	s = Truncate(Terminal(s), n)
	if s == "" {
		return "∅"
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	fence := strings.Repeat("`", longest+1)
	if s[0] == '`' || s[len(s)-1] == '`' || (s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "") {
		// CommonMark strips one space from each side of such a span.
		s = " " + s + " "
	}
	return fence + s + fence
}

// HTMLComment makes s safe inside an HTML comment (<!-- ... -->): no "<",
// ">" or "-" is left that could end it or open another, and Terminal keeps
// it on one line.
func HTMLComment(s string) string {
	return strings.NewReplacer("<", "‹", ">", "›", "-", "‐").Replace(Terminal(s))
}

// HTML escapes s for text inside an HTML element on one line (the
// <summary> of a <details> block, where markdown is not read).
func HTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "@", "@"+zwj).Replace(Terminal(s))
}

// WorkflowData escapes the data of a workflow command (the message after
// the second "::"), as the GitHub Actions runner unescapes it: "%" first,
// then carriage return and line feed. Give it text that went through
// Terminal, and line breaks of fsar's own.
func WorkflowData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// WorkflowProperty escapes the value of a workflow command property
// (file=, title=): as WorkflowData, and also ":" and ",", which would end
// the value or the properties. It applies Terminal itself.
func WorkflowProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(Terminal(s))
}

// LogLine makes one line of fsar's own safe in the GitHub Actions log,
// whatever text was put in it: the runner reads a line whose trimmed text
// starts with "::" as a command, and "##[" anywhere as a legacy command.
// A line fsar meant as a command passes command=true and must start with
// "::" itself.
func LogLine(line string, command bool) string {
	line = strings.ReplaceAll(line, legacyCommand, `#\u0023[`)
	if !command && strings.HasPrefix(strings.TrimSpace(line), "::") {
		line = "fsar: " + line
	}
	return line
}

// JSONLog keeps JSON inert in a GitHub Actions log: "##[" can only be in
// strings, where "[" may be written "\u005b". No line starts with "::"
// when the JSON is indented: every line starts with a key, a value or a
// bracket.
//
// It also writes every invisible character (see Invisible) as a \u escape,
// as JSON allows: the document says the same, and one who reads the JSON
// as text sees them.
func JSONLog(b []byte) []byte {
	if bytes.Contains(b, []byte(legacyCommand)) {
		b = bytes.ReplaceAll(b, []byte(legacyCommand), []byte(`##\u005b`))
	}
	if !bytes.ContainsFunc(b, Invisible) {
		return b
	}
	out := make([]byte, 0, len(b)+64)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case !Invisible(r):
			out = append(out, b[:size]...)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, hi, lo)
		default:
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		b = b[size:]
	}
	return out
}

// XMLLog keeps XML inert in a GitHub Actions log: "##[" can only be in
// attribute values or text, where "[" may be written as a character
// reference. (encoding/xml writes line breaks in text and attributes as
// character references, so every line starts with markup.)
func XMLLog(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte(legacyCommand), []byte("##&#91;"))
}
