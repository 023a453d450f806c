package main

import (
	"container/heap"
	"math"

	"github.com/dgraph-io/ristretto/v2"
	arc "github.com/hashicorp/golang-lru/arc/v2"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/maypok86/otter/v2"

	"github.com/serverdev/stdweb/sessioncache/cache"
)

// simCache is a cache under simulation: Get reports a hit, Set stores the
// key after a miss. settle makes pending maintenance happen now.
type simCache interface {
	Get(k uint64) bool
	Set(k uint64)
	settle()
	close()
}

type policy struct {
	name       string
	concurrent bool // safe for the multi-goroutine replay
	new        func(capacity int) simCache
}

var policies = []policy{
	{"ours", true, newOurs},
	{"otter", true, newOtter},
	{"ristretto", true, newRistretto},
	{"lru", true, newLRU},
	{"arc", true, newARC},
	{"optimal", false, nil}, // Bélády: offline, replayed by belady()
}

type ours struct{ c *cache.Cache[uint64, uint64] }

func newOurs(capacity int) simCache {
	return ours{cache.MustNew(cache.Options[uint64, uint64]{MaximumSize: capacity})}
}
func (o ours) Get(k uint64) bool { _, ok := o.c.Get(k); return ok }
func (o ours) Set(k uint64)      { o.c.Set(k, k) }
func (o ours) settle()           { o.c.CleanUp() }
func (o ours) close()            { o.c.Close() }

type otterSim struct{ c *otter.Cache[uint64, uint64] }

func newOtter(capacity int) simCache {
	return otterSim{otter.Must(&otter.Options[uint64, uint64]{
		MaximumSize: capacity,
		Executor:    func(fn func()) { fn() },
	})}
}
func (o otterSim) Get(k uint64) bool { _, ok := o.c.GetIfPresent(k); return ok }
func (o otterSim) Set(k uint64)      { o.c.Set(k, k) }
func (o otterSim) settle()           { o.c.CleanUp() }
func (o otterSim) close()            { o.c.StopAllGoroutines() }

type ristrettoSim struct {
	c *ristretto.Cache[uint64, uint64]
}

func newRistretto(capacity int) simCache {
	c, err := ristretto.NewCache(&ristretto.Config[uint64, uint64]{
		NumCounters:        int64(capacity) * 10,
		MaxCost:            int64(capacity),
		BufferItems:        64,
		IgnoreInternalCost: true,
	})
	if err != nil {
		panic(err)
	}
	return ristrettoSim{c}
}
func (r ristrettoSim) Get(k uint64) bool { _, ok := r.c.Get(k); return ok }
func (r ristrettoSim) Set(k uint64)      { r.c.Set(k, k, 1) }
func (r ristrettoSim) settle()           { r.c.Wait() }
func (r ristrettoSim) close()            { r.c.Close() }

type lruSim struct{ c *lru.Cache[uint64, struct{}] }

func newLRU(capacity int) simCache {
	c, err := lru.New[uint64, struct{}](capacity)
	if err != nil {
		panic(err)
	}
	return lruSim{c}
}
func (l lruSim) Get(k uint64) bool { _, ok := l.c.Get(k); return ok }
func (l lruSim) Set(k uint64)      { l.c.Add(k, struct{}{}) }
func (l lruSim) settle()           {}
func (l lruSim) close()            {}

type arcSim struct {
	c *arc.ARCCache[uint64, struct{}]
}

func newARC(capacity int) simCache {
	c, err := arc.NewARC[uint64, struct{}](capacity)
	if err != nil {
		panic(err)
	}
	return arcSim{c}
}
func (a arcSim) Get(k uint64) bool { _, ok := a.c.Get(k); return ok }
func (a arcSim) Set(k uint64)      { a.c.Add(k, struct{}{}) }
func (a arcSim) settle()           {}
func (a arcSim) close()            {}

// nextUses returns, for each access, the index of the next access to the
// same key (math.MaxInt if none).
func nextUses(keys []uint64) []int {
	next := make([]int, len(keys))
	last := make(map[uint64]int, len(keys)/4)
	for i := len(keys) - 1; i >= 0; i-- {
		if j, ok := last[keys[i]]; ok {
			next[i] = j
		} else {
			next[i] = math.MaxInt
		}
		last[keys[i]] = i
	}
	return next
}

// belady replays keys through Bélády's optimal policy: on a miss with a
// full cache, drop whichever of the cached keys and the new key is needed
// furthest in the future. It returns the number of hits.
func belady(keys []uint64, next []int, capacity int) int {
	resident := make(map[uint64]int, capacity) // key -> its next use
	h := &useHeap{}
	hits := 0
	for i, k := range keys {
		if _, ok := resident[k]; ok {
			hits++
			resident[k] = next[i]
			heap.Push(h, use{next[i], k})
			continue
		}
		if next[i] == math.MaxInt {
			continue // never used again: not worth a slot
		}
		if len(resident) >= capacity {
			for { // drop stale heap entries
				top := (*h)[0]
				if at, ok := resident[top.key]; ok && at == top.at {
					break
				}
				heap.Pop(h)
			}
			if (*h)[0].at < next[i] {
				continue // every resident key is needed sooner
			}
			delete(resident, heap.Pop(h).(use).key)
		}
		resident[k] = next[i]
		heap.Push(h, use{next[i], k})
	}
	return hits
}

type use struct {
	at  int
	key uint64
}

// useHeap is a max-heap of next uses.
type useHeap []use

func (h useHeap) Len() int           { return len(h) }
func (h useHeap) Less(i, j int) bool { return h[i].at > h[j].at }
func (h useHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *useHeap) Push(x any)        { *h = append(*h, x.(use)) }
func (h *useHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
