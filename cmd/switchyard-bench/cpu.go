package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuTimes are the CPU times (user and system) used so far by this process
// and by the CAP server's process.
type cpuTimes struct {
	self, server time.Duration
}

// sub returns the CPU used between earlier and t.
func (t cpuTimes) sub(earlier cpuTimes) cpuTimes {
	return cpuTimes{self: t.self - earlier.self, server: t.server - earlier.server}
}

// cpuNow reads the CPU times of this process and of the process pid (from
// /proc: Linux only; 0 elsewhere).
func cpuNow(pid int) cpuTimes {
	var t cpuTimes
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		t.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	t.server = procCPU(pid)
	return t
}

// clockTicks is the unit of /proc/PID/stat times (USER_HZ: 100 on Linux).
const clockTicks = 100

// procCPU is the user and system time of process pid from /proc/PID/stat.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces: count fields after its ')'.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64) // field 14 of the line
	stime, _ := strconv.ParseInt(fields[12], 10, 64) // field 15
	return time.Duration(utime+stime) * time.Second / clockTicks
}
