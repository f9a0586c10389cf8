//go:build !linux

package sim

// adviseHuge does nothing outside Linux.
func adviseHuge[T any](s []T) {}

// mapFrom does nothing outside Linux, where pages fault in on first write:
// it reports all of s mapped.
func mapFrom[T any](s []T, j int) int { return len(s) }
