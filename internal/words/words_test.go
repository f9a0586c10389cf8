package words

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "policies"}, {1, "policy"}, {2, "policies"}, {-1, "policies"}} {
		assert.Equal(t, tc.want, Plural(tc.n, "policy", "policies"), "n=%d", tc.n)
	}
	assert.Equal(t, "1 pipeline", Count(1, "pipeline"))
	assert.Equal(t, "0 pipelines", Count(0, "pipeline"))
	assert.Equal(t, "12345 events", Count(12345, "event"))
}

func ExampleCount() {
	fmt.Println(Count(1, "warning"), "and", Count(3, "error"), "in", Plural(2, "a file", "two files"))
	// Output: 1 warning and 3 errors in two files
}
