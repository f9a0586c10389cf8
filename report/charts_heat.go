package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/pipeshare/pipeshare/internal/words"
	"github.com/pipeshare/pipeshare/model"
)

// heatMapRows is the most principals the access heat map draws a row
// each; beyond, a row is a group of principals (see [groupLabels]),
// coloured by its principals' mean,
// and at most heatMapRows groups are drawn. heatMapCols caps the pipeline
// names drawn (the first by name).
const (
	heatMapRows = 50
	heatMapCols = 50
)

// heatGrid is the access matrix at the end of the run as the heat map
// draws it: rows of principals or groups × columns of pipeline names, each
// cell the mean over the row's principals of the allowed actions on the
// column's pipelines (the most, when several pipelines share the name).
type heatGrid struct {
	rows, cols []string
	sum        []float64 // row-major
	n          []int     // principals in each cell
	grouped    bool      // rows are groups
	// The whole matrix: its rows (principals, or groups when grouped) and
	// its pipeline names.
	totalRows, totalCols int
}

// heatBuilder adds the principals' rows to a heatGrid.
type heatBuilder struct {
	g       *heatGrid
	rowOf   map[string]int
	members []int // principals per row
}

func newHeatBuilder(cols []string, totalCols int, grouped bool) *heatBuilder {
	return &heatBuilder{g: &heatGrid{cols: cols, totalCols: totalCols, grouped: grouped}, rowOf: map[string]int{}}
}

// add adds one principal: its label, its group's and its allowed actions
// per column (-1 where no pipeline of the name is).
func (b *heatBuilder) add(label, group string, vals []int) {
	key := label
	if b.g.grouped {
		key = group
	}
	r, ok := b.rowOf[key]
	if !ok {
		r = len(b.g.rows)
		b.rowOf[key] = r
		b.g.rows = append(b.g.rows, key)
		b.members = append(b.members, 0)
		b.g.sum = append(b.g.sum, make([]float64, len(b.g.cols))...)
		b.g.n = append(b.g.n, make([]int, len(b.g.cols))...)
	}
	b.members[r]++
	for c, v := range vals {
		if v >= 0 {
			b.g.sum[r*len(b.g.cols)+c] += float64(v)
			b.g.n[r*len(b.g.cols)+c]++
		}
	}
}

// done sorts the groups by name, names their size and keeps the first
// heatMapRows rows.
func (b *heatBuilder) done() *heatGrid {
	g := b.g
	g.totalRows = len(g.rows)
	if g.grouped {
		nc := len(g.cols)
		order := make([]int, len(g.rows))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(x, y int) int { return strings.Compare(g.rows[x], g.rows[y]) })
		rows, sum, n := make([]string, 0, len(order)), make([]float64, 0, len(g.sum)), make([]int, 0, len(g.n))
		for _, r := range order {
			rows = append(rows, fmt.Sprintf("%s · %s %s", g.rows[r], digits(float64(b.members[r]), 0), words.Plural(b.members[r], "principal", "principals")))
			sum = append(sum, g.sum[r*nc:(r+1)*nc]...)
			n = append(n, g.n[r*nc:(r+1)*nc]...)
		}
		g.rows, g.sum, g.n = rows, sum, n
	}
	if len(g.rows) > heatMapRows {
		g.rows = g.rows[:heatMapRows]
		g.sum, g.n = g.sum[:heatMapRows*len(g.cols)], g.n[:heatMapRows*len(g.cols)]
	}
	return g
}

// accessGrid returns the heat map's grid: from the run's world when the
// summary has it (asking only the pipelines drawn), else from s.Access.
func (s *Summary) accessGrid() *heatGrid {
	if w := s.accessWorld; w != nil {
		ps, pls := sortedPrincipals(w), sortedPipelines(w)
		var cols []string
		var kept []model.PipelineID
		var keptCol []int
		names := 0
		for i, pl := range pls {
			if name := w.PipelineName(pl); i == 0 || name != w.PipelineName(pls[i-1]) {
				names++
				if names <= heatMapCols {
					cols = append(cols, name)
				}
			}
			if names <= heatMapCols {
				kept, keptCol = append(kept, pl), append(keptCol, len(cols)-1)
			}
		}
		b := newHeatBuilder(cols, names, len(ps) > heatMapRows)
		vals := make([]int, len(cols))
		groupOf := groupLabels(w)
		for _, p := range ps {
			for c := range vals {
				vals[c] = -1
			}
			for j, pl := range kept {
				reasons := w.DecideAll(p, pl, s.Duration)
				n := 0
				for _, r := range reasons {
					if r.IsAllow() {
						n++
					}
				}
				vals[keptCol[j]] = max(vals[keptCol[j]], n)
			}
			b.add(principalLabel(w, p), groupOf(w.PrincipalAccount(p)), vals)
		}
		return b.done()
	}
	// From rows: by principal, named as the rows name them, grouped by
	// account.
	var principals []string
	pipelines := map[string]bool{}
	for _, r := range s.Access {
		if len(principals) == 0 || principals[len(principals)-1] != r.Principal {
			principals = append(principals, r.Principal)
		}
		pipelines[r.Pipeline] = true
	}
	cols := slices.Sorted(func(yield func(string) bool) {
		for p := range pipelines {
			if !yield(p) {
				return
			}
		}
	})
	totalCols := len(cols)
	cols = cols[:min(len(cols), heatMapCols)]
	colOf := map[string]int{}
	for i, c := range cols {
		colOf[c] = i
	}
	b := newHeatBuilder(cols, totalCols, len(principals) > heatMapRows)
	vals := make([]int, len(cols))
	for i, r := range s.Access {
		if i == 0 || r.Principal != s.Access[i-1].Principal {
			for c := range vals {
				vals[c] = -1
			}
		}
		if c, ok := colOf[r.Pipeline]; ok {
			vals[c] = max(vals[c], len(r.Allowed))
		}
		if i == len(s.Access)-1 || r.Principal != s.Access[i+1].Principal {
			acct, _, _ := strings.Cut(r.Principal, "/")
			b.add(r.Principal, "account "+acct, vals)
		}
	}
	return b.done()
}

// heatColor is the colour of a cell with v allowed actions (of 10): light
// grey for none, then lighter to darker blue; light enough for dark text
// below 5.
func heatColor(v float64) color.Color {
	if v <= 0 {
		return color.RGBA{0xee, 0xee, 0xee, 0xff}
	}
	f := min(v, 10) / 10
	lerp := func(a, b uint8) uint8 { return uint8(math.Round(float64(a) + f*(float64(b)-float64(a)))) }
	return color.RGBA{lerp(0xd4, 0x08), lerp(0xe6, 0x30), lerp(0xf5, 0x6b), 0xff}
}

// heatText formats a cell's value: "7", "8.5".
func heatText(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

// Heat map geometry, in SVG user units shown one per CSS pixel.
const (
	heatCellW, heatCellH = 30, 24
	heatFont             = 13
	heatLabelMax         = 300 // the widest row label
)

// accessChart draws the access matrix at the end of the run as a heat
// map: principals (or groups) × pipelines, each cell coloured and marked
// with its allowed actions. It returns "" when the matrix is empty, and
// the grid.
func (s *Summary) accessChart() (string, *heatGrid, error) {
	g := s.accessGrid()
	if len(g.rows) == 0 || len(g.cols) == 0 {
		return "", g, nil
	}
	sz := chartSize{font: heatFont, lineH: heatFont * 1.3}
	ink, muted := sz.text(colInk), sz.text(colMuted)
	labelW := vg.Length(0)
	for _, r := range g.rows {
		labelW = max(labelW, ink.Width(r))
	}
	labelW = min(labelW, heatLabelMax)
	colH := vg.Length(0)
	for _, c := range g.cols {
		colH = max(colH, ink.Width(c))
	}
	colH = min(colH, heatLabelMax)*vg.Length(math.Sin(math.Pi/4)) + 8
	legend := []struct {
		v    float64
		text string
	}{{0, "none"}, {7, "read-only"}, {10, "extended or owner"}}
	legendW := vg.Length(0)
	for _, l := range legend {
		legendW += heatCellW + 4 + ink.Width(l.text) + 14
	}
	legendH := vg.Length(heatCellH + 10)
	left := labelW + 8
	gridW, gridH := vg.Length(len(g.cols))*heatCellW, vg.Length(len(g.rows))*heatCellH
	w := max(left+gridW+4, legendW)
	h := legendH + gridH + colH

	c := vgsvg.New(w, h)
	dc := draw.New(c)
	// The legend on top.
	x := vg.Length(0)
	for _, l := range legend {
		cell := vg.Rectangle{Min: vg.Point{X: x, Y: h - heatCellH}, Max: vg.Point{X: x + heatCellW, Y: h}}
		heatCell(dc, sz, cell, l.v)
		t := muted
		t.YAlign = draw.YCenter
		dc.FillText(t, vg.Point{X: x + heatCellW + 4, Y: h - heatCellH/2}, l.text)
		x += heatCellW + 4 + ink.Width(l.text) + 14
	}
	top := h - legendH
	for r, label := range g.rows {
		y := top - vg.Length(r+1)*heatCellH
		t := ink
		t.XAlign, t.YAlign = draw.XRight, draw.YCenter
		dc.FillText(t, vg.Point{X: left - 6, Y: y + heatCellH/2}, fitText(ink, label, labelW))
		for col := range g.cols {
			i := r*len(g.cols) + col
			if g.n[i] == 0 {
				continue
			}
			x := left + vg.Length(col)*heatCellW
			heatCell(dc, sz, vg.Rectangle{Min: vg.Point{X: x, Y: y}, Max: vg.Point{X: x + heatCellW, Y: y + heatCellH}},
				g.sum[i]/float64(g.n[i]))
		}
	}
	for col, name := range g.cols {
		t := ink
		t.Rotation = math.Pi / 4
		t.XAlign, t.YAlign = draw.XRight, draw.YCenter
		x := left + (vg.Length(col)+0.5)*heatCellW
		dc.FillText(t, vg.Point{X: x, Y: top - gridH - 4}, fitText(ink, name, heatLabelMax))
	}
	svg, err := svgOf(c, "heat")
	if err != nil {
		return "", g, err
	}
	// Drawn one unit per CSS pixel: the page scrolls it sideways rather
	// than shrink its text.
	svg = strings.Replace(svg, `role="img" `, fmt.Sprintf(`role="img" style="width:%.0fpx" `, math.Ceil(float64(w))), 1)
	return svg, g, nil
}

// heatCell fills rect with v's colour, outlined in white, and writes v in
// it.
func heatCell(dc draw.Canvas, sz chartSize, rect vg.Rectangle, v float64) {
	dc.SetColor(heatColor(v))
	dc.Fill(rect.Path())
	dc.SetLineStyle(draw.LineStyle{Color: color.White, Width: vg.Points(1)})
	dc.Stroke(rect.Path())
	t := sz.text(colInk)
	if v >= 5 {
		t.Color = color.White
	}
	t.XAlign, t.YAlign = draw.XCenter, draw.YCenter
	dc.FillText(t, vg.Point{X: (rect.Min.X + rect.Max.X) / 2, Y: (rect.Min.Y + rect.Max.Y) / 2}, heatText(v))
}
