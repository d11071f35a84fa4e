package report

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds one escaping helper per target. Each takes untrusted
// text and returns text that, placed where the helper says, is shown as
// itself and does nothing else.

// zwj is a zero-width joiner: put after "@", "#" or ":" it keeps GitHub
// from reading a mention, an issue reference, an autolink or an emoji
// shortcode, and does not change what a reader sees.
const zwj = "\u200d"

// truncate cuts s to at most n runes, marking the cut with "…".
func truncate(s string, n int) string {
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

// mdText escapes s for inline markdown text (a paragraph, a list item or
// a table cell), after Clean and cut to n runes (no cut when n is 0). The
// result is one line; every character that means something inline is
// escaped (with a backslash, or as an entity for <, > and &: fsar never
// puts this text at the start of a line, where others would); "@" mentions, "#123"
// references, "word:" emoji and "scheme://" or "www." autolinks get a
// zero-width joiner that breaks them without changing what is shown.
func mdText(s string, n int) string {
	s = truncate(Clean(s), n)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i, r := range s {
		next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '~', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '#':
			b.WriteRune(r)
			if unicode.IsDigit(next) {
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

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// codeSpan renders s as an inline markdown code span, after Clean and cut
// to n runes (no cut when n is 0): the fence is one backtick longer than
// the longest run of backticks in s, and a space pads each side when s
// starts or ends with a backtick, or starts and ends with a space without
// being all spaces (CommonMark strips one from each side then), so the span always closes where fsar
// closes it and shows s exactly. Nothing in
// a code span is markdown or HTML, and GitHub reads no mention in it. In a
// table cell (inTable) "|" is written "\|", which GitHub's table parser
// turns back into "|" before it reads the span. The legacy workflow
// command marker "##[" is broken by Clean. Empty text is shown as an
// empty-set sign outside any span.
func codeSpan(s string, n int, inTable bool) string {
	s = truncate(Clean(s), n)
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

// htmlComment makes s safe inside an HTML comment (<!-- ... -->): no "<",
// ">" or "-" is left that could end it or open another, and Clean keeps it
// on one line.
func htmlComment(s string) string {
	return strings.NewReplacer("<", "‹", ">", "›", "-", "‐").Replace(Clean(s))
}

// htmlText escapes s for text inside an HTML element on one line (the
// <summary> of a <details> block, where markdown is not read).
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "@", "@"+zwj).Replace(Clean(s))
}

// ghData escapes the data of a workflow command (the message after the
// second "::"), as the GitHub Actions runner unescapes it: "%" first, then
// carriage return and line feed. Give it text that went through Clean,
// and line breaks of fsar's own.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes the value of a workflow command property (file=,
// title=): as ghData, and also ":" and ",", which would end the value or
// the properties. It cleans s itself.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(Clean(s))
}

// safeLogLine makes one line of fsar's own safe in the GitHub Actions log,
// whatever text was put in it: the runner reads a line whose trimmed text
// starts with "::" as a command, and "##[" anywhere as a legacy command.
// A line fsar meant as a command passes command=true and must start with
// "::" itself.
func safeLogLine(line string, command bool) string {
	line = strings.ReplaceAll(line, legacyCommand, `#\u0023[`)
	if !command && strings.HasPrefix(strings.TrimSpace(line), "::") {
		line = "fsar: " + line
	}
	return line
}
