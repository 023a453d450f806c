package cache

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

const (
	ringSize  = 64 // read records per stripe; a power of two
	cacheLine = 64
)

// readStripe is one lossy ring of read records (Caffeine's striped ring
// buffer): many goroutines offer, only the maintenance pass drains. A full
// ring refuses the record; losing it only costs the policy a hint. The
// stripe also counts hits and misses, so statistics share its cache line
// instead of contending on a global counter.
type readStripe[K comparable, V any] struct {
	head     atomic.Uint64 // next slot to drain (owner: maintenance)
	_        [cacheLine - 8]byte
	tail     atomic.Uint64 // next slot to fill
	hits     atomic.Uint64
	misses   atomic.Uint64
	replaced atomic.Uint64
	_        [cacheLine - 32]byte
	slots    [ringSize]atomic.Pointer[node[K, V]]
}

type readBuffer[K comparable, V any] struct {
	stripes []readStripe[K, V]
	mask    uint64
}

func newReadBuffer[K comparable, V any]() readBuffer[K, V] {
	n := 1
	for n < 4*runtime.GOMAXPROCS(0) && n < 64 {
		n <<= 1
	}
	return readBuffer[K, V]{stripes: make([]readStripe[K, V], n), mask: uint64(n - 1)}
}

// stripe picks a stripe for the calling goroutine from the address of a
// stack variable: goroutines have distinct stacks, so concurrent callers
// mostly land on distinct stripes, and one goroutine keeps its stripe. The
// address is hashed from bit 10 up: a goroutine's stack starts at 2 KiB, so
// two small stacks can share a 4 KiB page, and hashing from bit 12 (as this
// did before) sent both to the same stripe, where they fought over its
// cache line (a 3× slower Get in about half the runs of the 2-CPU read
// benchmark).
func (b *readBuffer[K, V]) stripe() *readStripe[K, V] {
	var marker byte
	return &b.stripes[stripeIndex(uint64(uintptr(unsafe.Pointer(&marker))), b.mask)]
}

// stripeIndex hashes a stack address to a stripe index below mask+1.
func stripeIndex(addr, mask uint64) uint64 {
	return ((addr >> 10) * 0x9e3779b97f4a7c15 >> 40) & mask
}

// offer records a read; it reports false when the stripe was full.
func (s *readStripe[K, V]) offer(n *node[K, V]) bool {
	head := s.head.Load()
	tail := s.tail.Load()
	if tail-head >= ringSize {
		return false
	}
	if s.tail.CompareAndSwap(tail, tail+1) {
		s.slots[tail&(ringSize-1)].Store(n)
	}
	// A lost race drops the record, which is allowed.
	return true
}

// drain hands every published record to f. Only one goroutine drains at a
// time (the eviction lock's holder).
func (s *readStripe[K, V]) drain(f func(*node[K, V])) {
	head := s.head.Load()
	tail := s.tail.Load()
	for ; head != tail; head++ {
		slot := &s.slots[head&(ringSize-1)]
		n := slot.Load()
		if n == nil {
			break // claimed but not yet stored; pick it up next time
		}
		slot.Store(nil)
		f(n)
	}
	s.head.Store(head)
}

func (s *readStripe[K, V]) full() bool { return s.tail.Load()-s.head.Load() >= ringSize }
