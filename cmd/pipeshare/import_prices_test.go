package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const offers = "../../scenarios/testdata/real/prices/"

// TestImportPricesGolden imports the test offer file, JSON and CSV, into
// the pricing: of us-east-1 and of eu-west-1: the JSON's output and
// stderr are golden, and the CSV's are the same but for the file's name.
func TestImportPricesGolden(t *testing.T) {
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		code, stdout, stderr := pipeshare(t, "", "import", "prices", offers+"offer-sagemaker.json", "--region", region)
		require.Equal(t, 0, code, stderr)
		golden(t, "import-prices-"+region+".yaml", stdout)
		golden(t, "import-prices-"+region+".stderr", stderr)
		code, csvOut, csvErr := pipeshare(t, "", "import", "prices", offers+"offer-sagemaker.csv", "--region", region)
		require.Equal(t, 0, code, csvErr)
		assert.Equal(t, stdout, strings.Replace(csvOut, "offer-sagemaker.csv", "offer-sagemaker.json", 1))
		assert.Equal(t, stderr, csvErr)
	}

	// --out, --name, --start, --duration; the file validates and a
	// scenario extending it bills each component at its price.
	dir := t.TempDir()
	out := filepath.Join(dir, "prices.yaml")
	code, stdout, stderr := pipeshare(t, "", "import", "prices", offers+"offer-sagemaker.json", "--region", "eu-west-1",
		"--out", out, "--name", "eu", "--start", "2026-02-01T00:00:00Z", "--duration", "7d")
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stdout)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(data), "\nname: eu\nregion: eu-west-1\nstart: \"2026-02-01T00:00:00Z\"\nduration: 7d\n")
	scenario := filepath.Join(dir, "s.yaml")
	require.NoError(t, os.WriteFile(scenario, []byte(`extends: prices.yaml
name: s
accounts: [{id: "111111111111", principals: [{name: role/Admin, policies: [all]}]}]
policies:
  all: {Statement: [{Effect: Allow, Action: "sagemaker:*", Resource: "*"}]}
pipelines:
  - name: p
    account: "111111111111"
    steps:
      - {name: Prep, type: Processing, instance_type: ml.m5.xlarge, duration: 1h}
      - {name: Train, type: Training, depends_on: [Prep], instance_type: ml.m5.xlarge, duration: 1h}
      - {name: Score, type: Transform, depends_on: [Train], instance_type: ml.m5.xlarge, duration: 1h}
workload:
  - {callers: ["111111111111/role/Admin"], targets: [p], at: [0s], actions: {StartPipelineExecution: 1}}
`), 0o644))
	code, stdout, stderr = pipeshare(t, "", "run", scenario, "--root", dir, "--format", "json")
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr, "every component is priced: no fallback warning")
	assert.Contains(t, stdout, `"usd": 0.93`, "0.31 + 0.30 + 0.32 for an hour each")

	// Standard input.
	offer, err := os.ReadFile(offers + "offer-sagemaker.csv")
	require.NoError(t, err)
	code, stdout, _ = pipeshare(t, string(offer), "import", "prices", "-", "--region", "eu-west-1")
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, "  ml.m5.xlarge: {training: 0.3, processing: 0.31, transform: 0.32}\n")
}

func TestImportPricesErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("{\"offerCode\": \"AmazonSageMaker\",\n \"products\": {\"S1\": [}\n}\n"), 0o644))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{bad}, bad + ":2:21: the product \"S1\" must be an object, not an array\n"},
		{[]string{offers + "offer-sagemaker.json", "--region", "ap-south-1"}, offers + "offer-sagemaker.json:1:1: " +
			"no on-demand training, processing or transform prices of ap-south-1 (the file has ML instance SKUs of eu-west-1, us-east-1)\n"},
		{[]string{offers + "offer-sagemaker.json", "--max-input", "1000"}, offers + "offer-sagemaker.json:1:1: file too large (limit 1000 bytes, raise with --max-input)\n"},
		{[]string{"no-such-offer.json"}, "no-such-offer.json:1:1: no such file or directory\n"},
		{[]string{offers}, offers + ":1:1: is a folder, not a file\n"},
		{[]string{offers + "offer-sagemaker.json", "--region", "Mars"}, "--region must be an AWS region such as eu-west-1, not \"Mars\"\n"},
		{[]string{}, "pipeshare import prices: name one offer file (got 0; see pipeshare import prices --help)\n"},
	} {
		code, stdout, stderr := pipeshare(t, "", append([]string{"import", "prices"}, tc.args...)...)
		assert.Equal(t, 2, code, tc.args)
		assert.Empty(t, stdout)
		assert.Equal(t, tc.want, stderr, tc.args)
	}
}

// TestImportPricesStreams reads a synthetic offer file of 16 MiB (300 MiB
// with -long, the size of AWS's) from standard input, in JSON and in
// CSV, and asserts that the heap stays small: only the region's ML
// instance SKUs are kept, whatever the file's size.
func TestImportPricesStreams(t *testing.T) {
	size := int64(16 << 20)
	if *long {
		size = 300 << 20
	}
	const heapBound = 64 << 20
	for _, format := range []string{"json", "csv"} {
		t.Run(format, func(t *testing.T) {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			base, peak := ms.HeapAlloc, uint64(0)
			gen := &offerGen{csv: format == "csv", size: size, sample: func() {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}}
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"import", "prices", "-", "--quiet"}, gen, &out, &errb)
			require.Equal(t, 0, code, errb.String())
			t.Logf("%s: %d MiB, %d SKUs, peak heap %.1f MiB over the %.1f MiB before", format, gen.read>>20, gen.skus,
				float64(peak-min(peak, base))/(1<<20), float64(base)/(1<<20))
			assert.GreaterOrEqual(t, gen.read, size*9/10, "the whole file was read")
			assert.Less(t, peak-min(peak, base), uint64(heapBound))
			// Every us-east-1 SKU of training, processing or transform
			// is priced; the others are counted.
			n := gen.skus / len(genRegions)
			assert.Contains(t, out.String(), fmt.Sprintf("  %s: {training: 0.5, processing: 0.6, transform: 0.7}\n", genType(0)))
			assert.Contains(t, out.String(), fmt.Sprintf("  %s: {training: 0.5, processing: 0.6, transform: 0.7}\n", genType(n/len(genComponents)-1)))
			assert.Contains(t, errb.String(), "ML instance SKUs of us-east-1: component \"Hosting\"")
		})
	}
}

// The synthetic offer file: each SKU i is of region genRegions[i%20],
// component genComponents[i/20%5] and instance type genType(i/100), so
// that every key is one SKU; the terms follow the products in JSON, a row
// a SKU in CSV, each about as long as AWS's.
var (
	genRegions = []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3",
		"eu-central-1", "eu-north-1", "eu-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
		"ap-southeast-1", "ap-southeast-2", "ap-south-1", "ca-central-1", "sa-east-1", "me-south-1", "af-south-1"}
	genComponents = []string{"Training", "Processing", "Batch Transform", "Hosting", "Notebook"}
	genPrices     = map[string]string{"Training": "0.5000000000", "Processing": "0.6000000000", "Batch Transform": "0.7000000000",
		"Hosting": "0.8000000000", "Notebook": "0.9000000000"}
)

func genType(i int) string { return fmt.Sprintf("ml.g%d.xlarge", i) }

type offerGen struct {
	csv    bool
	size   int64  // the file's size, about: the SKUs stop past it
	sample func() // called every 4 MiB read
	phase  int    // 0 products, 1 terms (JSON), 2 done
	skus   int    // the SKUs of the file, once the products are written
	i      int    // the next SKU
	buf    bytes.Buffer
	read   int64
	done   bool
}

func (g *offerGen) Read(p []byte) (int, error) {
	for g.buf.Len() < len(p) && !g.done {
		g.fill()
	}
	n, _ := g.buf.Read(p)
	if g.read>>22 != (g.read+int64(n))>>22 {
		g.sample()
	}
	g.read += int64(n)
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// fill writes the next piece of the file.
func (g *offerGen) fill() {
	b := &g.buf
	if g.i == 0 && g.phase == 0 {
		if g.csv {
			b.WriteString("\"FormatVersion\",\"v1.0\"\n\"Disclaimer\",\"synthetic\"\n\"Publication Date\",\"2026-08-01T00:00:00Z\"\n" +
				"\"Version\",\"20260801000000\"\n\"OfferCode\",\"AmazonSageMaker\"\n" +
				"\"SKU\",\"OfferTermCode\",\"RateCode\",\"TermType\",\"PriceDescription\",\"EffectiveDate\",\"StartingRange\",\"EndingRange\"," +
				"\"Unit\",\"PricePerUnit\",\"Currency\",\"Product Family\",\"serviceCode\",\"Location\",\"Location Type\",\"Instance Type\"," +
				"\"Instance Name\",\"vCPU\",\"Memory\",\"Component\",\"usageType\",\"operation\",\"Region Code\",\"serviceName\"\n")
		} else {
			b.WriteString("{\n  \"formatVersion\" : \"v1.0\",\n  \"disclaimer\" : \"synthetic\",\n  \"offerCode\" : \"AmazonSageMaker\",\n" +
				"  \"version\" : \"20260801000000\",\n  \"publicationDate\" : \"2026-08-01T00:00:00Z\",\n  \"products\" : {\n")
		}
	}
	i := g.i
	sku := fmt.Sprintf("SKU%013d", i)
	region, comp, typ := genRegions[i%len(genRegions)], genComponents[i/len(genRegions)%len(genComponents)], genType(i/100)
	usage := fmt.Sprintf("%s-%s:%s", strings.ToUpper(strings.ReplaceAll(region, "-", "")), strings.ReplaceAll(comp, " ", ""), typ)
	switch {
	case g.phase == 0 && g.csv:
		fmt.Fprintf(b, "\"%s\",\"JRTCKXETXF\",\"%s.JRTCKXETXF.6YS6EN2CT7\",\"OnDemand\",\"$%s per Hour for %s in %s\",\"2026-08-01\",\"0\",\"Inf\","+
			"\"Hrs\",\"%s\",\"USD\",\"ML Instance\",\"AmazonSageMaker\",\"%s\",\"AWS Region\",\"%s-%s\",\"%s\",\"4\",\"16 GiB\",\"%s\","+
			"\"%s\",\"RunInstance\",\"%s\",\"Amazon SageMaker\"\n",
			sku, sku, genPrices[comp], usage, region, genPrices[comp], region, typ, comp, typ, comp, usage, region)
	case g.phase == 0:
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(b, "    \"%s\" : {\n      \"sku\" : \"%s\",\n      \"productFamily\" : \"ML Instance\",\n      \"attributes\" : {\n"+
			"        \"servicecode\" : \"AmazonSageMaker\",\n        \"location\" : \"%s\",\n        \"locationType\" : \"AWS Region\",\n"+
			"        \"instanceType\" : \"%s-%s\",\n        \"instanceName\" : \"%s\",\n        \"vCpu\" : \"4\",\n        \"memory\" : \"16 GiB\",\n"+
			"        \"component\" : \"%s\",\n        \"usagetype\" : \"%s\",\n        \"operation\" : \"RunInstance\",\n"+
			"        \"regionCode\" : \"%s\",\n        \"servicename\" : \"Amazon SageMaker\"\n      }\n    }",
			sku, sku, region, typ, comp, typ, comp, usage, region)
	default:
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(b, "      \"%s\" : {\n        \"%s.JRTCKXETXF\" : {\n          \"offerTermCode\" : \"JRTCKXETXF\",\n          \"sku\" : \"%s\",\n"+
			"          \"effectiveDate\" : \"2026-08-01T00:00:00Z\",\n          \"priceDimensions\" : {\n            \"%s.JRTCKXETXF.6YS6EN2CT7\" : {\n"+
			"              \"rateCode\" : \"%s.JRTCKXETXF.6YS6EN2CT7\",\n              \"description\" : \"$%s per Hour for %s in %s\",\n"+
			"              \"beginRange\" : \"0\",\n              \"endRange\" : \"Inf\",\n              \"unit\" : \"Hrs\",\n"+
			"              \"pricePerUnit\" : {\n                \"USD\" : \"%s\"\n              },\n              \"appliesTo\" : [ ]\n"+
			"            }\n          },\n          \"termAttributes\" : { }\n        }\n      }",
			sku, sku, sku, sku, sku, genPrices[comp], usage, region, genPrices[comp])
	}
	g.i++
	switch {
	case g.phase == 0 && (g.read+int64(b.Len()) >= g.size*9/20 && !g.csv || g.read+int64(b.Len()) >= g.size) && g.i%100 == 0:
		// Whole hundreds, so that the last type has all its components.
		g.skus, g.i = g.i, 0
		if g.csv {
			g.done = true
			return
		}
		g.phase = 1
		b.WriteString("\n  },\n  \"terms\" : {\n    \"OnDemand\" : {\n")
	case g.phase == 1 && g.i == g.skus:
		b.WriteString("\n    }\n  }\n}\n")
		g.done = true
	}
}
