package scenarios

import (
	"regexp"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// This file decodes the scenario's `rules:` (user compliance rules) and
// waiver files for `pipeshare check` into the sim package's Rule and
// Waiver. It only checks shapes and values; the report package evaluates
// the rules.

var (
	ruleSchema       = &schema{keys: []string{"id", "budget", "denied_rate"}}
	budgetSchema     = &schema{keys: []string{"initiator", "max_usd", "period"}}
	deniedRateSchema = &schema{keys: []string{"caller", "max_percent"}}
	waiversTopSchema = &schema{keys: []string{"waivers"}}
	waiverSchema     = &schema{keys: []string{"rule", "subject", "reason", "owner", "expires"}}
	ruleIDRE         = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
)

// rules decodes the top-level `rules:` list into sc.Rules.
func (d *scenarioDecoder) rules(n *yaml.Node) {
	seen := map[string]model.Pos{}
	d.eachMapping(n, "rules", "rule", ruleSchema, func(o *object) {
		d.required(o, "id")
		r := sim.Rule{Pos: d.pos(o.n)}
		if v := o.get("id"); v != nil {
			if id, ok := d.str(v, "rule id"); ok {
				switch prev, dup := seen[id]; {
				case !ruleIDRE.MatchString(id):
					d.errorf(v, "rule id %q must be letters, digits, '.', '_' or '-' (at most 64)", id)
				case dup:
					d.errorf(v, "duplicate rule id %q (first defined at %s)", id, prev)
				default:
					seen[id] = d.pos(v)
					r.ID = id
				}
			}
		}
		b, dr := o.get("budget"), o.get("denied_rate")
		switch {
		case b != nil && dr != nil:
			d.errorf(o.key("denied_rate"), "a rule has one of budget or denied_rate, not both")
		case b == nil && dr == nil:
			d.errorf(o.n, "rule needs budget or denied_rate")
		case b != nil:
			r.Budget = d.budget(b)
		default:
			r.DeniedRate = d.deniedRate(dr)
		}
		if r.ID != "" && (r.Budget != nil || r.DeniedRate != nil) {
			d.sc.Rules = append(d.sc.Rules, r)
		}
	})
}

func (d *scenarioDecoder) budget(n *yaml.Node) *sim.BudgetRule {
	o := d.mapping(n, "budget", budgetSchema)
	if o == nil {
		return nil
	}
	d.required(o, "initiator", "max_usd")
	b := &sim.BudgetRule{Period: "run", Pos: d.pos(o.n)}
	ok := true
	if v := o.get("initiator"); v != nil {
		b.Initiator = d.principalRef(v, "initiator")
		ok = ok && b.Initiator.Pos.IsValid()
	} else {
		ok = false
	}
	if v := o.get("max_usd"); v != nil {
		f, good := d.number(v, "max_usd")
		if good && f < 0 {
			d.errorf(v, "max_usd must not be negative, not %s", v.Value)
			good = false
		}
		b.MaxUSD, ok = f, ok && good
	} else {
		ok = false
	}
	if v := o.get("period"); v != nil {
		p, good := d.enum(v, "period", sim.BudgetPeriods...)
		b.Period, ok = p, ok && good
	}
	if !ok {
		return nil
	}
	return b
}

func (d *scenarioDecoder) deniedRate(n *yaml.Node) *sim.DeniedRateRule {
	o := d.mapping(n, "denied_rate", deniedRateSchema)
	if o == nil {
		return nil
	}
	d.required(o, "max_percent")
	r := &sim.DeniedRateRule{Pos: d.pos(o.n)}
	if v := o.get("caller"); v != nil {
		r.Caller = d.principalRef(v, "caller")
		if !r.Caller.Pos.IsValid() {
			return nil
		}
	}
	v := o.get("max_percent")
	if v == nil {
		return nil
	}
	f, ok := d.number(v, "max_percent")
	if !ok {
		return nil
	}
	if f < 0 || f > 100 {
		d.errorf(v, "max_percent must be from 0 to 100, not %s", v.Value)
		return nil
	}
	r.MaxPercent = f
	return r
}

// ParseWaivers decodes a waivers file:
//
//	waivers:
//	  - {rule: PS001, subject: "share a → 999999999999", reason: "...", owner: sec-team, expires: 2026-12-31}
//
// file is the name used in positions. rule, subject and reason are
// required. It returns every problem as an [ErrorList].
func ParseWaivers(file string, data []byte) ([]sim.Waiver, error) {
	d := &decoder{file: file}
	var out []sim.Waiver
	if root := d.parseYAML(data); root != nil {
		d.aliasBudget = max(100_000, 4*countNodes(root))
		checkDuplicates(d, root)
		if o := d.mapping(root, "the waivers file", waiversTopSchema); o != nil {
			d.required(o, "waivers")
			if n := o.get("waivers"); n != nil {
				d.eachMapping(n, "waivers", "waiver", waiverSchema, func(o *object) {
					if w, ok := d.waiver(o); ok {
						out = append(out, w)
					}
				})
			}
		}
	}
	d.errs.Sort()
	if err := d.errs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func (d *decoder) waiver(o *object) (sim.Waiver, bool) {
	d.required(o, "rule", "subject", "reason")
	w := sim.Waiver{Pos: d.pos(o.n)}
	ok := o.has("rule") && o.has("subject") && o.has("reason")
	str := func(key string, dst *string) {
		if v := o.get(key); v != nil {
			s, good := d.str(v, key)
			if good && s == "" {
				d.errorf(v, "%s must not be empty", key)
				good = false
			}
			*dst, ok = s, ok && good
		}
	}
	str("rule", &w.Rule)
	str("subject", &w.Subject)
	str("reason", &w.Reason)
	str("owner", &w.Owner)
	if v := o.get("expires"); v != nil {
		if s, good := d.text(v, "expires"); good {
			t, err := time.Parse("2006-01-02", s)
			if err != nil {
				d.errorf(v, "expires must be a date (2026-12-31), not %q", s)
				ok = false
			} else {
				w.Expires = t
			}
		} else {
			ok = false
		}
	}
	return w, ok
}
