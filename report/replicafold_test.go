package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestReplicaFoldKeepsNoSample: a fold keeps the numbers of the replicas
// added, not the samples themselves, so a sample can be dropped (or
// reused) once added, and the report is that of all of them at once.
func TestReplicaFoldKeepsNoSample(t *testing.T) {
	meta, samples := seededSamples()
	want := SummarizeReplicas(meta, samples)

	f := NewReplicaFold(meta)
	for i := range samples {
		s := samples[i]
		s.Values = append([]float64(nil), s.Values...)
		s.Initiators = append([]InitiatorCost(nil), s.Initiators...)
		f.Add(&s)
		for k := range s.Values { // the caller reuses its sample
			s.Values[k] = -1
		}
		for k := range s.Initiators {
			s.Initiators[k].Principal, s.Initiators[k].USD = "reused", -1
		}
	}
	assert.Equal(t, 3, f.N())
	assert.Equal(t, want, f.Replicas())

	f = NewReplicaFold(meta)
	assert.Panics(t, func() { f.Add(&samples[1]) }, "replica 0 comes first")
}
