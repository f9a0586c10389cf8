package report

import "html/template"

// The parts of the HTML report that are neither charts nor tables of the
// text report: the headline. Each is a template of its own, which the page
// template calls by name.

// htmlHeadline is the headline of an HTML report: its facts and its
// sentence.
type htmlHeadline struct {
	Facts [][2]string
	Story string
}

func newHTMLHeadline(lines [][2]string) htmlHeadline {
	n := len(lines) - 1
	return htmlHeadline{Facts: lines[:n], Story: lines[n][1]}
}

var _ = template.Must(htmlTmpl.New("headline").Parse(`
<section class="headline">
<h2>Headline</h2>
<dl class="facts">
{{- range .Facts}}
<dt>{{index . 0}}</dt><dd>{{index . 1}}</dd>
{{- end}}
</dl>
<p class="story"><strong>What changed:</strong> {{.Story}}</p>
</section>`))
