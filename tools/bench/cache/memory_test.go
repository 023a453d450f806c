package cachebench

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

const memoryEntries = 1_000_000

var (
	memoryOnce   = map[string]*sync.Once{}
	memoryResult = map[string]float64{}
)

func init() {
	for _, im := range impls {
		memoryOnce[im.name] = new(sync.Once)
	}
}

// heapBytes returns the bytes of live heap objects after a full GC.
func heapBytes() uint64 {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// BenchmarkMemory reports the heap bytes per entry (bytes/entry) of a
// cache holding 1M uint64 -> uint64 entries (bound 1M), measured once per
// implementation with runtime/metrics; the timed loop is empty.
func BenchmarkMemory(b *testing.B) {
	for _, im := range impls {
		b.Run("entries=1M/"+im.name, func(b *testing.B) {
			memoryOnce[im.name].Do(func() {
				before := heapBytes()
				get, set, closeFn := im.new(memoryEntries)
				for k := range uint64(memoryEntries) {
					set(k, k)
				}
				time.Sleep(100 * time.Millisecond) // asynchronous peers apply their buffers
				n := 0
				for k := range uint64(memoryEntries) {
					if get(k) {
						n++
					}
				}
				after := heapBytes()
				memoryResult[im.name] = float64(after-before) / float64(max(n, 1))
				b.Logf("%s holds %d of %d entries", im.name, n, memoryEntries)
				runtime.KeepAlive(get)
				closeFn()
			})
			for range b.N {
			}
			b.ReportMetric(memoryResult[im.name], "bytes/entry")
		})
	}
}
