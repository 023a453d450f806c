package sessions

import (
	"net/http"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// threadCPU returns the CPU time the calling OS thread has used.
func threadCPU(t *testing.T) time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		t.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPU returns the CPU time the process has used, all threads.
func processCPU(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuPerOp runs fn n times on one locked OS thread and returns the thread's
// CPU time per call. Unlike wall time it does not count the time other
// processes hold the CPU, so it stays meaningful on a busy machine; the
// collector's background work on other threads is not counted.
func cpuPerOp(t *testing.T, n int, fn func()) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for range n / 10 {
		fn() // warm up
	}
	start := threadCPU(t)
	for range n {
		fn()
	}
	return (threadCPU(t) - start) / time.Duration(n)
}

// TestReadOverheadCPU measures the CPU time of a read-only request on an
// existing session over the same request without sessions; the target is at
// most 3 µs.
func TestReadOverheadCPU(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing test: not with -short or -race")
	}
	const n = 100_000
	bareW, bareR := newWriter(), request("")
	bareCPU := cpuPerOp(t, n, func() { bareW.reset(); bare.ServeHTTP(bareW, bareR) })
	for _, peer := range impls {
		in := peer.new(options{idle: 30 * time.Minute})
		h := in.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			in.getString(r.Context(), "name")
			w.Write([]byte("hello"))
		}))
		w, r := newWriter(), request(newSession(in))
		runs := n
		if peer.name != "ours" {
			runs = n / 10
		}
		cpu := cpuPerOp(t, runs, func() { w.reset(); h.ServeHTTP(w, r) })
		in.close()
		t.Logf("%s: read-only request %v CPU, bare %v: overhead %v", peer.name, cpu, bareCPU, cpu-bareCPU)
		if peer.name == "ours" && cpu-bareCPU > 3*time.Microsecond {
			t.Errorf("a session read costs %v CPU over a bare request, want at most 3µs", cpu-bareCPU)
		}
	}
}

// TestScenarioCPU reports the CPU time of one request of each benchmark
// scenario, ours and scs's, measured like TestReadOverheadCPU: robust to
// a busy machine where the benchmarks' wall times are not. It takes a few
// seconds, so it runs only with SESSIONS_CPU=1.
func TestScenarioCPU(t *testing.T) {
	if os.Getenv("SESSIONS_CPU") == "" || raceEnabled {
		t.Skip("set SESSIONS_CPU=1 to run, without -race")
	}
	const n = 20_000
	for _, sc := range scenarios {
		var cpu [2]time.Duration
		for i, peer := range impls {
			in := peer.new(options{idle: sc.idle})
			r := sc.setup(in)
			runs := n
			if peer.name != "ours" {
				runs = n / 4
			}
			if r.prepare != nil {
				r.prepare(runs + runs/10)
			}
			w := newWriter()
			cpu[i] = cpuPerOp(t, runs, func() { r.serve(w) })
			in.close()
		}
		t.Logf("%-10s ours %8v  scs %8v  ratio ours/scs %.3f", sc.name, cpu[0].Round(10*time.Nanosecond), cpu[1].Round(10*time.Nanosecond), float64(cpu[0])/float64(cpu[1]))
		if cpu[0] >= cpu[1] {
			t.Errorf("%s: ours %v CPU per request, scs %v: not faster", sc.name, cpu[0], cpu[1])
		}
	}
}
