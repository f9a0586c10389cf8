package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// probeHead and probeTail go into a copy of a report opened in the
// browser: the first records script errors, failed loads and
// console.error calls from the start; the second, once the page has
// loaded, measures it and writes the result as JSON into the DOM of the
// frame's parent (see [framed]), which chromium --dump-dom prints.
const probeHead = `<script>
window.__probe = {errors: []};
window.addEventListener("error", function (e) {
  __probe.errors.push("error: " + (e.message || (e.target && (e.target.src || e.target.href)) || "a load failed"));
}, true);
window.addEventListener("unhandledrejection", function (e) { __probe.errors.push("unhandled rejection: " + e.reason); });
(function (f) {
  console.error = function () { __probe.errors.push("console.error: " + Array.prototype.join.call(arguments, " ")); f.apply(console, arguments); };
})(console.error);
</script>
`

const probeTail = `<script>
window.addEventListener("load", function () { setTimeout(function () {
  var p = window.__probe, d = document.documentElement;
  p.innerWidth = innerWidth;
  p.scrollWidth = d.scrollWidth;
  p.scrollHeight = d.scrollHeight;
  p.resources = performance.getEntriesByType("resource").map(function (r) { return r.name; });
  p.charts = [];
  document.querySelectorAll("figure").forEach(function (f) {
    var c = {title: (f.querySelector("h3") || {}).textContent || "", shown: 0, width: 0, height: 0, minFontPx: 1e9};
    f.querySelectorAll("svg").forEach(function (s) {
      if (getComputedStyle(s).display === "none") return;
      var r = s.getBoundingClientRect(), scale = r.width / s.viewBox.baseVal.width;
      c.shown++;
      c.width = r.width;
      c.height = r.height;
      s.querySelectorAll("text").forEach(function (t) {
        c.minFontPx = Math.min(c.minFontPx, parseFloat(t.style.fontSize) * scale);
      });
    });
    p.charts.push(c);
  });
  var top = window.parent.document, pre = top.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(p);
  top.body.appendChild(pre);
}, 100); });
</script>
`

// probe is what probeTail measures.
type probe struct {
	Errors       []string
	InnerWidth   int
	ScrollWidth  int
	ScrollHeight int
	Resources    []string
	Charts       []struct {
		Title         string
		Shown         int
		Width, Height float64
		MinFontPx     float64
	}
}

// framed returns a page that shows page in a frame width × height CSS
// px: headless Chromium's window is at least 500 px wide, so a phone's
// width is a frame's. The frame's document has the page's origin, so a
// script in it can write into the page.
func framed(page string, width, height int) string {
	return fmt.Sprintf(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>html, body { margin: 0; background: #777; }
iframe { display: block; border: 0; background: #fff; }</style></head>
<body><iframe width="%d" height="%d" srcdoc="%s"></iframe></body></html>
`, width, height, html.EscapeString(page))
}

// chromium runs headless Chromium on the page framed at width × height
// CSS px with extra flags, and returns its standard output.
func chromium(t *testing.T, bin, page string, width, height int, flags ...string) string {
	t.Helper()
	src, err := os.ReadFile(page)
	require.NoError(t, err)
	page = filepath.Join(t.TempDir(), "framed.html")
	require.NoError(t, os.WriteFile(page, []byte(framed(string(src), width, height)), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
		"--user-data-dir=" + t.TempDir(), fmt.Sprintf("--window-size=%d,%d", max(width, 500), height)}, flags...)
	cmd := exec.CommandContext(ctx, bin, append(args, "file://"+page)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "chromium %s: %s", strings.Join(args, " "), stderr.String())
	return string(out)
}

// measure opens page (a report) with the probes at width px and returns
// what they measured.
func measure(t *testing.T, bin, page string, width int) probe {
	t.Helper()
	withProbe := strings.Replace(strings.Replace(page, "<head>", "<head>\n"+probeHead, 1), "</body>", probeTail+"</body>", 1)
	path := filepath.Join(t.TempDir(), "probe.html")
	require.NoError(t, os.WriteFile(path, []byte(withProbe), 0o644))
	dom := chromium(t, bin, path, width, 900, "--virtual-time-budget=5000", "--dump-dom")
	m := regexp.MustCompile(`(?s)<pre id="probe">(.*?)</pre>`).FindStringSubmatch(dom)
	require.NotNil(t, m, "the probe ran and wrote its result")
	var p probe
	require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(m[1])), &p))
	return p
}

// externalURL matches a URL the browser would fetch from the network: in
// src or href, or in CSS url().
var externalURL = regexp.MustCompile(`(?i)(\b(src|href)\s*=\s*["']?\s*|url\(\s*["']?\s*)(https?:)?//`)

// TestBrowser opens the HTML reports of quickstart and w1, and of the
// quickstart plan, in headless Chromium at 1400 and 390 px wide and fails
// on a script or console error, any request (the page is offline), a
// chart of zero size, text under 12 px, or a page wider than the screen.
// It saves full-page screenshots in $ARTIFACTS/screenshots, or in
// testdata/screenshots (ignored by git), and docs/report.png (the
// README's) from the top of quickstart's; a phone's screenshot is 500 px
// wide, the page in its left 390. .ci/run runs it.
func TestBrowser(t *testing.T) {
	if os.Getenv("PIPESHARE_BROWSER") == "" {
		t.Skip("set PIPESHARE_BROWSER=1 to open the HTML reports in headless Chromium (.ci/run does)")
	}
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
	}
	shots := filepath.Join("testdata", "screenshots")
	if dir := os.Getenv("ARTIFACTS"); dir != "" {
		shots = filepath.Join(dir, "screenshots")
	}
	require.NoError(t, os.MkdirAll(shots, 0o755))

	// The probes see what they must fail on.
	t.Run("probe", func(t *testing.T) {
		p := measure(t, bin, `<!DOCTYPE html><html><head></head><body>
<figure><h3>empty</h3><svg viewBox="0 0 100 50" style="width: 0"><text style="font-size: 9px">x</text></svg></figure>
<div style="width: 900px">wide</div><img src="missing.png">
<script>console.error("boom"); notDefined();</script></body></html>`, 390)
		assert.Greater(t, p.ScrollWidth, p.InnerWidth)
		require.Len(t, p.Charts, 1)
		assert.Zero(t, p.Charts[0].Width)
		errs := strings.Join(p.Errors, "\n")
		assert.Contains(t, errs, "console.error: boom")
		assert.Contains(t, errs, "notDefined")
		assert.Contains(t, errs, "missing.png")
	})

	for _, rep := range []struct {
		name   string
		args   []string
		charts int // at least
	}{
		{"quickstart", []string{"run", "quickstart"}, 3}, // calls, cost and access
		{"w1", []string{"run", "w1"}, 3},
		{"plan-quickstart", []string{"plan", "quickstart"}, 1}, // the scatter of the first two objectives
	} {
		name := rep.name
		code, page, stderr := pipeshare(t, "", append(rep.args, "--format", "html")...)
		require.Equal(t, 0, code, stderr)
		assert.NotRegexp(t, externalURL, page, "%s: the page fetches nothing", name)
		plain := filepath.Join(t.TempDir(), name+".html")
		require.NoError(t, os.WriteFile(plain, []byte(page), 0o644))

		for _, width := range []int{1400, 390} {
			t.Run(fmt.Sprintf("%s/%d", name, width), func(t *testing.T) {
				p := measure(t, bin, page, width)
				t.Logf("%s at %d px: page %d × %d px, charts %+v", name, width, p.ScrollWidth, p.ScrollHeight, p.Charts)

				require.Equal(t, width, p.InnerWidth, "the window is as wide as asked")
				assert.Empty(t, p.Errors, "script or console errors")
				assert.Empty(t, p.Resources, "requests: the page must load nothing")
				assert.LessOrEqual(t, p.ScrollWidth, p.InnerWidth, "the page scrolls sideways")
				require.GreaterOrEqual(t, len(p.Charts), rep.charts, "its charts")
				for _, c := range p.Charts {
					assert.Equal(t, 1, c.Shown, "%q shows one layout", c.Title)
					assert.Positive(t, c.Width, "%q has a width", c.Title)
					assert.Positive(t, c.Height, "%q has a height", c.Title)
					assert.GreaterOrEqual(t, c.MinFontPx, 12.0, "%q: its smallest text in px", c.Title)
				}

				shot := filepath.Join(shots, fmt.Sprintf("%s-%d.png", name, width))
				chromium(t, bin, plain, width, min(p.ScrollHeight, 16000), "--screenshot="+shot)
				require.FileExists(t, shot)
				if name == "quickstart" && width == 1400 {
					readme := filepath.Join("..", "..", "docs", "report.png")
					chromium(t, bin, plain, width, 1250, "--screenshot="+readme)
					t.Logf("wrote %s", readme)
				}
			})
		}
	}
}
