package report

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// storySummary is ten days in ten one-day buckets: 100 calls a day, none
// denied for the first five days and half of them after; the owner pays
// $10 a day, for the first five days only, all of it triggered by
// 222222222222/role/DS.
func storySummary(events ...Event) *Summary {
	s := &Summary{Meta: Meta{Events: events}, Duration: 10 * day}
	s.Series.Bucket = day
	cost := make([]float64, 10)
	for b := range 10 {
		s.Series.Starts = append(s.Series.Starts, model.Time(b)*day)
		if b < 5 {
			s.Series.Calls = append(s.Series.Calls, [3]int64{100, 0, 0})
			cost[b] = 10
		} else {
			s.Series.Calls = append(s.Series.Calls, [3]int64{50, 50, 0})
		}
	}
	s.Series.CostGroups, s.Series.Cost = []string{resAcct + "/role/DS"}, [][]float64{cost}
	s.Cost.ByInitiator = []InitiatorCost{{Payer: ownerAcct, Account: resAcct, Principal: "role/DS", Amount: Amount{USD: 50}}}
	s.Cost.USD = 50
	s.Calls.ByReason[model.ReasonActionNotPermitted] = 250
	return s
}

func TestStoryNamesTheEventThatChangedMost(t *testing.T) {
	s := storySummary(
		Event{At: 0, What: "share s was created"}, // at the start: the picture itself
		Event{At: 2 * day, What: "account 333333333333 moved to /x"},
		Event{At: 5 * day, What: "share s became read-only"},
		Event{At: 5 * day, What: "policy p was attached to ou:/r"},
		Event{At: 20 * day, What: "after the run"},
	)
	assert.Equal(t, "From day 5, when share s became read-only and policy p was attached to ou:/r, the owner's cost falls "+
		"from $10.00 to $0.00 a day and denied calls rise from 0.0% to 50.0% of calls (days 5–10, against days 2–5).", s.story())

	// Another event ends the window after: the sentence says so, as it
	// does which windows it compared.
	s = storySummary(Event{At: 5 * day, What: "share s became read-only"}, Event{At: 8 * day, What: "policy p was detached from ou:/r"})
	assert.Equal(t, "From day 5, when share s became read-only, the owner's cost falls from $10.00 to $0.00 a day and "+
		"denied calls rise from 0.0% to 50.0% of calls (days 5–8, against days 0–5).", s.story())
}

func TestStoryWithoutChange(t *testing.T) {
	s := storySummary()
	assert.Equal(t, "Nothing changes during the run; 222222222222/role/DS triggers the most owner cost, $50.00 (100.0% of $50.00, "+
		"from 1 initiator).", s.story())

	// An event inside a bucket, with whole buckets on both sides, that
	// changes nothing.
	s = storySummary(Event{At: 36 * hourNs, What: "share s started naming 444444444444"})
	s.Series.Calls[5], s.Series.Calls[6], s.Series.Calls[7], s.Series.Calls[8], s.Series.Calls[9] =
		s.Series.Calls[0], s.Series.Calls[0], s.Series.Calls[0], s.Series.Calls[0], s.Series.Calls[0]
	s.Series.Cost[0] = []float64{5, 5, 5, 5, 5, 5, 5, 5, 5, 5}
	assert.Contains(t, s.story(), "No timeline event changed the denied share of calls or the owner's cost rate; ")

	s = storySummary()
	s.Cost = Cost{}
	assert.Equal(t, "Nothing changes during the run; no execution ran in an owner account, and most denials are action_not_permitted.",
		s.story())
}

func TestStoryRatesAnHourForShortRuns(t *testing.T) {
	s := storySummary(Event{At: 5 * hourNs, What: "share s became extended"})
	s.Duration, s.Series.Bucket = 10*hourNs, hourNs
	assert.Equal(t, "From hour 5, when share s became extended, the owner's cost falls from $10.00 to $0.00 an hour "+
		"and denied calls rise from 0.0% to 50.0% of calls.", s.story())
}

func TestEvents(t *testing.T) {
	r := func(s string) model.Ref { return model.Ref{S: s} }
	evs := Events([]model.EventConfig{
		{At: 3, Kind: model.EventSetPermission, Share: r("s"), Permission: model.PermissionReadOnly},
		{At: 1, Kind: model.EventAssociate, Share: r("s"), Principals: []model.Ref{r("a"), r("b")}},
		{At: 1, Kind: model.EventAssociate, Share: r("s"), Pipelines: []model.Ref{r("p")}},
		{At: 2, Kind: model.EventDisassociate, Share: r("s")},
		{At: 2, Kind: model.EventDisassociate, Share: r("s"), Principals: []model.Ref{r("a")}},
		{At: 2, Kind: model.EventDisassociate, Share: r("s"), Pipelines: []model.Ref{r("p")}},
		{At: 4, Kind: model.EventDeleteShare, Share: r("s")},
		{At: 4, Kind: model.EventMoveAccount, Account: r("1"), OU: r("/prod")},
		{At: 4, Kind: model.EventLeaveOrganization, Account: r("1")},
		{At: 4, Kind: model.EventAttachPolicy, Policy: r("deny"), Target: r("ou:/x")},
		{At: 4, Kind: model.EventDetachPolicy, Policy: r("deny"), Target: r("ou:/x")},
	}, []sim.QuotaEvent{{At: 0, Quota: sim.AccountQuota{Account: r("1")}}})
	var got []string
	for _, e := range evs {
		got = append(got, e.What)
	}
	assert.Equal(t, []string{
		"account 1's quotas changed",
		"share s started naming a and b", "share s added p",
		"share s was disassociated", "share s stopped naming a", "share s dropped p",
		"share s became read-only",
		"share s was deleted", "account 1 moved to /prod", "account 1 left the organization",
		"policy deny was attached to ou:/x", "policy deny was detached from ou:/x",
	}, got, "in time order, ties in file order")
}

// TestHeadlineDataPlane: the data plane line comes only with a declared
// data plane, and names the request that burned the most owner money.
func TestHeadlineDataPlane(t *testing.T) {
	labels := func(s *Summary) []string {
		var out []string
		for _, l := range runHeadline(s).lines() {
			out = append(out, l[0])
		}
		return out
	}
	s := storySummary()
	assert.Equal(t, []string{"owner cost", "calls", "executions", "what changed"}, labels(s), "no data declared")

	fail := func(action, subject string, steps int64, usd float64) DataFailure {
		return DataFailure{Action: action, Subject: subject, Steps: steps, USD: usd}
	}
	for _, tc := range []struct {
		name string
		d    DataPlane
		want string
	}{
		{"none denied", DataPlane{Decisions: 1234},
			"1,234 data accesses decided, none denied"},
		{"one request", DataPlane{FailedSteps: 12, USD: 41.2, Failures: []DataFailure{
			fail("kms:Decrypt", "alias/partner-data", 8, 30), fail("kms:Decrypt", "alias/partner-data", 4, 11.2)}},
			"12 steps failed on AccessDenied (kms:Decrypt on key alias/partner-data: 12), $41.20 of owner money burned in their setup"},
		{"the most money wins over the most steps", DataPlane{FailedSteps: 11, USD: 13, Failures: []DataFailure{
			fail("s3:GetObject", "s3://a", 10, 1), fail("kms:Decrypt", "alias/b", 1, 12)}},
			"11 steps failed on AccessDenied (kms:Decrypt on key alias/b: 1; 10 on 1 other request), $13.00 of owner money burned in their setup"},
		{"ties by steps, then by name", DataPlane{FailedSteps: 3, USD: 0, Failures: []DataFailure{
			fail("s3:PutObject", "s3://z", 1, 0), fail("s3:GetObject", "s3://y", 1, 0), fail("s3:GetObject", "s3://x", 1, 0)}},
			"3 steps failed on AccessDenied (s3:GetObject on s3://x: 1; 2 on 2 other requests), $0.00 of owner money burned in their setup"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := storySummary()
			s.Data = &tc.d
			assert.Equal(t, []string{"owner cost", "calls", "executions", "data plane", "what changed"}, labels(s))
			assert.Equal(t, tc.want, runHeadline(s).lines()[3][1])
		})
	}
}
