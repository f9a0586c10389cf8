//go:build !linux

package sim

// prefault does nothing outside Linux: pages fault in on first write.
func prefault[T any](s []T) {}
