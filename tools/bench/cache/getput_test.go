package cachebench

import (
	"fmt"
	"math/rand"
	"slices"
	"syscall"
	"testing"
	"time"

	theine "github.com/Yiling-J/theine-go"
	"github.com/dgraph-io/ristretto/v2"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/jellydator/ttlcache/v3"
	"github.com/maypok86/otter/v2"
	"github.com/maypok86/otter/v2/stats"

	"github.com/serverdev/stdweb/sessioncache/cache"
	"github.com/serverdev/stdweb/tools/bench/cache/internal/ycsb"
)

// The shape of Caffeine's GetPutBenchmark: 2^15 keys drawn from a scrambled
// Zipfian distribution (theta 0.99) over a third as many items, a cache
// that holds them all, prepopulated; each goroutine walks the key array
// from a random offset.
const (
	size     = 1 << 15
	mask     = size - 1
	items    = size / 3
	capacity = 2 * size
)

var keys = func() []uint64 {
	z := ycsb.NewZipfian(items, 0.99, 7)
	ks := make([]uint64, size)
	for i := range ks {
		ks[i] = ycsb.Scramble(z.Next()) % items
	}
	return ks
}()

// impl is a cache under test.
type impl struct {
	name string
	new  constructor
}

// constructor makes a cache of the given capacity and returns its
// operations.
type constructor = func(capacity int) (get func(uint64) bool, set func(uint64, uint64), close func())

var impls = []impl{
	{"ours", func(n int) (func(uint64) bool, func(uint64, uint64), func()) {
		c := cache.MustNew(cache.Options[uint64, uint64]{MaximumSize: n})
		return func(k uint64) bool { _, ok := c.Get(k); return ok }, c.Set, c.Close
	}},
	{"otter", newOtter(false)},
	{"ristretto", newRistretto(false)},
	{"golanglru", func(n int) (func(uint64) bool, func(uint64, uint64), func()) {
		c, err := lru.New[uint64, uint64](n)
		if err != nil {
			panic(err)
		}
		return func(k uint64) bool { _, ok := c.Get(k); return ok },
			func(k, v uint64) { c.Add(k, v) }, func() {}
	}},
	{"theine", func(n int) (func(uint64) bool, func(uint64, uint64), func()) {
		c, err := theine.NewBuilder[uint64, uint64](int64(n)).Build()
		if err != nil {
			panic(err)
		}
		return func(k uint64) bool { _, ok := c.Get(k); return ok },
			func(k, v uint64) { c.Set(k, v, 1) }, c.Close
	}},
	{"ttlcache", func(n int) (func(uint64) bool, func(uint64, uint64), func()) {
		c := ttlcache.New(ttlcache.WithCapacity[uint64, uint64](uint64(n)))
		return func(k uint64) bool { return c.Get(k) != nil },
			func(k, v uint64) { c.Set(k, v, ttlcache.NoTTL) }, c.Stop
	}},
}

// statsImpls are the caches that can count hits and misses, with their
// statistics on: ours always counts them, otter with a stats.Counter,
// ristretto with Metrics. BenchmarkGetPut measures each peer as configured
// by default, without statistics.
var statsImpls = []impl{
	implNamed("ours"),
	{"otter", newOtter(true)},
	{"ristretto", newRistretto(true)},
}

// implNamed returns the implementation of impls called name.
func implNamed(name string) impl {
	i := slices.IndexFunc(impls, func(im impl) bool { return im.name == name })
	if i < 0 {
		panic("cachebench: no implementation named " + name)
	}
	return impls[i]
}

func newOtter(withStats bool) constructor {
	return func(n int) (func(uint64) bool, func(uint64, uint64), func()) {
		opts := &otter.Options[uint64, uint64]{MaximumSize: n}
		if withStats {
			opts.StatsRecorder = stats.NewCounter()
		}
		c := otter.Must(opts)
		return func(k uint64) bool { _, ok := c.GetIfPresent(k); return ok },
			func(k, v uint64) { c.Set(k, v) }, func() { c.StopAllGoroutines() }
	}
}

func newRistretto(metrics bool) constructor {
	return func(n int) (func(uint64) bool, func(uint64, uint64), func()) {
		c, err := ristretto.NewCache(&ristretto.Config[uint64, uint64]{
			NumCounters: int64(n) * 10, MaxCost: int64(n), BufferItems: 64, IgnoreInternalCost: true,
			Metrics: metrics,
		})
		if err != nil {
			panic(err)
		}
		return func(k uint64) bool { _, ok := c.Get(k); return ok },
			func(k, v uint64) { c.Set(k, v, 1) }, c.Close
	}
}

// BenchmarkGetPut runs read/write mixes over a prepopulated cache from
// parallel goroutines (b.RunParallel; vary them with -cpu).
func BenchmarkGetPut(b *testing.B) {
	benchmarkGetPut(b, impls, capacity, []int{100, 75, 50, 25, 0})
}

// BenchmarkGetPutStats is BenchmarkGetPut's read mixes with every cache
// counting hits and misses (statsImpls): the comparison at equal features.
// Ours pays for its always-on counters in BenchmarkGetPut too.
func BenchmarkGetPutStats(b *testing.B) {
	benchmarkGetPut(b, statsImpls, capacity, []int{100, 75})
}

// BenchmarkGetPutFull is BenchmarkGetPut with a cache bounded at half the
// items, so it is full and evicting. Caffeine's shape never fills the cache
// (its keys hold items = size/3 distinct values, the bound is 2 × size),
// and a W-TinyLFU cache that is less than half full records no reads, so
// BenchmarkGetPut's read mixes measure the lookup alone; here every hit
// also feeds the read buffers and the policy, as in a cache at work.
func BenchmarkGetPutFull(b *testing.B) {
	benchmarkGetPut(b, impls, items/2, []int{100, 75})
}

func benchmarkGetPut(b *testing.B, impls []impl, capacity int, mixes []int) {
	for _, reads := range mixes {
		for _, im := range impls {
			b.Run(fmt.Sprintf("reads=%d/%s", reads, im.name), func(b *testing.B) {
				getPut(b, im, capacity, reads)
			})
		}
	}
}

// getPut is one benchmark of benchmarkGetPut: im's cache, bounded at
// capacity, prepopulated, under the given percentage of reads.
func getPut(b *testing.B, im impl, capacity, reads int) {
	get, set, closeFn := im.new(capacity)
	defer closeFn()
	for _, k := range keys {
		set(k, k)
	}
	time.Sleep(10 * time.Millisecond) // let asynchronous peers apply the writes
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.Int()
		op := 0
		for pb.Next() {
			k := keys[i&mask]
			i++
			if op < reads {
				get(k)
			} else {
				set(k, k)
			}
			if op++; op == 100 {
				op = 0
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
}

// cpuTime returns the CPU time the process has used (user + system), in
// nanoseconds. Reported per operation as cpu-ns/op, it measures the cost of
// an operation even on a machine whose other load distorts wall-clock
// ns/op; background goroutines of a cache count against it.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
