package sweep

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/fsar-gate/fsar/internal/gate"
)

//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("sweep").Funcs(template.FuncMap{
	"f":         func(x float64) string { return strconv.FormatFloat(round1(x), 'f', -1, 64) },
	"thousands": thousands,
	"num":       fmtNum,
	"signed":    signed,
	"label":     MeasureLabel,
	"upper":     strings.ToUpper,
	"sev":       sevText,
	"kind":      kindName,
	"join":      strings.Join,
}).Parse(htmlSource))

// htmlListLimit is how many entries of a long list the HTML report shows.
const htmlListLimit = 1000

// WriteHTML writes a self-contained HTML report: no script at all, no
// external style, font or image; the charts are inline SVG. Its Content
// Security Policy forbids loading anything. Report text is escaped by
// html/template.
func WriteHTML(w io.Writer, r *Result) error {
	v := htmlView{
		R:        r,
		Now:      r.DecidedBy.Now.UTC().Format(time.RFC3339Nano),
		Verdicts: verdictChart(r),
		Shares:   shareChart(r),
		Severity: severityChart(r),
		Rules:    rulesChart(r),
		Top:      topRules(r, 10),
		Trend:    trendMeasures,
	}
	v.Blocking, v.BlockingMore = capList(r.Blocking, htmlListLimit)
	v.Conflicts, v.ConflictsMore = capList(r.TwinConflicts, htmlListLimit)
	v.Dups, v.DupsMore = capList(r.DuplicateIDs, htmlListLimit)
	v.NotReports, v.NotReportsMore = capList(r.NotReports, htmlListLimit)
	v.Errors, v.ErrorsMore = capList(r.Errors, htmlListLimit)
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, v); err != nil {
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
	R                                     *Result
	Now                                   string
	Verdicts, Shares, Severity, Rules     chart
	Top                                   []RuleStat
	Trend                                 []string
	Blocking                              []Blocking
	Conflicts                             []TwinConflict
	Dups                                  []DuplicateID
	NotReports                            []string
	Errors                                []gate.Problem
	BlockingMore, ConflictsMore, DupsMore int
	NotReportsMore, ErrorsMore            int
}

func capList[T any](s []T, n int) ([]T, int) {
	if len(s) <= n {
		return s, 0
	}
	return s[:n], len(s) - n
}

// Share returns the period's measure of that name.
func (p Period) Share(name string) Measure {
	m, _ := measureByName(p.Measures, name)
	return m
}

// Share returns the baseline's measure of that name.
func (b *Baseline) Share(name string) Measure {
	m, _ := measureByName(b.Measures, name)
	return m
}

// chart is an SVG chart, laid out here and drawn by the template.
type chart struct {
	Title, Desc string
	W, H        float64
	Rects       []svgRect
	Texts       []svgText
	Lines       []svgLine
	Polylines   []svgPolyline
	Circles     []svgCircle
	Legend      []legendItem
	Empty       string // shown instead when there is nothing to draw
}

type svgRect struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

type svgText struct {
	X, Y   float64
	Anchor string
	Class  string
	Text   string
}

type svgLine struct {
	X1, Y1, X2, Y2 float64
	Class          string
}

type svgPolyline struct {
	Points string
	Class  string
}

type svgCircle struct {
	X, Y  float64
	Class string
	Title string
}

type legendItem struct {
	X     float64
	Class string
	Text  string
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// Layout of every chart: plot area inside the margins.
const (
	chartW       = 760.0
	chartH       = 280.0
	marginLeft   = 56.0
	marginRight  = 16.0
	marginTop    = 36.0
	marginBottom = 44.0
)

var verdictClasses = []struct{ name, class string }{
	{"pass", "v-pass"}, {"warn", "v-warn"}, {"review", "v-review"}, {"block", "v-block"}, {"error", "v-error"},
}

// yAxis draws a value axis from 0 to top with a few grid lines.
func yAxis(c *chart, top float64, suffix string) {
	plotH := c.H - marginTop - marginBottom
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		y := c.H - marginBottom - plotH*float64(i)/4
		c.Lines = append(c.Lines, svgLine{X1: marginLeft, Y1: y, X2: c.W - marginRight, Y2: y, Class: "grid"})
		label := strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + suffix
		c.Texts = append(c.Texts, svgText{X: marginLeft - 6, Y: y + 4, Anchor: "end", Class: "tick", Text: label})
	}
}

// niceTop rounds a maximum up to a round number for the axis.
func niceTop(max float64) float64 {
	if max <= 0 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(max)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= max {
			return m * mag
		}
	}
	return 10 * mag
}

// xLabels places period labels under the bars, skipping some when there
// are too many to read.
func xLabels(c *chart, labels []string, slot float64) {
	every := int(math.Ceil(float64(len(labels)) / 12))
	for i, l := range labels {
		if i%every != 0 {
			continue
		}
		c.Texts = append(c.Texts, svgText{X: marginLeft + slot*(float64(i)+0.5), Y: c.H - marginBottom + 16, Anchor: "middle", Class: "tick", Text: l})
	}
}

func legend(c *chart, items [][2]string) {
	x := marginLeft
	for _, it := range items {
		c.Legend = append(c.Legend, legendItem{X: x, Class: it[1], Text: it[0]})
		x += 14 + 7.5*float64(len(it[0])) + 18
	}
}

// barFrame draws the y axis of a bar chart of n bars whose tallest is maxN,
// and returns the axis top, the plot's height and the width of one bar's slot.
func barFrame(c *chart, n, maxN int) (top, plotH, slot float64) {
	top = niceTop(float64(maxN))
	yAxis(c, top, "")
	plotH = c.H - marginTop - marginBottom
	slot = (c.W - marginLeft - marginRight) / float64(n)
	return top, plotH, slot
}

// verdictChart stacks each period's reports by verdict.
func verdictChart(r *Result) chart {
	c := chart{Title: "Verdicts over time", Desc: "reports per " + r.Settings.Period + " of report time, by verdict", W: chartW, H: chartH}
	if len(r.Periods) == 0 {
		c.Empty = "No reports."
		return c
	}
	maxN := 0
	for _, p := range r.Periods {
		maxN = max(maxN, p.Reports)
	}
	top, plotH, slot := barFrame(&c, len(r.Periods), maxN)
	barW := math.Max(slot*0.7, 1)
	labels := make([]string, len(r.Periods))
	for i, p := range r.Periods {
		labels[i] = p.Period
		x := marginLeft + slot*float64(i) + (slot-barW)/2
		y := c.H - marginBottom
		counts := []int{p.Verdicts.Pass, p.Verdicts.Warn, p.Verdicts.Review, p.Verdicts.Block, p.Verdicts.Error}
		for k, n := range counts {
			if n == 0 {
				continue
			}
			h := plotH * float64(n) / top
			y -= h
			c.Rects = append(c.Rects, svgRect{X: x, Y: y, W: barW, H: h, Class: verdictClasses[k].class,
				Title: fmt.Sprintf("%s: %s %s of %s reports", p.Period, thousands(n), verdictClasses[k].name, thousands(p.Reports))})
		}
	}
	xLabels(&c, labels, slot)
	var items [][2]string
	for _, v := range verdictClasses {
		items = append(items, [2]string{v.name, v.class})
	}
	legend(&c, items)
	return c
}

var shareClasses = map[string]string{
	MeasureBlock: "s-block", MeasureReview: "s-review", MeasureCanned: "s-canned",
	MeasureStale: "s-stale", MeasureUnderRated: "s-under", MeasureHighSeverity: "s-high",
}

// shareChart draws each trend measure's share per period as a line.
func shareChart(r *Result) chart {
	c := chart{Title: "Shares over time", Desc: "share of each period's reports, in percent", W: chartW, H: chartH}
	var periods []Period
	for _, p := range r.Periods {
		if p.Period != unknownPeriod {
			periods = append(periods, p)
		}
	}
	if len(periods) == 0 {
		c.Empty = "No report has a readable timestamp."
		return c
	}
	yAxis(&c, 100, "%")
	plotW := c.W - marginLeft - marginRight
	plotH := c.H - marginTop - marginBottom
	slot := plotW / float64(len(periods))
	labels := make([]string, len(periods))
	for i, p := range periods {
		labels[i] = p.Period
	}
	var items [][2]string
	for _, name := range trendMeasures {
		class := shareClasses[name]
		var pts []string
		for i, p := range periods {
			m := p.Share(name)
			x := marginLeft + slot*(float64(i)+0.5)
			y := c.H - marginBottom - plotH*m.Percent/100
			pts = append(pts, strconv.FormatFloat(round1(x), 'f', -1, 64)+","+strconv.FormatFloat(round1(y), 'f', -1, 64))
			c.Circles = append(c.Circles, svgCircle{X: x, Y: y, Class: class,
				Title: fmt.Sprintf("%s, %s: %s%% (%s of %s)", p.Period, MeasureLabel(name), fmtNum(m.Percent), thousands(m.Reports), thousands(m.Of))})
		}
		if len(pts) > 1 {
			c.Polylines = append(c.Polylines, svgPolyline{Points: strings.Join(pts, " "), Class: class})
		}
		items = append(items, [2]string{MeasureLabel(name), class})
	}
	xLabels(&c, labels, slot)
	legend(&c, items)
	return c
}

// severityChart draws the reports per severity band.
func severityChart(r *Result) chart {
	c := chart{Title: "Severity distribution", Desc: "reports per severity band (the generator's 0 to 75 scale)", W: chartW, H: chartH}
	if len(r.Severity) == 0 {
		c.Empty = "No reports."
		return c
	}
	maxN := 0
	for _, b := range r.Severity {
		maxN = max(maxN, b.Reports)
	}
	top, plotH, slot := barFrame(&c, len(r.Severity), maxN)
	barW := math.Min(slot*0.6, 120)
	labels := make([]string, len(r.Severity))
	for i, b := range r.Severity {
		labels[i] = b.Band
		h := plotH * float64(b.Reports) / top
		x := marginLeft + slot*float64(i) + (slot-barW)/2
		c.Rects = append(c.Rects, svgRect{X: x, Y: c.H - marginBottom - h, W: barW, H: h, Class: "band",
			Title: fmt.Sprintf("severity %s: %s reports (%s%%)", b.Band, thousands(b.Reports), fmtNum(b.Percent))})
		c.Texts = append(c.Texts, svgText{X: x + barW/2, Y: c.H - marginBottom - h - 5, Anchor: "middle", Class: "value", Text: thousands(b.Reports)})
	}
	xLabels(&c, labels, slot)
	return c
}

// rulesChart draws the ten rules that fired on the most reports.
func rulesChart(r *Result) chart {
	rules := topRules(r, 10)
	rowH := 24.0
	c := chart{Title: "Top rules", Desc: "reports with at least one finding of the rule", W: chartW, H: marginTop + rowH*float64(max(len(rules), 1)) + 16}
	if len(rules) == 0 {
		c.Empty = "No rule fired."
		return c
	}
	labelW := 230.0
	plotW := c.W - labelW - marginRight - 60
	maxN := 0
	for _, rs := range rules {
		maxN = max(maxN, rs.Reports)
	}
	for i, rs := range rules {
		y := marginTop + rowH*float64(i)
		w := plotW * float64(rs.Reports) / float64(max(maxN, 1))
		c.Texts = append(c.Texts, svgText{X: labelW - 8, Y: y + rowH*0.65, Anchor: "end", Class: "tick", Text: rs.Rule})
		c.Rects = append(c.Rects, svgRect{X: labelW, Y: y + 4, W: math.Max(w, 1), H: rowH - 8, Class: "l-" + rs.Level,
			Title: fmt.Sprintf("%s (%s): %s reports, %s findings", rs.Rule, rs.Level, thousands(rs.Reports), thousands(rs.Findings))})
		c.Texts = append(c.Texts, svgText{X: labelW + w + 6, Y: y + rowH*0.65, Anchor: "start", Class: "value", Text: thousands(rs.Reports)})
	}
	legend(&c, [][2]string{{"deny", "l-deny"}, {"review", "l-review"}, {"warn", "l-warn"}})
	return c
}
