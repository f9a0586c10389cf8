package report

import (
	"bytes"
	"image/color"
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChartNumbers(t *testing.T) {
	assert.Equal(t, "$1,128.12", dollars(1128.123))
	assert.Equal(t, "$0.50", dollars(0.5))
	assert.Equal(t, "$1,234,567.00", dollars(1234567))
	assert.Equal(t, "-3.00", digits(-3, 2))
	assert.Equal(t, "0.00", digits(-0.001, 2), "no negative zero")
	assert.Equal(t, "$1,500", dollarTick(1500))
	assert.Equal(t, "$2.50", dollarTick(2.5))
	assert.Equal(t, "72,000", countText(72000))
	assert.Equal(t, "2.5", countText(2.5))
	for ns, want := range map[float64]string{
		350e6:                    "350ms",
		45e9:                     "45s",
		(12*60 + 5) * 1e9:        "12m 5s",
		3600e9:                   "1h",
		(3*3600 + 1200) * 1e9:    "3h 20m",
		(3*3600 + 1199.6) * 1e9:  "3h 20m",
		(2*86400 + 3*3600) * 1e9: "2d 3h",
		1e15:                     "11d 14h",
	} {
		assert.Equal(t, want, durationText(ns), "%g ns", ns)
	}
}

// simulate returns c as a viewer with the given colour-vision deficiency
// sees it (Machado, Oliveira and Fernandes 2009, severity 1), in CIELAB.
func simulate(c color.Color, m [3][3]float64) [3]float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	in := [3]float64{lin(r), lin(g), lin(b)}
	var rgb [3]float64
	for i := range 3 {
		for j := range 3 {
			rgb[i] += m[i][j] * in[j]
		}
		rgb[i] = min(max(rgb[i], 0), 1)
	}
	xyz := [3]float64{
		(0.4124*rgb[0] + 0.3576*rgb[1] + 0.1805*rgb[2]) / 0.95047,
		0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2],
		(0.0193*rgb[0] + 0.1192*rgb[1] + 0.9505*rgb[2]) / 1.08883,
	}
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	return [3]float64{116*f(xyz[1]) - 16, 500 * (f(xyz[0]) - f(xyz[1])), 200 * (f(xyz[1]) - f(xyz[2]))}
}

var (
	normal       = [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	deuteranopia = [3][3]float64{{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}}
	protanopia   = [3][3]float64{{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}}
)

// deltaE is the CIE76 distance of a and b as a viewer with m sees them.
func deltaE(a, b color.Color, m [3][3]float64) float64 {
	x, y := simulate(a, m), simulate(b, m)
	return math.Hypot(math.Hypot(x[0]-y[0], x[1]-y[1]), x[2]-y[2])
}

// TestDecisionColoursColourBlindSafe: allowed, denied and failed stay
// well apart (ΔE ≥ 20) for deuteranopes and protanopes; the red and green
// the charts had before do not.
func TestDecisionColoursColourBlindSafe(t *testing.T) {
	cols := []color.Color{colAllowed, colDenied, colFailed}
	for _, m := range [][3][3]float64{normal, deuteranopia, protanopia} {
		for i := range cols {
			for j := i + 1; j < len(cols); j++ {
				assert.GreaterOrEqual(t, deltaE(cols[i], cols[j], m), 20.0, "colours %d and %d", i, j)
			}
		}
	}
	oldAllowed, oldDenied := color.RGBA{0x3b, 0x8e, 0x3f, 0xff}, color.RGBA{0xd0, 0x3b, 0x3b, 0xff}
	assert.Less(t, deltaE(oldAllowed, oldDenied, deuteranopia), 20.0, "the test tells them apart")
	// The cost groups' colours are distinct for deuteranopes too.
	for i := range palette {
		for j := i + 1; j < len(palette); j++ {
			assert.GreaterOrEqual(t, deltaE(palette[i], palette[j], deuteranopia), 10.0, "palette %d and %d", i, j)
		}
	}
}

// TestChartText: every text of every chart is at least 12.5 units, and
// charts scale with their viewBox; the page shows wide charts at least as
// wide as their viewBox (1400 px: two columns of about 640 px) and narrow
// ones at least 340 px of 360, so text is about 12 px or more.
func TestChartText(t *testing.T) {
	s := seriesFixture(t)
	page := string(render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "html") }))
	sizes := regexp.MustCompile(`font-size:([0-9.]+)px`).FindAllStringSubmatch(page, -1)
	require.NotEmpty(t, sizes)
	for _, m := range sizes {
		v, err := strconv.ParseFloat(m[1], 64)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, v, 12.5)
	}
	for _, m := range regexp.MustCompile(`<svg class="chart (wide|narrow)"[^>]*viewBox="0 0 ([0-9.]+) `).FindAllStringSubmatch(page, -1) {
		w, err := strconv.ParseFloat(m[2], 64)
		require.NoError(t, err)
		assert.Equal(t, map[string]float64{"wide": float64(wideChart.w), "narrow": float64(narrowChart.w)}[m[1]], w)
	}
}
