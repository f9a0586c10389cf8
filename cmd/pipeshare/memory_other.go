//go:build !linux

package main

// machineMemory is not known on this system: only GOMEMLIMIT and
// --max-memory limit a run's estimated memory.
func machineMemory() (float64, string) { return 0, "" }
