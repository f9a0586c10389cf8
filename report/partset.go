package report

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/pipeshare/pipeshare/internal/jsonpos"
)

// partField is a value that every part file of one sharded job must have
// alike: its key in the part file and its value in part j, printed as the
// error prints it and compared with ==.
type partField struct {
	key   string
	value func(j int) any
}

// shardParts are the part files of one sharded job (a run's replicas or
// a plan's jobs) that merge reads: part j was read from files[j] as
// data[j].
type shardParts struct {
	files []string
	data  [][]byte
	what  string // the job, "run" or "plan", for the errors
	// shard returns part j's shard i of k.
	shard func(j int) (i, k int)
	// fields must agree between every part and part 0, checked in order
	// (the one that says k among them).
	fields []partField
	// same, when not nil, checks anything else part j must share with
	// part 0, after the fields; it sees part 0 first.
	same func(j int, at func(key, msg string) error) error
	// missing is the error of shard i, missing.
	missing func(i int) error
}

// order checks that the parts are every shard 0..k-1 of one job, once
// each, and returns the index of each shard's part in shard order; the
// error names the file and key at fault.
func (s *shardParts) order() ([]int, error) {
	if len(s.files) == 0 {
		return nil, errors.New("merge: no part files")
	}
	_, k := s.shard(0)
	byShard := make([]int, k)
	for i := range byShard {
		byShard[i] = -1
	}
	for j := range s.files {
		at := func(key, msg string) error {
			off, _ := jsonpos.Offset(s.data[j], key)
			return jsonpos.At(s.files[j], s.data[j], off, msg)
		}
		for _, f := range s.fields {
			if got, want := f.value(j), f.value(0); got != want {
				return nil, at(f.key, fmt.Sprintf("%s %v differs from %v in %s: the parts are not of one %s",
					f.key, got, want, s.files[0], s.what))
			}
		}
		if s.same != nil {
			if err := s.same(j, at); err != nil {
				return nil, err
			}
		}
		i, k := s.shard(j)
		if prev := byShard[i]; prev >= 0 {
			return nil, at("shard", fmt.Sprintf("shard %d of %d again (also in %s)", i, k, s.files[prev]))
		}
		byShard[i] = j
	}
	for i, j := range byShard {
		if j < 0 {
			return nil, s.missing(i)
		}
	}
	return byShard, nil
}

// runFields are the fields every part file names its run by: scenario,
// scenario_sha256, pipeshare_version and seed, in that order; meta and
// seed return part j's.
func runFields(meta func(j int) *Meta, seed func(j int) uint64) []partField {
	return []partField{
		{"scenario", func(j int) any { return strconv.Quote(meta(j).Scenario) }},
		{"scenario_sha256", func(j int) any { return meta(j).ScenarioSHA256 }},
		{"pipeshare_version", func(j int) any { return meta(j).Version }},
		{"seed", func(j int) any { return seed(j) }},
	}
}
