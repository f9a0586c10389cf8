package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/internal/jsonpos"
	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/sim"
)

// The test offer files are shared with the CLI's golden tests.
const (
	offerJSON = "../testdata/real/prices/offer-sagemaker.json"
	offerCSV  = "../testdata/real/prices/offer-sagemaker.csv"
)

func importPrices(t *testing.T, path, region string) *Result {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	res, err := Prices(path, iotest.HalfReader(f), PricesOptions{Region: region})
	require.NoError(t, err)
	return res
}

// TestImportPricesJSONAndCSVAgree: the two layouts of one offer give the
// same pricing, by component, with one number where the components agree.
func TestImportPricesJSONAndCSVAgree(t *testing.T) {
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		fromJSON, fromCSV := importPrices(t, offerJSON, region), importPrices(t, offerCSV, region)
		assert.Equal(t, fromJSON.File, fromCSV.File, region)
		assert.Equal(t, fromJSON.About, fromCSV.About, region)
		assert.Equal(t, fromJSON.Unmapped, fromCSV.Unmapped, region)
	}
	res := importPrices(t, offerJSON, "us-east-1")
	assert.Equal(t, "us-east-1", res.File.Region)
	assert.Equal(t, "sagemaker-prices-us-east-1", res.File.Name)
	assert.Equal(t, map[string]scenarios.FilePrice{
		"ml.m5.large":   {All: 0.115},
		"ml.m5.xlarge":  {All: 0.23},
		"ml.g5.xlarge":  {ByComponent: map[sim.Component]float64{sim.Training: 1.408, sim.Transform: 1.41}},
		"ml.g5.2xlarge": {ByComponent: map[sim.Component]float64{sim.Training: 1.515, sim.Processing: 1.515}},
		"ml.c5.xlarge":  {ByComponent: map[sim.Component]float64{sim.Training: 0.204}},
	}, res.File.Pricing)
	assert.Contains(t, res.About, `ml.c5.xlarge training: 2 SKUs with different prices; used 0.204, of SKU "5TBJY676N2VLWT4G"`,
		"the SKU of the component's own usage type (USE1-Train:) wins over a cheaper or dearer other")
	assert.Equal(t, []string{
		`1 ML instance SKUs of us-east-1: component "Debugger"`,
		`1 ML instance SKUs of us-east-1: component "Hosting"`,
		`1 ML instance SKUs of us-east-1: component "Notebook"`,
	}, res.Unmapped)

	// The scenario validates (Write checks) and prices a step of each
	// component as imported.
	var b bytes.Buffer
	require.NoError(t, res.Write(&b))
	sc, err := scenarios.Parse("p.yaml", b.Bytes(), scenarios.LoadOptions{})
	require.NoError(t, err)
	assert.Contains(t, sc.Sim.Pricing, sim.Price{InstanceType: "ml.g5.xlarge", Component: sim.Transform, USDPerHour: 1.41,
		Pos: model.Pos{File: "p.yaml", Line: 20, Col: 35}})
}

// TestImportPricesCounts: what is left out is counted, in a header of
// bounded length whatever the file.
func TestImportPricesCounts(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"products": {`)
	for i := range 50 {
		fmt.Fprintf(&b, `"C%d": {"productFamily": "ML Instance", "attributes": {"regionCode": "us-east-1", "instanceName": "ml.m5.xlarge", "component": "Comp%d"}},`, i, i)
		fmt.Fprintf(&b, `"R%d": {"productFamily": "ML Instance", "attributes": {"regionCode": "r\n%d", "instanceName": "ml.m5.xlarge", "component": "Training"}},`, i, i)
	}
	b.WriteString(`"T": {"productFamily": "ML Instance", "attributes": {"regionCode": "us-east-1", "usagetype": "USE1-Tsform:ml.c5.xlarge"}},
"U": {"productFamily": "ML Instance", "attributes": {"regionCode": "us-east-1", "instanceName": "ml.c5.xlarge", "component": "Training"}},
"F": {"productFamily": "ML Instance", "attributes": {"regionCode": "us-east-1", "instanceName": "ml.c5.2xlarge", "component": "Training"}}},
"terms": {"OnDemand": {"T": {"T.1": {"priceDimensions": {"T.1.1": {"unit": "Hrs", "pricePerUnit": {"USD": "0.2"}}}}},
  "F": {"F.1": {"priceDimensions": {"F.1.1": {"unit": "Hrs", "pricePerUnit": {"USD": "0.0000000000"}}}}}}}}`)
	res, err := Prices("o", strings.NewReader(b.String()), PricesOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]scenarios.FilePrice{"ml.c5.xlarge": {ByComponent: map[sim.Component]float64{sim.Transform: 0.2}}},
		res.File.Pricing, "a transform price from its usage type alone")
	assert.Len(t, res.Unmapped, maxListed+3)
	assert.Contains(t, res.Unmapped, "30 ML instance SKUs of us-east-1: other components")
	assert.Contains(t, res.Unmapped, "1 ML instance SKUs of us-east-1: priced at 0 USD/h")
	assert.Contains(t, res.Unmapped, "1 ML instance SKUs of us-east-1 with no on-demand price per hour in USD")

	_, err = Prices("o", strings.NewReader(strings.Replace(b.String(), `"USE1-Tsform:ml.c5.xlarge"`, `"x"`, 1)), PricesOptions{})
	require.Error(t, err)
	assert.Equal(t, "o:1:1: no on-demand training, processing or transform prices of us-east-1 (nor ML instance SKUs of another region)",
		err.Error(), "regions that are not regions are not listed")
}

// TestImportPricesProblems: a problem of the file is an error at its
// position, in either layout; a file of the wrong kind says so.
func TestImportPricesProblems(t *testing.T) {
	product := func(attrs string) string {
		return `{"sku": "S1", "productFamily": "ML Instance", "attributes": {` + attrs + `}}`
	}
	ok := product(`"regionCode": "us-east-1", "instanceName": "ml.m5.xlarge", "component": "Training"`)
	term := func(usd string) string {
		return `{"S1": {"S1.T": {"priceDimensions": {"S1.T.R": {"unit": "Hrs", "pricePerUnit": {"USD": ` + usd + `}}}}}}`
	}
	doc := func(products, onDemand string) string {
		return "{\"offerCode\": \"AmazonSageMaker\",\n\"products\": {\"S1\": " + products + "},\n\"terms\": {\"OnDemand\": " + onDemand + "}}"
	}
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "o:1:1: empty file: not an AWS Price List offer file"},
		{"an array", "[]", "o:1:1: the offer file must be an object, not an array"},
		{"another offer", `{"offerCode": "AmazonEC2"}`, `o:1:15: offerCode is "AmazonEC2": want the offer file of AmazonSageMaker`},
		{"terms first", `{"terms": {}, "products": {}}`, "o:1:11: terms come before products"},
		{"truncated", doc(ok, term(`"0.23"`))[:60], "o:2:28: invalid JSON: unexpected end of input (truncated file?)"},
		{"trailing comma", `{"products": {"S1": {},}}`, "o:1:24: invalid JSON: character '}' where a key of products (a string) was expected"},
		{"missing colon", `{"products" {}}`, `o:1:13: invalid JSON: an object after the key "products" of the offer file, want ':'`},
		{"bad literal", `{"x": nul}`, `o:1:7: invalid JSON: invalid literal "nul"`},
		{"bad number", `{"x": 01}`, `o:1:7: invalid JSON: invalid number "01"`},
		{"bad escape", `{"x": "a\qb"}`, `o:1:9: invalid JSON: invalid escape \q in a string`},
		{"control character", "{\"x\": \"a\tb\"}", `o:1:9: invalid JSON: control character '\t' in a string`},
		{"unclosed array in a skipped value", `{"x": [1, 2}`, `o:1:12: invalid JSON: character '}' after a value, want ',' or ']'`},
		{"attributes not an object", doc(`{"attributes": 7}`, "{}"), `o:2:35: the attributes of "S1" must be an object, not a number`},
		{"attribute not a string", doc(product(`"regionCode": true`), "{}"), `o:2:95: the attribute regionCode must be a string, not true or false`},
		{"price not a number", doc(ok, term(`"cheap"`)), `o:3:110: the price "cheap" is not a non-negative number of USD`},
		{"negative price", doc(ok, term(`"-1"`)), `o:3:110: the price "-1" is not a non-negative number of USD`},
		{"data after", doc(ok, term(`"0.23"`)) + " {}", `o:3:125: unexpected data after the JSON document`},
		{"no prices of the region", doc(product(`"regionCode": "eu-west-1", "instanceName": "ml.m5.xlarge", "component": "Training"`), "{}"),
			"o:1:1: no on-demand training, processing or transform prices of us-east-1 (the file has ML instance SKUs of eu-west-1)"},
		{"csv without header", "\"FormatVersion\",\"v1.0\"\n" + strings.Repeat("\"a\",\"b\"\n", 30),
			`o:21:1: no header row (one that starts with "SKU") in the first 20 rows: not an AWS Price List offer file`},
		{"csv of another offer", "\"FormatVersion\",\"v1.0\"\n\"OfferCode\",\"AmazonEC2\"\n", `o:2:13: OfferCode is "AmazonEC2": want the offer file of AmazonSageMaker`},
		{"csv missing columns", "\"SKU\",\"TermType\",\"Unit\",\"PricePerUnit\",\"Currency\"\n", "o:1:1: the header has no Product Family, no Region Code column"},
		{"csv short row", csvOffer("\"S1\",\"OnDemand\"\n"), "o:3:1: a row of 2 fields: the header has 9"},
		{"csv bad quote", csvOffer("\"S1\",\"OnDemand\",\"Hrs\",\"0.23\",\"USD\",\"ML Instance\",\"us-east-1\",\"ml.m5.xlarge\",\"Train\"ing\"\n"),
			`o:3:83: invalid CSV: extraneous or missing " in quoted-field`},
		{"csv bad price", csvOffer("\"S1\",\"OnDemand\",\"Hrs\",\"x0.23\",\"USD\",\"ML Instance\",\"us-east-1\",\"ml.m5.xlarge\",\"Training\"\n"),
			`o:3:23: the price "x0.23" is not a non-negative number of USD`},
		{"csv bad price after wide characters", csvOffer("\"S1é\",\"OnDemand\",\"Hrs\",\"x\",\"USD\",\"ML Instance\",\"us-east-1\",\"ml.m5.xlarge\",\"Training\"\n"),
			`o:3:24: the price "x" is not a non-negative number of USD`},
		{"csv long line", "\"FormatVersion\",\"" + strings.Repeat("v", maxCSVLine) + "\"\n",
			"o:1:1: a line longer than 1 MiB: not an AWS Price List offer file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Prices("o", iotest.OneByteReader(strings.NewReader(tc.in)), PricesOptions{})
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tc.want), "got  %s\nwant %s", err, tc.want)
			var pe *model.PosError
			assert.True(t, errors.As(err, &pe), "a position: %T", err)
		})
	}
}

// csvOffer is a CSV offer with a header of the columns the reader needs
// and rows.
func csvOffer(rows string) string {
	return "\"OfferCode\",\"AmazonSageMaker\"\n" +
		"\"SKU\",\"TermType\",\"Unit\",\"PricePerUnit\",\"Currency\",\"Product Family\",\"Region Code\",\"Instance Name\",\"Component\"\n" + rows
}

// TestImportPricesHostileJSON: nesting, huge strings and numbers in parts
// the reader skips cost bounded memory and end in an error at a position.
func TestImportPricesHostileJSON(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"deep nesting", `{"x": ` + strings.Repeat("[", maxJSONDepth+1), "o:1:10007: JSON nested more than 10000 deep"},
		{"long key", `{"` + strings.Repeat("k", maxJSONString+1) + `": 1}`, "o:1:2: a string longer than 1 MiB"},
		{"long number", `{"x": ` + strings.Repeat("1", maxJSONString+1) + `}`, "o:1:7: a number longer than 1 MiB"},
		{"surrogates", `{"offerCode": "\ud83d\ude00\ud800x"}`, "o:1:15: offerCode is \"😀\uFFFDx\": want the offer file of AmazonSageMaker"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Prices("o", strings.NewReader(tc.in), PricesOptions{})
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// TestJSONStreamMatchesEncodingJSON: whatever a document, the stream
// reader skips it exactly when encoding/json finds it valid.
func TestJSONStreamMatchesEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{}`, `{"a": [1, -2.5e+3, "x\u00e9\n", true, false, null, {"b": []}]}`, `{"a": 1}   `,
		`{"a": 1,}`, `{"a": [1,]}`, `{"a" 1}`, `{"a": -}`, `{"a": 1.}`, `{"a": .5}`, `{"a": 1e}`, `{"a": tru}`,
		`{"a": "\x"}`, `{"a": "\u12"}`, `{a: 1}`, `{"a": [}`, `{"a": {]}`, `{"a": 1} x`, `{"a": "b"`,
	} {
		s := newJSONStreamString(in)
		err := s.skip()
		if err == nil {
			err = s.end()
		}
		assert.Equal(t, json.Valid([]byte(in)), err == nil, "%s: %v", in, err)
	}
}

func newJSONStreamString(s string) *jsonStream {
	pos := jsonpos.NewReader(strings.NewReader(s))
	return newJSONStream("t", pos, bufio.NewReader(pos))
}

// FuzzPrices: whatever the bytes, the reader ends in a scenario that
// validates or an error at a position in the file, and never panics.
func FuzzPrices(f *testing.F) {
	for _, p := range []string{offerJSON, offerCSV} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(csvOffer("\"S1\",\"OnDemand\",\"Hrs\",\"0.23\",\"USD\",\"ML Instance\",\"us-east-1\",\"ml.m5.xlarge\",\"Training\"\n")))
	f.Add([]byte(`{"products": {"S": {"productFamily": "ML Instance", "attributes": {"regionCode": "us-east-1", "usagetype": "USE1-Tsform:ml.c5.xlarge"}}},
"terms": {"OnDemand": {"S": {"T": {"priceDimensions": {"R": {"unit": "Hrs", "pricePerUnit": {"USD": 1e-3}}}}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Prices("f", bytes.NewReader(data), PricesOptions{})
		if err != nil {
			var pe *model.PosError
			if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "f:") {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		if err := res.Write(io.Discard); err != nil {
			t.Fatalf("imported scenario does not validate: %v", err)
		}
	})
}
