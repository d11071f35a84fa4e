package proposal

import (
	"strings"
	"unicode/utf8"
)

// Title is the first heading of every markdown FSAR report.
const Title = "# FSAR Proposal Report"

// lineIndex indexes the lines of a markdown file by the offsets where they
// start: four bytes a line, so that a file of ten million empty lines
// costs 40 MB to read, not a gigabyte. A line's text excludes its line
// end; in a file whose first line ends with "\r\n", every "\r" before a
// "\n" belongs to the line end.
type lineIndex struct {
	s      string
	starts []int32
	crlf   bool
}

// maxMarkdownBytes is the largest markdown file a lineIndex can index.
const maxMarkdownBytes = 1<<31 - 1

// splitLines indexes the lines of s (shorter than maxMarkdownBytes). A
// final line end ends the last line; it does not start another.
func splitLines(s string) *lineIndex {
	l := &lineIndex{s: s}
	if i := strings.IndexByte(s, '\n'); i > 0 && s[i-1] == '\r' {
		l.crlf = true
	}
	l.starts = make([]int32, 1, 1+strings.Count(s, "\n"))
	for start := 0; ; {
		i := strings.IndexByte(s[start:], '\n')
		if i < 0 || start+i+1 == len(s) {
			return l
		}
		start += i + 1
		l.starts = append(l.starts, int32(start))
	}
}

// n is the number of lines.
func (l *lineIndex) n() int { return len(l.starts) }

// start is the byte offset of line i in the file.
func (l *lineIndex) start(i int) int { return int(l.starts[i]) }

// text is line i without its line end.
func (l *lineIndex) text(i int) string {
	end := len(l.s)
	if i+1 < len(l.starts) {
		end = int(l.starts[i+1]) - 1
	} else if strings.HasSuffix(l.s, "\n") {
		end--
	}
	t := l.s[l.starts[i]:end]
	if l.crlf && (i+1 < len(l.starts) || strings.HasSuffix(l.s, "\n")) {
		t = strings.TrimSuffix(t, "\r")
	}
	return t
}

// structural returns a line's text as markup: without a trailing "\r" and
// trailing spaces or tabs.
func structural(t string) string {
	return strings.TrimRight(t, " \t\r")
}

// readMarkdown reads the generator's markdown form. data has passed
// checkText.
func readMarkdown(file string, data []byte, lim Limits) (*Report, error) {
	if len(data) > maxMarkdownBytes {
		return nil, errAt(file, Pos{Line: 1, Column: 1}, "file is larger than %s: too large to read as markdown", humanBytes(maxMarkdownBytes))
	}
	s := string(data)
	lines := splitLines(s)
	r := &Report{File: file, Form: Markdown}
	pos := func(i int) Pos { return Pos{Line: i + 1, Column: 1} }

	// Preamble: blank lines and HTML comments (the later copies' SYNOPSIS
	// line) before the title.
	i := 0
	for i < lines.n() {
		t := strings.TrimSpace(lines.text(i))
		if t == "" {
			i++
			continue
		}
		if !strings.HasPrefix(t, "<!--") {
			break
		}
		open := i
		for !strings.Contains(lines.text(i), "-->") {
			i++
			if i == lines.n() {
				return nil, errAt(file, pos(open), "HTML comment is never closed: expected \"-->\"")
			}
		}
		i++
	}
	if i == lines.n() {
		return nil, notReport(file, Pos{Line: 1, Column: 1}, "empty: expected the title %q", Title)
	}
	if structural(lines.text(i)) != Title {
		e := notReport(file, pos(i), "expected the title %q, found %q", Title, clip(lines.text(i)))
		e.Kind = kindOfTitle(lines.text(i))
		return nil, e
	}
	i++

	// The last "## Risks" and "## Mitigations" headings end the proposal.
	risksAt, mitigationsAt := -1, -1
	for j := i; j < lines.n(); j++ {
		t := lines.text(j)
		if len(t) < 8 || t[0] != '#' || t[1] != '#' {
			continue
		}
		switch h := structural(t); {
		case strings.EqualFold(h, "## risks"):
			risksAt = j
		case strings.EqualFold(h, "## mitigations"):
			mitigationsAt = j
		}
	}
	bodyEnd := lines.n()
	for _, at := range []int{risksAt, mitigationsAt} {
		if at >= 0 && at < bodyEnd {
			bodyEnd = at
		}
	}

	// Header: "- key: value" lines up to "- proposal:".
	seen := map[string]int{}
	for ; i < bodyEnd; i++ {
		t := structural(lines.text(i))
		if t == "" {
			continue
		}
		key, value, ok := headerLine(t)
		if !ok {
			return nil, errAt(file, pos(i), "expected a header line \"- key: value\" or \"- proposal:\", found %q", clip(t))
		}
		if first, dup := seen[key]; dup {
			return nil, errAt(file, pos(i), "header field %q given twice (first at line %d)", key, first+1)
		}
		seen[key] = i
		if key == "proposal" {
			if value != "" {
				return nil, errAt(file, Pos{Line: i + 1, Column: valueColumn(t)}, "text after \"- proposal:\": expected the proposal on the lines below it")
			}
			r.Set(FieldProposal, pos(i))
			r.Proposal = proposalBody(s, lines, i+1, bodyEnd)
			r.Markers = findMarkers(s, lines, i, bodyEnd)
			break
		}
		if err := r.setHeader(file, key, value, pos(i), Pos{Line: i + 1, Column: valueColumn(t)}); err != nil {
			return nil, err
		}
	}

	// Sections.
	if risksAt >= 0 {
		r.Set(FieldRisks, pos(risksAt))
		items, err := sectionItems(file, lines, risksAt, mitigationsAt, FieldRisks, lim)
		if err != nil {
			return nil, err
		}
		r.Risks = items
	}
	if mitigationsAt >= 0 {
		r.Set(FieldMitigations, pos(mitigationsAt))
		items, err := sectionItems(file, lines, mitigationsAt, risksAt, FieldMitigations, lim)
		if err != nil {
			return nil, err
		}
		r.Mitigations = items
	}
	r.derive()
	return r, nil
}

// headerLine splits "- key: value" (or "* key: value").
func headerLine(t string) (key, value string, ok bool) {
	if len(t) < 3 || (t[0] != '-' && t[0] != '*') || t[1] != ' ' {
		return "", "", false
	}
	rest := t[2:]
	colon := strings.IndexByte(rest, ':')
	if colon <= 0 {
		return "", "", false
	}
	key = rest[:colon]
	for k := 0; k < len(key); k++ {
		if c := key[k]; c != '.' && !isWordByte(c) {
			return "", "", false
		}
	}
	return key, strings.TrimSpace(rest[colon+1:]), true
}

// valueColumn is the column at which a header line's value starts.
func valueColumn(t string) int {
	colon := strings.IndexByte(t, ':')
	c := colon + 1
	for c < len(t) && (t[c] == ' ' || t[c] == '\t') {
		c++
	}
	return 1 + utf8.RuneCountInString(t[:c])
}

// proposalBody returns the proposal text: the lines from..to-1 of s. The
// generator writes one blank line after "- proposal:" and one before
// "## Risks"; those are not part of the text.
func proposalBody(s string, lines *lineIndex, from, to int) string {
	if from < to && structural(lines.text(from)) == "" {
		from++
	}
	if to > from && structural(lines.text(to-1)) == "" {
		to--
	}
	if from >= to {
		return ""
	}
	if !lines.crlf {
		// Without line-end conversion the text is one slice of the file.
		return s[lines.start(from) : lines.start(to-1)+len(lines.text(to-1))]
	}
	var b strings.Builder
	for k := from; k < to; k++ {
		if k > from {
			b.WriteByte('\n')
		}
		b.WriteString(lines.text(k))
	}
	return b.String()
}

// sectionItems reads the list under the heading at index at, up to the
// other section's heading when that comes later, or the end of the file.
func sectionItems(file string, lines *lineIndex, at, other int, f Field, lim Limits) ([]Item, error) {
	end := lines.n()
	if other > at {
		end = other
	}
	items := []Item{}
	heading := structural(lines.text(at))
	for j := at + 1; j < end; j++ {
		raw := lines.text(j)
		raw = strings.TrimSuffix(raw, "\r")
		if strings.TrimSpace(raw) == "" {
			continue
		}
		if len(items) == lim.items() {
			return nil, tooManyItems(file, Pos{Line: j + 1, Column: 1}, f, lim)
		}
		if raw == "-" || raw == "*" {
			items = append(items, Item{Text: "", Pos: Pos{Line: j + 1, Column: 1}})
			continue
		}
		if len(raw) < 2 || (raw[0] != '-' && raw[0] != '*') || raw[1] != ' ' {
			return nil, errAt(file, Pos{Line: j + 1, Column: 1}, "expected a list item \"- text\" under %q, found %q", heading, clip(raw))
		}
		items = append(items, Item{Text: raw[2:], Pos: Pos{Line: j + 1, Column: 1}})
	}
	return items, nil
}

// findMarkers finds [fsar_block] and [fsar_review], in any case, in the
// proposal: the text after header line hdr up to line end.
func findMarkers(s string, lines *lineIndex, hdr, end int) []Marker {
	from := lines.start(hdr) + len("- proposal:")
	to := len(s)
	if end < lines.n() {
		to = lines.start(end)
	}
	var out []Marker
	// Positions are found walking forward, so many markers cost one pass.
	line, last, col := hdr, lines.start(hdr), 1
	eachMarker(s[from:to], func(name string, off int) {
		at := from + off
		if line+1 < lines.n() && lines.start(line+1) <= at {
			for line+1 < lines.n() && lines.start(line+1) <= at {
				line++
			}
			last, col = lines.start(line), 1
		}
		col += utf8.RuneCountInString(s[last:at])
		last = at
		out = append(out, Marker{Name: name, Pos: Pos{Line: line + 1, Column: col}})
	})
	return out
}

// markerAt reports the marker that s starts with, and its length.
func markerAt(s string) (string, int) {
	for _, m := range [...]string{"fsar_block", "fsar_review"} {
		n := len(m) + 2
		if len(s) >= n && s[n-1] == ']' && strings.EqualFold(s[1:n-1], m) {
			return m, n
		}
	}
	return "", 0
}

// clip shortens text quoted in an error message.
func clip(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}
