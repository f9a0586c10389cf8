package main

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// machineMemory returns the memory of this machine, in bytes, and what
// says so: the lesser of MemTotal (/proc/meminfo) and the limit of this
// process's cgroup (a container's or a CI job's); 0 when neither can be
// read.
func machineMemory() (float64, string) {
	limit, from := memTotal(), "this machine's memory (MemTotal)"
	if c := cgroupMemoryMax(); c > 0 && (limit == 0 || c < limit) {
		limit, from = c, "this cgroup's memory limit"
	}
	return limit, from
}

// memTotal is MemTotal of /proc/meminfo in bytes, 0 when unknown.
func memTotal() float64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

// cgroupMemoryMax is the memory limit of this process's cgroup in bytes:
// memory.max (cgroup v2) or memory.limit_in_bytes (v1); 0 when there is
// none or it is "max".
func cgroupMemoryMax() float64 {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		var file string
		if path, ok := strings.CutPrefix(line, "0::"); ok {
			file = "/sys/fs/cgroup" + strings.TrimSuffix(path, "/") + "/memory.max"
		} else if _, path, ok := strings.Cut(line, ":memory:"); ok {
			file = "/sys/fs/cgroup/memory" + strings.TrimSuffix(path, "/") + "/memory.limit_in_bytes"
		} else {
			continue
		}
		limit, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(string(limit)), 64); err == nil {
			return v // v1 writes "no limit" as a huge number, which MemTotal undercuts
		}
	}
	return 0
}
