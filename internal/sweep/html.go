package sweep

import (
	"bytes"
	_ "embed"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/report"
)

//go:embed html.tmpl
var htmlSource string

// htmlTemplate is parsed on first use: only an HTML sweep needs it.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("sweep").Funcs(template.FuncMap{
		"f":         func(x float64) string { return strconv.FormatFloat(round1(x), 'f', -1, 64) },
		"thousands": thousands,
		"num":       fmtNum,
		"signed":    signed,
		"upper":     strings.ToUpper,
		"sev":       sevText,
		"kind":      kindName,
		"otherKind": otherKindName,
		"join":      strings.Join,
		"path":      pathHTML,
		"alertText": alertText,
	}).Parse(htmlSource))
})

// htmlListLimit is how many entries of a long list the HTML report shows.
const htmlListLimit = 1000

// WriteHTML writes a self-contained HTML report: no script at all, no
// external style, font or image; the charts are inline SVG. Its Content
// Security Policy forbids loading anything; the only links are to the
// reports' files on GitHub, when the result's Links know where they are.
// Report text is escaped by html/template.
func WriteHTML(w io.Writer, r *Result) error {
	v := htmlView{
		R:        r,
		Now:      r.DecidedBy.Now.UTC().Format(time.RFC3339Nano),
		Verdicts: verdictChart(r),
		Shares:   shareChart(r),
		Severity: severityChart(r),
		Rules:    rulesChart(r),
		Top:      topRules(r, 10),
		Since:    r.Baseline != nil && r.Baseline.BlockingOmitted == 0 && r.Shard == nil,
	}
	for _, d := range r.Facts.Shares {
		v.ShareCols = append(v.ShareCols, d.Name)
		v.ShareLabels = append(v.ShareLabels, d.Label)
	}
	for _, b := range r.Severity {
		v.Bands = append(v.Bands, bandRow{Label: r.Facts.BandLabel(b.Band), Band: b})
	}
	if r.anyIncomplete() {
		v.IncompleteNote = r.incompleteNote()
	}
	v.Blocking, v.BlockingMore = linkedRows(r, r.Blocking)
	v.WaivedBlocking, v.WaivedBlockingMore = linkedRows(r, r.WaivedBlocking)
	for _, u := range r.WaiversToReview(WaiverHorizon) {
		v.WaiversSoon = append(v.WaiversSoon, waiverRow{Status: u.Status, Line: report.WaiverLine(u)})
	}
	v.HorizonDays = int(WaiverHorizon.Hours() / 24)
	v.NewBlocking, v.NewBlockingMore = linkedRows(r, r.NewBlocking)
	for _, f := range r.NoLongerBlocking {
		v.NoLonger = append(v.NoLonger, fileLink{File: f, URL: r.Links.URL(f)})
	}
	v.NoLonger, v.NoLongerMore = capList(v.NoLonger, htmlListLimit)
	v.Conflicts, v.ConflictsMore = capList(r.TwinConflicts, htmlListLimit)
	v.Dups, v.DupsMore = capList(r.DuplicateIDs, htmlListLimit)
	v.Others, v.OthersMore = capList(r.Others, htmlListLimit)
	v.Errors, v.ErrorsMore = capList(r.Errors, htmlListLimit)
	var buf bytes.Buffer
	if err := htmlTemplate().Execute(&buf, v); err != nil {
		return err
	}
	// html/template escapes markup but lets control characters through;
	// HTML does not allow them, and the template has none of its own.
	page := bytes.Map(func(c rune) rune {
		if unicode.IsControl(c) && c != '\n' && c != '\t' && c != '\r' {
			return unicode.ReplacementChar
		}
		return c
	}, buf.Bytes())
	_, err := w.Write(page)
	return err
}

type htmlView struct {
	R                                 *Result
	Now                               string
	Verdicts, Shares, Severity, Rules chart
	Top                               []RuleStat
	Since                             bool
	ShareCols, ShareLabels            []string
	Bands                             []bandRow
	IncompleteNote                    string
	Blocking, NewBlocking             []blockingRow
	NoLonger                          []fileLink
	Conflicts                         []TwinConflict
	Dups                              []DuplicateID
	Others                            []Other
	Errors                            []gate.Problem
	BlockingMore, NewBlockingMore     int
	WaivedBlocking                    []blockingRow
	WaivedBlockingMore, HorizonDays   int
	WaiversSoon                       []waiverRow
	NoLongerMore, ConflictsMore       int
	DupsMore, OthersMore, ErrorsMore  int
}

type bandRow struct {
	Label string
	Band
}

// blockingRow is a blocking report with its file's page on GitHub ("" when
// unknown).
type blockingRow struct {
	Blocking
	URL string
}

type fileLink struct{ File, URL string }

func linkedRows(r *Result, list []Blocking) ([]blockingRow, int) {
	list, more := capList(list, htmlListLimit)
	rows := make([]blockingRow, len(list))
	for i, b := range list {
		rows[i] = blockingRow{Blocking: b, URL: r.Links.URL(b.File)}
	}
	return rows, more
}

func capList[T any](s []T, n int) ([]T, int) {
	if len(s) <= n {
		return s, 0
	}
	return s[:n], len(s) - n
}

// pathHTML writes a path so that it wraps after a slash, never inside a
// name (not at its hyphens either): each part, up to and with its slash,
// escaped in a span that does not wrap, a <wbr> between them.
func pathHTML(p string) template.HTML {
	var b strings.Builder
	for i, part := range strings.SplitAfter(p, "/") {
		if i > 0 {
			b.WriteString("<wbr>")
		}
		b.WriteString(`<span class="seg">` + template.HTMLEscapeString(part) + "</span>")
	}
	return template.HTML(b.String()) // every part is escaped above
}

// alertText is an alert's message without its name, which the page shows
// on its own.
func alertText(a Alert) string {
	if a.Name == "" {
		return a.Message
	}
	return strings.TrimPrefix(a.Message, a.Name+": ")
}

// Share returns the period's measure of that name.
func (p Period) Share(name string) Measure {
	m, _ := measureByName(p.Measures, name)
	return m
}

// Cell is the period's share as the tables show it (see cell).
func (p Period) Cell(name string) string { return p.cell(name) }

// waiverRow is a waiver that has ended or ends soon, on one line.
type waiverRow struct {
	Status, Line string
}
