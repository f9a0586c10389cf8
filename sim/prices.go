package sim

// embeddedPrices is the us-east-1 on-demand price table (USD per
// instance-hour) of docs/aws-semantics.md#prices; `pricing:` overrides it.
// The table is not confirmed against AWS's price list.
var embeddedPrices = map[string]float64{
	"ml.t3.medium":    0.05,
	"ml.m5.large":     0.115,
	"ml.m5.xlarge":    0.23,
	"ml.m5.2xlarge":   0.461,
	"ml.m5.4xlarge":   0.922,
	"ml.c5.xlarge":    0.204,
	"ml.c5.2xlarge":   0.408,
	"ml.c5.4xlarge":   0.816,
	"ml.c5.9xlarge":   1.836,
	"ml.r5.xlarge":    0.302,
	"ml.r5.8xlarge":   2.419,
	"ml.g4dn.xlarge":  0.7364,
	"ml.g4dn.2xlarge": 0.94,
	"ml.g4dn.4xlarge": 1.505,
	"ml.g4dn.8xlarge": 2.72,
	"ml.g5.xlarge":    1.408,
	"ml.g5.2xlarge":   1.515,
	"ml.p3.2xlarge":   3.825,
	"ml.p3.8xlarge":   14.688,
	"ml.p4d.24xlarge": 37.688,
}
