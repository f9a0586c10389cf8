package report

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
)

// fuzzPartRoundTrip fuzzes a part file's reader: any input is a part or
// an error at a position, and a part writes back to a file that reads as
// the same part.
func fuzzPartRoundTrip[P any](f *testing.F, read func(file string, data []byte) (P, error), write func(io.Writer, P) error) {
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := read("f.json", in)
		if err != nil {
			var pe *model.PosError
			require.ErrorAs(t, err, &pe)
			require.True(t, pe.Pos.IsValid(), "%v", err)
			return
		}
		var buf bytes.Buffer
		require.NoError(t, write(&buf, p))
		again, err := read("g.json", buf.Bytes())
		require.NoError(t, err, "%s", buf.Bytes())
		assert.Equal(t, p, again)
	})
}
