package cache

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrentStress runs random operations from many goroutines and
// checks invariants: each goroutine owns some keys and verifies it reads
// back exactly its last write (no lost writes, no stale or torn values);
// shared keys only ever hold values some goroutine wrote for them; an
// entry is never returned after its expiry; and once quiet, the cache is
// within its bound and consistent with its policy.
func TestConcurrentStress(t *testing.T) {
	const (
		workers   = 8
		ownKeys   = 64
		shared    = 256
		opsPerG   = 20_000
		maxSize   = 200
		ttlMillis = 50
	)
	clock := newFakeClock()
	c := MustNew(Options[int, [2]int]{MaximumSize: maxSize, Clock: clock, ExpireAfterWrite: time.Hour})
	defer c.Close()
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			last := make(map[int]int) // own key -> last value written (evictions may drop it)
			for i := range opsPerG {
				switch op := r.IntN(10); {
				case op < 4: // own key: read back
					k := 1_000_000*(g+1) + r.IntN(ownKeys)
					v, ok := c.Get(k)
					if ok {
						want, wrote := last[k]
						if !wrote || v != [2]int{k, want} {
							t.Errorf("goroutine %d: Get(%d) = %v, last wrote %v (wrote=%v)", g, k, v, want, wrote)
							return
						}
					}
				case op < 6: // own key: write
					k := 1_000_000*(g+1) + r.IntN(ownKeys)
					c.Set(k, [2]int{k, i})
					last[k] = i
					if v, ok := c.Get(k); ok && v != [2]int{k, i} {
						t.Errorf("goroutine %d: read %v right after writing %d", g, v, i)
						return
					}
				case op < 7:
					k := 1_000_000*(g+1) + r.IntN(ownKeys)
					c.Delete(k)
					delete(last, k)
					if _, ok := c.Get(k); ok {
						t.Errorf("goroutine %d: key %d found right after Delete", g, k)
						return
					}
				case op < 8: // shared keys: values must belong to the key
					k := r.IntN(shared)
					c.Set(k, [2]int{k, i})
				case op < 9:
					k := r.IntN(shared)
					if v, ok := c.Get(k); ok && v[0] != k {
						t.Errorf("Get(%d) returned another key's value %v", k, v)
						return
					}
				default: // short-lived entries must never be seen after expiry
					k := -1 - r.IntN(shared)
					c.SetWithTTL(k, [2]int{k, i}, ttlMillis*time.Millisecond)
				}
				if i%1024 == 0 {
					runtime.Gosched()
				}
			}
		})
	}
	wg.Wait()
	clock.Advance(ttlMillis * time.Millisecond)
	for k := -shared; k < 0; k++ {
		if v, ok := c.Get(k); ok {
			t.Fatalf("Get(%d) = %v after its expiry", k, v)
		}
	}
	c.CleanUp()
	if n := c.Len(); n > maxSize {
		t.Fatalf("Len = %d after maintenance, bound %d", n, maxSize)
	}
	checkPolicy(t, c)
}

// checkPolicy verifies that the policy's lists and counters agree with the
// hash table once the cache is quiet and maintained.
func checkPolicy[K comparable, V any](t *testing.T, c *Cache[K, V]) {
	t.Helper()
	c.evictMu.Lock()
	defer c.evictMu.Unlock()
	p := &c.policy
	var total, window, protected int64
	count := 0
	walk := func(id uint32, sum *int64, first *node[K, V], next func(*node[K, V]) *node[K, V], length int) {
		n := 0
		for x := first; x != nil; x = next(x) {
			if x.queue() != id {
				t.Fatalf("node in list %d says queue %d", id, x.queue())
			}
			if !x.alive() {
				t.Fatalf("dead node in list %d", id)
			}
			if (x.next == nil && id == queueProtected) || (x.next != nil && x.next.prev != x) {
				t.Fatalf("list %d: broken links", id)
			}
			n++
			total += int64(x.policyWeight())
			if sum != nil {
				*sum += int64(x.policyWeight())
			}
		}
		if n != length {
			t.Fatalf("list %d: walked %d nodes, len %d", id, n, length)
		}
		count += n
	}
	linear := func(x *node[K, V]) *node[K, V] { return x.next }
	walk(queueWindow, &window, p.window.head, linear, p.window.len)
	walk(queueProbation, nil, p.probation.head, linear, p.probation.len)
	walk(queueProtected, &protected, p.protected.hand, p.protected.after, p.protected.len)
	if total != p.weightedSize || window != p.windowWeight || protected != p.protectedWeight {
		t.Fatalf("weights: lists %d/%d/%d, counters %d/%d/%d", total, window, protected, p.weightedSize, p.windowWeight, p.protectedWeight)
	}
	if count != c.Len() {
		t.Fatalf("policy tracks %d nodes, table holds %d", count, c.Len())
	}
	if p.weightedSize > p.maximum {
		t.Fatalf("weighted size %d > maximum %d", p.weightedSize, p.maximum)
	}
}

// TestPropertyModel compares a single-goroutine cache without a bound
// against a map over random operations (a property test).
func TestPropertyModel(t *testing.T) {
	for seed := range uint64(5) {
		r := rand.New(rand.NewPCG(seed, 2))
		c := MustNew(Options[uint8, int]{})
		model := make(map[uint8]int)
		for i := range 5000 {
			k := uint8(r.IntN(64))
			switch r.IntN(4) {
			case 0, 1:
				c.Set(k, i)
				model[k] = i
			case 2:
				if got, want := c.Delete(k), hasKey(model, k); got != want {
					t.Fatalf("seed %d op %d: Delete(%d) = %v, want %v", seed, i, k, got, want)
				}
				delete(model, k)
			case 3:
				v, ok := c.Get(k)
				w, wok := model[k]
				if ok != wok || v != w {
					t.Fatalf("seed %d op %d: Get(%d) = %v,%v want %v,%v", seed, i, k, v, ok, w, wok)
				}
			}
			if c.Len() != len(model) {
				t.Fatalf("seed %d op %d: Len = %d, want %d", seed, i, c.Len(), len(model))
			}
		}
		c.Close()
	}
}

func hasKey[K comparable, V any](m map[K]V, k K) bool { _, ok := m[k]; return ok }

func TestBoundedWeightedStress(t *testing.T) {
	c := MustNew(Options[int, int]{
		MaximumWeight: 1000,
		Weigher:       func(k, v int) uint32 { return uint32(v % 7) }, // some zero weights
	})
	defer c.Close()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 3))
			for range 20_000 {
				k := int(r.Uint32N(2000))
				if _, ok := c.Get(k); !ok {
					c.Set(k, int(r.Uint32N(100)))
				}
			}
		})
	}
	wg.Wait()
	c.CleanUp()
	checkPolicy(t, c)
}

// TestBoundHoldsUnderConcurrentInserts checks that writers cannot run far
// ahead of maintenance: with more goroutines than CPUs, the cache stays
// within its bound plus the small write backlog it allows.
func TestBoundHoldsUnderConcurrentInserts(t *testing.T) {
	const capacity, workers = 250, 8
	c := MustNew(Options[uint64, uint64]{MaximumSize: capacity})
	defer c.Close()
	limit := capacity + 2*int(c.maxPending) + 2*workers
	var worst atomic.Int64
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 9))
			for range 20_000 {
				k := r.Uint64N(5000)
				if _, ok := c.Get(k); !ok {
					c.Set(k, k)
				}
				if l := int64(c.Len()); l > worst.Load() {
					worst.Store(l)
				}
			}
		})
	}
	wg.Wait()
	if w := worst.Load(); w > int64(limit) {
		t.Fatalf("Len reached %d; bound %d allows at most %d", w, capacity, limit)
	}
	c.CleanUp()
	if c.Len() > capacity {
		t.Fatalf("Len = %d after CleanUp", c.Len())
	}
}
