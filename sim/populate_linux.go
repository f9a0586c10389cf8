package sim

import (
	"os"
	"syscall"
	"unsafe"
)

// prefault maps the pages of s, which were never touched, in one system
// call (madvise MADV_POPULATE_WRITE, Linux 5.14 and later) instead of one
// page fault per page on first write: on a virtual machine a fault costs
// microseconds, and a growing store of 48-byte executions faults once per
// 85 of them. Where the kernel refuses the advice (an older kernel) nothing
// changes but the faults. s holds no pointers: it is the garbage
// collector's memory all the same, only mapped sooner.
func prefault[T any](s []T) {
	if len(s) == 0 {
		return
	}
	const madvPopulateWrite = 23
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	end := start + uintptr(len(s))*unsafe.Sizeof(s[0])
	from, to := (start+page-1)&^(page-1), end&^(page-1)
	if from < to {
		syscall.Syscall(syscall.SYS_MADVISE, from, to-from, madvPopulateWrite) //nolint:errcheck // advice only
	}
}
