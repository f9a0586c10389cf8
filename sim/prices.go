package sim

// Component is what SageMaker bills a step's instances as: the same
// instance type has a price per component (docs/pricing.md).
type Component uint8

// The components of pipeline steps. AllComponents is for pricing entries
// only: one price for every component (the flat form `ml.m5.xlarge: 0.23`).
const (
	AllComponents Component = iota
	Training
	Processing
	Transform
	numComponents
)

// Components lists the components in their order, for messages and
// schemas. Callers must not modify it.
var Components = []Component{Training, Processing, Transform}

var componentNames = [numComponents]string{"every component", "training", "processing", "transform"}

// String returns the component's name in pricing: entries ("training").
func (c Component) String() string {
	if c >= numComponents {
		return "unknown component"
	}
	return componentNames[c]
}

// ParseComponent returns the component named name ("training",
// "processing" or "transform").
func ParseComponent(name string) (Component, bool) {
	for _, c := range Components {
		if componentNames[c] == name {
			return c, true
		}
	}
	return 0, false
}

// StepComponent returns the component a step of type stepType is billed
// as when it runs on instances: Training, Tuning (its training jobs) and
// AutoML (its candidates are training jobs) as training; Transform (a batch
// transform job) as transform; Processing, ClarifyCheck and QualityCheck
// (which run processing jobs), and every other type given an
// instance_type, as processing.
func StepComponent(stepType string) Component {
	switch stepType {
	case "Training", "Tuning", "AutoML":
		return Training
	case "Transform":
		return Transform
	}
	return Processing
}

// fallbackRegion is the region whose embedded prices stand in, with a
// warning, for a region that has none.
const fallbackRegion = "us-east-1"

// componentPrices is an instance type's USD per instance-hour, by
// Component; 0 where there is none.
type componentPrices [numComponents]float64

// flat is the same price for every component.
func flat(usd float64) componentPrices {
	return componentPrices{0, usd, usd, usd}
}

// embeddedPrices is the on-demand price table by region and instance type
// (USD per instance-hour, docs/pricing.md, which gives the source and
// date of each figure); `pricing:` overrides it. A region, instance type
// or component missing here takes fallbackRegion's price with a warning.
//
// us-east-1: ml.m5.large training and processing, ml.m5.xlarge processing
// and ml.g5.2xlarge training are AWS Price List figures; every other
// figure is the single unconfirmed price the table had before it knew
// components, for every component. No other region could be sourced.
var embeddedPrices = map[string]map[string]componentPrices{
	fallbackRegion: {
		"ml.t3.medium":    flat(0.05),
		"ml.m5.large":     flat(0.115),
		"ml.m5.xlarge":    flat(0.23),
		"ml.m5.2xlarge":   flat(0.461),
		"ml.m5.4xlarge":   flat(0.922),
		"ml.c5.xlarge":    flat(0.204),
		"ml.c5.2xlarge":   flat(0.408),
		"ml.c5.4xlarge":   flat(0.816),
		"ml.c5.9xlarge":   flat(1.836),
		"ml.r5.xlarge":    flat(0.302),
		"ml.r5.8xlarge":   flat(2.419),
		"ml.g4dn.xlarge":  flat(0.7364),
		"ml.g4dn.2xlarge": flat(0.94),
		"ml.g4dn.4xlarge": flat(1.505),
		"ml.g4dn.8xlarge": flat(2.72),
		"ml.g5.xlarge":    flat(1.408),
		"ml.g5.2xlarge":   flat(1.515),
		"ml.p3.2xlarge":   flat(3.825),
		"ml.p3.8xlarge":   flat(14.688),
		"ml.p4d.24xlarge": flat(37.688),
	},
}
