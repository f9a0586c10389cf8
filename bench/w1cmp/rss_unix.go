//go:build unix

package main

import (
	"os"
	"syscall"
)

// peakRSS returns the peak resident set size of the finished process p, in
// KiB on Linux (the unit getrusage gives there).
func peakRSS(p *os.ProcessState) int64 {
	if ru, ok := p.SysUsage().(*syscall.Rusage); ok && ru != nil {
		return ru.Maxrss
	}
	return 0
}
