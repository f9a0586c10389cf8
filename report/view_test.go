package report

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every view lists its formats on its zero value (commands check --format
// before computing anything), renders each, and names them when asked for
// another.
func TestViewFormats(t *testing.T) {
	for _, tc := range []struct {
		v    View
		want []string
		full View // a view with data, to render every format; nil: goldens cover it
	}{
		{RunView{}, []string{"text", "json", "csv", "md", "html"}, nil},
		{new(CheckReport), []string{"text", "json", "md", "junit", "sarif"}, nil},
		{new(Diff), []string{"text", "json", "md", "html", "csv"}, nil},
		{new(Replicas), []string{"text", "json", "md", "html", "csv"}, nil},
		{AccessView{}, []string{"text", "json", "csv"}, nil},
		{ChangesView{}, []string{"text", "json", "csv"}, NewChangesView(fixtureWorld(t), 0, 24*hour, false)},
		{ExplainView{}, []string{"text", "json"}, nil},
		{TimelineView{}, []string{"text", "json"}, TimelineView{Caller: "c", Action: "a", Resource: "r"}},
	} {
		assert.Equal(t, tc.want, tc.v.Formats())
		assert.EqualError(t, tc.v.Render(io.Discard, "xml"),
			`report: unknown format "xml" (want `+strings.Join(tc.want, ", ")+`)`)
		if tc.full != nil {
			for _, f := range tc.want {
				var b bytes.Buffer
				require.NoError(t, tc.full.Render(&b, f), f)
				assert.NotEmpty(t, b.String(), f)
			}
		}
	}
}
