package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
)

// htmlChart is one inline SVG chart and its caption.
type htmlChart struct {
	Title   string
	SVG     template.HTML // drawn by gonum/plot's vgsvg, which escapes its text
	Caption string
}

type htmlPage struct {
	Scenario string
	Headline htmlHeadline
	Header   [][2]string
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
  margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: .3em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin-bottom: .3em; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: .15em 1em; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; font-size: .88em; margin: .4em 0 1em; }
th, td { padding: .25em .6em; border-bottom: 1px solid #e4e4e4; text-align: left; white-space: nowrap; }
th { background: #f4f6f8; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 600; border-top: 2px solid #bbb; }
figure { margin: 1em 0 1.5em; } figcaption { font-size: .85em; color: #555; }
figure svg { max-width: 100%; height: auto; }
.scroll { overflow-x: auto; }
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
{{- range .Charts}}
<figure>
{{.SVG}}
<figcaption>{{.Caption}}</figcaption>
</figure>
{{- end}}
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

// writeHTML writes s as one self-contained HTML page: no scripts, no
// external fonts or stylesheets (the CSS is inline). It holds the headline
// (see [headline]), the run's facts, four inline SVG charts drawn with gonum.org/v1/plot (calls over
// time stacked by decision, the owner's cost over time by initiator —
// the top [CostGroups] and "other" —, the distribution of waits for
// instances on a log axis, and the access matrix at the end of the run as
// a heat map of principals × pipelines coloured by allowed actions), then
// the tables of the text report and the findings by severity, each rule
// with how to fix it. Every user-supplied string is escaped
// (html/template). The output is deterministic. It returns w's first
// error.
func (s *Summary) writeHTML(w io.Writer) error {
	page := htmlPage{Scenario: orDash(s.Scenario), Headline: newHTMLHeadline(runHeadline(s).lines()),
		Header: headerLines(s), Sections: documentOf(s)}
	if s.Findings != nil {
		page.Sections = append(page.Sections, runFindingsSection(s.Findings, maxHumanRows))
	}
	_, unit := s.timeAxis()
	bucket := fmt.Sprintf("%d buckets of %s", len(s.Series.Starts), humanDuration(float64(s.Series.Bucket)))

	svg, err := s.callsChart()
	if err != nil {
		return err
	}
	page.Charts = append(page.Charts, htmlChart{Title: "Calls over time", SVG: template.HTML(svg),
		Caption: fmt.Sprintf("Calls allowed, denied (steps 1–5) and failed (step 6) per bucket: %s; x in %s.", bucket, unit)})

	if len(s.Series.CostGroups) > 0 {
		svg, err = s.costChart()
		if err != nil {
			return err
		}
		page.Charts = append(page.Charts, htmlChart{Title: "Owner cost over time", SVG: template.HTML(svg),
			Caption: fmt.Sprintf("The owner's instance cost in USD per bucket (%s), by initiator: the %d costliest and the rest as “other”.",
				bucket, CostGroups)})
	}

	svg, err = s.waitChart()
	if err != nil {
		return err
	}
	var zero int64
	for _, b := range s.Steps.WaitHist {
		if b.Hi == 0 {
			zero += b.Count
		}
	}
	if svg != "" {
		page.Charts = append(page.Charts, htmlChart{Title: "Wait for instances", SVG: template.HTML(svg),
			Caption: fmt.Sprintf("Grants by wait from request to grant, log buckets (4 per doubling); %d of %d grants did not wait and are not drawn.",
				zero, s.Steps.Granted)})
	}

	svg, shown, total, err := s.accessChart()
	if err != nil {
		return err
	}
	if svg != "" {
		caption := "Allowed actions of each principal on each pipeline at the end of the run (10 = extended or owner, 7 = read-only)."
		if shown[0] < total[0] {
			caption += fmt.Sprintf(" The first %d of %d principals are shown.", shown[0], total[0])
		}
		if shown[1] < total[1] {
			caption += fmt.Sprintf(" The first %d of %d pipelines are shown.", shown[1], total[1])
		}
		page.Charts = append(page.Charts, htmlChart{Title: "Access at the end", SVG: template.HTML(svg), Caption: caption})
	}

	var buf bytes.Buffer
	if err := htmlTmpl.Execute(&buf, page); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}
