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
// 85 of them. The part of s made of whole 2 MiB pages is first advised to
// be mapped with transparent huge pages (MADV_HUGEPAGE, which the kernel
// honours when transparent_hugepage is "madvise" or "always"): executions
// are read at random (a Stop's pick, the FIFO's head), and one TLB entry
// per 2 MiB instead of per 4 KiB spares most of the page-table walks,
// which cost the more on a virtual machine. Where the kernel refuses the
// advice (an older kernel) nothing changes but the faults. s holds no
// pointers: it is the garbage collector's memory all the same, only
// mapped sooner.
func prefault[T any](s []T) {
	if len(s) == 0 {
		return
	}
	const (
		madvHugepage      = 14
		madvPopulateWrite = 23
		huge              = 2 << 20
	)
	start := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	end := start + uintptr(len(s))*unsafe.Sizeof(s[0])
	if from, to := (start+huge-1)&^(huge-1), end&^(huge-1); from < to {
		syscall.Syscall(syscall.SYS_MADVISE, from, to-from, madvHugepage) //nolint:errcheck // advice only
	}
	page := uintptr(os.Getpagesize())
	from, to := (start+page-1)&^(page-1), end&^(page-1)
	if from < to {
		syscall.Syscall(syscall.SYS_MADVISE, from, to-from, madvPopulateWrite) //nolint:errcheck // advice only
	}
}
