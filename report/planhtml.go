package report

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
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
	if len(r.Result.Space.Objectives) >= 2 {
		svg, err := layouts(r.scatterChart)
		if err != nil {
			return err
		}
		o := r.Result.Space.Objectives
		page.Charts = append(page.Charts, htmlChart{Title: o[0].Label() + " against " + o[1].Label(), SVG: svg, Class: "scatter",
			Caption: fmt.Sprintf("Every point that ran all %d replicas: feasible ones filled, infeasible ones hollow; the line joins the Pareto frontier; the ring marks the recommended point and the square the baseline (#0).", r.Options.Replicas)})
	}
	return writeHTMLPage(w, page)
}

// scatterChart draws the points that ran all replicas by their first two
// objectives, in layout sz.
func (r *Plan) scatterChart(sz chartSize) (string, error) {
	o := r.Result.Space.Objectives
	xm, ym := o[0], o[1]
	val := func(i int, ob plan.Objective) float64 { return r.statValue(i, ob.Metric, ob.Stat) }
	p := newPlot(sz, o[0].Label(), o[1].Label())
	p.Add(hGrid())
	p.X.Tick.Marker = labelTicks(func(v float64) string { return axisText(xm.Metric, v) })
	p.Y.Tick.Marker = labelTicks(func(v float64) string { return axisText(ym.Metric, v) })
	var feasible, infeasible plotter.XYs
	for i := range r.Points {
		if r.Points[i].Replicas != r.Options.Replicas {
			continue
		}
		xy := plotter.XY{X: val(i, xm), Y: val(i, ym)}
		if r.Points[i].Feasible {
			feasible = append(feasible, xy)
		} else {
			infeasible = append(infeasible, xy)
		}
	}
	radius := vg.Points(3.5)
	if len(infeasible) > 0 {
		s, err := plotter.NewScatter(infeasible)
		if err != nil {
			return "", err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: colDenied, Radius: radius, Shape: draw.CircleGlyph{}}
		p.Add(s)
	}
	if len(feasible) > 0 {
		s, err := plotter.NewScatter(feasible)
		if err != nil {
			return "", err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: colAllowed, Radius: radius, Shape: draw.CircleGlyph{}}
		p.Add(s)
	}
	var front plotter.XYs
	for _, i := range r.Frontier {
		front = append(front, plotter.XY{X: val(i, xm), Y: val(i, ym)})
	}
	slices.SortFunc(front, func(a, b plotter.XY) int { return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(a.Y, b.Y)) })
	if len(front) > 1 {
		l, err := plotter.NewLine(front)
		if err != nil {
			return "", err
		}
		l.LineStyle = draw.LineStyle{Color: colInk, Width: vg.Points(1.5)}
		p.Add(l)
	}
	mark := func(i int, shape draw.GlyphDrawer, c color.Color, rad vg.Length) error {
		s, err := plotter.NewScatter(plotter.XYs{{X: val(i, xm), Y: val(i, ym)}})
		if err != nil {
			return err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: rad, Shape: shape}
		p.Add(s)
		return nil
	}
	if err := mark(0, draw.BoxGlyph{}, colInk, vg.Points(3)); err != nil {
		return "", err
	}
	if r.Recommended >= 0 {
		if err := mark(r.Recommended, draw.RingGlyph{}, okOrange, vg.Points(8)); err != nil {
			return "", err
		}
	}
	pad(&p.X)
	pad(&p.Y)
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
	case plan.UnitUSD:
		return dollarTick(v)
	case plan.UnitShare:
		return countText(100*v) + "%"
	case plan.UnitSeconds:
		return durationText(v * 1e9)
	}
	return countText(v)
}
