package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// randomJSONValue builds a nested value with empty and non-empty objects
// and arrays, and strings full of quotes, backslashes and brackets.
func randomJSONValue(r *rand.Rand, depth int) any {
	k := r.IntN(7)
	if depth > 4 {
		k = 4 + r.IntN(3)
	}
	switch k {
	case 0, 1:
		m := map[string]any{}
		for i := range r.IntN(4) {
			m[fmt.Sprintf("k%d%s", i, randomJSONString(r))] = randomJSONValue(r, depth+1)
		}
		return m
	case 2, 3:
		a := []any{}
		for range r.IntN(4) {
			a = append(a, randomJSONValue(r, depth+1))
		}
		return a
	case 4:
		return randomJSONString(r)
	case 5:
		return r.NormFloat64() * 1e6
	}
	return []any{nil, true, false}[r.IntN(3)]
}

func randomJSONString(r *rand.Rand) string {
	const alphabet = `ab"\{}[],: <>&` + "\n\t\u00e9"
	rs := []rune(alphabet)
	var b []rune
	for range r.IntN(8) {
		b = append(b, rs[r.IntN(len(rs))])
	}
	return string(b)
}

// TestWriteIndentedMatchesEncodingJSON: writeIndentedJSON writes what
// encoding/json's indenting encoder writes, byte for byte.
func TestWriteIndentedMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		v := randomJSONValue(r, 0)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		require.NoError(t, enc.Encode(v))
		var got bytes.Buffer
		require.NoError(t, writeIndentedJSON(&got, v))
		require.Equal(t, want.String(), got.String(), "value %d", i)
	}
	// Larger than one 64 KiB write.
	big := make([]map[string]string, 5000)
	for i := range big {
		big[i] = map[string]string{"a\\": `x\"y`, "b": fmt.Sprint(i)}
	}
	want, err := json.MarshalIndent(big, "", "  ")
	require.NoError(t, err)
	var got bytes.Buffer
	require.NoError(t, writeIndentedJSON(&got, big))
	require.Equal(t, string(want)+"\n", got.String())
}
