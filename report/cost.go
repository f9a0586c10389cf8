package report

import (
	"cmp"
	"slices"
	"strings"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// Amount is an amount of the owner's instance use and its price, exact:
// USD is not rounded (renderers print 4 decimals).
type Amount struct {
	USD         float64
	InFlightUSD float64 // the part of USD for holds still running at the horizon
	InstanceNs  int64   // instances × nanoseconds held, in-flight holds up to the horizon
	InFlightNs  int64   // the part of InstanceNs still held at the horizon
}

// InstanceSeconds returns the instance-seconds of a.
func (a *Amount) InstanceSeconds() float64 { return float64(a.InstanceNs) / 1e9 }

// InstanceHours returns the instance-hours of a.
func (a *Amount) InstanceHours() float64 { return float64(a.InstanceNs) / 3600e9 }

func (a *Amount) add(o *Amount) {
	a.USD += o.USD
	a.InFlightUSD += o.InFlightUSD
	a.InstanceNs += o.InstanceNs
	a.InFlightNs += o.InFlightNs
}

// PayerCost is what one owner account paid.
type PayerCost struct {
	Account     model.AccountID
	AccountName string // "" when unnamed
	Amount
}

// PipelineCost is what one pipeline's executions cost its owner.
type PipelineCost struct {
	Pipeline string          // the pipeline's name
	Owner    model.AccountID // its owner, the payer
	Amount
}

// InitiatorCost is the owner's instance use of one instance type, on one
// pipeline, triggered by one principal (the caller of the Start or Retry
// whose run it is) through one share.
type InitiatorCost struct {
	Payer       model.AccountID // the pipeline's owner
	Account     model.AccountID // the initiator's account
	AccountName string          // "" when unnamed
	Principal   string          // the initiator's name within Account: "root", "role/X", …
	Pipeline    string
	// Share is the name of the lowest-named share that allowed the call;
	// "" when Own.
	Share string
	// Own marks the owner's own calls, allowed by identity with no share
	// (the ledger's [sim.NoShare]); the JSON writes their share as null.
	Own          bool
	InstanceType string
	Amount
}

// Cost is the owner accounts' instance use and its price, from the run's
// ledger. Rows with the same keys are merged. ByInitiator is sorted by
// payer, account, principal, pipeline, share (the owner's own first) and
// instance type; ByPayer by account; ByPipeline by pipeline name then
// owner. TotalUSD and InFlightUSD are summed over ByInitiator in that order,
// so the sum of ByInitiator's USD in order is exactly TotalUSD; ByPayer
// and ByPipeline sum to it up to float rounding. Instance nanoseconds are
// exact integers everywhere.
type Cost struct {
	Amount                      // the total
	ByPayer     []PayerCost     // nil when the ledger is empty
	ByPipeline  []PipelineCost  // nil when the ledger is empty
	ByInitiator []InitiatorCost // nil when the ledger is empty
}

// summarizeCost aggregates ledger into a Cost.
func summarizeCost(w *model.World, ledger []sim.LedgerRow) Cost {
	// The IDs stand for the names: an initiator for its account and
	// principal, a pipeline for its name (unique in its owner's account),
	// a share for its name.
	type key struct {
		payer        model.AccountID
		initiator    model.PrincipalID
		pipeline     model.PipelineID
		share        model.ShareID
		instanceType string
	}
	var c Cost
	index := make(map[key]int, len(ledger))
	if len(ledger) > 0 {
		c.ByInitiator = make([]InitiatorCost, 0, len(ledger)) // a ledger row per key, mostly
	}
	for i := range ledger {
		row := &ledger[i]
		amount := Amount{
			USD:         row.USD(),
			InFlightUSD: row.InFlightUSD(),
			InstanceNs:  row.InstanceNs,
			InFlightNs:  row.InFlightNs,
		}
		k := key{row.Payer, row.Initiator, row.Pipeline, row.Share, row.InstanceType}
		if j, ok := index[k]; ok {
			c.ByInitiator[j].add(&amount)
			continue
		}
		index[k] = len(c.ByInitiator)
		ic := InitiatorCost{
			Payer:        row.Payer,
			Account:      w.PrincipalAccount(row.Initiator),
			Principal:    w.PrincipalName(row.Initiator),
			Pipeline:     w.PipelineName(row.Pipeline),
			Own:          row.Share == sim.NoShare,
			InstanceType: row.InstanceType,
			Amount:       amount,
		}
		ic.AccountName = w.AccountName(ic.Account)
		if !ic.Own {
			ic.Share = w.ShareName(row.Share)
		}
		c.ByInitiator = append(c.ByInitiator, ic)
	}
	slices.SortFunc(c.ByInitiator, compareInitiators)

	payers := map[model.AccountID]int{}
	type pipeKey struct {
		name  string
		owner model.AccountID
	}
	pipes := map[pipeKey]int{}
	for i := range c.ByInitiator {
		ic := &c.ByInitiator[i]
		c.add(&ic.Amount)
		j, ok := payers[ic.Payer]
		if !ok {
			j = len(c.ByPayer)
			payers[ic.Payer] = j
			c.ByPayer = append(c.ByPayer, PayerCost{Account: ic.Payer, AccountName: w.AccountName(ic.Payer)})
		}
		c.ByPayer[j].add(&ic.Amount)
		pk := pipeKey{ic.Pipeline, ic.Payer}
		j, ok = pipes[pk]
		if !ok {
			j = len(c.ByPipeline)
			pipes[pk] = j
			c.ByPipeline = append(c.ByPipeline, PipelineCost{Pipeline: ic.Pipeline, Owner: ic.Payer})
		}
		c.ByPipeline[j].add(&ic.Amount)
	}
	// ByInitiator is sorted by payer first, so ByPayer already is.
	slices.SortFunc(c.ByPipeline, func(a, b PipelineCost) int {
		return cmp.Or(strings.Compare(a.Pipeline, b.Pipeline), strings.Compare(string(a.Owner), string(b.Owner)))
	})
	return c
}

// compareInitiators orders InitiatorCost rows by payer, account, principal,
// pipeline, share (the owner's own first) and instance type.
func compareInitiators(a, b InitiatorCost) int {
	return cmp.Or(
		strings.Compare(string(a.Payer), string(b.Payer)),
		strings.Compare(string(a.Account), string(b.Account)),
		strings.Compare(a.Principal, b.Principal),
		strings.Compare(a.Pipeline, b.Pipeline),
		compareShares(a, b),
		strings.Compare(a.InstanceType, b.InstanceType),
	)
}

func compareShares(a, b InitiatorCost) int {
	if a.Own != b.Own {
		if a.Own {
			return -1
		}
		return 1
	}
	return strings.Compare(a.Share, b.Share)
}
