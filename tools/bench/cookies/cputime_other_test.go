//go:build !unix

package cookiesbench

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
