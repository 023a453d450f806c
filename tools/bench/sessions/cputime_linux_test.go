package sessions

import (
	"net/http"
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
	if testing.Short() {
		t.Skip("timing test")
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
