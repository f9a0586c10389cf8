package report

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/pipeshare/pipeshare/sim/plan"
)

// writeHTML writes r as one self-contained HTML page in the run report's
// style (its template and CSS): the facts, a scatter chart of the first
// two objectives (with two or more), then the sections of
// [Plan.document]. Every user-supplied string is escaped.
func (r *Plan) writeHTML(w io.Writer) error {
	page := &htmlPage{Scenario: "plan of " + orDash(r.Scenario), Header: r.headerLines(), Sections: r.document()}
	if o := r.Result.Space.Objectives; len(o) >= 2 {
		svg, err := layouts(r.scatterChart)
		if err != nil {
			return err
		}
		frontier := "rings mark the Pareto frontier (over all the objectives, so a frontier point may look beaten on these two)"
		if len(o) == 2 {
			frontier = "the line joins the Pareto frontier"
		}
		page.Charts = append(page.Charts, htmlChart{
			Title: upperFirst(plan.Words(o[0].Metric, o[0].Stat)) + " against " + plan.Words(o[1].Metric, o[1].Stat),
			SVG:   svg, Class: "scatter",
			Caption: fmt.Sprintf("Every point that ran all %d replicas, by the first two objectives (%s): feasible ones filled blue, infeasible ones hollow red; %s; the thick orange ring is the recommended point and the black square the scenario as written (#0). Points with the same numbers overlap.",
				r.Options.Replicas, plan.Words(o[0].Metric, o[0].Stat)+"; "+plan.Words(o[1].Metric, o[1].Stat), frontier)})
	}
	return writeHTMLPage(w, page)
}

// ring is a hollow circle glyph with a stroke of width width (gonum's
// draw.RingGlyph strokes too thin a line to see at a glance).
type ring struct{ width vg.Length }

func (g ring) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: g.width})
	var p vg.Path
	p.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	p.Arc(pt, sty.Radius, 0, 2*math.Pi)
	p.Close()
	c.Stroke(p)
}

// scatterChart draws the points that ran all replicas by their first two
// objectives, in layout sz: feasible ones filled, infeasible ones hollow,
// the Pareto frontier joined (two objectives) or ringed (more), the
// recommended point and the baseline marked and labelled.
func (r *Plan) scatterChart(sz chartSize) (string, error) {
	o := r.Result.Space.Objectives
	xm, ym := o[0], o[1]
	val := func(i int, ob plan.Objective) float64 { return r.statValue(i, ob.Metric, ob.Stat) }
	at := func(i int) plotter.XY { return plotter.XY{X: val(i, xm), Y: val(i, ym)} }
	p := newPlot(sz, plan.Words(xm.Metric, xm.Stat), plan.Words(ym.Metric, ym.Stat))
	p.Add(hGrid())
	p.X.Tick.Marker = labelTicks(func(v float64) string { return axisText(xm.Metric, v) })
	p.Y.Tick.Marker = labelTicks(func(v float64) string { return axisText(ym.Metric, v) })
	scatter := func(xys plotter.XYs, shape draw.GlyphDrawer, c color.Color, radius vg.Length) error {
		if len(xys) == 0 {
			return nil
		}
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: radius, Shape: shape}
		p.Add(s)
		return nil
	}
	var feasible, infeasible plotter.XYs
	for i := range r.Points {
		if r.Points[i].Replicas != r.Options.Replicas {
			continue
		}
		if r.Points[i].Feasible {
			feasible = append(feasible, at(i))
		} else {
			infeasible = append(infeasible, at(i))
		}
	}
	var front plotter.XYs
	for _, i := range r.Frontier {
		front = append(front, at(i))
	}
	if len(o) == 2 && len(front) > 1 {
		slices.SortFunc(front, func(a, b plotter.XY) int { return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(a.Y, b.Y)) })
		l, err := plotter.NewLine(front)
		if err != nil {
			return "", err
		}
		l.LineStyle = draw.LineStyle{Color: colInk, Width: vg.Points(1.5)}
		p.Add(l)
	}
	var rings plotter.XYs // with more than two objectives, a line through the frontier means nothing
	if len(o) > 2 {
		rings = front
	}
	for _, err := range []error{
		scatter(infeasible, ring{vg.Points(1.5)}, colDenied, vg.Points(3.5)),
		scatter(feasible, draw.CircleGlyph{}, colAllowed, vg.Points(3.5)),
		scatter(rings, ring{vg.Points(1.5)}, colInk, vg.Points(6)),
		scatter(plotter.XYs{at(0)}, draw.BoxGlyph{}, colInk, vg.Points(4.5)),
	} {
		if err != nil {
			return "", err
		}
	}
	if r.Recommended >= 0 {
		if err := scatter(plotter.XYs{at(r.Recommended)}, ring{vg.Points(3)}, okOrange, vg.Points(9)); err != nil {
			return "", err
		}
	}
	pad(&p.X)
	pad(&p.Y)
	// The labels of the recommended point and the baseline, on the side
	// of the point with more room, so that they stay inside the chart.
	label := func(i int, text string) error {
		xy := at(i)
		style := sz.text(colInk)
		style.YAlign = draw.YCenter
		off := vg.Points(12)
		if xy.X > (p.X.Min+p.X.Max)/2 {
			style.XAlign, off = draw.XRight, -off
		}
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{xy}, Labels: []string{text}})
		if err != nil {
			return err
		}
		l.TextStyle[0], l.Offset = style, vg.Point{X: off}
		p.Add(l)
		return nil
	}
	switch {
	case r.Recommended == 0:
		if err := label(0, "#0 recommended: as written"); err != nil {
			return "", err
		}
	case r.Recommended > 0:
		if err := label(r.Recommended, pointName(r.Recommended)+" recommended"); err != nil {
			return "", err
		}
		fallthrough
	default:
		if err := label(0, "#0 as written"); err != nil {
			return "", err
		}
	}
	c := vgsvg.New(sz.w, sz.h)
	p.Draw(draw.New(c))
	return svgOf(c, sz.class)
}

// pad widens an axis by 5 % on each side (or by 1 around a single value),
// so that the glyphs at its ends are drawn whole.
func pad(a *plot.Axis) {
	d := (a.Max - a.Min) * 0.05
	if d == 0 {
		d = max(1, a.Max*0.05)
	}
	a.Min, a.Max = a.Min-d, a.Max+d
}

// axisText labels an axis tick of metric m.
func axisText(m plan.Metric, v float64) string {
	switch plan.Metrics[m].Unit {
	case plan.UnitUSD, plan.UnitUSDMonth:
		return dollarTick(v)
	case plan.UnitShare:
		return countText(100*v) + "%"
	case plan.UnitSeconds:
		return durationText(v * 1e9)
	}
	return countText(v)
}
