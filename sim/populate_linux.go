package sim

import (
	"os"
	"syscall"
	"unsafe"
)

const (
	madvHugepage      = 14
	madvPopulateWrite = 23
	hugePage          = 2 << 20
)

// adviseHuge asks the kernel to map the whole 2 MiB pages of s, which were
// never touched, as transparent huge pages (MADV_HUGEPAGE, honoured when
// transparent_hugepage is "madvise" or "always"). Executions are read at
// random (a Stop's pick, the FIFO's head), and one TLB entry per 2 MiB
// instead of per 4 KiB spares most of the page-table walks, which cost the
// more on a virtual machine. Where the kernel refuses the advice nothing
// changes.
func adviseHuge[T any](s []T) {
	start, end := span(s)
	if from, to := (start+hugePage-1)&^(hugePage-1), end&^(hugePage-1); from < to {
		syscall.Syscall(syscall.SYS_MADVISE, from, to-from, madvHugepage) //nolint:errcheck // advice only
	}
}

// mapFrom maps the pages of s, which were never touched, from element j to
// the end of the 2 MiB page of memory that holds j's last byte, in one
// system call (madvise MADV_POPULATE_WRITE, Linux 5.14 and later) instead
// of one page fault per page on first write: on a virtual machine a fault
// costs microseconds, and a growing store of 48-byte executions faults
// once per 85 of them. It returns how many elements of s are mapped from
// its start on (len(s) when nothing is left to map), so a store maps 2 MiB
// ahead of its writes, not all of a chunk at once. Where the kernel
// refuses the advice (an older kernel) nothing changes but the faults. s
// holds no pointers: it is the garbage collector's memory all the same,
// only mapped sooner.
func mapFrom[T any](s []T, j int) int {
	start, end := span(s)
	size := unsafe.Sizeof(s[0])
	page := uintptr(os.Getpagesize())
	from := (start + uintptr(j)*size) &^ (page - 1)
	to := min((start+uintptr(j+1)*size+hugePage-1)&^(hugePage-1), end&^(page-1))
	if from >= to {
		return len(s)
	}
	syscall.Syscall(syscall.SYS_MADVISE, from, to-from, madvPopulateWrite) //nolint:errcheck // advice only
	// j itself may end in the last page of s, partly s's: it faults in.
	return max(int((to-start)/size), j+1)
}

// span returns the addresses of s's first byte and of the byte after it.
func span[T any](s []T) (start, end uintptr) {
	start = uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	return start, start + uintptr(len(s))*unsafe.Sizeof(*new(T))
}
