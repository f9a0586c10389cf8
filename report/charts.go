package report

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// CostGroups is how many initiators the cost series keeps by name; the
// rest are summed as "other".
const CostGroups = 8

// Series is the run over time, in equal buckets of the horizon.
type Series struct {
	Bucket model.Time   // bucket width
	Starts []model.Time // each bucket's start, from the scenario start
	// Calls holds, per bucket, the calls allowed, denied and failed.
	Calls [][3]int64
	// CostGroups names the initiators of Cost ("ACCT/principal"): the
	// CostGroups with the highest total cost (ties by name), then "other"
	// when there are more.
	CostGroups []string
	// Cost holds, per group, the owner's USD per bucket.
	Cost [][]float64
}

// WaitBucket is one bucket of the wait histogram, [Lo, Hi) ns; the zero
// bucket has Lo = Hi = 0.
type WaitBucket struct {
	Lo, Hi float64
	Count  int64
}

// InitiatorWait is one initiator's instance grants in the owner's pool and
// its total wait for them.
type InitiatorWait struct {
	Account     model.AccountID
	AccountName string // "" when unnamed
	Principal   string
	Grants      int64
	WaitNs      int64
}

// MeanWait returns the mean wait per grant in ns (0 with no grant).
func (w *InitiatorWait) MeanWait() float64 {
	if w.Grants == 0 {
		return 0
	}
	return float64(w.WaitNs) / float64(w.Grants)
}

// summarizeOverTime fills s.Series, s.Steps.WaitHist and s.Steps.ByInitiator
// from r, and keeps r.World for the access rows (see [Summary.AccessRows]).
func (s *Summary) summarizeOverTime(r *sim.Result) {
	w := r.World
	n := sim.SeriesBuckets
	bw := r.Series.Bucket
	if bw <= 0 {
		bw = max(r.Duration/model.Time(n)+1, 1)
	}
	se := &s.Series
	se.Bucket = bw
	se.Starts = make([]model.Time, n)
	se.Calls = make([][3]int64, n)
	for i := range n {
		se.Starts[i] = model.Time(i) * bw
		se.Calls[i] = r.Series.Calls[i]
	}

	// Cost per initiator per bucket, and waits per initiator.
	type acc struct {
		label string
		iw    InitiatorWait
		total float64
		usd   []float64
	}
	byInit := map[model.PrincipalID]*acc{}
	for i := range r.Ledger {
		row := &r.Ledger[i]
		a := byInit[row.Initiator]
		if a == nil {
			acct := w.PrincipalAccount(row.Initiator)
			a = &acc{
				label: string(acct) + "/" + w.PrincipalName(row.Initiator),
				iw:    InitiatorWait{Account: acct, AccountName: w.AccountName(acct), Principal: w.PrincipalName(row.Initiator)},
				usd:   make([]float64, n),
			}
			byInit[row.Initiator] = a
		}
		a.iw.Grants += row.Grants
		a.iw.WaitNs += row.WaitNs
		a.total += row.USD()
		for b, ns := range row.Buckets {
			if b < n {
				a.usd[b] += float64(ns) / 3600e9 * row.USDPerHour
			}
		}
	}
	all := make([]*acc, 0, len(byInit))
	for _, a := range byInit {
		all = append(all, a)
	}
	slices.SortFunc(all, func(a, b *acc) int { return strings.Compare(a.label, b.label) })
	for _, a := range all {
		if a.iw.Grants > 0 {
			s.Steps.ByInitiator = append(s.Steps.ByInitiator, a.iw)
		}
	}
	slices.SortStableFunc(s.Steps.ByInitiator, func(a, b InitiatorWait) int {
		return cmp.Or(strings.Compare(string(a.Account), string(b.Account)), strings.Compare(a.Principal, b.Principal))
	})
	slices.SortStableFunc(all, func(a, b *acc) int { return cmp.Compare(b.total, a.total) })
	var other []float64
	for i, a := range all {
		if i < CostGroups {
			se.CostGroups = append(se.CostGroups, a.label)
			se.Cost = append(se.Cost, a.usd)
			continue
		}
		if other == nil {
			other = make([]float64, n)
		}
		for b := range other {
			other[b] += a.usd[b]
		}
	}
	if other != nil {
		se.CostGroups = append(se.CostGroups, "other")
		se.Cost = append(se.Cost, other)
	}

	// The wait histogram, from its first to its last non-empty bucket.
	h := &r.Steps.Waits
	first, last := -1, -1
	for i, c := range h.Buckets {
		if c > 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	for i := first; first >= 0 && i <= last; i++ {
		b := WaitBucket{Count: h.Buckets[i]}
		if i > 0 {
			b.Lo, b.Hi = math.Exp2(float64(i-1)/4), math.Exp2(float64(i)/4)
		}
		s.Steps.WaitHist = append(s.Steps.WaitHist, b)
	}

	s.accessWorld = w
}

// The charts of the HTML report, drawn with gonum.org/v1/plot as inline SVG.

var (
	colAllowed = color.RGBA{0x3b, 0x8e, 0x3f, 0xff}
	colDenied  = color.RGBA{0xd0, 0x3b, 0x3b, 0xff}
	colFailed  = color.RGBA{0xf0, 0x9a, 0x1a, 0xff}
	colBars    = color.RGBA{0x3a, 0x6e, 0xa5, 0xff}
	// palette colours the cost groups (Tableau 10); "other" is grey.
	palette = []color.RGBA{
		{0x4e, 0x79, 0xa7, 0xff}, {0xf2, 0x8e, 0x2b, 0xff}, {0xe1, 0x57, 0x59, 0xff},
		{0x76, 0xb7, 0xb2, 0xff}, {0x59, 0xa1, 0x4f, 0xff}, {0xed, 0xc9, 0x48, 0xff},
		{0xb0, 0x7a, 0xa1, 0xff}, {0xff, 0x9d, 0xa7, 0xff},
	}
	colOther = color.RGBA{0xba, 0xb0, 0xac, 0xff}
)

var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// newPlot returns a plot with sans-serif text.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 13)
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 9)
	}
	p.Legend.TextStyle.Font = font.From(sans, 10)
	p.Legend.Top = true
	return p
}

// svgOf draws p on a w × h canvas and returns the SVG element, without
// the XML prolog, for inlining in HTML. With legendW > 0 the legend is
// drawn in a column of that width right of the plot, not over the data.
func svgOf(p *plot.Plot, w, h, legendW vg.Length) (string, error) {
	c := vgsvg.New(w, h)
	dc := draw.New(c)
	if legendW > 0 {
		leg := p.Legend
		p.Legend = plot.NewLegend()
		p.Draw(draw.Crop(dc, 0, -legendW, 0, 0))
		leg.Top, leg.Left = true, true
		leg.XOffs, leg.YOffs = vg.Points(8), -vg.Points(24)
		leg.Draw(draw.Crop(dc, w-legendW, 0, 0, 0))
	} else {
		p.Draw(dc)
	}
	var b strings.Builder
	if _, err := c.WriteTo(&b); err != nil {
		return "", err
	}
	s := b.String()
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	return s, nil
}

// timeAxis returns the x value of offset t (days, or hours for runs under
// two days) and the unit's label.
func (s *Summary) timeAxis() (func(model.Time) float64, string) {
	if s.Duration >= 2*24*model.Time(time.Hour) {
		return func(t model.Time) float64 { return float64(t) / float64(24*time.Hour) }, "days from start"
	}
	return func(t model.Time) float64 { return float64(t) / float64(time.Hour) }, "hours from start"
}

// stackedAreas adds one filled step area per layer, stacked in order (the
// first at the bottom), to p, with a legend entry each.
func (s *Summary) stackedAreas(p *plot.Plot, names []string, cols []color.Color, layers [][]float64) error {
	x, unit := s.timeAxis()
	p.X.Label.Text = unit
	n := len(s.Series.Starts)
	end := x(s.Duration)
	cum := make([][]float64, len(layers))
	run := make([]float64, n)
	top := 0.0
	for l, layer := range layers {
		for i := range n {
			run[i] += layer[i]
			top = max(top, run[i])
		}
		cum[l] = slices.Clone(run)
	}
	lines := make([]*plotter.Line, len(layers))
	for l := len(layers) - 1; l >= 0; l-- { // top layer first, lower ones over it
		pts := make(plotter.XYs, 0, n+1)
		for i := range n {
			if xi := x(s.Series.Starts[i]); xi <= end {
				pts = append(pts, plotter.XY{X: xi, Y: cum[l][i]})
			}
		}
		if len(pts) == 0 {
			pts = append(pts, plotter.XY{X: 0, Y: 0})
		}
		pts = append(pts, plotter.XY{X: end, Y: pts[len(pts)-1].Y})
		ln, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		ln.StepStyle = plotter.PostStep
		ln.FillColor = cols[l]
		ln.LineStyle.Width = 0
		lines[l] = ln
		p.Add(ln)
	}
	for l := range layers {
		p.Legend.Add(names[l], lines[l])
	}
	p.X.Min, p.X.Max = 0, max(end, 1e-9)
	p.Y.Min, p.Y.Max = 0, max(top*1.05, 1)
	return nil
}

// callsChart draws the calls over time, stacked by decision.
func (s *Summary) callsChart() (string, error) {
	p := newPlot("Calls over time by decision", "", "calls per bucket")
	layers := make([][]float64, 3)
	for k := range layers {
		layers[k] = make([]float64, len(s.Series.Calls))
		for i, c := range s.Series.Calls {
			layers[k][i] = float64(c[k])
		}
	}
	err := s.stackedAreas(p, []string{"allowed", "denied", "failed"},
		[]color.Color{colAllowed, colDenied, colFailed}, layers)
	if err != nil {
		return "", err
	}
	return s.drawWithLegend(p, 300)
}

// costChart draws the owner's cost over time by initiator, stacked.
func (s *Summary) costChart() (string, error) {
	p := newPlot("Owner cost over time by initiator", "", "USD per bucket")
	cols := make([]color.Color, len(s.Series.CostGroups))
	for i, g := range s.Series.CostGroups {
		cols[i] = palette[i%len(palette)]
		if g == "other" && i == len(s.Series.CostGroups)-1 {
			cols[i] = colOther
		}
	}
	if err := s.stackedAreas(p, s.Series.CostGroups, cols, s.Series.Cost); err != nil {
		return "", err
	}
	return s.drawWithLegend(p, 320)
}

// waitChart draws the distribution of waits for instances, on a log axis
// of seconds; zero waits are left out (the caption counts them). It
// returns "" when no grant waited.
func (s *Summary) waitChart() (string, error) {
	var bins []plotter.HistogramBin
	for _, b := range s.Steps.WaitHist {
		if b.Hi > 0 && b.Count > 0 {
			bins = append(bins, plotter.HistogramBin{Min: b.Lo / 1e9, Max: b.Hi / 1e9, Weight: float64(b.Count)})
		}
	}
	if len(bins) == 0 {
		return "", nil
	}
	p := newPlot("Wait for instances (grants that waited)", "wait (seconds, log scale)", "grants")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	h := &plotter.Histogram{Bins: bins, Width: 0, FillColor: colBars}
	h.LineStyle = draw.LineStyle{Color: color.White, Width: vg.Points(0.5)}
	p.Add(h)
	p.X.Min, p.X.Max = bins[0].Min, bins[len(bins)-1].Max
	if p.X.Max/p.X.Min < 10 { // at least a decade, so LogTicks has labels
		p.X.Min, p.X.Max = p.X.Min/3.2, p.X.Max*3.2
	}
	p.Y.Min = 0
	return svgOf(p, 760, 280, 0)
}

// heatLegendW is the width of the heat map's legend column.
const heatLegendW = 70

// drawWithLegend draws a time chart 760 wide with its legend in a column
// on the right, as wide as the longest entry needs.
func (s *Summary) drawWithLegend(p *plot.Plot, h vg.Length) (string, error) {
	longest := 0
	for _, g := range s.Series.CostGroups {
		longest = max(longest, len(g))
	}
	legendW := vg.Length(max(90, 30+6*longest))
	return svgOf(p, 760+legendW, h, legendW)
}

// heatMapRows and heatMapCols cap the principals and the pipelines drawn
// in the access heat map (the first by name).
const (
	heatMapRows = 200
	heatMapCols = 60
)

// heatMapAccess returns the access rows the heat map draws, and how many
// principals and pipeline names the whole matrix has. When the matrix has
// not been computed, only the rows drawn are: the whole of it has a row
// per principal and pipeline, 40 million in the scale scenario.
func (s *Summary) heatMapAccess() (rows []AccessRow, principals, pipelines int) {
	if s.Access != nil || s.accessWorld == nil {
		ps, pls := map[string]bool{}, map[string]bool{}
		for _, r := range s.Access {
			ps[r.Principal], pls[r.Pipeline] = true, true
		}
		return s.Access, len(ps), len(pls)
	}
	w := s.accessWorld
	ps, pls := sortedPrincipals(w), sortedPipelines(w)
	names, keep := 0, 0 // distinct pipeline names, and the pipelines of the first heatMapCols of them
	for i, pl := range pls {
		if i == 0 || w.PipelineName(pl) != w.PipelineName(pls[i-1]) {
			names++
		}
		if names <= heatMapCols {
			keep = i + 1
		}
	}
	return slices.Collect(accessOf(w, s.Duration, ps[:min(len(ps), heatMapRows)], pls[:keep])), len(ps), names
}

// accessChart draws the access matrix at the end of the run as a heat
// map: principals × pipelines, coloured by the number of allowed actions.
// It returns "" when the matrix is empty, and how many principals and
// pipelines it shows of how many.
func (s *Summary) accessChart() (svg string, shown, total [2]int, err error) {
	access, nPrincipals, nPipelines := s.heatMapAccess()
	var principals, pipelines []string
	pi, qi := map[string]int{}, map[string]int{}
	for _, r := range access {
		if _, ok := pi[r.Principal]; !ok {
			pi[r.Principal] = len(principals)
			principals = append(principals, r.Principal)
		}
		if _, ok := qi[r.Pipeline]; !ok {
			qi[r.Pipeline] = len(pipelines)
			pipelines = append(pipelines, r.Pipeline)
		}
	}
	if len(principals) == 0 || len(pipelines) == 0 {
		return "", shown, total, nil
	}
	principals = principals[:min(len(principals), heatMapRows)]
	slices.Sort(pipelines)
	pipelines = pipelines[:min(len(pipelines), heatMapCols)]
	clear(qi)
	for i, name := range pipelines {
		qi[name] = i
	}
	hm := &heatMap{nx: len(pipelines), ny: len(principals)}
	hm.cells = make([]int, hm.nx*hm.ny)
	for i := range hm.cells {
		hm.cells[i] = -1
	}
	for _, r := range access {
		y, ok := pi[r.Principal]
		x, ok2 := qi[r.Pipeline]
		if !ok || !ok2 || y >= hm.ny {
			continue
		}
		hm.cells[(hm.ny-1-y)*hm.nx+x] = max(hm.cells[(hm.ny-1-y)*hm.nx+x], len(r.Allowed))
	}
	p := newPlot("Access at the end of the run (allowed actions of 10)", "", "")
	p.NominalX(pipelines...)
	ys := slices.Clone(principals)
	slices.Reverse(ys)
	p.NominalY(ys...)
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YTop
	p.Add(hm)
	for _, n := range []int{0, 3, 7, 10} {
		p.Legend.Add(fmt.Sprintf("%d", n), swatch{heatColor(n)})
	}
	longestX, longestY := 0, 0
	for _, n := range pipelines {
		longestX = max(longestX, len(n))
	}
	for _, n := range principals {
		longestY = max(longestY, len(n))
	}
	w := vg.Length(max(420, 60+5*longestY+28*hm.nx)) + heatLegendW
	h := vg.Length(max(120, 70+4*longestX+14*hm.ny))
	svg, err = svgOf(p, w, h, heatLegendW)
	return svg, [2]int{len(principals), len(pipelines)}, [2]int{nPrincipals, nPipelines}, err
}

// heatColor is the colour of a cell with n allowed actions: white for
// none, then lighter to darker blue up to 10.
func heatColor(n int) color.Color {
	if n <= 0 {
		return color.RGBA{0xf4, 0xf4, 0xf4, 0xff}
	}
	f := float64(min(n, 10)) / 10
	lerp := func(a, b uint8) uint8 { return uint8(math.Round(float64(a) + f*(float64(b)-float64(a)))) }
	return color.RGBA{lerp(0xd4, 0x08), lerp(0xe6, 0x30), lerp(0xf5, 0x6b), 0xff}
}

// heatMap is a grid of cells coloured by heatColor; -1 is no cell.
type heatMap struct {
	nx, ny int
	cells  []int // row-major, row 0 at y = 0 (the bottom)
}

func (h *heatMap) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for y := range h.ny {
		for x := range h.nx {
			n := h.cells[y*h.nx+x]
			if n < 0 {
				continue
			}
			r := vg.Rectangle{
				Min: vg.Point{X: trX(float64(x) - 0.5), Y: trY(float64(y) - 0.5)},
				Max: vg.Point{X: trX(float64(x) + 0.5), Y: trY(float64(y) + 0.5)},
			}
			c.SetColor(heatColor(n))
			c.Fill(r.Path())
			c.SetLineStyle(draw.LineStyle{Color: color.White, Width: vg.Points(0.5)})
			c.Stroke(r.Path())
		}
	}
}

func (h *heatMap) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(h.nx) - 0.5, -0.5, float64(h.ny) - 0.5
}

// swatch is a legend entry's filled square.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	c.SetColor(s.c)
	c.Fill(c.Rectangle.Path())
}
