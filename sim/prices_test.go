package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
)

func TestStepComponent(t *testing.T) {
	for typ, want := range map[string]Component{
		"Training": Training, "Tuning": Training, "AutoML": Training,
		"Processing": Processing, "ClarifyCheck": Processing, "QualityCheck": Processing,
		"Transform": Transform, "Lambda": Processing, "Unknown": Processing,
	} {
		assert.Equal(t, want, StepComponent(typ), typ)
	}
	for _, c := range Components {
		got, ok := ParseComponent(c.String())
		assert.True(t, ok)
		assert.Equal(t, c, got)
	}
	_, ok := ParseComponent("hosting")
	assert.False(t, ok)
}

// typed is a 1-hour step of type typ on one ml.m5.xlarge, after deps.
func typed(name, typ string, deps ...string) StepSpec {
	st := fixed(name, hour, 1, deps...)
	st.Type = typ
	return st
}

// runPriced runs one Start of a pipeline of a Processing, a Training and
// a Transform step (an hour each on one ml.m5.xlarge) in a world of
// region, and returns the run's ledger and the build's problems.
func runPriced(t *testing.T, region string, pricing ...Price) ([]LedgerRow, []*model.PosError) {
	t.Helper()
	s, errs := New(execWorldIn(t, region), &Config{Duration: 10 * hour, Pricing: pricing,
		Pipelines: []PipelineSpec{{Name: ref("train"), Account: ref("111111111111"), Steps: []StepSpec{
			typed("p", "Processing"), typed("t", "Training", "p"), typed("b", "Transform", "t")}}},
		Workload: []Workload{calls("222222222222", model.StartPipelineExecution, 0)}})
	if s == nil {
		return nil, errs
	}
	return s.Run().Ledger, errs
}

func TestEachStepIsBilledAtItsComponentsPrice(t *testing.T) {
	ledger, errs := runPriced(t, "us-east-1",
		Price{InstanceType: "ml.m5.xlarge", Component: AllComponents, USDPerHour: 1},
		Price{InstanceType: "ml.m5.xlarge", Component: Training, USDPerHour: 3})
	require.Empty(t, errs)
	// Processing and Transform at the flat 1, Training at 3: two rows of
	// one pool, an hour at 3 and two hours at 1.
	require.Len(t, ledger, 2)
	var usd float64
	byPrice := map[float64]int64{}
	for i := range ledger {
		assert.Equal(t, "ml.m5.xlarge", ledger[i].InstanceType)
		byPrice[ledger[i].USDPerHour] += ledger[i].InstanceNs
		usd += ledger[i].USD()
	}
	assert.Equal(t, map[float64]int64{1: int64(2 * hour), 3: int64(hour)}, byPrice)
	assert.InDelta(t, 5, usd, 1e-12)
}

func TestOneFlatPriceKeepsOneLedgerRow(t *testing.T) {
	ledger, errs := runPriced(t, "us-east-1")
	require.Empty(t, errs)
	require.Len(t, ledger, 1, "the embedded us-east-1 ml.m5.xlarge is the same for every component")
	assert.Equal(t, 0.23, ledger[0].USDPerHour)
	assert.Equal(t, int64(3*hour), ledger[0].InstanceNs)
}

func TestRegionWithoutPricesFallsBackWithOneWarningPerComponent(t *testing.T) {
	ledger, errs := runPriced(t, "eu-west-1",
		Price{InstanceType: "ml.m5.xlarge", Component: Transform, USDPerHour: 0.5})
	require.NotNil(t, ledger)
	var msgs []string
	for _, e := range errs {
		assert.Equal(t, model.SeverityWarning, e.Severity)
		msgs = append(msgs, e.Msg)
	}
	assert.Equal(t, []string{
		"no processing price of ml.m5.xlarge in eu-west-1 is embedded: using us-east-1's 0.23 USD/h; add it under pricing: (pipeshare import prices)",
		"no training price of ml.m5.xlarge in eu-west-1 is embedded: using us-east-1's 0.23 USD/h; add it under pricing: (pipeshare import prices)",
	}, msgs, "transform is priced by the scenario")
	var usd float64
	for i := range ledger {
		usd += ledger[i].USD()
	}
	assert.InDelta(t, 0.23+0.23+0.5, usd, 1e-12)
}

func TestMissingComponentPriceIsAnErrorNamingIt(t *testing.T) {
	st := typed("b", "Transform")
	st.InstanceType, st.InstanceTypePos = "ml.x9.huge", model.Pos{File: "s.yaml", Line: 7, Col: 9}
	_, errs := New(execWorld(t), &Config{Duration: hour,
		Pricing:   []Price{{InstanceType: "ml.x9.huge", Component: Training, USDPerHour: 1}},
		Pipelines: []PipelineSpec{{Name: ref("train"), Account: ref("111111111111"), Steps: []StepSpec{st}}}})
	require.Len(t, errs, 1)
	assert.Equal(t, "s.yaml:7:9: instance type ml.x9.huge has no transform price in us-east-1; add it under pricing: (USD per instance-hour)", errs[0].Error())
}
