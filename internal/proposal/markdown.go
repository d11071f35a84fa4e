package proposal

import (
	"strings"
	"unicode/utf8"
)

// Title is the first heading of every markdown FSAR report.
const Title = "# FSAR Proposal Report"

// line is one line of a markdown file: text excludes the line end.
type line struct {
	text  string
	start int // byte offset of the line in the file
}

// splitLines splits s at "\n". In a file whose first line ends with
// "\r\n", every "\r" before a "\n" belongs to the line end.
func splitLines(s string) (lines []line, crlf bool) {
	if i := strings.IndexByte(s, '\n'); i > 0 && s[i-1] == '\r' {
		crlf = true
	}
	lines = make([]line, 0, 16+len(s)/64)
	for start := 0; ; {
		i := strings.IndexByte(s[start:], '\n')
		if i < 0 {
			// A final line end ends the last line; it does not start another.
			if start < len(s) || len(lines) == 0 {
				lines = append(lines, line{text: s[start:], start: start})
			}
			return lines, crlf
		}
		end := start + i
		t := s[start:end]
		if crlf && strings.HasSuffix(t, "\r") {
			t = t[:len(t)-1]
		}
		lines = append(lines, line{text: t, start: start})
		start = end + 1
	}
}

// structural returns a line's text as markup: without a trailing "\r" and
// trailing spaces or tabs.
func structural(t string) string {
	return strings.TrimRight(t, " \t\r")
}

// readMarkdown reads the generator's markdown form. data has passed
// checkText.
func readMarkdown(file string, data []byte, lim Limits) (*Report, error) {
	s := string(data)
	lines, crlf := splitLines(s)
	r := &Report{File: file, Form: Markdown}
	pos := func(i int) Pos { return Pos{Line: i + 1, Column: 1} }

	// Preamble: blank lines and HTML comments (the later copies' SYNOPSIS
	// line) before the title.
	i := 0
	for i < len(lines) {
		t := strings.TrimSpace(lines[i].text)
		if t == "" {
			i++
			continue
		}
		if !strings.HasPrefix(t, "<!--") {
			break
		}
		open := i
		for !strings.Contains(lines[i].text, "-->") {
			i++
			if i == len(lines) {
				return nil, errAt(file, pos(open), "HTML comment is never closed: expected \"-->\"")
			}
		}
		i++
	}
	if i == len(lines) {
		return nil, notReport(file, Pos{Line: 1, Column: 1}, "empty: expected the title %q", Title)
	}
	if structural(lines[i].text) != Title {
		return nil, notReport(file, pos(i), "expected the title %q, found %q", Title, clip(lines[i].text))
	}
	i++

	// The last "## Risks" and "## Mitigations" headings end the proposal.
	risksAt, mitigationsAt := -1, -1
	for j := i; j < len(lines); j++ {
		t := lines[j].text
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
	bodyEnd := len(lines)
	for _, at := range []int{risksAt, mitigationsAt} {
		if at >= 0 && at < bodyEnd {
			bodyEnd = at
		}
	}

	// Header: "- key: value" lines up to "- proposal:".
	seen := map[string]int{}
	for ; i < bodyEnd; i++ {
		t := structural(lines[i].text)
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
			r.Proposal = proposalBody(s, lines, i+1, bodyEnd, crlf)
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
func proposalBody(s string, lines []line, from, to int, crlf bool) string {
	if from < to && structural(lines[from].text) == "" {
		from++
	}
	if to > from && structural(lines[to-1].text) == "" {
		to--
	}
	if from >= to {
		return ""
	}
	if !crlf {
		// Without line-end conversion the text is one slice of the file.
		last := lines[to-1]
		return s[lines[from].start : last.start+len(last.text)]
	}
	var b strings.Builder
	for k := from; k < to; k++ {
		if k > from {
			b.WriteByte('\n')
		}
		b.WriteString(lines[k].text)
	}
	return b.String()
}

// sectionItems reads the list under the heading at index at, up to the
// other section's heading when that comes later, or the end of the file.
func sectionItems(file string, lines []line, at, other int, f Field, lim Limits) ([]Item, error) {
	end := len(lines)
	if other > at {
		end = other
	}
	items := []Item{}
	heading := structural(lines[at].text)
	for j := at + 1; j < end; j++ {
		raw := lines[j].text
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
func findMarkers(s string, lines []line, hdr, end int) []Marker {
	from := lines[hdr].start + len("- proposal:")
	to := len(s)
	if end < len(lines) {
		to = lines[end].start
	}
	var out []Marker
	// Positions are found walking forward, so many markers cost one pass.
	line, last, col := hdr, lines[hdr].start, 1
	eachMarker(s[from:to], func(name string, off int) {
		at := from + off
		if line+1 < len(lines) && lines[line+1].start <= at {
			for line+1 < len(lines) && lines[line+1].start <= at {
				line++
			}
			last, col = lines[line].start, 1
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
