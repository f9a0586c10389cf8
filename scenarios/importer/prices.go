package importer

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/pipeshare/pipeshare/internal/input"
	"github.com/pipeshare/pipeshare/internal/jsonpos"
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/scenarios/pipelinedef"
	"github.com/pipeshare/pipeshare/sim"
)

// This file reads the AWS Price List offer file of AmazonSageMaker
// (docs/importing.md#prices): its products (SKU → productFamily and
// attributes) and its OnDemand terms (SKU → offer term → price dimensions
// → pricePerUnit.USD), published as JSON and as CSV. Either is read as a
// stream (jsonstream.go, offercsv.go): only the ML instance SKUs of the
// chosen region are kept, so memory does not grow with the file.

// PricesOptions are the options of [Prices].
type PricesOptions struct {
	Options
	// Region is the region whose prices are read (default
	// scenarios.DefaultRegion).
	Region string
}

// offerCode is the Price List's name of SageMaker's offer.
const offerCode = "AmazonSageMaker"

// maxListed caps the regions an error lists and the components a header
// lists.
const maxListed = 20

// Prices reads the AWS Price List offer file of AmazonSageMaker from r
// (JSON or CSV, told apart by its first byte), named name in messages,
// and returns a scenario whose pricing: block holds the on-demand USD per
// instance-hour of every ML instance type of the region by component.
// Problems of the file are errors at their position in it; an error of r
// (such as *input.TooLargeError) is returned as it is.
func Prices(name string, r io.Reader, opts PricesOptions) (*Result, error) {
	region := cmp.Or(opts.Region, scenarios.DefaultRegion)
	if !scenarios.ValidRegion(region) {
		return nil, fmt.Errorf("importer: region %s does not look like an AWS region (e.g. us-east-1)", input.Quote(region))
	}
	pos := jsonpos.NewReader(r)
	br := bufio.NewReaderSize(pos, 64<<10)
	o := &offer{file: name, region: region, kept: map[string]offerProduct{},
		prices: map[priceKey][]offerPrice{}, regions: map[string]bool{}, skipped: map[string]int{}}
	var bom int64
	if b, _ := br.Peek(3); string(b) == "\uFEFF" {
		_, _ = br.Discard(3)
		bom = 3
	}
	first, err := firstByte(br)
	if errors.Is(err, io.EOF) {
		return nil, pos.At(name, bom, "empty file: not an AWS Price List offer file")
	}
	if err != nil {
		return nil, err
	}
	if first == '{' || first == '[' {
		s := newJSONStream(name, pos, br)
		s.off = bom
		err = o.readJSON(s)
	} else {
		err = o.readCSV(pos, br)
	}
	if err != nil {
		return nil, err
	}
	return o.result(name, opts)
}

// firstByte peeks at the first byte that is not a blank among the first
// 4 KiB (a blank when there is none).
func firstByte(br *bufio.Reader) (byte, error) {
	b, err := br.Peek(4 << 10)
	if len(b) == 0 {
		return 0, err
	}
	if i := bytes.IndexFunc(b, func(r rune) bool { return r != ' ' && r != '\t' && r != '\n' && r != '\r' }); i >= 0 {
		return b[i], nil
	}
	return ' ', nil
}

// priceKey is an instance type's price for one component.
type priceKey struct {
	instType  string
	component sim.Component
}

// offerProduct is a kept SKU: an ML instance of the region.
type offerProduct struct {
	priceKey
	canonical bool // its usage type is the component's own (USE1-Train:ml.m5.xlarge)
}

// offerPrice is one SKU's on-demand price of a priceKey.
type offerPrice struct {
	usd       float64
	sku       string
	canonical bool
}

// offer is what a read has found.
type offer struct {
	file      string
	region    string
	code      string // offerCode, version and publicationDate as the file gives them
	version   string
	published string
	kept      map[string]offerProduct // JSON: products kept, by SKU, until their terms
	prices    map[priceKey][]offerPrice
	regions   map[string]bool // the other regions of ML instance SKUs (at most maxListed)
	skipped   map[string]int  // why ML instance SKUs of the region were left out, by reason
	unpriced  int             // kept SKUs with no usable on-demand price
}

// attrs are the attributes of a product this reader uses, by the
// normalized names of the JSON attributes and CSV columns (lower case,
// letters and digits only: "Region Code" and "regionCode" are
// "regioncode").
type attrs struct {
	family, region, instanceName, instanceType, component, usageType string
}

// field returns the attribute of normalized name n, or nil.
func (a *attrs) field(n string) *string {
	switch n {
	case "productfamily":
		return &a.family
	case "regioncode":
		return &a.region
	case "instancename":
		return &a.instanceName
	case "instancetype":
		return &a.instanceType
	case "component":
		return &a.component
	case "usagetype":
		return &a.usageType
	}
	return nil
}

// normalize is the name of a JSON attribute or CSV column as attrs keys it.
func normalize(name string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// usageInfixes are the usage type infixes of each component's instance
// hours (USE1-Train:ml.m5.xlarge, USE1-Processing:…, USE1-Tsform:…).
var usageInfixes = map[sim.Component]string{sim.Training: "Train", sim.Processing: "Processing", sim.Transform: "Tsform"}

// component maps the Price List's component attribute, else the usage
// type's infix, to a Component; name is what the SKU says it is.
func component(a *attrs) (c sim.Component, name string, ok bool) {
	switch normalize(a.component) {
	case "training":
		return sim.Training, a.component, true
	case "processing":
		return sim.Processing, a.component, true
	case "batchtransform", "transform":
		return sim.Transform, a.component, true
	case "":
		infix, _, _ := strings.Cut(a.usageType, ":")
		if i := strings.LastIndexByte(infix, '-'); i >= 0 {
			infix = infix[i+1:]
		}
		for _, c := range sim.Components {
			if infix == usageInfixes[c] {
				return c, a.component, true
			}
		}
		return 0, "usage type " + a.usageType, false
	}
	return 0, a.component, false
}

// instanceType is the SKU's instance type: instanceName, else
// instanceType without its -Component suffix, else the usage type's.
func instanceType(a *attrs) string {
	for _, s := range []string{a.instanceName, a.instanceType, a.usageType} {
		if i := strings.LastIndexByte(s, ':'); i >= 0 {
			s = s[i+1:]
		}
		if i := strings.IndexByte(s, '-'); i >= 0 {
			s = s[:i]
		}
		if pipelinedef.ValidInstanceType(s) {
			return s
		}
	}
	return ""
}

// product decides whether the SKU of attributes a is kept: an ML instance
// of the region, of a component of pipeline steps, of a valid instance
// type. What is left out of the region's ML instances is counted.
func (o *offer) product(a *attrs) (offerProduct, bool) {
	if a.family != "ML Instance" {
		return offerProduct{}, false
	}
	if a.region != o.region {
		if len(o.regions) < maxListed && scenarios.ValidRegion(a.region) {
			o.regions[a.region] = true
		}
		return offerProduct{}, false
	}
	c, name, ok := component(a)
	if !ok {
		reason := "component " + input.Quote(cmp.Or(name, "(none)"))
		if _, seen := o.skipped[reason]; !seen && len(o.skipped) >= maxListed {
			reason = "other components"
		}
		o.skipped[reason]++
		return offerProduct{}, false
	}
	t := instanceType(a)
	if t == "" {
		o.skipped["no instance type of the form ml.m5.xlarge"]++
		return offerProduct{}, false
	}
	p := offerProduct{priceKey: priceKey{t, c}}
	rest := a.usageType
	if i := strings.IndexByte(rest, '-'); i >= 0 && i < strings.IndexByte(rest, ':') {
		rest = rest[i+1:]
	}
	p.canonical = rest == usageInfixes[c]+":"+t
	return p, true
}

// parseUSD parses a price in USD as the offer file writes it
// ("0.2300000000"): a non-negative number.
func parseUSD(usd string) (float64, bool) {
	x, err := strconv.ParseFloat(usd, 64)
	return x, err == nil && x >= 0 && !math.IsInf(x, 0)
}

// badPrice is the message of a price that is not a non-negative number.
func badPrice(usd string) string {
	return "the price " + input.Quote(usd) + " is not a non-negative number of USD"
}

// price records a price dimension of a kept SKU's on-demand term, in unit
// ("Hrs" for instance hours; other units are left out). It reports
// whether it was a price per hour.
func (o *offer) price(p offerProduct, sku, unit string, usd float64) bool {
	if unit != "Hrs" && unit != "Hours" {
		return false
	}
	if usd == 0 {
		o.skipped["priced at 0 USD/h"]++
		return true
	}
	o.prices[p.priceKey] = append(o.prices[p.priceKey], offerPrice{usd: usd, sku: sku, canonical: p.canonical})
	return true
}

// result is the scenario of what the read found.
func (o *offer) result(name string, opts PricesOptions) (*Result, error) {
	if len(o.prices) == 0 {
		why := "nor ML instance SKUs of another region"
		if seen := slices.Sorted(maps.Keys(o.regions)); len(seen) > 0 {
			why = "the file has ML instance SKUs of " + strings.Join(seen, ", ")
		}
		return nil, &model.PosError{Pos: model.Pos{File: name, Line: 1, Col: 1},
			Msg: fmt.Sprintf("no on-demand training, processing or transform prices of %s (%s)", o.region, why)}
	}
	f := opts.newFile("sagemaker-prices-" + o.region)
	f.Region = o.region
	f.Pricing = map[string]scenarios.FilePrice{}
	var chose []string
	types := map[string]map[sim.Component]float64{}
	for _, k := range slices.SortedFunc(maps.Keys(o.prices), func(a, b priceKey) int {
		return cmp.Or(strings.Compare(a.instType, b.instType), cmp.Compare(a.component, b.component))
	}) {
		cands := o.prices[k]
		slices.SortFunc(cands, func(a, b offerPrice) int {
			if a.canonical != b.canonical {
				if a.canonical {
					return -1
				}
				return 1
			}
			return cmp.Or(cmp.Compare(a.usd, b.usd), strings.Compare(a.sku, b.sku))
		})
		if slices.ContainsFunc(cands, func(c offerPrice) bool { return c.usd != cands[0].usd }) {
			chose = append(chose, fmt.Sprintf("%s %s: %d SKUs with different prices; used %s, of SKU %s",
				k.instType, k.component, len(cands), formatUSD(cands[0].usd), input.Quote(cands[0].sku)))
		}
		if types[k.instType] == nil {
			types[k.instType] = map[sim.Component]float64{}
		}
		types[k.instType][k.component] = cands[0].usd
	}
	for t, by := range types {
		p := scenarios.FilePrice{ByComponent: by}
		if len(by) == len(sim.Components) && by[sim.Training] == by[sim.Processing] && by[sim.Processing] == by[sim.Transform] {
			p = scenarios.FilePrice{All: by[sim.Training]}
		}
		f.Pricing[t] = p
	}
	from := "the AWS Price List offer file of " + offerCode
	var meta []string
	if o.version != "" {
		meta = append(meta, "version "+o.version)
	}
	if o.published != "" {
		meta = append(meta, "published "+o.published)
	}
	if len(meta) > 0 {
		from += " (" + strings.Join(meta, ", ") + ")"
	}
	res := &Result{File: f, From: from, Command: "pipeshare import prices " + name + " --region " + o.region}
	res.About = append([]string{
		fmt.Sprintf("On-demand USD per instance-hour in %s of %d instance types (%d prices) by component:", o.region, len(types), len(o.prices)),
		"training (Training, Tuning and AutoML steps), processing (Processing, ClarifyCheck, QualityCheck",
		"and other steps), transform (Transform steps); one number is the same price for all three.",
		"Use it as a base (extends: this file) or copy its pricing: block into a scenario: pricing:",
		"applies whatever the scenario's region.",
	}, chose...)
	for _, reason := range slices.Sorted(maps.Keys(o.skipped)) {
		res.Unmapped = append(res.Unmapped, fmt.Sprintf("%d ML instance SKUs of %s: %s", o.skipped[reason], o.region, reason))
	}
	if o.unpriced > 0 {
		res.Unmapped = append(res.Unmapped, fmt.Sprintf("%d ML instance SKUs of %s with no on-demand price per hour in USD", o.unpriced, o.region))
	}
	return res, nil
}

// formatUSD formats a price as YAML writes it.
func formatUSD(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
