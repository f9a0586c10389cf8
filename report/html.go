package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// htmlChart is one chart: its title, its SVG in each layout and its
// caption.
type htmlChart struct {
	Title   string
	SVG     template.HTML // drawn by gonum/plot's vgsvg, which escapes its text
	Caption string
	Class   string // the figure's CSS class
}

type htmlPage struct {
	Scenario string
	Headline htmlHeadline
	Header   [][2]string
	Events   []string // the timeline, as the markers on the time charts label it
	Charts   []htmlChart
	Sections []docSection
}

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"num": func(t docTable, i int) bool { return i < len(t.Num) && t.Num[i] },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pipeshare report: {{.Scenario}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif;
  margin: 2em auto; max-width: 1320px; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: .3em; overflow-wrap: anywhere; }
h2 { font-size: 1.3em; border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin-bottom: .3em; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .15em 1em; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; font-size: .88em; margin: .4em 0 1em; }
th, td { padding: .25em .6em; border-bottom: 1px solid #e4e4e4; text-align: left; white-space: nowrap; }
th { background: #f4f6f8; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 600; border-top: 2px solid #bbb; }
p { overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
ul.events { margin: .3em 0 1em; padding-left: 1.2em; }
.charts { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1.5em 2em; }
.charts figure { margin: 0; min-width: 0; max-width: 860px; }
.charts figure.heat { grid-column: 1 / -1; max-width: none; }
.charts h3 { margin: 0 0 .4em; }
figcaption { font-size: .9em; color: #555; margin-top: .3em; }
svg.chart { display: block; height: auto; }
svg.wide, svg.narrow { width: 100%; }
svg.narrow { display: none; }
svg.chart text { font-family: "Liberation Sans", Arimo, Arial, Helvetica, sans-serif !important; }
@media (min-width: 1300px) { .charts { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
@media (max-width: 699px) { svg.wide { display: none; } svg.narrow { display: block; } }
</style>
</head>
<body>
<h1>pipeshare report: {{.Scenario}}</h1>
{{- template "headline" .Headline}}
<dl class="facts">
{{- range .Header}}
<dt>{{index . 0}}</dt><dd>{{index . 1}}</dd>
{{- end}}
</dl>
<h2>Charts</h2>
{{- if .Events}}
<p>Timeline events, dashed lines on the charts over time:</p>
<ul class="events">
{{- range .Events}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
<div class="charts">
{{- range .Charts}}
<figure class="{{.Class}}">
<h3>{{.Title}}</h3>
{{- if eq .Class "heat"}}
<div class="scroll">{{.SVG}}</div>
{{- else}}
{{.SVG}}
{{- end}}
<figcaption>{{.Caption}}</figcaption>
</figure>
{{- end}}
</div>
{{- range .Sections}}
<h2>{{.Title}}</h2>
{{- range .Lines}}
<p>{{.}}</p>
{{- end}}
{{- range $t := .Tables}}
{{- if .Title}}
<h3>{{.Title}}</h3>
{{- end}}
<div class="scroll"><table>
<thead><tr>{{range $i, $h := .Header}}<th{{if num $t $i}} class="n"{{end}}>{{$h}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr>{{range $i, $c := .}}<td{{if num $t $i}} class="n"{{end}}>{{$c}}</td>{{end}}</tr>
{{- end}}
{{- if .Total}}
<tr class="total">{{range $i, $c := .Total}}<td{{if num $t $i}} class="n"{{end}}>{{$c}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table></div>
{{- if .Note}}
<p>{{.Note}}</p>
{{- end}}
{{- end}}
{{- end}}
</body>
</html>
`))

// layouts draws a chart in every layout of chartSizes and returns the
// SVGs together ("" when the chart is empty).
func layouts(draw func(chartSize) (string, error)) (template.HTML, error) {
	var b strings.Builder
	for _, sz := range chartSizes {
		svg, err := draw(sz)
		if err != nil || svg == "" {
			return "", err
		}
		b.WriteString(svg)
		b.WriteByte('\n')
	}
	return template.HTML(strings.TrimSuffix(b.String(), "\n")), nil
}

// writeHTML writes s as one self-contained HTML page: no scripts, no
// external fonts or stylesheets (the CSS is inline). It holds the headline
// (see [headline]), the run's facts, the timeline's events, inline SVG
// charts drawn with gonum.org/v1/plot — calls over time stacked by
// decision, the owner's cost over time by initiator or OU (see
// [CostGroups]), the distribution of waits for instances on a log axis,
// each in a wide and a narrow layout, and the access matrix at the end of
// the run as a heat map (see [heatMapRows]) — then the tables of the text
// report and the findings by severity, each rule with how to fix it. Time
// charts mark every timeline event and label their series at the right
// end; colours are the Okabe–Ito palette. Every user-supplied string is
// escaped (html/template). The output is deterministic. It returns w's
// first error.
func (s *Summary) writeHTML(w io.Writer) error {
	page := htmlPage{Scenario: orDash(s.Scenario), Headline: newHTMLHeadline(runHeadline(s).lines()),
		Header: headerLines(s), Sections: documentOf(s)}
	if s.Findings != nil {
		page.Sections = append(page.Sections, runFindingsSection(s.Findings, maxHumanRows))
	}
	for _, m := range s.eventMarkers() {
		page.Events = append(page.Events, m.text)
	}
	_, unit, _ := s.timeAxis()

	svg, err := layouts(s.callsChart)
	if err != nil {
		return err
	}
	page.Charts = append(page.Charts, htmlChart{Title: "Calls per " + unit + " by decision", SVG: svg, Class: "time",
		Caption: "Allowed; denied by steps 1–5 of the decision; failed: allowed, then rejected by the service (step 6). The labels give the run's totals."})

	if len(s.Series.CostGroups) > 0 {
		if svg, err = layouts(s.costChart); err != nil {
			return err
		}
		by := "initiator (the principal that started the execution)"
		if s.Series.CostByGroup {
			by = "the initiators' OU, as they are too many to name"
		}
		page.Charts = append(page.Charts, htmlChart{Title: "Owner cost per " + unit, SVG: svg, Class: "time",
			Caption: fmt.Sprintf("The owner's instance cost in USD per %s, by %s; the labels give the run's totals.", unit, by)})
	}

	if svg, err = layouts(s.waitChart); err != nil {
		return err
	}
	var zero int64
	for _, b := range s.Steps.WaitHist {
		if b.Hi == 0 {
			zero += b.Count
		}
	}
	if svg != "" {
		page.Charts = append(page.Charts, htmlChart{Title: "Wait for instances", SVG: svg, Class: "wait",
			Caption: fmt.Sprintf("Grants by wait from request to grant, on a log scale (4 bars per doubling); %s of %s grants did not wait and are not drawn.",
				digits(float64(zero), 0), digits(float64(s.Steps.Granted), 0))})
	}

	heat, g, err := s.accessChart()
	if err != nil {
		return err
	}
	if heat != "" {
		caption := "Allowed actions of 10 of each principal on each pipeline at the end of the run (10 = extended or owner, 7 = read-only)."
		if g.grouped {
			caption += fmt.Sprintf(" The run has more than %d principals: each row is an OU and its cells the mean over its principals.", heatMapRows)
			if len(g.rows) < g.totalRows {
				caption += fmt.Sprintf(" The first %d of %d groups are shown.", len(g.rows), g.totalRows)
			}
		}
		if len(g.cols) < g.totalCols {
			caption += fmt.Sprintf(" The first %d of %d pipelines are shown.", len(g.cols), g.totalCols)
		}
		page.Charts = append(page.Charts, htmlChart{Title: "Access at the end of the run", SVG: template.HTML(heat), Class: "heat", Caption: caption})
	}

	var buf bytes.Buffer
	if err := htmlTmpl.Execute(&buf, page); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}
