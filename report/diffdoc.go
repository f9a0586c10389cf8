package report

import "io"

// writeHTML writes d as one self-contained HTML page in the run report's
// style (its template and CSS): the headline, the two sides, the seed and
// the verdict, the --fail-on results, then the tables of the Markdown diff
// (see [Diff.docTables]). Every user-supplied string is escaped.
func (d *Diff) writeHTML(w io.Writer) error {
	page := htmlPage{Scenario: orDash(d.A.Scenario) + " → " + orDash(d.B.Scenario),
		Header: [][2]string{{"a", diffScenario(d.A)}, {"b", diffScenario(d.B)}, {"seed", itoa(int64(d.Seed))}}}
	if d.DurationA == d.DurationB {
		page.Header = append(page.Header, [2]string{"simulated", d.DurationA.String()})
	} else {
		page.Header = append(page.Header, [2]string{"simulated", "a " + d.DurationA.String() + ", b " + d.DurationB.String()})
	}
	page.Header = append(page.Header, [2]string{"result", d.verdict()})
	if d.a != nil {
		page.Headline = newHTMLHeadline(d.headline())
	}
	if len(d.Policies) > 0 {
		page.Sections = append(page.Sections, docSection{Title: policiesTitle(d.Policies, nil), Lines: policyLines(d.Policies)})
	}
	tables, decisions := d.docTables()
	for _, t := range tables {
		page.Sections = append(page.Sections, docSection{Title: t.Title, Tables: []docTable{untitled(t)}})
	}
	changed := docSection{Title: "Changed decisions", Lines: []string{"No differences."}}
	if decisions != nil {
		changed = docSection{Title: decisions.Title, Tables: []docTable{untitled(*decisions)}}
	}
	page.Sections = append(page.Sections, changed)
	return writeHTMLPage(w, &page)
}

// untitled is t without its title, for a section that has it as heading.
func untitled(t docTable) docTable {
	t.Title = ""
	return t
}

// writeCSV writes d as one table, a row per changed decision and per
// changed initiator cost row, then the owner cost total: kind (decision,
// cost or cost_total), the keys of each kind (the others empty), a, b and
// delta (b − a; counts for a decision, USD with 4 decimals for cost).
// Cells go through [csvWriter], safe in a spreadsheet.
func (d *Diff) writeCSV(w io.Writer) error {
	cw := newCSVWriter(w)
	cw.Write([]string{"kind", "account", "account_name", "principal", "action", "reason", "payer", "pipeline",
		"share", "instance_type", "a", "b", "delta"})
	for _, r := range d.Decisions {
		cw.Write([]string{"decision", string(r.Account), r.AccountName, r.Principal, r.Action.Name(), r.Reason.String(),
			"", "", "", "", itoa(r.A), itoa(r.B), itoa(r.B - r.A)})
	}
	for _, r := range d.Cost {
		k := &r.Key
		share := k.Share
		if k.Own {
			share = ""
		}
		cw.Write([]string{"cost", string(k.Account), k.AccountName, k.Principal, "", "", string(k.Payer), k.Pipeline,
			share, k.InstanceType, money(r.A.USD), money(r.B.USD), money(r.B.USD - r.A.USD)})
	}
	cw.Write([]string{"cost_total", "", "", "", "", "", "", "", "", "", money(d.TotalA.USD), money(d.TotalB.USD),
		money(d.TotalB.USD - d.TotalA.USD)})
	cw.Flush()
	return cw.Error()
}
