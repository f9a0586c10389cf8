package report

import (
	"fmt"
	"io"
	"strings"
)

// replicaHead are the columns of every replicas table after its keys.
var replicaHead = []string{"Mean", "P5", "P50", "P95", "95% CI"}

// headerLines are the replicas report's opening facts, as in the text.
func (r *Replicas) headerLines() [][2]string {
	scenario := orDash(r.Scenario)
	if r.ScenarioSHA256 != "" {
		scenario += " (sha256 " + shortHash(r.ScenarioSHA256) + ")"
	}
	interval := "n/a (one replica)"
	if r.N() > 1 {
		interval = fmt.Sprintf("95%% confidence interval of the mean (Student's t, %d degrees of freedom)", r.N()-1)
	}
	return [][2]string{
		{"scenario", scenario},
		{"seed", fmt.Sprintf("%d (replica 0; replica i runs with a seed derived from it and i)", r.Seeds[0])},
		{"replicas", fmt.Sprint(r.N())},
		{"simulated", fmt.Sprintf("%s (%.3f s)", r.Duration, float64(r.Duration)/1e9)},
		{"interval", interval},
	}
}

// document lays out r as the sections of its text report: calls (the
// reasons some replica counted), executions, steps and the owner cost
// (total, by pipeline, by initiator), each row with the mean, p5, p50, p95
// and the 95 % confidence interval of the mean.
func (r *Replicas) document() []docSection {
	metrics := func(first string, ms ...[]ReplicaMetric) docTable {
		t := docTable{Header: append([]string{first}, replicaHead...), Num: numCols(6, 1, 2, 3, 4)}
		for _, list := range ms {
			for _, m := range list {
				t.Rows = append(t.Rows, append([]string{m.Name}, replicaCells(&m.ReplicaStat, m.Unit)...))
			}
		}
		return t
	}
	cost := docSection{Title: "Owner cost (USD)", Tables: []docTable{metrics("", []ReplicaMetric{{Name: "total", Unit: ReplicaUSD, ReplicaStat: r.CostTotal.ReplicaStat}})}}
	if len(r.ByPipeline) > 0 {
		t := docTable{Title: "By pipeline", Header: append([]string{"Pipeline", "Owner"}, replicaHead...), Num: numCols(7, 2, 3, 4, 5)}
		for _, p := range r.ByPipeline {
			t.Rows = append(t.Rows, append([]string{p.Pipeline, string(p.Owner)}, replicaCells(&p.USD, ReplicaUSD)...))
		}
		cost.Tables = append(cost.Tables, t)
	}
	if len(r.ByInitiator) > 0 {
		t := docTable{Title: "By initiator", Header: append([]string{"Payer", "Account", "Name", "Principal", "Pipeline", "Share",
			"Instance type"}, replicaHead...), Num: numCols(12, 7, 8, 9, 10)}
		for _, ic := range r.ByInitiator {
			k := &ic.Key
			t.Rows = append(t.Rows, append([]string{string(k.Payer), string(k.Account), orDash(k.AccountName), k.Principal,
				k.Pipeline, diffShare(k), k.InstanceType}, replicaCells(&ic.USD, ReplicaUSD)...))
		}
		cost.Tables = append(cost.Tables, t)
	}
	return []docSection{
		{Title: "Calls", Tables: []docTable{metrics("Calls", r.Calls, r.reasonsSeen())}},
		{Title: "Executions", Tables: []docTable{metrics("Executions", r.Executions)}},
		{Title: "Steps", Tables: []docTable{metrics("Steps", r.Steps)}},
		cost,
	}
}

// writeMarkdown writes r as GitHub-flavoured Markdown: a title, the facts
// of the text report, then its sections as headings and tables (see
// [Replicas.document]). Long tables fold into <details> and the whole is
// at most [MaxMarkdown] bytes (see writeMDBlocks); every user-supplied
// string is escaped.
func (r *Replicas) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	ew := &errWriter{w: &b}
	ew.printf("# pipeshare replicas: %s\n\n", mdEscape(orDash(r.Scenario)))
	for _, kv := range r.headerLines() {
		ew.printf("- **%s**: %s\n", kv[0], mdEscape(kv[1]))
	}
	blocks := []mdBlock{{text: b.String()}}
	blocks = appendSections(blocks, r.document())
	return writeMDBlocks(w, blocks, "`--format json` or csv")
}

// writeHTML writes r as one self-contained HTML page in the run report's
// style (its template and CSS): the facts, then the tables of
// [Replicas.document]. Every user-supplied string is escaped.
func (r *Replicas) writeHTML(w io.Writer) error {
	return writeHTMLPage(w, &htmlPage{Scenario: orDash(r.Scenario), Header: r.headerLines(), Sections: r.document()})
}

// writeCSV writes r as one table, a row per quantity: quantity (calls,
// by_reason, executions, steps, cost, cost_by_pipeline or
// cost_by_initiator), name (the metric's JSON key; empty for the cost
// rows), the keys of a cost row (the others empty), then mean, p5, p50,
// p95, ci_low and ci_high (empty with one replica), counts and seconds
// with 3 decimals, USD with 4, as in the JSON. Every reason code has its
// row.
func (r *Replicas) writeCSV(w io.Writer) error {
	cw := newCSVWriter(w)
	cw.Write([]string{"quantity", "name", "pipeline", "owner", "payer", "account", "principal", "share",
		"instance_type", "mean", "p5", "p50", "p95", "ci_low", "ci_high"})
	row := func(keys []string, s *ReplicaStat, u ReplicaUnit) {
		prec := 3
		if u == ReplicaUSD {
			prec = 4
		}
		rec := append(keys, fixed(s.Mean, prec), fixed(s.P5, prec), fixed(s.P50, prec), fixed(s.P95, prec), "", "")
		if s.HasCI {
			rec[len(rec)-2], rec[len(rec)-1] = fixed(s.CILow, prec), fixed(s.CIHigh, prec)
		}
		cw.Write(rec)
	}
	for _, g := range []struct {
		name string
		ms   []ReplicaMetric
	}{{"calls", r.Calls}, {"by_reason", r.ByReason}, {"executions", r.Executions}, {"steps", r.Steps},
		{"cost", []ReplicaMetric{r.CostTotal}}} {
		for _, m := range g.ms {
			row([]string{g.name, m.Name, "", "", "", "", "", "", ""}, &m.ReplicaStat, m.Unit)
		}
	}
	for _, p := range r.ByPipeline {
		row([]string{"cost_by_pipeline", "", p.Pipeline, string(p.Owner), "", "", "", "", ""}, &p.USD, ReplicaUSD)
	}
	for _, ic := range r.ByInitiator {
		k := &ic.Key
		share := k.Share
		if k.Own {
			share = ""
		}
		row([]string{"cost_by_initiator", "", k.Pipeline, "", string(k.Payer), string(k.Account), k.Principal, share,
			k.InstanceType}, &ic.USD, ReplicaUSD)
	}
	cw.Flush()
	return cw.Error()
}
