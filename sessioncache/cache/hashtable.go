package cache

import (
	"sync"
	"sync/atomic"
)

// shard is one part of the hash table. Readers walk its bucket chains
// without a lock; writers hold mu. A resize relinks the chains while
// resizing is odd; a reader that missed during a resize retries under mu,
// so a present key is never reported absent.
type shard[K comparable, V any] struct {
	mu       sync.Mutex
	table    atomic.Pointer[table[K, V]]
	resizing atomic.Uint32
	count    atomic.Int64

	pending []task[K, V]      // policy work for maintenance (mu)
	calls   map[K]*call[K, V] // loads in flight (mu)
	_       [cacheLine]byte
}

type table[K comparable, V any] struct {
	buckets []atomic.Pointer[node[K, V]]
	mask    uint32
}

func newTable[K comparable, V any](size int) *table[K, V] {
	n := 8
	for n < size {
		n <<= 1
	}
	return &table[K, V]{buckets: make([]atomic.Pointer[node[K, V]], n), mask: uint32(n - 1)}
}

// find returns the node for key without taking the lock.
func (s *shard[K, V]) find(h uint32, key K) *node[K, V] {
	for {
		r := s.resizing.Load()
		t := s.table.Load()
		for n := t.buckets[h&t.mask].Load(); n != nil; n = n.chain.Load() {
			if n.hash == h && n.key == key {
				return n
			}
		}
		if r&1 == 0 && s.resizing.Load() == r {
			return nil
		}
		s.mu.Lock()
		n := s.findLocked(h, key)
		s.mu.Unlock()
		return n
	}
}

// first returns the node for key if it heads its bucket, else nil; find
// must then decide. Buckets hold one node on average, so this inlinable
// probe usually answers a lookup without a call.
func (s *shard[K, V]) first(h uint32, key K) *node[K, V] {
	t := s.table.Load()
	if n := t.buckets[h&t.mask].Load(); n != nil && n.hash == h && n.key == key {
		return n
	}
	return nil
}

// findLocked returns the node for key; s.mu must be held.
func (s *shard[K, V]) findLocked(h uint32, key K) *node[K, V] {
	t := s.table.Load()
	for n := t.buckets[h&t.mask].Load(); n != nil; n = n.chain.Load() {
		if n.hash == h && n.key == key {
			return n
		}
	}
	return nil
}

// insertLocked links a new node at the head of its bucket; s.mu must be held.
func (s *shard[K, V]) insertLocked(n *node[K, V]) {
	t := s.table.Load()
	if c := s.count.Load(); c >= int64(t.mask)+1 {
		t = s.grow(t)
	}
	b := &t.buckets[n.hash&t.mask]
	n.chain.Store(b.Load())
	b.Store(n)
	s.count.Add(1)
}

// unlinkLocked removes n from its bucket chain; s.mu must be held. Readers
// standing on n keep following its chain pointer, which still leads on.
func (s *shard[K, V]) unlinkLocked(n *node[K, V]) {
	t := s.table.Load()
	b := &t.buckets[n.hash&t.mask]
	if b.Load() == n {
		b.Store(n.chain.Load())
	} else {
		for p := b.Load(); p != nil; p = p.chain.Load() {
			if p.chain.Load() == n {
				p.chain.Store(n.chain.Load())
				break
			}
		}
	}
	s.count.Add(-1)
}

// grow doubles the table; s.mu must be held.
func (s *shard[K, V]) grow(old *table[K, V]) *table[K, V] {
	t := newTable[K, V](len(old.buckets) * 2)
	s.resizing.Add(1)
	for i := range old.buckets {
		n := old.buckets[i].Load()
		for n != nil {
			next := n.chain.Load()
			b := &t.buckets[n.hash&t.mask]
			n.chain.Store(b.Load())
			b.Store(n)
			n = next
		}
	}
	s.table.Store(t)
	s.resizing.Add(1)
	return t
}

// resetLocked empties the shard and returns its nodes; s.mu must be held.
func (s *shard[K, V]) resetLocked(size int) []*node[K, V] {
	t := s.table.Load()
	var nodes []*node[K, V]
	for i := range t.buckets {
		for n := t.buckets[i].Load(); n != nil; n = n.chain.Load() {
			nodes = append(nodes, n)
		}
	}
	s.table.Store(newTable[K, V](size))
	s.count.Store(0)
	return nodes
}

// task is policy work a write left for the maintenance pass.
type task[K comparable, V any] struct {
	n    *node[K, V]
	kind uint8
}

const (
	taskAdd uint8 = iota + 1
	taskUpdate
	taskRemove
)
