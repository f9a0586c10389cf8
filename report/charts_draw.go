package report

// The charts of the HTML report, drawn with gonum.org/v1/plot as inline
// SVG: each in a wide and a narrow layout, which the page's CSS picks by
// screen width, so that its text stays at least 12 px.

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/pipeshare/pipeshare/model"
)

// The Okabe–Ito palette (Okabe and Ito, "Color Universal Design", 2008):
// its colours stay apart with every common colour-vision deficiency.
var (
	okOrange    = color.RGBA{0xe6, 0x9f, 0x00, 0xff}
	okSkyBlue   = color.RGBA{0x56, 0xb4, 0xe9, 0xff}
	okGreen     = color.RGBA{0x00, 0x9e, 0x73, 0xff}
	okYellow    = color.RGBA{0xf0, 0xe4, 0x42, 0xff}
	okBlue      = color.RGBA{0x00, 0x72, 0xb2, 0xff}
	okVermilion = color.RGBA{0xd5, 0x5e, 0x00, 0xff}
	okPurple    = color.RGBA{0xcc, 0x79, 0xa7, 0xff}

	colAllowed = okBlue
	colDenied  = okVermilion
	colFailed  = okYellow
	// palette colours the cost groups in order; "others" is grey.
	palette  = []color.RGBA{okBlue, okOrange, okGreen, okSkyBlue, okVermilion, okPurple, okYellow}
	colOther = color.RGBA{0xb4, 0xb4, 0xb4, 0xff}
	colInk   = color.RGBA{0x22, 0x22, 0x22, 0xff}
	colMuted = color.RGBA{0x55, 0x55, 0x55, 0xff}
	colRule  = color.RGBA{0xe2, 0xe2, 0xe2, 0xff}
)

var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// chartSize is a chart layout, in SVG user units. The page shows wide
// charts at least 600 px wide and narrow ones at least 340 px, so text of
// these sizes reads at 12 px or more.
type chartSize struct {
	class string    // the SVG's CSS class
	w, h  vg.Length // the canvas, before the band of event labels on top
	font  vg.Length // every text
	side  vg.Length // the widest column of direct labels
	lineH vg.Length // a line of text
}

var (
	wideChart   = chartSize{class: "wide", w: 640, h: 360, font: 13, side: 210, lineH: 16}
	narrowChart = chartSize{class: "narrow", w: 360, h: 320, font: 12.5, side: 115, lineH: 15.5}
	chartSizes  = []chartSize{wideChart, narrowChart}
)

func (sz chartSize) text(c color.Color) draw.TextStyle {
	return draw.TextStyle{Color: c, Font: font.From(sans, sz.font), Handler: plot.DefaultTextHandler}
}

// newPlot returns a plot with the axes' titles and sz's text.
func newPlot(sz chartSize, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font, a.Label.TextStyle.Color = font.From(sans, sz.font), colMuted
		a.Tick.Label.Font, a.Tick.Label.Color = font.From(sans, sz.font), colInk
		a.LineStyle.Color = colMuted
		a.Tick.LineStyle.Color = colMuted
	}
	p.Y.Label.Padding = vg.Points(4)
	return p
}

// hGrid returns horizontal grid lines at the y ticks.
func hGrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	g.Horizontal.Color = colRule
	g.Horizontal.Width = vg.Points(1)
	return g
}

// labelTicks are plot.DefaultTicks labelled with a function of the value.
type labelTicks func(float64) string

func (f labelTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = f(ts[i].Value)
		}
	}
	return ts
}

// digits formats v with prec decimals and thousands separators:
// "1,128.12".
func digits(v float64, prec int) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', prec, 64)
	whole, frac, _ := strings.Cut(s, ".")
	sign := ""
	if v < 0 && strings.Trim(s, "0.") != "" {
		sign = "-"
	}
	if frac != "" {
		frac = "." + frac
	}
	return sign + groupDigits(whole) + frac
}

// countText formats a count or a rate: "72,000", "2.5".
func countText(v float64) string {
	if v == math.Trunc(v) || math.Abs(v) >= 100 {
		return digits(v, 0)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// dollarTick formats USD on an axis: "$1,200", "$2.50".
func dollarTick(v float64) string {
	if v == math.Trunc(v) {
		return "$" + digits(v, 0)
	}
	return dollars(v)
}

// durationText formats ns in its two largest units: "3h 20m", "12m 5s",
// "45s", "2d 3h", "350ms".
func durationText(ns float64) string {
	d := time.Duration(math.Round(ns))
	if d < time.Second {
		return strconv.FormatFloat(ns/1e6, 'g', 3, 64) + "ms"
	}
	units := []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}}
	for i, u := range units {
		if d < u.d && i < len(units)-1 {
			continue
		}
		if i == len(units)-1 {
			return fmt.Sprintf("%d%s", d.Round(time.Second)/time.Second, u.name)
		}
		next := units[i+1]
		d = d.Round(next.d)
		out := fmt.Sprintf("%d%s", d/u.d, u.name)
		if rest := d % u.d / next.d; rest > 0 {
			out += fmt.Sprintf(" %d%s", rest, next.name)
		}
		return out
	}
	return d.String()
}

// timeAxis returns the x value of offset t in days, or in hours for runs
// under two days, and that unit's name and length.
func (s *Summary) timeAxis() (x func(model.Time) float64, unit string, length model.Time) {
	length, unit = model.Time(time.Hour), "hour"
	if s.Duration >= 2*24*model.Time(time.Hour) {
		length, unit = 24*model.Time(time.Hour), "day"
	}
	return func(t model.Time) float64 { return float64(t) / float64(length) }, unit, length
}

// offsetText names offset t on the time axis: "day 10", "hour 6.5".
func (s *Summary) offsetText(t model.Time) string {
	x, unit, _ := s.timeAxis()
	return unit + " " + strconv.FormatFloat(math.Round(x(t)*10)/10, 'f', -1, 64)
}

// marker is a vertical line at x (data units) labelled at its top.
type marker struct {
	x    float64
	text string
}

// eventMarkers returns a marker per instant with timeline events, its
// label the instant and what happened: "day 10: set_permission …".
func (s *Summary) eventMarkers() []marker {
	x, _, _ := s.timeAxis()
	var out []marker
	for i, e := range s.Series.Events {
		if i > 0 && e.At == s.Series.Events[i-1].At {
			out[len(out)-1].text += "; " + e.What
			continue
		}
		out = append(out, marker{x: x(e.At), text: s.offsetText(e.At) + ": " + e.What})
	}
	return out
}

// directLabel names a series beside the plot, level with y (data units):
// a swatch, its name, and its value on a second line.
type directLabel struct {
	y           float64
	col         color.Color
	name, value string
}

// layer is one band of a stacked time chart: its amount in each bucket
// of the series, and its direct label.
type layer struct {
	name, value string
	col         color.Color
	amount      []float64
}

// timeSteps is about the fewest steps a time chart draws: it merges
// buckets into steps up to one time unit wide while they are more.
const timeSteps = 30

// timeChart draws layers stacked over time (the first at the bottom) as
// rates per time unit, with a direct label each and a marker for every
// timeline event. Buckets merge into steps as timeSteps says, so that
// noise does not hide the trend.
func (s *Summary) timeChart(sz chartSize, yLabel string, yTicks labelTicks, layers []layer) (string, error) {
	x, unit, length := s.timeAxis()
	p := newPlot(sz, unit+"s since start", yLabel)
	p.Add(hGrid())
	p.Y.Tick.Marker = yTicks
	bucket := max(s.Series.Bucket, 1)
	k := max(min(int(math.Round(float64(length)/float64(bucket))), len(s.Series.Starts)/timeSteps), 1)
	per := float64(length) / float64(bucket*model.Time(k)) // a step's amount → rate
	end := x(s.Duration)
	var starts []float64 // the steps'
	for i := 0; i < len(s.Series.Starts); i += k {
		if xi := x(s.Series.Starts[i]); xi < end {
			starts = append(starts, xi)
		}
	}
	n := len(starts)
	last := 0 // the last step with data, where the labels stand
	cum := make([][]float64, len(layers))
	run := make([]float64, n)
	top := 0.0
	for l, ly := range layers {
		for i := range n {
			v := 0.0
			for _, a := range ly.amount[i*k : min((i+1)*k, len(ly.amount))] {
				v += a
			}
			run[i] += v * per
			top = max(top, run[i])
			if v > 0 {
				last = max(last, i)
			}
		}
		cum[l] = slices.Clone(run)
	}
	for l := len(layers) - 1; l >= 0; l-- { // the top layer first, lower ones over it
		pts := make(plotter.XYs, 0, n+1)
		for i := range n {
			pts = append(pts, plotter.XY{X: starts[i], Y: cum[l][i]})
		}
		if len(pts) == 0 {
			pts = append(pts, plotter.XY{})
		}
		pts = append(pts, plotter.XY{X: end, Y: pts[len(pts)-1].Y})
		ln, err := plotter.NewLine(pts)
		if err != nil {
			return "", err
		}
		ln.StepStyle = plotter.PostStep
		ln.FillColor = layers[l].col
		ln.LineStyle.Width = 0
		p.Add(ln)
	}
	p.X.Min, p.X.Max = 0, max(end, 1e-9)
	p.Y.Min, p.Y.Max = 0, max(top*1.05, 1)
	labels := make([]directLabel, len(layers))
	below := 0.0
	for l, ly := range layers {
		labels[l] = directLabel{col: ly.col, name: ly.name, value: ly.value}
		if n > 0 {
			labels[l].y = (below + cum[l][last]) / 2
			below = cum[l][last]
		}
	}
	return drawChart(p, sz, s.eventMarkers(), labels)
}

// drawChart draws p on an sz canvas: the direct labels in a column on the
// right, the markers' labels in a band on top (as many rows as they need,
// which add to the height), and returns the SVG element.
func drawChart(p *plot.Plot, sz chartSize, markers []marker, labels []directLabel) (string, error) {
	name, value := sz.text(colInk), sz.text(colMuted)
	swatch := sz.font * 0.8
	side := vg.Length(0)
	for _, l := range labels {
		side = max(side, swatch+6+max(name.Width(l.name), value.Width(l.value))+4)
	}
	side = min(side, sz.side)

	// The markers' x does not depend on the band above the plot.
	full := draw.New(vgsvg.New(sz.w, sz.h))
	da := p.DataCanvas(draw.Crop(full, 0, -side, 0, 0))
	trX, _ := p.Transforms(&da)
	placed, rows := placeMarkers(markers, trX, sz.text(colInk), 2, sz.w-2)
	band := vg.Length(rows) * sz.lineH
	if rows > 0 {
		band += 4
	}

	c := vgsvg.New(sz.w, sz.h+band)
	dc := draw.New(c)
	area := draw.Crop(dc, 0, -side, 0, -band)
	p.Draw(area)
	da = p.DataCanvas(area)
	trX, trY := p.Transforms(&da)

	// The lines, then the labels on white, so that a line that has to
	// cross a label passes behind it.
	rowY := func(m placedMarker) vg.Length { return da.Max.Y + 4 + (vg.Length(m.row)+0.5)*sz.lineH }
	for _, m := range placed {
		x := trX(m.x)
		dc.StrokeLine2(draw.LineStyle{Color: colInk, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}},
			x, da.Min.Y, x, rowY(m)-sz.lineH/2+2)
	}
	for _, m := range placed {
		x, y := trX(m.x), rowY(m)
		sty := sz.text(colInk)
		sty.YAlign = draw.YCenter
		at, w := x+4, sty.Width(m.text)
		box := vg.Rectangle{Min: vg.Point{X: at - 2, Y: y - sz.lineH/2}, Max: vg.Point{X: at + w + 2, Y: y + sz.lineH/2}}
		if m.left {
			sty.XAlign = draw.XRight
			at = x - 4
			box.Min.X, box.Max.X = at-w-2, at+2
		}
		dc.SetColor(color.White)
		dc.Fill(box.Path())
		dc.FillText(sty, vg.Point{X: at, Y: y}, m.text)
	}

	// Direct labels, top first, pushed apart so that none overlaps.
	h := 2 * sz.lineH
	ys := make([]vg.Length, len(labels))
	order := make([]int, len(labels))
	for i, l := range labels {
		ys[i], order[i] = trY(l.y), i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(ys[b], ys[a]) })
	for k := 1; k < len(order); k++ {
		ys[order[k]] = min(ys[order[k]], ys[order[k-1]]-h)
	}
	if k := len(order) - 1; k >= 0 && ys[order[k]]-h/2 < da.Min.Y {
		ys[order[k]] = da.Min.Y + h/2
		for k--; k >= 0; k-- {
			ys[order[k]] = max(ys[order[k]], ys[order[k+1]]+h)
		}
	}
	x0 := da.Max.X + 8
	room := dc.Max.X - x0 - swatch - 6
	for i, l := range labels {
		y := ys[i]
		dc.SetColor(l.col)
		dc.Fill(vg.Rectangle{Min: vg.Point{X: x0, Y: y + 1}, Max: vg.Point{X: x0 + swatch, Y: y + 1 + swatch}}.Path())
		n, v := name, value
		n.YAlign, v.YAlign = draw.YBottom, draw.YTop
		dc.FillText(n, vg.Point{X: x0 + swatch + 6, Y: y}, fitText(n, l.name, room))
		val := l.value
		if v.Width(val) > room { // without its parenthesis, if that fits
			val, _, _ = strings.Cut(val, " (")
		}
		dc.FillText(v, vg.Point{X: x0 + swatch + 6, Y: y}, fitText(v, val, room))
	}
	return svgOf(c, sz.class)
}

// placedMarker is a marker with its label's row in the band (0 just
// above the plot), the side of its line the label stands on, and the label cut to
// fit.
type placedMarker struct {
	x    float64
	row  int
	left bool
	text string
}

// placeMarkers gives each marker's label the first row of the band, from
// the plot up, where it overlaps no other label and no line that rises
// through that row, and its line crosses no label below (else a new row
// on top, where its line passes behind the labels it crosses); a
// label stands right of its line unless there is more room on the left,
// and is cut to fit between lo and hi.
func placeMarkers(ms []marker, trX func(float64) vg.Length, sty draw.TextStyle, lo, hi vg.Length) ([]placedMarker, int) {
	type span struct{ a, b vg.Length }
	var rows [][]span // taken, per row
	var lines []struct {
		x   vg.Length
		row int
	}
	out := make([]placedMarker, 0, len(ms))
	for _, m := range ms {
		x := trX(m.x)
		right, left := hi-(x+4), (x-4)-lo
		pm := placedMarker{x: m.x, left: left > right && sty.Width(m.text) > right}
		var sp span
		if pm.left {
			pm.text = fitText(sty, m.text, left)
			sp = span{x - 4 - sty.Width(pm.text), x}
		} else {
			pm.text = fitText(sty, m.text, right)
			sp = span{x, x + 4 + sty.Width(pm.text)}
		}
		free := func(r int) bool {
			for _, t := range rows[r] {
				if sp.a < t.b+8 && t.a < sp.b+8 {
					return false
				}
			}
			for _, l := range lines {
				if l.row > r && sp.a-2 < l.x && l.x < sp.b+2 {
					return false
				}
			}
			for k := range r { // this line would cross the labels below
				for _, t := range rows[k] {
					if t.a-2 < x && x < t.b+2 {
						return false
					}
				}
			}
			return true
		}
		for pm.row = 0; pm.row < len(rows) && !free(pm.row); pm.row++ {
		}
		if pm.row == len(rows) {
			rows = append(rows, nil)
		}
		rows[pm.row] = append(rows[pm.row], sp)
		lines = append(lines, struct {
			x   vg.Length
			row int
		}{x, pm.row})
		out = append(out, pm)
	}
	return out, len(rows)
}

// fitText returns txt, cut and ended with "…" if it is wider than room.
func fitText(sty draw.TextStyle, txt string, room vg.Length) string {
	if sty.Width(txt) <= room {
		return txt
	}
	r := []rune(txt)
	for len(r) > 1 && sty.Width(string(r)+"…") > room {
		r = r[:len(r)-1]
	}
	return strings.TrimRight(string(r), " ") + "…"
}

// svgOf returns canvas c as an SVG element of class "chart " + class for
// inlining in HTML: no XML prolog, and no width or height, so that CSS
// sizes it and its viewBox scales it.
func svgOf(c *vgsvg.Canvas, class string) (string, error) {
	var b strings.Builder
	if _, err := c.WriteTo(&b); err != nil {
		return "", err
	}
	s := b.String()
	i, j := strings.Index(s, "<svg"), strings.Index(s, "viewBox=")
	if i < 0 || j < i {
		return "", fmt.Errorf("report: unexpected SVG from vgsvg")
	}
	return `<svg class="chart ` + class + `" role="img" ` + s[j:], nil
}

// calls returns the calls chart in layout sz: calls per time unit,
// stacked by decision.
func (s *Summary) callsChart(sz chartSize) (string, error) {
	_, unit, _ := s.timeAxis()
	layers := []layer{
		{name: "allowed", value: s.callShare(s.Calls.Allowed), col: colAllowed},
		{name: "denied", value: s.callShare(s.Calls.Denied), col: colDenied},
		{name: "failed", value: s.callShare(s.Calls.Failed), col: colFailed},
	}
	for k := range layers {
		layers[k].amount = make([]float64, len(s.Series.Calls))
		for i, c := range s.Series.Calls {
			layers[k].amount[i] = float64(c[k])
		}
	}
	return s.timeChart(sz, "calls per "+unit, countText, layers)
}

// callShare formats n calls and their share of all: "13,730 (79.6%)".
func (s *Summary) callShare(n int64) string {
	return digits(float64(n), 0) + " (" + pct(n, s.Calls.Total) + ")"
}

// costChart returns the cost chart in layout sz: the owner's USD per time
// unit, stacked by cost group, the costliest at the bottom.
func (s *Summary) costChart(sz chartSize) (string, error) {
	_, unit, _ := s.timeAxis()
	var total float64
	sums := make([]float64, len(s.Series.Cost))
	for g, usd := range s.Series.Cost {
		for _, v := range usd {
			sums[g] += v
		}
		total += sums[g]
	}
	layers := make([]layer, len(s.Series.CostGroups))
	for g, name := range s.Series.CostGroups {
		ly := layer{name: name, col: palette[g%len(palette)], amount: s.Series.Cost[g]}
		if s.Series.CostOther && g == len(layers)-1 {
			ly.col = colOther
		}
		ly.value = dollars(sums[g])
		if total > 0 {
			ly.value += fmt.Sprintf(" (%.0f%%)", 100*sums[g]/total)
		}
		layers[g] = ly
	}
	return s.timeChart(sz, "USD per "+unit, dollarTick, layers)
}

// durationTicks labels a log axis of seconds at its values: the wide
// layout's, or the narrow layout's sparser ones.
type durationTicks []float64

var (
	wideDurationTicks   = durationTicks{1e-3, 1e-2, 0.1, 1, 10, 60, 600, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400}
	narrowDurationTicks = durationTicks{1e-3, 1, 60, 3600, 86400, 30 * 86400, 365 * 86400}
)

func (dt durationTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for _, v := range dt {
		if v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
			ts = append(ts, plot.Tick{Value: v, Label: durationText(v * 1e9)})
		}
	}
	return ts
}

// waitChart returns the distribution of waits for instances in layout sz,
// on a log axis of durations, with markers at the mean and the 95th
// percentile; zero waits are left out (the caption counts them). It
// returns "" when no grant waited.
func (s *Summary) waitChart(sz chartSize) (string, error) {
	var bins []plotter.HistogramBin
	for _, b := range s.Steps.WaitHist {
		if b.Hi > 0 && b.Count > 0 {
			bins = append(bins, plotter.HistogramBin{Min: b.Lo / 1e9, Max: b.Hi / 1e9, Weight: float64(b.Count)})
		}
	}
	if len(bins) == 0 {
		return "", nil
	}
	p := newPlot(sz, "wait from request to grant (log scale)", "grants")
	p.Add(hGrid())
	p.X.Scale = plot.LogScale{}
	ticks := wideDurationTicks
	if sz.class == narrowChart.class {
		ticks = narrowDurationTicks
	}
	p.X.Tick.Marker = ticks
	p.Y.Tick.Marker = labelTicks(countText)
	hist := &plotter.Histogram{Bins: bins, FillColor: okBlue}
	hist.LineStyle = draw.LineStyle{Color: color.White, Width: vg.Points(0.5)}
	p.Add(hist)
	// From the tick below the first bin to the one above the last.
	lo, hi := bins[0].Min, bins[len(bins)-1].Max
	p.X.Min, p.X.Max = lo, hi
	for _, v := range ticks {
		if v <= lo {
			p.X.Min = v
		}
		if v >= hi {
			p.X.Max = v
			break
		}
	}
	p.Y.Min = 0
	var ms []marker
	for _, m := range []marker{
		{x: s.Steps.MeanWait / 1e9, text: "mean " + durationText(s.Steps.MeanWait)},
		{x: s.Steps.P95Wait / 1e9, text: "95% within " + durationText(s.Steps.P95Wait)},
	} {
		if m.x >= p.X.Min && m.x <= p.X.Max { // the mean counts the zero waits
			ms = append(ms, m)
		}
	}
	slices.SortStableFunc(ms, func(a, b marker) int { return cmp.Compare(a.x, b.x) })
	return drawChart(p, sz, ms, nil)
}
