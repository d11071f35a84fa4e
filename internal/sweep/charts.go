package sweep

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The HTML report's charts, laid out here as SVG shapes and drawn by the
// template.
//
// Verdicts over time are small multiples: one panel per verdict that any
// report has, each with its own axis, so that the 5 blocking reports
// among 1,262 that warn are bars as tall as the warnings' are, and each
// bar says its count when there is room. (A stacked bar gave the blocks a
// pixel; a log axis would have made the counts hard to read.) Every value
// axis ends at a round number of 1, 2, 2.5 or 5 times a power of ten,
// cut in steps of such a number. Share lines are told apart by their
// colour, their marker's shape and their dashes, and each is named at
// its last point, the names pushed apart where the lines meet; a period
// too young for a share is drawn hollow, and shaded with a mark.

// chart is an SVG chart, laid out here and drawn by the template.
type chart struct {
	Title, Desc string
	W, H        float64
	Rects       []svgRect
	Texts       []svgText
	Lines       []svgLine
	Polylines   []svgPolyline
	Markers     []svgPath
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
	Dash   string
}

type svgPath struct {
	D     string
	Class string
	Title string
}

type legendItem struct {
	X     float64
	Class string
	Text  string
	Shape string // a marker's shape, drawn instead of a square
	// Marker is the shape's path, placed at X.
	Marker string
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

// niceStep returns the step of an axis from 0 to at least max in about
// the given number of steps: 1, 2, 2.5 or 5 times a power of ten, and a
// whole number for counts (integer).
func niceStep(max, steps float64, integer bool) float64 {
	if max <= 0 {
		return 1
	}
	raw := max / steps
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw*(1-1e-9) {
			step = m * mag
			break
		}
	}
	if integer && step != math.Trunc(step) {
		step = map[bool]float64{true: 1, false: 5}[step < 2] // 0.5 and less: 1; 2.5: 5
	}
	return step
}

// niceTop is the axis top for max: the first multiple of its step (see
// niceStep) at or above it.
func niceTop(max, steps float64, integer bool) (top, step float64) {
	step = niceStep(max, steps, integer)
	top = math.Max(step, math.Ceil(max/step-1e-9)*step)
	return top, step
}

// axisLabel writes an axis value: 2,500, 12.5.
func axisLabel(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return thousands(int(v))
	}
	return strconv.FormatFloat(round1(v), 'f', -1, 64)
}

// yAxis draws a value axis from 0 to top in steps, over the plot from
// bottom to bottom-height.
func yAxis(c *chart, left, right, bottom, height, top, step float64, suffix string) {
	for v := 0.0; v <= top+step/1e6; v += step {
		y := bottom - height*v/top
		c.Lines = append(c.Lines, svgLine{X1: left, Y1: y, X2: right, Y2: y, Class: "grid"})
		c.Texts = append(c.Texts, svgText{X: left - 6, Y: y + 4, Anchor: "end", Class: "tick", Text: axisLabel(v) + suffix})
	}
}

// xLabels places period labels under the slots, skipping some when they
// would not fit side by side.
func xLabels(c *chart, labels []string, left, slot, y float64) {
	widest := 0
	for _, l := range labels {
		widest = max(widest, len(l))
	}
	every := max(1, int(math.Ceil((float64(widest)*6.6+8)/slot)))
	for i, l := range labels {
		if i%every != 0 {
			continue
		}
		c.Texts = append(c.Texts, svgText{X: left + slot*(float64(i)+0.5), Y: y, Anchor: "middle", Class: "tick", Text: l})
	}
}

func legend(c *chart, items []legendItem) {
	x := marginLeft
	for _, it := range items {
		it.X = x
		if it.Shape != "" {
			it.Marker = markerPath(it.Shape, x+6, 14)
		}
		c.Legend = append(c.Legend, it)
		x += 14 + 6.6*float64(len(it.Text)) + 18
	}
}

var verdictClasses = []struct{ name, class string }{
	{"block", "v-block"}, {"review", "v-review"}, {"warn", "v-warn"}, {"pass", "v-pass"}, {"error", "v-error"},
}

func (v Verdicts) of(name string) int {
	switch name {
	case "block":
		return v.Block
	case "review":
		return v.Review
	case "warn":
		return v.Warn
	case "pass":
		return v.Pass
	}
	return v.Error
}

// Small multiples of the verdicts: each panel is a title row, a row for
// the counts over the tallest bars, and the plot.
const (
	panelTitle = 18.0
	panelRoom  = 14.0
	panelH     = 72.0
	panelGap   = 8.0
	panelStep  = panelTitle + panelRoom + panelH + panelGap
)

// verdictChart draws one panel per verdict that any report has: its
// reports per period, on an axis of its own.
func verdictChart(r *Result) chart {
	c := chart{Title: "Verdicts over time", Desc: "reports per " + r.Settings.Period + " of report time, one panel per verdict, each on its own scale", W: chartW}
	if len(r.Periods) == 0 {
		c.H = chartH
		c.Empty = "No reports."
		return c
	}
	var names []string
	for _, vc := range verdictClasses {
		for _, p := range r.Periods {
			if p.Verdicts.of(vc.name) > 0 {
				names = append(names, vc.name)
				break
			}
		}
	}
	left, right := marginLeft, chartW-marginRight
	slot := (right - left) / float64(len(r.Periods))
	barW := math.Max(slot*0.7, 1)
	c.H = float64(len(names))*panelStep + 24
	for k, name := range names {
		class := "v-" + name
		titleY := float64(k)*panelStep + panelTitle - 4
		bottom := float64(k)*panelStep + panelTitle + panelRoom + panelH
		maxN, total := 0, 0
		for _, p := range r.Periods {
			maxN = max(maxN, p.Verdicts.of(name))
			total += p.Verdicts.of(name)
		}
		axisTop, step := niceTop(float64(maxN), 3, true) // a short panel: three steps or so
		yAxis(&c, left, right, bottom, panelH, axisTop, step, "")
		c.Texts = append(c.Texts, svgText{X: left, Y: titleY, Anchor: "start", Class: "panel " + class, Text: fmt.Sprintf("%s: %s", name, count(total, "report"))})
		for i, p := range r.Periods {
			n := p.Verdicts.of(name)
			if n == 0 {
				continue
			}
			h := math.Max(panelH*float64(n)/axisTop, 2)
			x := left + slot*float64(i) + (slot-barW)/2
			c.Rects = append(c.Rects, svgRect{X: x, Y: bottom - h, W: barW, H: h, Class: class,
				Title: fmt.Sprintf("%s: %s %s of %s reports", p.Period, thousands(n), name, thousands(p.Reports))})
			if label := thousands(n); float64(len(label))*6.2 <= slot {
				c.Texts = append(c.Texts, svgText{X: x + barW/2, Y: bottom - h - 3, Anchor: "middle", Class: "value", Text: label})
			}
		}
	}
	labels := make([]string, len(r.Periods))
	for i, p := range r.Periods {
		labels[i] = p.Period
	}
	xLabels(&c, labels, left, slot, c.H-8)
	return c
}

// Markers, colours and dashes of the share lines, by the share's place.
var (
	markerShapes = []string{"circle", "square", "diamond", "up", "down", "hexagon"}
	shareDashes  = []string{"", "6 3", "2 3", "8 3 2 3", "", "4 4"}
	shareColours = 8
)

// markerPath is an SVG path of a marker shape centred on x, y.
func markerPath(shape string, x, y float64) string {
	f := func(v float64) string { return strconv.FormatFloat(round1(v), 'f', -1, 64) }
	pts := func(ps ...[2]float64) string {
		var b strings.Builder
		for i, p := range ps {
			b.WriteString(map[bool]string{true: "M", false: "L"}[i == 0])
			b.WriteString(f(x+p[0]) + " " + f(y+p[1]) + " ")
		}
		return b.String() + "Z"
	}
	switch shape {
	case "square":
		return pts([2]float64{-3.5, -3.5}, [2]float64{3.5, -3.5}, [2]float64{3.5, 3.5}, [2]float64{-3.5, 3.5})
	case "diamond":
		return pts([2]float64{0, -5}, [2]float64{5, 0}, [2]float64{0, 5}, [2]float64{-5, 0})
	case "up":
		return pts([2]float64{0, -5}, [2]float64{4.5, 4}, [2]float64{-4.5, 4})
	case "down":
		return pts([2]float64{0, 5}, [2]float64{4.5, -4}, [2]float64{-4.5, -4})
	case "hexagon":
		return pts([2]float64{-2.5, -4.3}, [2]float64{2.5, -4.3}, [2]float64{5, 0}, [2]float64{2.5, 4.3}, [2]float64{-2.5, 4.3}, [2]float64{-5, 0})
	}
	return "M" + f(x-4) + " " + f(y) + " a4 4 0 1 0 8 0 a4 4 0 1 0 -8 0 Z"
}

// The share chart keeps room on its right for the lines' names.
const shareLabelRoom = 215.0

// shareChart draws the share of each share that alerts, per known period,
// as a line, named at its end; periods too young for a share are drawn
// hollow and shaded.
func shareChart(r *Result) chart {
	c := chart{Title: "Shares over time", Desc: "share of each period's reports, in percent; hollow markers and shading: a period too young for the share (not in its trend)", W: chartW, H: chartH}
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
	left, right := marginLeft, chartW-shareLabelRoom
	bottom, height := c.H-marginBottom, c.H-marginTop-marginBottom
	slot := (right - left) / float64(len(periods))
	// Shade the periods too young for a share, and say for which.
	for i, p := range periods {
		if len(p.Incomplete) == 0 {
			continue
		}
		labels := make([]string, len(p.Incomplete))
		for k, name := range p.Incomplete {
			labels[k] = r.Facts.Label(name)
		}
		x := left + slot*float64(i)
		c.Rects = append(c.Rects, svgRect{X: x, Y: bottom - height, W: slot, H: height, Class: "incomplete",
			Title: p.Period + ": incomplete, too young for the " + strings.Join(labels, ", ") + " share"})
		c.Texts = append(c.Texts, svgText{X: x + slot/2, Y: bottom - height - 4, Anchor: "middle", Class: "tick incomplete-mark", Text: "incomplete"})
	}
	yAxis(&c, left, right, bottom, height, 100, 25, "%")
	type end struct {
		y    float64
		text string
		k    int
	}
	var ends []end
	k := 0
	var items []legendItem
	for _, d := range r.Facts.Shares {
		if d.Bad == "" {
			continue
		}
		class := "s" + strconv.Itoa(k%shareColours)
		shape := markerShapes[k%len(markerShapes)]
		var pts []string
		var last Measure
		var lastY float64
		for i, p := range periods {
			m := p.Share(d.Name)
			x := left + slot*(float64(i)+0.5)
			y := bottom - height*m.Percent/100
			pts = append(pts, strconv.FormatFloat(round1(x), 'f', -1, 64)+","+strconv.FormatFloat(round1(y), 'f', -1, 64))
			mc := class
			title := fmt.Sprintf("%s, %s: %s%% (%s of %s)", p.Period, d.Label, fmtNum(m.Percent), thousands(m.Reports), thousands(m.Of))
			if slices.Contains(p.Incomplete, d.Name) {
				mc += " hollow"
				title += ", incomplete: too young for the share"
			}
			c.Markers = append(c.Markers, svgPath{D: markerPath(shape, x, y), Class: mc, Title: title})
			last, lastY = m, y
		}
		if len(pts) > 1 {
			c.Polylines = append(c.Polylines, svgPolyline{Points: strings.Join(pts, " "), Class: class, Dash: shareDashes[k%len(shareDashes)]})
		}
		ends = append(ends, end{y: lastY, text: d.Label + " " + fmtNum(last.Percent) + "%", k: k})
		items = append(items, legendItem{Class: class, Text: d.Label, Shape: shape})
		k++
	}
	// Name each line at its end, the names at least a line apart and
	// within the plot: pushed down where they meet, then up from the
	// bottom, then down from the top.
	slices.SortStableFunc(ends, func(a, b end) int { return cmp.Compare(a.y, b.y) })
	const gap = 13.0
	for i := 1; i < len(ends); i++ {
		ends[i].y = math.Max(ends[i].y, ends[i-1].y+gap)
	}
	limit := bottom + 2
	for i := len(ends) - 1; i >= 0; i-- {
		ends[i].y = math.Min(ends[i].y, limit)
		limit = ends[i].y - gap
	}
	limit = bottom - height
	for i := range ends {
		ends[i].y = math.Max(ends[i].y, limit)
		limit = ends[i].y + gap
	}
	for _, e := range ends {
		c.Texts = append(c.Texts, svgText{X: right + 10, Y: e.y + 4, Anchor: "start", Class: "direct s" + strconv.Itoa(e.k%shareColours), Text: e.text})
	}
	labels := make([]string, len(periods))
	for i, p := range periods {
		labels[i] = p.Period
	}
	xLabels(&c, labels, left, slot, bottom+16)
	legend(&c, items)
	return c
}

// severityChart draws the reports per severity band.
func severityChart(r *Result) chart {
	c := chart{Title: "Severity distribution", Desc: "reports per severity band, the scale cut at the configured review and block thresholds", W: chartW, H: chartH}
	if r.Facts.Scale == nil {
		c.Empty = "The policies declare no severity scale: no bands."
		return c
	}
	if len(r.Severity) == 0 {
		c.Empty = "No reports."
		return c
	}
	maxN := 0
	for _, b := range r.Severity {
		maxN = max(maxN, b.Reports)
	}
	left, right := marginLeft, chartW-marginRight
	bottom, height := c.H-marginBottom, c.H-marginTop-marginBottom
	top, step := niceTop(float64(maxN), 4, true)
	yAxis(&c, left, right, bottom, height, top, step, "")
	slot := (right - left) / float64(len(r.Severity))
	barW := math.Min(slot*0.6, 120)
	labels := make([]string, len(r.Severity))
	for i, b := range r.Severity {
		labels[i] = r.Facts.BandLabel(b.Band)
		h := math.Max(height*float64(b.Reports)/top, 2)
		x := left + slot*float64(i) + (slot-barW)/2
		c.Rects = append(c.Rects, svgRect{X: x, Y: bottom - h, W: barW, H: h, Class: "band",
			Title: fmt.Sprintf("severity %s: %s reports (%s%%)", labels[i], thousands(b.Reports), fmtNum(b.Percent))})
		c.Texts = append(c.Texts, svgText{X: x + barW/2, Y: bottom - h - 5, Anchor: "middle", Class: "value", Text: thousands(b.Reports)})
	}
	xLabels(&c, labels, left, slot, bottom+16)
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
	legend(&c, []legendItem{{Text: "deny", Class: "l-deny"}, {Text: "review", Class: "l-review"}, {Text: "warn", Class: "l-warn"}})
	return c
}
