//go:build unix

package cookiesbench

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user + system) the process has used so far.
// On a machine shared with other work, CPU time per operation varies far
// less than wall time, which includes the time spent waiting for a core.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
